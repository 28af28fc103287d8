import { spawn } from 'node:child_process';

import { SamplePacker } from '../../src/history/sample-packer';
import { SamplePartitions } from '../../src/series/sample-partitions';
import { createDevice, somePoints, type DeviceFixture } from '../support/fixtures';
import { assertBuilt, ROOT } from '../support/server-process';
import { startTestApp, usesServer, type TestApp } from '../support/test-app';

/**
 * Packing beside other packers and through a crash, on the PostgreSQL server (the embedded
 * database is one process's): `npm run samples:pack` killed with SIGKILL at any point loses and
 * doubles nothing, two instances packing at once pack every sample once.
 */
const describeOnServer = usesServer() ? describe : describe.skip;

const DAY = 86_400_000;
const START = Date.UTC(2026, 0, 1);

interface Totals {
  count: number;
  sum: number;
}

describeOnServer('packing on a server', () => {
  let t: TestApp;
  let device: DeviceFixture;
  let expected: Totals[];

  beforeAll(async () => {
    t = await startTestApp({ RATE_LIMIT_PER_MINUTE: '0', LOG_LEVEL: 'warn' }, { ownDatabase: true });
    device = await createDevice(t, { points: somePoints(4) });
  });
  afterAll(() => t?.close());

  /** 40 days of samples for each timeseries, a step of 20 s to 15 min: 4 densities, 3 block periods. */
  const load = async () => {
    await t.app.get(SamplePartitions).ensure([
      { year: 2026, month: 1 },
      { year: 2026, month: 2 },
    ]);
    await t.query(`TRUNCATE sample_block`);
    await t.query(
      `INSERT INTO sample (series_key, metric, ts, val, ingested_at)
       SELECT t.series_key, 0, $1::timestamptz + g * s.step, round((g % 997 + s.n * 0.125)::numeric, 3)::float8, now()
       FROM unnest($2::uuid[]) WITH ORDINALITY AS u(id, n)
       JOIN timeseries t ON t.id = u.id
       CROSS JOIN LATERAL (SELECT u.n, (ARRAY[interval '20 s', interval '1 min', interval '5 min', interval '15 min'])[u.n] AS step,
                                  (ARRAY[172800, 57600, 11520, 3840])[u.n] AS samples) s
       CROSS JOIN LATERAL generate_series(0, s.samples - 1) AS g
       ON CONFLICT DO NOTHING`,
      [new Date(START).toISOString(), device.timeseriesIds],
    );
  };

  /** Per timeseries: samples and their sum, by the stats endpoint (both tiers, as a client sees them). */
  const totals = async (): Promise<Totals[]> => {
    const response = await t.api.sampleStats(
      device.deviceId,
      {
        timeseries_ids: device.timeseriesIds,
        startTime: new Date(START).toISOString(),
        endTime: new Date(START + 50 * DAY).toISOString(),
      },
      { token: device.reader },
    );
    expect(`${response.statusCode} ${response.body}`).toMatch(/^200 /);
    return response.json<{ data: Totals[] }>().data.map(({ count, sum }) => ({ count, sum }));
  };

  /** Samples as stored: every instant once, in one tier or overlaid (no writes run here, so never both). */
  const stored = async () => {
    const [row] = await t.query<{ rows: number; packed: number; doubled: number }>(
      `SELECT (SELECT count(*) FROM sample)::int AS rows,
              (SELECT coalesce(sum(count), 0) FROM sample_block)::int AS packed,
              (SELECT count(*) FROM sample s JOIN sample_block b ON b.series_key = s.series_key AND b.metric = s.metric
                 AND s.ts BETWEEN b.first_ts AND b.last_ts)::int AS doubled`,
    );
    return row!;
  };

  /** `npm run samples:pack` as a child process; `killAfterMs`: SIGKILL it then. */
  const packCli = (killAfterMs?: number) => {
    assertBuilt();
    const child = spawn(process.execPath, ['dist/src/scripts/pack-samples.js'], {
      cwd: ROOT,
      env: { PATH: process.env.PATH, HOME: process.env.HOME, DATABASE_URL: t.config.database.url, LOG_LEVEL: 'silent' },
    });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const timer = killAfterMs === undefined ? undefined : setTimeout(() => child.kill('SIGKILL'), killAfterMs);
    return new Promise<{ code: number | null; signal: NodeJS.Signals | null; output: string }>((done) =>
      child.once('close', (code, signal) => {
        clearTimeout(timer);
        done({ code, signal, output });
      }),
    );
  };

  it('prints one JSON line, and a SIGKILL at any point of a pack loses and doubles nothing', async () => {
    await load();
    expected = await totals();
    const all = (await stored()).rows;
    expect(all).toBe(172_800 + 57_600 + 11_520 + 3_840);
    // Kill later and later until a kill lands in the middle of the packing.
    let mid = false;
    for (let killAfter = 800; !mid && killAfter < 30_000; killAfter += 400) {
      const killed = await packCli(killAfter);
      const now = await stored();
      expect(now.doubled).toBe(0);
      expect(now.rows + now.packed).toBe(all);
      expect(await totals()).toEqual(expected);
      if (killed.signal !== 'SIGKILL') break;
      mid = now.rows > 0 && now.packed > 0;
    }
    expect(mid).toBe(true);
    const rest = await packCli();
    expect(rest.code).toBe(0);
    const line = JSON.parse(rest.output.trim()) as { packedSamples: number; blocks: number; seconds: number };
    expect(Object.keys(line)).toEqual(['packedSamples', 'blocks', 'seconds']);
    const after = await stored();
    expect(after).toEqual({ rows: 0, packed: all, doubled: 0 });
    expect(line.packedSamples).toBeGreaterThan(0);
    // The row partitions the pack emptied take no room (the months the killed runs packed included).
    const [rooms] = await t.query<{ bytes: number }>(
      `SELECT sum(pg_total_relation_size(i.inhrelid))::int AS bytes FROM pg_inherits i
       WHERE i.inhparent = 'sample'::regclass AND i.inhrelid IN ('sample_y2026m01'::regclass, 'sample_y2026m02'::regclass)`,
    );
    expect(rooms!.bytes).toBeLessThanOrEqual(2 * 16384);
    expect(await totals()).toEqual(expected);
    // Each density got its period: 20 s and 1 min by the day, 5 and 15 min by the month (January, February).
    const periods = await t.query<{ hours: number }>(
      `SELECT DISTINCT (extract(epoch FROM period_end - period_start) / 3600)::int AS hours FROM sample_block ORDER BY 1`,
    );
    expect(periods.map((p) => p.hours)).toEqual([24, 28 * 24, 31 * 24]);
  });

  it('packs every sample once when two instances pack at once', async () => {
    await load();
    const other = await startTestApp(
      { DATABASE_URL: t.config.database.url!, DB_MIGRATIONS_RUN: 'false', RATE_LIMIT_PER_MINUTE: '0' },
      {},
    );
    try {
      const all = (await stored()).rows;
      const results = await Promise.all([
        t.app.get(SamplePacker).packEligible(),
        other.app.get(SamplePacker).packEligible(),
      ]);
      // A series one instance holds is left to it: between them, they packed each sample once.
      expect(results[0].packedSamples + results[1].packedSamples).toBe(all);
      expect(await stored()).toEqual({ rows: 0, packed: all, doubled: 0 });
      expect(await totals()).toEqual(expected);
    } finally {
      await other.close();
    }
  });
});
