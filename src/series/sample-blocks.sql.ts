import { prepared } from '../database/prepared-statement';
import { raw, sql, type Sql } from '../database/sql';

/**
 * The two tiers of sample storage, as SQL every samples feature shares (docs/storage.md).
 *
 * - `sample`: one row per sample; every write lands here.
 * - `sample_block`: one row per series × metric × period (a UTC hour, day or month, chosen per
 *   series from its density) holding that period's samples packed: instants as microsecond deltas
 *   (`ts_deltas`, the first 0), values as they are (`vals`), ingest instants as deltas from
 *   `first_ingested`, and a summary (count, min, max, sum, first and last instant and value).
 *   TOAST compresses the arrays: a series with a steady step has identical deltas.
 *
 * A sample is in one tier or, after a write into a packed period, in both: the row then wins
 * (it overlays the block's sample of the same instant) until the next pack merges it in. Every
 * read goes through `samplesOf`, so an answer does not depend on where its samples are.
 */

/** An advisory lock's first key for "packing or deleting the samples of series key k" (the second). */
export const SERIES_LOCK = 734_196;

/**
 * Takes the transaction-scoped SERIES_LOCK of each series key, in key order (two deletes never
 * deadlock): a delete and a pack of the same series take turns. Writes take no lock.
 */
export const LOCK_SERIES = prepared<{ seriesKeys: readonly number[] }, { locked: string }>(
  'series.lock.v1',
  (p) => sql`
SELECT pg_advisory_xact_lock(${raw(String(SERIES_LOCK))}, k)::text AS locked
FROM (SELECT DISTINCT k FROM unnest(${p.seriesKeys}::int4[]) AS u(k) ORDER BY k) keys`,
);

/**
 * The samples `d(ts, val, ingested_at, ord)` of the block `b`, in instant order (`ord` 1..count).
 * The deltas are summed as float8: exact, every epoch microsecond of 1900..2099 is below 2^53.
 */
export function decodeBlock(b: string): Sql {
  return raw(`CROSS JOIN LATERAL (
    SELECT ${b}.first_ts + (sum(u.dt::float8) OVER w) * interval '1 microsecond' AS ts, u.val,
           ${b}.first_ingested + (sum(u.di::float8) OVER w) * interval '1 microsecond' AS ingested_at, u.ord
    FROM unnest(${b}.ts_deltas, ${b}.vals, ${b}.ingested_deltas) WITH ORDINALITY AS u(dt, val, di, ord)
    WINDOW w AS (ORDER BY u.ord ROWS UNBOUNDED PRECEDING)
  ) d`);
}

/** Where a stream's samples are read: one series key and metric, and the instants wanted. */
export interface SampleSource {
  seriesKey: Sql;
  metric: Sql;
  /** The exact condition on an instant (`ts` an SQL expression of a sample's instant). */
  within: (ts: Sql) => Sql;
  /** Inclusive bounds every wanted instant lies in: blocks outside them are not opened. */
  from: Sql;
  to: Sql;
  /** In instant order, ascending or descending, at most `limit`; unordered when absent. */
  order?: { descending: boolean; limit?: Sql };
}

/**
 * The samples `(metric, ts, val, ingested_at)` of one series and metric, from both tiers: the rows,
 * and the blocks' samples that no row overlays. A block whose span holds no row (one index probe,
 * the common case) skips the per-sample check. Ordered reads take at most `limit` from each tier,
 * blocks in period order (an incremental sort, one block at a time), then merge.
 */
export function samplesOf(s: SampleSource): Sql {
  return samplesIn(s, sql`true`);
}

/** Whether a block's span holds a row (`o`: rows of the block `b`'s series and metric in [lo, hi]). */
const rowsIn = (lo: string, hi: string) =>
  raw(`o.series_key = b.series_key AND o.metric = b.metric AND o.ts >= ${lo} AND o.ts <= ${hi}`);
/** `v.overlaid`: whether a row lies in the span of the block `b`. Once per block (OFFSET 0 keeps the planner from pulling it into the per-sample filter). */
export const OVERLAID = sql`CROSS JOIN LATERAL (SELECT EXISTS (SELECT 1 FROM sample o WHERE ${rowsIn('b.first_ts', 'b.last_ts')}) AS overlaid OFFSET 0) v`;

/**
 * The values `(k1, k2, val)` of one series and metric in [start, end), in instant order by
 * (k1, k2), for statistics: a block that lies wholly in the range and holds no row in its span
 * gives its values as they are (k1 its first instant, k2 their position), its instants not decoded;
 * the rows and the other blocks' samples come with their instants (k1, k2 = 0). Blocks do not
 * overlap, nor do such blocks and rows: the order is the instants' order.
 */
export function valuesOf(s: { seriesKey: Sql; metric: Sql; start: Sql; end: Sql }): Sql {
  const whole = sql`(b.first_ts >= ${s.start} AND b.last_ts < ${s.end} AND NOT v.overlaid)`;
  const within = (ts: Sql) => sql`${ts} >= ${s.start} AND ${ts} < ${s.end}`;
  const partial = samplesIn(
    { seriesKey: s.seriesKey, metric: s.metric, within, from: s.start, to: s.end },
    sql`NOT ${whole}`,
  );
  return sql`(
  SELECT p.ts AS k1, 0::int8 AS k2, p.val FROM ${partial} p
  UNION ALL
  SELECT b.first_ts, u.ord, u.val FROM sample_block b ${OVERLAID}
  CROSS JOIN LATERAL unnest(b.vals) WITH ORDINALITY AS u(val, ord)
  WHERE b.series_key = ${s.seriesKey} AND b.metric = ${s.metric} AND ${whole}
  ORDER BY 1, 2
)`;
}

