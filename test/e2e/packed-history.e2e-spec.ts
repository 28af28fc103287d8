import { SamplePacker } from '../../src/history/sample-packer';
import { SamplePartitions } from '../../src/series/sample-partitions';
import type { Query } from '../support/api-client';
import { random } from '../support/random';
import { createDevice, somePoints, writeSamples, type DeviceFixture } from '../support/fixtures';
import { startTestApp, type TestApp } from '../support/test-app';

/**
 * Packed history (docs/storage.md): every endpoint answers the same, byte for byte, whether the
 * samples are rows, packed, or both. Each app has a database of its own: a pack takes every
 * series of the database, and other files' tests must not see theirs packed under them.
 */

const DAY = 86_400_000;
const iso = (ms: number) => new Date(ms).toISOString();
const isoUs = (ms: number, us: number) => `${iso(ms).slice(0, -1)}${String(us).padStart(3, '0')}Z`;

interface Written {
  timeseriesId: string;
  timestamp: string;
  val: number;
}

/**
 * Three series of another density each (a 2-minute step with jitter, 15 minutes with gaps, a few
 * a day), values with decimals and noise, some instants with microseconds, over `days` from `startMs`.
 */
function dataSet(rand: () => number, ids: readonly string[], startMs: number, days: number): Written[] {
  const steps = [2 * 60_000, 15 * 60_000, 5 * 3_600_000];
  return ids.flatMap((timeseriesId, s) => {
    const out: Written[] = [];
    for (let ms = startMs + Math.floor(rand() * 60_000); ms < startMs + days * DAY; ms += steps[s]!) {
      if (rand() < 0.1) continue; // a gap
      const jitter = Math.floor(rand() * 1000);
      const timestamp = rand() < 0.1 ? isoUs(ms + jitter, Math.floor(rand() * 1000)) : iso(ms + jitter);
      out.push({ timeseriesId, timestamp, val: Math.round((20 + 5 * Math.sin(ms / 7e6) + rand()) * 1000) / 1000 });
    }
    return out;
  });
}

/** Fails naming the first answer that differs and where: the answers are long, a diff of them is not read. */
function expectSame(actual: Record<string, unknown>, expected: Record<string, unknown>): void {
  for (const [key, want] of Object.entries(expected)) {
    const [got, wanted] = [JSON.stringify(actual[key]), JSON.stringify(want)];
    if (got === wanted) continue;
    let at = 0;
    while (at < got.length && got[at] === wanted[at]) at++;
    const around = (text: string) => text.slice(Math.max(0, at - 150), at + 150);
    throw new Error(`"${key}" differs at ${at}:\n  got:      ${around(got)}\n  expected: ${around(wanted)}`);
  }
  expect(Object.keys(actual)).toEqual(Object.keys(expected));
}

