import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';

import { SERIES_ENTITIES } from './entities';
import { SampleMaintenance } from './sample-maintenance';
import { SamplePartitions } from './sample-partitions';
import { SeriesRepository } from './series.repository';
import { TimeseriesSelection } from './timeseries-selection';
import type { Feature } from '../common/feature';

/**
 * The foundation of every samples feature: the sample table and its monthly partitions, retention,
 * and the selection of a request's timeseries (the one object-level check of every samples route).
 * It has no routes; SamplesModule and AnalyticsModule import it.
 */
@Module({
  imports: [TypeOrmModule.forFeature(SERIES_ENTITIES)],
  providers: [SeriesRepository, TimeseriesSelection, SamplePartitions, SampleMaintenance],
  exports: [TimeseriesSelection, SamplePartitions, SampleMaintenance],
})
export class SeriesModule {}

/** No routes of its own: it brings the tables of the samples (and their entities, which the CLI needs). */
export const SERIES_FEATURE: Feature = { module: SeriesModule, entities: SERIES_ENTITIES };
