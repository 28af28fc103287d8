import { readFileSync } from 'node:fs';
import { join } from 'node:path';

import Ajv, { type ValidateFunction } from 'ajv';
import fc from 'fast-check';

import { isSafeText } from '../../src/common/safe-text';
import { startTestApp, type TestApp } from '../support/test-app';
import { token, uniqueCollection, uniqueDevice } from '../support/tokens';

const openapi = JSON.parse(readFileSync(join(__dirname, '..', '..', 'docs', 'openapi.json'), 'utf8')) as {
  paths: Record<
    string,
    Record<string, { responses: Record<string, { content?: Record<string, { schema?: object }> }> }>
  >;
};

/** Generated requests per run (the README promises 2,000). */
const FUZZ_RUNS = 2000;

/** Validators of the documented response bodies, by OpenAPI path, method and status. */
const ajv = new Ajv({ strict: false, validateFormats: false, allErrors: true });
ajv.addSchema(openapi, 'openapi');
const validators = new Map<string, ValidateFunction>();
function responseValidator(path: string, method: string, status: number): ValidateFunction | undefined {
  const key = `${method} ${path} ${status}`;
  if (!validators.has(key)) {
    const schema = openapi.paths[path]?.[method]?.responses[String(status)]?.content?.['application/json']?.schema;
    if (!schema) return undefined;
    const resolved = JSON.parse(JSON.stringify(schema).replaceAll('"#/components/', '"openapi#/components/')) as object;
    validators.set(key, ajv.compile(resolved));
  }
  return validators.get(key);
}

/**
 * Thousands of generated requests, valid and invalid: never a 5xx, always the envelope, bodies
 * that match the OpenAPI document, and afterwards the database invariants hold.
 */
