import { DataSource } from 'typeorm';

import { AddSampleRollups1796400000000 } from '../../migrations/1796400000000-AddSampleRollups';
import type { AppConfig } from '../../src/config/config';
import { APP_CONFIG } from '../../src/config/config.module';
import { SamplePacker } from '../../src/history/sample-packer';
import { SamplePartitions } from '../../src/series/sample-partitions';
import type { Query } from '../support/api-client';
import { createDevice, somePoints, writeSamples, type DeviceFixture } from '../support/fixtures';
import { random } from '../support/random';
import { startTestApp, type TestApp } from '../support/test-app';

/**
 * Rollups (docs/storage.md#rollups): stats and aggregates answered from the days' summaries are
 * the answers from samples alone (SAMPLES_ROLLUPS=off), after packs, late writes, overwrites and
 * deletes: count, min, max, first and last exactly, sum, avg and twa within 1e-9 relative. The
 * switch is flipped on the running app between two identical requests. A database of its own: a
 * pack takes every series of the database.
 */

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const iso = (ms: number) => new Date(ms).toISOString();

interface Written {
  timeseriesId: string;
  timestamp: string;
  val: number;
}

/** Aggregates whose sums may add up in another order, and those that must be equal. */
const SUMMED = new Set(['sum', 'avg', 'twa']);

/** a equals b, or (sums) is within 1e-9 of it relatively; the path names the value that differs. */
function expectClose(actual: unknown, expected: unknown, path: string): void {
  if (typeof actual === 'number' && typeof expected === 'number' && SUMMED.has(path.split('.').pop()!)) {
    const scale = Math.max(Math.abs(actual), Math.abs(expected));
    if (Math.abs(actual - expected) <= 1e-9 * scale) return;
    throw new Error(`${path}: ${actual} with rollups, ${expected} without (relative ${(actual - expected) / scale})`);
  }
  if (actual !== null && expected !== null && typeof actual === 'object' && typeof expected === 'object') {
    const keys = new Set([...Object.keys(actual), ...Object.keys(expected)]);
    for (const key of keys) {
      expectClose(
        (actual as Record<string, unknown>)[key],
        (expected as Record<string, unknown>)[key],
        `${path}.${key}`,
      );
    }
    return;
  }
  if (actual !== expected) throw new Error(`${path}: ${String(actual)} with rollups, ${String(expected)} without`);
}

/**
 * Three series of another density (docs/storage.md): a 5-second one packs by the hour, a minute
 * one by the day (both have rollups), a 20-minute one by the month (none); jitter and gaps.
 */
function dataSet(rand: () => number, ids: readonly string[], startMs: number): Written[] {
  const shapes = [
    { step: 5_000, days: 1.3 },
    { step: 60_000, days: 10 },
    { step: 20 * 60_000, days: 10 },
  ];
  return ids.flatMap((timeseriesId, s) => {
    const { step, days } = shapes[s]!;
    const out: Written[] = [];
    for (let ms = startMs + Math.floor(rand() * step); ms < startMs + days * DAY; ms += step) {
      if (rand() < step / (8 * HOUR)) ms += Math.floor(rand() * 3 * HOUR); // a gap, every 8 hours or so
      const jitter = Math.floor(rand() * Math.min(step / 2, 1000));
      out.push({ timeseriesId, timestamp: iso(ms + jitter), val: value(rand, ms) });
    }
    return out.filter((sample) => Date.parse(sample.timestamp) < startMs + days * DAY);
  });
}

const value = (rand: () => number, ms: number) => Math.round((20 + 5 * Math.sin(ms / 7e6) + rand()) * 1000) / 1000;

