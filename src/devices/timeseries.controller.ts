import { Body, Get, HttpStatus, Param, ParseUUIDPipe, Post, Query, Res } from '@nestjs/common';
import type { FastifyReply } from 'fastify';

import type { DeviceAccessScope } from '../auth/device-access-scope';
import { ContinuationTokenHeader } from '../openapi/api-headers.decorator';
import { successEnvelope, type Envelope } from '../common/envelope';
import { InvalidRequestError } from '../common/errors';
import { DeviceAccess } from '../device-routes/device-access.decorator';
import { DeviceController } from '../device-routes/device-controller.decorator';
import { DeviceId } from '../device-routes/device-id';
import { DeviceRoute } from '../device-routes/device-route.decorator';
import { ListTimeseriesQueryDto } from './dto/list-timeseries-query.dto';
import { PointDto } from './dto/point.dto';
import type { RegisteredTimeseriesDto } from './dto/registered-timeseries.dto';
import type { TimeseriesDetailDto } from './dto/timeseries-detail.dto';
import type { TimeseriesPageDto } from './dto/timeseries-page.dto';
import { PointListPipe } from './pipes/point-list.pipe';
import { GET_ROUTE, LIST_ROUTE, REGISTER_ROUTE, TIMESERIES_TAG } from './timeseries.routes';
import { TimeseriesService } from './timeseries.service';

const TIMESERIES_ID_PIPE = new ParseUUIDPipe({
  exceptionFactory: () =>
    new InvalidRequestError('timeseriesId must be a UUID', [
      { path: 'timeseriesId', message: 'timeseriesId must be a UUID' },
    ]),
});

/** Register a device's points and read their timeseries: `/apollo/devices/{deviceId}/timeseries`. */
@DeviceController('timeseries', TIMESERIES_TAG)
export class TimeseriesController {
  constructor(private readonly timeseries: TimeseriesService) {}

  @Post()
  @DeviceRoute(REGISTER_ROUTE)
  async register(
    @DeviceId() deviceId: string,
    @Body(PointListPipe) points: PointDto[],
    @DeviceAccess() access: DeviceAccessScope,
  ): Promise<Envelope<RegisteredTimeseriesDto>> {
    return successEnvelope(HttpStatus.ACCEPTED, await this.timeseries.register(deviceId, points, access));
  }

  @Get()
  @DeviceRoute(LIST_ROUTE)
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
  @DeviceRoute(GET_ROUTE)
  async get(
    @DeviceId() deviceId: string,
    @Param('timeseriesId', TIMESERIES_ID_PIPE) timeseriesId: string,
    @DeviceAccess() access: DeviceAccessScope,
  ): Promise<Envelope<TimeseriesDetailDto>> {
    return successEnvelope(HttpStatus.OK, await this.timeseries.get(deviceId, timeseriesId, access));
  }
}
