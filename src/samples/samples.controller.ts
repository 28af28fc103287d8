import { Body, Delete, Get, HttpStatus, Post, Query, Res } from '@nestjs/common';
import { ApiBody } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';

import type { DeviceAccessScope } from '../auth/device-access-scope';
import { READ_SCOPES, WRITE_SCOPES } from '../auth/scopes';
import { ContinuationTokenHeader } from '../common/api-headers.decorator';
import { ApiEnvelopeResponse, ApiErrorResponses } from '../common/api-responses.decorator';
import { CompressedJsonBody } from '../common/compressed-body';
import { successEnvelope, type Envelope } from '../common/envelope';
import { DeviceAccess } from '../device-routes/device-access.decorator';
import { DeviceController } from '../device-routes/device-controller.decorator';
import { DeviceId } from '../device-routes/device-id';
import { DeviceRoute } from '../device-routes/device-route.decorator';
import { DELETE_RESPONSE } from './analytics.examples';
import { AnalyticsService } from './analytics.service';
import { SamplesDeletedDto } from './dto/analytics-answer.dto';
import { DeleteSamplesQueryDto } from './dto/analytics-query.dto';
import { ReadSamplesQueryDto } from './dto/read-samples-query.dto';
import { SampleInputDto } from './dto/sample-input.dto';
import { SampleDto } from './dto/sample.dto';
import { SamplesAcceptedDto } from './dto/samples-accepted.dto';
import { SampleListPipe, type SampleBatch } from './pipes/sample-list.pipe';
import { READ_RESPONSE, WRITE_REQUEST, WRITE_RESPONSE } from './samples.examples';
import { SamplesService } from './samples.service';

/** Write and read the values of a device's timeseries: `/apollo/devices/{deviceId}/timeseries/samples`. */
@DeviceController('timeseries/samples', 'samples')
export class SamplesController {
  constructor(
    private readonly samples: SamplesService,
    private readonly analytics: AnalyticsService,
  ) {}

  @Post()
  @CompressedJsonBody((config) => config.limits.samplesBodyLimit)
  @DeviceRoute({
    scopes: WRITE_SCOPES,
    operationId: 'postSamples',
    summary: "Write samples of the device's timeseries",
    description:
      'Stores 1..MAX_SAMPLES_PER_REQUEST samples, all or nothing, and answers once they are committed: a 202 means ' +
      'stored. A sample whose (timeseriesId, metric, timestamp) is already stored replaces it: last write wins, ' +
      'and its ingest time becomes now. Samples never create devices or timeseries. The body may be sent with ' +
      '`Content-Encoding: gzip` or `deflate`; SAMPLES_BODY_LIMIT applies to the decompressed body.',
  })
  @ApiBody({
    type: [SampleInputDto],
    description: 'The samples (1..MAX_SAMPLES_PER_REQUEST), no (timeseriesId, metric, timestamp) twice.',
    examples: { two: { summary: 'Two samples of one timeseries', value: WRITE_REQUEST } },
  })
  @ApiEnvelopeResponse(HttpStatus.ACCEPTED, SamplesAcceptedDto, {
    description: 'Every sample is stored.',
    example: WRITE_RESPONSE,
  })
  @ApiErrorResponses({
    400: {
      description:
        'No samples provided; the body is not a JSON array of valid samples (each problem named by its path); a ' +
        'timeseriesId that is not a timeseries of this device; the same key twice; too many samples; a corrupt ' +
        'compressed body; or an invalid deviceId.',
      message: 'No samples provided',
    },
    413: {
      description: 'The (decompressed) body is larger than SAMPLES_BODY_LIMIT bytes.',
      message: 'Request body is larger than the limit of 8388608 bytes',
    },
    415: {
      description: 'Content-Type is not application/json, or Content-Encoding is not gzip, deflate or identity.',
      message: 'Content-Encoding must be gzip, deflate or identity',
    },
  })
  async write(
    @DeviceId() deviceId: string,
    @Body(SampleListPipe) samples: SampleBatch,
    @DeviceAccess() access: DeviceAccessScope,
  ): Promise<Envelope<SamplesAcceptedDto>> {
    return successEnvelope(HttpStatus.ACCEPTED, await this.samples.write(deviceId, samples, access));
  }

  @Get()
  @DeviceRoute({
    scopes: READ_SCOPES,
    operationId: 'getSamples',
    summary: "Read samples of the device's timeseries",
    description:
      'The samples of 1..100 timeseries in [startTime, endTime), ordered by timestamp, then timeseriesId, then ' +
      'metric (all ascending, or all descending). `paginated=true`: pages of `limit` (default 100, at most 1000); ' +
      "when more remain, the ContinuationToken response header carries the next page's token: send it back in the " +
      'ContinuationToken request header with the same query. `paginated=false` (default): every sample of the range ' +
      'in one streamed answer, at most SAMPLES_EXPORT_LIMIT (more is a 400), or the first `limit` with a ' +
      'ContinuationToken when more remain.',
  })
  @ApiEnvelopeResponse(HttpStatus.OK, [SampleDto], {
    description: 'The samples: `data` is the array itself.',
    example: READ_RESPONSE,
    headers: {
      ContinuationToken: {
        description: "The next page's token, when more samples remain.",
        schema: { type: 'string' },
      },
    },
  })
  @ApiErrorResponses({
    400: {
      description:
        'timeseries_ids missing, invalid, repeated, more than 100, or not timeseries of this device; an invalid ' +
        'startTime, endTime, metric, orderby, paginated or limit; startTime not before endTime; an unknown query ' +
        'parameter; a malformed, modified or foreign ContinuationToken; or an unpaginated range holding more than ' +
        'SAMPLES_EXPORT_LIMIT samples.',
      message: 'timeseries_ids[0] is not a timeseries of this device',
    },
  })
  async read(
    @DeviceId() deviceId: string,
    @Query() query: ReadSamplesQueryDto,
    @ContinuationTokenHeader() continuationToken: string | undefined,
    @DeviceAccess() access: DeviceAccessScope,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<Envelope<SampleDto[]> | NodeJS.ReadableStream> {
    const answer = await this.samples.read(deviceId, query, continuationToken, access);
    if (answer.continuationToken) void reply.header('ContinuationToken', answer.continuationToken);
    if (answer.kind === 'page') return successEnvelope(HttpStatus.OK, answer.samples);
    void reply.type('application/json; charset=utf-8');
    return answer.body;
  }

  @Delete()
  @DeviceRoute({
    scopes: WRITE_SCOPES,
    operationId: 'deleteSamples',
    summary: 'Delete the samples of timeseries in a range',
    description:
      'Deletes the samples of the given timeseries (and metric, default Raw) in [startTime, endTime); both are ' +
      'required, so no request deletes everything by accident. All or nothing, one statement.',
  })
  @ApiEnvelopeResponse(HttpStatus.OK, SamplesDeletedDto, {
    description: 'How many samples were deleted.',
    example: DELETE_RESPONSE,
  })
  @ApiErrorResponses({
    400: {
      description:
        'timeseries_ids missing, invalid, repeated, more than 100, or not timeseries of this device; startTime or endTime missing or invalid, or startTime not before endTime; an invalid metric; an unknown query parameter.',
      message: 'Invalid request: startTime: startTime is required',
    },
  })
  async delete(
    @DeviceId() deviceId: string,
    @Query() query: DeleteSamplesQueryDto,
    @DeviceAccess() access: DeviceAccessScope,
  ): Promise<Envelope<SamplesDeletedDto>> {
    return successEnvelope(HttpStatus.OK, await this.analytics.delete(deviceId, query, access));
  }
}
