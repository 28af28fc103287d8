import { deflateSync, gzipSync } from 'node:zlib';

import { createDevice, somePoints, type DeviceFixture } from '../support/fixtures';
import { startTestApp, usesServer, type TestApp } from '../support/test-app';
import { token, uniqueCollection, uniqueDevice } from '../support/tokens';

const FORBIDDEN = { status: { Message: 'User does not have access to device', Code: '403' }, data: null };

/** Every sample stored for the device's timeseries, straight from the table. */
async function stored(t: TestApp, device: DeviceFixture) {
  return t.query<{ timeseries_id: string; metric: number; ts: string; val: number; ingested_at: string }>(
    `SELECT t.id::text AS timeseries_id, s.metric,
            to_char(s.ts AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') AS ts, s.val,
            to_char(s.ingested_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') AS ingested_at
     FROM sample s JOIN timeseries t ON t.series_key = s.series_key
     WHERE t.device_id = $1 ORDER BY s.ts, t.id`,
    [device.deviceId],
  );
}

describe('POST /apollo/devices/{deviceId}/timeseries/samples', () => {
  let t: TestApp;
  let device: DeviceFixture;
  let ts: string;

  beforeAll(async () => {
    t = await startTestApp({ MAX_SAMPLES_PER_REQUEST: '10000', SAMPLES_BODY_LIMIT: '2000000' });
  });
  afterAll(() => t?.close());
  beforeEach(async () => {
    device = await createDevice(t);
    ts = device.timeseriesIds[0]!;
  });

  const write = (body: unknown, headers: Record<string, string> = {}, bearer = device.writer) =>
    t.api.writeSamples(device.deviceId, body, { token: bearer, headers });

  it('stores samples and answers 202 with the count, once committed', async () => {
    const response = await write([
      { timeseriesId: ts, val: 21.5, timestamp: '2026-11-26T08:00:00Z', metric: 'Raw' },
      { timeseriesId: device.timeseriesIds[1], val: 40, timestamp: '2026-11-26T08:00:00Z' },
    ]);
    expect(response.statusCode).toBe(202);
    expect(response.json()).toEqual({ status: { Message: '', Code: '202' }, data: { accepted: 2 } });
    expect((await stored(t, device)).map((row) => [row.timeseries_id, row.metric, row.ts, row.val])).toEqual(
      [
        [ts, 0, '2026-11-26T08:00:00.000000Z', 21.5],
        [device.timeseriesIds[1], 0, '2026-11-26T08:00:00.000000Z', 40],
      ].sort((a, b) => String(a[0]).localeCompare(String(b[0]))),
    );
  });

  it('keeps an instant exactly to the microsecond and normalizes offsets to UTC', async () => {
    const response = await write([
      { timeseriesId: ts, val: 1, timestamp: '2026-11-26T08:00:00.000001Z' },
      { timeseriesId: ts, val: 2, timestamp: '2026-11-26T09:00:00.999999+01:00' },
      { timeseriesId: ts, val: 3, timestamp: '2026-11-26T02:29:59.5-05:30' },
      { timeseriesId: ts, val: 4, timestamp: '1900-01-01T00:00:00Z' },
      { timeseriesId: ts, val: 5, timestamp: '2099-12-31t23:59:59.999999z' },
      { timeseriesId: ts, val: 6, timestamp: '1949-12-31T23:59:59.999999Z' },
      { timeseriesId: ts, val: 7, timestamp: '1935-03-07T04:05:06.000007Z' },
    ]);
    expect(response.statusCode).toBe(202);
    expect((await stored(t, device)).map((row) => [row.ts, row.val])).toEqual([
      ['1900-01-01T00:00:00.000000Z', 4],
      ['1935-03-07T04:05:06.000007Z', 7],
      ['1949-12-31T23:59:59.999999Z', 6],
      ['2026-11-26T07:59:59.500000Z', 3],
      ['2026-11-26T08:00:00.000001Z', 1],
      ['2026-11-26T08:00:00.999999Z', 2],
      ['2099-12-31T23:59:59.999999Z', 5],
    ]);
  });

  it('accepts val as a number or a string holding a decimal number, and stores a double', async () => {
    const values = [
      0,
      -0.5,
      1e-7,
      1.7976931348623157e308,
      5e-324,
      -2.2250738585072014e-308,
      0.1 + 0.2,
      '42',
      '-3.25',
      '.5',
      '6.02e23',
      '+1',
    ];
    const response = await write(
      values.map((val, i) => ({ timeseriesId: ts, val, timestamp: `2026-11-26T08:00:${String(i).padStart(2, '0')}Z` })),
    );
    expect(response.statusCode).toBe(202);
    expect((await stored(t, device)).map((row) => row.val)).toEqual(values.map(Number));
  });

  it('replaces a stored sample with the same key: last write wins, one sample, a new ingest time', async () => {
    const key = { timeseriesId: ts, timestamp: '2026-11-26T08:00:00Z' };
    expect((await write([{ ...key, val: 1 }])).statusCode).toBe(202);
    const [first] = await stored(t, device);
    await new Promise((resolve) => setTimeout(resolve, 20));
    const again = await write([{ ...key, val: 2, metric: 'Raw' }]);
    expect(again.json().data).toEqual({ accepted: 1 });
    const rows = await stored(t, device);
    expect(rows).toHaveLength(1);
    expect(rows[0]!.val).toBe(2);
    expect(rows[0]!.ingested_at > first!.ingested_at).toBe(true);
  });

  it('sees the same instant written with two offsets as one key', async () => {
    const response = await write([
      { timeseriesId: ts, val: 1, timestamp: '2026-11-26T08:00:00Z' },
      { timeseriesId: ts, val: 2, timestamp: '2026-11-26T09:00:00.000+01:00' },
    ]);
    expect(response.statusCode).toBe(400);
    expect(response.json().errors).toEqual([
      { path: '[1]', message: 'the same timeseriesId, metric and instant as [0]: 2026-11-26T08:00:00.000Z' },
    ]);
    expect(await stored(t, device)).toEqual([]);
  });

  it('answers an empty array with 400 No samples provided', async () => {
    const response = await write([]);
    expect([response.statusCode, response.json()]).toEqual([
      400,
      { status: { Message: 'No samples provided', Code: '400' }, data: null },
    ]);
  });

  it.each([
    [
      'a missing timeseriesId',
      { timeseriesId: undefined, val: 1, timestamp: '2026-01-01T00:00:00Z' },
      '[0].timeseriesId',
      'timeseriesId is required',
    ],
    [
      'a timeseriesId that is not a UUID',
      { timeseriesId: 'ts-1', val: 1, timestamp: '2026-01-01T00:00:00Z' },
      '[0].timeseriesId',
      'timeseriesId must be a UUID',
    ],
    ['a missing val', { timestamp: '2026-01-01T00:00:00Z' }, '[0].val', 'val is required'],
    [
      'val null',
      { val: null, timestamp: '2026-01-01T00:00:00Z' },
      '[0].val',
      'val must be a number, or a string holding a decimal number',
    ],
    [
      'val true',
      { val: true, timestamp: '2026-01-01T00:00:00Z' },
      '[0].val',
      'val must be a number, or a string holding a decimal number',
    ],
    [
      'val "NaN"',
      { val: 'NaN', timestamp: '2026-01-01T00:00:00Z' },
      '[0].val',
      'val must be a number, or a string holding a decimal number',
    ],
    [
      'val "Infinity"',
      { val: 'Infinity', timestamp: '2026-01-01T00:00:00Z' },
      '[0].val',
      'val must be a number, or a string holding a decimal number',
    ],
    [
      'val ""',
      { val: '', timestamp: '2026-01-01T00:00:00Z' },
      '[0].val',
      'val must be a number, or a string holding a decimal number',
    ],
    [
      'val " 1"',
      { val: ' 1', timestamp: '2026-01-01T00:00:00Z' },
      '[0].val',
      'val must be a number, or a string holding a decimal number',
    ],
    [
      'val "0x10"',
      { val: '0x10', timestamp: '2026-01-01T00:00:00Z' },
      '[0].val',
      'val must be a number, or a string holding a decimal number',
    ],
    ['val "1e999"', { val: '1e999', timestamp: '2026-01-01T00:00:00Z' }, '[0].val', 'val must be a finite number'],
    ['a missing timestamp', { val: 1 }, '[0].timestamp', 'timestamp is required'],
    [
      'a timestamp without offset',
      { val: 1, timestamp: '2026-01-01T00:00:00' },
      '[0].timestamp',
      'timestamp must be an RFC 3339 timestamp with an offset, such as 2026-11-26T08:00:00.123456Z or 2026-11-26T09:00:00+01:00',
    ],
    [
      '7 fractional digits',
      { val: 1, timestamp: '2026-01-01T00:00:00.1234567Z' },
      '[0].timestamp',
      'timestamp must be an RFC 3339 timestamp with an offset, such as 2026-11-26T08:00:00.123456Z or 2026-11-26T09:00:00+01:00',
    ],
    [
      'a date only',
      { val: 1, timestamp: '2026-01-01' },
      '[0].timestamp',
      'timestamp must be an RFC 3339 timestamp with an offset, such as 2026-11-26T08:00:00.123456Z or 2026-11-26T09:00:00+01:00',
    ],
    ['epoch seconds', { val: 1, timestamp: 1767225600 }, '[0].timestamp', 'timestamp must be a string'],
    [
      'February 30th',
      { val: 1, timestamp: '2026-02-30T00:00:00Z' },
      '[0].timestamp',
      'timestamp has no such date: 2026-02-30',
    ],
    [
      'hour 24',
      { val: 1, timestamp: '2026-01-01T24:00:00Z' },
      '[0].timestamp',
      'timestamp has no such time of day: 24:00:00 (00:00:00..23:59:59)',
    ],
    [
      'a leap second',
      { val: 1, timestamp: '2016-12-31T23:59:60Z' },
      '[0].timestamp',
      'timestamp has no such time of day: 23:59:60 (00:00:00..23:59:59)',
    ],
    [
      'an offset of 24 hours',
      { val: 1, timestamp: '2026-01-01T00:00:00+24:00' },
      '[0].timestamp',
      'timestamp has no such offset: +24:00',
    ],
    [
      'the year 1899',
      { val: 1, timestamp: '1899-12-31T23:59:59.999999Z' },
      '[0].timestamp',
      'timestamp must be between 1900-01-01T00:00:00Z and 2099-12-31T23:59:59.999999Z',
    ],
    [
      'the year 2100',
      { val: 1, timestamp: '2100-01-01T00:00:00Z' },
      '[0].timestamp',
      'timestamp must be between 1900-01-01T00:00:00Z and 2099-12-31T23:59:59.999999Z',
    ],
    [
      '1900 by an offset, 1899 in UTC',
      { val: 1, timestamp: '1900-01-01T00:30:00+01:00' },
      '[0].timestamp',
      'timestamp must be between 1900-01-01T00:00:00Z and 2099-12-31T23:59:59.999999Z',
    ],
    [
      'the year 0050 (which Date.UTC would read as 1950)',
      { val: 1, timestamp: '0050-01-01T00:00:00Z' },
      '[0].timestamp',
      'timestamp must be between 1900-01-01T00:00:00Z and 2099-12-31T23:59:59.999999Z',
    ],
    [
      'another metric',
      { val: 1, timestamp: '2026-01-01T00:00:00Z', metric: 'Average' },
      '[0].metric',
      "metric must be one of the timeseries' metrics: Raw",
    ],
    [
      'metric misspelt as mertic',
      { val: 1, timestamp: '2026-01-01T00:00:00Z', mertic: 'Raw' },
      '[0].mertic',
      'mertic is not a known field',
    ],
  ])('refuses %s with 400 naming the item, and writes nothing', async (_name, fields, path, message) => {
    const sample = { timeseriesId: ts, ...fields };
    const response = await write([{ timeseriesId: ts, val: 1, timestamp: '2026-06-01T00:00:00Z' }, sample]);
    expect(response.statusCode).toBe(400);
    expect(response.json().errors).toEqual([{ path: path.replace('[0]', '[1]'), message }]);
    expect(response.json().status.Message).toContain(`${path.replace('[0]', '[1]')}: ${message}`);
    expect(await stored(t, device)).toEqual([]);
  });

  it.each([['null'], ['{}'], ['"samples"'], ['[1]'], ['[null]'], ['[[]]']])(
    'refuses the body %s with 400',
    async (body) => {
      const response = await write(body);
      expect(response.statusCode).toBe(400);
      expect(response.json().data).toBeNull();
    },
  );

  it('refuses more than MAX_SAMPLES_PER_REQUEST samples with 400 stating the limit', async () => {
    const small = await startTestApp({ MAX_SAMPLES_PER_REQUEST: '3' });
    try {
      const owner = await createDevice(small);
      const body = Array.from({ length: 4 }, (_, i) => ({
        timeseriesId: owner.timeseriesIds[0],
        val: i,
        timestamp: `2026-01-01T00:00:0${i}Z`,
      }));
      const response = await small.api.writeSamples(owner.deviceId, body, { token: owner.writer });
      expect(response.statusCode).toBe(400);
      expect(response.json().status.Message).toBe('Too many samples: a request may write at most 3 samples, got 4');
    } finally {
      await small.close();
    }
  });

  it('writes 10,000 samples in one request (the default limit) within the body limit', async () => {
    const body = Array.from({ length: 10_000 }, (_, i) => ({
      timeseriesId: device.timeseriesIds[i % 2],
      val: i / 7,
      timestamp: new Date(Date.UTC(2026, 0, 1) + i * 60_000).toISOString().replace('Z', '123+00:00'),
      metric: 'Raw',
    }));
    expect(Buffer.byteLength(JSON.stringify(body))).toBeLessThan(2_000_000);
    const response = await write(body);
    expect(response.json()).toEqual({ status: { Message: '', Code: '202' }, data: { accepted: 10_000 } });
    const [counted] = await t.query<{ count: number }>(
      'SELECT count(*)::int AS count FROM sample s JOIN timeseries t ON t.series_key = s.series_key WHERE t.device_id = $1',
      [device.deviceId],
    );
    expect(counted?.count).toBe(10_000);
  });

  it("names the items whose timeseries is not the device's, the same for a foreign and a missing id, and writes nothing", async () => {
    const other = await createDevice(t);
    const foreign = other.timeseriesIds[0]!;
    const missing = '5e0f3a6c-0000-4000-8000-000000000000';
    const answers = [];
    for (const id of [foreign, missing]) {
      const response = await write([
        { timeseriesId: ts, val: 1, timestamp: '2026-06-01T00:00:00Z' },
        { timeseriesId: id, val: 1, timestamp: '2026-06-01T00:00:00Z' },
      ]);
      expect(response.statusCode).toBe(400);
      answers.push(response.json());
    }
    expect(answers[0]).toEqual({
      status: {
        Message: 'Unknown timeseries: [1].timeseriesId is not a timeseries of this device',
        Code: '400',
      },
      data: null,
      errors: [{ path: '[1].timeseriesId', message: 'timeseriesId is not a timeseries of this device' }],
    });
    expect(answers[1]).toEqual(answers[0]);
    expect(await stored(t, device)).toEqual([]);
    expect(await stored(t, other)).toEqual([]);
  });

  it('answers the same 403 for a device of another collection and for no device: samples never create devices', async () => {
    const body = [{ timeseriesId: ts, val: 1, timestamp: '2026-06-01T00:00:00Z' }];
    const outsider = token({ scope: 'apollo_write', collections: [uniqueCollection()] });
    const foreign = await t.api.writeSamples(device.deviceId, body, { token: outsider });
    const nowhere = await t.api.writeSamples(uniqueDevice(), body, { token: device.writer });
    expect([foreign.statusCode, foreign.json()]).toEqual([403, FORBIDDEN]);
    expect([nowhere.statusCode, nowhere.json()]).toEqual([403, FORBIDDEN]);
    expect(await stored(t, device)).toEqual([]);
    expect(await t.query('SELECT 1 FROM device WHERE collection_id = $1', [device.collection])).toHaveLength(1);
  });

  it('needs a write scope', async () => {
    const response = await write([{ timeseriesId: ts, val: 1, timestamp: '2026-06-01T00:00:00Z' }], {}, device.reader);
    expect(response.statusCode).toBe(403);
    expect(response.json().status.Message).toBe('Missing required scope: the token needs one of apollo_write, write');
  });

  describe('compressed bodies', () => {
    const body = () => JSON.stringify([{ timeseriesId: ts, val: 7, timestamp: '2026-06-01T00:00:00Z' }]);

    it.each([
      ['gzip', gzipSync],
      ['deflate', deflateSync],
    ])('accepts Content-Encoding: %s', async (encoding, compress) => {
      const response = await write(compress(body()), { 'content-encoding': encoding });
      expect(response.json()).toEqual({ status: { Message: '', Code: '202' }, data: { accepted: 1 } });
      expect((await stored(t, device)).map((row) => row.val)).toEqual([7]);
    });

    it('refuses a corrupt stream with 400', async () => {
      const truncated = gzipSync(body()).subarray(0, 20);
      for (const payload of [Buffer.from('not gzip at all'), truncated]) {
        const response = await write(payload, { 'content-encoding': 'gzip' });
        expect([response.statusCode, response.json().status.Message]).toEqual([
          400,
          'The request body is not a valid gzip stream',
        ]);
      }
      expect(await stored(t, device)).toEqual([]);
    });

    it('refuses a small body that inflates past SAMPLES_BODY_LIMIT with 413, the limit of the decompressed body', async () => {
      const bomb = gzipSync(Buffer.alloc(5_000_000, ' '));
      expect(bomb.length).toBeLessThan(10_000);
      const response = await write(bomb, { 'content-encoding': 'gzip' });
      expect([response.statusCode, response.json().status.Message]).toEqual([
        413,
        'Request body is larger than the limit of 2000000 bytes',
      ]);
    });

    it('refuses an uncompressed body past SAMPLES_BODY_LIMIT with 413', async () => {
      const response = await write(' '.repeat(2_000_001) + '[]');
      expect(response.statusCode).toBe(413);
    });

    it('refuses another Content-Encoding with 415', async () => {
      const response = await write(body(), { 'content-encoding': 'br' });
      expect([response.statusCode, response.json().status.Message]).toEqual([
        415,
        'Content-Encoding must be gzip, deflate or identity',
      ]);
    });

    it('refuses a compressed body on routes that do not take one with 415', async () => {
      const response = await t.api.registerTimeseries(device.deviceId, [], {
        token: device.writer,
        headers: { 'content-encoding': 'gzip' },
      });
      expect([response.statusCode, response.json().status.Message]).toEqual([
        415,
        'Content-Encoding is not accepted on this route: send the body uncompressed',
      ]);
    });
  });

  describe('partitions', () => {
    const partitions = () =>
      t.query<{ name: string; bounds: string }>(
        `SELECT c.relname AS name, pg_get_expr(c.relpartbound, c.oid) AS bounds FROM pg_inherits i
         JOIN pg_class c ON c.oid = i.inhrelid WHERE i.inhparent = 'sample'::regclass ORDER BY c.relname`,
      );

    it('creates the month partition a write needs, with UTC month bounds, and no default partition', async () => {
      const response = await write([
        { timeseriesId: ts, val: 1, timestamp: '1987-03-31T23:30:00-01:00' },
        { timeseriesId: ts, val: 2, timestamp: '1987-03-15T00:00:00Z' },
      ]);
      expect(response.statusCode).toBe(202);
      const found = await partitions();
      expect(found).toContainEqual({
        name: 'sample_y1987m04',
        bounds: "FOR VALUES FROM ('1987-04-01 00:00:00+00') TO ('1987-05-01 00:00:00+00')",
      });
      expect(found.map((p) => p.name)).toContain('sample_y1987m03');
      expect(found.some((p) => p.bounds === 'DEFAULT')).toBe(false);
      // Each partition's key index packs its pages full (samples arrive in time order).
      const [index] = await t.query<{ options: string[] }>(
        `SELECT i.reloptions AS options FROM pg_index x JOIN pg_class i ON i.oid = x.indexrelid
         WHERE x.indrelid = 'sample_y1987m04'::regclass AND x.indisprimary`,
      );
      expect(index?.options).toEqual(['fillfactor=100']);
    });

    it('creates a new month once under many concurrent writes, and every write lands', async () => {
      const year = 1950 + Math.floor(Math.random() * 30);
      const writes = await Promise.all(
        Array.from({ length: 12 }, (_, i) =>
          write([{ timeseriesId: ts, val: i, timestamp: `${year}-0${(i % 3) + 1}-0${(i % 9) + 1}T00:00:00Z` }]),
        ),
      );
      expect(writes.map((r) => r.statusCode)).toEqual(writes.map(() => 202));
      // (Other tests may write other months of the same year into the shared database.)
      const names = (await partitions())
        .map((p) => p.name)
        .filter((name) => /^sample_y\d{4}m0[1-3]$/.test(name) && name.startsWith(`sample_y${year}`));
      expect(names).toEqual([`sample_y${year}m01`, `sample_y${year}m02`, `sample_y${year}m03`]);
      expect(await stored(t, device)).toHaveLength(9);
    });
  });
});

