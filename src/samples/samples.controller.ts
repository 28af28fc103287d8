import { Body, Delete, Get, HttpStatus, Post, Query, Res } from '@nestjs/common';
import type { FastifyReply } from 'fastify';

import type { DeviceAccessScope } from '../auth/device-access-scope';
import { ContinuationTokenHeader } from '../openapi/api-headers.decorator';
import { CompressedJsonBody } from '../common/compressed-body';
import { successEnvelope, type Envelope } from '../common/envelope';
import { DeviceAccess } from '../device-routes/device-access.decorator';
import { DeviceController } from '../device-routes/device-controller.decorator';
import { DeviceId } from '../device-routes/device-id';
import { DeviceRoute } from '../device-routes/device-route.decorator';
import type { SampleDto } from '../series/dto/sample.dto';
import { DeleteSamplesQueryDto } from './dto/delete-samples-query.dto';
import { ReadSamplesQueryDto } from './dto/read-samples-query.dto';
import type { SamplesAcceptedDto } from './dto/samples-accepted.dto';
import type { SamplesDeletedDto } from './dto/samples-deleted.dto';
import { SampleListPipe, type SampleBatch } from './pipes/sample-list.pipe';
import { SamplesReadService } from './samples-read.service';
import { DELETE_SAMPLES_ROUTE, READ_SAMPLES_ROUTE, SAMPLES_TAG, WRITE_SAMPLES_ROUTE } from './samples.routes';
import { SamplesService } from './samples.service';

/** Write, read and delete the values of a device's timeseries: `/apollo/devices/{deviceId}/timeseries/samples`. */
@DeviceController('timeseries/samples', SAMPLES_TAG)
export class SamplesController {
  constructor(
    private readonly samples: SamplesService,
    private readonly reads: SamplesReadService,
  ) {}

  @Post()
  @CompressedJsonBody((config) => config.limits.samplesBodyLimit)
  @DeviceRoute(WRITE_SAMPLES_ROUTE)
  async write(
    @DeviceId() deviceId: string,
    @Body(SampleListPipe) samples: SampleBatch,
    @DeviceAccess() access: DeviceAccessScope,
  ): Promise<Envelope<SamplesAcceptedDto>> {
    return successEnvelope(HttpStatus.ACCEPTED, await this.samples.write(deviceId, samples, access));
  }

  /** A page in the envelope, or (unpaginated) the whole envelope streamed. */
  @Get()
  @DeviceRoute(READ_SAMPLES_ROUTE)
  async read(
    @DeviceId() deviceId: string,
    @Query() query: ReadSamplesQueryDto,
    @ContinuationTokenHeader() continuationToken: string | undefined,
    @DeviceAccess() access: DeviceAccessScope,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<Envelope<SampleDto[]> | NodeJS.ReadableStream> {
    const answer = await this.reads.read(deviceId, query, continuationToken, access);
    if (answer.continuationToken) void reply.header('ContinuationToken', answer.continuationToken);
    if (answer.kind === 'page') return successEnvelope(HttpStatus.OK, answer.samples);
    void reply.type('application/json; charset=utf-8');
    return answer.body;
  }

  @Delete()
  @DeviceRoute(DELETE_SAMPLES_ROUTE)
  async delete(
    @DeviceId() deviceId: string,
    @Query() query: DeleteSamplesQueryDto,
    @DeviceAccess() access: DeviceAccessScope,
  ): Promise<Envelope<SamplesDeletedDto>> {
    return successEnvelope(HttpStatus.OK, await this.samples.delete(deviceId, query, access));
  }
}
