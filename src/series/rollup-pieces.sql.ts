import { raw, sql, type Sql } from '../database/sql';
import { OVERLAID, samplesIn } from './sample-blocks.sql';
import { dayOf, PREFIX, ROLLED, ROLLUP_HOUR, SUFFIX } from './sample-rollups.sql';
import { epochUs } from './series.sql';

/**
 * Reading rollups (docs/storage.md#rollups): the pieces a bucket of stats or aggregates is made
 * of, from the days' summaries where the buckets hold whole UTC hours, and from the samples for
 * the rest. Written by sample-rollups.sql.ts.
 */

/**
 * The buckets a read of summaries answers, as SQL arrays in bucket order (1-based `idx`): their
 * bounds `starts`/`ends`, the whole UTC hours each holds (`coreStartHours`/`coreEndHours`: the bucket's
 * start rounded up and its end rounded down to an hour; empty when the first is not before the
 * second), and the parts of buckets outside those hours (`gapStarts`/`gapEnds`, sorted, disjoint):
 * the samples there are read raw.
 */
export interface SummaryBuckets {
  starts: Sql;
  ends: Sql;
  /** The cores' bounds in epoch hours (int8[]; -/+ 2^62 for an open range). */
  coreStartHours: Sql;
  coreEndHours: Sql;
  gapStarts: Sql;
  gapEnds: Sql;
}

/** Whether a gap of `g` meets [lo, hi] (instants): the last gap starting by `hi` ends after `lo`. */
const gapsMeet = (g: SummaryBuckets, lo: Sql, hi: Sql) =>
  sql`coalesce((${g.gapEnds})[width_bucket(${hi}, ${g.gapStarts})] > ${lo}, false)`;

export interface SummarySource {
  /** The relation of the series (a row each, with `ord`, `seriesKey` and `rowDays`), for the summaries. */
  seriesRows: Sql;
  ord: Sql;
  seriesKey: Sql;
  metric: Sql;
  start: Sql;
  end: Sql;
  /** The UTC days (timestamptz[]) of the series that hold rows in the range: they are read raw. */
  rowDays: Sql;
  /**
   * The UTC days (timestamptz[], ascending) of the series that have a rollup row in the range: a
   * block is skipped only when its day has one, so a block written without its rollup (by an older
   * instance during an upgrade) is read raw, not lost.
   */
  rolledDays: Sql;
  buckets: SummaryBuckets;
  /**
   * Whether a block of a month (no rollups) that lies wholly in one bucket and holds no row in its
   * span answers as its summary, its samples not decoded: not for `twa`, which a block's summary lacks.
   */
  wholeBlocks: boolean;
}

/**
 * The pieces `(idx, c, sm, mn, mx, fu, fv, lu, lv, area)` of one series and metric in the buckets:
 * the count, sum, min and max of a span of samples in bucket `idx`, its first and last instant (epoch
 * microseconds) and value, and `area` (Σ val × seconds to the next sample, within the span). A piece
 * is a day's, a run of hours' or an hour's summary, a whole block's (`wholeBlocks`), or one sample
 * read raw: a rolled sample of a day with rows (which overlay it) or outside the buckets' whole
 * hours, a row, a sample of a month's block. Pieces do not overlap in time, so the next piece's
 * first instant is the next sample's, and a bucket's aggregates are the pieces' (analytics).
 *
 * A day meets its first bucket and its last (often the same): each of those parts is the whole day,
 * a prefix or a suffix, one entry read in place. Any other part (a bucket inside the day, shorter
 * than it) is read an hour at a time.
 *
 * `summaries` are the pieces `(ord, idx, …)` of every series of `seriesRows` at once (one scan of
 * their rollups); `perSeries` the others `(idx, …)`, of the series `seriesKey` (a LATERAL of it).
 */
