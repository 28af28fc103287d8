import { Module } from '@nestjs/common';

import { TimeseriesController } from './timeseries.controller';
import { TimeseriesService } from './timeseries.service';

/** Devices, their points and the timeseries of those points: `/apollo/devices/...`. */
@Module({
  controllers: [TimeseriesController],
  providers: [TimeseriesService],
})
export class DevicesModule {}
