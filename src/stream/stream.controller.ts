import { Body, Controller, Get, Headers, HttpStatus, Post, Query, Req, Res } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';

import type { DeviceAccessScope } from '../auth/device-access-scope';
import { Public } from '../auth/public.decorator';
import type { AuthenticatedRequest } from '../auth/request-context';
import { ApiRoute } from '../openapi/api-route.decorator';
import { successEnvelope, type Envelope } from '../common/envelope';
import { DeviceAccess } from '../device-routes/device-access.decorator';
import { DeviceController } from '../device-routes/device-controller.decorator';
import { DeviceId } from '../device-routes/device-id';
import { DeviceRoute } from '../device-routes/device-route.decorator';
import { StreamQueryDto, TicketStreamQueryDto } from './dto/stream-query.dto';
import { StreamTicketRequestDto, type StreamTicketDto } from './dto/stream-ticket.dto';
import { STREAM_ROUTE, STREAM_TAG, TICKET_ROUTE, TICKET_STREAM_ROUTE } from './stream.routes';
import { StreamService, type StreamCaller } from './stream.service';

/** The live stream of a device's samples, and the tickets browsers open it with: `.../timeseries/samples/stream`. */
@DeviceController('timeseries/samples/stream', STREAM_TAG)
export class StreamController {
  constructor(private readonly streams: StreamService) {}

  @Get()
  @DeviceRoute(STREAM_ROUTE)
  async stream(
    @DeviceId() deviceId: string,
    @Query() query: StreamQueryDto,
    @Headers('last-event-id') lastEventId: string | undefined,
    @DeviceAccess() access: DeviceAccessScope,
    @Req() request: AuthenticatedRequest,
    @Res() reply: FastifyReply,
  ): Promise<void> {
    const subscription = await this.streams.subscription(deviceId, query.timeseries_ids, query.metric, access);
    await this.streams.open(subscription, callerOf(request), lastEventId, reply);
  }

  @Post('tickets')
  @DeviceRoute(TICKET_ROUTE)
  async ticket(
    @DeviceId() deviceId: string,
    @Body() body: StreamTicketRequestDto,
    @DeviceAccess() access: DeviceAccessScope,
    @Req() request: AuthenticatedRequest,
  ): Promise<Envelope<StreamTicketDto>> {
    return successEnvelope(HttpStatus.CREATED, await this.streams.issueTicket(deviceId, body, access, request.user!));
  }
}

function callerOf(request: AuthenticatedRequest): StreamCaller {
  const principal = request.user!;
  return { subject: principal.subject, expiresAtS: principal.expiresAt };
}

/**
 * The stream a ticket opens (`GET /apollo/samples/stream?ticket=...`): no bearer token, the ticket is
 * the credential (single use, bound to what it opens), so the route is @Public() to the token guard.
 */
@ApiTags(STREAM_TAG.name)
@Public()
@Controller('apollo/samples/stream')
export class TicketStreamController {
  constructor(private readonly streams: StreamService) {}

  @Get()
  @ApiRoute(TICKET_STREAM_ROUTE)
  async stream(
    @Query() query: TicketStreamQueryDto,
    @Headers('last-event-id') lastEventId: string | undefined,
    @Res() reply: FastifyReply,
  ): Promise<void> {
    const opened = await this.streams.redeemTicket(query.ticket);
    await this.streams.open(opened.subscription, opened.caller, lastEventId ?? opened.lastEventId, reply);
  }
}
