import { prepared } from '../database/prepared-statement';
import { raw, sql, type ParamRefs, type Sql } from '../database/sql';
import { piecesOf } from '../series/rollup-pieces.sql';
import { dayOf } from '../series/sample-rollups.sql';
import { epochUs, formatUtc, fromEpochUs } from '../series/series.sql';
import type { Aggregate } from './aggregates';
import type { AggregateRefs, StatsRow } from './analytics.sql';

/**
 * The SQL of analytics from summaries (SAMPLES_ROLLUPS, docs/storage.md#rollups): stats and the
 * aggregates' pieces, read from the days' rollups where the buckets hold whole UTC hours, from
 * whole blocks, and from samples for the rest (piecesOf).
 */

/** The timeseries of a request, in request order (`ord`), with their series keys, and one metric. */
export interface SeriesParams {
  seriesKeys: readonly number[];
  timeseriesIds: readonly string[];
  metric: number;
}

/** The request's timeseries as rows `s(series_key, timeseries_id, ord)`. */
export const series = (p: ParamRefs<SeriesParams>): Sql => sql`(
  SELECT u.series_key, u.timeseries_id, u.ord::int AS ord
  FROM unnest(${p.seriesKeys}::int4[], ${p.timeseriesIds}::uuid[]) WITH ORDINALITY AS u(series_key, timeseries_id, ord)
) s`;

/**
 * Statistics from summaries (SAMPLES_ROLLUPS): the pieces of the range (piecesOf) as one bucket: the
 * days of rollups, the whole blocks of month-long periods, and the rest raw. Same answers as
 * SAMPLE_STATS; the sum adds up in another order (within 1e-9 relative).
 */
export const SAMPLE_STATS_FROM_ROLLUPS = prepared<SeriesParams & { start: string; end: string }, StatsRow>(
  'analytics.stats-rollups.v2',
  (p) => sql`
WITH buckets AS (SELECT 1 AS idx, ${p.start}::timestamptz AS b_start, ${p.end}::timestamptz AS b_end),
${summaryBuckets()},
${seriesDays(p)},
${allPieces(p, true)}
SELECT a.ord, a.count, a.min, a.max, a.avg, a.sum,
       CASE WHEN a.f_ts IS NULL THEN NULL ELSE ${formatUtc('a.f_ts')} END AS first_timestamp,
       CASE WHEN a.l_ts IS NULL THEN NULL ELSE ${formatUtc('a.l_ts')} END AS last_timestamp,
       a.first[2] AS first_val, a.last[2] AS last_val
FROM (
  SELECT f.*, ${fromEpochUs(raw('f.first[1]'))} AS f_ts, ${fromEpochUs(raw('f.last[1]'))} AS l_ts FROM (
    SELECT s.ord, coalesce(sum(x.c), 0)::float8 AS count, min(x.mn) AS min, max(x.mx) AS max,
           sum(x.sm) / sum(x.c) AS avg, sum(x.sm) AS sum, min(ARRAY[x.fu, x.fv]) AS first, max(ARRAY[x.lu, x.lv]) AS last
    FROM ${series(p)} LEFT JOIN pieces x ON x.ord = s.ord
    GROUP BY s.ord
  ) f
) a
ORDER BY a.ord`,
);

/**
 * The buckets' arrays for piecesOf, from `buckets(idx, b_start, b_end)`: `starts(a, e, csh, ceh, eu)`,
 * the bounds, the whole UTC hours of each bucket (its core, in epoch hours) and its end in epoch
 * microseconds, and `gaps(ns, ne)`, the parts of
 * buckets outside their cores, in time order.
 */
function summaryBuckets(): Sql {
  const hourOf = (ts: string) => raw(`(date_trunc('hour', ${ts} AT TIME ZONE 'UTC') AT TIME ZONE 'UTC')`);
  // A whole hour as epoch hours; an open end (±infinity) as ±2^62, beyond every instant.
  const hours = (ts: string) =>
    raw(
      `CASE WHEN isfinite(${ts}) THEN (date_part('epoch', ${ts}) / 3600)::int8 ` +
        `WHEN ${ts} < 'epoch' THEN -4611686018427387904 ELSE 4611686018427387904 END`,
    );
  return sql`cores AS (
  SELECT b.idx, b.b_start, b.b_end,
         CASE WHEN ${hourOf('b.b_start')} = b.b_start THEN b.b_start ELSE ${hourOf('b.b_start')} + interval '1 hour' END AS c_start,
         ${hourOf('b.b_end')} AS c_end
  FROM buckets b
),
starts AS (
  SELECT array_agg(b_start ORDER BY idx) AS a, array_agg(b_end ORDER BY idx) AS e,
         array_agg(${hours('c_start')} ORDER BY idx) AS csh, array_agg(${hours('c_end')} ORDER BY idx) AS ceh,
         array_agg(${epochUs(raw('b_end'))} ORDER BY idx) AS eu
  FROM cores
),
gaps AS (
  SELECT coalesce(array_agg(g.s ORDER BY g.s), '{}') AS ns, coalesce(array_agg(g.e ORDER BY g.s), '{}') AS ne
  FROM cores c CROSS JOIN LATERAL (
    SELECT c.b_start, c.b_end WHERE c.c_start >= c.c_end
    UNION ALL SELECT c.b_start, c.c_start WHERE c.c_start < c.c_end AND c.b_start < c.c_start
    UNION ALL SELECT c.c_end, c.b_end WHERE c.c_start < c.c_end AND c.c_end < c.b_end
  ) AS g(s, e)
)`;
}

