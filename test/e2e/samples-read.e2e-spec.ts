import { READ_SAMPLES, type SampleStream } from '../../src/samples/samples.sql';
import type { Query, QueryRecord } from '../support/api-client';
import { createDevice, somePoints, writeSamples, type DeviceFixture } from '../support/fixtures';
import { startTestApp, type TestApp } from '../support/test-app';
import { token, uniqueCollection, uniqueDevice } from '../support/tokens';

interface Sample {
  timeseriesId: string;
  metric: string;
  timestamp: string;
  val: number;
  unixTimestamp: number;
  ingestUnixTimestamp: number;
}

const minute = (i: number) => new Date(Date.UTC(2026, 10, 1) + i * 60_000).toISOString();

describe('GET /apollo/devices/{deviceId}/timeseries/samples', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await startTestApp({ SAMPLES_EXPORT_LIMIT: '5000' });
  });
  afterAll(() => t?.close());

  const read = (device: DeviceFixture, query: Query, continuationToken?: string) =>
    t.api.readSamples(device.deviceId, query, { token: device.reader, continuationToken });
  const keyOf = (s: Sample) => `${s.timestamp} ${s.timeseriesId} ${s.metric}`;

  /** Follows the ContinuationToken to the end; returns every page. */
  const pageThrough = async (device: DeviceFixture, query: QueryRecord) => {
    const pages: Sample[][] = [];
    let next: string | undefined;
    do {
      const response = await read(device, query, next);
      expect(response.statusCode).toBe(200);
      pages.push(response.json().data);
      next = response.headers.continuationtoken as string | undefined;
    } while (next);
    return pages;
  };

  it('answers the documented sample shape: UTC with 3 or 6 fractional digits, integer milliseconds', async () => {
    const device = await createDevice(t);
    const ts = device.timeseriesIds[0]!;
    const before = Date.now();
    await writeSamples(t, device, [
      { timeseriesId: ts, val: '21.5', timestamp: '2026-11-26T09:00:00+01:00' },
      { timeseriesId: ts, val: -4, timestamp: '2026-11-26T08:00:00.123456Z' },
      { timeseriesId: ts, val: 1e-9, timestamp: '1969-07-20T20:17:40.5Z' },
    ]);
    const response = await read(device, { timeseries_ids: ts });
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-type']).toBe('application/json; charset=utf-8');
    const body = response.json();
    expect(body.status).toEqual({ Message: '', Code: '200' });
    expect(body.data.map((s: Sample) => Object.keys(s))).toEqual(
      body.data.map(() => ['timeseriesId', 'metric', 'timestamp', 'val', 'unixTimestamp', 'ingestUnixTimestamp']),
    );
    expect(body.data.map((s: Sample) => [s.timestamp, s.val, s.unixTimestamp, s.metric, s.timeseriesId])).toEqual([
      ['1969-07-20T20:17:40.500Z', 1e-9, Date.UTC(1969, 6, 20, 20, 17, 40, 500), 'Raw', ts],
      ['2026-11-26T08:00:00.000Z', 21.5, Date.UTC(2026, 10, 26, 8), 'Raw', ts],
      ['2026-11-26T08:00:00.123456Z', -4, Date.UTC(2026, 10, 26, 8, 0, 0, 123), 'Raw', ts],
    ]);
    for (const sample of body.data as Sample[]) {
      expect(Number.isInteger(sample.ingestUnixTimestamp)).toBe(true);
      expect(sample.ingestUnixTimestamp).toBeGreaterThanOrEqual(before - 1000);
      expect(sample.ingestUnixTimestamp).toBeLessThanOrEqual(Date.now() + 1000);
    }
    // The same answer, paged, through the documented serializer.
    const paged = await read(device, { timeseries_ids: ts, paginated: true });
    expect(paged.json()).toEqual(body);
  });

  it('reads [startTime, endTime): the start inclusive, the end exclusive, offsets allowed', async () => {
    const device = await createDevice(t);
    const ts = device.timeseriesIds[0]!;
    await writeSamples(
      t,
      device,
      Array.from({ length: 10 }, (_, i) => ({ timeseriesId: ts, val: i, timestamp: minute(i) })),
    );
    for (const paginated of [false, true]) {
      const response = await read(device, {
        timeseries_ids: ts,
        startTime: minute(2),
        endTime: '2026-11-01T01:07:00+01:00',
        paginated,
      });
      expect(response.json().data.map((s: Sample) => s.val)).toEqual([2, 3, 4, 5, 6]);
    }
  });

  it('orders by timestamp, then timeseriesId, then metric, all ascending or all descending', async () => {
    const device = await createDevice(t, { points: somePoints(3) });
    const ids = device.timeseriesIds;
    await writeSamples(
      t,
      device,
      ids.flatMap((id, s) => [0, 1, 2].map((i) => ({ timeseriesId: id, val: s * 10 + i, timestamp: minute(i) }))),
    );
    const expected = [0, 1, 2].flatMap((i) => [...ids].sort().map((id) => `${minute(i).replace('Z', '')}Z ${id} Raw`));
    for (const paginated of [false, true]) {
      const asc = (await read(device, { timeseries_ids: ids, paginated })).json().data.map(keyOf);
      const desc = (await read(device, { timeseries_ids: ids, paginated, orderby: 'timestamp desc' }))
        .json()
        .data.map(keyOf);
      expect(asc).toEqual(expected);
      expect(desc).toEqual([...expected].reverse());
    }
  });

  it.each(['timestamp asc', 'timestamp desc'])(
    'pages a busy series (%s) without losing or repeating a sample, also while it is being written',
    async (orderby) => {
      const device = await createDevice(t);
      const ts = device.timeseriesIds[0]!;
      await writeSamples(
        t,
        device,
        Array.from({ length: 2500 }, (_, i) => ({ timeseriesId: ts, val: i, timestamp: minute(i) })),
      );
      const pages: Sample[][] = [];
      let next: string | undefined;
      do {
        const response = await read(
          device,
          { timeseries_ids: ts, startTime: minute(0), endTime: minute(2500), paginated: true, limit: 1000, orderby },
          next,
        );
        pages.push(response.json().data);
        next = response.headers.continuationtoken as string | undefined;
        // Writes outside the range read and replacements inside it do not disturb the paging.
        await writeSamples(t, device, [
          { timeseriesId: ts, val: -1, timestamp: minute(100_000 + pages.length) },
          { timeseriesId: ts, val: 1250, timestamp: minute(1250) },
        ]);
      } while (next && pages.length < 10);
      const seen = pages.flat();
      expect(pages.map((p) => p.length)).toEqual([1000, 1000, 500]);
      expect(new Set(seen.map(keyOf)).size).toBe(2500);
      const order = seen.map((s) => s.timestamp);
      expect(order).toEqual(
        [...order].sort((a, b) => (orderby === 'timestamp asc' ? a.localeCompare(b) : b.localeCompare(a))),
      );
    },
  );

  it('pages several series with ties across page boundaries, each sample once', async () => {
    const device = await createDevice(t, { points: somePoints(3) });
    const ids = device.timeseriesIds;
    await writeSamples(
      t,
      device,
      ids.flatMap((id) => Array.from({ length: 11 }, (_, i) => ({ timeseriesId: id, val: i, timestamp: minute(i) }))),
    );
    for (const orderby of ['timestamp asc', 'timestamp desc']) {
      const pages = await pageThrough(device, { timeseries_ids: ids, paginated: true, limit: 7, orderby });
      expect(pages.map((p) => p.length)).toEqual([7, 7, 7, 7, 5]);
      const all = pages.flat().map(keyOf);
      expect(new Set(all).size).toBe(33);
      const everything = (await read(device, { timeseries_ids: ids, orderby })).json().data.map(keyOf);
      expect(all).toEqual(everything);
    }
  });

  it('refuses a modified token, a token of another query or device, and garbage', async () => {
    const device = await createDevice(t);
    const ts = device.timeseriesIds[0]!;
    await writeSamples(
      t,
      device,
      Array.from({ length: 5 }, (_, i) => ({ timeseriesId: ts, val: i, timestamp: minute(i) })),
    );
    const query = { timeseries_ids: ts, paginated: true, limit: 2 };
    const first = await read(device, query);
    const next = first.headers.continuationtoken as string;
    expect(next).toEqual(expect.any(String));
    // The page size may change between pages.
    expect((await read(device, { ...query, limit: 3 }, next)).json().data.map((s: Sample) => s.val)).toEqual([2, 3, 4]);

    const [payload, signature] = next.split('.');
    const position = JSON.parse(Buffer.from(payload!, 'base64url').toString()) as { t: number };
    const moved = Buffer.from(JSON.stringify({ ...position, t: position.t - 60_000_000 })).toString('base64url');
    const notValid =
      'ContinuationToken is not valid for this read: it was modified, or issued for another device, timeseries_ids, ' +
      'metric, startTime, endTime, orderby or paginated';
    const other = await createDevice(t);
    for (const [name, response] of [
      ['modified', await read(device, query, `${moved}.${signature}`)],
      ['other timeseries_ids', await read(device, { ...query, timeseries_ids: device.timeseriesIds[1]! }, next)],
      ['another range', await read(device, { ...query, startTime: minute(0) }, next)],
      ['another order', await read(device, { ...query, orderby: 'timestamp desc' }, next)],
      ['unpaginated', await read(device, { ...query, paginated: false }, next)],
      ['another metric filter', await read(device, { ...query, metric: 'Raw' }, next)],
      [
        'another device',
        await t.api.readSamples(
          other.deviceId,
          { ...query, timeseries_ids: other.timeseriesIds[0]! },
          {
            token: other.reader,
            continuationToken: next,
          },
        ),
      ],
    ] as const) {
      expect([name, response.statusCode, response.json().status.Message]).toEqual([name, 400, notValid]);
    }
    const garbage = await read(device, query, 'not-a-token');
    expect([garbage.statusCode, garbage.json().status.Message]).toEqual([400, 'ContinuationToken is malformed']);
  });

  it('reads every sample of the range unpaginated, streamed past the database cursor batches', async () => {
    const device = await createDevice(t, { points: somePoints(2) });
    const [a, b] = device.timeseriesIds as [string, string];
    await writeSamples(
      t,
      device,
      Array.from({ length: 4500 }, (_, i) => ({ timeseriesId: i % 2 ? a : b, val: i, timestamp: minute(i >> 1) })),
    );
    const one = (await read(device, { timeseries_ids: a })).json().data as Sample[];
    expect(one.map((s) => s.val)).toEqual(Array.from({ length: 2250 }, (_, i) => i * 2 + 1));
    const both = await read(device, { timeseries_ids: [b, a], orderby: 'timestamp desc' });
    expect(both.headers.continuationtoken).toBeUndefined();
    const data = both.json().data as Sample[];
    expect(data).toHaveLength(4500);
    expect(data.map((s) => s.val).sort((x, y) => x - y)).toEqual(Array.from({ length: 4500 }, (_, i) => i));
    expect(data.map(keyOf)).toEqual(
      Array.from({ length: 2250 }, (_, i) => 2249 - i).flatMap((m) =>
        [a, b]
          .sort()
          .reverse()
          .map((id) => `${minute(m)} ${id} Raw`),
      ),
    );
  });

  it('refuses an unpaginated range over SAMPLES_EXPORT_LIMIT with 400 saying how to read it, never a truncated answer', async () => {
    const device = await createDevice(t);
    const ts = device.timeseriesIds[0]!;
    await writeSamples(
      t,
      device,
      Array.from({ length: 5001 }, (_, i) => ({ timeseriesId: ts, val: i, timestamp: minute(i) })),
    );
    const response = await read(device, { timeseries_ids: ts });
    expect([response.statusCode, response.json()]).toEqual([
      400,
      {
        status: {
          Message:
            'The range holds more than SAMPLES_EXPORT_LIMIT (5000) samples: read it with paginated=true, or with limit and the ContinuationToken of each answer, or a shorter range',
          Code: '400',
        },
        data: null,
      },
    ]);
    // Exactly the limit is fine.
    expect((await read(device, { timeseries_ids: ts, startTime: minute(1) })).json().data).toHaveLength(5000);
  });

  it('answers the first `limit` unpaginated, with the ContinuationToken of the rest', async () => {
    const device = await createDevice(t);
    const ts = device.timeseriesIds[0]!;
    await writeSamples(
      t,
      device,
      Array.from({ length: 30 }, (_, i) => ({ timeseriesId: ts, val: i, timestamp: minute(i) })),
    );
    const pages = await pageThrough(device, { timeseries_ids: ts, limit: 12 });
    expect(pages.map((p) => p.map((s) => s.val))).toEqual([
      Array.from({ length: 12 }, (_, i) => i),
      Array.from({ length: 12 }, (_, i) => i + 12),
      Array.from({ length: 6 }, (_, i) => i + 24),
    ]);
    const exact = await read(device, { timeseries_ids: ts, limit: 30 });
    expect([exact.json().data.length, exact.headers.continuationtoken]).toEqual([30, undefined]);
  });

  it('filters by metric', async () => {
    const device = await createDevice(t);
    const ts = device.timeseriesIds[0]!;
    await writeSamples(t, device, [{ timeseriesId: ts, val: 1, timestamp: minute(0) }]);
    expect((await read(device, { timeseries_ids: ts, metric: 'Raw' })).json().data).toHaveLength(1);
    const unknown = await read(device, { timeseries_ids: ts, metric: 'Average' });
    expect([unknown.statusCode, unknown.json().status.Message]).toEqual([
      400,
      'Invalid request: metric: metric must be one of Raw',
    ]);
  });

  it('answers the same 400 for a timeseries of another device and for none, and 403 for another device', async () => {
    const device = await createDevice(t);
    const other = await createDevice(t);
    const answers = [];
    for (const id of [other.timeseriesIds[0]!, '5e0f3a6c-0000-4000-8000-000000000000']) {
      const response = await read(device, { timeseries_ids: [device.timeseriesIds[0]!, id] });
      answers.push([response.statusCode, response.json()]);
    }
    expect(answers[0]).toEqual([
      400,
      {
        status: { Message: 'Unknown timeseries: timeseries_ids[1] is not a timeseries of this device', Code: '400' },
        data: null,
        errors: [{ path: 'timeseries_ids[1]', message: 'timeseries_ids[1] is not a timeseries of this device' }],
      },
    ]);
    expect(answers[1]).toEqual(answers[0]);
    const outsider = token({ scope: 'apollo_read', collections: [uniqueCollection()] });
    for (const deviceId of [device.deviceId, uniqueDevice()]) {
      const response = await t.api.readSamples(
        deviceId,
        { timeseries_ids: device.timeseriesIds[0]! },
        { token: outsider },
      );
      expect([response.statusCode, response.json().status.Message]).toEqual([
        403,
        'User does not have access to device',
      ]);
    }
  });

  it.each([
    ['no timeseries_ids', {}, 'timeseries_ids: timeseries_ids is required'],
    ['an id that is not a UUID', { timeseries_ids: 'x' }, 'timeseries_ids: each of timeseries_ids must be a UUID'],
    [
      'an id twice',
      { timeseries_ids: ['5e0f3a6c-0000-4000-8000-000000000000', '5E0F3A6C-0000-4000-8000-000000000000'] },
      'timeseries_ids: timeseries_ids must not name a timeseries twice',
    ],
    [
      '101 ids',
      {
        timeseries_ids: Array.from({ length: 101 }, (_, i) => `5e0f3a6c-0000-4000-8000-${String(i).padStart(12, '0')}`),
      },
      'timeseries_ids: timeseries_ids may name at most 100 timeseries',
    ],
    [
      'a startTime without offset',
      { startTime: '2026-01-01T00:00:00' },
      'startTime: startTime must be an RFC 3339 timestamp with an offset, such as 2026-11-26T08:00:00.123456Z or 2026-11-26T09:00:00+01:00',
    ],
    ['an unknown orderby', { orderby: 'val asc' }, 'orderby: orderby must be one of: timestamp asc, timestamp desc'],
    ['paginated=yes', { paginated: 'yes' }, 'paginated: paginated must be true or false'],
    ['limit=0', { limit: 0 }, 'limit: limit must not be less than 1'],
    ['limit=1.5', { limit: '1.5' }, 'limit: limit must be an integer number'],
    ['an unknown parameter', { pageSize: 10 }, 'pageSize: pageSize is not a known field'],
  ])('refuses %s with 400', async (name, query, message) => {
    const device = await createDevice(t);
    const ids = name === 'no timeseries_ids' ? {} : { timeseries_ids: device.timeseriesIds[0]! };
    const response = await read(device, { ...ids, ...query } as Query);
    expect([response.statusCode, response.json().status.Message]).toEqual([400, `Invalid request: ${message}`]);
  });

  it.each([
    [{ paginated: true, limit: 1001 }, 'limit must be at most 1000 when paginated=true'],
    [{ limit: 5001 }, 'limit must be at most SAMPLES_EXPORT_LIMIT (5000) when paginated=false'],
    [{ startTime: minute(5), endTime: minute(5) }, 'startTime must be before endTime'],
    [{ startTime: minute(6), endTime: minute(5) }, 'startTime must be before endTime'],
  ])('refuses %j with 400, never a silent cap', async (query, message) => {
    const device = await createDevice(t);
    const response = await read(device, { timeseries_ids: device.timeseriesIds[0]!, ...query });
    expect([response.statusCode, response.json().status.Message]).toEqual([400, message]);
  });

  it('starts every read at its bound in the index, also under a generic plan, and opens only the packed blocks the page needs', async () => {
    const device = await createDevice(t, { points: somePoints(2) });
    const ids = device.timeseriesIds;
    await writeSamples(
      t,
      device,
      ids.flatMap((id) => Array.from({ length: 3000 }, (_, i) => ({ timeseriesId: id, val: i, timestamp: minute(i) }))),
    );
    await t.query('ANALYZE sample');
    const [keys] = await t.query<{ keys: number[] }>(
      'SELECT array_agg(series_key ORDER BY id) AS keys FROM timeseries WHERE device_id = $1',
      [device.deviceId],
    );
    const [one, , many] = READ_SAMPLES;
    const runner = t.dataSource.createQueryRunner();
    try {
      await runner.query('SET plan_cache_mode = force_generic_plan');
      const literal = (value: unknown): string =>
        Array.isArray(value) ? `'{${value.join(',')}}'` : typeof value === 'string' ? `'${value}'` : String(value);
      /** The statement's generic plan, and the `$n` its `bound` parameter has. */
      const explain = async (statement: (typeof READ_SAMPLES)[number], streams: SampleStream[]) => {
        const params = { streams, bound: minute(2000), other: 'infinity', limit: 101 };
        const { text, values } = statement.query(params);
        await runner.query(`PREPARE deep_samples AS ${text}`);
        const rows = (await runner.query(`EXPLAIN EXECUTE deep_samples(${values.map(literal).join(', ')})`)) as Array<{
          'QUERY PLAN': string;
        }>;
        await runner.query('DEALLOCATE deep_samples');
        return {
          plan: rows.map((row) => row['QUERY PLAN']).join('\n'),
          bound: `\\$${values.indexOf(params.bound) + 1}`,
        };
      };
      const stream = (index: number, includeBound: boolean): SampleStream => ({
        seriesKey: keys!.keys[index]!,
        metric: 0,
        timeseriesId: ids[index]!,
        includeBound,
      });
      const single = await explain(one!, [stream(0, false)]);
      expect(single.plan).toMatch(/Index Scan using \w+ on sample_y2026m11/);
      expect(single.plan).toMatch(new RegExp(`Index Cond: .*ts >= ${single.bound}`));
      expect(single.plan).not.toMatch(/Seq Scan on \w+ smp/);
      // Rows come in index order (a merge, no sort of them); blocks in period order, only those
      // before the one whose predecessors hold the page (their running count), whatever the plan.
      expect(single.plan).toMatch(/Merge Append[\s\S]*Sort Key: smp\.ts/);
      expect(single.plan).toMatch(/Filter: .*\(w\.seen IS NULL\) OR \(w\.seen < \$\d+\)/);
      const several = await explain(many!, [stream(0, false), stream(1, true)]);
      expect(several.plan).toMatch(new RegExp(`Index Cond: .*ts >= ${several.bound}`));
      expect(several.plan).not.toMatch(/Seq Scan on \w+ smp/);
    } finally {
      await runner.query('RESET plan_cache_mode');
      await runner.release();
    }
  });

  it('needs a read scope, which write scopes include', async () => {
    const device = await createDevice(t);
    const none = token({ scope: 'profile', collections: [device.collection] });
    const response = await t.api.readSamples(
      device.deviceId,
      { timeseries_ids: device.timeseriesIds[0]! },
      { token: none },
    );
    expect(response.statusCode).toBe(403);
    const writer = await t.api.readSamples(
      device.deviceId,
      { timeseries_ids: device.timeseriesIds[0]! },
      { token: device.writer },
    );
    expect(writer.statusCode).toBe(200);
  });
});
