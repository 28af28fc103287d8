import fc from 'fast-check';

import { loadConfig } from '../../src/config/config';
import { PointListPipe } from '../../src/devices/pipes/point-list.pipe';
import { compilePointListSchema } from '../../src/devices/pipes/point-list.schema';
import { edgeText, repeated } from '../support/arbitraries';

/**
 * The fast path (a compiled JSON schema) and the declared contract (class-validator on PointDto)
 * must accept exactly the same bodies: fed the same corpus, they agree on every one.
 */
describe('the JSON schema fast path and the class-validator contract', () => {
  const maxPoints = 5;
  const fast = compilePointListSchema(maxPoints);
  const pipe = new PointListPipe(loadConfig({ MAX_POINTS_PER_REQUEST: String(maxPoints) }));
  const thorough = (body: unknown): boolean => {
    try {
      (pipe as unknown as { validateThoroughly(body: unknown): unknown }).validateThoroughly(body);
      return true;
    } catch {
      return false;
    }
  };

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
    { weight: 8, arbitrary: fc.array(item, { maxLength: maxPoints + 1 }) },
    { weight: 1, arbitrary: fc.oneof(fc.constant(null), fc.string(), fc.integer(), fc.object({ maxDepth: 1 })) },
  );

  it('agree on every generated body, valid or not', () => {
    let accepted = 0;
    fc.assert(
      fc.property(body, (b) => {
        const verdict = fast(b);
        if (verdict) accepted += 1;
        expect(verdict).toBe(thorough(b));
      }),
      { numRuns: 5000 },
    );
    // The corpus holds both kinds in numbers.
    expect(accepted).toBeGreaterThan(100);
  });

  it.each([
    [[{ id: 'p', pointType: 't' }], true],
    [[{ id: 'x'.repeat(256), pointType: 't'.repeat(64) }], true],
    [[{ id: '😀'.repeat(256), pointType: 't' }], true],
    [[{ id: 'x'.repeat(257), pointType: 't' }], false],
    [[{ id: 'p', pointType: 't'.repeat(65) }], false],
    [[{ id: ' ', pointType: 't' }], false],
    [[{ id: 'a\u0085', pointType: 't' }], false],
    [[{ id: '\ud800', pointType: 't' }], false],
    [[{ id: 'p', pointType: 't', constructor: 'x' }], false],
    [[], false],
    [Array.from({ length: 6 }, (_, i) => ({ id: `p${i}`, pointType: 't' })), false],
  ])('agree on %j', (b, expected) => {
    expect(fast(b)).toBe(expected);
    expect(thorough(b)).toBe(expected);
  });
});
