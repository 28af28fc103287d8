import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';

import { DEVICES_ENTITIES } from './entities';
import { TimeseriesController } from './timeseries.controller';
import { TimeseriesRepository } from './timeseries.repository';
import { TIMESERIES_TAG } from './timeseries.routes';
import { TimeseriesService } from './timeseries.service';
import type { Feature } from '../common/feature';

/** Devices, their points and the timeseries of those points: `/apollo/devices/{deviceId}/timeseries`. */
@Module({
  imports: [TypeOrmModule.forFeature(DEVICES_ENTITIES)],
  controllers: [TimeseriesController],
  providers: [TimeseriesService, TimeseriesRepository],
})
export class DevicesModule {}

export const DEVICES_FEATURE: Feature = {
  module: DevicesModule,
  tag: TIMESERIES_TAG,
  entities: DEVICES_ENTITIES,
};
