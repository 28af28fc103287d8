import { Logger } from '@nestjs/common';
import type { ThrottlerStorage } from '@nestjs/throttler';
import { Registry } from 'prom-client';

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
    const registry = new Registry();
    const storage = new FailoverThrottlerStorage(shared, registry);
    const localDecisions = async () =>
      (await registry.getSingleMetric('rate_limit_local_decisions_total')!.get()).values[0]!.value;
    expect((await hit(storage)).totalHits).toBe(11);
    shared.reachable = false;
    // The local count saw the first request too: it is warm when it takes over.
    const local = await hit(storage);
    expect([local.totalHits, local.isBlocked]).toEqual([2, false]);
    expect((await hit(storage)).totalHits).toBe(3);
    expect((await hit(storage)).isBlocked).toBe(true);
    expect(await localDecisions()).toBe(3);
    shared.reachable = true;
    expect((await hit(storage)).totalHits).toBe(12);
    expect(await localDecisions()).toBe(3);
    storage.onModuleDestroy();
  });
});
