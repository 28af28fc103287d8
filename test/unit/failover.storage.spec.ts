import { Logger } from '@nestjs/common';
import type { ThrottlerStorage } from '@nestjs/throttler';

import { FailoverThrottlerStorage } from '../../src/rate-limit/failover.storage';

/** A shared store that answers until it is "unplugged", as Redis behind a cut connection. */
class SwitchableStore implements ThrottlerStorage {
  reachable = true;
  hits = 0;

  increment(_key: string, ttl: number, limit: number) {
    if (!this.reachable) return Promise.reject(new Error('Connection is closed.'));
    this.hits++;
    return Promise.resolve({
      totalHits: this.hits,
      timeToExpire: ttl / 1000,
      isBlocked: this.hits > limit,
      timeToBlockExpire: 0,
    });
  }
}

describe('FailoverThrottlerStorage', () => {
  beforeAll(() => Logger.overrideLogger(false));
  const hit = (storage: FailoverThrottlerStorage) => storage.increment('sub:a', 60_000, 3, 60_000, 'default');

  it("answers the shared count while it answers, and the instance's own count while it fails", async () => {
    const shared = new SwitchableStore();
    shared.hits = 10; // other instances counted before
    const storage = new FailoverThrottlerStorage(shared);
    expect((await hit(storage)).totalHits).toBe(11);
    shared.reachable = false;
    // The local count saw the first request too: it is warm when it takes over.
    const local = await hit(storage);
    expect([local.totalHits, local.isBlocked]).toEqual([2, false]);
    expect((await hit(storage)).totalHits).toBe(3);
    expect((await hit(storage)).isBlocked).toBe(true);
    shared.reachable = true;
    expect((await hit(storage)).totalHits).toBe(12);
    storage.onModuleDestroy();
  });
});
