import fc from 'fast-check';

/**
 * Short text that exercises the safe-text rules: blanks, every kind of control character, lone
 * surrogates, combining marks and astral characters, as fast-check generates them and as fixed edge
 * cases. Length edges are added by each test for its own limits.
 */
export const edgeText = fc.oneof(
  fc.string({ maxLength: 12 }),
  fc.string({ unit: 'grapheme', maxLength: 12 }),
  fc.string({ unit: 'binary', maxLength: 12 }),
  fc.constantFrom(
    '',
    ' ',
    '\t',
    ' x ',
    'a\u0000',
    'a\u001f',
    'a\u007f',
    'a\u0085',
    'a\u00a0',
    '\ud800',
    'a\udc00b',
    '😀',
    'e\u0301',
  ),
);

/** Strings of exactly `lengths` repetitions of each unit: for maximum-length checks. */
export const repeated = (units: readonly string[], lengths: readonly number[]) =>
  fc.constantFrom(...units.flatMap((unit) => lengths.map((n) => unit.repeat(n))));
