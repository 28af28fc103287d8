import { createDevice, somePoints, type DeviceFixture } from '../support/fixtures';
import { TcpProxy } from '../support/tcp-proxy';
import { startTestApp, type TestApp } from '../support/test-app';
import { onServer, TEST_REPLICA_URL_VARIABLE } from '../support/test-database';

const replicaUrl = process.env[TEST_REPLICA_URL_VARIABLE];
if (!replicaUrl) {
  process.stdout.write(
    '\nRead-replica tests skipped: no hot standby (run npm test with DATABASE_URL after bash scripts/standby.sh).\n',
  );
}
const describeWithReplica = replicaUrl ? describe : describe.skip;

/** Transactions the standby committed in the test database: reads it served (and its health checks). */
async function standbyTransactions(): Promise<number> {
  return onServer(replicaUrl!, async (client) => {
    const { rows } = await client.query<{ n: string }>(
      'SELECT xact_commit AS n FROM pg_stat_database WHERE datname = current_database()',
    );
    return Number(rows[0]?.n ?? 0);
  });
}

const poll = async <T>(read: () => Promise<T>, until: (value: T) => boolean, ms = 30_000): Promise<T> => {
  const deadline = Date.now() + ms;
  let value = await read();
  while (!until(value) && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 100));
    value = await read();
  }
  return value;
};

/**
 * Reads go to a real hot standby (streaming replication of the PostgreSQL server), writes to the
 * primary; a replica that is down (its TCP proxy down) or lagging (replay paused) is skipped and
 * reads fall back to the primary.
 */
