import { Module } from '@nestjs/common';
import { MetricsController } from './metrics.controller';
import { MetricsService } from './metrics.service';
import type { Feature } from '../common/feature';

/** Prometheus metrics at /metrics (METRICS_ENABLED=false leaves the module out). */
@Module({
  controllers: [MetricsController],
  providers: [MetricsService],
  exports: [MetricsService],
})
export class MetricsModule {}

/** Not in the OpenAPI document: the scraper's, not the API's. */
export const METRICS_FEATURE: Feature = { module: MetricsModule, enabled: (config) => config.metricsEnabled };
