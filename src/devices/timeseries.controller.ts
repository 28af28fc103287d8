import {
  Body,
  Controller,
  Get,
  Headers,
  HttpCode,
  HttpStatus,
  Param,
  ParseUUIDPipe,
  Post,
  Query,
  Res,
} from '@nestjs/common';
import {
  ApiAcceptedResponse,
  ApiBadRequestResponse,
  ApiBody,
  ApiConflictResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiParam,
  ApiPayloadTooLargeResponse,
  ApiServiceUnavailableResponse,
  ApiTags,
  ApiTooManyRequestsResponse,
  ApiUnsupportedMediaTypeResponse,
} from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';

import { CurrentDeviceAccess, RequireDeviceAccess } from '../auth/device-access.decorator';
import type { DeviceAccessScope } from '../auth/device-access-scope';
import { RequireScopes } from '../auth/require-scopes.decorator';
import { READ_SCOPES, WRITE_SCOPES } from '../auth/scopes';
import { ApiApolloHeaders, CONTINUATION_TOKEN_HEADER } from '../common/api-headers.decorator';
import { successEnvelope, type Envelope } from '../common/envelope';
import { ErrorEnvelopeDto } from '../common/envelope.dto';
import { InvalidRequestError } from '../common/errors';
import { DEVICE_ID_MAX_LENGTH, SAFE_TEXT_PATTERN } from './dto/limits';
import { ListTimeseriesQueryDto } from './dto/list-timeseries-query.dto';
import { PointDto } from './dto/point.dto';
import { RegisterTimeseriesResponseDto, type RegisteredTimeseriesDto } from './dto/registered-timeseries.dto';
import { TimeseriesDetailResponseDto, type TimeseriesDetailDto } from './dto/timeseries-detail.dto';
import { TimeseriesPageResponseDto, type TimeseriesPageDto } from './dto/timeseries-page.dto';
import { DeviceIdPipe } from './pipes/device-id.pipe';
import { PointListPipe } from './pipes/point-list.pipe';
import { DETAIL_RESPONSE, errorExample, LIST_RESPONSE, SEED_REQUEST, SEED_RESPONSE } from './timeseries.examples';
import { TimeseriesService } from './timeseries.service';

const DEVICE_ID_PARAM = {
  name: 'deviceId',
  description: `ID of the device (1..${DEVICE_ID_MAX_LENGTH} characters, no control characters).`,
  example: 'TestDevice',
  schema: { type: 'string', minLength: 1, maxLength: DEVICE_ID_MAX_LENGTH, pattern: SAFE_TEXT_PATTERN },
} as const;

const TIMESERIES_ID_PIPE = new ParseUUIDPipe({
  exceptionFactory: () =>
    new InvalidRequestError('timeseriesId must be a UUID', [
      { path: 'timeseriesId', message: 'timeseriesId must be a UUID' },
    ]),
});

@ApiTags('timeseries')
@ApiApolloHeaders()
@ApiParam(DEVICE_ID_PARAM)
@ApiServiceUnavailableResponse({
  description: 'The database is unavailable.',
  type: ErrorEnvelopeDto,
  example: errorExample(503, 'The database is unavailable; try again shortly'),
})
@ApiTooManyRequestsResponse({
  description: 'More than RATE_LIMIT_PER_MINUTE requests in a minute for this token subject.',
  type: ErrorEnvelopeDto,
  example: errorExample(429, 'Too many requests'),
  headers: { 'Retry-After': { description: 'Seconds until the limit resets.', schema: { type: 'integer' } } },
})
@Controller('apollo/devices/:deviceId/timeseries')
export class TimeseriesController {
  constructor(private readonly timeseries: TimeseriesService) {}