describe('packed history', () => {
  let t: TestApp;
  let packer: SamplePacker;

  beforeAll(async () => {
    // Byte for byte: stats and aggregates from samples only (with rollups their sums may differ in
    // the last bit: rollups.e2e-spec.ts compares those).
    t = await startTestApp({ RATE_LIMIT_PER_MINUTE: '0', SAMPLES_ROLLUPS: 'off' }, { ownDatabase: true });
    packer = t.app.get(SamplePacker);
  });
  afterAll(() => t?.close());

  /** Every page of a read, following its tokens: status, body and token of each. */
  const pages = async (device: DeviceFixture, query: Query) => {
    const out: string[] = [];
    let token: string | undefined;
    do {
      const response = await t.api.readSamples(device.deviceId, query, {
        token: device.reader,
        continuationToken: token,
      });
      token = response.headers.continuationtoken as string | undefined;
      out.push(`${response.statusCode} ${response.body} ${token === undefined ? '-' : 'token'}`);
    } while (token && out.length < 200);
    return out;
  };

  /** The answers of every endpoint to a set of queries drawn from `rand` over [startMs, endMs). */
  const answers = async (device: DeviceFixture, rand: () => number, startMs: number, endMs: number) => {
    const ids = device.timeseriesIds;
    const caller = { token: device.reader };
    const out: Record<string, unknown> = {};
    const instant = () => iso(startMs + Math.floor(rand() * (endMs - startMs)));
    for (let q = 0; q < 4; q++) {
      const [a, b] = [instant(), instant()].sort();
      const series = ids.filter(() => rand() < 0.6);
      const timeseries_ids = series.length > 0 ? series : [ids[q % ids.length]!];
      const range = { timeseries_ids, startTime: a!, endTime: b! };
      for (const orderby of ['timestamp asc', 'timestamp desc']) {
        const limit = [1, 7, 50, 1000][Math.floor(rand() * 4)]!;
        out[`read ${q} ${orderby} ${limit}`] = await pages(device, { ...range, orderby, paginated: true, limit });
        out[`export ${q} ${orderby}`] = await pages(device, { ...range, orderby, limit: 5000 });
      }
      out[`latest ${q}`] = (
        await t.api.latestSamples(device.deviceId, { timeseries_ids, n: 3, endTime: b! }, caller)
      ).body;
      out[`stats ${q}`] = (await t.api.sampleStats(device.deviceId, range, caller)).body;
      for (const [granularity, timeZone] of [
        ['PT1H', 'UTC'],
        ['PT15M', 'Asia/Kolkata'],
        ['P1D', 'Europe/Berlin'],
        ['P1W', 'America/New_York'],
        ['P1M', 'Europe/Berlin'],
      ]) {
        const query = {
          ...range,
          granularity: granularity!,
          timeZone: timeZone!,
          aggregates: 'avg,min,max,sum,count,first,last,twa',
        };
        const response = await t.api.sampleAggregates(device.deviceId, query, caller);
        out[`aggregates ${q} ${granularity}`] = `${response.statusCode} ${response.body}`;
      }
    }
    return out;
  };

  const rowsAndBlocks = async () => {
    const [counts] = await t.query<{ rows: number; blocks: number; packed: number }>(
      `SELECT (SELECT count(*) FROM sample)::int AS rows, (SELECT count(*) FROM sample_block)::int AS blocks,
              (SELECT coalesce(sum(count), 0) FROM sample_block)::int AS packed`,
    );
    return counts!;
  };

  it.each([1, 2])('answers every endpoint the same before, while and after packing (seed %i)', async (seed) => {
    const rand = random(seed);
    const device = await createDevice(t, { points: somePoints(3) });
    const startMs = Date.UTC(2026, 2, 20) + Math.floor(rand() * 10) * DAY;
    const samples = dataSet(rand, device.timeseriesIds, startMs, 10);
    await writeSamples(t, device, samples);
    const querySeed = seed * 1000;
    const before = await answers(device, random(querySeed), startMs - DAY, startMs + 11 * DAY);

    // Part packed: every period that ended before a cutoff in the middle of the data.
    const part = await packer.packEligible(startMs + 5 * DAY + 2 * DAY);
    expect(part.packedSamples).toBeGreaterThan(0);
    expectSame(await answers(device, random(querySeed), startMs - DAY, startMs + 11 * DAY), before);

    const all = await packer.packEligible();
    expect(part.packedSamples + all.packedSamples).toBeGreaterThanOrEqual(samples.length);
    const after = await rowsAndBlocks();
    expect(after.packed).toBeGreaterThanOrEqual(samples.length);
    expectSame(await answers(device, random(querySeed), startMs - DAY, startMs + 11 * DAY), before);
  });

  it('keeps a continuation token issued before a pack working after it, in both orders', async () => {
    const device = await createDevice(t, { points: somePoints(2) });
    const startMs = Date.UTC(2026, 4, 1);
    await writeSamples(t, device, dataSet(random(7), device.timeseriesIds, startMs, 5).slice(0, 2000));
    for (const orderby of ['timestamp asc', 'timestamp desc']) {
      const query = {
        timeseries_ids: device.timeseriesIds,
        startTime: iso(startMs),
        endTime: iso(startMs + 5 * DAY),
        orderby,
        paginated: true,
        limit: 100,
      };
      const rowsOnly = await pages(device, query);
      const first = await t.api.readSamples(device.deviceId, query, { token: device.reader });
      const token = first.headers.continuationtoken as string;
      await packer.packEligible();
      const second = await t.api.readSamples(device.deviceId, query, {
        token: device.reader,
        continuationToken: token,
      });
      expect(`${second.statusCode} ${second.body} token`).toBe(rowsOnly[1]);
    }
  });

  it('answers an overwrite and a late write inside a packed period at once, and keeps them through the next pack', async () => {
    const device = await createDevice(t, { points: somePoints(1) });
    const [id] = device.timeseriesIds;
    const startMs = Date.UTC(2026, 5, 1);
    const samples = Array.from({ length: 1440 }, (_, i) => ({
      timeseriesId: id!,
      timestamp: iso(startMs + i * 60_000),
      val: i,
    }));
    await writeSamples(t, device, samples);
    await packer.packEligible();
    expect((await rowsAndBlocks()).rows).toBe(0);

    const late = { timeseriesId: id!, timestamp: iso(startMs + 90_000), val: -1 };
    await writeSamples(t, device, [{ ...samples[10]!, val: 5000.5 }, late]);
    const range = { timeseries_ids: id!, startTime: iso(startMs), endTime: iso(startMs + DAY) };
    const check = async () => {
      const page = (
        await t.api.readSamples(
          device.deviceId,
          { ...range, paginated: true, limit: 3, startTime: iso(startMs + 60_000) },
          { token: device.reader },
        )
      ).json<{
        data: Array<{ val: number; timestamp: string }>;
      }>().data;
      expect(page.map((s) => [s.timestamp, s.val])).toEqual([
        [iso(startMs + 60_000), 1],
        [iso(startMs + 90_000), -1],
        [iso(startMs + 120_000), 2],
      ]);
      const stats = (await t.api.sampleStats(device.deviceId, range, { token: device.reader })).json<{
        data: Array<{ count: number; max: number; sum: number }>;
      }>().data[0]!;
      expect(stats.count).toBe(1441);
      expect(stats.max).toBe(5000.5);
      expect(stats.sum).toBe((1439 * 1440) / 2 - 10 + 5000.5 - 1);
    };
    await check();
    expect((await packer.packEligible()).packedSamples).toBe(2);
    expect((await rowsAndBlocks()).rows).toBe(0);
    await check();
  });

  it('deletes inside packed blocks with the exact count, a row overlaying a block sample counted once', async () => {
    const device = await createDevice(t, { points: somePoints(1) });
    const [id] = device.timeseriesIds;
    const startMs = Date.UTC(2026, 6, 1);
    const samples = Array.from({ length: 3 * 1440 }, (_, i) => ({
      timeseriesId: id!,
      timestamp: iso(startMs + i * 60_000),
      val: i % 97,
    }));
    await writeSamples(t, device, samples);
    await packer.packEligible();
    // An overwrite (a row over a packed sample) and a late sample, both inside the range deleted.
    await writeSamples(t, device, [
      { ...samples[1500]!, val: 5.5 },
      { timeseriesId: id!, timestamp: iso(startMs + 1500 * 60_000 + 1), val: 6.5 },
    ]);
    const range = {
      timeseries_ids: id!,
      startTime: iso(startMs + DAY - 30 * 60_000),
      endTime: iso(startMs + 2 * DAY + 30 * 60_000),
    };
    const deleted = await t.api.deleteSamples(device.deviceId, range, { token: device.writer });
    expect(deleted.statusCode).toBe(200);
    expect(deleted.json<{ data: { deleted: number } }>().data.deleted).toBe(1440 + 60 + 1);
    const everything = { timeseries_ids: id!, startTime: iso(startMs), endTime: iso(startMs + 3 * DAY) };
    const stats = (await t.api.sampleStats(device.deviceId, everything, { token: device.reader })).json<{
      data: Array<{ count: number }>;
    }>().data[0]!;
    expect(stats.count).toBe(3 * 1440 - 1500);
    const again = await t.api.deleteSamples(device.deviceId, range, { token: device.writer });
    expect(again.json<{ data: { deleted: number } }>().data.deleted).toBe(0);
    // A whole day's block deleted leaves no block behind.
    const [left] = await t.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM sample_block WHERE first_ts >= $1 AND last_ts < $2`,
      [iso(startMs + DAY), iso(startMs + 2 * DAY)],
    );
    expect(left!.n).toBe(0);
  });

  it('drops the blocks of a month with its rows (retention)', async () => {
    const device = await createDevice(t, { points: somePoints(1) });
    const [id] = device.timeseriesIds;
    const startMs = Date.UTC(2025, 0, 30);
    const samples = Array.from({ length: 4 * 288 }, (_, i) => ({
      timeseriesId: id!,
      timestamp: iso(startMs + i * 300_000),
      val: i,
    }));
    await writeSamples(t, device, samples);
    await packer.packEligible();
    const range = { timeseries_ids: id!, startTime: iso(startMs), endTime: iso(startMs + 4 * DAY) };
    const count = async () =>
      (await t.api.sampleStats(device.deviceId, range, { token: device.reader })).json<{
        data: Array<{ count: number }>;
      }>().data[0]!.count;
    expect(await count()).toBe(4 * 288);
    const dropped = await t.app.get(SamplePartitions).dropEndingBy(Date.UTC(2025, 1, 1) * 1000);
    expect(dropped).toEqual(['sample_y2025m01', 'sample_block_y2025m01', 'sample_rollup_y2025m01']);
    expect(await count()).toBe(2 * 288);
  });
});
