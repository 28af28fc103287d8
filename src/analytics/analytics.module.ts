import { Module } from '@nestjs/common';

import { SeriesModule } from '../series/series.module';
import { AnalyticsController } from './analytics.controller';
import { AnalyticsRepository } from './analytics.repository';
import { ANALYTICS_TAG } from './analytics.routes';
import { AnalyticsService } from './analytics.service';
import type { Feature } from '../common/feature';

/** Latest values, statistics and calendar aggregates of the timeseries' samples. */
@Module({
  imports: [SeriesModule],
  controllers: [AnalyticsController],
  providers: [AnalyticsService, AnalyticsRepository],
})
export class AnalyticsModule {}

export const ANALYTICS_FEATURE: Feature = {
  module: AnalyticsModule,
  tag: ANALYTICS_TAG,
};
