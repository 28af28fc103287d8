import { prepared } from '../database/prepared-statement';
import { raw, sql, type Sql } from '../database/sql';
import { decodeBlock } from './sample-blocks.sql';
import { epochUs } from './series.sql';

/**
 * Rollups (docs/storage.md#rollups): one `sample_rollup` row per series × metric × UTC day of packed
 * samples, written beside the blocks by the statements that write blocks (a pack, a delete that cuts
 * them) in the same transaction, so a day's summaries are those of its blocks at every commit.
 * Series whose blocks are a month long (fewer than about 500 samples a day) have none: their days
 * are cheap to read raw, and summaries would take more room than their samples.
 *
 * A row holds the day's summary and three arrays of 24 entries, one per UTC hour h:
 * - `hours[h]`: the hour's own summary (ROLLUP_HOUR's fields);
 * - `prefix[h]`: hours 0..h (PREFIX's fields); its first sample is the day's;
 * - `suffix[h]`: hours h..23 (SUFFIX's fields); its last sample is the day's.
 * So any run of whole hours is one or two entries when it touches either end of a day (a day of
 * Europe/Berlin is `suffix` of one UTC day and `prefix` of the next), else one entry an hour.
 *
 * Instants are epoch microseconds as float8 (exact below 2^53). `area` is the time-weighted sum
 * Σ val_i × (ts_{i+1} − ts_i), in seconds, over the pairs of consecutive samples that both lie in the
 * span: with the first instant and the last value it gives `twa` (see analytics.sql.ts).
 */

/** The fields of `hours[h]`, 1-based as PostgreSQL subscripts them. */
export const ROLLUP_HOUR = {
  count: 1,
  sum: 2,
  min: 3,
  max: 4,
  firstUs: 5,
  firstVal: 6,
  lastUs: 7,
  lastVal: 8,
  area: 9,
};
/** The fields of `prefix[h]` (hours 0..h). */
export const PREFIX = { count: 1, sum: 2, min: 3, max: 4, lastUs: 5, lastVal: 6, area: 7 };
/** The fields of `suffix[h]` (hours h..23). */
export const SUFFIX = { count: 1, sum: 2, min: 3, max: 4, firstUs: 5, firstVal: 6, area: 7 };

/** The UTC day holding the instant `ts` (an SQL timestamptz), as the timestamptz of its midnight. */
export const dayOf = (ts: Sql): Sql => sql`(date_trunc('day', ${ts} AT TIME ZONE 'UTC') AT TIME ZONE 'UTC')`;

/** Whether the block `b` has rollups: its period is an hour or a day (one day holds it whole). */
export const ROLLED = (b: string): Sql => raw(`(${b}.period_end - ${b}.period_start <= interval '1 day')`);

/** The columns of sample_rollup, in table order. */
export const ROLLUP_COLUMNS = raw(
  'series_key, metric, day, count, sum_val, min_val, max_val, first_us, first_val, last_us, last_val, area, ' +
    'hours, prefix, suffix',
);

/**
 * The rollup rows of the samples `x(series_key, metric, ts, val)` (whole UTC days of them), as the
 * columns of sample_rollup: every hour of a day is an entry, an empty one with count 0.
 */
