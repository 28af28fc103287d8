import type { DataSource } from 'typeorm';
import type { PostgresDriver } from 'typeorm/driver/postgres/PostgresDriver';

import { startTestApp, type TestApp } from '../support/test-app';
import { token, uniqueCollection, uniqueDevice } from '../support/tokens';

/** What the pools hand out: a node-postgres client, or the PGlite driver's client. */
interface DatabaseClient {
  query: (...args: unknown[]) => unknown;
}
type ConnectCallback = (error: Error | null, client: DatabaseClient | null, release: (error?: unknown) => void) => void;
interface Pool {
  connect(callback?: ConnectCallback): Promise<DatabaseClient> | undefined;
}

/**
 * Records every statement sent on a connection of the app's TypeORM pool: the wire-level view,
 * below TypeORM, so it sees BEGIN and COMMIT too. The same hook works on the pg pool and on our
 * PGlite driver's pool, which hand their clients to TypeORM alike.
 */
class StatementRecorder {
  private statements: string[] = [];
  private readonly wrapped = new WeakSet<DatabaseClient>();

  constructor(dataSource: DataSource) {
    const pool = (dataSource.driver as PostgresDriver).master as Pool;
    const connect = pool.connect.bind(pool);
    pool.connect = (callback?: ConnectCallback) => {
      if (!callback) return connect()!.then((client) => this.wrap(client));
      return connect((error, client, release) => callback(error, client ? this.wrap(client) : client, release));
    };
  }

  /** The statements sent since the last call, in order. */
  take(): string[] {
    const taken = this.statements;
    this.statements = [];
    return taken;
  }

  private wrap(client: DatabaseClient): DatabaseClient {
    if (this.wrapped.has(client)) return client;
    this.wrapped.add(client);
    const query = client.query.bind(client);
    client.query = (...args: unknown[]) => {
      this.statements.push(firstLine(args[0]));
      return query(...args);
    };
    return client;
  }
}

function firstLine(statement: unknown): string {
  const text = typeof statement === 'string' ? statement : (statement as { text?: unknown } | null)?.text;
  return String(text).trim().split('\n', 1)[0]!;
}

const points = (count: number) =>
  Array.from({ length: count }, (_, i) => ({ id: `point-${i}`, pointType: i % 2 ? 'humidity' : 'temperature' }));

/** The README promises one statement per POST (no BEGIN/COMMIT: one statement is atomic). */
const MAX_STATEMENTS_PER_POST = 1;
const BATCH_SIZES = [1, 100, 1000] as const;