  @Post()
  @HttpCode(HttpStatus.ACCEPTED)
  @RequireDeviceAccess()
  @RequireScopes(...WRITE_SCOPES)
  @ApiOperation({
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
  @ApiAcceptedResponse({
    description: 'The timeseries of every posted point, in request order.',
    type: RegisterTimeseriesResponseDto,
    example: SEED_RESPONSE,
  })
  @ApiBadRequestResponse({
    description:
      'No points provided; the body is not a JSON array of valid points; duplicate ids; too many points; invalid deviceId; or erCollectionId missing for a caller with several collections.',
    type: ErrorEnvelopeDto,
    example: errorExample(400, 'No points provided'),
  })
  @ApiConflictResponse({
    description: 'A point exists on the device with another pointType.',
    type: ErrorEnvelopeDto,
    example: errorExample(
      409,
      'Points already exist on the device with another pointType; nothing was written: "PointId1" is "temperature", not "humidity"',
    ),
  })
  @ApiPayloadTooLargeResponse({
    description: 'The body is larger than BODY_LIMIT bytes.',
    type: ErrorEnvelopeDto,
    example: errorExample(413, 'Request body is larger than the limit of 2097152 bytes'),
  })
  @ApiUnsupportedMediaTypeResponse({
    description: 'Content-Type is not application/json.',
    type: ErrorEnvelopeDto,
    example: errorExample(415, 'Content-Type must be application/json'),
  })
  async register(
    @Param('deviceId', DeviceIdPipe) deviceId: string,
    @Body(PointListPipe) points: PointDto[],
    @CurrentDeviceAccess() access: DeviceAccessScope,
  ): Promise<Envelope<RegisteredTimeseriesDto>> {
    return successEnvelope(HttpStatus.ACCEPTED, await this.timeseries.register(deviceId, points, access));
  }

  @Get()
  @RequireDeviceAccess()
  @RequireScopes(...READ_SCOPES)
  @ApiOperation({
    operationId: 'listTimeseries',
    summary: "List the device's timeseries, page by page",
    description:
      'The timeseries of the device in pointId order, `limit` per page (default 100, at most 1000). When more ' +
      "remain, the next page's token is in `data.continuationToken` and in the ContinuationToken response " +
      'header; send it back in the ContinuationToken request header, with the same pointType filter. Pages ' +
      'never repeat or skip an item, also while points are being added.',
  })
  @ApiOkResponse({
    description: 'A page of timeseries.',
    type: TimeseriesPageResponseDto,
    example: LIST_RESPONSE,
    headers: {
      ContinuationToken: {
        description: 'The token of the next page, when more items remain (also in data.continuationToken).',
        schema: { type: 'string' },
      },
    },
  })
  @ApiBadRequestResponse({
    description:
      'Invalid limit or pointType, an unknown query parameter, or a malformed, modified or foreign ContinuationToken.',
    type: ErrorEnvelopeDto,
    example: errorExample(400, 'ContinuationToken is not valid: it was modified or issued for another list'),
  })
  async list(
    @Param('deviceId', DeviceIdPipe) deviceId: string,
    @Query() query: ListTimeseriesQueryDto,
    @Headers(CONTINUATION_TOKEN_HEADER) continuationToken: string | undefined,
    @CurrentDeviceAccess() access: DeviceAccessScope,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<Envelope<TimeseriesPageDto>> {
    const page = await this.timeseries.list(deviceId, query, continuationToken, access);
    if (page.continuationToken) void reply.header('ContinuationToken', page.continuationToken);
    return successEnvelope(HttpStatus.OK, page);
  }

  @Get(':timeseriesId')
  @RequireDeviceAccess()
  @RequireScopes(...READ_SCOPES)
  @ApiOperation({
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
  @ApiOkResponse({ description: 'The timeseries.', type: TimeseriesDetailResponseDto, example: DETAIL_RESPONSE })
  @ApiBadRequestResponse({
    description: 'timeseriesId is not a UUID, or deviceId is invalid.',
    type: ErrorEnvelopeDto,
    example: errorExample(400, 'timeseriesId must be a UUID'),
  })
  @ApiNotFoundResponse({
    description: 'The device has no timeseries with this id.',
    type: ErrorEnvelopeDto,
    example: errorExample(404, 'The device has no timeseries with this id'),
  })
  async get(
    @Param('deviceId', DeviceIdPipe) deviceId: string,
    @Param('timeseriesId', TIMESERIES_ID_PIPE) timeseriesId: string,
    @CurrentDeviceAccess() access: DeviceAccessScope,
  ): Promise<Envelope<TimeseriesDetailDto>> {
    return successEnvelope(HttpStatus.OK, await this.timeseries.get(deviceId, timeseriesId, access));
  }
}
