import { SlidingWindowStorage } from '../../src/rate-limit/sliding-window.storage';

const MINUTE = 60_000;

describe('SlidingWindowStorage', () => {
  let now: number;
  let storage: SlidingWindowStorage;

  beforeEach(() => {
    now = 100 * MINUTE; // the start of a window
    storage = new SlidingWindowStorage(MINUTE, () => now);
  });
  afterEach(() => storage.onModuleDestroy());

  it('lets `limit` requests through in a window and blocks the next, with a positive Retry-After', () => {
    const records = Array.from({ length: 4 }, () => storage.hit('k', MINUTE, 3));
    expect(records.map((r) => r.isBlocked)).toEqual([false, false, false, true]);
    expect(records.map((r) => r.totalHits)).toEqual([1, 2, 3, 4]);
    expect(records[3]!.timeToBlockExpire).toBeGreaterThanOrEqual(1);
    expect(records[0]!.timeToBlockExpire).toBe(0);
  });

  it('keeps the keys apart', () => {
    storage.hit('a', MINUTE, 1);
    expect(storage.hit('a', MINUTE, 1).isBlocked).toBe(true);
    expect(storage.hit('b', MINUTE, 1).isBlocked).toBe(false);
  });

  it('carries the previous window over by the share of it still inside the sliding minute', () => {
    for (let i = 0; i < 10; i++) storage.hit('k', MINUTE, 10);
    now += MINUTE + MINUTE / 10; // 90% of the previous window still counts: 9 of 10
    expect(storage.hit('k', MINUTE, 10).isBlocked).toBe(false); // 9 + 0 < 10
    expect(storage.hit('k', MINUTE, 10).isBlocked).toBe(true); // 9 + 1 = 10
    now += MINUTE / 2; // 40% of it still counts: 4 + 1 = 5
    const results = Array.from({ length: 6 }, () => storage.hit('k', MINUTE, 10).isBlocked);
    expect(results).toEqual([false, false, false, false, false, true]);
  });

  it('forgets a window two windows old', () => {
    for (let i = 0; i < 10; i++) storage.hit('k', MINUTE, 10);
    now += 2 * MINUTE;
    expect(storage.hit('k', MINUTE, 10).totalHits).toBe(1);
  });

  it('tells a blocked caller when a request would pass again', () => {
    for (let i = 0; i < 10; i++) storage.hit('k', MINUTE, 10);
    now += MINUTE / 4;
    const blocked = storage.hit('k', MINUTE, 10);
    expect(blocked.isBlocked).toBe(true);
    // The window ends in 45 s; the carried share 10 × (1 − e) falls below 10 just after: 46 s.
    expect(blocked.timeToBlockExpire).toBe(46);
    now += 45_000;
    expect(storage.hit('k', MINUTE, 10).isBlocked).toBe(true);
    now += 1_000;
    expect(storage.hit('k', MINUTE, 10).isBlocked).toBe(false);
  });

  it('answers limits far above what the default storage survives (Math.min over 120,000+ hits)', () => {
    const limit = 200_000;
    let last = storage.hit('k', MINUTE, limit);
    for (let i = 1; i < limit; i++) last = storage.hit('k', MINUTE, limit);
    expect(last).toMatchObject({ isBlocked: false, totalHits: limit });
    expect(storage.hit('k', MINUTE, limit)).toMatchObject({ isBlocked: true });
  });

  it('sweeps keys idle for two windows, and only those', () => {
    storage.hit('old', MINUTE, 5);
    now += MINUTE;
    storage.hit('recent', MINUTE, 5);
    now += MINUTE;
    storage.sweep();
    expect(storage.size).toBe(1);
    expect(storage.hit('old', MINUTE, 5).totalHits).toBe(1);
  });
});
