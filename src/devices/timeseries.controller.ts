import { Body, Get, HttpStatus, Param, ParseUUIDPipe, Post, Query, Res } from '@nestjs/common';
import { ApiBody, ApiParam } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';

import type { DeviceAccessScope } from '../auth/device-access-scope';
import { READ_SCOPES, WRITE_SCOPES } from '../auth/scopes';
import { ContinuationTokenHeader } from '../common/api-headers.decorator';
import { ApiEnvelopeResponse, ApiErrorResponses } from '../common/api-responses.decorator';
import { successEnvelope, type Envelope } from '../common/envelope';
import { InvalidRequestError } from '../common/errors';
import { DeviceAccess } from '../device-routes/device-access.decorator';
import { DeviceController } from '../device-routes/device-controller.decorator';
import { DeviceId } from '../device-routes/device-id';
import { DeviceRoute } from '../device-routes/device-route.decorator';
import { ListTimeseriesQueryDto } from './dto/list-timeseries-query.dto';
import { PointDto } from './dto/point.dto';
import { RegisteredTimeseriesDto } from './dto/registered-timeseries.dto';
import { TimeseriesDetailDto } from './dto/timeseries-detail.dto';
import { TimeseriesPageDto } from './dto/timeseries-page.dto';
import { PointListPipe } from './pipes/point-list.pipe';
import { DETAIL_RESPONSE, LIST_RESPONSE, SEED_REQUEST, SEED_RESPONSE } from './timeseries.examples';
import { TimeseriesService } from './timeseries.service';

const TIMESERIES_ID_PIPE = new ParseUUIDPipe({
  exceptionFactory: () =>
    new InvalidRequestError('timeseriesId must be a UUID', [
      { path: 'timeseriesId', message: 'timeseriesId must be a UUID' },
    ]),
});

/** Register a device's points and read their timeseries: `/apollo/devices/{deviceId}/timeseries`. */
@DeviceController('timeseries', 'timeseries')
export class TimeseriesController {
  constructor(private readonly timeseries: TimeseriesService) {}

  @Post()
  @DeviceRoute({
    scopes: WRITE_SCOPES,
    operationId: 'postTimeseries',
    summary: 'Register the points of a device and get one timeseries per point',
    description:
      "Creates the device (in the erCollectionId collection, or the caller's only one) when it does not exist, " +
      'and one timeseries for each point. Idempotent: a point that already exists with the same pointType ' +
      'returns its existing timeseriesId with `created: false`. A point that exists with another pointType ' +
      'fails the whole request with 409. All or nothing: a failed request writes nothing.',
  })
  @ApiBody({
    type: [PointDto],
    description: 'List of points that are on the device (1..MAX_POINTS_PER_REQUEST, distinct ids).',
    examples: { seed: { summary: 'Two points', value: SEED_REQUEST } },
  })
  @ApiEnvelopeResponse(HttpStatus.ACCEPTED, RegisteredTimeseriesDto, {
    description: 'The timeseries of every posted point, in request order.',
    example: SEED_RESPONSE,
  })
  @ApiErrorResponses({
    400: {
      description:
        'No points provided; the body is not a JSON array of valid points; duplicate ids; too many points; invalid deviceId; or erCollectionId missing for a caller with several collections.',
      message: 'No points provided',
    },
    409: {
      description: 'A point exists on the device with another pointType.',
      message:
        'Points already exist on the device with another pointType; nothing was written: "PointId1" is "temperature", not "humidity"',
    },
    413: {
      description: 'The body is larger than BODY_LIMIT bytes.',
      message: 'Request body is larger than the limit of 2097152 bytes',
    },
    415: { description: 'Content-Type is not application/json.', message: 'Content-Type must be application/json' },
  })
  async register(
    @DeviceId() deviceId: string,
    @Body(PointListPipe) points: PointDto[],
    @DeviceAccess() access: DeviceAccessScope,
  ): Promise<Envelope<RegisteredTimeseriesDto>> {
    return successEnvelope(HttpStatus.ACCEPTED, await this.timeseries.register(deviceId, points, access));
  }

  @Get()
  @DeviceRoute({
    scopes: READ_SCOPES,
    operationId: 'listTimeseries',
    summary: "List the device's timeseries, page by page",
    description:
      'The timeseries of the device in pointId order, `limit` per page (default 100, at most 1000). When more ' +
      "remain, the next page's token is in `data.continuationToken` and in the ContinuationToken response " +
      'header; send it back in the ContinuationToken request header, with the same pointType filter. Pages ' +
      'never repeat or skip an item, also while points are being added.',
  })
  @ApiEnvelopeResponse(HttpStatus.OK, TimeseriesPageDto, {
    description: 'A page of timeseries.',
    example: LIST_RESPONSE,
    headers: {
      ContinuationToken: {
        description: 'The token of the next page, when more items remain (also in data.continuationToken).',
        schema: { type: 'string' },
      },
    },
  })
  @ApiErrorResponses({
    400: {
      description:
        'Invalid limit or pointType, an unknown query parameter, or a malformed, modified or foreign ContinuationToken.',
      message:
        'ContinuationToken is not valid for this list: it was modified, or issued for another device or pointType filter',
    },
  })
  async list(
    @DeviceId() deviceId: string,
    @Query() query: ListTimeseriesQueryDto,
    @ContinuationTokenHeader() continuationToken: string | undefined,
    @DeviceAccess() access: DeviceAccessScope,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<Envelope<TimeseriesPageDto>> {
    const page = await this.timeseries.list(deviceId, query, continuationToken, access);
    if (page.continuationToken) void reply.header('ContinuationToken', page.continuationToken);
    return successEnvelope(HttpStatus.OK, page);
  }

  @Get(':timeseriesId')
  @DeviceRoute({
    scopes: READ_SCOPES,
    operationId: 'getTimeseries',
    summary: 'Read one timeseries of the device',
    description:
      'The documented shape: orgId is the collection of the device; timeseriesType and dag are the defaults every timeseries has for now.',
  })
  @ApiParam({
    name: 'timeseriesId',
    description: 'Id of the timeseries (a UUID).',
    example: '0b5bd0a4-4c7e-4a8c-9d0c-3f4b1de3b6a1',
    schema: { type: 'string', format: 'uuid' },
  })
  @ApiEnvelopeResponse(HttpStatus.OK, TimeseriesDetailDto, { description: 'The timeseries.', example: DETAIL_RESPONSE })
  @ApiErrorResponses({
    400: { description: 'timeseriesId is not a UUID, or deviceId is invalid.', message: 'timeseriesId must be a UUID' },
    404: {
      description: 'The device has no timeseries with this id.',
      message: 'The device has no timeseries with this id',
    },
  })
  async get(
    @DeviceId() deviceId: string,
    @Param('timeseriesId', TIMESERIES_ID_PIPE) timeseriesId: string,
    @DeviceAccess() access: DeviceAccessScope,
  ): Promise<Envelope<TimeseriesDetailDto>> {
    return successEnvelope(HttpStatus.OK, await this.timeseries.get(deviceId, timeseriesId, access));
  }
}
