import { Get, HttpStatus, Query } from '@nestjs/common';

import type { DeviceAccessScope } from '../auth/device-access-scope';
import { READ_SCOPES } from '../auth/scopes';
import { ApiEnvelopeResponse, ApiErrorResponses } from '../common/api-responses.decorator';
import { successEnvelope, type Envelope } from '../common/envelope';
import { DeviceAccess } from '../device-routes/device-access.decorator';
import { DeviceController } from '../device-routes/device-controller.decorator';
import { DeviceId } from '../device-routes/device-id';
import { DeviceRoute } from '../device-routes/device-route.decorator';
import { AGGREGATES_RESPONSE, LATEST_RESPONSE, STATS_RESPONSE } from './analytics.examples';
import { AnalyticsService, MAX_BUCKETS } from './analytics.service';
import { AggregateSeriesDto, LatestSamplesDto, SampleStatsDto } from './dto/analytics-answer.dto';
import { LatestSamplesQueryDto, SampleAggregatesQueryDto, SampleStatsQueryDto } from './dto/analytics-query.dto';

const SELECTION_ERRORS =
  'timeseries_ids missing, invalid, repeated, more than 100, or not timeseries of this device; an invalid metric; an unknown query parameter';

/** Latest values, statistics and calendar aggregates: `/apollo/devices/{deviceId}/timeseries/samples/...`. */
@DeviceController('timeseries/samples', 'samples')
export class AnalyticsController {
  constructor(private readonly analytics: AnalyticsService) {}

  @Get('latest')
  @DeviceRoute({
    scopes: READ_SCOPES,
    operationId: 'getLatestSamples',
    summary: 'The newest samples of each timeseries',
    description:
      'The `n` newest samples (highest timestamp, not last written) of each timeseries before `before`, newest ' +
      'first, in the order of timeseries_ids. The cost does not grow with the history of a series.',
  })
  @ApiEnvelopeResponse(HttpStatus.OK, [LatestSamplesDto], {
    description: 'One entry per timeseries.',
    example: LATEST_RESPONSE,
  })
  @ApiErrorResponses({
    400: {
      description: `${SELECTION_ERRORS}; n outside 1..1000; an invalid before.`,
      message: 'Invalid request: n: n must not be greater than 1000',
    },
  })
  async latest(
    @DeviceId() deviceId: string,
    @Query() query: LatestSamplesQueryDto,
    @DeviceAccess() access: DeviceAccessScope,
  ): Promise<Envelope<LatestSamplesDto[]>> {
    return successEnvelope(HttpStatus.OK, await this.analytics.latest(deviceId, query, access));
  }

  @Get('stats')
  @DeviceRoute({
    scopes: READ_SCOPES,
    operationId: 'getSampleStats',
    summary: 'Statistics of each timeseries over a range',
    description:
      'count, min, max, avg, sum, and the first and last samples of each timeseries in [startTime, endTime) (both ' +
      'optional); an empty range has count 0 and nulls. In the order of timeseries_ids.',
  })
  @ApiEnvelopeResponse(HttpStatus.OK, [SampleStatsDto], {
    description: 'One entry per timeseries.',
    example: STATS_RESPONSE,
  })
  @ApiErrorResponses({
    400: {
      description: `${SELECTION_ERRORS}; an invalid startTime or endTime, or startTime not before endTime.`,
      message: 'startTime must be before endTime',
    },
  })
  async stats(
    @DeviceId() deviceId: string,
    @Query() query: SampleStatsQueryDto,
    @DeviceAccess() access: DeviceAccessScope,
  ): Promise<Envelope<SampleStatsDto[]>> {
    return successEnvelope(HttpStatus.OK, await this.analytics.stats(deviceId, query, access));
  }

  @Get('aggregates')
  @DeviceRoute({
    scopes: READ_SCOPES,
    operationId: 'getSampleAggregates',
    summary: 'Aggregates of each timeseries in calendar buckets',
    description:
      'Buckets of `granularity` on the calendar of `timeZone`: minute and hour buckets start at whole multiples of ' +
      'their length from local midnight, a day at local midnight (23 or 25 hours across DST), a week on Monday, a ' +
      'month on the 1st. Buckets the range cuts are cut too. `first`/`last` are the values of the earliest and ' +
      "latest samples in a bucket; `twa` weights each value by how long it holds until the series' next sample, over " +
      `the part of the bucket from its first sample to its end. At most ${MAX_BUCKETS} buckets per timeseries.`,
  })
  @ApiEnvelopeResponse(HttpStatus.OK, [AggregateSeriesDto], {
    description: 'One entry per timeseries.',
    example: AGGREGATES_RESPONSE,
  })
  @ApiErrorResponses({
    400: {
      description: `${SELECTION_ERRORS}; startTime, endTime or granularity missing or invalid; an unknown aggregate, time zone or fill; more than ${MAX_BUCKETS} buckets.`,
      message: `The range holds more than ${MAX_BUCKETS} buckets of this granularity: use a shorter range or a longer granularity`,
    },
  })
  async aggregates(
    @DeviceId() deviceId: string,
    @Query() query: SampleAggregatesQueryDto,
    @DeviceAccess() access: DeviceAccessScope,
  ): Promise<Envelope<AggregateSeriesDto[]>> {
    return successEnvelope(HttpStatus.OK, await this.analytics.aggregates(deviceId, query, access));
  }
}