describe('rollups', () => {
  let t: TestApp;
  let packer: SamplePacker;
  let limits: AppConfig['limits'];

  beforeAll(async () => {
    t = await startTestApp({ RATE_LIMIT_PER_MINUTE: '0' }, { ownDatabase: true });
    packer = t.app.get(SamplePacker);
    limits = t.app.get<AppConfig>(APP_CONFIG).limits;
  });
  afterAll(() => t?.close());

  /** The same request with rollups on and off: both answers, parsed. */
  const bothWays = async (ask: () => Promise<{ statusCode: number; body: string }>) => {
    limits.samplesRollups = true;
    const withRollups = await ask();
    limits.samplesRollups = false;
    const without = await ask();
    limits.samplesRollups = true;
    expect(withRollups.statusCode).toBe(without.statusCode);
    return [JSON.parse(withRollups.body) as unknown, JSON.parse(without.body) as unknown] as const;
  };

  const ZONES = ['UTC', 'Europe/Berlin', 'America/New_York', 'Asia/Kolkata', 'Australia/Adelaide'];
  const GRANULARITIES = ['PT1H', 'PT3H', 'PT15M', 'P1D', 'P2D', 'P1W', 'P1M'];

  /** Random ranges (whole hours, whole days, or any millisecond), zones and granularities: every answer the same. */
  const compare = async (device: DeviceFixture, rand: () => number, startMs: number, endMs: number, phase: string) => {
    const caller = { token: device.reader };
    const pick = <T>(list: readonly T[]) => list[Math.floor(rand() * list.length)]!;
    const instant = () => {
      const ms = startMs + Math.floor(rand() * (endMs - startMs));
      const unit = pick([1, HOUR, DAY]);
      return iso(Math.floor(ms / unit) * unit);
    };
    for (let q = 0; q < 5; q++) {
      const [a, b] = [instant(), instant()].sort();
      if (a === b) continue;
      const series = device.timeseriesIds.filter(() => rand() < 0.7);
      const range: Query = {
        timeseries_ids: series.length > 0 ? series : device.timeseriesIds,
        startTime: a!,
        endTime: b!,
      };
      const [stats, statsRaw] = await bothWays(() => t.api.sampleStats(device.deviceId, range, caller));
      expectClose(stats, statsRaw, `${phase} stats ${a}..${b}`);
      for (let g = 0; g < 4; g++) {
        const query = {
          ...range,
          granularity: pick(GRANULARITIES),
          timeZone: pick(ZONES),
          aggregates: 'avg,min,max,sum,count,first,last,twa',
          fill: pick(['none', 'null']),
        };
        const [buckets, bucketsRaw] = await bothWays(() => t.api.sampleAggregates(device.deviceId, query, caller));
        expectClose(buckets, bucketsRaw, `${phase} ${query.granularity} ${query.timeZone} ${a}..${b}`);
      }
    }
  };

  it.each([1, 2])(
    'answers stats and aggregates from rollups as from samples, through late writes, overwrites, deletes and packs (seed %i)',
    async (seed) => {
      const rand = random(seed);
      const device = await createDevice(t, { points: somePoints(3) });
      // Late March: a month's end and Europe's change to summer time (2026-03-29) are in the data,
      // and the pack below takes March whole (the 20-minute series packs by the month).
      const startMs = Date.UTC(2026, 2, 24) + Math.floor(rand() * 2 * DAY);
      const samples = dataSet(rand, device.timeseriesIds, startMs);
      await writeSamples(t, device, samples);
      const [from, to] = [startMs - DAY, startMs + 11 * DAY];
      await compare(device, rand, from, to, 'rows');

      // All but the last day and a half packed, with rollups for the hour- and day-packed series.
      const now = startMs + 8.5 * DAY + 2 * DAY;
      expect((await packer.packEligible(now)).packedSamples).toBeGreaterThan(0);
      const [rolled] = await t.query<{ days: number }>(`SELECT count(*)::int AS days FROM sample_rollup`);
      expect(rolled!.days).toBeGreaterThan(0);
      await compare(device, rand, from, to, 'packed');

      // Late writes into packed days: overwrites of packed instants and new instants.
      const late = Array.from({ length: 40 }, (_, i) => {
        const old = samples[Math.floor(rand() * samples.length)]!;
        const ms = Date.parse(old.timestamp) + (i % 2 === 0 ? 0 : 1 + Math.floor(rand() * 50_000));
        return { timeseriesId: old.timeseriesId, timestamp: iso(ms), val: value(rand, ms) + 100 };
      });
      await writeSamples(t, device, late);
      await compare(device, rand, from, to, 'late');

      // Deletes cutting blocks and days anywhere, some of them packed.
      for (let d = 0; d < 3; d++) {
        const at = startMs + Math.floor(rand() * 9 * DAY);
        const response = await t.api.deleteSamples(
          device.deviceId,
          {
            timeseries_ids: device.timeseriesIds,
            startTime: iso(at),
            endTime: iso(at + Math.floor(rand() * [HOUR, DAY, 3 * DAY][d]!)),
          },
          { token: device.writer },
        );
        expect(response.statusCode).toBe(200);
      }
      await compare(device, rand, from, to, 'deleted');

      // The next pack merges the late rows into their blocks and writes their days' rollups again.
      await packer.packEligible(now);
      await compare(device, rand, from, to, 'repacked');
    },
  );

  /** A month of minute data last month, packed: the setting of the two promises below. */
  const packedMonth = async () => {
    const device = await createDevice(t, { points: somePoints(1) });
    const [id] = device.timeseriesIds;
    const now = new Date();
    const startMs = Date.UTC(now.getUTCFullYear(), now.getUTCMonth() - 1, 1);
    const days = (Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), 1) - startMs) / DAY;
    const samples = Array.from({ length: days * 1440 }, (_, i) => ({
      timeseriesId: id!,
      timestamp: iso(startMs + i * 60_000),
      val: 20 + (i % 7),
    }));
    await writeSamples(t, device, samples);
    // Packed as the service would, with the default SAMPLES_PACK_AFTER (two days), at a month's end.
    await packer.packEligible(startMs + (days + 2) * DAY);
    const ask = (path: 'aggregates' | 'stats', query: Record<string, string>) => {
      const full = { timeseries_ids: id!, startTime: iso(startMs), endTime: iso(startMs + days * DAY), ...query };
      const caller = { token: device.reader };
      return path === 'aggregates'
        ? t.api.sampleAggregates(device.deviceId, full, caller)
        : t.api.sampleStats(device.deviceId, full, caller);
    };
    return { device, id: id!, startMs, days, ask };
  };

  it('shows a late sample written into last month in the very next aggregate, and an overwrite too', async () => {
    const { device, id, startMs, days, ask } = await packedMonth();
    const month = async () =>
      (await ask('aggregates', { granularity: 'P1M', timeZone: 'UTC', aggregates: 'count,max,sum' })).json<{
        data: Array<{ buckets: Array<{ count: number; max: number; sum: number }> }>;
      }>().data[0]!.buckets[0]!;
    const before = await month();
    expect(before).toMatchObject({ count: days * 1440, max: 26 });

    await writeSamples(t, device, [{ timeseriesId: id, timestamp: iso(startMs + 10 * DAY + 30_000), val: 1000 }]);
    expect(await month()).toMatchObject({ count: days * 1440 + 1, max: 1000 });

    // An overwrite of a packed sample (20 at the month's first instant) replaces it in the answer.
    await writeSamples(t, device, [{ timeseriesId: id, timestamp: iso(startMs), val: 500 }]);
    const overwritten = await month();
    expect(overwritten.count).toBe(days * 1440 + 1);
    expect(overwritten.sum).toBeCloseTo(before.sum + 1000 + 480, 6);

    await packer.packEligible(startMs + (days + 2) * DAY);
    expect(await month()).toEqual(overwritten);
  });

  it('shows the new count in the very next stats after a delete that cuts packed days', async () => {
    const { device, id, startMs, days, ask } = await packedMonth();
    const count = async () => (await ask('stats', {})).json<{ data: Array<{ count: number }> }>().data[0]!.count;
    expect(await count()).toBe(days * 1440);
    // From 10:30 on the 3rd to 05:15 on the 5th: cuts two days' blocks mid-hour.
    const response = await t.api.deleteSamples(
      device.deviceId,
      {
        timeseries_ids: id,
        startTime: iso(startMs + 2 * DAY + 10.5 * HOUR),
        endTime: iso(startMs + 4 * DAY + 5.25 * HOUR),
      },
      { token: device.writer },
    );
    const deleted = (2 * 24 - 10.5 + 5.25) * 60;
    expect(response.json<{ data: { deleted: number } }>().data.deleted).toBe(deleted);
    expect(await count()).toBe(days * 1440 - deleted);
    // The day deleted whole has no rollup left; the two cut ones count what they kept.
    const rollupDays = await t.query<{ day: string; count: number }>(
      `SELECT to_char(r.day AT TIME ZONE 'UTC', 'DD') AS day, r.count FROM sample_rollup r JOIN timeseries s USING (series_key)
       WHERE s.id = $1 AND r.day >= $2 AND r.day < $3 ORDER BY r.day`,
      [id, iso(startMs + 2 * DAY), iso(startMs + 5 * DAY)],
    );
    expect(rollupDays).toEqual([
      { day: '03', count: 10.5 * 60 },
      { day: '05', count: 1440 - 5.25 * 60 },
    ]);
  });

  it('reads the summaries: a rollup changed behind its back shows in the answer with rollups, not without', async () => {
    const { id, startMs, ask } = await packedMonth();
    const sum = async () => (await ask('stats', {})).json<{ data: Array<{ sum: number }> }>().data[0]!.sum;
    const truth = await sum();
    await t.query(
      `UPDATE sample_rollup SET sum_val = sum_val + 1000000
       WHERE day = $1 AND series_key = (SELECT series_key FROM timeseries WHERE id = $2)`,
      [iso(startMs + 5 * DAY), id],
    );
    expect(await sum()).toBeCloseTo(truth + 1_000_000, 3);
    limits.samplesRollups = false;
    expect(await sum()).toBeCloseTo(truth, 6);
    limits.samplesRollups = true;
  });

  it('reads the blocks of a day that has no rollup (packed by an older release) from their samples', async () => {
    const { id, startMs, days, ask } = await packedMonth();
    await t.query(
      `DELETE FROM sample_rollup WHERE day = $1 AND series_key = (SELECT series_key FROM timeseries WHERE id = $2)`,
      [iso(startMs + 7 * DAY), id],
    );
    const stats = (await ask('stats', {})).json<{ data: Array<{ count: number; sum: number }> }>().data[0]!;
    expect(stats.count).toBe(days * 1440);
    limits.samplesRollups = false;
    const raw = (await ask('stats', {})).json<{ data: Array<{ sum: number }> }>().data[0]!;
    limits.samplesRollups = true;
    expect(stats.sum).toBeCloseTo(raw.sum, 6);
  });

  it('drops the rollups of a month with its rows and blocks (retention)', async () => {
    const device = await createDevice(t, { points: somePoints(1) });
    const [id] = device.timeseriesIds;
    const startMs = Date.UTC(2025, 0, 30);
    await writeSamples(
      t,
      device,
      Array.from({ length: 4 * 1440 }, (_, i) => ({ timeseriesId: id!, timestamp: iso(startMs + i * 60_000), val: i })),
    );
    await packer.packEligible(startMs + 10 * DAY);
    const rollupDays = async () =>
      (await t.query<{ n: number }>(`SELECT count(*)::int AS n FROM sample_rollup WHERE day < '2025-02-03'`))[0]!.n;
    expect(await rollupDays()).toBe(4);
    await t.app.get(SamplePartitions).dropEndingBy(Date.UTC(2025, 1, 1) * 1000);
    expect(await rollupDays()).toBe(2);
    const stats = await t.api.sampleStats(
      device.deviceId,
      { timeseries_ids: id!, startTime: iso(startMs), endTime: iso(startMs + 4 * DAY) },
      { token: device.reader },
    );
    expect(stats.json<{ data: Array<{ count: number }> }>().data[0]!.count).toBe(2 * 1440);
  });

  it('gives every day packed before the upgrade its rollup, as a pack wrote it (the migration)', async () => {
    const { id } = await packedMonth();
    const rollupsOf = () =>
      t.query(
        `SELECT r.* FROM sample_rollup r JOIN timeseries s USING (series_key) WHERE s.id = $1 ORDER BY r.metric, r.day`,
        [id],
      );
    const packed = await rollupsOf();
    expect(packed.length).toBeGreaterThanOrEqual(28);
    // The database as the release before rollups left it: blocks, and no sample_rollup.
    await t.query('DROP TABLE sample_rollup');
    const runner = t.app.get(DataSource).createQueryRunner();
    try {
      await new AddSampleRollups1796400000000().up(runner);
    } finally {
      await runner.release();
    }
    expect(await rollupsOf()).toEqual(packed);
    // Every series × UTC day of hour- or day-long blocks (of every test above) has its row again.
    const [days] = await t.query<{ rolled: number; rows: number }>(
      `SELECT (SELECT count(DISTINCT (series_key, metric, date_trunc('day', period_start AT TIME ZONE 'UTC')))::int
               FROM sample_block WHERE period_end - period_start <= interval '1 day') AS rolled,
              (SELECT count(*)::int FROM sample_rollup) AS rows`,
    );
    expect(days!.rows).toBe(days!.rolled);
  });
});
