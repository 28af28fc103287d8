import { readFileSync } from 'node:fs';
import { join } from 'node:path';

import Ajv, { type ValidateFunction } from 'ajv';
import fc from 'fast-check';

import { WITHOUT_CONTROL_CHARACTERS } from '../../src/devices/dto/limits';
import { startTestApp, type TestApp } from '../support/test-app';
import { token, uniqueCollection, uniqueDevice } from '../support/tokens';

const openapi = JSON.parse(readFileSync(join(__dirname, '..', '..', 'docs', 'openapi.json'), 'utf8')) as {
  paths: Record<
    string,
    Record<string, { responses: Record<string, { content?: Record<string, { schema?: object }> }> }>
  >;
};

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

  beforeAll(async () => {
    t = await startTestApp({ MAX_POINTS_PER_REQUEST: '50' });
  });
  afterAll(() => t.close());

  const safeText = fc
    .string({ unit: 'grapheme', minLength: 1, maxLength: 20 })
    .filter((s) => /\S/.test(s) && WITHOUT_CONTROL_CHARACTERS.test(s));
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
  const request = fc.oneof(
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
        } else {
          method = r.method;
          payload = '[]';
          headers['content-type'] = 'application/json';
        }
        const response = await t.request({ method: method as 'GET', url, headers, payload });
        statuses.set(response.statusCode, (statuses.get(response.statusCode) ?? 0) + 1);

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
      { numRuns: 2000, seed: Number(process.env.FUZZ_SEED ?? Date.now() % 2 ** 31) },
    );
    // The generators reach the happy paths and the error paths alike.
    expect([...statuses.values()].reduce((a, b) => a + b, 0)).toBeGreaterThanOrEqual(2000);
    expect([...statuses.keys()]).toEqual(expect.arrayContaining([200, 202, 400, 401, 403, 405, 415]));

    const [invariants] = await t.query<{
      points_without_one_timeseries: number;
      timeseries_without_point: number;
      devices_without_points: number;
    }>(`
      SELECT
        (SELECT count(*) FROM point p WHERE (SELECT count(*) FROM timeseries t WHERE t.device_id = p.device_id AND t.point_id = p.point_id) <> 1)::int AS points_without_one_timeseries,
        (SELECT count(*) FROM timeseries t WHERE NOT EXISTS (SELECT 1 FROM point p WHERE p.device_id = t.device_id AND p.point_id = t.point_id))::int AS timeseries_without_point,
        (SELECT count(*) FROM device d WHERE NOT EXISTS (SELECT 1 FROM point p WHERE p.device_id = d.id))::int AS devices_without_points`);
    expect(invariants).toEqual({
      points_without_one_timeseries: 0,
      timeseries_without_point: 0,
      devices_without_points: 0,
    });
  });
});