export function piecesOf(s: SummarySource): { summaries: Sql; perSeries: Sql } {
  const g = s.buckets;
  const rowDay = (day: Sql) => sql`${day} = ANY(${s.rowDays})`;
  // A binary search of the sorted days.
  const hasRollup = (day: Sql) =>
    sql`coalesce((${s.rolledDays})[width_bucket(${day}, ${s.rolledDays})] = ${day}, false)`;
  const inOneBucket = sql`(width_bucket(b.first_ts, ${g.starts}) > 0 AND b.last_ts < (${g.ends})[width_bucket(b.first_ts, ${g.starts})])`;
  const blockDay = dayOf(raw('b.period_start'));
  const rolledCovered = sql`(${ROLLED('b')} AND ${hasRollup(blockDay)} AND NOT ${rowDay(blockDay)} AND NOT ${gapsMeet(g, raw('b.first_ts'), raw('b.last_ts'))})`;
  const wholeCovered = s.wholeBlocks ? sql`(NOT ${ROLLED('b')} AND NOT v.overlaid AND ${inOneBucket})` : sql`false`;
  const rawSamples = samplesIn(
    {
      seriesKey: s.seriesKey,
      metric: s.metric,
      within: (ts) => sql`${ts} >= ${s.start} AND ${ts} < ${s.end}`,
      from: s.start,
      to: s.end,
    },
    sql`NOT ${rolledCovered} AND NOT ${wholeCovered}`,
    sql`(NOT ${ROLLED('b')} OR NOT ${hasRollup(blockDay)} OR ${rowDay(dayOf(raw('d.ts')))} OR ${gapsMeet(g, raw('d.ts'), raw('d.ts'))})`,
  );
  // The whole hours of bucket `i` in the day that starts at epoch hour `dh`, as hours from its
  // midnight: [ha, hb), in integers (the buckets' cores are epoch hours too).
  const hoursIn = (i: string, dh: string) => ({
    ha: sql`(greatest((${g.coreStartHours})[${raw(i)}], ${raw(dh)}) - ${raw(dh)})`,
    hb: sql`(least((${g.coreEndHours})[${raw(i)}], ${raw(dh)} + 24) - ${raw(dh)})`,
  });
  const [first, last] = [hoursIn('r.i1', 'r.dh'), hoursIn('r.i2', 'r.dh')];
  // A part read in place: the whole day, a prefix (from midnight) or a suffix (to midnight).
  const inPlace = (ha: string, hb: string) => `(${ha} < ${hb} AND (${ha} = 0 OR ${hb} = 24))`;
  const part = (ha: string, hb: string) =>
    raw(`CASE WHEN ${ha} = 0 AND ${hb} = 24
      THEN ARRAY[q.count, q.sum_val, q.min_val, q.max_val, q.first_us, q.first_val, q.last_us, q.last_val, q.area]
    WHEN ${ha} = 0 THEN ARRAY[${[PREFIX.count, PREFIX.sum, PREFIX.min, PREFIX.max].map((f) => `q.prefix[${hb}][${f}]`).join(', ')},
      q.first_us, q.first_val, q.prefix[${hb}][${PREFIX.lastUs}], q.prefix[${hb}][${PREFIX.lastVal}], q.prefix[${hb}][${PREFIX.area}]]
    ELSE ARRAY[${[SUFFIX.count, SUFFIX.sum, SUFFIX.min, SUFFIX.max, SUFFIX.firstUs, SUFFIX.firstVal].map((f) => `q.suffix[${ha} + 1][${f}]`).join(', ')},
      q.last_us, q.last_val, q.suffix[${ha} + 1][${SUFFIX.area}]] END`);
  const hour = (field: keyof typeof ROLLUP_HOUR) => raw(`d.hours[hr.h + 1][${ROLLUP_HOUR[field]}]`);
  const middle = hoursIn('k.idx', 'd.dh');
  // The days of rollups in the range without rows; (SELECT …): once, not for every row.
  // Each series' own index range (OFFSET 0: not a join of every series' rollups).
  const rollupDays = sql`FROM ${s.seriesRows} CROSS JOIN LATERAL (
          SELECT r.* FROM sample_rollup r
          WHERE r.series_key = ${s.seriesKey} AND r.metric = ${s.metric} AND r.day >= (SELECT ${dayOf(s.start)}) AND r.day < ${s.end}
          OFFSET 0
        ) r
        WHERE NOT ${rowDay(raw('r.day'))}`;
  // A day wholly in the core of the bucket of its midnight (most days of a month, a week, a range).
  const wholeIn = sql`width_bucket(r.day, ${g.starts})`;
  const dayHour = sql`(date_part('epoch', r.day) / 3600)::int8`;
  const whole = sql`coalesce(${dayHour} >= (${g.coreStartHours})[${wholeIn}] AND ${dayHour} + 24 <= (${g.coreEndHours})[${wholeIn}], false)`;
  const summaries = sql`(
  -- The whole days, from their columns.
  SELECT ${s.ord} AS ord, ${wholeIn} AS idx, r.count::float8 AS c, r.sum_val AS sm, r.min_val AS mn, r.max_val AS mx,
         r.first_us AS fu, r.first_val AS fv, r.last_us AS lu, r.last_val AS lv, r.area
  ${rollupDays} AND ${whole}
  UNION ALL
  SELECT * FROM (
  WITH days AS MATERIALIZED (
    -- Each other day: the buckets of its first and last instants
    -- (i1, i2), the whole hours of each in the day, and each part read in place (v1, v2) when it is
    -- the whole day, a prefix or a suffix: the arrays are read here, once, and not carried on.
    SELECT q.ord, q.dh, q.i1, q.i2, q.ha1, q.hb1, q.ha2, q.hb2, q.hours,
           CASE WHEN ${raw(inPlace('q.ha1', 'q.hb1'))} THEN ${part('q.ha1', 'q.hb1')} END AS v1,
           CASE WHEN q.i2 > q.i1 AND ${raw(inPlace('q.ha2', 'q.hb2'))} THEN ${part('q.ha2', 'q.hb2')} END AS v2
    FROM (
      SELECT r.*, ${first.ha} AS ha1, ${first.hb} AS hb1, ${last.ha} AS ha2, ${last.hb} AS hb2 FROM (
        SELECT ${s.ord} AS ord, ${dayHour} AS dh, r.count::float8 AS count, r.sum_val, r.min_val, r.max_val, r.first_us,
               r.first_val, r.last_us, r.last_val, r.area, r.prefix, r.suffix, r.hours,
               greatest(width_bucket(greatest(r.day, ${s.start}), ${g.starts}), 1) AS i1,
               width_bucket(least(r.day + interval '1 day', ${s.end}) - interval '1 microsecond', ${g.starts}) AS i2
        ${rollupDays} AND NOT ${whole}
        OFFSET 0
      ) r
      OFFSET 0
    ) q
  )
  SELECT d.ord, d.i1 AS idx, d.v1[1] AS c, d.v1[2] AS sm, d.v1[3] AS mn, d.v1[4] AS mx, d.v1[5] AS fu, d.v1[6] AS fv,
         d.v1[7] AS lu, d.v1[8] AS lv, d.v1[9] AS area
  FROM days d WHERE d.v1[1] > 0
  UNION ALL
  SELECT d.ord, d.i2, d.v2[1], d.v2[2], d.v2[3], d.v2[4], d.v2[5], d.v2[6], d.v2[7], d.v2[8], d.v2[9]
  FROM days d WHERE d.v2[1] > 0
  UNION ALL
  SELECT d.ord, k.idx, ${hour('count')}, ${hour('sum')}, ${hour('min')}, ${hour('max')}, ${hour('firstUs')},
         ${hour('firstVal')}, ${hour('lastUs')}, ${hour('lastVal')}, ${hour('area')}
  FROM days d
  CROSS JOIN LATERAL generate_series(d.i1, d.i2) AS k(idx)
  CROSS JOIN LATERAL (SELECT ${middle.ha} AS ha, ${middle.hb} AS hb OFFSET 0) h
  CROSS JOIN LATERAL generate_series(h.ha, h.hb - 1) AS hr(h)
  -- Only the days with a part not read in place (a bucket shorter than the day, inside it).
  WHERE (d.i2 - d.i1 > 1 OR NOT ${raw(inPlace('d.ha1', 'd.hb1'))} OR (d.i2 > d.i1 AND NOT ${raw(inPlace('d.ha2', 'd.hb2'))}))
    AND NOT ((k.idx = d.i1 OR k.idx = d.i2) AND ${raw(inPlace('h.ha', 'h.hb'))}) AND ${hour('count')} > 0
  ) parts
)`;
  const perSeries = sql`(
  SELECT width_bucket(x.ts, ${g.starts}) AS idx, 1::float8 AS c, x.val AS sm, x.val AS mn, x.val AS mx,
         ${epochUs(raw('x.ts'))} AS fu, x.val AS fv, ${epochUs(raw('x.ts'))} AS lu, x.val AS lv, 0::float8 AS area
  FROM ${rawSamples} x${
    s.wholeBlocks
      ? sql`
  UNION ALL
  SELECT width_bucket(b.first_ts, ${g.starts}), b.count::float8, b.sum_val, b.min_val, b.max_val,
         ${epochUs(raw('b.first_ts'))}, b.first_val, ${epochUs(raw('b.last_ts'))}, b.last_val, NULL::float8
  FROM sample_block b ${OVERLAID}
  WHERE b.series_key = ${s.seriesKey} AND b.metric = ${s.metric} AND b.first_ts >= ${s.start} AND b.last_ts < ${s.end}
    AND ${wholeCovered}`
      : sql``
  }
)`;
  return { summaries, perSeries };
}
