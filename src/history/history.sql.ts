import { prepared } from '../database/prepared-statement';
import { raw, sql } from '../database/sql';
import { BLOCK_COLUMNS, decodeBlock, encodeBlocks, REPLACE_BLOCK, SERIES_LOCK } from '../series/sample-blocks.sql';

/**
 * The SQL of packing (docs/storage.md), run by SamplePacker: which series have rows to pack, the
 * period their blocks have, and the pack itself.
 */

export interface PackCandidateRow {
  series_key: number;
  metric: number;
  count: number;
  first_us: number;
  last_us: number;
  /** The length of the series' existing blocks in seconds; null: none yet. */
  period_seconds: number | null;
}

/** Every series × metric with rows before `before`, how many, their span, and the period of its blocks if any. */
export const PACK_CANDIDATES = prepared<{ before: string }, PackCandidateRow>(
  'history.candidates.v1',
  (p) => sql`
SELECT r.series_key, r.metric, r.count, r.first_us, r.last_us,
       (SELECT extract(epoch FROM b.period_end - b.period_start)::float8 FROM sample_block b
        WHERE b.series_key = r.series_key AND b.metric = r.metric LIMIT 1) AS period_seconds
FROM (
  SELECT series_key, metric, count(*)::float8 AS count,
         (extract(epoch FROM min(ts)) * 1000000)::float8 AS first_us, (extract(epoch FROM max(ts)) * 1000000)::float8 AS last_us
  FROM sample WHERE ts < ${p.before}::timestamptz
  GROUP BY series_key, metric
) r
ORDER BY r.series_key, r.metric`,
);

/** Takes the series' SERIES_LOCK for this transaction, unless another transaction holds it. */
export const TRY_LOCK_SERIES = prepared<{ seriesKey: number }, { locked: boolean }>(
  'history.try-lock.v1',
  (p) => sql`SELECT pg_try_advisory_xact_lock(${raw(String(SERIES_LOCK))}, ${p.seriesKey}::int4) AS locked`,
);

/** A pack: the rows of one series × metric in [from, to), into blocks of `unit` (hour, day or month of UTC). */
export interface PackParams {
  seriesKey: number;
  metric: number;
  from: string;
  to: string;
  unit: 'hour' | 'day' | 'month';
}

/**
 * Moves the rows of one series × metric in [from, to) into the blocks of their periods, in one
 * statement: the rows are deleted and every block they fall in is written again with them (a
 * row replaces the block's sample of the same instant: the row is the newer write). Run under the
 * series' lock, in its own transaction with the rollups of its days (REBUILD_ROLLUPS): a crash
 * leaves the rows or the blocks and their rollups, never both or none.
 */
export interface PackRow {
  packed: number;
  blocks: number;
  /** The instants of the first and last sample packed (null: none), for the rollups of their days. */
  first_ts: string | null;
  last_ts: string | null;
}

export const PACK = prepared<PackParams, PackRow>('history.pack.v2', (p) => {
  const local = raw(`m.ts AT TIME ZONE 'UTC'`);
  return sql`
WITH moved AS (
  DELETE FROM sample
  WHERE series_key = ${p.seriesKey}::int4 AND metric = ${p.metric}::int2
    AND ts >= ${p.from}::timestamptz AND ts < ${p.to}::timestamptz
  RETURNING series_key, metric, ts, val, ingested_at
), placed AS (
  SELECT m.series_key, m.metric,
         date_trunc(${p.unit}::text, ${local}) AT TIME ZONE 'UTC' AS period_start,
         (date_trunc(${p.unit}::text, ${local}) + ('1 ' || ${p.unit}::text)::interval) AT TIME ZONE 'UTC' AS period_end,
         m.ts, m.val, m.ingested_at
  FROM moved m
), merged AS (
  SELECT * FROM placed
  UNION ALL
  SELECT b.series_key, b.metric, b.period_start, b.period_end, d.ts, d.val, d.ingested_at
  FROM sample_block b ${decodeBlock('b')}
  WHERE b.series_key = ${p.seriesKey}::int4 AND b.metric = ${p.metric}::int2
    AND b.period_start IN (SELECT DISTINCT period_start FROM placed)
    AND NOT EXISTS (SELECT 1 FROM moved x WHERE x.ts = d.ts)
), written AS (
  INSERT INTO sample_block (${BLOCK_COLUMNS}) ${encodeBlocks(raw('merged'))} ${REPLACE_BLOCK}
  RETURNING 1
)
SELECT (SELECT count(*) FROM moved)::float8 AS packed, (SELECT count(*) FROM written)::float8 AS blocks,
       (SELECT min(ts) FROM moved)::text AS first_ts, (SELECT max(ts) FROM moved)::text AS last_ts`;
});
