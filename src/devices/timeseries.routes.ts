import { HttpStatus } from '@nestjs/common';

import { READ_SCOPES, WRITE_SCOPES } from '../auth/scopes';
import { DEFAULT_BODY_LIMIT, DEFAULT_LIMITS } from '../config/config';
import type { DeviceRouteOptions } from '../device-routes/device-route.decorator';
import { EXAMPLE_TIMESERIES_ID } from '../device-routes/examples';
import { DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE } from './dto/list-timeseries-query.dto';
import { PointDto } from './dto/point.dto';
import { RegisteredTimeseriesDto } from './dto/registered-timeseries.dto';
import { TimeseriesDetailDto } from './dto/timeseries-detail.dto';
import { TimeseriesPageDto } from './dto/timeseries-page.dto';
import { DETAIL_RESPONSE, LIST_RESPONSE, SEED_REQUEST, SEED_RESPONSE } from './timeseries.examples';

/** The routes of `/apollo/devices/{deviceId}/timeseries`: what each is, for its guards and OpenAPI. */

export const TIMESERIES_TAG = { name: 'timeseries', description: 'Points of a device and their timeseries' };

export const REGISTER_ROUTE: DeviceRouteOptions = {
  scopes: WRITE_SCOPES,
  operationId: 'postTimeseries',
  summary: 'Register the points of a device and get one timeseries per point',
  description:
    "Creates the device (in the erCollectionId collection, or the caller's only one) when it does not exist, " +
    'and one timeseries for each point. Idempotent: a point that already exists with the same pointType ' +
    'returns its existing timeseriesId with `created: false`. A point that exists with another pointType ' +
    'fails the whole request with 409. All or nothing: a failed request writes nothing.',
  body: {
    items: PointDto,
    maxItems: DEFAULT_LIMITS.maxPointsPerRequest,
    description: `List of points that are on the device: 1..MAX_POINTS_PER_REQUEST (default ${DEFAULT_LIMITS.maxPointsPerRequest}), distinct ids.`,
    examples: { seed: { summary: 'Two points', value: SEED_REQUEST } },
  },
  answer: {
    status: HttpStatus.ACCEPTED,
    data: RegisteredTimeseriesDto,
    description: 'The timeseries of every posted point, in request order.',
    example: SEED_RESPONSE,
  },
  errors: {
    400: {
      description:
        'No points provided; the body is not a JSON array of valid points; duplicate ids; more than ' +
        'MAX_POINTS_PER_REQUEST points; invalid deviceId; or erCollectionId missing for a caller with several collections.',
      message: 'No points provided',
    },
    409: {
      description: 'A point exists on the device with another pointType.',
      message:
        'Points already exist on the device with another pointType; nothing was written: "PointId1" is "temperature", not "humidity"',
    },
    413: {
      description: `The body is larger than BODY_LIMIT (default ${DEFAULT_BODY_LIMIT} bytes).`,
      message: `Request body is larger than the limit of ${DEFAULT_BODY_LIMIT} bytes`,
    },
    415: { description: 'Content-Type is not application/json.', message: 'Content-Type must be application/json' },
  },
};

export const LIST_ROUTE: DeviceRouteOptions = {
  scopes: READ_SCOPES,
  operationId: 'listTimeseries',
  summary: "List the device's timeseries, page by page",
  description:
    `The timeseries of the device in pointId order, \`limit\` per page (default ${DEFAULT_PAGE_SIZE}, at most ` +
    `${MAX_PAGE_SIZE}). When more remain, the next page's token is in \`data.continuationToken\` and in the ` +
    'ContinuationToken response header; send it back in the ContinuationToken request header, with the same ' +
    'pointType filter. Pages never repeat or skip an item, also while points are being added.',
  answer: {
    status: HttpStatus.OK,
    data: TimeseriesPageDto,
    description: 'A page of timeseries.',
    example: LIST_RESPONSE,
    headers: {
      ContinuationToken: {
        description: 'The token of the next page, when more items remain (also in data.continuationToken).',
        schema: { type: 'string' },
      },
    },
  },
  errors: {
    400: {
      description:
        'Invalid limit or pointType, an unknown query parameter, or a malformed, modified or foreign ContinuationToken.',
      message:
        'ContinuationToken is not valid for this list: it was modified, or issued for another device or pointType filter',
    },
  },
};

export const GET_ROUTE: DeviceRouteOptions = {
  scopes: READ_SCOPES,
  operationId: 'getTimeseries',
  summary: 'Read one timeseries of the device',
  description:
    'The documented shape: orgId is the collection of the device; timeseriesType and dag are the defaults every timeseries has for now.',
  params: [
    {
      name: 'timeseriesId',
      description: 'Id of the timeseries (a UUID).',
      example: EXAMPLE_TIMESERIES_ID,
      schema: { type: 'string', format: 'uuid' },
    },
  ],
  answer: {
    status: HttpStatus.OK,
    data: TimeseriesDetailDto,
    description: 'The timeseries.',
    example: DETAIL_RESPONSE,
  },
  errors: {
    400: { description: 'timeseriesId is not a UUID, or deviceId is invalid.', message: 'timeseriesId must be a UUID' },
    404: {
      description: 'The device has no timeseries with this id.',
      message: 'The device has no timeseries with this id',
    },
  },
};
