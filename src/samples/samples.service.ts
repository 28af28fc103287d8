import { Readable } from 'node:stream';

import { Inject, Injectable } from '@nestjs/common';

import type { DeviceAccessScope } from '../auth/device-access-scope';
import { ContinuationTokens, invalidToken } from '../common/continuation-token';
import { InvalidRequestError } from '../common/errors';
import { APP_CONFIG } from '../config/config.module';
import type { AppConfig } from '../config/config';
import { arrayLiteral } from '../database/array-literal';
import { DEFAULT_SAMPLES_PAGE, MAX_SAMPLES_PAGE, type ReadSamplesQueryDto } from './dto/read-samples-query.dto';
import type { SampleDto } from './dto/sample.dto';
import type { SamplesAcceptedDto } from './dto/samples-accepted.dto';
import { instantForDatabase, parseInstant } from './instants';
import { metricCode, metricName, METRICS } from './metrics';
import type { SampleBatch } from './pipes/sample-list.pipe';
import { monthOf, partitionName, type Month } from './sample-partitions';
import { SampleMaintenance } from './sample-maintenance';
import { SamplesRepository } from './samples.repository';
import { TimeseriesSelection, unknownTimeseries } from './timeseries-selection';
import type { ReadSamplesParams, SampleRow, SampleStream } from './samples.sql';

/** Purpose of the samples reads' continuation tokens. */
const READ_TOKEN_PURPOSE = 'samples.read.v1';

/** Where a page ended: the last sample's instant (epoch µs), timeseries id and metric code. */
interface ReadPosition {
  t: number;
  i: string;
  m: number;
}

/** A read's answer: a page in memory, or a stream of the whole envelope (unpaginated reads). */
export type SamplesAnswer =
  | { kind: 'page'; samples: SampleDto[]; continuationToken: string | undefined }
  | { kind: 'stream'; body: Readable; continuationToken: string | undefined };

/** The domain rules of writing and reading samples; the SQL is SamplesRepository's. */
@Injectable()
export class SamplesService {
  private readonly exportLimit: number;

  constructor(
    private readonly repository: SamplesRepository,
    private readonly selection: TimeseriesSelection,
    private readonly maintenance: SampleMaintenance,
    private readonly tokens: ContinuationTokens,
    @Inject(APP_CONFIG) config: AppConfig,
  ) {
    this.exportLimit = config.limits.samplesExportLimit;
  }

  /**
   * Stores the samples of the device, all or nothing, replacing stored ones with the same
   * (timeseries, metric, instant). 403 before anything else when the device is not the caller's;
   * 400 naming the items whose timeseries is not the device's (foreign and missing alike).
   */
  async write(deviceId: string, batch: SampleBatch, access: DeviceAccessScope): Promise<SamplesAcceptedDto> {
    this.refuseExpired(batch);
    const timeseriesIds = [...new Set(batch.timeseriesIds)];
    const row = await this.repository.write(
      {
        deviceId,
        allowedCollections: access.allowed,
        timeseriesIds,
        sampleTimeseriesIds: arrayLiteral(batch.timeseriesIds),
        metrics: arrayLiteral(batch.metrics),
        instantsUs: arrayLiteral(batch.instants),
        values: arrayLiteral(batch.values),
      },
      () => monthsOf(batch.instants),
    );
    access.assertCanAccess(row.collection_id ?? undefined);
    if (row.unknown_ids && row.unknown_ids.length > 0) {
      const unknown = new Set(row.unknown_ids);
      throw unknownTimeseries(
        batch.timeseriesIds.flatMap((id, index) => (unknown.has(id) ? [`[${index}].timeseriesId`] : [])),
      );
    }
    return { accepted: row.written };
  }

