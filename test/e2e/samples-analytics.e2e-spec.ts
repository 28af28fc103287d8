import { SampleMaintenance } from '../../src/series/sample-maintenance';
import { SamplePartitions } from '../../src/series/sample-partitions';
import type { QueryRecord } from '../support/api-client';
import { createDevice, somePoints, type DeviceFixture } from '../support/fixtures';
import { startTestApp, usesServer, type TestApp } from '../support/test-app';
import { token, uniqueCollection } from '../support/tokens';

const H = 3_600_000;
const iso = (ms: number) => new Date(ms).toISOString();

interface Point {
  ms: number;
  val: number;
}

/**
 * The aggregates of `samples` (one series, sorted) over `[start, end)`, computed here from the
 * samples themselves, independently of the SQL: the reference the answers are checked against.
 */
function expected(samples: readonly Point[], start: number, end: number) {
  const inside = samples.filter((s) => s.ms >= start && s.ms < end);
  if (inside.length === 0) {
    return { count: 0, avg: null, min: null, max: null, sum: null, first: null, last: null, twa: null };
  }
  const values = inside.map((s) => s.val);
  const sum = values.reduce((a, b) => a + b, 0);
  let weighted = 0;
  for (const sample of inside) {
    const next = samples.find((s) => s.ms > sample.ms);
    const until = Math.min(next ? next.ms : end, end);
    weighted += sample.val * (until - sample.ms);
  }
  return {
    count: inside.length,
    avg: sum / inside.length,
    min: Math.min(...values),
    max: Math.max(...values),
    sum,
    first: inside[0]!.val,
    last: inside[inside.length - 1]!.val,
    twa: weighted / (end - inside[0]!.ms),
  };
}

type Bucket = Record<string, number | string | null | undefined>;

/** Rounds the fractional aggregates, which SQL and JavaScript may sum in another order. */
const rounded = (bucket: Bucket) =>
  Object.fromEntries(
    Object.entries(bucket).map(([k, v]) => [k, typeof v === 'number' ? Math.round(v * 1e9) / 1e9 : v]),
  );

