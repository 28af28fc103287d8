import { createHash } from 'node:crypto';

import { PreparedStatement } from '../database/prepared-statement';
import { COLUMNS, formatUtc, type SampleRow } from './samples.sql';

/**
 * The SQL of the samples analytics and lifecycle (latest, statistics, calendar aggregates,
 * delete). Every computation runs in PostgreSQL, in one statement per request after the
 * timeseries lookup; samples never travel to Node but as answers.
 */

/** The timeseries of a request, in request order (`ord`), with their series keys. */
export interface SeriesParams {
  seriesKeys: readonly number[];
  timeseriesIds: readonly string[];
  metric: number;
}

const SERIES = `(SELECT u.series_key, u.timeseries_id, u.ord::int AS ord
  FROM unnest($1::int4[], $2::uuid[]) WITH ORDINALITY AS u(series_key, timeseries_id, ord)) s`;
const bindSeries = (p: SeriesParams): unknown[] => [p.seriesKeys, p.timeseriesIds, p.metric];

export type LatestRow = SampleRow & { ord: number };

/**
 * The newest `n` samples (highest instant) of each timeseries before `before` (exclusive): per
 * series an index scan backwards from the end of its range, through the newest partitions first
 * (an ordered append), so the cost does not grow with the series' history.
 */
export const LATEST_SAMPLES = new PreparedStatement<SeriesParams & { before: string; n: number }, LatestRow>(
  'samples.latest.v1',
  `
SELECT s.ord, ${COLUMNS('s.timeseries_id::text', 'x', false)}
FROM ${SERIES}
CROSS JOIN LATERAL (
  SELECT smp.metric, smp.ts, smp.val, smp.ingested_at FROM sample smp
  WHERE smp.series_key = s.series_key AND smp.metric = $3 AND smp.ts < $4::timestamptz
  ORDER BY smp.ts DESC
  LIMIT $5
) x
ORDER BY s.ord, x.ts DESC`,
  (p) => [...bindSeries(p), p.before, p.n],
);

export interface StatsRow {
  ord: number;
  count: number;
  min: number | null;
  max: number | null;
  avg: number | null;
  sum: number | null;
  first_timestamp: string | null;
  last_timestamp: string | null;
  first_val: number | null;
  last_val: number | null;
}

/** Statistics of each timeseries over [start, end): one aggregate of its index range, first and last by index. */
export const SAMPLE_STATS = new PreparedStatement<SeriesParams & { start: string; end: string }, StatsRow>(
  'samples.stats.v1',
  `
SELECT s.ord, a.count, a.min, a.max, a.avg, a.sum,
       CASE WHEN f.ts IS NULL THEN NULL ELSE ${formatUtc('f.ts')} END AS first_timestamp,
       CASE WHEN l.ts IS NULL THEN NULL ELSE ${formatUtc('l.ts')} END AS last_timestamp,
       f.val AS first_val, l.val AS last_val
FROM ${SERIES}
CROSS JOIN LATERAL (
  SELECT count(*)::float8 AS count, min(val) AS min, max(val) AS max, avg(val) AS avg, sum(val) AS sum
  FROM sample smp
  WHERE smp.series_key = s.series_key AND smp.metric = $3 AND smp.ts >= $4::timestamptz AND smp.ts < $5::timestamptz
) a
LEFT JOIN LATERAL (
  SELECT smp.ts, smp.val FROM sample smp
  WHERE smp.series_key = s.series_key AND smp.metric = $3 AND smp.ts >= $4::timestamptz AND smp.ts < $5::timestamptz
  ORDER BY smp.ts ASC LIMIT 1
) f ON true
LEFT JOIN LATERAL (
  SELECT smp.ts, smp.val FROM sample smp
  WHERE smp.series_key = s.series_key AND smp.metric = $3 AND smp.ts >= $4::timestamptz AND smp.ts < $5::timestamptz
  ORDER BY smp.ts DESC LIMIT 1
) l ON true
ORDER BY s.ord`,
  (p) => [...bindSeries(p), p.start, p.end],
);

/** Deletes the samples of the timeseries in [start, end), in one statement (atomic); returns how many. */
export const DELETE_SAMPLES = new PreparedStatement<
  Omit<SeriesParams, 'timeseriesIds'> & { start: string; end: string },
  { deleted: number }
>(
  'samples.delete.v1',
  `
WITH deleted AS (
  DELETE FROM sample
  WHERE series_key = ANY($1::int4[]) AND metric = $2 AND ts >= $3::timestamptz AND ts < $4::timestamptz
  RETURNING 1
)
SELECT count(*)::float8 AS deleted FROM deleted`,
  (p) => [p.seriesKeys, p.metric, p.start, p.end],
);