  /**
   * Samples of the device's timeseries in a range, in timestamp order: a page (paginated) or the
   * whole range streamed (not paginated), with the next page's token when more remain.
   */
  async read(
    deviceId: string,
    query: ReadSamplesQueryDto,
    continuationToken: string | undefined,
    access: DeviceAccessScope,
  ): Promise<SamplesAnswer> {
    const range = rangeOf(query.startTime, query.endTime);
    const paginated = query.paginated ?? false;
    const descending = query.orderby === 'timestamp desc';
    const limit = this.limitOf(paginated, query.limit);
    const ids = query.timeseries_ids;
    const context = [
      deviceId,
      [...ids].sort(),
      query.metric ?? null,
      range.startUs,
      range.endUs,
      descending,
      paginated,
    ];
    const after = continuationToken ? this.readPosition(continuationToken, context) : undefined;

    const seriesKeys = await this.selection.seriesKeysOf(deviceId, ids, access);
    const metrics = query.metric === undefined ? METRICS.map((_, code) => code) : [metricCode(query.metric)!];
    const streams: SampleStream[] = ids.flatMap((id, index) =>
      metrics.map((metric) => ({
        seriesKey: seriesKeys[index]!,
        metric,
        timeseriesId: id,
        includeBound: after === undefined ? !descending : isAfter([id, metric], [after.i, after.m], descending),
      })),
    );
    const params: ReadSamplesParams = {
      streams,
      ...bounds(range, after, descending),
      limit: limit ?? this.exportLimit,
    };
    const issue = (position: ReadPosition) => this.tokens.issue(READ_TOKEN_PURPOSE, context, position);

    if (paginated) {
      const rows = await this.repository.readPage({ ...params, limit: params.limit + 1 }, descending);
      const page = rows.slice(0, params.limit);
      const last = page[page.length - 1];
      return {
        kind: 'page',
        samples: page.map(toSample),
        continuationToken: rows.length > params.limit && last ? issue(positionOf(last)) : undefined,
      };
    }

    const opened = await this.repository.openExport(params, descending);
    const [limitth, beyond] = opened.probe;
    if (beyond && limit === undefined) {
      await opened.close();
      throw new InvalidRequestError(
        `The range holds more than SAMPLES_EXPORT_LIMIT (${this.exportLimit}) samples: read it with paginated=true, ` +
          'or with limit and the ContinuationToken of each answer, or a shorter range',
      );
    }
    return {
      kind: 'stream',
      body: envelopeStream(opened),
      continuationToken: beyond && limitth ? issue(positionOf(limitth)) : undefined,
    };
  }

  /** Samples older than the retention would be dropped with their partition: refused, naming them. */
  private refuseExpired(batch: SampleBatch): void {
    const oldest = this.maintenance.oldestAcceptedUs();
    if (oldest === undefined) return;
    const expired = batch.instants.flatMap((us, index) => (us < oldest ? [`[${index}].timestamp`] : []));
    if (expired.length === 0) return;
    const days = this.maintenance.retention;
    const message = `timestamp is older than the retention of ${days} days (SAMPLES_RETENTION_DAYS)`;
    throw new InvalidRequestError(
      `Samples older than the retention of ${days} days are not stored: ${expired.slice(0, 5).join(', ')}${expired.length > 5 ? ` and ${expired.length - 5} more` : ''}`,
      expired.slice(0, 100).map((path) => ({ path, message })),
    );
  }

  private limitOf(paginated: boolean, limit: number | undefined): number | undefined {
    if (paginated) {
      if (limit !== undefined && limit > MAX_SAMPLES_PAGE) {
        throw limitError(`limit must be at most ${MAX_SAMPLES_PAGE} when paginated=true`);
      }
      return limit ?? DEFAULT_SAMPLES_PAGE;
    }
    if (limit !== undefined && limit > this.exportLimit) {
      throw limitError(`limit must be at most SAMPLES_EXPORT_LIMIT (${this.exportLimit}) when paginated=false`);
    }
    return limit;
  }

  private readPosition(token: string, context: readonly unknown[]): ReadPosition {
    const { t, i, m } = this.tokens.read(READ_TOKEN_PURPOSE, context, token);
    if (typeof t !== 'number' || typeof i !== 'string' || typeof m !== 'number') {
      throw invalidToken('ContinuationToken is malformed');
    }
    return { t, i, m };
  }
}

/** A range of instants in epoch µs; null: unbounded. */
export interface Range {
  startUs: number | null;
  endUs: number | null;
}

