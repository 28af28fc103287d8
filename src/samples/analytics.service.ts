import { Injectable } from '@nestjs/common';

import type { DeviceAccessScope } from '../auth/device-access-scope';
import { InvalidRequestError } from '../common/errors';
import { AGGREGATES, type Aggregate, type AggregateRow } from './analytics.sql';
import { AnalyticsRepository } from './analytics.repository';
import type {
  AggregateBucketDto,
  AggregateSeriesDto,
  LatestSamplesDto,
  SampleStatsDto,
  SamplesDeletedDto,
} from './dto/analytics-answer.dto';
import {
  DEFAULT_LATEST,
  type DeleteSamplesQueryDto,
  type LatestSamplesQueryDto,
  type MetricSelectionDto,
  type SampleAggregatesQueryDto,
  type SampleStatsQueryDto,
} from './dto/analytics-query.dto';
import { isTimeZone, maxBucketsOf, parseGranularity } from './granularity';
import { instantForDatabase } from './instants';
import { DEFAULT_METRIC, metricCode, metricName } from './metrics';
import { rangeOf } from './samples.service';
import { TimeseriesSelection } from './timeseries-selection';

/** Most buckets one timeseries may have in one aggregates request. */
export const MAX_BUCKETS = 10_000;

/**
 * Latest values, statistics, calendar aggregates and deletes: every computation in the database,
 * a fixed number of statements per request (the timeseries lookup, then one statement), results in
 * the order of `timeseries_ids`.
 */
@Injectable()
export class AnalyticsService {
  constructor(
    private readonly repository: AnalyticsRepository,
    private readonly selection: TimeseriesSelection,
  ) {}

  async latest(deviceId: string, query: LatestSamplesQueryDto, access: DeviceAccessScope): Promise<LatestSamplesDto[]> {
    const before = query.before === undefined ? null : rangeOf(undefined, query.before).endUs;
    const series = await this.series(deviceId, query, access);
    const rows = await this.repository.latest({
      ...series,
      before: before === null ? 'infinity' : instantForDatabase(before),
      n: query.n ?? DEFAULT_LATEST,
    });
    const answer = query.timeseries_ids.map((timeseriesId) => ({
      timeseriesId,
      metric: metricName(series.metric),
      samples: [] as LatestSamplesDto['samples'],
    }));
    for (const row of rows) {
      answer[row.ord - 1]!.samples.push({
        timeseriesId: row.timeseries_id,
        metric: metricName(row.metric),
        timestamp: row.timestamp,
        val: row.val,
        unixTimestamp: row.unix_ms,
        ingestUnixTimestamp: row.ingest_unix_ms,
      });
    }
    return answer;
  }

  async stats(deviceId: string, query: SampleStatsQueryDto, access: DeviceAccessScope): Promise<SampleStatsDto[]> {
    const range = rangeOf(query.startTime, query.endTime);
    const series = await this.series(deviceId, query, access);
    const rows = await this.repository.stats({
      ...series,
      start: range.startUs === null ? '-infinity' : instantForDatabase(range.startUs),
      end: range.endUs === null ? 'infinity' : instantForDatabase(range.endUs),
    });
    return rows.map((row) => ({
      timeseriesId: query.timeseries_ids[row.ord - 1]!,
      metric: metricName(series.metric),
      count: row.count,
      min: row.min,
      max: row.max,
      avg: row.avg,
      sum: row.sum,
      firstTimestamp: row.first_timestamp,
      lastTimestamp: row.last_timestamp,
      firstVal: row.first_val,
      lastVal: row.last_val,
    }));
  }

  async aggregates(
    deviceId: string,
    query: SampleAggregatesQueryDto,
    access: DeviceAccessScope,
  ): Promise<AggregateSeriesDto[]> {
    const range = rangeOf(query.startTime, query.endTime);
    const granularity = parseGranularity(query.granularity);
    const timeZone = query.timeZone ?? 'UTC';
    if (!isTimeZone(timeZone)) {
      throw new InvalidRequestError(`timeZone must be an IANA time zone such as Europe/Berlin, got "${timeZone}"`, [
        { path: 'timeZone', message: 'timeZone must be an IANA time zone' },
      ]);
    }
    const aggregates = [...new Set((query.aggregates ?? 'avg').split(','))] as Aggregate[];
    // Refused before any SQL when the range clearly holds too many buckets; exactly, in SQL, otherwise.
    if (maxBucketsOf(granularity, range.startUs!, range.endUs!) > MAX_BUCKETS * 1.5) throw tooManyBuckets();
    const series = await this.series(deviceId, query, access);
    const rows = await this.repository.aggregates(
      { kind: granularity.kind, aggregates, fill: query.fill === 'null' },
      {
        ...series,
        start: instantForDatabase(range.startUs!),
        end: instantForDatabase(range.endUs!),
        timeZone,
        step: granularity.step,
        days: granularity.days,
        maxBuckets: MAX_BUCKETS,
      },
    );
    if ((rows[0]?.bucket_count ?? 0) > MAX_BUCKETS) throw tooManyBuckets();
    const answer = query.timeseries_ids.map((timeseriesId) => ({
      timeseriesId,
      metric: metricName(series.metric),
      granularity: query.granularity,
      timeZone,
      buckets: [] as AggregateBucketDto[],
    }));
    for (const row of rows) {
      if (row.ord === null) continue;
      answer[row.ord - 1]!.buckets.push(toBucket(row, aggregates));
    }
    return answer;
  }

  async delete(deviceId: string, query: DeleteSamplesQueryDto, access: DeviceAccessScope): Promise<SamplesDeletedDto> {
    const range = rangeOf(query.startTime, query.endTime);
    const { seriesKeys, metric } = await this.series(deviceId, query, access, true);
    const deleted = await this.repository.delete({
      seriesKeys,
      metric,
      start: instantForDatabase(range.startUs!),
      end: instantForDatabase(range.endUs!),
    });
    return { deleted };
  }

  private async series(deviceId: string, query: MetricSelectionDto, access: DeviceAccessScope, forWrite = false) {
    const seriesKeys = await this.selection.seriesKeysOf(deviceId, query.timeseries_ids, access, forWrite);
    return { seriesKeys, timeseriesIds: query.timeseries_ids, metric: metricCode(query.metric ?? DEFAULT_METRIC)! };
  }
}

function toBucket(row: AggregateRow, aggregates: readonly Aggregate[]): AggregateBucketDto {
  const bucket: AggregateBucketDto = { start: row.start!, end: row.end!, count: row.count ?? 0 };
  for (const aggregate of AGGREGATES) {
    if (aggregate !== 'count' && aggregates.includes(aggregate)) bucket[aggregate] = row[aggregate] ?? null;
  }
  return bucket;
}

function tooManyBuckets(): InvalidRequestError {
  const message = `The range holds more than ${MAX_BUCKETS} buckets of this granularity: use a shorter range or a longer granularity`;
  return new InvalidRequestError(message, [{ path: 'granularity', message }]);
}