/* ---------------------------------------------------------------------------------------------
 * Calendar aggregates
 * ------------------------------------------------------------------------------------------- */

export const AGGREGATES = ['avg', 'min', 'max', 'sum', 'count', 'first', 'last', 'twa'] as const;
export type Aggregate = (typeof AGGREGATES)[number];

/**
 * How buckets are laid on the calendar of the zone: `subDay` buckets of a fixed length in
 * absolute time, restarting at every local midnight; `days` of n local days (counted from
 * 1970-01-01); `week` from Monday; `month` from the 1st.
 */
export type BucketKind = 'subDay' | 'days' | 'week' | 'month';

export interface AggregateShape {
  kind: BucketKind;
  aggregates: readonly Aggregate[];
  /** Every bucket of the range (empty ones with count 0 and nulls), or only those with samples. */
  fill: boolean;
}

export interface AggregateParams extends SeriesParams {
  start: string;
  end: string;
  timeZone: string;
  /** subDay: the bucket length (`15 minutes`, `6 hours`); days: `n days`; week, month: unused. */
  step: string;
  /** days: n. */
  days: number;
  maxBuckets: number;
}

export interface AggregateRow {
  bucket_count: number;
  ord: number | null;
  start: string | null;
  end: string | null;
  count: number | null;
  avg?: number | null;
  min?: number | null;
  max?: number | null;
  sum?: number | null;
  first?: number | null;
  last?: number | null;
  twa?: number | null;
}

/**
 * The buckets of [start, end) on the zone's calendar, cut by the range, numbered in time order:
 * `(idx, b_start, b_end)`. Local boundaries are computed on the zone's wall clock (timestamp
 * without time zone) and turned into instants with `AT TIME ZONE`, so a day is 23 or 25 hours long
 * across a DST change; sub-day buckets step in absolute time from each local midnight.
 */
function bucketsCte(kind: BucketKind): string {
  const local = (instant: string) => `(${instant} AT TIME ZONE $6::text)`;
  const instant = (wallClock: string) => `(${wallClock} AT TIME ZONE $6::text)`;
  const cut = `greatest(b.b_start, $4::timestamptz) AS b_start, least(b.b_end, $5::timestamptz) AS b_end`;
  const unit = kind === 'week' ? 'week' : kind === 'month' ? 'month' : 'day';
  const step =
    kind === 'week'
      ? `interval '1 week'`
      : kind === 'month'
        ? `interval '1 month'`
        : kind === 'days'
          ? `$7::interval`
          : `interval '1 day'`;
  // n-day buckets count whole days from 1970-01-01 on the zone's calendar.
  const first =
    kind === 'days'
      ? `date_trunc('day', ${local('$4::timestamptz')}) - ((((date_trunc('day', ${local('$4::timestamptz')})::date - date '1970-01-01') % $8::int) + $8::int) % $8::int) * interval '1 day'`
      : `date_trunc('${unit}', ${local('$4::timestamptz')})`;
  const periods = `
  SELECT ${instant('p.local_start')} AS b_start, ${instant(`(p.local_start + ${step})`)} AS b_end
  FROM generate_series(${first}, ${local('$5::timestamptz')}, ${step}) AS p(local_start)`;
  const raw =
    kind === 'subDay'
      ? `
  SELECT q.q_start AS b_start, least(q.q_start + $7::interval, d.b_end) AS b_end
  FROM (${periods}) d
  CROSS JOIN LATERAL generate_series(d.b_start, d.b_end - interval '1 microsecond', $7::interval) AS q(q_start)`
      : periods;
  return `buckets AS (
  SELECT row_number() OVER (ORDER BY b.b_start)::int AS idx, ${cut}
  FROM (${raw}) b
  WHERE b.b_end > $4::timestamptz AND b.b_start < $5::timestamptz
)`;
}

/** An instant as RFC 3339 with the zone's offset (UTC with `Z` when the offset has seconds, before 1972). */
function formatLocal(instant: string): string {
  const wall = `(${instant} AT TIME ZONE $6::text)`;
  const offset = `(${wall} - (${instant} AT TIME ZONE 'UTC'))`;
  const fraction = `CASE WHEN date_part('microseconds', ${wall})::int % 1000000 = 0 THEN ''
              WHEN date_part('microseconds', ${wall})::int % 1000 = 0 THEN to_char(${wall}, '.MS')
              ELSE to_char(${wall}, '.US') END`;
  return `CASE WHEN date_part('second', ${offset}) <> 0 THEN ${formatUtc(instant)}
       ELSE to_char(${wall}, 'YYYY-MM-DD"T"HH24:MI:SS') || ${fraction} ||
            CASE WHEN ${offset} < interval '0' THEN '-' ELSE '+' END ||
            to_char(abs(extract(epoch FROM ${offset}))::int / 3600, 'FM00') || ':' ||
            to_char(abs(extract(epoch FROM ${offset}))::int % 3600 / 60, 'FM00') END`;
}

