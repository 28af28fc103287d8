import { Client } from 'pg';

import { REGISTER_POINTS } from '../../src/devices/timeseries.sql';
import { TcpProxy } from '../support/tcp-proxy';
import { startTestApp, type TestApp } from '../support/test-app';
import { TEST_DATABASE_URL_VARIABLE } from '../support/test-database';
import { token, uniqueCollection, uniqueDevice } from '../support/tokens';

const databaseUrl = process.env[TEST_DATABASE_URL_VARIABLE];
if (!databaseUrl) {
  process.stdout.write('\nFault tests skipped: they need a PostgreSQL server (run npm test with DATABASE_URL).\n');
}
const describeOnServer = databaseUrl ? describe : describe.skip;

/**
 * The database goes away, connections are cut as a statement is sent, the pool runs dry: the service
 * answers 503 in the envelope within bounded time, stays up, loses or half-writes nothing, and
 * recovers by itself. PostgreSQL is reached through a proxy the test breaks, never stopped.
 */
describeOnServer('database faults', () => {
  let proxy: TcpProxy;
  let t: TestApp;
  let writer: string;
  const direct = () => new Client({ connectionString: databaseUrl });

  beforeAll(async () => {
    const target = new URL(databaseUrl!);
    proxy = new TcpProxy(target.hostname, Number(target.port || 5432));
    await proxy.start();
    const viaProxy = new URL(databaseUrl!);
    viaProxy.hostname = '127.0.0.1';
    viaProxy.port = String(proxy.port);
    t = await startTestApp({
      DATABASE_URL: viaProxy.toString(),
      DB_POOL_SIZE: '2',
      DB_CONNECT_TIMEOUT_MS: '1000',
      DB_STATEMENT_TIMEOUT_MS: '1500',
    });
    writer = token({ collections: [uniqueCollection()] });
  });

  afterAll(async () => {
    await t?.close();
    await proxy?.down();
  });

  const post = (deviceId = uniqueDevice(), count = 1) =>
    t.api.registerTimeseries(
      deviceId,
      Array.from({ length: count }, (_, i) => ({ id: `p${i}`, pointType: 't' })),
      { token: writer },
    );

  const timed = async <T>(work: Promise<T>): Promise<{ value: T; ms: number }> => {
    const started = Date.now();
    const value = await work;
    return { value, ms: Date.now() - started };
  };

  const pointsOf = async (deviceId: string) => {
    const client = direct();
    await client.connect();
    try {
      const { rows } = await client.query<{ devices: number; points: number; timeseries: number }>(
        `SELECT (SELECT count(*) FROM device WHERE id = $1)::int AS devices,
                (SELECT count(*) FROM point WHERE device_id = $1)::int AS points,
                (SELECT count(*) FROM timeseries WHERE device_id = $1)::int AS timeseries`,
        [deviceId],
      );
      return rows[0]!;
    } finally {
      await client.end();
    }
  };

  it('answers 503 within bounded time while the database is gone, and recovers by itself', async () => {
    expect((await post()).statusCode).toBe(202);
    await proxy.down();
    try {
      const failed = await timed(post());
      expect(failed.value.statusCode).toBe(503);
      expect(failed.value.json()).toEqual({
        status: { Message: 'The database is unavailable; try again shortly', Code: '503' },
        data: null,
      });
      expect(failed.ms).toBeLessThan(5000);

      const ready = await timed(t.request({ method: 'GET', url: '/health/ready' }));
      expect(ready.value.statusCode).toBe(503);
      expect(ready.ms).toBeLessThan(5000);
      expect((await t.request({ method: 'GET', url: '/health' })).statusCode).toBe(200);

      const list = await t.api.listTimeseries(uniqueDevice(), {}, { token: writer });
      expect(list.statusCode).toBe(503);
    } finally {
      await proxy.up();
    }
    // Recovery needs no restart: the pool replaces the broken connections.
    let recovered = 0;
    for (let attempt = 0; attempt < 20 && recovered !== 202; attempt++) {
      recovered = (await post()).statusCode;
      if (recovered !== 202) await new Promise((r) => setTimeout(r, 250));
    }
    expect(recovered).toBe(202);
    expect((await t.request({ method: 'GET', url: '/health/ready' })).statusCode).toBe(200);
  });

  it('leaves nothing behind when the connection is cut as the registration is sent', async () => {
    const deviceId = uniqueDevice();
    // The registration statement never reaches the server, whether it is sent in full (a new
    // connection prepares it) or by name (a connection that prepared it before).
    proxy.cutWhenClientSends(REGISTER_POINTS.name);
    const response = await post(deviceId, 1000);
    expect(response.statusCode).toBe(503);
    expect(await pointsOf(deviceId)).toEqual({ devices: 0, points: 0, timeseries: 0 });

    // The same request succeeds afterwards, in full.
    let retried = await post(deviceId, 1000);
    for (let attempt = 0; attempt < 10 && retried.statusCode !== 202; attempt++) retried = await post(deviceId, 1000);
    expect(retried.statusCode).toBe(202);
    expect(await pointsOf(deviceId)).toEqual({ devices: 1, points: 1000, timeseries: 1000 });
  });

  it('loses nothing when the answer of a registration is lost: the retry answers the same timeseries', async () => {
    const deviceId = uniqueDevice();
    // The server runs and commits the statement; the service never hears back.
    proxy.cutAfterClientSends(REGISTER_POINTS.name);
    const response = await post(deviceId, 1000);
    expect(response.statusCode).toBe(503);
    expect(await pointsOf(deviceId)).toEqual({ devices: 1, points: 1000, timeseries: 1000 });

    // A client that retries gets every timeseries, none twice: the committed ones, not new ones.
    let retried = await post(deviceId, 1000);
    for (let attempt = 0; attempt < 10 && retried.statusCode !== 202; attempt++) retried = await post(deviceId, 1000);
    expect(retried.statusCode).toBe(202);
    const relationships = retried.json().data.relationships as Array<{ created: boolean }>;
    expect(relationships).toHaveLength(1000);
    expect(relationships.every((r) => !r.created)).toBe(true);
    expect(await pointsOf(deviceId)).toEqual({ devices: 1, points: 1000, timeseries: 1000 });
  });

  it('answers a caller of another collection without waiting for the device lock its owner holds', async () => {
    const owned = uniqueDevice();
    expect((await post(owned)).statusCode).toBe(202);
    const holder = direct();
    await holder.connect();
    try {
      await holder.query('BEGIN');
      await holder.query('SELECT 1 FROM device WHERE id = $1 FOR UPDATE', [owned]);
      const stranger = token({ collections: [uniqueCollection()] });
      const answered = await t.api.registerTimeseries(owned, [{ id: 'p0', pointType: 't' }], { token: stranger });
      // A 403: the foreign device is read, not locked. Waiting for the lock would have ended in a
      // 503 at statement_timeout (1.5 s), with the lock still held.
      expect(answered.statusCode).toBe(403);
    } finally {
      await holder.query('ROLLBACK');
      await holder.end();
    }
  });

  it('answers 503 after a bounded wait when every pooled connection is busy, never queueing forever', async () => {
    const blocked = uniqueDevice();
    expect((await post(blocked)).statusCode).toBe(202);
    const holder = direct();
    await holder.connect();
    try {
      // Another session holds the device's row lock: POSTs to it wait inside the database.
      await holder.query('BEGIN');
      await holder.query('SELECT 1 FROM device WHERE id = $1 FOR UPDATE', [blocked]);

      const outcome = await timed(Promise.all([post(blocked), post(blocked), post(), post()]));
      const statuses = outcome.value.map((r) => r.statusCode);
      // Both pooled connections wait on the lock until statement_timeout (1.5 s); the other two
      // requests wait for a connection until DB_CONNECT_TIMEOUT_MS (1 s): all 503, in bounded time.
      expect(statuses).toEqual([503, 503, 503, 503]);
      expect(outcome.ms).toBeLessThan(6000);
    } finally {
      await holder.query('ROLLBACK');
      await holder.end();
    }
    expect((await post()).statusCode).toBe(202);
  });
});
