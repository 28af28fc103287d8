import type { BucketKind } from './aggregates';

/** A bucket granularity, as the aggregate statement needs it. */
export interface Granularity {
  kind: BucketKind;
  /** subDay: `15 minutes`; days: `n days`; week, month: unused (a day, for the statement's types). */
  step: string;
  days: number;
  /** The shortest a bucket can be, in microseconds: bounds the bucket count before any SQL runs. */
  shortestUs: number;
}

const MINUTE_US = 60_000_000;
const DAY_MINUTES = 1440;
const DAY_HOURS = 24;
/** The most days an n-day bucket may have. */
const MAX_DAYS = 366;

export const GRANULARITY_FORMS = `PT{n}M (1..${DAY_MINUTES}), PT{n}H (1..${DAY_HOURS}), P{n}D (1..${MAX_DAYS}), P1W or P1M`;
/** The shape of a granularity (the numbers' ranges are parseGranularity's): its OpenAPI `pattern`. */
export const GRANULARITY_PATTERN = '^P(?:T(\\d{1,4})([MH])|(\\d{1,3})D|1W|1M)$';
const GRANULARITY = new RegExp(GRANULARITY_PATTERN);

/**
 * An ISO 8601 duration of the calendar: `PT{n}M` (whole minutes, 1..1440), `PT{n}H` (1..24),
 * `P{n}D` (1..366), `P1W` (a week from Monday) or `P1M` (a month from the 1st); undefined for
 * anything else. Minute and hour buckets start at whole multiples of their length from local
 * midnight; `PT24H`, `PT1440M` and `P1D` are the same calendar day.
 */
export function parseGranularity(text: string): Granularity | undefined {
  const match = GRANULARITY.exec(text);
  if (!match) return undefined;
  if (text === 'P1W') return { kind: 'week', step: '1 day', days: 1, shortestUs: 7 * DAY_MINUTES * MINUTE_US };
  if (text === 'P1M') return { kind: 'month', step: '1 day', days: 1, shortestUs: 28 * DAY_MINUTES * MINUTE_US };
  const [, count, unit, days] = match;
  if (days !== undefined) {
    const n = Number(days);
    return n >= 1 && n <= MAX_DAYS ? dayBuckets(n) : undefined;
  }
  const minutes = Number(count) * (unit === 'H' ? 60 : 1);
  if (minutes < 1 || minutes > DAY_MINUTES || (unit === 'H' && Number(count) > DAY_HOURS)) return undefined;
  if (minutes === DAY_MINUTES) return dayBuckets(1);
  // A day of 23 hours may cut its last bucket short, so a bucket can be that much shorter.
  return { kind: 'subDay', step: `${minutes} minutes`, days: 1, shortestUs: minutes * MINUTE_US };
}

function dayBuckets(n: number): Granularity {
  // A local day is at least 23 hours long.
  return { kind: 'days', step: `${n} days`, days: n, shortestUs: n * 23 * 60 * MINUTE_US };
}

/**
 * At most how many buckets [startUs, endUs) can hold: buckets of at least `shortestUs`, plus one
 * cut at each end, plus (sub-day) one cut before every local midnight.
 */
export function maxBucketsOf(granularity: Granularity, startUs: number, endUs: number): number {
  const span = endUs - startUs;
  const restarts = granularity.kind === 'subDay' ? Math.ceil(span / (23 * 60 * MINUTE_US)) + 1 : 0;
  return Math.ceil(span / granularity.shortestUs) + 2 + restarts;
}

/** The shape of an IANA zone name (the runtime's zone database decides): its OpenAPI `pattern`. */
export const TIME_ZONE_PATTERN = '^[A-Za-z][A-Za-z0-9_+\\-/]{0,63}$';
const TIME_ZONE = new RegExp(TIME_ZONE_PATTERN);

/** Whether the zone is an IANA zone the runtime knows (PostgreSQL is asked again when the statement runs). */
export function isTimeZone(name: string): boolean {
  if (!TIME_ZONE.test(name)) return false;
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: name });
    return true;
  } catch {
    return false;
  }
}
