import { readFileSync } from 'node:fs';
import { join } from 'node:path';

import {
  formatInstant,
  parseByPattern,
  parseInstant,
  RFC3339_PATTERN,
  type ParsedInstant,
} from '../../src/series/instants';

/** A deterministic pseudo-random sequence (xorshift), so a failure names a reproducible case. */
function randoms(seed: number): () => number {
  let x = seed;
  return () => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    return (x >>> 0) / 2 ** 32;
  };
}

const pad = (n: number, width: number) => String(n).padStart(width, '0');

/** `YYYY-MM-DDTHH:MM:SS[.f]Z` with 0..6 fractional digits; fields drawn wide, so some are invalid. */
function canonical(random: () => number): string {
  const int = (lo: number, hi: number) => lo + Math.floor(random() * (hi - lo + 1));
  const fractionDigits = int(0, 6);
  const fraction = fractionDigits === 0 ? '' : `.${pad(int(0, 10 ** fractionDigits - 1), fractionDigits)}`;
  return (
    `${pad(int(1895, 2105), 4)}-${pad(int(0, 13), 2)}-${pad(int(0, 32), 2)}T` +
    `${pad(int(0, 24), 2)}:${pad(int(0, 60), 2)}:${pad(int(0, 61), 2)}${fraction}Z`
  );
}

const MUTATIONS = '0123456789-:.TtZz+ x/';

/** The same verdict, and the same instant or the same reason. */
const sameResult = (a: ParsedInstant, b: ParsedInstant) => JSON.stringify(a) === JSON.stringify(b);

describe('parseInstant', () => {
  it('gives what the general path gives for canonical texts, valid or not', () => {
    const random = randoms(20261202);
    let accepted = 0;
    // One expect at the end: 50,000 of them took 17 s on a busy machine.
    const disagreements: string[] = [];
    for (let i = 0; i < 50_000; i++) {
      const text = canonical(random);
      const result = parseInstant(text);
      if (!sameResult(result, parseByPattern(text))) disagreements.push(text);
      if (result.ok) accepted++;
    }
    expect(disagreements).toEqual([]);
    // The generator covers both sides: plenty of valid instants, plenty of invalid ones.
    expect(accepted).toBeGreaterThan(20_000);
    expect(accepted).toBeLessThan(45_000);
  });

  it('gives what the general path gives for texts with one character changed, added or removed', () => {
    const random = randoms(7);
    const disagreements: string[] = [];
    for (let i = 0; i < 50_000; i++) {
      const text = canonical(random);
      const at = Math.floor(random() * text.length);
      const character = MUTATIONS[Math.floor(random() * MUTATIONS.length)]!;
      const kind = Math.floor(random() * 3);
      const mutated =
        kind === 0
          ? text.slice(0, at) + character + text.slice(at + 1)
          : kind === 1
            ? text.slice(0, at) + character + text.slice(at)
            : text.slice(0, at) + text.slice(at + 1);
      if (!sameResult(parseInstant(mutated), parseByPattern(mutated))) disagreements.push(mutated);
    }
    expect(disagreements).toEqual([]);
  });

  it.each([
    ['1900-01-01T00:00:00Z', Date.UTC(1900, 0, 1) * 1000],
    ['2099-12-31T23:59:59.999999Z', Date.UTC(2099, 11, 31, 23, 59, 59, 999) * 1000 + 999],
    ['1969-12-31T23:59:59.999999Z', -1],
    ['1970-01-01T00:00:00.000001Z', 1],
    ['2000-02-29T12:00:00.5Z', Date.UTC(2000, 1, 29, 12, 0, 0, 500) * 1000],
    ['2026-11-26T09:00:00+01:00', Date.UTC(2026, 10, 26, 8) * 1000],
  ])('reads %s as %d µs', (text, us) => {
    expect(parseInstant(text)).toEqual({ ok: true, us });
  });

  it.each([
    ['1899-12-31T23:59:59.999999Z', 'must be between'],
    ['2100-01-01T00:00:00Z', 'must be between'],
    ['1900-02-29T00:00:00Z', 'has no such date'],
    ['2023-02-29T00:00:00Z', 'has no such date'],
    ['2026-01-01T24:00:00Z', 'has no such time of day'],
    ['2026-06-30T23:59:60Z', 'has no such time of day'],
    ['2026-01-01T00:00:00.Z', 'must be an RFC 3339 timestamp'],
    ['2026-01-01T00:00:00.1234567Z', 'must be an RFC 3339 timestamp'],
    ['2026-01-01T00:00:00', 'must be an RFC 3339 timestamp'],
    ['２026-01-01T00:00:00Z', 'must be an RFC 3339 timestamp'],
  ])('refuses %s: %s', (text, problem) => {
    const result = parseInstant(text);
    expect(result.ok).toBe(false);
    expect(result.ok ? '' : result.problem).toContain(problem);
  });

  it('formats what it read back to the same instant', () => {
    const random = randoms(99);
    for (let i = 0; i < 5_000; i++) {
      const text = canonical(random);
      const parsed = parseInstant(text);
      if (parsed.ok) expect(parseInstant(formatInstant(parsed.us))).toEqual(parsed);
    }
  });
});

describe('RFC3339_PATTERN, the one definition of an instant', () => {
  it('is the pattern of every instant in the OpenAPI document', () => {
    const document: unknown = JSON.parse(readFileSync(join(__dirname, '..', '..', 'docs', 'openapi.json'), 'utf8'));
    const patterns: unknown[] = [];
    const visit = (node: unknown): void => {
      if (Array.isArray(node)) node.forEach(visit);
      else if (node && typeof node === 'object') {
        const schema = node as Record<string, unknown>;
        if (schema.format === 'date-time') patterns.push(schema.pattern);
        Object.values(schema).forEach(visit);
      }
    };
    visit(document);
    // Every instant parameter and body field: startTime, endTime, before (four routes), timestamp.
    expect(patterns.length).toBeGreaterThanOrEqual(8);
    expect(new Set(patterns)).toEqual(new Set([RFC3339_PATTERN]));
  });
});
