import { createHash } from 'node:crypto';

import { prepared, PreparedStatement } from '../database/prepared-statement';
import { join, raw, sql, type ParamRefs, type Sql } from '../database/sql';
import { samplesOf, valuesOf } from '../series/sample-blocks.sql';
import { formatUtc, sampleColumns, type SampleRow } from '../series/series.sql';
import { AGGREGATES, type Aggregate, type BucketKind } from './aggregates';
import { PIECE_AGGREGATE_SQL, piecesCte, series, type SeriesParams } from './summaries.sql';

// The request's series are defined beside the summaries, which share them (no import cycle).
export type { SeriesParams };

/**
 * The SQL of the analytics (latest, statistics, calendar aggregates), run by AnalyticsRepository.
 * Every computation runs in PostgreSQL, in one statement per request after the timeseries lookup;
 * samples never travel to Node but as answers. Samples come from both tiers (samplesOf), each
 * series' in instant order, so sums add up in the same order wherever the samples are stored.
 */

export type LatestRow = SampleRow & { ord: number };

/** The samples of series `s` in [start, end) from both tiers, in instant order. */
const inRange = (
  p: ParamRefs<{ metric: number; start: string; end: string }>,
  limit?: { descending: boolean; n: Sql },
) =>
  samplesOf({
    seriesKey: raw('s.series_key'),
    metric: sql`${p.metric}::int2`,
    within: (ts) => sql`${ts} >= ${p.start}::timestamptz AND ${ts} < ${p.end}::timestamptz`,
    from: sql`${p.start}::timestamptz`,
    to: sql`${p.end}::timestamptz`,
    order: { descending: limit?.descending ?? false, limit: limit?.n },
  });

/**
 * The newest `n` samples (highest instant) of each timeseries before `before` (exclusive): per
 * series an index scan backwards from the end of its range, through the newest partitions first
 * (an ordered append), and the newest blocks first, so the cost does not grow with the series' history.
 */
