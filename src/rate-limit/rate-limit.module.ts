import { Module, type DynamicModule } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { ThrottlerStorageRedisService } from '@nest-lab/throttler-storage-redis';
import { ThrottlerGuard, ThrottlerModule, type ThrottlerStorage } from '@nestjs/throttler';
import type Redis from 'ioredis';
import type { Registry } from 'prom-client';

import type { AuthenticatedRequest } from '../auth/request-context';
import { METRICS_REGISTRY } from '../common/metrics-registry';
import { REDIS } from '../redis/redis.module';
import { FailoverThrottlerStorage } from './failover.storage';
import { SlidingWindowStorage } from './sliding-window.storage';

/**
 * Rate limiting per token subject (RATE_LIMIT_PER_MINUTE), after authentication so the subject
 * is a verified one. Over the limit: 429 in the envelope with Retry-After. One counter per subject
 * across all routes (the throttler's default key is per handler). With REDIS_URL the counter is in
 * Redis (@nest-lab/throttler-storage-redis), so N instances enforce one limit; while Redis is
 * unreachable each instance counts alone (FailoverThrottlerStorage). Without REDIS_URL, a
 * sliding-window counter in the instance's memory. Health and metrics routes are exempt
 * (@SkipThrottle).
 */
@Module({})
export class RateLimitModule {
  static forRoot(perMinute: number): DynamicModule {
    return {
      module: RateLimitModule,
      imports: [
        ThrottlerModule.forRootAsync({
          inject: [REDIS, METRICS_REGISTRY],
          useFactory: (redis: Redis | undefined, registry: Registry) => ({
            throttlers: [{ name: 'default', ttl: 60_000, limit: perMinute }],
            getTracker: (request: Record<string, unknown>) => trackerOf(request as unknown as AuthenticatedRequest),
            generateKey: (_context, tracker) => tracker,
            storage: storageOf(redis, registry),
            errorMessage: `Too many requests: at most ${perMinute} per minute for one token subject`,
          }),
        }),
      ],
      providers: [{ provide: APP_GUARD, useClass: ThrottlerGuard }],
    };
  }
}

function storageOf(redis: Redis | undefined, registry: Registry): ThrottlerStorage {
  return redis
    ? new FailoverThrottlerStorage(new ThrottlerStorageRedisService(redis), registry)
    : new SlidingWindowStorage();
}

function trackerOf(request: AuthenticatedRequest): string {
  return request.user?.subject ? `sub:${request.user.subject}` : `ip:${request.ip}`;
}
