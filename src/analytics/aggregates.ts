/**
 * The vocabulary of calendar aggregates, shared by the query DTO (what a request may ask), the
 * service and the SQL (what is computed).
 */

/** What a bucket can hold besides its bounds; `count` is in every bucket. */
export const AGGREGATES = ['avg', 'min', 'max', 'sum', 'count', 'first', 'last', 'twa'] as const;
export type Aggregate = (typeof AGGREGATES)[number];
export const DEFAULT_AGGREGATES = 'avg';

/** A comma-separated subset of AGGREGATES: the `aggregates` parameter's one definition. */
export const AGGREGATES_PATTERN = `^(${AGGREGATES.join('|')})(,(${AGGREGATES.join('|')}))*$`;

/** none: buckets without samples are left out; null: every bucket of the range, empty ones with count 0 and nulls. */
export const FILLS = ['none', 'null'] as const;
export type Fill = (typeof FILLS)[number];

/** Most buckets one timeseries may have in one aggregates request. */
export const MAX_BUCKETS = 10_000;
export const TOO_MANY_BUCKETS = `The range holds more than ${MAX_BUCKETS} buckets of this granularity: use a shorter range or a longer granularity`;

/**
 * How buckets are laid on the calendar of the zone: `subDay` buckets of a fixed length in
 * absolute time, restarting at every local midnight; `days` of n local days (counted from
 * 1970-01-01); `week` from Monday; `month` from the 1st.
 */
export type BucketKind = 'subDay' | 'days' | 'week' | 'month';

/** The aggregates a request asks for, each once, in the request's order (`count` is always computed). */
export function aggregatesOf(list: string | undefined): Aggregate[] {
  return [...new Set((list ?? DEFAULT_AGGREGATES).split(','))] as Aggregate[];
}
