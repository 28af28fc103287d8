import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';

import { DEVICES_ENTITIES } from './entities';
import { TimeseriesController } from './timeseries.controller';
import { TimeseriesRepository } from './timeseries.repository';
import { TimeseriesService } from './timeseries.service';

/** Devices, their points and the timeseries of those points: `/apollo/devices/{deviceId}/timeseries`. */
@Module({
  imports: [TypeOrmModule.forFeature(DEVICES_ENTITIES)],
  controllers: [TimeseriesController],
  providers: [TimeseriesService, TimeseriesRepository],
})
export class DevicesModule {}
