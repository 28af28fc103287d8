import { Inject, Injectable } from '@nestjs/common';

import type { DeviceAccessScope } from '../auth/device-access-scope';
import type { AppConfig, LimitsConfig } from '../config/config';
import { APP_CONFIG } from '../config/config.module';
import { InvalidRequestError } from '../common/errors';
import type { MetricSelectionDto } from '../series/dto/timeseries-selection.dto';
import { metricName, selectedMetric } from '../series/metrics';
import { databaseInstant, rangeOf } from '../series/range';
import { toSampleDto } from '../series/sample-answer';
import { TimeseriesSelection } from '../series/timeseries-selection';
import { aggregatesOf, AGGREGATES, MAX_BUCKETS, TOO_MANY_BUCKETS, type Aggregate } from './aggregates';
import { AnalyticsRepository } from './analytics.repository';
import type { AggregateRow, SeriesParams } from './analytics.sql';
import type {
  AggregateBucketDto,
  AggregateSeriesDto,
  LatestSamplesDto,
  SampleStatsDto,
} from './dto/analytics-answer.dto';
import {
  DEFAULT_LATEST,
  type LatestSamplesQueryDto,
  type SampleAggregatesQueryDto,
  type SampleStatsQueryDto,
} from './dto/analytics-query.dto';
import { maxBucketsOf, parseGranularity } from './granularity';

/**
 * Latest values, statistics and calendar aggregates: every computation in the database, a fixed
 * number of statements per request (the timeseries lookup, then one statement; from rollups, in a
 * transaction of its own), results in the order of `timeseries_ids`. The query DTOs validated every
 * parameter; what is left here are the rules across parameters (startTime before endTime, the
 * bucket count) and whether the buckets can read rollups (SAMPLES_ROLLUPS).
 */
@Injectable()
export class AnalyticsService {
  /** `samplesRollups` (SAMPLES_ROLLUPS): stats and aggregates read the days' summaries where they can. */
  private readonly limits: LimitsConfig;

  constructor(
    private readonly repository: AnalyticsRepository,
    private readonly selection: TimeseriesSelection,
    @Inject(APP_CONFIG) config: AppConfig,
  ) {
    this.limits = config.limits;
  }

  async latest(deviceId: string, query: LatestSamplesQueryDto, access: DeviceAccessScope): Promise<LatestSamplesDto[]> {
    const before = rangeOf(undefined, query.before).endUs;
    const series = await this.series(deviceId, query, access);
    const rows = await this.repository.latest({
      ...series,
      before: databaseInstant(before, 'infinity'),
      n: query.n ?? DEFAULT_LATEST,
    });
    const answer = query.timeseries_ids.map((timeseriesId) => ({
      timeseriesId,
      metric: metricName(series.metric),
      samples: [] as LatestSamplesDto['samples'],
    }));
    for (const row of rows) answer[row.ord - 1]!.samples.push(toSampleDto(row));
    return answer;
  }

  async stats(deviceId: string, query: SampleStatsQueryDto, access: DeviceAccessScope): Promise<SampleStatsDto[]> {
    const range = rangeOf(query.startTime, query.endTime);
    const series = await this.series(deviceId, query, access);
    const rows = await this.repository.stats(this.limits.samplesRollups, {
      ...series,
      start: databaseInstant(range.startUs, '-infinity'),
      end: databaseInstant(range.endUs, 'infinity'),
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
    const { startUs, endUs } = rangeOf(query.startTime, query.endTime);
    // The DTO validated it.
    const granularity = parseGranularity(query.granularity)!;
    const timeZone = query.timeZone ?? 'UTC';
    const aggregates = aggregatesOf(query.aggregates);
    // Refused before any SQL when the range clearly holds too many buckets; exactly, in SQL, otherwise.
    if (maxBucketsOf(granularity, startUs!, endUs!) > MAX_BUCKETS * 1.5) throw tooManyBuckets();
    const series = await this.series(deviceId, query, access);
    const rows = await this.repository.aggregates(
      {
        kind: granularity.kind,
        aggregates,
        fill: query.fill === 'null',
        // Buckets shorter than an hour, or of hours that are not whole, hold no whole UTC hour.
        rollups: this.limits.samplesRollups && granularity.shortestUs % HOUR_US === 0,
      },
      {
        ...series,
        start: databaseInstant(startUs, '-infinity'),
        end: databaseInstant(endUs, 'infinity'),
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
      if (row.ord !== null) answer[row.ord - 1]!.buckets.push(toBucket(row, aggregates));
    }
    return answer;
  }

  private async series(deviceId: string, query: MetricSelectionDto, access: DeviceAccessScope): Promise<SeriesParams> {
    const seriesKeys = await this.selection.seriesKeysOf(deviceId, query.timeseries_ids, access);
    return { seriesKeys, timeseriesIds: query.timeseries_ids, metric: selectedMetric(query.metric) };
  }
}

const HOUR_US = 3_600_000_000;

function toBucket(row: AggregateRow, aggregates: readonly Aggregate[]): AggregateBucketDto {
  const bucket: AggregateBucketDto = { start: row.start!, end: row.end!, count: row.count ?? 0 };
  for (const aggregate of AGGREGATES) {
    if (aggregate !== 'count' && aggregates.includes(aggregate)) bucket[aggregate] = row[aggregate] ?? null;
  }
  return bucket;
}

function tooManyBuckets(): InvalidRequestError {
  return new InvalidRequestError(TOO_MANY_BUCKETS, [{ path: 'granularity', message: TOO_MANY_BUCKETS }]);
}