describe('samples analytics', () => {
  let t: TestApp;
  let device: DeviceFixture;
  let ts: string;

  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(() => t?.close());
  beforeEach(async () => {
    device = await createDevice(t, { points: somePoints(3) });
    ts = device.timeseriesIds[0]!;
  });

  const write = async (points: readonly Point[], id = ts) => {
    const response = await t.api.writeSamples(
      device.deviceId,
      points.map((p) => ({ timeseriesId: id, val: p.val, timestamp: iso(p.ms) })),
      { token: device.writer },
    );
    expect(response.statusCode).toBe(202);
  };
  const get = (route: 'latest' | 'stats' | 'aggregates', query: QueryRecord) => {
    const caller = { token: device.reader };
    if (route === 'latest') return t.api.latestSamples(device.deviceId, query, caller);
    if (route === 'stats') return t.api.sampleStats(device.deviceId, query, caller);
    return t.api.sampleAggregates(device.deviceId, query, caller);
  };
  const aggregates = async (query: QueryRecord) => {
    const response = await get('aggregates', { timeseries_ids: ts, ...query });
    expect(response.statusCode).toBe(200);
    return response.json().data as Array<{ timeseriesId: string; buckets: Bucket[] }>;
  };
  const ALL = 'avg,min,max,sum,count,first,last,twa';

  /** Irregular samples: values and gaps that make every aggregate differ. */
  const irregular = (from: number, count: number, stepMs: number): Point[] =>
    Array.from({ length: count }, (_, i) => ({
      ms: from + i * stepMs + ((i * 7919) % 13) * 60_000,
      val: ((i * 37) % 23) - 5.5,
    }));

  describe('GET .../samples/aggregates', () => {
    it('computes every aggregate in hourly buckets, twa across bucket edges', async () => {
      const start = Date.UTC(2026, 5, 1);
      const samples = irregular(start - 2 * H, 60, 20 * 60_000);
      await write(samples);
      const [series] = await aggregates({
        startTime: iso(start),
        endTime: iso(start + 12 * H),
        granularity: 'PT1H',
        aggregates: ALL,
      });
      const buckets = Array.from({ length: 12 }, (_, i) => [start + i * H, start + (i + 1) * H] as const);
      const want = buckets
        .map(([s, e]) => ({
          start: iso(s).replace('.000Z', '+00:00'),
          end: iso(e).replace('.000Z', '+00:00'),
          ...expected(samples, s, e),
        }))
        .filter((b) => b.count > 0);
      expect(series!.buckets.map(rounded)).toEqual(want.map(rounded));
      // A bucket whose value holds from the previous one: its twa counts from its own first sample.
      expect(want.some((b, i) => i > 0 && b.twa !== b.avg)).toBe(true);
    });

    it('lays days on the calendar of the zone: 23 hours on the spring DST day, 25 on the autumn one', async () => {
      // Europe/Berlin: 2026-03-29 is 23 hours long, 2026-10-25 is 25.
      for (const [day, hours] of [
        [Date.UTC(2026, 2, 28, 23), 23],
        [Date.UTC(2026, 9, 24, 22), 25],
      ] as const) {
        const samples = Array.from({ length: 30 }, (_, i) => ({ ms: day - H + i * H, val: i }));
        await write(samples);
        const [series] = await aggregates({
          startTime: iso(day),
          endTime: iso(day + hours * H),
          granularity: 'P1D',
          timeZone: 'Europe/Berlin',
          aggregates: ALL,
        });
        expect(series!.buckets).toHaveLength(1);
        const bucket = series!.buckets[0]!;
        expect(rounded(bucket)).toEqual(
          rounded({ start: bucket.start, end: bucket.end, ...expected(samples, day, day + hours * H) }),
        );
        expect(bucket.count).toBe(hours);
        const [offsetStart, offsetEnd] = hours === 23 ? ['+01:00', '+02:00'] : ['+02:00', '+01:00'];
        expect([bucket.start, bucket.end]).toEqual([
          `${iso(day + (hours === 23 ? 1 : 2) * H).slice(0, 10)}T00:00:00${offsetStart}`,
          `${iso(day + hours * H + (hours === 23 ? 2 : 1) * H).slice(0, 10)}T00:00:00${offsetEnd}`,
        ]);
        // PT24H is the same calendar day.
        expect(
          (
            await aggregates({
              startTime: iso(day),
              endTime: iso(day + hours * H),
              granularity: 'PT24H',
              timeZone: 'Europe/Berlin',
              aggregates: ALL,
            })
          )[0]!.buckets,
        ).toEqual(series!.buckets);
      }
    });

    it('starts hour buckets at whole hours from local midnight across the DST change', async () => {
      const midnight = Date.UTC(2026, 2, 28, 23); // 2026-03-29T00:00:00+01:00
      await write(Array.from({ length: 6 }, (_, i) => ({ ms: midnight + i * H, val: i })));
      const [series] = await aggregates({
        startTime: iso(midnight),
        endTime: iso(midnight + 5 * H),
        granularity: 'PT2H',
        timeZone: 'Europe/Berlin',
        aggregates: 'count',
      });
      expect(series!.buckets.map((b) => [b.start, b.end, b.count])).toEqual([
        ['2026-03-29T00:00:00+01:00', '2026-03-29T03:00:00+02:00', 2],
        ['2026-03-29T03:00:00+02:00', '2026-03-29T05:00:00+02:00', 2],
        ['2026-03-29T05:00:00+02:00', '2026-03-29T06:00:00+02:00', 1],
      ]);
    });

    it('aggregates a month bucket and weeks from Monday', async () => {
      const start = Date.UTC(2026, 1, 1);
      const samples = Array.from({ length: 31 * 4 }, (_, i) => ({ ms: start + i * 6 * H, val: i % 9 }));
      await write(samples);
      const [month] = await aggregates({
        startTime: iso(start),
        endTime: iso(Date.UTC(2026, 3, 1)),
        granularity: 'P1M',
        aggregates: ALL,
      });
      expect(month!.buckets.map(rounded)).toEqual(
        [
          [Date.UTC(2026, 1, 1), Date.UTC(2026, 2, 1)],
          [Date.UTC(2026, 2, 1), Date.UTC(2026, 3, 1)],
        ].map(([s, e]) =>
          rounded({
            start: iso(s!).replace('.000Z', '+00:00'),
            end: iso(e!).replace('.000Z', '+00:00'),
            ...expected(samples, s!, e!),
          }),
        ),
      );
      const [weeks] = await aggregates({
        startTime: iso(start),
        endTime: iso(Date.UTC(2026, 1, 16)),
        granularity: 'P1W',
        aggregates: 'count',
      });
      // 2026-02-01 is a Sunday: the first week is cut to its last day, then weeks from Mondays.
      expect(weeks!.buckets.map((b) => [b.start, b.end, b.count])).toEqual([
        ['2026-02-01T00:00:00+00:00', '2026-02-02T00:00:00+00:00', 4],
        ['2026-02-02T00:00:00+00:00', '2026-02-09T00:00:00+00:00', 28],
        ['2026-02-09T00:00:00+00:00', '2026-02-16T00:00:00+00:00', 28],
      ]);
    });

    it('cuts the buckets the range cuts, at both ends', async () => {
      const samples = Array.from({ length: 48 }, (_, i) => ({ ms: Date.UTC(2026, 6, 1) + i * 30 * 60_000, val: i }));
      await write(samples);
      const start = Date.UTC(2026, 6, 1, 2, 15);
      const end = Date.UTC(2026, 6, 1, 5, 45, 0, 500);
      const [series] = await aggregates({
        startTime: iso(start),
        endTime: iso(end),
        granularity: 'PT1H',
        aggregates: ALL,
      });
      const cuts = [start, Date.UTC(2026, 6, 1, 3), Date.UTC(2026, 6, 1, 4), Date.UTC(2026, 6, 1, 5), end];
      expect(series!.buckets.map(rounded)).toEqual(
        cuts.slice(0, -1).map((s, i) =>
          rounded({
            start: iso(s).replace('Z', '+00:00').replace('.000+', '+'),
            end: iso(cuts[i + 1]!)
              .replace('Z', '+00:00')
              .replace('.000+', '+'),
            ...expected(samples, s, cuts[i + 1]!),
          }),
        ),
      );
      expect(series!.buckets[0]!.start).toBe('2026-07-01T02:15:00+00:00');
      expect(series!.buckets[3]!.end).toBe('2026-07-01T05:45:00.500+00:00');
    });

    it('answers every bucket with fill=null, empty ones with count 0 and nulls, and only full ones by default', async () => {
      const start = Date.UTC(2026, 7, 1);
      await write([
        { ms: start + 30 * 60_000, val: 4 },
        { ms: start + 3 * H, val: 8 },
      ]);
      const query = { startTime: iso(start), endTime: iso(start + 4 * H), granularity: 'PT1H', aggregates: 'avg,twa' };
      const filled = (await aggregates({ ...query, fill: 'null' }))[0]!.buckets;
      expect(filled.map((b) => [b.start, b.count, b.avg, b.twa])).toEqual([
        ['2026-08-01T00:00:00+00:00', 1, 4, 4],
        ['2026-08-01T01:00:00+00:00', 0, null, null],
        ['2026-08-01T02:00:00+00:00', 0, null, null],
        ['2026-08-01T03:00:00+00:00', 1, 8, 8],
      ]);
      expect(Object.keys(filled[1]!)).toEqual(['start', 'end', 'count', 'avg', 'twa']);
      const sparse = (await aggregates(query))[0]!.buckets;
      expect(sparse.map((b) => b.start)).toEqual(['2026-08-01T00:00:00+00:00', '2026-08-01T03:00:00+00:00']);
    });

    it('answers the timeseries in the order of timeseries_ids', async () => {
      const [a, b, c] = device.timeseriesIds as [string, string, string];
      const start = Date.UTC(2026, 8, 1);
      for (const [id, val] of [
        [a, 1],
        [b, 2],
        [c, 3],
      ] as const)
        await write([{ ms: start, val }], id);
      const data = await aggregates({
        timeseries_ids: [c, a, b],
        startTime: iso(start),
        endTime: iso(start + H),
        granularity: 'PT1H',
      });
      expect(data.map((s) => [s.timeseriesId, s.buckets[0]!.avg])).toEqual([
        [c, 3],
        [a, 1],
        [b, 2],
      ]);
    });

    (usesServer() ? it : it.skip)(
      'runs without JIT compilation on PostgreSQL, on every pooled connection',
      async () => {
        // JIT compiled the aggregates statement on every request (its bucket series looks large).
        const settings = await Promise.all(
          Array.from({ length: 4 }, () => t.query<{ jit: string }>('SHOW jit').then(([row]) => row?.jit)),
        );
        expect(settings).toEqual(['off', 'off', 'off', 'off']);
      },
    );

    it('refuses more than 10,000 buckets per timeseries with 400 stating the limit', async () => {
      const message =
        'The range holds more than 10000 buckets of this granularity: use a shorter range or a longer granularity';
      for (const [granularity, days] of [
        ['PT1M', 7],
        ['PT1H', 417],
        ['PT15M', 105],
      ] as const) {
        const response = await get('aggregates', {
          timeseries_ids: ts,
          startTime: '2026-01-01T00:00:00Z',
          endTime: iso(Date.UTC(2026, 0, 1) + days * 24 * H),
          granularity,
        });
        expect([granularity, response.statusCode, response.json().status.Message]).toEqual([granularity, 400, message]);
      }
      // Exactly 10,000 buckets are fine.
      const fine = await get('aggregates', {
        timeseries_ids: ts,
        startTime: '2026-01-01T00:00:00Z',
        endTime: iso(Date.UTC(2026, 0, 1) + 10_000 * 60_000),
        granularity: 'PT1M',
        fill: 'null',
        aggregates: 'count',
      });
      expect(fine.json().data[0].buckets).toHaveLength(10_000);
    });

    it.each([
      [
        { granularity: 'PT1S' },
        'Invalid request: granularity: granularity must be one of PT{n}M (1..1440), PT{n}H (1..24), P{n}D (1..366), P1W or P1M; got "PT1S"',
      ],
      [
        { granularity: 'PT25H' },
        'Invalid request: granularity: granularity must be one of PT{n}M (1..1440), PT{n}H (1..24), P{n}D (1..366), P1W or P1M; got "PT25H"',
      ],
      [
        { aggregates: 'avg,median' },
        'Invalid request: aggregates: aggregates must be a comma-separated subset of avg,min,max,sum,count,first,last,twa',
      ],
      [
        { timeZone: 'Mars/Olympus' },
        'Invalid request: timeZone: timeZone must be an IANA time zone such as Europe/Berlin; got "Mars/Olympus"',
      ],
      [{ fill: 'zero' }, 'Invalid request: fill: fill must be none or null'],
      [{ endTime: '2025-01-01T00:00:00Z' }, 'startTime must be before endTime'],
    ])('refuses %j with 400', async (override, message) => {
      const response = await get('aggregates', {
        timeseries_ids: ts,
        startTime: '2026-01-01T00:00:00Z',
        endTime: '2026-01-02T00:00:00Z',
        granularity: 'PT1H',
        ...override,
      });
      expect([response.statusCode, response.json().status.Message]).toEqual([400, message]);
    });

    it('requires startTime, endTime and granularity', async () => {
      const response = await get('aggregates', { timeseries_ids: ts });
      expect(response.statusCode).toBe(400);
      expect(
        response
          .json()
          .errors.map((e: { path: string }) => e.path)
          .sort(),
      ).toEqual(['endTime', 'granularity', 'startTime']);
    });
  });

  describe('GET .../samples/latest', () => {
    it('answers the n newest samples by instant, newest first, before an instant, in the order of the ids', async () => {
      const [a, b] = device.timeseriesIds as [string, string];
      const base = Date.UTC(2026, 3, 1);
      await write(
        Array.from({ length: 20 }, (_, i) => ({ ms: base + i * H, val: i })),
        a,
      );
      // Written last but oldest: "newest" is by timestamp, not by ingest.
      await write([{ ms: base - 100 * H, val: -1 }], a);
      const response = await get('latest', { timeseries_ids: [b, a], n: 3, before: iso(base + 10 * H) });
      expect(response.statusCode).toBe(200);
      expect(
        response
          .json()
          .data.map((s: { timeseriesId: string; samples: Array<{ val: number; timestamp: string }> }) => [
            s.timeseriesId,
            s.samples.map((x) => [x.timestamp, x.val]),
          ]),
      ).toEqual([
        [b, []],
        [a, [9, 8, 7].map((i) => [iso(base + i * H), i])],
      ]);
      const all = (await get('latest', { timeseries_ids: a })).json().data[0].samples;
      expect(all.map((x: { val: number }) => x.val)).toEqual([19, 18, 17, 16, 15, 14, 13, 12, 11, 10]);
    });

    it('refuses n outside 1..1000', async () => {
      for (const n of [0, 1001]) expect((await get('latest', { timeseries_ids: ts, n })).statusCode).toBe(400);
    });
  });

  describe('GET .../samples/stats', () => {
    it('answers count, min, max, avg, sum, first and last of the range, and count 0 with nulls when empty', async () => {
      const base = Date.UTC(2026, 4, 1);
      const samples = irregular(base, 40, H);
      await write(samples);
      const [a, b] = device.timeseriesIds as [string, string];
      const start = base + 5 * H;
      const end = base + 30 * H;
      const response = await get('stats', { timeseries_ids: [a, b], startTime: iso(start), endTime: iso(end) });
      const want = expected(samples, start, end);
      const inside = samples.filter((s) => s.ms >= start && s.ms < end);
      expect(response.json().data.map(rounded)).toEqual(
        [
          {
            timeseriesId: a,
            metric: 'Raw',
            count: want.count,
            min: want.min,
            max: want.max,
            avg: want.avg,
            sum: want.sum,
            firstTimestamp: iso(inside[0]!.ms),
            lastTimestamp: iso(inside[inside.length - 1]!.ms),
            firstVal: want.first,
            lastVal: want.last,
          },
          {
            timeseriesId: b,
            metric: 'Raw',
            count: 0,
            min: null,
            max: null,
            avg: null,
            sum: null,
            firstTimestamp: null,
            lastTimestamp: null,
            firstVal: null,
            lastVal: null,
          },
        ].map(rounded),
      );
      const empty = await get('stats', {
        timeseries_ids: a,
        startTime: '2030-01-01T00:00:00Z',
        endTime: '2030-01-02T00:00:00Z',
      });
      expect(empty.json().data[0]).toMatchObject({ count: 0, avg: null, firstTimestamp: null });
    });
  });

  describe('DELETE .../samples', () => {
    const remove = (query: QueryRecord, bearer = device.writer) =>
      t.api.deleteSamples(device.deviceId, query, { token: bearer });

    it('deletes the samples of the timeseries in [startTime, endTime) and says how many', async () => {
      const [a, b, c] = device.timeseriesIds as [string, string, string];
      const base = Date.UTC(2026, 9, 1);
      for (const id of [a, b, c])
        await write(
          Array.from({ length: 10 }, (_, i) => ({ ms: base + i * H, val: i })),
          id,
        );
      const response = await remove({
        timeseries_ids: [a, b],
        startTime: iso(base + 2 * H),
        endTime: iso(base + 5 * H),
      });
      expect([response.statusCode, response.json()]).toEqual([
        200,
        { status: { Message: '', Code: '200' }, data: { deleted: 6 } },
      ]);
      const left = (await get('stats', { timeseries_ids: [a, b, c] }))
        .json()
        .data.map((s: { count: number }) => s.count);
      expect(left).toEqual([7, 7, 10]);
      expect(
        (await remove({ timeseries_ids: a, startTime: iso(base + 2 * H), endTime: iso(base + 5 * H) })).json().data,
      ).toEqual({ deleted: 0 });
    });

    it('requires both ends, a write scope and the device; deletes nothing otherwise', async () => {
      await write([{ ms: Date.UTC(2026, 9, 2), val: 1 }]);
      const missing = await remove({ timeseries_ids: ts, startTime: '2026-01-01T00:00:00Z' });
      expect([missing.statusCode, missing.json().status.Message]).toEqual([
        400,
        'Invalid request: endTime: endTime is required',
      ]);
      const reader = await remove(
        { timeseries_ids: ts, startTime: '2026-01-01T00:00:00Z', endTime: '2027-01-01T00:00:00Z' },
        device.reader,
      );
      expect(reader.statusCode).toBe(403);
      const outsider = await remove(
        { timeseries_ids: ts, startTime: '2026-01-01T00:00:00Z', endTime: '2027-01-01T00:00:00Z' },
        token({ scope: 'apollo_write', collections: [uniqueCollection()] }),
      );
      expect([outsider.statusCode, outsider.json().status.Message]).toEqual([
        403,
        'User does not have access to device',
      ]);
      expect((await get('stats', { timeseries_ids: ts })).json().data[0].count).toBe(1);
    });
  });
});

