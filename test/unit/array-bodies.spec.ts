import { readFileSync } from 'node:fs';
import { join } from 'node:path';

import fc from 'fast-check';

import { InvalidRequestError } from '../../src/common/errors';
import type { JsonArrayPipe } from '../../src/common/json-array.pipe';
import { loadConfig } from '../../src/config/config';
import { PointListPipe } from '../../src/devices/pipes/point-list.pipe';
import { SampleListPipe } from '../../src/samples/pipes/sample-list.pipe';
import { parseInstant } from '../../src/series/instants';
import { edgeText, repeated } from '../support/arbitraries';
import { compileDocumented, documentAjv } from '../support/documented-operations';

/**
 * One definition per rule: each array body is checked three ways that must agree. The fast path
 * (the item's JSON schema, compiled by Ajv, then converted) and the DTO path (class-validator on
 * the item's DTO, which explains) accept exactly the same bodies; and the OpenAPI document (what a
 * generated client validates against) accepts every body the service accepts, refusing only what
 * no JSON schema can say (the calendar and range of an instant, a number too large for a double).
 */
const openapi = JSON.parse(readFileSync(join(__dirname, '..', '..', 'docs', 'openapi.json'), 'utf8')) as {
  paths: Record<string, Record<string, { requestBody: { content: Record<string, { schema: object }> } }>>;
};
const ajv = documentAjv(openapi);
const documented = (path: string) =>
  compileDocumented(ajv, openapi.paths[path]!.post!.requestBody.content['application/json']!.schema);

/** The verdicts of the three: undefined where a path refused the body. */
function verdicts<Item extends object, Batch>(pipe: JsonArrayPipe<Item, Batch>, body: unknown) {
  let dto: Batch | undefined;
  try {
    dto = pipe.viaDto(body);
  } catch (error) {
    if (!(error instanceof InvalidRequestError)) throw error;
  }
  return { schema: pipe.viaSchema(body), dto };
}

const MAX = loadConfig({}).limits;

describe('the points body: schema, DTO and OpenAPI document agree', () => {
  const pipe = new PointListPipe(loadConfig({}));
  const document = documented('/apollo/devices/{deviceId}/timeseries');
  const text = fc.oneof(edgeText, repeated(['x'], [63, 64, 65, 255, 256, 257]), repeated(['😀'], [64, 65, 256, 257]));
  const value = fc.oneof(
    { weight: 6, arbitrary: text },
    { weight: 1, arbitrary: fc.oneof(fc.integer(), fc.constant(null), fc.boolean(), fc.object({ maxDepth: 1 })) },
  );
  const item = fc.oneof(
    { weight: 6, arbitrary: fc.record({ id: value, pointType: value }) },
    { weight: 1, arbitrary: fc.record({ id: value, pointType: value, extra: value }) },
    { weight: 1, arbitrary: fc.record({ id: value, pointType: value }, { requiredKeys: [] }) },
    {
      weight: 1,
      arbitrary: fc.oneof(fc.constant(null), fc.integer(), fc.string(), fc.array(fc.integer(), { maxLength: 2 })),
    },
  );
  const body = fc.oneof(
    { weight: 8, arbitrary: fc.array(item, { maxLength: 4 }) },
    { weight: 1, arbitrary: fc.oneof(fc.constant(null), fc.string(), fc.integer(), fc.object({ maxDepth: 1 })) },
  );

  it('agree on every generated body, valid or not', () => {
    let accepted = 0;
    fc.assert(
      fc.property(body, (b) => {
        const { schema, dto } = verdicts(pipe, b);
        expect(schema).toEqual(dto);
        // The document says nothing the service does not: every body it takes, the document takes.
        expect(document(b)).toBe(dto !== undefined);
        if (dto) accepted += 1;
      }),
      { numRuns: 4000 },
    );
    expect(accepted).toBeGreaterThan(100);
  });

  it.each([
    [[{ id: 'x'.repeat(256), pointType: 't'.repeat(64) }], true],
    [[{ id: '😀'.repeat(256), pointType: 't' }], true],
    [[{ id: 'x'.repeat(257), pointType: 't' }], false],
    [[{ id: ' ', pointType: 't' }], false],
    [[{ id: 'a\u0085', pointType: 't' }], false],
    [[{ id: 'p', pointType: 't', constructor: 'x' }], false],
    [[], false],
    [Array.from({ length: MAX.maxPointsPerRequest + 1 }, (_, i) => ({ id: `p${i}`, pointType: 't' })), false],
  ])('agree on %j', (b, expected) => {
    const { schema, dto } = verdicts(pipe, b);
    expect([schema !== undefined, dto !== undefined, document(b)]).toEqual([expected, expected, expected]);
  });
});