type RangeRefs = ParamRefs<SeriesParams & { start: string; end: string }>;

/**
 * `series_days(ord, series_key, days, rolled)`: the request's series, each with the UTC days that
 * hold rows in [start, end) (read raw: rows overlay blocks) and those that have rollups.
 */
function seriesDays(p: RangeRefs): Sql {
  return sql`series_days AS MATERIALIZED (
  SELECT s.ord, s.series_key, rd.days, rr.rolled FROM ${series(p)}
  CROSS JOIN LATERAL (
    SELECT coalesce(array_agg(DISTINCT ${dayOf(raw('o.ts'))}), '{}') AS days FROM sample o
    WHERE o.series_key = s.series_key AND o.metric = ${p.metric}::int2
      AND o.ts >= ${p.start}::timestamptz AND o.ts < ${p.end}::timestamptz
  ) rd
  CROSS JOIN LATERAL (
    SELECT coalesce(array_agg(r.day ORDER BY r.day), '{}') AS rolled FROM sample_rollup r
    WHERE r.series_key = s.series_key AND r.metric = ${p.metric}::int2
      AND r.day >= (SELECT ${dayOf(sql`${p.start}::timestamptz`)}) AND r.day < ${p.end}::timestamptz
  ) rr
)`;
}

/** `pieces(ord, idx, c, sm, mn, mx, fu, fv, lu, lv, area)`: the pieces of every series (piecesOf). */
function allPieces(p: RangeRefs, wholeBlocks: boolean): Sql {
  const { summaries, perSeries } = summaryPieces(p, wholeBlocks);
  return sql`pieces AS (
  SELECT sd.ord, x.* FROM series_days sd CROSS JOIN LATERAL ${perSeries} x
  UNION ALL
  SELECT * FROM ${summaries} y
)`;
}

/** The pieces of series `s` in the buckets of `starts` and `gaps` (summaryBuckets). */
function summaryPieces(p: RangeRefs, wholeBlocks: boolean): { summaries: Sql; perSeries: Sql } {
  return piecesOf({
    seriesRows: raw('series_days sd'),
    ord: raw('sd.ord'),
    seriesKey: raw('sd.series_key'),
    metric: sql`${p.metric}::int2`,
    start: sql`${p.start}::timestamptz`,
    end: sql`${p.end}::timestamptz`,
    rowDays: raw('sd.days'),
    rolledDays: raw('sd.rolled'),
    buckets: {
      starts: raw('(SELECT a FROM starts)'),
      ends: raw('(SELECT e FROM starts)'),
      coreStartHours: raw('(SELECT csh FROM starts)'),
      coreEndHours: raw('(SELECT ceh FROM starts)'),
      gapStarts: raw('(SELECT ns FROM gaps)'),
      gapEnds: raw('(SELECT ne FROM gaps)'),
    },
    wholeBlocks,
  });
}

/**
 * The same aggregates over pieces (piecesOf: summaries of days and hours, whole blocks, or single
 * samples) `x(c, sm, mn, mx, fu, fv, lu, lv, area)` with `x.next_fu`, the series' next piece's
 * first instant, and `x.b_end`, in epoch microseconds (exact in float8, so a difference of them in
 * seconds is the same double as AGGREGATE_SQL's). A single sample is a piece of count 1 and area 0:
 * there, each formula is the one of AGGREGATE_SQL.
 */
export const PIECE_AGGREGATE_SQL: Record<Aggregate, string> = {
  avg: 'sum(x.sm) / sum(x.c)',
  min: 'min(x.mn)',
  max: 'max(x.mx)',
  sum: 'sum(x.sm)',
  count: 'sum(x.c)',
  first: '(min(ARRAY[x.fu, x.fv]))[2]',
  last: '(max(ARRAY[x.lu, x.lv]))[2]',
  // A piece's area is its samples' value × time to the next one within it; its last value holds
  // until the next piece (or the bucket's end).
  twa:
    'sum(x.area + x.lv * ((least(coalesce(x.next_fu, x.b_end), x.b_end) - x.lu) / 1000000)) / ' +
    'nullif((max(x.b_end) - min(x.fu)) / 1000000, 0)',
};

/**
 * The samples CTE of the statement from summaries: pieces `(ord, idx, c, sm, …[, b_end, next_fu])`
 * in (ord, idx, fu) order: the series' time order, as buckets follow each other in time.
 */
export function piecesCte(p: AggregateRefs, twa: boolean, withinLimit: Sql): Sql {
  return sql`${summaryBuckets()},
${seriesDays(p)},
${allPieces(p, false)},
samples AS (
  SELECT x.*${
    twa
      ? raw(`,
         (SELECT eu FROM starts)[x.idx] AS b_end,
         lead(x.fu) OVER (PARTITION BY x.ord ORDER BY x.idx, x.fu) AS next_fu`)
      : raw('')
  }
  FROM pieces x
  WHERE ${withinLimit}
)`;
}
