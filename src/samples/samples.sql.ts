import type { ArrayLiteral } from '../database/array-literal';
import { prepared, type PreparedStatement } from '../database/prepared-statement';
import { raw, sql, type Sql } from '../database/sql';
import { BLOCK_COLUMNS, decodeBlock, encodeBlocks, REPLACE_BLOCK, samplesOf } from '../series/sample-blocks.sql';
import { appendSamplesEvent } from '../events/sample-events.sql';
import { sampleColumns, type SamplePositionRow, type SampleRow } from '../series/series.sql';

/**
 * The SQL of the samples feature, run by SamplesRepository. A write is one statement whatever the
 * number of samples (arrays, unnest); a read or a delete is two: the timeseries lookup (series/),
 * then one of these.
 */

/**
 * A write: the device, the caller's collections, and the samples as parallel arrays, each one
 * array literal (arrayLiteral) in request order.
 */
export interface WriteSamplesParams {
  deviceId: string;
  allowedCollections: readonly string[];
  /** The distinct timeseries ids of the request. */
  timeseriesIds: readonly string[];
  /** Per sample: its timeseries id (lower case), */
  sampleTimeseriesIds: ArrayLiteral;
  /** its metric code, */
  metrics: ArrayLiteral;
  /** its instant in epoch microseconds (an integer: exact, no text to format or parse), */
  instantsUs: ArrayLiteral;
  /** its value. */
  values: ArrayLiteral;
  /** The samples as the stream's event records them (series/sample-events.sql.ts). */
  eventPayload: string;
}

export interface WriteSamplesRow {
  /** The device's collection; null: no such device. */
  collection_id: string | null;
  written: number;
  /** Timeseries ids of the request that are not the device's (or all, when the device is not the caller's). */
  unknown_ids: string[] | null;
  /** The write's event (series/sample-events.sql.ts); null when it wrote nothing. */
  event_id: string | null;
}

/**
 * Writes samples in ONE statement: looks up the device and its timeseries, and inserts every
 * sample, replacing the value and ingest time of a key already stored (last write wins), unless
 * a timeseries id is not the device's, or the device is not in the caller's collections: then it
 * writes nothing and names them. A statement is atomic: all or nothing, no BEGIN/COMMIT.
 * A sample in a month without a partition fails the statement (23514): the repository creates
 * the partition and runs it again. Rows are inserted in key order, so concurrent writes of the
 * same keys wait for each other instead of deadlocking. A write that stored samples appends its
 * event for the live streams (appendSamplesEvent), in the same statement, so in its commit.
 */
export const WRITE_SAMPLES = prepared<WriteSamplesParams, WriteSamplesRow>(
  'samples.write.v4',
  (p) => sql`
WITH the_device AS (
  SELECT collection_id FROM device WHERE id = ${p.deviceId}
), series AS (
  SELECT t.id, t.series_key FROM timeseries t
  WHERE t.device_id = ${p.deviceId} AND t.id = ANY(${p.timeseriesIds}::uuid[])
    AND EXISTS (SELECT 1 FROM the_device WHERE collection_id = ANY(${p.allowedCollections}::text[]))
), unknown AS (
  SELECT u.id FROM unnest(${p.timeseriesIds}::uuid[]) AS u(id) WHERE NOT EXISTS (SELECT 1 FROM series s WHERE s.id = u.id)
), written AS (
  INSERT INTO sample (series_key, metric, ts, val)
  -- Exact: float8 holds every integer of 1900..2099 in microseconds (< 2^53), times one microsecond.
  SELECT s.series_key, i.metric, timestamptz 'epoch' + i.us * interval '1 microsecond', i.val
  FROM unnest(${p.sampleTimeseriesIds}::text::uuid[], ${p.metrics}::text::int2[], ${p.instantsUs}::text::int8[],
              ${p.values}::text::float8[]) AS i(timeseries_id, metric, us, val)
  JOIN series s ON s.id = i.timeseries_id
  WHERE NOT EXISTS (SELECT 1 FROM unknown)
  -- Every writer takes its rows' locks in key order: concurrent writes of the same keys never deadlock.
  ORDER BY s.series_key, i.metric, i.us
  ON CONFLICT (series_key, metric, ts) DO UPDATE SET val = EXCLUDED.val, ingested_at = EXCLUDED.ingested_at
  RETURNING 1
), ${appendSamplesEvent(p)}
SELECT (SELECT collection_id FROM the_device) AS collection_id,
       (SELECT count(*)::int FROM written) AS written,
       (SELECT array_agg(id::text) FROM unknown) AS unknown_ids,
       (SELECT id::text FROM logged) AS event_id`,
);

/** A delete: the series keys of the timeseries, one metric, and [start, end) as PostgreSQL reads instants. */
export interface DeleteSamplesParams {
  seriesKeys: readonly number[];
  metric: number;
  start: string;
  end: string;
}

/** What a delete did: how many samples, of which series keys (`[key, count]`, none for 0), and how many blocks it cut. */
export interface DeleteSamplesRow {
  deleted: number;
  blocks: number;
  by_series: [number, number][] | null;
}