describe('retention (SAMPLES_RETENTION_DAYS)', () => {
  const DAY = 24 * H;
  const monthsAgo = (n: number) => {
    const now = new Date();
    return Date.UTC(now.getUTCFullYear(), now.getUTCMonth() - n, 10);
  };

  it('refuses samples older than the retention with a 400 stating it', async () => {
    const t = await startTestApp({ SAMPLES_RETENTION_DAYS: '30' }, { ownDatabase: true });
    try {
      const device = await createDevice(t);
      const response = await t.api.writeSamples(
        device.deviceId,
        [
          { timeseriesId: device.timeseriesIds[0], val: 1, timestamp: iso(Date.now() - DAY) },
          { timeseriesId: device.timeseriesIds[0], val: 1, timestamp: iso(Date.now() - 31 * DAY) },
        ],
        { token: device.writer },
      );
      expect([response.statusCode, response.json()]).toEqual([
        400,
        {
          status: { Message: 'Samples older than the retention of 30 days are not stored: [1].timestamp', Code: '400' },
          data: null,
          errors: [
            {
              path: '[1].timestamp',
              message: 'timestamp is older than the retention of 30 days (SAMPLES_RETENTION_DAYS)',
            },
          ],
        },
      ]);
    } finally {
      await t.close();
    }
  });

  it('drops whole partitions older than the retention while reads and writes run, and counts them', async () => {
    const retentionDays = Math.round((Date.now() - monthsAgo(12)) / DAY);
    const t = await startTestApp({ SAMPLES_RETENTION_DAYS: String(retentionDays) }, { ownDatabase: true });
    try {
      const device = await createDevice(t);
      const id = device.timeseriesIds[0]!;
      const recent = Date.now() - DAY;
      expect(
        (
          await t.api.writeSamples(device.deviceId, [{ timeseriesId: id, val: 1, timestamp: iso(recent) }], {
            token: device.writer,
          })
        ).statusCode,
      ).toBe(202);
      // Samples the API would refuse now, put in the table as an older configuration would have.
      const old = [monthsAgo(14), monthsAgo(13), monthsAgo(3)];
      const partitions = t.app.get(SamplePartitions);
      await partitions.ensure(
        old.map((ms) => ({ year: new Date(ms).getUTCFullYear(), month: new Date(ms).getUTCMonth() + 1 })),
      );
      await t.query(
        `INSERT INTO sample (series_key, metric, ts, val)
         SELECT series_key, 0, unnest($2::timestamptz[]), 0 FROM timeseries WHERE id = $1`,
        [id, old.map(iso)],
      );

      const maintenance = t.app.get(SampleMaintenance);
      const traffic = Promise.all(
        Array.from({ length: 10 }, (_, i) =>
          i % 2
            ? t.api.readSamples(device.deviceId, { timeseries_ids: id }, { token: device.reader })
            : t.api.writeSamples(
                device.deviceId,
                [{ timeseriesId: id, val: 100 + i, timestamp: iso(recent + (i + 1) * 1000) }],
                {
                  token: device.writer,
                },
              ),
        ),
      );
      const [, answers] = await Promise.all([maintenance.run(), traffic]);
      expect(answers.map((r) => r.statusCode)).toEqual([202, 200, 202, 200, 202, 200, 202, 200, 202, 200]);
      // Every read saw each old month whole or not at all.
      for (const read of answers.filter((_, i) => i % 2)) {
        const oldSeen = (read.json().data as Array<{ timestamp: string }>).filter(
          (s) => s.timestamp < iso(monthsAgo(12)),
        );
        expect([0, 2]).toContain(oldSeen.length);
      }
      const left = (await t.api.readSamples(device.deviceId, { timeseries_ids: id }, { token: device.reader })).json()
        .data;
      expect(left.map((s: { timestamp: string }) => s.timestamp)).toEqual(
        [old[2]!, recent, ...[1, 3, 5, 7, 9].map((i) => recent + i * 1000)].sort((a, b) => a - b).map(iso),
      );
      const names = (
        await t.query<{ name: string }>(
          "SELECT c.relname AS name FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid WHERE i.inhparent = 'sample'::regclass",
        )
      ).map((p) => p.name);
      const month = (ms: number) =>
        `sample_y${new Date(ms).getUTCFullYear()}m${String(new Date(ms).getUTCMonth() + 1).padStart(2, '0')}`;
      expect(names).not.toContain(month(old[0]!));
      expect(names).not.toContain(month(old[1]!));
      expect(names).toContain(month(old[2]!));
      const metrics = await t.request({ method: 'GET', url: '/metrics' });
      expect(metrics.body).toMatch(/^samples_partitions_dropped_total 2$/m);
    } finally {
      await t.close();
    }
  });
});