/** startTime (inclusive) and endTime (exclusive), both optional; startTime must come first. */
export function rangeOf(startTime: string | undefined, endTime: string | undefined): Range {
  const startUs = startTime === undefined ? null : instantOf(startTime);
  const endUs = endTime === undefined ? null : instantOf(endTime);
  if (startUs !== null && endUs !== null && startUs >= endUs) {
    throw new InvalidRequestError('startTime must be before endTime', [
      { path: 'startTime', message: 'startTime must be before endTime' },
    ]);
  }
  return { startUs, endUs };
}

function instantOf(text: string): number {
  const parsed = parseInstant(text);
  // The query DTO validated it already.
  if (!parsed.ok) throw new InvalidRequestError(`Invalid instant: ${parsed.problem}`);
  return parsed.us;
}

/** Where a read starts (`bound`) and the far end of its range (`other`), in its direction. */
function bounds(
  range: Range,
  after: ReadPosition | undefined,
  descending: boolean,
): Pick<ReadSamplesParams, 'bound' | 'other'> {
  const at = (us: number | null, unbounded: string) => (us === null ? unbounded : instantForDatabase(us));
  if (descending) {
    return {
      bound: after ? instantForDatabase(after.t) : at(range.endUs, 'infinity'),
      other: at(range.startUs, '-infinity'),
    };
  }
  return {
    bound: after ? instantForDatabase(after.t) : at(range.startUs, '-infinity'),
    other: at(range.endUs, 'infinity'),
  };
}

/** Whether stream (id, metric) comes after the cursor's among samples of the same instant. */
function isAfter(stream: [string, number], cursor: [string, number], descending: boolean): boolean {
  const order = stream[0] === cursor[0] ? Math.sign(stream[1] - cursor[1]) : stream[0] < cursor[0] ? -1 : 1;
  return descending ? order < 0 : order > 0;
}

function positionOf(row: { ts_us: number; timeseries_id: string; metric: number }): ReadPosition {
  return { t: row.ts_us, i: row.timeseries_id, m: row.metric };
}

function toSample(row: SampleRow): SampleDto {
  return {
    timeseriesId: row.timeseries_id,
    metric: metricName(row.metric),
    timestamp: row.timestamp,
    val: row.val,
    unixTimestamp: row.unix_ms,
    ingestUnixTimestamp: row.ingest_unix_ms,
  };
}

/** One sample as JSON, in SampleDto's order (what the documented serializer writes for a page). */
function sampleJson(row: SampleRow): string {
  return (
    `{"timeseriesId":"${row.timeseries_id}","metric":"${metricName(row.metric)}","timestamp":"${row.timestamp}",` +
    `"val":${JSON.stringify(row.val)},"unixTimestamp":${row.unix_ms},"ingestUnixTimestamp":${row.ingest_unix_ms}}`
  );
}

/**
 * The envelope of an unpaginated read, streamed: the opening, the rows batch by batch as the
 * cursor yields them, the closing. One batch in memory at a time (highWaterMark 1); a client that
 * goes away ends the read and frees its connection.
 */
function envelopeStream(opened: Awaited<ReturnType<SamplesRepository['openExport']>>): Readable {
  let started = false;
  async function* chunks(): AsyncGenerator<string> {
    started = true;
    yield '{"status":{"Message":"","Code":"200"},"data":[';
    let first = true;
    for await (const batch of opened.rows()) {
      const json = batch.map(sampleJson).join(',');
      yield first ? json : `,${json}`;
      first = false;
    }
    yield ']}';
  }
  const body = Readable.from(chunks(), { objectMode: false, highWaterMark: 1 });
  // A stream destroyed before it was read never enters the generator: free the connection here.
  body.once('close', () => {
    if (!started) void opened.close();
  });
  return body;
}

function limitError(message: string): InvalidRequestError {
  return new InvalidRequestError(message, [{ path: 'limit', message }]);
}

/** The distinct months of `instants` (epoch µs), each once. */
function monthsOf(instants: readonly number[]): Month[] {
  const months = new Map<string, Month>();
  for (const us of instants) {
    const month = monthOf(us);
    months.set(partitionName(month), month);
  }
  return [...months.values()];
}
