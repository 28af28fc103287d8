import type { OnModuleDestroy } from '@nestjs/common';
import type { ThrottlerStorage } from '@nestjs/throttler';
import type { ThrottlerStorageRecord } from '@nestjs/throttler/dist/throttler-storage-record.interface';

/** Counts of one key: requests let through in the current window and in the one before it. */
interface Window {
  start: number;
  ttl: number;
  current: number;
  previous: number;
}

/**
 * A sliding-window counter (the estimate `previous × (1 − elapsed) + current`, as rate limiters at
 * the edge use) in place of @nestjs/throttler's default storage. The default keeps one timestamp
 * per request for the whole window and copies that array on every request, so a subject's request
 * costs O(limit) time and memory, and above about 120,000 hits per window its `Math.min(...hits)`
 * throws a RangeError (a 500 instead of a 429). Here a request costs O(1) and a key a few numbers,
 * whatever the limit. Windows of keys idle for two windows are swept so memory follows the active
 * subjects.
 */
export class SlidingWindowStorage implements ThrottlerStorage, OnModuleDestroy {
  private readonly windows = new Map<string, Window>();
  private readonly sweeper: NodeJS.Timeout;

  constructor(
    sweepIntervalMs = 60_000,
    private readonly now: () => number = Date.now,
  ) {
    this.sweeper = setInterval(() => this.sweep(), sweepIntervalMs);
    this.sweeper.unref();
  }

  /** Number of keys held: what the sweep keeps bounded. */
  get size(): number {
    return this.windows.size;
  }

  increment(key: string, ttl: number, limit: number, _blockDuration: number, throttlerName: string) {
    return Promise.resolve(this.hit(`${throttlerName}\u0000${key}`, ttl, limit));
  }

  /** Synchronous core of increment(), for tests and callers that need no promise. */
  hit(key: string, ttl: number, limit: number): ThrottlerStorageRecord {
    const now = this.now();
    const start = now - (now % ttl);
    let window = this.windows.get(key);
    if (!window) {
      window = { start, ttl, current: 0, previous: 0 };
      this.windows.set(key, window);
    } else if (window.start !== start) {
      window.previous = start - window.start === ttl ? window.current : 0;
      window.current = 0;
      window.start = start;
      window.ttl = ttl;
    }

    const weight = 1 - (now - start) / ttl;
    const isBlocked = window.previous * weight + window.current >= limit;
    if (!isBlocked) window.current++;
    return {
      totalHits: Math.ceil(window.previous * weight) + window.current + (isBlocked ? 1 : 0),
      timeToExpire: Math.ceil((start + ttl - now) / 1000),
      isBlocked,
      timeToBlockExpire: isBlocked ? Math.max(1, Math.ceil(this.msUntilAllowed(window, ttl, limit, now) / 1000)) : 0,
    };
  }

  onModuleDestroy(): void {
    clearInterval(this.sweeper);
  }

  /** Drops keys whose windows no longer count: nothing in the current or the previous window. */
  sweep(): void {
    const now = this.now();
    for (const [key, window] of this.windows) {
      if (now - window.start >= 2 * window.ttl) this.windows.delete(key);
    }
  }

  /**
   * How long until the estimate falls below the limit, so a request would pass: while the
   * current window alone is at the limit, into the next window until the carried-over share of
   * it has decayed enough; otherwise until the previous window's share has.
   */
  private msUntilAllowed(window: Window, ttl: number, limit: number, now: number): number {
    // Each bound is where the estimate equals the limit; a request passes only strictly after it.
    if (window.current >= limit) {
      // Next window: current × (1 − e) < limit  ⇔  e > 1 − limit / current.
      return window.start + ttl - now + ttl * (1 - limit / window.current) + 1;
    }
    // This window: previous × (1 − e) + current < limit  ⇔  e > 1 − (limit − current) / previous.
    return window.start + ttl * (1 - (limit - window.current) / window.previous) - now + 1;
  }
}
