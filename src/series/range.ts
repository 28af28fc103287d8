import { InvalidRequestError } from '../common/errors';
import { instantForDatabase, parseInstant } from './instants';

/** A range of instants in epoch µs, `[startUs, endUs)`; null: unbounded on that side. */
export interface Range {
  startUs: number | null;
  endUs: number | null;
}

/**
 * `startTime` (inclusive) and `endTime` (exclusive), each optional, as the query DTOs validated
 * them; startTime must come first (a 400 naming startTime otherwise).
 */
export function rangeOf(startTime: string | undefined, endTime: string | undefined): Range {
  const startUs = startTime === undefined ? null : instantOf(startTime);
  const endUs = endTime === undefined ? null : instantOf(endTime);
  if (startUs !== null && endUs !== null && startUs >= endUs) {
    throw new InvalidRequestError('startTime must be before endTime', [
      { path: 'startTime', message: 'startTime must be before endTime' },
    ]);
  }
  return { startUs, endUs };
}

/** The epoch µs of an instant a DTO validated. */
export function instantOf(text: string): number {
  const parsed = parseInstant(text);
  // The query DTO validated it already: this is not a request's mistake.
  if (!parsed.ok) throw new Error(`instantOf: "${text}" ${parsed.problem}`);
  return parsed.us;
}

/** An end of a range as PostgreSQL reads it exactly: an instant, or `-infinity` / `infinity` when unbounded. */
export function databaseInstant(us: number | null, unbounded: '-infinity' | 'infinity'): string {
  return us === null ? unbounded : instantForDatabase(us);
}