describe('the samples body: schema, DTO and OpenAPI document agree', () => {
  const pipe = new SampleListPipe(loadConfig({}));
  const document = documented('/apollo/devices/{deviceId}/timeseries/samples');
  const uuid = fc.oneof(
    { weight: 8, arbitrary: fc.uuid() },
    { weight: 1, arbitrary: fc.uuid().map((id) => id.toUpperCase()) },
    { weight: 1, arbitrary: fc.constantFrom('0b5bd0a4-4c7e-4a8c-9d0c-3f4b1de3b6a', 'not-a-uuid', '', 7, null) },
  );
  const instant = fc.oneof(
    {
      weight: 6,
      arbitrary: fc
        .date({ min: new Date('1900-01-01T00:00:00Z'), max: new Date('2099-12-31T23:59:59Z'), noInvalidDate: true })
        .chain((date) =>
          fc.constantFrom('Z', 'z', '+01:00', '-05:30').map((offset) => date.toISOString().replace('Z', offset)),
        ),
    },
    fc.constantFrom(
      '2026-11-26T08:00:00.123456Z',
      '2026-11-26t08:00:00Z',
      '2026-02-29T00:00:00Z', // not a leap year: the shape of an instant, not one
      '2028-02-29T00:00:00Z',
      '2026-11-26T24:00:00Z',
      '2026-11-26T23:59:60Z',
      '2026-11-26T08:00:00+24:00',
      '1899-12-31T23:59:59.999999Z',
      '1900-01-01T00:30:00+01:00',
      '2100-01-01T00:00:00Z',
      '2026-11-26T08:00:00.1234567Z',
      '2026-11-26 08:00:00Z',
      '2026-11-26T08:00:00',
      '',
      1795680000000,
      null,
    ),
  );
  const val = fc.oneof(
    { weight: 4, arbitrary: fc.double() },
    fc.constantFrom(21.5, '21.5', '-3', '1e-3', '.5', '5.', '+2', 'NaN', 'Infinity', '', ' 1', '0x1', '1e999', '1e308'),
    fc.constantFrom('9'.repeat(64), '9'.repeat(65), null, true, {}, [1], Number.POSITIVE_INFINITY),
  );
  const metric = fc.oneof({ weight: 4, arbitrary: fc.constant('Raw') }, fc.constantFrom('raw', 'Average', null, 0));
  const item = fc.oneof(
    {
      weight: 8,
      arbitrary: fc.record(
        { timeseriesId: uuid, val, timestamp: instant, metric },
        { requiredKeys: ['timeseriesId', 'val', 'timestamp'] },
      ),
    },
    { weight: 1, arbitrary: fc.record({ timeseriesId: uuid, val, timestamp: instant, mertic: metric }) },
    { weight: 1, arbitrary: fc.record({ timeseriesId: uuid, val, timestamp: instant }, { requiredKeys: [] }) },
    {
      weight: 1,
      arbitrary: fc.oneof(fc.constant(null), fc.integer(), fc.string(), fc.array(fc.integer(), { maxLength: 2 })),
    },
  );
  const body = fc.oneof(
    { weight: 8, arbitrary: fc.array(item, { maxLength: 3 }) },
    { weight: 1, arbitrary: fc.oneof(fc.constant(null), fc.string(), fc.integer(), fc.object({ maxDepth: 1 })) },
  );

  /** What only the service can tell: an instant off the calendar or out of range, a value that is not finite. */
  const unschemable = (b: unknown) =>
    Array.isArray(b) &&
    b.some((sample: { timestamp?: unknown; val?: unknown }) => {
      const offCalendar = typeof sample.timestamp === 'string' && !parseInstant(sample.timestamp).ok;
      const infinite =
        (typeof sample.val === 'number' || typeof sample.val === 'string') && !Number.isFinite(Number(sample.val));
      return offCalendar || infinite;
    });

  it('agree on every generated body, valid or not', () => {
    let accepted = 0;
    let onlyDocumented = 0;
    fc.assert(
      fc.property(body, (b) => {
        const { schema, dto } = verdicts(pipe, b);
        expect(schema).toEqual(dto);
        if (dto) accepted += 1;
        if (dto !== undefined) expect(document(b)).toBe(true);
        else if (document(b)) {
          onlyDocumented += 1;
          expect(unschemable(b)).toBe(true);
        }
      }),
      { numRuns: 4000 },
    );
    expect(accepted).toBeGreaterThan(100);
    // The corpus reaches the rules a pattern cannot say.
    expect(onlyDocumented).toBeGreaterThan(10);
  });

  it.each([
    [
      { timeseriesId: '0B5BD0A4-4C7E-4A8C-9D0C-3F4B1DE3B6A1', val: '21.5', timestamp: '2026-11-26T09:00:00+01:00' },
      true,
    ],
    [{ timeseriesId: '0b5bd0a4-4c7e-4a8c-9d0c-3f4b1de3b6a1', val: 1, timestamp: '2026-02-29T00:00:00Z' }, false],
    [
      { timeseriesId: '0b5bd0a4-4c7e-4a8c-9d0c-3f4b1de3b6a1', val: 1, timestamp: '2026-11-26T08:00:00Z', metric: null },
      false,
    ],
    [{ timeseriesId: '0b5bd0a4-4c7e-4a8c-9d0c-3f4b1de3b6a1', val: Infinity, timestamp: '2026-11-26T08:00:00Z' }, false],
    [{ timeseriesId: '0b5bd0a4-4c7e-4a8c-9d0c-3f4b1de3b6a1', val: '1e999', timestamp: '2026-11-26T08:00:00Z' }, false],
  ])('agree on %j', (sample, expected) => {
    const { schema, dto } = verdicts(pipe, [sample]);
    expect([schema !== undefined, dto !== undefined]).toEqual([expected, expected]);
  });
});