export const LATEST_SAMPLES = prepared<SeriesParams & { before: string; n: number }, LatestRow>(
  'analytics.latest.v3',
  (p) => sql`
SELECT s.ord, ${sampleColumns(raw('s.timeseries_id::text'), 'x')}
FROM ${series(p)}
CROSS JOIN LATERAL ${samplesOf({
    seriesKey: raw('s.series_key'),
    metric: sql`${p.metric}::int2`,
    within: (ts) => sql`${ts} < ${p.before}::timestamptz`,
    from: raw(`'-infinity'::timestamptz`),
    to: sql`${p.before}::timestamptz`,
    order: { descending: true, limit: sql`${p.n}` },
  })} x
ORDER BY s.ord, x.ts DESC`,
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

/**
 * Statistics of each timeseries over [start, end): one aggregate of its values in instant order
 * (the values of whole blocks without their instants), first and last.
 */
export const SAMPLE_STATS = prepared<SeriesParams & { start: string; end: string }, StatsRow>(
  'analytics.stats.v3',
  (p) => {
    return sql`
SELECT s.ord, a.count, a.min, a.max, a.avg, a.sum,
       CASE WHEN f.ts IS NULL THEN NULL ELSE ${formatUtc('f.ts')} END AS first_timestamp,
       CASE WHEN l.ts IS NULL THEN NULL ELSE ${formatUtc('l.ts')} END AS last_timestamp,
       f.val AS first_val, l.val AS last_val
FROM ${series(p)}
CROSS JOIN LATERAL (
  SELECT count(*)::float8 AS count, min(val) AS min, max(val) AS max, avg(val) AS avg, sum(val) AS sum
  FROM ${valuesOf({ seriesKey: raw('s.series_key'), metric: sql`${p.metric}::int2`, start: sql`${p.start}::timestamptz`, end: sql`${p.end}::timestamptz` })} smp
) a
LEFT JOIN LATERAL ${inRange(p, { descending: false, n: raw('1') })} f ON true
LEFT JOIN LATERAL ${inRange(p, { descending: true, n: raw('1') })} l ON true
ORDER BY s.ord`;
  },
);

/* ---------------------------------------------------------------------------------------------
 * Calendar aggregates: one statement per shape (bucket kind, aggregates asked, fill)
 * ------------------------------------------------------------------------------------------- */

export interface AggregateShape {
  kind: BucketKind;
  aggregates: readonly Aggregate[];
  /** Every bucket of the range (empty ones with count 0 and nulls), or only those with samples. */
  fill: boolean;
  /** From summaries where the buckets hold whole UTC hours (SAMPLES_ROLLUPS), else from samples. */
  rollups: boolean;
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

export type AggregateRefs = ParamRefs<AggregateParams>;

/**
 * The buckets of [start, end) on the zone's calendar, cut by the range, numbered in time order:
 * `(idx, b_start, b_end)`. Local boundaries are computed on the zone's wall clock (timestamp
 * without time zone) and turned into instants with `AT TIME ZONE`, so a day is 23 or 25 hours long
 * across a DST change; sub-day buckets step in absolute time from each local midnight.
 */
function buckets(p: AggregateRefs, kind: BucketKind): Sql {
  const zone = (expression: Sql) => sql`(${expression} AT TIME ZONE ${p.timeZone}::text)`;
  const start = sql`${p.start}::timestamptz`;
  const end = sql`${p.end}::timestamptz`;
  const step = {
    week: sql`interval '1 week'`,
    month: sql`interval '1 month'`,
    days: sql`${p.step}::interval`,
    subDay: sql`interval '1 day'`,
  }[kind];
  // n-day buckets count whole days from 1970-01-01 on the zone's calendar.
  const localDay = sql`date_trunc('day', ${zone(start)})`;
  const first =
    kind === 'days'
      ? sql`${localDay} - ((((${localDay}::date - date '1970-01-01') % ${p.days}::int) + ${p.days}::int) % ${p.days}::int) * interval '1 day'`
      : sql`date_trunc(${raw(`'${kind === 'week' ? 'week' : kind === 'month' ? 'month' : 'day'}'`)}, ${zone(start)})`;
  const periods = sql`
  SELECT ${zone(raw('p.local_start'))} AS b_start, ${zone(sql`(p.local_start + ${step})`)} AS b_end
  FROM generate_series(${first}, ${zone(end)}, ${step}) AS p(local_start)`;
  const laid =
    kind === 'subDay'
      ? sql`
  SELECT q.q_start AS b_start, least(q.q_start + ${p.step}::interval, d.b_end) AS b_end
  FROM (${periods}) d
  CROSS JOIN LATERAL generate_series(d.b_start, d.b_end - interval '1 microsecond', ${p.step}::interval) AS q(q_start)`
      : periods;
  return sql`buckets AS (
  SELECT row_number() OVER (ORDER BY b.b_start)::int AS idx,
         greatest(b.b_start, ${start}) AS b_start, least(b.b_end, ${end}) AS b_end
  FROM (${laid}) b
  WHERE b.b_end > ${start} AND b.b_start < ${end}
)`;
}

/** An instant as RFC 3339 with the zone's offset (UTC with `Z` when the offset has seconds, before 1972). */
function formatLocal(p: AggregateRefs, instant: string): Sql {
  const wall = sql`(${raw(instant)} AT TIME ZONE ${p.timeZone}::text)`;
  const offset = sql`(${wall} - (${raw(instant)} AT TIME ZONE 'UTC'))`;
  const fraction = sql`CASE WHEN date_part('microseconds', ${wall})::int % 1000000 = 0 THEN ''
              WHEN date_part('microseconds', ${wall})::int % 1000 = 0 THEN to_char(${wall}, '.MS')
              ELSE to_char(${wall}, '.US') END`;
  return sql`CASE WHEN date_part('second', ${offset}) <> 0 THEN ${formatUtc(instant)}
       ELSE to_char(${wall}, 'YYYY-MM-DD"T"HH24:MI:SS') || ${fraction} ||
            CASE WHEN ${offset} < interval '0' THEN '-' ELSE '+' END ||
            to_char(abs(extract(epoch FROM ${offset}))::int / 3600, 'FM00') || ':' ||
            to_char(abs(extract(epoch FROM ${offset}))::int % 3600 / 60, 'FM00') END`;
}

/**
 * The SQL of one aggregate over a bucket's samples `x` (with `x.next_ts`, the series' next instant,
 * and `x.b_end`, the bucket's end, for twa).
 */
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
    'sum(x.val * extract(epoch FROM least(coalesce(x.next_ts, x.b_end), x.b_end) - x.ts)::float8) / ' +
    'nullif(extract(epoch FROM x.b_end - min(x.ts))::float8, 0)',
};

/** The samples CTE of the statement from samples: `(ord, ts, val, idx[, b_end, next_ts])`. */
function samplesCte(p: AggregateRefs, twa: boolean, withinLimit: Sql): Sql {
  return sql`starts AS (SELECT array_agg(b_start ORDER BY idx) AS a, array_agg(b_end ORDER BY idx) AS e FROM buckets),
samples AS (
  SELECT s.ord, smp.ts, smp.val,
         width_bucket(smp.ts, (SELECT a FROM starts)) AS idx${
           twa
             ? raw(`,
         (SELECT e FROM starts)[width_bucket(smp.ts, (SELECT a FROM starts))] AS b_end,
         lead(smp.ts) OVER (PARTITION BY s.ord ORDER BY smp.ts) AS next_ts`)
             : raw('')
         }
  FROM ${series(p)}
  CROSS JOIN LATERAL ${inRange(p)} smp
  WHERE ${withinLimit}
)`;
}

function aggregatesStatement(p: AggregateRefs, { kind, aggregates, fill, rollups }: AggregateShape): Sql {
  // count is always computed: empty buckets are told apart by it (fill) and it is cheap.
  const wanted = AGGREGATES.filter((a) => a === 'count' || aggregates.includes(a));
  const twa = wanted.includes('twa');
  const formulas = rollups ? PIECE_AGGREGATE_SQL : AGGREGATE_SQL;
  const columns = join(
    wanted.map((a) => raw(`${formulas[a]} AS "${a}"`)),
    ',\n         ',
  );
  const outer = join(wanted.map((a) => raw(a === 'count' ? 'coalesce(g.count, 0) AS count' : `g."${a}"`)));
  const rows = fill
    ? sql`FROM ${series(p)} CROSS JOIN generate_series(1, (SELECT n FROM bucket_count)) AS b(idx)
  LEFT JOIN grouped g ON g.ord = s.ord AND g.idx = b.idx`
    : sql`FROM grouped g`;
  const idx = raw(fill ? 'b.idx' : 'g.idx');
  const withinLimit = sql`(SELECT n FROM bucket_count) <= ${p.maxBuckets}::int`;
  return sql`
WITH ${buckets(p, kind)},
bucket_count AS (SELECT count(*)::int AS n FROM buckets),
${rollups ? piecesCte(p, twa, withinLimit) : samplesCte(p, twa, withinLimit)},
-- Each group adds up its samples in the order they come, instant order: no join reorders them, so
-- the sums are the same whatever plan, and wherever (rows or blocks) the samples are stored.
grouped AS (
  SELECT x.ord, x.idx,
         ${columns}
  FROM samples x
  WHERE x.idx > 0
  GROUP BY x.ord, x.idx${twa && !rollups ? raw(', x.b_end') : raw('')}
),
-- Each bucket's bounds formatted once, whatever the number of series, into arrays of \`name\`: a
-- type of fixed width (63 bytes, a label has at most 32), so a label is read by its index at once.
labels AS (
  SELECT array_agg(${formatLocal(p, 'b.b_start')}::name ORDER BY b.idx) AS starts,
         array_agg(${formatLocal(p, 'b.b_end')}::name ORDER BY b.idx) AS ends
  FROM buckets b
  WHERE ${withinLimit}
),
answer AS (
  SELECT ${raw(fill ? 's.ord' : 'g.ord')} AS ord, ${idx} AS idx, (SELECT starts FROM labels)[${idx}]::text AS start,
         (SELECT ends FROM labels)[${idx}]::text AS "end", ${outer}
  ${rows}
  WHERE ${withinLimit}
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
  const key = `${shape.kind} ${AGGREGATES.filter((a) => shape.aggregates.includes(a)).join(',')} ${shape.fill} ${shape.rollups}`;
  let statement = cache.get(key);
  if (!statement) {
    const built = prepared<AggregateParams, AggregateRow>('analytics.aggregates', (p) => aggregatesStatement(p, shape));
    const name = `analytics.aggregates.${createHash('sha256').update(built.text).digest('hex').slice(0, 16)}`;
    statement = new PreparedStatement<AggregateParams, AggregateRow>(name, built.text, built.bind);
    cache.set(key, statement);
  }
  return statement;
}
