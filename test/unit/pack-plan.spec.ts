import { loadConfig } from '../../src/config/config';
import { packChunks, periodStartMs, unitOf } from '../../src/history/pack-plan';
import type { PackCandidateRow } from '../../src/history/history.sql';

const US = 1000;
const at = (iso: string) => Date.parse(iso) * US;
const candidate = (count: number, from: string, to: string, periodSeconds: number | null = null): PackCandidateRow => ({
  series_key: 7,
  metric: 0,
  count,
  first_us: at(from),
  last_us: at(to),
  period_seconds: periodSeconds,
});

describe('the period of a series’ blocks', () => {
  it('is the shortest UTC hour, day or month that holds about 500 samples at the series’ density', () => {
    expect(unitOf(candidate(3600 * 24, '2026-01-01T00:00:00Z', '2026-01-02T00:00:00Z'))).toBe('hour'); // 1 s
    expect(unitOf(candidate(1440 * 30, '2026-01-01T00:00:00Z', '2026-01-31T00:00:00Z'))).toBe('day'); // 1 min
    expect(unitOf(candidate(96 * 30, '2026-01-01T00:00:00Z', '2026-01-31T00:00:00Z'))).toBe('month'); // 15 min
    expect(unitOf(candidate(3, '2026-01-01T00:00:00Z', '2026-01-01T00:00:00Z'))).toBe('month'); // a few samples
  });

  it('stays the period of the series’ existing blocks, whatever its density now', () => {
    expect(unitOf(candidate(3600 * 24, '2026-01-01T00:00:00Z', '2026-01-02T00:00:00Z', 86_400))).toBe('day');
    expect(unitOf(candidate(3, '2026-01-01T00:00:00Z', '2026-01-02T00:00:00Z', 3600))).toBe('hour');
    expect(unitOf(candidate(1440, '2026-01-01T00:00:00Z', '2026-01-02T00:00:00Z', 28 * 86_400))).toBe('month');
  });

  it('starts on the UTC hour, day or month', () => {
    const us = at('2026-03-29T02:30:15.123Z');
    expect(new Date(periodStartMs(us, 'hour')).toISOString()).toBe('2026-03-29T02:00:00.000Z');
    expect(new Date(periodStartMs(us, 'day')).toISOString()).toBe('2026-03-29T00:00:00.000Z');
    expect(new Date(periodStartMs(us, 'month')).toISOString()).toBe('2026-03-01T00:00:00.000Z');
  });
});

describe('the transactions of a pack', () => {
  it('pack a month at a time, up to the start of the period holding the cutoff', () => {
    const chunks = packChunks(
      candidate(1440 * 50, '2026-01-20T10:00:00Z', '2026-03-10T00:00:00Z'),
      at('2026-03-05T13:00:00Z'),
    );
    expect(chunks.map((c) => [c.from, c.to, c.unit])).toEqual([
      ['2026-01-01T00:00:00.000000Z', '2026-02-01T00:00:00.000000Z', 'day'],
      ['2026-02-01T00:00:00.000000Z', '2026-03-01T00:00:00.000000Z', 'day'],
      ['2026-03-01T00:00:00.000000Z', '2026-03-05T00:00:00.000000Z', 'day'],
    ]);
  });

  it('pack nothing before a period has wholly passed the cutoff', () => {
    expect(
      packChunks(candidate(96 * 3, '2026-03-01T00:00:00Z', '2026-03-04T00:00:00Z'), at('2026-03-20T00:00:00Z')),
    ).toEqual([]);
  });
});

describe('SAMPLES_PACK_AFTER', () => {
  const packAfter = (value?: string) =>
    loadConfig(value === undefined ? {} : { SAMPLES_PACK_AFTER: value }).limits.samplesPackAfterMs;

  it('is two days by default, 0 never packs, and takes ISO 8601 weeks, days, hours, minutes and seconds', () => {
    expect(packAfter()).toBe(2 * 86_400_000);
    expect(packAfter('0')).toBe(0);
    expect(packAfter('PT12H')).toBe(12 * 3_600_000);
    expect(packAfter('P1DT6H30M')).toBe(86_400_000 + 6.5 * 3_600_000);
    expect(packAfter('P1W')).toBe(7 * 86_400_000);
    expect(packAfter('PT1.5S')).toBe(1500);
  });

  it.each(['2d', 'P', 'PT', 'P1M', 'P1Y', 'P1DT', '-P1D', 'P1.5D'])('refuses %s, naming the variable', (value) => {
    expect(() => packAfter(value)).toThrow(/^SAMPLES_PACK_AFTER must be an ISO 8601 duration/);
  });
});