describe('property-based fuzzing of the HTTP API', () => {
  let t: TestApp;
  const collection = uniqueCollection();
  const devices = [uniqueDevice(), uniqueDevice()];

  /** Timeseries of the fuzzed devices, for samples that name real ones. */
  const timeseriesIds: string[] = [];

  beforeAll(async () => {
    t = await startTestApp({ MAX_POINTS_PER_REQUEST: '50', MAX_SAMPLES_PER_REQUEST: '40' });
    for (const device of devices) {
      const registered = await t.api.registerTimeseries(device, [{ id: 'fuzz-point', pointType: 'temperature' }], {
        token: token({ collections: [collection] }),
      });
      timeseriesIds.push(registered.json().data.relationships[0].timeseriesId);
    }
  });
  afterAll(() => t.close());

  const safeText = fc.string({ unit: 'grapheme', minLength: 1, maxLength: 20 }).filter(isSafeText);
  const validPoints = fc.uniqueArray(
    fc.record({ id: safeText, pointType: fc.constantFrom('temperature', 'humidity', 'co2') }),
    {
      minLength: 1,
      maxLength: 20,
      selector: (p) => p.id,
    },
  );
  const hostileValue = fc.oneof(
    fc.string({ unit: 'binary', maxLength: 300 }),
    fc.integer(),
    fc.constant(null),
    fc.boolean(),
    fc.object({ maxDepth: 3 }),
  );
  const body = fc.oneof(
    { weight: 4, arbitrary: validPoints.map((points) => JSON.stringify(points)) },
    {
      weight: 2,
      arbitrary: fc
        .array(fc.record({ id: hostileValue, pointType: hostileValue }, { requiredKeys: [] }), { maxLength: 60 })
        .map((x) => JSON.stringify(x)),
    },
    { weight: 1, arbitrary: fc.json({ maxDepth: 4 }) },
    { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 200 }) },
  );
  const deviceId = fc.oneof(
    { weight: 4, arbitrary: fc.constantFrom(...devices).map((id) => encodeURIComponent(id)) },
    {
      weight: 2,
      arbitrary: fc.string({ unit: 'grapheme', minLength: 1, maxLength: 300 }).map((id) => encodeURIComponent(id)),
    },
    { weight: 1, arbitrary: fc.constantFrom('%00', '%FF', '%E2%82', 'a%2Fb', '..', '%20', 'x'.repeat(5000)) },
  );
  const contentType = fc.constantFrom(
    'application/json',
    'application/json; charset=utf-8',
    'text/plain',
    'application/json; charset=latin1',
    undefined,
  );
  const authorization = fc.oneof(
    { weight: 6, arbitrary: fc.constant(`Bearer ${token({ collections: [collection] })}`) },
    { weight: 1, arbitrary: fc.constant(`Bearer ${token({ scope: 'read', collections: [collection] })}`) },
    {
      weight: 1,
      arbitrary: fc.constantFrom(undefined, 'Bearer garbage', 'Basic YTpi', `Bearer ${token({ collections: [] })}`),
    },
  );
  const query = fc.oneof(
    fc.constant(''),
    fc.constantFrom(
      '?limit=1',
      '?limit=1000',
      '?limit=1001',
      '?limit=-1',
      '?limit=abc',
      '?pointType=humidity',
      '?x=1',
      '?limit=1&limit=2',
    ),
  );
  // Not "." or "..": those are dot segments, which URL parsing removes (encoded or not) before routing.
  const timeseriesId = fc.oneof(
    fc.uuid(),
    fc
      .string({ maxLength: 40 })
      .filter((s) => s !== '.' && s !== '..')
      .map((s) => encodeURIComponent(s) || 'x'),
  );
  const instant = fc
    .date({ min: new Date('1900-01-01T00:00:00Z'), max: new Date('2099-12-31T23:59:59Z'), noInvalidDate: true })
    .chain((date) =>
      fc
        .constantFrom('Z', '+01:00', '-05:30', '+00:00')
        .map((offset) => date.toISOString().replace('Z', offset === 'Z' ? '123456Z' : offset)),
    );
  // Drawn when a request is generated, after beforeAll registered them.
  const knownTimeseries = fc.constantFrom(0, 1).map((i) => timeseriesIds[i]!);
  const sampleValue = fc.oneof(
    { weight: 4, arbitrary: fc.double({ noNaN: true, noDefaultInfinity: true }) },
    { weight: 1, arbitrary: fc.constantFrom('21.5', '-1e3', 'NaN', '', '0x1', '1e999') },
    { weight: 1, arbitrary: hostileValue },
  );
  const sample = fc.record(
    {
      timeseriesId: fc.oneof(
        { weight: 5, arbitrary: knownTimeseries },
        { weight: 1, arbitrary: fc.uuid() },
        hostileValue,
      ),
      val: sampleValue,
      timestamp: fc.oneof({ weight: 5, arbitrary: instant }, { weight: 1, arbitrary: hostileValue }),
      metric: fc.oneof(fc.constant('Raw'), hostileValue),
    },
    { requiredKeys: ['timeseriesId', 'val', 'timestamp'] },
  );
  const samplesBody = fc.oneof(
    { weight: 6, arbitrary: fc.array(sample, { maxLength: 45 }).map((x) => JSON.stringify(x)) },
    { weight: 1, arbitrary: fc.json({ maxDepth: 3 }) },
  );
  const samplesQuery = fc
    .record(
      {
        timeseries_ids: fc.array(fc.oneof(knownTimeseries, fc.uuid(), fc.string({ maxLength: 10 })), { maxLength: 3 }),
        startTime: fc.oneof(instant, fc.string({ maxLength: 10 })),
        endTime: instant,
        paginated: fc.constantFrom('true', 'false', 'x'),
        limit: fc.constantFrom('1', '10', '1000', '1001', '0', 'x'),
        orderby: fc.constantFrom('timestamp asc', 'timestamp desc', 'val'),
        metric: fc.constantFrom('Raw', 'Other'),
        bogus: fc.constant('1'),
      },
      { requiredKeys: [] },
    )
    .map((query) => {
      const search = new URLSearchParams();
      for (const [name, value] of Object.entries(query)) {
        for (const item of Array.isArray(value) ? value : [value]) search.append(name, String(item));
      }
      return `?${search.toString()}`;
    });

  const analyticsQuery = fc
    .record(
      {
        timeseries_ids: fc.array(fc.oneof(knownTimeseries, fc.uuid(), fc.string({ maxLength: 10 })), { maxLength: 3 }),
        startTime: fc.oneof(instant, fc.string({ maxLength: 10 })),
        endTime: instant,
        before: instant,
        n: fc.constantFrom('1', '10', '1000', '1001', '0'),
        granularity: fc.constantFrom('PT1M', 'PT15M', 'PT1H', 'PT24H', 'P1D', 'P7D', 'P1W', 'P1M', 'PT0M', 'P1Y', 'x'),
        aggregates: fc.constantFrom('avg', 'avg,min,max,sum,count,first,last,twa', 'twa', 'median', ''),
        timeZone: fc.constantFrom('UTC', 'Europe/Berlin', 'America/New_York', 'Asia/Kolkata', 'Nowhere/City', ''),
        fill: fc.constantFrom('none', 'null', 'zero'),
        metric: fc.constantFrom('Raw', 'Other'),
      },
      { requiredKeys: [] },
    )
    .map((query) => {
      const search = new URLSearchParams();
      for (const [name, value] of Object.entries(query)) {
        for (const item of Array.isArray(value) ? value : [value]) search.append(name, String(item));
      }
      return `?${search.toString()}`;
    });

  /** Requests that should succeed: a device's own timeseries, valid samples, distinct instants. */
  const validSamples = fc.record({
    kind: fc.constant('valid-samples' as const),
    device: fc.constantFrom(0, 1),
    deviceId: fc.constant(''),
    authorization: fc.constant(undefined),
    samples: fc.uniqueArray(
      fc.record({ val: fc.double({ noNaN: true, noDefaultInfinity: true }), timestamp: instant }),
      {
        minLength: 1,
        maxLength: 30,
        selector: (x) => x.timestamp,
      },
    ),
    read: fc.boolean(),
  });

  const request = fc.oneof(
    { weight: 2, arbitrary: validSamples },
    {
      weight: 2,
      arbitrary: fc.record({
        kind: fc.constant('analytics' as const),
        route: fc.constantFrom('latest', 'stats', 'aggregates', 'delete'),
        deviceId,
        query: analyticsQuery,
        authorization,
      }),
    },
    {
      weight: 5,
      arbitrary: fc.record({ kind: fc.constant('post' as const), deviceId, body, contentType, authorization }),
    },
    {
      weight: 2,
      arbitrary: fc.record({
        kind: fc.constant('list' as const),
        deviceId,
        query,
        authorization,
        continuation: fc.option(fc.string({ maxLength: 80 })),
      }),
    },
    { weight: 1, arbitrary: fc.record({ kind: fc.constant('get' as const), deviceId, timeseriesId, authorization }) },
    {
      weight: 3,
      arbitrary: fc.record({
        kind: fc.constant('write-samples' as const),
        deviceId,
        body: samplesBody,
        contentType,
        authorization,
      }),
    },
    {
      weight: 2,
      arbitrary: fc.record({
        kind: fc.constant('read-samples' as const),
        deviceId,
        query: samplesQuery,
        authorization,
        continuation: fc.option(fc.string({ maxLength: 80 })),
      }),
    },
    {
      weight: 1,
      arbitrary: fc.record({
        kind: fc.constant('other' as const),
        deviceId,
        method: fc.constantFrom('PUT', 'DELETE', 'PATCH'),
        authorization,
      }),
    },
  );

  it('never answers 5xx, always in the envelope, and as the OpenAPI document says', async () => {
    const statuses = new Map<number, number>();
    const outcomes = new Set<string>();
    await fc.assert(
      fc.asyncProperty(request, async (r) => {
        const headers: Record<string, string> = {};
        if (r.authorization) headers.authorization = r.authorization;
        let method = 'GET';
        let url = `/apollo/devices/${r.deviceId}/timeseries`;
        let documented = '/apollo/devices/{deviceId}/timeseries';
        let payload: string | undefined;
        if (r.kind === 'post') {
          method = 'POST';
          payload = r.body;
          if (r.contentType) headers['content-type'] = r.contentType;
        } else if (r.kind === 'list') {
          url += r.query;
          if (r.continuation !== null) headers.continuationtoken = r.continuation;
        } else if (r.kind === 'get') {
          url += `/${r.timeseriesId}`;
          documented += '/{timeseriesId}';
        } else if (r.kind === 'valid-samples') {
          const id = timeseriesIds[r.device]!;
          url = `/apollo/devices/${encodeURIComponent(devices[r.device]!)}/timeseries/samples`;
          documented += '/samples';
          headers.authorization = `Bearer ${token({ collections: [collection] })}`;
          if (r.read) {
            url += `?timeseries_ids=${id}&startTime=${encodeURIComponent(r.samples[0]!.timestamp)}`;
          } else {
            method = 'POST';
            headers['content-type'] = 'application/json';
            payload = JSON.stringify(r.samples.map((x) => ({ timeseriesId: id, ...x })));
          }
        } else if (r.kind === 'analytics') {
          if (r.route === 'delete') {
            method = 'DELETE';
            url += `/samples${r.query}`;
            documented += '/samples';
          } else {
            url += `/samples/${r.route}${r.query}`;
            documented += `/samples/${r.route}`;
          }
        } else if (r.kind === 'write-samples') {
          method = 'POST';
          url += '/samples';
          documented += '/samples';
          payload = r.body;
          if (r.contentType) headers['content-type'] = r.contentType;
        } else if (r.kind === 'read-samples') {
          url += `/samples${r.query}`;
          documented += '/samples';
          if (r.continuation !== null) headers.continuationtoken = r.continuation;
        } else {
          method = r.method;
          payload = '[]';
          headers['content-type'] = 'application/json';
        }
        const response = await t.request({ method: method as 'GET', url, headers, payload });
        statuses.set(response.statusCode, (statuses.get(response.statusCode) ?? 0) + 1);
        outcomes.add(`${r.kind} ${response.statusCode}`);

        expect(response.statusCode).toBeLessThan(500);
        const json = response.json();
        expect(json.status).toEqual({ Message: expect.any(String), Code: String(response.statusCode) });
        if (response.statusCode >= 400) {
          expect(json.data).toBeNull();
          expect(json.status.Message).not.toBe('');
        }
        const validate = responseValidator(documented, method.toLowerCase(), response.statusCode);
        if (validate && !validate(json)) {
          throw new Error(
            `${method} ${url} ${response.statusCode} does not match the OpenAPI document: ${ajv.errorsText(validate.errors)}`,
          );
        }
      }),
      { numRuns: FUZZ_RUNS, seed: Number(process.env.FUZZ_SEED ?? Date.now() % 2 ** 31) },
    );
    // The generators reach the happy paths and the error paths alike.
    expect([...statuses.values()].reduce((a, b) => a + b, 0)).toBe(FUZZ_RUNS);
    expect([...statuses.keys()]).toEqual(expect.arrayContaining([200, 202, 400, 401, 403, 405, 415]));
    expect([...outcomes]).toEqual(
      expect.arrayContaining([
        'valid-samples 202',
        'valid-samples 200',
        'write-samples 400',
        'read-samples 400',
        'analytics 400',
      ]),
    );

    const [invariants] = await t.query<{
      points_without_one_timeseries: number;
      timeseries_without_point: number;
      devices_without_points: number;
      samples_without_timeseries: number;
    }>(`
      SELECT
        (SELECT count(*) FROM point p WHERE (SELECT count(*) FROM timeseries t WHERE t.device_id = p.device_id AND t.point_id = p.point_id) <> 1)::int AS points_without_one_timeseries,
        (SELECT count(*) FROM timeseries t WHERE NOT EXISTS (SELECT 1 FROM point p WHERE p.device_id = t.device_id AND p.point_id = t.point_id))::int AS timeseries_without_point,
        (SELECT count(*) FROM device d WHERE NOT EXISTS (SELECT 1 FROM point p WHERE p.device_id = d.id))::int AS devices_without_points,
        (SELECT count(*) FROM sample s WHERE NOT EXISTS (SELECT 1 FROM timeseries t WHERE t.series_key = s.series_key))::int AS samples_without_timeseries`);
    expect(invariants).toEqual({
      points_without_one_timeseries: 0,
      timeseries_without_point: 0,
      devices_without_points: 0,
      samples_without_timeseries: 0,
    });
  });
});
