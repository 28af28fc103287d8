import { Logger, type OnModuleDestroy } from '@nestjs/common';
import type { ThrottlerStorage } from '@nestjs/throttler';
import { Counter, type Registry } from 'prom-client';

import { SlidingWindowStorage } from './sliding-window.storage';

/** What a count answers (the package does not export its record type from its entry point). */
type ThrottlerStorageRecord = Awaited<ReturnType<ThrottlerStorage['increment']>>;

/**
 * The shared count first (Redis, so N instances enforce one limit), the instance's own count while
 * it fails: a request is never refused or held up because Redis is unreachable; it is then limited
 * per instance, as without REDIS_URL, until Redis answers again. Both counts see every request, so
 * the local one is warm when it takes over. `rate_limit_local_decisions_total` counts the requests the
 * instance decided alone: a Redis that is down, or slower than the client's command timeout.
 */
export class FailoverThrottlerStorage implements ThrottlerStorage, OnModuleDestroy {
  private readonly logger = new Logger('RateLimit');
  private readonly local = new SlidingWindowStorage();
  private failing = false;
  private readonly localDecisions: Counter;

  constructor(
    private readonly shared: ThrottlerStorage,
    registry: Registry,
  ) {
    this.localDecisions = new Counter({
      name: 'rate_limit_local_decisions_total',
      help: 'Requests whose rate limit this instance decided with its own count, because Redis did not answer in time.',
      registers: [registry],
    });
  }

  async increment(
    key: string,
    ttl: number,
    limit: number,
    blockDuration: number,
    throttlerName: string,
  ): Promise<ThrottlerStorageRecord> {
    const local = this.local.hit(`${throttlerName}\u0000${key}`, ttl, limit);
    try {
      const shared = await this.shared.increment(key, ttl, limit, blockDuration, throttlerName);
      if (this.failing) this.logger.log('Redis answers again: the rate limit is shared by every instance');
      this.failing = false;
      return shared;
    } catch (error) {
      if (!this.failing) {
        this.logger.warn(
          `Redis is unreachable (${error instanceof Error ? error.message : String(error)}): limiting per instance until it answers`,
        );
      }
      this.failing = true;
      this.localDecisions.inc();
      return local;
    }
  }

  onModuleDestroy(): void {
    this.local.onModuleDestroy();
  }
}