/**
 * samplesOf, of the blocks that meet `blocks` (a condition on `b` and its `v.overlaid`), and of
 * their samples those that meet `keep` (a condition on `b` and the sample's instant `d.ts`).
 */
export function samplesIn(s: SampleSource, blocks: Sql, keep: Sql = sql`true`): Sql {
  const direction = raw(s.order?.descending ? 'DESC' : 'ASC');
  const limit = s.order?.limit ? sql`LIMIT ${s.order.limit}` : sql``;
  const rowsOrder = s.order ? sql`ORDER BY smp.ts ${direction} ${limit}` : sql``;
  const blocksOrder = s.order ? sql`ORDER BY b.period_start ${direction}, d.ord ${direction} ${limit}` : sql``;
  const inSpan = (b: string) =>
    sql`${raw(b)}.series_key = ${s.seriesKey} AND ${raw(b)}.metric = ${s.metric} AND ${raw(b)}.last_ts >= ${s.from} AND ${raw(b)}.first_ts <= ${s.to}`;
  // A limited read opens only the blocks it may need, whatever the plan: in order, up to the first
  // whose predecessors (the first, cut by the range, not counted) hold \`limit\` samples.
  const blocksFrom = s.order?.limit
    ? sql`(SELECT w.* FROM (
       SELECT bb.*, sum(bb.count) OVER (ORDER BY bb.period_start ${direction} ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING)
                    - first_value(bb.count) OVER (ORDER BY bb.period_start ${direction}) AS seen
       FROM sample_block bb WHERE ${inSpan('bb')}) w
     WHERE w.seen IS NULL OR w.seen < ${s.order.limit}) b`
    : raw('sample_block b');
  const union = sql`(SELECT smp.metric, smp.ts, smp.val, smp.ingested_at FROM sample smp
   WHERE smp.series_key = ${s.seriesKey} AND smp.metric = ${s.metric} AND ${s.within(raw('smp.ts'))} ${rowsOrder})
  UNION ALL
  (SELECT b.metric, d.ts, d.val, d.ingested_at FROM ${blocksFrom}
   ${OVERLAID}
   ${decodeBlock('b')}
   WHERE ${inSpan('b')} AND ${blocks} AND ${s.within(raw('d.ts'))} AND ${keep}
     AND CASE WHEN v.overlaid THEN NOT EXISTS (SELECT 1 FROM sample o WHERE ${rowsIn('d.ts', 'd.ts')}) ELSE true END
   ${blocksOrder})`;
  return s.order ? sql`(SELECT * FROM (${union}) t ORDER BY t.ts ${direction} ${limit})` : sql`(${union})`;
}

/**
 * Blocks from samples: `x(series_key, metric, period_start, period_end, ts, val, ingested_at)` in
 * any order, one block per (series_key, metric, period_start), as the columns of sample_block.
 * The arrays are aggregated from one instant-ordered stream, so they line up sample by sample.
 */
export function encodeBlocks(x: Sql): Sql {
  return sql`
SELECT e.series_key, e.metric, e.period_start, e.period_end, e.count, e.first_ts, e.last_ts,
       e.vals[1] AS first_val, e.vals[e.count] AS last_val, e.min_val, e.max_val, e.sum_val,
       e.first_ingested, e.ts_deltas, e.vals, e.ingested_deltas
FROM (
  SELECT o.series_key, o.metric, o.period_start, max(o.period_end) AS period_end, count(*)::int AS count,
         min(o.ts) AS first_ts, max(o.ts) AS last_ts, min(o.val) AS min_val, max(o.val) AS max_val,
         sum(o.val ORDER BY o.ts) AS sum_val,
         min(o.ingested_at) FILTER (WHERE o.dt IS NULL) AS first_ingested,
         array_agg(coalesce(o.dt, 0) ORDER BY o.ts) AS ts_deltas,
         array_agg(o.val ORDER BY o.ts) AS vals,
         array_agg(coalesce(o.di, 0) ORDER BY o.ts) AS ingested_deltas
  FROM (
    SELECT x.*,
           (extract(epoch FROM x.ts - lag(x.ts) OVER w) * 1000000)::int8 AS dt,
           (extract(epoch FROM x.ingested_at - lag(x.ingested_at) OVER w) * 1000000)::int8 AS di
    FROM ${x} x
    WINDOW w AS (PARTITION BY x.series_key, x.metric, x.period_start ORDER BY x.ts)
  ) o
  GROUP BY o.series_key, o.metric, o.period_start
) e`;
}

/** The columns of sample_block, in table order: for an INSERT of `encodeBlocks`. */
export const BLOCK_COLUMNS = raw(
  'series_key, metric, period_start, period_end, count, first_ts, last_ts, first_val, last_val, ' +
    'min_val, max_val, sum_val, first_ingested, ts_deltas, vals, ingested_deltas',
);

/** An upsert's replacement of every column but the key. */
export const REPLACE_BLOCK = raw(`ON CONFLICT (series_key, metric, period_start) DO UPDATE SET
  period_end = EXCLUDED.period_end, count = EXCLUDED.count, first_ts = EXCLUDED.first_ts, last_ts = EXCLUDED.last_ts,
  first_val = EXCLUDED.first_val, last_val = EXCLUDED.last_val, min_val = EXCLUDED.min_val, max_val = EXCLUDED.max_val,
  sum_val = EXCLUDED.sum_val, first_ingested = EXCLUDED.first_ingested, ts_deltas = EXCLUDED.ts_deltas,
  vals = EXCLUDED.vals, ingested_deltas = EXCLUDED.ingested_deltas`);
