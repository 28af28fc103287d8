import { Module } from '@nestjs/common';
import { Registry } from 'prom-client';

import { MetricsController } from './metrics.controller';
import { METRICS_REGISTRY, MetricsService } from './metrics.service';

/** Prometheus metrics at /metrics (METRICS_ENABLED=false leaves the module out). */
@Module({
  controllers: [MetricsController],
  providers: [{ provide: METRICS_REGISTRY, useFactory: () => new Registry() }, MetricsService],
  exports: [MetricsService],
})
export class MetricsModule {}
