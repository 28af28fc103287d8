/**
 * Instants as the samples API reads and writes them: RFC 3339 with an offset, to the microsecond.
 * JavaScript's Date holds milliseconds, so an instant is kept as epoch microseconds in a number
 * (exact: every instant of 1900..2099 is below 2^53 microseconds).
 */

/** The first instant a sample may have, 1900-01-01T00:00:00Z, in epoch microseconds. */
export const MIN_INSTANT_US = Date.UTC(1900, 0, 1) * 1000;
/** The first instant after the last one a sample may have, 2100-01-01T00:00:00Z. */
export const END_INSTANT_US = Date.UTC(2100, 0, 1) * 1000;

/**
 * The shape of an RFC 3339 timestamp with an offset, the one definition of it: parseByPattern
 * matches it (its groups are the fields), the DTOs document it as the OpenAPI `pattern`, and the
 * fast path (parseCanonical) is tested to agree with it. The calendar (no 2026-02-30), the time of
 * day and the range are parseInstant's to check: a pattern cannot.
 */
export const RFC3339_PATTERN =
  '^(\\d{4})-(\\d{2})-(\\d{2})[Tt](\\d{2}):(\\d{2}):(\\d{2})(?:\\.(\\d{1,6}))?(?:[Zz]|([+-])(\\d{2}):(\\d{2}))$';
const RFC3339 = new RegExp(RFC3339_PATTERN);

const OUT_OF_RANGE = 'must be between 1900-01-01T00:00:00Z and 2099-12-31T23:59:59.999999Z';

export type ParsedInstant = { ok: true; us: number } | { ok: false; problem: string };

/**
 * Epoch microseconds of an RFC 3339 timestamp with an offset (`Z` or `±hh:mm`) and at most six
 * fractional digits, within 1900-01-01T00:00:00Z..2099-12-31T23:59:59.999999Z; or why it is not
 * one. A leap second (`:60`) is refused: PostgreSQL would store it as the next minute.
 */
export function parseInstant(text: string): ParsedInstant {
  const us = parseCanonical(text);
  return us === undefined ? parseByPattern(text) : { ok: true, us };
}

/**
 * The general path of parseInstant: any offset, either case of `T` and `Z`, and the reason when
 * the text is not an instant. Exported for the test that holds the fast path to it.
 */
export function parseByPattern(text: string): ParsedInstant {
  const match = RFC3339.exec(text);
  if (!match) {
    return {
      ok: false,
      problem:
        'must be an RFC 3339 timestamp with an offset, such as 2026-11-26T08:00:00.123456Z or 2026-11-26T09:00:00+01:00',
    };
  }
  const [, y, mo, d, h, mi, s, fraction, sign, oh, om] = match;
  const year = Number(y);
  const month = Number(mo);
  const day = Number(d);
  // (Date.UTC reads years 0..99 as 1900..1999: such years are out of range anyway, refused here.)
  if (year < 1899 || year > 2100) return { ok: false, problem: OUT_OF_RANGE };
  if (month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) {
    return { ok: false, problem: `has no such date: ${y}-${mo}-${d}` };
  }
  if (Number(h) > 23 || Number(mi) > 59 || Number(s) > 59) {
    return { ok: false, problem: `has no such time of day: ${h}:${mi}:${s} (00:00:00..23:59:59)` };
  }
  if (sign !== undefined && (Number(oh) > 23 || Number(om) > 59)) {
    return { ok: false, problem: `has no such offset: ${sign}${oh}:${om}` };
  }
  const offsetMinutes = sign === undefined ? 0 : (sign === '-' ? -1 : 1) * (Number(oh) * 60 + Number(om));
  const micros = fraction === undefined ? 0 : Number(fraction.padEnd(6, '0'));
  const us =
    (Date.UTC(year, month - 1, day, Number(h), Number(mi), Number(s)) - offsetMinutes * 60_000) * 1000 + micros;
  if (us < MIN_INSTANT_US || us >= END_INSTANT_US) {
    return { ok: false, problem: OUT_OF_RANGE };
  }
  return { ok: true, us };
}

const DASH = 45;
const COLON = 58;
const DOT = 46;
const T = 84;
const Z = 90;
const ZERO = 48;

/**
 * The fast path of parseInstant, for what gateways send nearly always: `YYYY-MM-DDTHH:MM:SS`,
 * an optional fraction of 1..6 digits, `Z`, a valid date and time within the range. Character
 * codes, no regular expression, no Date but Date.UTC. Undefined for anything else (the general
 * path then decides, and says why). Same result as parseByPattern for every text it accepts.
 */
function parseCanonical(text: string): number | undefined {
  const length = text.length;
  if (length < 20 || length === 21 || length > 27 || text.charCodeAt(length - 1) !== Z) return undefined;
  if (
    text.charCodeAt(4) !== DASH ||
    text.charCodeAt(7) !== DASH ||
    text.charCodeAt(10) !== T ||
    text.charCodeAt(13) !== COLON ||
    text.charCodeAt(16) !== COLON ||
    (length > 20 && text.charCodeAt(19) !== DOT)
  ) {
    return undefined;
  }
  const year = digits(text, 0, 4);
  const month = digits(text, 5, 2);
  const day = digits(text, 8, 2);
  const hour = digits(text, 11, 2);
  const minute = digits(text, 14, 2);
  const second = digits(text, 17, 2);
  const fraction = length > 20 ? digits(text, 20, length - 21) : 0;
  if (year < 1900 || year > 2099 || month < 1 || month > 12 || day < 1 || hour > 23 || minute > 59 || second > 59) {
    return undefined;
  }
  if (Math.min(hour, minute, second, fraction) < 0 || (day > 28 && day > daysInMonth(year, month))) return undefined;
  const micros = length > 20 ? fraction * 10 ** (27 - length) : 0;
  return Date.UTC(year, month - 1, day, hour, minute, second) * 1000 + micros;
}

/** The number written by `count` decimal digits of `text` from `start`; -1 if one is not a digit. */
function digits(text: string, start: number, count: number): number {
  let value = 0;
  for (let i = start; i < start + count; i++) {
    const digit = text.charCodeAt(i) - ZERO;
    if (digit < 0 || digit > 9) return -1;
    value = value * 10 + digit;
  }
  return value;
}

/**
 * `2026-11-26T08:00:00.123Z`, or `...123456Z` when the instant has microseconds: the samples
 * API's own format (the database formats the instants it answers the same way).
 */
export function formatInstant(us: number): string {
  const ms = Math.floor(us / 1000);
  const iso = new Date(ms).toISOString();
  const rest = us - ms * 1000;
  return rest === 0 ? iso : `${iso.slice(0, -1)}${String(rest).padStart(3, '0')}Z`;
}

/** As PostgreSQL reads it exactly: `2026-11-26T08:00:00.123456Z`. */
export function instantForDatabase(us: number): string {
  const ms = Math.floor(us / 1000);
  const iso = new Date(ms).toISOString();
  return `${iso.slice(0, -1)}${String(us - ms * 1000).padStart(3, '0')}Z`;
}

function daysInMonth(year: number, month: number): number {
  return new Date(Date.UTC(year, month, 0)).getUTCDate();
}