const describeOnServer = usesServer() ? describe : describe.skip;

describeOnServer('concurrent writes of the same keys, from many connections', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp({ DB_POOL_SIZE: '8' });
  });
  afterAll(() => t?.close());

  it('never fail and leave one sample per key, whatever the order of the keys in each request', async () => {
    const device = await createDevice(t, { points: somePoints(4) });
    const keys = device.timeseriesIds.flatMap((id) =>
      Array.from({ length: 50 }, (_, i) => ({
        timeseriesId: id,
        timestamp: `2031-05-01T00:${String(i).padStart(2, '0')}:00Z`,
      })),
    );
    const responses = await Promise.all(
      Array.from({ length: 24 }, (_, request) => {
        // Each request a different order of the same keys, which would deadlock unsorted inserts.
        const shuffled = [...keys].sort(() => (request % 2 === 0 ? 1 : -1) * (Math.random() - 0.5));
        return t.api.writeSamples(
          device.deviceId,
          shuffled.map((key) => ({ ...key, val: request })),
          { token: device.writer },
        );
      }),
    );
    expect(responses.map((r) => r.statusCode)).toEqual(responses.map(() => 202));
    const rows = await stored(t, device);
    expect(rows).toHaveLength(keys.length);
    // Each key holds the value of one of the writes, whole: no torn or merged rows.
    expect(rows.every((row) => Number.isInteger(row.val) && row.val >= 0 && row.val < 24)).toBe(true);
  });
});

describe('samples survive a restart', () => {
  it('reads back after the app restarts on the same database', async () => {
    const first = await startTestApp();
    const device = await createDevice(first);
    const body = [{ timeseriesId: device.timeseriesIds[0], val: 3.25, timestamp: '2026-11-26T08:00:00.654321Z' }];
    expect((await first.api.writeSamples(device.deviceId, body, { token: device.writer })).statusCode).toBe(202);
    await first.close({ keepData: true });

    const second = await startTestApp({}, { dataDir: first.dataDir });
    try {
      const read = await second.api.readSamples(
        device.deviceId,
        { timeseries_ids: device.timeseriesIds[0]! },
        { token: device.reader },
      );
      expect(read.json().data.map((s: { timestamp: string; val: number }) => [s.timestamp, s.val])).toEqual([
        ['2026-11-26T08:00:00.654321Z', 3.25],
      ]);
    } finally {
      await second.close();
    }
  });
});
