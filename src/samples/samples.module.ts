import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';

import { AnalyticsController } from './analytics.controller';
import { AnalyticsRepository } from './analytics.repository';
import { AnalyticsService } from './analytics.service';
import { SAMPLES_ENTITIES } from './entities';
import { SampleMaintenance } from './sample-maintenance';
import { SamplePartitions } from './sample-partitions';
import { SamplesController } from './samples.controller';
import { SamplesRepository } from './samples.repository';
import { SamplesService } from './samples.service';
import { TimeseriesSelection } from './timeseries-selection';

/** The values of every timeseries over time: `/apollo/devices/{deviceId}/timeseries/samples`. */
@Module({
  imports: [TypeOrmModule.forFeature(SAMPLES_ENTITIES)],
  controllers: [AnalyticsController, SamplesController],
  providers: [
    SamplesService,
    SamplesRepository,
    SamplePartitions,
    SampleMaintenance,
    TimeseriesSelection,
    AnalyticsService,
    AnalyticsRepository,
  ],
})
export class SamplesModule {}
