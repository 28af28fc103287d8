import { prepared } from '../database/prepared-statement';
import { raw, sql, type Sql } from '../database/sql';

/**
 * The SQL every samples feature shares: the lookup of a request's timeseries, and how a sample
 * row is answered (SampleRow), formatted by PostgreSQL.
 */

/** The device's collection and the series keys of the requested timeseries that are the device's. */
export interface SeriesLookupRow {
  collection_id: string;
  /** Null on the device's own row when none of the ids is the device's. */
  timeseries_id: string | null;
  series_key: number | null;
}

/**
 * The device (one row, for the access check; none: no device) and, for each of the requested
 * timeseries that is the device's, its series key. Ids that come back on no row are not the device's.
 */
export const LOOKUP_SERIES = prepared<{ deviceId: string; timeseriesIds: readonly string[] }, SeriesLookupRow>(
  'series.lookup.v2',
  (p) => sql`
SELECT d.collection_id, t.id::text AS timeseries_id, t.series_key
FROM device d
LEFT JOIN timeseries t ON t.device_id = d.id AND t.id = ANY(${p.timeseriesIds}::uuid[])
WHERE d.id = ${p.deviceId}`,
);

/** A sample as the statements answer it, the columns of `sampleColumns`. */
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

/** A sample's position only: what a probe reads (see the samples read). */
export type SamplePositionRow = Pick<SampleRow, 'timeseries_id' | 'metric' | 'ts_us'>;

/** An instant's epoch microseconds as float8 (exact below 2^53: numeric, then one conversion). */
export const epochUs = (ts: Sql): Sql => sql`(extract(epoch FROM ${ts}) * 1000000)::float8`;

/** The instant of epoch microseconds `us` (float8, exact): epochUs' inverse. */
export const fromEpochUs = (us: Sql): Sql => sql`(timestamptz 'epoch' + ${us} * interval '1 microsecond')`;

/** The instant `instant` (an SQL expression) as the API answers it (see SampleRow.timestamp). */
export function formatUtc(instant: string): Sql {
  return raw(`to_char(${instant} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS') ||
       CASE WHEN date_part('microseconds', ${instant} AT TIME ZONE 'UTC')::int % 1000 = 0
            THEN to_char(${instant} AT TIME ZONE 'UTC', '.MS"Z"')
            ELSE to_char(${instant} AT TIME ZONE 'UTC', '.US"Z"') END`);
}

/**
 * The columns of a SampleRow from the sample row `alias` (its `metric`, `ts`, `val`, `ingested_at`)
 * and the timeseries id `id` (an SQL expression); with `positionOnly`, those of a SamplePositionRow.
 */
export function sampleColumns(id: Sql, alias: string, positionOnly = false): Sql {
  const tsUs = sql`${epochUs(raw(`${alias}.ts`))} AS ts_us`;
  if (positionOnly) return sql`${id} AS timeseries_id, ${raw(alias)}.metric, ${tsUs}`;
  return sql`${id} AS timeseries_id, ${raw(alias)}.metric,
       ${formatUtc(`${alias}.ts`)} AS timestamp,
       ${raw(alias)}.val,
       ${raw(`floor(extract(epoch FROM ${alias}.ts) * 1000)::float8`)} AS unix_ms,
       ${raw(`floor(extract(epoch FROM ${alias}.ingested_at) * 1000)::float8`)} AS ingest_unix_ms,
       ${tsUs}`;
}