/**
 * Deletes the samples in [start, end) from both tiers in one statement: how many (rows, and block samples no row overlaid),
 * and how many `blocks` it rewrote or dropped (then REBUILD_ROLLUPS). Under the series' SERIES_LOCK: no pack meanwhile.
 */
export const DELETE_SAMPLES = prepared<DeleteSamplesParams, DeleteSamplesRow>('samples.delete.v5', (p) => {
  const inRange = (ts: string) => sql`${raw(ts)} >= ${p.start}::timestamptz AND ${raw(ts)} < ${p.end}::timestamptz`;
  return sql`
WITH gone AS (
  DELETE FROM sample
  WHERE series_key = ANY(${p.seriesKeys}::int4[]) AND metric = ${p.metric} AND ${inRange('ts')}
  RETURNING series_key, ts
), hit AS (
  SELECT b.* FROM sample_block b
  WHERE b.series_key = ANY(${p.seriesKeys}::int4[]) AND b.metric = ${p.metric}
    AND b.last_ts >= ${p.start}::timestamptz AND b.first_ts < ${p.end}::timestamptz
), unpacked AS (
  SELECT b.series_key, b.metric, b.period_start, b.period_end, d.ts, d.val, d.ingested_at
  FROM hit b ${decodeBlock('b')}
), touched AS (
  SELECT DISTINCT u.series_key, u.period_start FROM unpacked u WHERE ${inRange('u.ts')}
), kept AS (
  SELECT u.* FROM unpacked u JOIN touched t USING (series_key, period_start) WHERE NOT (${inRange('u.ts')})
), rewritten AS (
  -- Data-modifying CTEs run to completion whether or not the answer reads them.
  INSERT INTO sample_block (${BLOCK_COLUMNS}) ${encodeBlocks(raw('kept'))} ${REPLACE_BLOCK}
), emptied AS (
  DELETE FROM sample_block b USING touched t
  WHERE b.series_key = t.series_key AND b.metric = ${p.metric} AND b.period_start = t.period_start
    AND NOT EXISTS (SELECT 1 FROM kept k WHERE k.series_key = t.series_key AND k.period_start = t.period_start)
), per_series AS (
  SELECT series_key, count(*)::float8 AS n FROM gone GROUP BY series_key
  UNION ALL
  SELECT u.series_key, count(*)::float8 FROM unpacked u WHERE ${inRange('u.ts')}
    AND NOT EXISTS (SELECT 1 FROM gone g WHERE g.series_key = u.series_key AND g.ts = u.ts) GROUP BY u.series_key
)
SELECT coalesce((SELECT sum(n) FROM per_series), 0)::float8 AS deleted,
       (SELECT count(*) FROM touched)::float8 AS blocks,
       (SELECT json_agg(json_build_array(series_key, n)) FROM (SELECT series_key, sum(n) AS n FROM per_series GROUP BY series_key) s) AS by_series`;
});

/** One (timeseries, metric) pair a read scans: its samples are one index range. */
export interface SampleStream {
  seriesKey: number;
  metric: number;
  timeseriesId: string;
  /** Whether samples at exactly `bound` belong to the page (false: strictly after it). */
  includeBound: boolean;
}

/**
 * A read of samples, in the answer's order: by timestamp, then timeseriesId, then metric, all
 * ascending or all descending. Keyset paging: `bound` is where the page starts (the previous
 * page's last instant, or startTime ascending / endTime descending) and `other` the far end of
 * the range (endTime ascending / startTime descending, exclusive and inclusive as the API says).
 */
export interface ReadSamplesParams {
  streams: readonly SampleStream[];
  /** Instants as PostgreSQL reads them, or '-infinity' / 'infinity'. */
  bound: string;
  other: string;
  limit: number;
}

/** The parameters of a one-stream read: the stream's fields as scalars. */
type OneStreamParams = SampleStream & Omit<ReadSamplesParams, 'streams'>;

/** The parameters of a several-stream read: the streams' fields as parallel arrays. */
interface StreamsParams extends Omit<ReadSamplesParams, 'streams'> {
  seriesKeys: number[];
  metrics: number[];
  timeseriesIds: string[];
  includeBounds: boolean[];
}

interface ReadShape {
  descending: boolean;
  /** Several streams (LATERAL and a merge) or one (a plain index range scan, no sort). */
  many: boolean;
  /** A probe: positions only, of the limit-th and (limit + 1)-th samples. */
  probe: boolean;
}

/**
 * A stream's samples from both tiers (series/sample-blocks.sql.ts) in the read's direction, at
 * most `limit`: the range condition in that direction (`include`: includeBound).
 */
