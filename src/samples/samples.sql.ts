import type { ArrayLiteral } from '../database/array-literal';
import { PreparedStatement } from '../database/prepared-statement';

/**
 * The SQL of the samples feature, run by SamplesRepository. A write is one statement whatever the
 * number of samples (arrays, unnest); a read is two: the timeseries lookup, then the samples.
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
}

export interface WriteSamplesRow {
  /** The device's collection; null: no such device. */
  collection_id: string | null;
  written: number;
  /** Timeseries ids of the request that are not the device's (or all, when the device is not the caller's). */
  unknown_ids: string[] | null;
}

/**
 * Writes samples in ONE statement: looks up the device and its timeseries, and inserts every
 * sample, replacing the value and ingest time of a key already stored (last write wins), unless
 * a timeseries id is not the device's, or the device is not in the caller's collections: then it
 * writes nothing and names them. A statement is atomic: all or nothing, no BEGIN/COMMIT.
 * A sample in a month without a partition fails the statement (23514): the repository creates
 * the partition and runs it again. Rows are inserted in key order, so concurrent writes of the
 * same keys wait for each other instead of deadlocking.
 */
export const WRITE_SAMPLES = new PreparedStatement<WriteSamplesParams, WriteSamplesRow>(
  'samples.write.v2',
  `
WITH the_device AS (
  SELECT collection_id FROM device WHERE id = $1
), series AS (
  SELECT t.id, t.series_key FROM timeseries t
  WHERE t.device_id = $1 AND t.id = ANY($3::uuid[])
    AND EXISTS (SELECT 1 FROM the_device WHERE collection_id = ANY($2::text[]))
), unknown AS (
  SELECT u.id FROM unnest($3::uuid[]) AS u(id) WHERE NOT EXISTS (SELECT 1 FROM series s WHERE s.id = u.id)
), written AS (
  INSERT INTO sample (series_key, metric, ts, val)
  -- Exact: float8 holds every integer of 1900..2099 in microseconds (< 2^53), times one microsecond.
  SELECT s.series_key, i.metric, timestamptz 'epoch' + i.us * interval '1 microsecond', i.val
  FROM unnest($4::text::uuid[], $5::text::int2[], $6::text::int8[], $7::text::float8[]) AS i(timeseries_id, metric, us, val)
  JOIN series s ON s.id = i.timeseries_id
  WHERE NOT EXISTS (SELECT 1 FROM unknown)
  -- Every writer takes its rows' locks in key order: concurrent writes of the same keys never deadlock.
  ORDER BY s.series_key, i.metric, i.us
  ON CONFLICT (series_key, metric, ts) DO UPDATE SET val = EXCLUDED.val, ingested_at = EXCLUDED.ingested_at
  RETURNING 1
)
SELECT (SELECT collection_id FROM the_device) AS collection_id,
       (SELECT count(*)::int FROM written) AS written,
       (SELECT array_agg(id::text) FROM unknown) AS unknown_ids`,
  (p) => [p.deviceId, p.allowedCollections, p.timeseriesIds, p.sampleTimeseriesIds, p.metrics, p.instantsUs, p.values],
);

/** The device's collection and the series keys of the requested timeseries that are the device's. */
export interface SeriesLookupRow {
  collection_id: string;
  /** Null on the device's own row when none of the ids is the device's. */
  timeseries_id: string | null;
  series_key: number | null;
}

/**
 * The device (one row, for the access check; none: no device) and, for each of the timeseries
 * ids $2 that is the device's, its series key. Ids that come back on no row are not the device's.
 */
export const LOOKUP_SERIES = new PreparedStatement<
  { deviceId: string; timeseriesIds: readonly string[] },
  SeriesLookupRow
>(
  'samples.lookup-series.v1',
  `
SELECT d.collection_id, t.id::text AS timeseries_id, t.series_key
FROM device d
LEFT JOIN timeseries t ON t.device_id = d.id AND t.id = ANY($2::uuid[])
WHERE d.id = $1`,
  (p) => [p.deviceId, p.timeseriesIds],
);

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

export interface SampleRow {
  timeseries_id: string;
  metric: number;
  /** As the API answers it: UTC, `Z`, 3 fractional digits, or 6 when the instant has microseconds. */
  timestamp: string;
  val: number;
  unix_ms: number;
  ingest_unix_ms: number;
  /** The instant in epoch microseconds (exact): the position a continuation token records. */
  ts_us: number;
}

/** The instant `alias.ts` as the API answers it (see SampleRow.timestamp), formatted by PostgreSQL. */
export const formatUtc = (instant: string) => `to_char(${instant} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS') ||
       CASE WHEN date_part('microseconds', ${instant} AT TIME ZONE 'UTC')::int % 1000 = 0
            THEN to_char(${instant} AT TIME ZONE 'UTC', '.MS"Z"')
            ELSE to_char(${instant} AT TIME ZONE 'UTC', '.US"Z"') END`;
const FORMATTED = (alias: string) => formatUtc(`${alias}.ts`);

const TS_US = (alias: string) => `(extract(epoch FROM ${alias}.ts) * 1000000)::float8 AS ts_us`;

