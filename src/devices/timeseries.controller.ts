import { Body, Controller, HttpCode, HttpStatus, Param, Post } from '@nestjs/common';
import {
  ApiAcceptedResponse,
  ApiBadRequestResponse,
  ApiBody,
  ApiConflictResponse,
  ApiOperation,
  ApiParam,
  ApiPayloadTooLargeResponse,
  ApiServiceUnavailableResponse,
  ApiTags,
  ApiUnsupportedMediaTypeResponse,
} from '@nestjs/swagger';

import { CurrentDeviceAccess, RequireDeviceAccess } from '../auth/device-access.decorator';
import type { DeviceAccessScope } from '../auth/device-access-scope';
import { RequireScopes } from '../auth/require-scopes.decorator';
import { WRITE_SCOPES } from '../auth/scopes';
import { ApiApolloHeaders } from '../common/api-headers.decorator';
import { successEnvelope, type Envelope } from '../common/envelope';
import { ErrorEnvelopeDto } from '../common/envelope.dto';
import { DEVICE_ID_MAX_LENGTH, SAFE_TEXT_PATTERN } from './dto/limits';
import { PointDto } from './dto/point.dto';
import { RegisterTimeseriesResponseDto, type RegisteredTimeseriesDto } from './dto/registered-timeseries.dto';
import { DeviceIdPipe } from './pipes/device-id.pipe';
import { PointListPipe } from './pipes/point-list.pipe';
import { TimeseriesService } from './timeseries.service';

const SEED_REQUEST = [
  { id: 'PointId1', pointType: 'temperature' },
  { id: 'PointId2', pointType: 'humidity' },
];

const SEED_RESPONSE = {
  status: { Message: '', Code: '202' },
  data: {
    deviceId: 'TestDevice',
    relationships: [
      {
        pointId: 'PointId1',
        pointType: 'temperature',
        timeseriesId: '0b5bd0a4-4c7e-4a8c-9d0c-3f4b1de3b6a1',
        created: true,
      },
      {
        pointId: 'PointId2',
        pointType: 'humidity',
        timeseriesId: '9f0d2a57-6a43-4bb4-8f5e-2c1c8b7e6d02',
        created: true,
      },
    ],
  },
};

const DEVICE_ID_PARAM = {
  name: 'deviceId',
  description: `ID of the device (1..${DEVICE_ID_MAX_LENGTH} characters, no control characters).`,
  example: 'TestDevice',
  schema: { type: 'string', minLength: 1, maxLength: DEVICE_ID_MAX_LENGTH, pattern: SAFE_TEXT_PATTERN },
} as const;

@ApiTags('timeseries')
@ApiApolloHeaders()
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
  @ApiParam(DEVICE_ID_PARAM)
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
    example: { status: { Message: 'No points provided', Code: '400' }, data: null },
  })
  @ApiConflictResponse({ description: 'A point exists on the device with another pointType.', type: ErrorEnvelopeDto })
  @ApiPayloadTooLargeResponse({ description: 'The body is larger than BODY_LIMIT bytes.', type: ErrorEnvelopeDto })
  @ApiUnsupportedMediaTypeResponse({ description: 'Content-Type is not application/json.', type: ErrorEnvelopeDto })
  @ApiServiceUnavailableResponse({ description: 'The database is unavailable.', type: ErrorEnvelopeDto })
  async register(
    @Param('deviceId', DeviceIdPipe) deviceId: string,
    @Body(PointListPipe) points: PointDto[],
    @CurrentDeviceAccess() access: DeviceAccessScope,
  ): Promise<Envelope<RegisteredTimeseriesDto>> {
    return successEnvelope(HttpStatus.ACCEPTED, await this.timeseries.register(deviceId, points, access));
  }
}
