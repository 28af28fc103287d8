import { Module } from '@nestjs/common';
import { TerminusModule } from '@nestjs/terminus';

import type { Feature } from '../common/feature';
import { HealthController } from './health.controller';
import { HEALTH_TAG } from './health.routes';
import { ReadinessService } from './readiness.service';

/** `GET /health` (liveness) and `GET /health/ready` (database reachable), without auth. */
@Module({
  imports: [TerminusModule.forRoot({ logger: false })],
  controllers: [HealthController],
  providers: [ReadinessService],
})
export class HealthModule {}

export const HEALTH_FEATURE: Feature = {
  module: HealthModule,
  tag: HEALTH_TAG,
};