describeWithReplica('read replicas (DATABASE_REPLICA_URLS)', () => {
  let t: TestApp;
  let proxy: TcpProxy;
  let device: DeviceFixture;

  beforeAll(async () => {
    const target = new URL(replicaUrl!);
    proxy = new TcpProxy(target.hostname, Number(target.port));
    await proxy.start();
    const viaProxy = new URL(replicaUrl!);
    viaProxy.port = String(proxy.port);
    t = await startTestApp({ DATABASE_REPLICA_URLS: viaProxy.toString(), DB_REPLICA_MAX_LAG_MS: '1000' });
    device = await createDevice(t, { points: somePoints(3) });
    const samples = Array.from({ length: 50 }, (_, i) => ({
      timeseriesId: device.timeseriesIds[0],
      val: i,
      timestamp: new Date(Date.UTC(2026, 5, 1) + i * 60_000).toISOString(),
    }));
    expect((await t.api.writeSamples(device.deviceId, samples, { token: device.writer })).statusCode).toBe(202);
  });
  afterAll(async () => {
    await t?.close();
    await proxy?.down();
  });

  const read = () =>
    t.api.readSamples(
      device.deviceId,
      { timeseries_ids: device.timeseriesIds[0]!, paginated: true },
      {
        token: device.reader,
      },
    );
  interface Readiness {
    status: string;
    replicas: Array<{ state: string }>;
  }
  const readiness = async (): Promise<Readiness> =>
    (await t.request({ method: 'GET', url: '/health/ready' })).json().data as Readiness;

  it('reports the replica in readiness', async () => {
    // Checked once a second: a standby slow to replay under load may look behind for a moment.
    const ready = await poll(readiness, (r) => r.replicas[0]?.state === 'up');
    expect(ready).toEqual({
      status: 'ok',
      database: 'up',
      redis: 'not configured',
      replicas: [
        { name: expect.stringMatching(/^127\.0\.0\.1:\d+\/dtapi_test_/), state: 'up', lagMs: expect.any(Number) },
      ],
    });
  });

  it('serves reads from the replica and writes from the primary', async () => {
    // Every read route: the standby's transaction count grows with them.
    const before = await standbyTransactions();
    for (let i = 0; i < 20; i++) {
      const response = await read();
      expect(response.statusCode).toBe(200);
      expect(response.json().data).toHaveLength(50);
    }
    const afterReads = await poll(standbyTransactions, (n) => n >= before + 40);
    expect(afterReads).toBeGreaterThanOrEqual(before + 40); // 20 reads, two statements each

    // Writes work (a standby refuses them) and add no transaction there but the health checks' (one
    // a second) and these counts' own. Statistics reach pg_stat_database in bursts (a backend
    // flushes them at most once a second), hence the slack; a write routed there would add 40.
    const writes = 40;
    const start = await poll(standbyTransactions, () => true);
    const started = Date.now();
    for (let i = 0; i < writes; i++) {
      const response = await t.api.writeSamples(
        device.deviceId,
        [
          {
            timeseriesId: device.timeseriesIds[1],
            val: i,
            timestamp: new Date(Date.UTC(2026, 6, 1) + i * 1000).toISOString(),
          },
        ],
        { token: device.writer },
      );
      expect(response.statusCode).toBe(202);
    }
    await new Promise((resolve) => setTimeout(resolve, 1200));
    const checks = Math.ceil((Date.now() - started) / 1000) + 2;
    const added = (await standbyTransactions()) - start;
    expect(added).toBeLessThanOrEqual(checks + 4);
    expect(added).toBeLessThan(writes / 2);
  });

  it('falls back to the primary while the replica is down, and uses it again once it is back', async () => {
    await proxy.down();
    try {
      // The first read may find it down itself: it is answered from the primary all the same.
      for (let i = 0; i < 5; i++) {
        const response = await read();
        expect([response.statusCode, response.json().data.length]).toEqual([200, 50]);
      }
      expect((await poll(readiness, (r) => r.status === 'degraded')).replicas[0]!.state).toBe('down');
    } finally {
      await proxy.up();
    }
    expect((await poll(readiness, (r) => r.status === 'ok')).replicas[0]!.state).toBe('up');
    const before = await standbyTransactions();
    for (let i = 0; i < 10; i++) expect((await read()).statusCode).toBe(200);
    expect(await poll(standbyTransactions, (n) => n >= before + 20)).toBeGreaterThanOrEqual(before + 20);
  });

  it('skips a replica that lags more than DB_REPLICA_MAX_LAG_MS: a fresh write reads back at once', async () => {
    await onServer(replicaUrl!, (client) => client.query('SELECT pg_wal_replay_pause()'));
    try {
      const sample = { timeseriesId: device.timeseriesIds[2]!, val: 42, timestamp: '2027-01-01T00:00:00Z' };
      expect((await t.api.writeSamples(device.deviceId, [sample], { token: device.writer })).statusCode).toBe(202);
      const state = await poll(readiness, (r) => r.replicas[0]!.state === 'lagging');
      expect(state.replicas[0]!.state).toBe('lagging');
      const response = await t.api.readSamples(
        device.deviceId,
        { timeseries_ids: sample.timeseriesId, startTime: '2027-01-01T00:00:00Z' },
        { token: device.reader },
      );
      expect(response.json().data.map((s: { val: number }) => s.val)).toEqual([42]);
    } finally {
      await onServer(replicaUrl!, (client) => client.query('SELECT pg_wal_replay_resume()'));
    }
    expect((await poll(readiness, (r) => r.status === 'ok')).replicas[0]!.state).toBe('up');
  });

  it('confirms on the primary what a replica has not replayed yet; samples show there once replayed', async () => {
    // A second instance that tolerates a long lag: the paused replica stays in use.
    const tolerant = await startTestApp({ DATABASE_REPLICA_URLS: replicaUrl!, DB_REPLICA_MAX_LAG_MS: '600000' });
    await onServer(replicaUrl!, (client) => client.query('SELECT pg_wal_replay_pause()'));
    try {
      const fresh = await createDevice(tolerant, { points: somePoints(2) });
      expect((await poll(readiness, (r) => r.replicas[0]!.state === 'lagging')).replicas[0]!.state).toBe('lagging');
      // The replica knows neither the device nor its timeseries: the primary does, so no 403, 404 or 400.
      const listed = await tolerant.api.listTimeseries(fresh.deviceId, {}, { token: fresh.reader });
      expect([listed.statusCode, listed.json().data.relationships.length]).toEqual([200, 2]);
      const one = await tolerant.api.getTimeseries(fresh.deviceId, fresh.timeseriesIds[0]!, { token: fresh.reader });
      expect(one.statusCode).toBe(200);
      const sample = { timeseriesId: fresh.timeseriesIds[0]!, val: 7, timestamp: '2027-02-01T00:00:00Z' };
      expect((await tolerant.api.writeSamples(fresh.deviceId, [sample], { token: fresh.writer })).statusCode).toBe(202);
      const readFresh = async () =>
        (
          await tolerant.api.readSamples(
            fresh.deviceId,
            { timeseries_ids: sample.timeseriesId },
            { token: fresh.reader },
          )
        ).json().data as Array<{ val: number }>;
      // Within DB_REPLICA_MAX_LAG_MS the samples are read where they are not yet: the bounded staleness.
      expect(await readFresh()).toEqual([]);
      await onServer(replicaUrl!, (client) => client.query('SELECT pg_wal_replay_resume()'));
      expect((await poll(readFresh, (data) => data.length === 1)).map((s) => s.val)).toEqual([7]);
    } finally {
      await onServer(replicaUrl!, (client) => client.query('SELECT pg_wal_replay_resume()'));
      await tolerant.close();
    }
  });
});