/** The answer's columns (SampleRow), or only the position (ProbeRow). */
export const COLUMNS = (id: string, alias: string, keysOnly: boolean) =>
  keysOnly
    ? `${id} AS timeseries_id, ${alias}.metric, ${TS_US(alias)}`
    : `${id} AS timeseries_id, ${alias}.metric,
       ${FORMATTED(alias)} AS timestamp,
       ${alias}.val,
       floor(extract(epoch FROM ${alias}.ts) * 1000)::float8 AS unix_ms,
       floor(extract(epoch FROM ${alias}.ingested_at) * 1000)::float8 AS ingest_unix_ms,
       ${TS_US(alias)}`;

/** The range condition of a stream's index scan, in the read's direction. */
function rangeOf(descending: boolean, include: string): string {
  return descending
    ? `smp.ts <= $5::timestamptz AND smp.ts >= $6::timestamptz AND (smp.ts < $5::timestamptz OR ${include})`
    : `smp.ts >= $5::timestamptz AND smp.ts < $6::timestamptz AND (smp.ts > $5::timestamptz OR ${include})`;
}

interface ReadShape {
  descending: boolean;
  /** Several streams (LATERAL and a merge) or one (a plain index range scan, no sort). */
  many: boolean;
  /** A probe: positions only, of the limit-th and (limit + 1)-th samples. */
  probe: boolean;
}

/**
 * The text of a read. One stream: an index range scan in the answer's order, no sort. Several:
 * each stream an index range scan of at most `limit` samples (LATERAL), merged in the answer's
 * order, so a page reads at most streams × limit samples however deep it is. Values: series keys,
 * metrics, timeseries ids, include-bound flags (arrays for several streams), bound, other, limit.
 */
function readText({ descending, many, probe }: ReadShape): string {
  const direction = descending ? 'DESC' : 'ASC';
  const rows = probe ? '$7 + 1' : '$7';
  const tail = probe ? 'OFFSET $7 - 1 LIMIT 2' : 'LIMIT $7';
  if (!many) {
    return `
SELECT ${COLUMNS('$3::text', 'smp', probe)}
FROM sample smp
WHERE smp.series_key = $1 AND smp.metric = $2 AND ${rangeOf(descending, '$4::boolean')}
ORDER BY smp.ts ${direction}
${tail}`;
  }
  return `
SELECT ${COLUMNS('s.timeseries_id::text', 'x', probe)}
FROM unnest($1::int4[], $2::int2[], $3::uuid[], $4::boolean[]) AS s(series_key, metric, timeseries_id, include_bound)
CROSS JOIN LATERAL (
  SELECT smp.metric, smp.ts${probe ? '' : ', smp.val, smp.ingested_at'}
  FROM sample smp
  WHERE smp.series_key = s.series_key AND smp.metric = s.metric AND ${rangeOf(descending, 's.include_bound')}
  ORDER BY smp.ts ${direction}
  LIMIT ${rows}
) x
ORDER BY x.ts ${direction}, s.timeseries_id ${direction}, x.metric ${direction}
${tail}`;
}

function bindRead(many: boolean): (p: ReadSamplesParams) => unknown[] {
  return (p) => {
    if (many) {
      return [
        p.streams.map((s) => s.seriesKey),
        p.streams.map((s) => s.metric),
        p.streams.map((s) => s.timeseriesId),
        p.streams.map((s) => s.includeBound),
        p.bound,
        p.other,
        p.limit,
      ];
    }
    const [stream] = p.streams;
    if (!stream || p.streams.length !== 1) throw new Error('A one-stream read needs exactly one stream');
    return [stream.seriesKey, stream.metric, stream.timeseriesId, stream.includeBound, p.bound, p.other, p.limit];
  };
}

function readStatement<Row>(shape: ReadShape): PreparedStatement<ReadSamplesParams, Row> {
  const name = `samples.read-${shape.many ? 'many' : 'one'}.${shape.descending ? 'desc' : 'asc'}${shape.probe ? '.probe' : ''}.v1`;
  return new PreparedStatement<ReadSamplesParams, Row>(name, readText(shape), bindRead(shape.many));
}

const shapes = (probe: boolean) =>
  [false, true].flatMap((many) => [false, true].map((descending) => ({ many, descending, probe })));

/** Every read statement: [one stream, several] × [ascending, descending]. */
export const READ_SAMPLES = shapes(false).map((shape) => readStatement<SampleRow>(shape));
/** Every probe statement, in the same order. */
export const PROBE_SAMPLES = shapes(true).map((shape) => readStatement<ProbeRow>(shape));

/** The read statement of a read's shape. */
export function readStatementFor(
  streams: number,
  descending: boolean,
): PreparedStatement<ReadSamplesParams, SampleRow> {
  return READ_SAMPLES[(streams > 1 ? 2 : 0) + (descending ? 1 : 0)]!;
}

/**
 * Before an unpaginated read streams its answer (whose headers go first), its probe finds the
 * position of the `limit`-th sample and whether a (limit + 1)-th exists, reading keys only: the
 * answer's size and its ContinuationToken are known before the first byte is sent.
 */
export function probeStatementFor(
  streams: number,
  descending: boolean,
): PreparedStatement<ReadSamplesParams, ProbeRow> {
  return PROBE_SAMPLES[(streams > 1 ? 2 : 0) + (descending ? 1 : 0)]!;
}

/** The position of a read's `limit`-th and (limit + 1)-th samples (see probeStatementFor). */
export interface ProbeRow {
  timeseries_id: string;
  metric: number;
  ts_us: number;
}
