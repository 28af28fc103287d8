import { HttpStatus } from '@nestjs/common';

import { READ_SCOPES } from '../auth/scopes';
import type { DeviceRouteOptions } from '../device-routes/device-route.decorator';
import { SELECTION_ERRORS } from '../series/dto/timeseries-selection.dto';
import { MAX_BUCKETS, TOO_MANY_BUCKETS } from './aggregates';
import { AGGREGATES_RESPONSE, LATEST_RESPONSE, STATS_RESPONSE } from './analytics.examples';
import { AggregateSeriesDto, LatestSamplesDto, SampleStatsDto } from './dto/analytics-answer.dto';
import { MAX_LATEST } from './dto/analytics-query.dto';

/** The routes of `/apollo/devices/{deviceId}/timeseries/samples/{latest,stats,aggregates}`, under one tag. */

export const ANALYTICS_TAG = {
  name: 'analytics',
  description: 'Latest values, statistics and calendar aggregates of the samples',
};

export const LATEST_ROUTE: DeviceRouteOptions = {
  scopes: READ_SCOPES,
  operationId: 'getLatestSamples',
  summary: 'The newest samples of each timeseries',
  description:
    'The `n` newest samples (highest timestamp, not last written) of each timeseries before `before`, newest ' +
    'first, in the order of timeseries_ids. The cost does not grow with the history of a series.',
  answer: {
    status: HttpStatus.OK,
    data: [LatestSamplesDto],
    description: 'One entry per timeseries.',
    example: LATEST_RESPONSE,
  },
  errors: {
    400: {
      description: `${SELECTION_ERRORS}; n outside 1..${MAX_LATEST}; an invalid before.`,
      message: `Invalid request: n: n must not be greater than ${MAX_LATEST}`,
    },
  },
};

export const STATS_ROUTE: DeviceRouteOptions = {
  scopes: READ_SCOPES,
  operationId: 'getSampleStats',
  summary: 'Statistics of each timeseries over a range',
  description:
    'count, min, max, avg, sum, and the first and last samples of each timeseries in [startTime, endTime) (both ' +
    'optional); an empty range has count 0 and nulls. In the order of timeseries_ids.',
  answer: {
    status: HttpStatus.OK,
    data: [SampleStatsDto],
    description: 'One entry per timeseries.',
    example: STATS_RESPONSE,
  },
  errors: {
    400: {
      description: `${SELECTION_ERRORS}; an invalid startTime or endTime, or startTime not before endTime.`,
      message: 'startTime must be before endTime',
    },
  },
};

export const AGGREGATES_ROUTE: DeviceRouteOptions = {
  scopes: READ_SCOPES,
  operationId: 'getSampleAggregates',
  summary: 'Aggregates of each timeseries in calendar buckets',
  description:
    'Buckets of `granularity` on the calendar of `timeZone`: minute and hour buckets start at whole multiples of ' +
    'their length from local midnight, a day at local midnight (23 or 25 hours across DST), a week on Monday, a ' +
    'month on the 1st. Buckets the range cuts are cut too. `first`/`last` are the values of the earliest and ' +
    "latest samples in a bucket; `twa` weights each value by how long it holds until the series' next sample, over " +
    `the part of the bucket from its first sample to its end. At most ${MAX_BUCKETS} buckets per timeseries.`,
  answer: {
    status: HttpStatus.OK,
    data: [AggregateSeriesDto],
    description: 'One entry per timeseries.',
    example: AGGREGATES_RESPONSE,
  },
  errors: {
    400: {
      description: `${SELECTION_ERRORS}; startTime, endTime or granularity missing or invalid; an unknown aggregate, time zone or fill; more than ${MAX_BUCKETS} buckets.`,
      message: TOO_MANY_BUCKETS,
    },
  },
};
