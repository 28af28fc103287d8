import { createHash, randomBytes } from 'node:crypto';

import { Inject, Injectable } from '@nestjs/common';
import type { FastifyReply } from 'fastify';

import type { DeviceAccessScope } from '../auth/device-access-scope';
import type { Principal } from '../auth/principal';
import {
  GoneError,
  InvalidRequestError,
  ServiceUnavailableError,
  TooManyRequestsError,
  UnauthenticatedError,
} from '../common/errors';
import { APP_CONFIG } from '../config/config.module';
import type { AppConfig } from '../config/config';
import { selectedMetric } from '../series/metrics';
import { TimeseriesSelection } from '../series/timeseries-selection';
import { EVENT_ID_PATTERN, type StreamTicketDto, type StreamTicketRequestDto } from './dto/stream-ticket.dto';
import { StreamConnection } from './stream-connection';
import { preamble, subscriptionOf, type Subscription } from './stream-events';
import { StreamHub } from './stream-hub';
import { StreamRepository } from './stream.repository';

/** How long an EventSource waits before it reconnects (the `retry:` of the preamble). */
const RETRY_MS = 2000;
/** Where a ticket's stream is served. */
export const TICKET_STREAM_PATH = '/apollo/samples/stream';

/** Who opens a stream: its subject (the limit of open streams) and when its token expires (epoch seconds). */
export interface StreamCaller {
  subject: string;
  expiresAtS: number;
}

/** The domain rules of live streams: who may open which, from where they resume, and the tickets. */
@Injectable()
export class StreamService {
  constructor(
    private readonly hub: StreamHub,
    private readonly repository: StreamRepository,
    private readonly selection: TimeseriesSelection,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /** The subscription, once the device is the caller's (403) and every timeseries the device's (400). */
  async subscription(
    deviceId: string,
    timeseriesIds: readonly string[],
    metric: string | undefined,
    access: DeviceAccessScope,
  ): Promise<Subscription> {
    await this.selection.seriesKeysOf(deviceId, timeseriesIds, access, true);
    return subscriptionOf(deviceId, timeseriesIds, selectedMetric(metric));
  }

  /**
   * Opens the stream on `reply`: 429 when the subject has its limit of streams here, 410 when
   * `lastEventId` cannot be resumed, else the response is taken over and the stream runs until
   * the client leaves, its token expires, it reads too slowly, or the instance stops.
   */
  async open(
    subscription: Subscription,
    caller: StreamCaller,
    lastEventId: string | undefined,
    reply: FastifyReply,
  ): Promise<void> {
    const resumeAfter = eventIdOf(lastEventId);
    const place = this.hub.reserve(caller.subject);
    if (place === 'stopping') {
      throw new ServiceUnavailableError('This instance is shutting down: open the stream again (on another instance)');
    }
    if (place === 'full') {
      throw new TooManyRequestsError(
        `Too many open streams: at most ${this.config.stream.connectionsPerSubject} for one token subject`,
      );
    }
    let opened = false;
    try {
      const start = await this.startAfter(resumeAfter);
      const response = reply.raw;
      reply.hijack();
      // The client left while the resume point was read: nothing to open (its place is released below).
      if (response.destroyed || response.socket?.destroyed) return;
      // The headers hooks set on the reply (correlation id, CORS) go out with the stream's own.
      for (const [name, value] of Object.entries(reply.getHeaders())) {
        if (value !== undefined) response.setHeader(name, typeof value === 'number' ? String(value) : value);
      }
      response.writeHead(200, {
        'content-type': 'text/event-stream; charset=utf-8',
        'cache-control': 'no-store',
        // Proxies (nginx) would hold events back in their buffer otherwise.
        'x-accel-buffering': 'no',
      });
      response.socket?.setNoDelay(true);
      response.write(preamble(start, RETRY_MS));
      const { stream } = this.config;
      const connection = new StreamConnection(
        subscription,
        caller.subject,
        response,
        start,
        { buffer: stream.buffer, heartbeatMs: stream.heartbeatMs, expiresAtMs: caller.expiresAtS * 1000 },
        (closed, reason) => this.hub.detach(closed, reason),
      );
      opened = true;
      void this.hub.attach(connection);
    } finally {
      if (!opened) this.hub.release(caller.subject);
    }
  }

  /**
   * Where a stream starts: after `resumeAfter`, or after the newest event; 410 when events after
   * `resumeAfter` may have been pruned, or it is newer than any (another database's).
   */
  private async startAfter(resumeAfter: number | undefined): Promise<number> {
    const point = await this.repository.resumePoint();
    if (resumeAfter === undefined) return point.lastId;
    if (resumeAfter < point.prunedThrough || resumeAfter > point.lastId) {
      throw new GoneError(
        `Last-Event-ID ${resumeAfter} can no longer be resumed: re-read the samples since, then stream from now`,
      );
    }
    return resumeAfter;
  }

  /** A ticket for the caller's browser, bound to the subject, device, timeseries, metric and token expiry. */
  async issueTicket(
    deviceId: string,
    body: StreamTicketRequestDto,
    access: DeviceAccessScope,
    principal: Principal,
  ): Promise<StreamTicketDto> {
    const subscription = await this.subscription(deviceId, body.timeseriesIds, body.metric, access);
    // Where its stream starts, fixed now: a page that loses it before any event resumes from here.
    const start = await this.startAfter(eventIdOf(body.lastEventId, 'lastEventId'));
    const ticket = randomBytes(32).toString('base64url');
    const expiresAt = await this.repository.issueTicket({
      hash: hashOf(ticket),
      subject: principal.subject,
      deviceId,
      timeseriesIds: [...subscription.timeseriesIds],
      metric: subscription.metric,
      lastEventId: String(start),
      tokenExpiresS: principal.expiresAt,
      ticketS: this.config.stream.ticketS,
    });
    return { ticket, url: `${TICKET_STREAM_PATH}?ticket=${ticket}`, expiresAt, lastEventId: String(start) };
  }

  /** Uses a ticket up: what it opens, or 401 (unknown, used, expired: the same answer). */
  async redeemTicket(
    ticket: string,
  ): Promise<{ subscription: Subscription; caller: StreamCaller; lastEventId: string | undefined }> {
    const row = await this.repository.redeemTicket(hashOf(ticket));
    if (!row) throw new UnauthenticatedError('The stream ticket is unknown, used or expired: get a new one', true);
    return {
      subscription: subscriptionOf(row.device_id, row.timeseries_ids, row.metric),
      caller: { subject: row.subject, expiresAtS: row.token_expires_s },
      lastEventId: row.last_event_id ?? undefined,
    };
  }
}

function hashOf(ticket: string): string {
  return createHash('sha256').update(ticket).digest('hex');
}

/** A Last-Event-ID as a number; 400 when it is not one this service sends. */
function eventIdOf(text: string | undefined, name = 'Last-Event-ID'): number | undefined {
  if (text === undefined || text === '') return undefined;
  if (!EVENT_ID_PATTERN.test(text)) {
    throw new InvalidRequestError(`${name} must be an event id (the digits of an \`id:\` this stream sent)`, [
      { path: name, message: `${name} must be an event id` },
    ]);
  }
  return Number(text);
}
