import { Module } from '@nestjs/common';
import { TerminusModule } from '@nestjs/terminus';

import { HealthController } from './health.controller';
import type { Feature } from '../common/feature';

/** `GET /health` (liveness) and `GET /health/ready` (database reachable), without auth. */
@Module({
  imports: [TerminusModule.forRoot({ logger: false })],
  controllers: [HealthController],
})
export class HealthModule {}

export const HEALTH_FEATURE: Feature = {
  module: HealthModule,
  tag: { name: 'health', description: 'Liveness and readiness probes, without authentication' },
};