describe('SQL round trips per POST /apollo/devices/{deviceId}/timeseries', () => {
  let t: TestApp;
  let recorder: StatementRecorder;
  let writer: string;
  let collection: string;

  beforeAll(async () => {
    t = await startTestApp();
    recorder = new StatementRecorder(t.dataSource);
    collection = uniqueCollection();
    writer = token({ scope: 'apollo_write', collections: [collection] });
  });
  afterAll(() => t?.close());

  /** The statements one POST sends, after checking it succeeded. */
  async function statementsOfPost(deviceId: string, body: unknown): Promise<string[]> {
    recorder.take();
    const response = await t.api.registerTimeseries(deviceId, body, { token: writer });
    expect(response.statusCode).toBe(202);
    return recorder.take();
  }

  it('sends the same small number of statements for 1, 100 and 1000 points on a new device', async () => {
    const sent: Record<number, string[]> = {};
    for (const size of BATCH_SIZES) sent[size] = await statementsOfPost(uniqueDevice(`rt-new-${size}`), points(size));

    const counts = BATCH_SIZES.map((size) => sent[size]!.length);
    expect(counts[0]).toBeGreaterThan(0); // the recorder sees the app's statements
    expect(counts[0]).toBeLessThanOrEqual(MAX_STATEMENTS_PER_POST);
    expect(sent[1]![0]).not.toMatch(/^(BEGIN|START TRANSACTION)/i);
    expect(counts).toEqual(BATCH_SIZES.map(() => counts[0]));
    // Not only as many statements: the same statements, whatever the batch size.
    expect(sent[100]).toEqual(sent[1]);
    expect(sent[1000]).toEqual(sent[1]);
  });

  it('sends one statement per samples write, the same for 1, 100 and 10,000 samples, new or replacing', async () => {
    const deviceId = uniqueDevice('rt-samples');
    const registered = await t.api.registerTimeseries(deviceId, points(2), { token: writer });
    const ids = (registered.json().data.relationships as Array<{ timeseriesId: string }>).map((r) => r.timeseriesId);
    // The months exist first: creating a partition is the one-off extra a new month costs.
    const samples = (count: number) =>
      Array.from({ length: count }, (_, i) => ({
        timeseriesId: ids[i % 2],
        val: i,
        timestamp: new Date(Date.UTC(2030, 0, 1) + i * 1000).toISOString(),
      }));
    expect((await t.api.writeSamples(deviceId, samples(1), { token: writer })).statusCode).toBe(202);
    const sent: string[][] = [];
    for (const count of [1, 100, 10_000, 10_000]) {
      recorder.take();
      const response = await t.api.writeSamples(deviceId, samples(count), { token: writer });
      expect(response.json().data).toEqual({ accepted: count });
      sent.push(recorder.take());
    }
    expect(sent[0]).toHaveLength(MAX_STATEMENTS_PER_POST);
    expect(sent[0]![0]).not.toMatch(/^(BEGIN|START TRANSACTION)/i);
    for (const statements of sent) expect(statements).toEqual(sent[0]);
  });

  it('sends two statements per samples page read (the timeseries, then the samples), whatever the page size', async () => {
    const deviceId = uniqueDevice('rt-read');
    const registered = await t.api.registerTimeseries(deviceId, points(1), { token: writer });
    const id = registered.json().data.relationships[0].timeseriesId as string;
    const samples = Array.from({ length: 1000 }, (_, i) => ({
      timeseriesId: id,
      val: i,
      timestamp: new Date(Date.UTC(2030, 1, 1) + i * 1000).toISOString(),
    }));
    expect((await t.api.writeSamples(deviceId, samples, { token: writer })).statusCode).toBe(202);
    const reader = token({ scope: 'apollo_read', collections: [collection] });
    const sent: string[][] = [];
    for (const limit of [1, 1000]) {
      recorder.take();
      const response = await t.api.readSamples(
        deviceId,
        { timeseries_ids: id, paginated: true, limit },
        { token: reader },
      );
      expect(response.json().data).toHaveLength(limit);
      sent.push(recorder.take());
    }
    expect(sent[0]).toHaveLength(2);
    expect(sent[1]).toEqual(sent[0]);
  });

  it('sends two statements per analytics request from samples (the timeseries, then one computation), five from summaries, six per delete, whatever the data', async () => {
    const deviceId = uniqueDevice('rt-analytics');
    const registered = await t.api.registerTimeseries(deviceId, points(2), { token: writer });
    const ids = (registered.json().data.relationships as Array<{ timeseriesId: string }>).map((r) => r.timeseriesId);
    const reader = token({ scope: 'apollo_read', collections: [collection] });
    const range = { startTime: '2030-03-01T00:00:00Z', endTime: '2030-03-02T00:00:00Z' };
    const counts: Record<string, number[]> = {};
    for (const samples of [10, 5000]) {
      const body = Array.from({ length: samples }, (_, i) => ({
        timeseriesId: ids[i % 2],
        val: i,
        timestamp: new Date(Date.UTC(2030, 2, 1) + i * 1000).toISOString(),
      }));
      expect((await t.api.writeSamples(deviceId, body, { token: writer })).statusCode).toBe(202);
      const requests = {
        latest: () => t.api.latestSamples(deviceId, { timeseries_ids: ids, n: 100 }, { token: reader }),
        stats: () => t.api.sampleStats(deviceId, { timeseries_ids: ids, ...range }, { token: reader }),
        // Minute buckets hold no whole hour: from samples.
        aggregates: () =>
          t.api.sampleAggregates(
            deviceId,
            { timeseries_ids: ids, ...range, granularity: 'PT1M', aggregates: 'avg,twa,first' },
            { token: reader },
          ),
        hourly: () =>
          t.api.sampleAggregates(
            deviceId,
            { timeseries_ids: ids, ...range, granularity: 'PT1H', aggregates: 'avg,twa,first' },
            { token: reader },
          ),
        delete: () => t.api.deleteSamples(deviceId, { timeseries_ids: ids, ...range }, { token: writer }),
      };
      for (const [name, request] of Object.entries(requests)) {
        recorder.take();
        expect((await request()).statusCode).toBe(200);
        (counts[name] ??= []).push(recorder.take().length);
      }
    }
    // Stats and hourly aggregates read summaries: the lookup, then BEGIN, SET LOCAL plan_cache_mode
    // (the statement's generic plan), the statement, COMMIT. A delete is the lookup, then a
    // transaction: BEGIN, the series' locks (no pack rewrites their blocks meanwhile), the delete of
    // rows and block samples, the live streams' event of it (src/events/), COMMIT (and the rollups of its
    // days when it cut blocks: none here).
    expect(counts).toEqual({ latest: [2, 2], stats: [5, 5], aggregates: [2, 2], hourly: [5, 5], delete: [6, 6] });
  });

  it('sends as many statements when every point already exists (the idempotent path)', async () => {
    const counts: number[] = [];
    for (const size of BATCH_SIZES) {
      const deviceId = uniqueDevice(`rt-again-${size}`);
      const first = await statementsOfPost(deviceId, points(size));
      const again = await statementsOfPost(deviceId, points(size));
      expect(again).toEqual(first);
      counts.push(again.length);
    }
    expect(counts[0]).toBeLessThanOrEqual(MAX_STATEMENTS_PER_POST);
    expect(counts).toEqual(BATCH_SIZES.map(() => counts[0]));
  });
});