/** The SQL of one aggregate over a bucket's samples `x` (with `x.next_ts`, the series' next instant). */
const AGGREGATE_SQL: Record<Aggregate, string> = {
  avg: 'avg(x.val)',
  min: 'min(x.val)',
  max: 'max(x.val)',
  sum: 'sum(x.val)',
  count: 'count(*)::float8',
  // The value at the bucket's earliest (latest) instant: instants are unique within a series.
  first: '(min(ARRAY[extract(epoch FROM x.ts)::float8, x.val]))[2]',
  last: '(max(ARRAY[extract(epoch FROM x.ts)::float8, x.val]))[2]',
  // Each sample's value holds until the series' next sample (or the bucket's end, whichever is
  // first), over the part of the bucket from its first sample to its end.
  twa:
    'sum(x.val * extract(epoch FROM least(coalesce(x.next_ts, b.b_end), b.b_end) - x.ts)::float8) / ' +
    'nullif(extract(epoch FROM b.b_end - min(x.ts))::float8, 0)',
};

function aggregatesText({ kind, aggregates, fill }: AggregateShape): string {
  // count is always computed: empty buckets are told apart by it (fill) and it is cheap.
  const wanted = AGGREGATES.filter((a) => a === 'count' || aggregates.includes(a));
  const twa = wanted.includes('twa');
  const columns = wanted.map((a) => `${AGGREGATE_SQL[a]} AS "${a}"`).join(',\n         ');
  const outer = wanted.map((a) => (a === 'count' ? 'coalesce(g.count, 0) AS count' : `g."${a}"`)).join(', ');
  const rows = fill
    ? `FROM ${SERIES} CROSS JOIN buckets b LEFT JOIN grouped g ON g.ord = s.ord AND g.idx = b.idx`
    : `FROM grouped g JOIN buckets b ON b.idx = g.idx JOIN ${SERIES} ON s.ord = g.ord`;
  return `
WITH parameters AS (
  -- Every parameter typed, whether or not this shape uses it.
  SELECT $6::text AS time_zone, $7::interval AS step, $8::int AS days, $9::int AS max_buckets
), ${bucketsCte(kind)},
bucket_count AS (SELECT count(*)::int AS n FROM buckets),
starts AS (SELECT array_agg(b_start ORDER BY idx) AS a FROM buckets),
samples AS (
  SELECT s.ord, smp.ts, smp.val,
         width_bucket(smp.ts, (SELECT a FROM starts)) AS idx${twa ? ',\n         lead(smp.ts) OVER (PARTITION BY s.ord ORDER BY smp.ts) AS next_ts' : ''}
  FROM ${SERIES}
  JOIN sample smp ON smp.series_key = s.series_key AND smp.metric = $3
   AND smp.ts >= $4::timestamptz AND smp.ts < $5::timestamptz
  WHERE (SELECT n FROM bucket_count) <= $9
),
grouped AS (
  SELECT x.ord, x.idx,
         ${columns}
  FROM samples x JOIN buckets b ON b.idx = x.idx
  GROUP BY x.ord, x.idx, b.b_end
),
answer AS (
  SELECT s.ord, b.idx, ${formatLocal('b.b_start')} AS start, ${formatLocal('b.b_end')} AS "end", ${outer}
  ${rows}
  WHERE (SELECT n FROM bucket_count) <= $9
)
SELECT c.n AS bucket_count, a.*
FROM bucket_count c LEFT JOIN answer a ON true
ORDER BY a.ord, a.idx`;
}

const cache = new Map<string, PreparedStatement<AggregateParams, AggregateRow>>();

/**
 * The aggregate statement of a request's shape (bucket kind, aggregates, fill): built once per
 * shape and prepared once per connection, named after its text.
 */
export function aggregateStatement(shape: AggregateShape): PreparedStatement<AggregateParams, AggregateRow> {
  const text = aggregatesText(shape);
  let statement = cache.get(text);
  if (!statement) {
    const name = `samples.aggregates.${createHash('sha256').update(text).digest('hex').slice(0, 16)}`;
    statement = new PreparedStatement<AggregateParams, AggregateRow>(name, text, (p) => [
      ...bindSeries(p),
      p.start,
      p.end,
      p.timeZone,
      p.step,
      p.days,
      p.maxBuckets,
    ]);
    cache.set(text, statement);
  }
  return statement;
}
