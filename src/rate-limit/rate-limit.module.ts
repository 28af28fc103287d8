import { Module, type DynamicModule } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { ThrottlerGuard, ThrottlerModule } from '@nestjs/throttler';

import type { AuthenticatedRequest } from '../auth/request-context';
import { SlidingWindowStorage } from './sliding-window.storage';

/**
 * Rate limiting per token subject (RATE_LIMIT_PER_MINUTE), after authentication so the subject
 * is a verified one. Over the limit: 429 in the envelope with Retry-After. Counters live in each
 * instance's memory: with N instances a subject gets up to N times the limit (see README).
 * One counter per subject across all routes (the throttler's default key is per handler), kept
 * in a sliding-window counter that costs the same whatever the limit. Health and metrics routes
 * are exempt (@SkipThrottle).
 */
@Module({})
export class RateLimitModule {
  static forRoot(perMinute: number): DynamicModule {
    return {
      module: RateLimitModule,
      imports: [
        ThrottlerModule.forRoot({
          throttlers: [{ name: 'default', ttl: 60_000, limit: perMinute }],
          getTracker: (request: Record<string, unknown>) => trackerOf(request as unknown as AuthenticatedRequest),
          generateKey: (_context, tracker) => tracker,
          storage: new SlidingWindowStorage(),
          errorMessage: `Too many requests: at most ${perMinute} per minute for one token subject`,
        }),
      ],
      providers: [{ provide: APP_GUARD, useClass: ThrottlerGuard }],
    };
  }
}

function trackerOf(request: AuthenticatedRequest): string {
  return request.user?.subject ? `sub:${request.user.subject}` : `ip:${request.ip}`;
}
