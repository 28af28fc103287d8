import { Client } from 'pg';

import { startTestApp, type TestApp } from '../support/test-app';
import { TEST_DATABASE_URL_VARIABLE } from '../support/test-database';
import { token, uniqueCollection, uniqueDevice } from '../support/tokens';

const databaseUrl = process.env[TEST_DATABASE_URL_VARIABLE];
if (!databaseUrl) {
  process.stdout.write(
    '\nRegistration race tests skipped: they need a PostgreSQL server (run npm test with DATABASE_URL).\n',
  );
}
const describeOnServer = databaseUrl ? describe : describe.skip;

/** Requests racing for one device: each needs its own pooled connection to queue on the lock. */
const RACERS = 24;

/**
 * The worst case for the one-statement registration: requests queue on a device's row lock with
 * snapshots taken before the lock was free, and each overlaps the others with points that are new
 * when it starts. A session of the test holds the lock until all of them wait for it, then lets go.
 */
describeOnServer('registration races on PostgreSQL', () => {
  let t: TestApp;
  let holder: Client;
  const collection = uniqueCollection();
  const writer = token({ collections: [collection] });

  beforeAll(async () => {
    t = await startTestApp({ DB_POOL_SIZE: String(RACERS + 2) });
    holder = new Client({ connectionString: databaseUrl });
    await holder.connect();
  });
  afterAll(async () => {
    await holder?.end();
    await t?.close();
  });

  const points = (ids: string[]) => ids.map((id) => ({ id, pointType: 'temperature' }));

  /** Sends the bodies at once while the device's row is locked, and releases it once all wait. */
  async function racing(deviceId: string, bodies: Array<Array<{ id: string; pointType: string }>>) {
    await holder.query('BEGIN');
    await holder.query('SELECT 1 FROM device WHERE id = $1 FOR UPDATE', [deviceId]);
    const responses = Promise.all(bodies.map((body) => t.api.registerTimeseries(deviceId, body, { token: writer })));
    try {
      for (let waited = 0; (await lockWaiters(deviceId)) < bodies.length; waited += 20) {
        if (waited > 10_000) throw new Error('the requests never queued on the device lock');
        await new Promise((r) => setTimeout(r, 20));
      }
    } finally {
      await holder.query('COMMIT');
    }
    return responses;
  }

  /** Backends of the app waiting for a lock (the holder is the only other session touching the device). */
  async function lockWaiters(deviceId: string): Promise<number> {
    // Inside a transaction pg_stat_activity is a snapshot taken at its first read: take a new one.
    await holder.query('SELECT pg_stat_clear_snapshot()');
    const { rows } = await holder.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM pg_stat_activity
       WHERE datname = current_database() AND wait_event_type = 'Lock' AND pid <> pg_backend_pid()
         AND $1::text IS NOT NULL`,
      [deviceId],
    );
    return rows[0]!.n;
  }

  it('registers nested point sets that raced each other: every request succeeds, every point is created once', async () => {
    const deviceId = uniqueDevice();
    expect((await t.api.registerTimeseries(deviceId, points(['seed']), { token: writer })).statusCode).toBe(202);
    // Request k registers p1..pk: every request overlaps the others with points still new when it starts.
    const bodies = Array.from({ length: RACERS }, (_, k) =>
      points(Array.from({ length: k + 1 }, (_, i) => `p${i + 1}`)),
    );

    const responses = await racing(deviceId, bodies);

    expect(responses.map((r) => r.statusCode)).toEqual(Array(RACERS).fill(202));
    const relationships = responses.flatMap(
      (r) => r.json().data.relationships as Array<{ pointId: string; timeseriesId: string; created: boolean }>,
    );
    for (let i = 1; i <= RACERS; i++) {
      const seen = relationships.filter((x) => x.pointId === `p${i}`);
      expect(new Set(seen.map((x) => x.timeseriesId)).size).toBe(1);
      expect(seen.filter((x) => x.created)).toHaveLength(1);
    }
    const { rows } = await holder.query<{ n: number }>(
      'SELECT count(*)::int AS n FROM timeseries WHERE device_id = $1',
      [deviceId],
    );
    expect(rows[0]!.n).toBe(RACERS + 1);
  });
});
