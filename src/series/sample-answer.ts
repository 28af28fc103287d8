import type { SampleDto } from './dto/sample.dto';
import { metricName } from './metrics';
import type { SampleRow } from './series.sql';

/** A sample row as the API answers it. */
export function toSampleDto(row: SampleRow): SampleDto {
  return {
    timeseriesId: row.timeseries_id,
    metric: metricName(row.metric),
    timestamp: row.timestamp,
    val: row.val,
    unixTimestamp: row.unix_ms,
    ingestUnixTimestamp: row.ingest_unix_ms,
  };
}

/**
 * A sample row as JSON, in SampleDto's order: what the documented serializer writes for a page,
 * written directly for answers streamed without it (an export).
 */
export function sampleJson(row: SampleRow): string {
  return (
    `{"timeseriesId":"${row.timeseries_id}","metric":"${metricName(row.metric)}","timestamp":"${row.timestamp}",` +
    `"val":${JSON.stringify(row.val)},"unixTimestamp":${row.unix_ms},"ingestUnixTimestamp":${row.ingest_unix_ms}}`
  );
}