export function rollupsOf(x: Sql): Sql {
  return sql`
WITH days AS (
  SELECT x.series_key, x.metric, x.ts, x.val, ${dayOf(raw('x.ts'))} AS day,
         extract(hour FROM x.ts AT TIME ZONE 'UTC')::int AS h, ${epochUs(raw('x.ts'))} AS us
  FROM ${x} x
), paired AS (
  SELECT d.*, extract(hour FROM d.next_ts AT TIME ZONE 'UTC')::int AS next_h,
         d.val * extract(epoch FROM d.next_ts - d.ts)::float8 AS area
  FROM (SELECT days.*, lead(days.ts) OVER (PARTITION BY days.series_key, days.metric, days.day ORDER BY days.ts) AS next_ts
        FROM days) d
)
SELECT q.series_key, q.metric, q.day,
       -- The day: its prefix up to hour 23, with the first sample of its suffix from hour 0.
       max(q.pc) FILTER (WHERE q.h = 23)::int AS count, max(q.psm) FILTER (WHERE q.h = 23) AS sum_val,
       max(q.pmn) FILTER (WHERE q.h = 23) AS min_val, max(q.pmx) FILTER (WHERE q.h = 23) AS max_val,
       max(q.sfu) FILTER (WHERE q.h = 0) AS first_us, max(q.sfv) FILTER (WHERE q.h = 0) AS first_val,
       max(q.plu) FILTER (WHERE q.h = 23) AS last_us, max(q.plv) FILTER (WHERE q.h = 23) AS last_val,
       max(q.parea) FILTER (WHERE q.h = 23) AS area,
       array_agg(ARRAY[q.c, q.sm, q.mn, q.mx, q.fu, q.fv, q.lu, q.lv, q.inner_area] ORDER BY q.h) AS hours,
       array_agg(ARRAY[q.pc, q.psm, q.pmn, q.pmx, q.plu, q.plv, q.parea] ORDER BY q.h) AS prefix,
       array_agg(ARRAY[q.sc, q.ssm, q.smn, q.smx, q.sfu, q.sfv, q.sarea] ORDER BY q.h) AS suffix
FROM (
  SELECT g.series_key, g.metric, g.day, g.h,
         coalesce(hh.c, 0) AS c, hh.sm, hh.mn, hh.mx, hh.fu, hh.fv, hh.lu, hh.lv, coalesce(hh.inner_area, 0) AS inner_area,
         sum(coalesce(hh.c, 0)) OVER up AS pc, sum(hh.sm) OVER up AS psm, min(hh.mn) OVER up AS pmn, max(hh.mx) OVER up AS pmx,
         (max(ARRAY[hh.lu, hh.lv]) FILTER (WHERE hh.c > 0) OVER up)[1] AS plu,
         (max(ARRAY[hh.lu, hh.lv]) FILTER (WHERE hh.c > 0) OVER up)[2] AS plv,
         coalesce(sum(e.ending) OVER up, 0) AS parea,
         sum(coalesce(hh.c, 0)) OVER down AS sc, sum(hh.sm) OVER down AS ssm, min(hh.mn) OVER down AS smn,
         max(hh.mx) OVER down AS smx,
         (min(ARRAY[hh.fu, hh.fv]) FILTER (WHERE hh.c > 0) OVER down)[1] AS sfu,
         (min(ARRAY[hh.fu, hh.fv]) FILTER (WHERE hh.c > 0) OVER down)[2] AS sfv,
         coalesce(sum(hh.starting) OVER down, 0) AS sarea
  FROM (SELECT DISTINCT a.series_key, a.metric, a.day FROM paired a) dd CROSS JOIN LATERAL (
    SELECT dd.series_key, dd.metric, dd.day, h.h FROM generate_series(0, 23) AS h(h)
  ) g
  LEFT JOIN (
    SELECT a.series_key, a.metric, a.day, a.h, count(*)::float8 AS c, sum(a.val ORDER BY a.ts) AS sm,
           min(a.val) AS mn, max(a.val) AS mx, min(a.us) AS fu, (array_agg(a.val ORDER BY a.ts))[1] AS fv,
           max(a.us) AS lu, (array_agg(a.val ORDER BY a.ts DESC))[1] AS lv,
           sum(a.area) FILTER (WHERE a.next_h = a.h) AS inner_area, sum(a.area) AS starting
    FROM paired a GROUP BY a.series_key, a.metric, a.day, a.h
  ) hh ON hh.series_key = g.series_key AND hh.metric = g.metric AND hh.day = g.day AND hh.h = g.h
  LEFT JOIN (
    SELECT a.series_key, a.metric, a.day, a.next_h AS h, sum(a.area) AS ending
    FROM paired a WHERE a.next_h IS NOT NULL GROUP BY a.series_key, a.metric, a.day, a.next_h
  ) e ON e.series_key = g.series_key AND e.metric = g.metric AND e.day = g.day AND e.h = g.h
  WINDOW up AS (PARTITION BY g.series_key, g.metric, g.day ORDER BY g.h ROWS UNBOUNDED PRECEDING),
         down AS (PARTITION BY g.series_key, g.metric, g.day ORDER BY g.h ROWS BETWEEN CURRENT ROW AND UNBOUNDED FOLLOWING)
) q
GROUP BY q.series_key, q.metric, q.day`;
}

/** The first UTC midnight at or after `ts` (dayOf: the first at or before it). */
const dayCeil = (ts: Sql) => sql`(${dayOf(sql`(${ts} - interval '1 microsecond')`)} + interval '1 day')`;

/**
 * Writes again the rollups of the days that meet [from, to) ([from, to] with `toInclusive`) for the series × metric, from their
 * blocks as they are now: the days that still have rolled blocks get their rows written (replaced),
 * the others lose theirs. Run after a statement that wrote or cut blocks, in its transaction and
 * under the series' lock (SERIES_LOCK), so rollups and blocks commit together.
 */
export const REBUILD_ROLLUPS = prepared<
  { seriesKeys: readonly number[]; metric: number; from: string; to: string; toInclusive: boolean },
  { written: number; removed: number }
>('rollups.rebuild.v1', (p) => {
  const from = dayOf(sql`${p.from}::timestamptz`);
  const to = dayCeil(
    sql`(${p.to}::timestamptz + CASE WHEN ${p.toInclusive}::boolean THEN interval '1 microsecond' ELSE interval '0' END)`,
  );
  return sql`
WITH src AS (
  SELECT b.series_key, b.metric, d.ts, d.val
  FROM sample_block b ${decodeBlock('b')}
  WHERE b.series_key = ANY(${p.seriesKeys}::int4[]) AND b.metric = ${p.metric}::int2 AND ${ROLLED('b')}
    AND b.period_start >= ${from} AND b.period_start < ${to}
), fresh AS (${rollupsOf(raw('src'))}
), written AS (
  INSERT INTO sample_rollup (${ROLLUP_COLUMNS}) SELECT * FROM fresh
  ON CONFLICT (series_key, metric, day) DO UPDATE SET
    count = EXCLUDED.count, sum_val = EXCLUDED.sum_val, min_val = EXCLUDED.min_val, max_val = EXCLUDED.max_val,
    first_us = EXCLUDED.first_us, first_val = EXCLUDED.first_val, last_us = EXCLUDED.last_us,
    last_val = EXCLUDED.last_val, area = EXCLUDED.area, hours = EXCLUDED.hours, prefix = EXCLUDED.prefix,
    suffix = EXCLUDED.suffix
  RETURNING 1
), removed AS (
  DELETE FROM sample_rollup r
  WHERE r.series_key = ANY(${p.seriesKeys}::int4[]) AND r.metric = ${p.metric}::int2
    AND r.day >= ${from} AND r.day < ${to}
    AND NOT EXISTS (SELECT 1 FROM fresh f WHERE f.series_key = r.series_key AND f.day = r.day)
  RETURNING 1
)
SELECT (SELECT count(*) FROM written)::float8 AS written, (SELECT count(*) FROM removed)::float8 AS removed`;
});
