import { validateSync } from 'class-validator';
import fc from 'fast-check';

import { compileSafeText, IsSafeText, SAFE_TEXT_PATTERN, safeTextSchema } from '../../src/common/safe-text';
import { edgeText, repeated } from '../support/arbitraries';

const MAX = 8;

class Probe {
  @IsSafeText(MAX)
  value!: string;
}

const classValidator = (value: string): boolean => validateSync(Object.assign(new Probe(), { value })).length === 0;
const compiled = compileSafeText(MAX);
/** What an OpenAPI tool does with the documented pattern: with the `u` flag (Ajv, most) or without. */
const documented = safeTextSchema(MAX);
const withUnicodeFlag = new RegExp(documented.pattern, 'u');
const withoutFlag = new RegExp(documented.pattern);
const documentedLength = (value: string) => [...value].length <= documented.maxLength && value.length >= 1;

/**
 * The safe-text rule has one definition (SAFE_TEXT_PATTERN); the compiled fast path, the
 * class-validator decorator and the OpenAPI pattern are derived from it and must agree on every
 * string: blanks, control characters, lone surrogates, pairs, combining marks, length edges.
 */
describe('the safe-text rule', () => {
  const text = fc.oneof(edgeText, repeated(['x', '😀', 'e\u0301'], [MAX - 1, MAX, MAX + 1]));

  it('is decided alike by Ajv, class-validator and the documented pattern, with and without the u flag', () => {
    let accepted = 0;
    fc.assert(
      fc.property(text, (value) => {
        const verdict = compiled(value);
        if (verdict) accepted += 1;
        expect([value, classValidator(value)]).toEqual([value, verdict]);
        expect([value, withUnicodeFlag.test(value) && documentedLength(value)]).toEqual([value, verdict]);
        expect([value, withoutFlag.test(value) && documentedLength(value)]).toEqual([value, verdict]);
      }),
      { numRuns: 5000 },
    );
    expect(accepted).toBeGreaterThan(500);
  });

  it.each([
    ['Gerät 1', true],
    [' spaced ', true],
    ['😀', true],
    ['e\u0301', true],
    ['a\u00a0b', true],
    ['', false],
    ['   ', false],
    ['\u00a0', false],
    ['a\u0000', false],
    ['a\u001f', false],
    ['a\u007f', false],
    ['a\u0085', false],
    ['\ud800', false],
    ['a\udc00b', false],
    ['\udc00\ud800', false],
  ])('decides %j: %s', (value, expected) => {
    expect(compiled(value)).toBe(expected);
    expect(classValidator(value)).toBe(expected);
    expect(withUnicodeFlag.test(value)).toBe(expected);
    expect(withoutFlag.test(value)).toBe(expected);
  });

  it.each([
    ['   ', 'value must not be empty or blank'],
    ['a\u0000', 'value must not contain control characters'],
    ['\ud800x', 'value must be well-formed Unicode (no lone surrogates)'],
    ['x'.repeat(MAX + 1), `value must be at most ${MAX} characters`],
  ])('explains why %j is refused', (value, message) => {
    const [error] = validateSync(Object.assign(new Probe(), { value }), { stopAtFirstError: true });
    expect(Object.values(error?.constraints ?? {})).toEqual([message]);
  });

  it('is the pattern the OpenAPI document shows', () => {
    expect(documented).toEqual({ type: 'string', minLength: 1, maxLength: MAX, pattern: SAFE_TEXT_PATTERN });
  });
});