function streamOf(
  p: { bound: unknown; other: unknown },
  stream: { seriesKey: Sql; metric: Sql; include: Sql },
  descending: boolean,
  limit: Sql,
): Sql {
  const bound = sql`${p.bound}::timestamptz`;
  const other = sql`${p.other}::timestamptz`;
  const within = (ts: Sql) =>
    descending
      ? sql`${ts} <= ${bound} AND ${ts} >= ${other} AND (${ts} < ${bound} OR ${stream.include})`
      : sql`${ts} >= ${bound} AND ${ts} < ${other} AND (${ts} > ${bound} OR ${stream.include})`;
  return samplesOf({
    seriesKey: stream.seriesKey,
    metric: stream.metric,
    within,
    from: descending ? other : bound,
    to: descending ? bound : other,
    order: { descending, limit },
  });
}

/**
 * One stream: an index range scan in the answer's order, no sort. A probe reads the positions of
 * the `limit`-th and (limit + 1)-th samples only.
 */
function readOne<Row>({ descending, probe }: ReadShape): PreparedStatement<OneStreamParams, Row> {
  return prepared<OneStreamParams, Row>(
    `samples.read-one.${descending ? 'desc' : 'asc'}${probe ? '.probe' : ''}.v3`,
    (p) => sql`
SELECT ${sampleColumns(sql`${p.timeseriesId}::text`, 'x', probe)}
FROM ${streamOf(
      p,
      {
        seriesKey: sql`${p.seriesKey}::int4`,
        metric: sql`${p.metric}::int2`,
        include: sql`${p.includeBound}::boolean`,
      },
      descending,
      probe ? sql`${p.limit} + 1` : sql`${p.limit}`,
    )} x
ORDER BY x.ts ${raw(descending ? 'DESC' : 'ASC')}
${probe ? sql`OFFSET ${p.limit} - 1 LIMIT 2` : sql`LIMIT ${p.limit}`}`,
  );
}

/**
 * Several streams: each an index range scan of at most `limit` samples (LATERAL), merged in the
 * answer's order, so a page reads at most streams × limit samples however deep it is.
 */
function readMany<Row>({ descending, probe }: ReadShape): PreparedStatement<StreamsParams, Row> {
  const direction = raw(descending ? 'DESC' : 'ASC');
  return prepared<StreamsParams, Row>(
    `samples.read-many.${descending ? 'desc' : 'asc'}${probe ? '.probe' : ''}.v3`,
    (p) => sql`
SELECT ${sampleColumns(raw('s.timeseries_id::text'), 'x', probe)}
FROM unnest(${p.seriesKeys}::int4[], ${p.metrics}::int2[], ${p.timeseriesIds}::uuid[], ${p.includeBounds}::boolean[])
     AS s(series_key, metric, timeseries_id, include_bound)
CROSS JOIN LATERAL ${streamOf(
      p,
      { seriesKey: raw('s.series_key'), metric: raw('s.metric'), include: raw('s.include_bound') },
      descending,
      probe ? sql`${p.limit} + 1` : sql`${p.limit}`,
    )} x
ORDER BY x.ts ${direction}, s.timeseries_id ${direction}, x.metric ${direction}
${probe ? sql`OFFSET ${p.limit} - 1 LIMIT 2` : sql`LIMIT ${p.limit}`}`,
  );
}

/** A read statement of either shape, taking ReadSamplesParams. */
export type ReadStatement<Row> = PreparedStatement<ReadSamplesParams, Row>;

function readStatement<Row>(shape: ReadShape): ReadStatement<Row> {
  if (shape.many) {
    return readMany<Row>(shape).adapt((params: ReadSamplesParams) => ({
      seriesKeys: params.streams.map((s) => s.seriesKey),
      metrics: params.streams.map((s) => s.metric),
      timeseriesIds: params.streams.map((s) => s.timeseriesId),
      includeBounds: params.streams.map((s) => s.includeBound),
      bound: params.bound,
      other: params.other,
      limit: params.limit,
    }));
  }
  return readOne<Row>(shape).adapt((params: ReadSamplesParams) => {
    const [stream] = params.streams;
    if (!stream || params.streams.length !== 1) throw new Error('A one-stream read needs exactly one stream');
    return { ...stream, bound: params.bound, other: params.other, limit: params.limit };
  });
}

const shapes = (probe: boolean): ReadShape[] =>
  [false, true].flatMap((many) => [false, true].map((descending) => ({ many, descending, probe })));

/** Every read statement: [one stream, several] × [ascending, descending]. */
export const READ_SAMPLES = shapes(false).map((shape) => readStatement<SampleRow>(shape));
/** Every probe statement, in the same order. */
export const PROBE_SAMPLES = shapes(true).map((shape) => readStatement<SamplePositionRow>(shape));

/** The read statement of a read's shape. */
export function readStatementFor(streams: number, descending: boolean): ReadStatement<SampleRow> {
  return READ_SAMPLES[(streams > 1 ? 2 : 0) + (descending ? 1 : 0)]!;
}

/**
 * Before an unpaginated read streams its answer (headers first), its probe finds the position of the `limit`-th sample
 * and whether a (limit + 1)-th exists, reading keys only: the size and ContinuationToken are known before the first byte.
 */
export function probeStatementFor(streams: number, descending: boolean): ReadStatement<SamplePositionRow> {
  return PROBE_SAMPLES[(streams > 1 ? 2 : 0) + (descending ? 1 : 0)]!;
}
