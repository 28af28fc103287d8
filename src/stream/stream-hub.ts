import {
  Inject,
  Injectable,
  Logger,
  type OnApplicationBootstrap,
  type OnModuleDestroy,
  type OnModuleInit,
} from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import type { FastifyInstance } from 'fastify';
import { Counter, Gauge, type Registry } from 'prom-client';

import { METRICS_REGISTRY } from '../common/metrics-registry';
import { APP_CONFIG } from '../config/config.module';
import type { AppConfig } from '../config/config';
import { SampleEventSignal } from '../events/sample-event-signal';
import { StreamConnection } from './stream-connection';
import { loggedEvent, type EndReason } from './stream-events';
import { StreamListener } from './stream-listener';
import { StreamRepository } from './stream.repository';

/** Events read from the log at a time (an event holds up to MAX_SAMPLES_PER_REQUEST samples). */
const FETCH_LIMIT = 100;
/** With streams open, the log is read this often even without news (a NOTIFY lost with its connection). */
const POLL_MS = 1000;
/** Events are pruned this often, and this much later than SAMPLES_STREAM_RESUME_S (a write's transaction may start before an older id's). */
const PRUNE_EVERY_MS = 60_000;
export const PRUNE_MARGIN_S = 60;

/**
 * The streams of this instance and the one reader of the event log they share: told of new events
 * by NOTIFY (every instance's writes) and by SampleEventSignal (this instance's, at once), it reads
 * the log after the newest id it read, only for devices with open streams, and hands each event to
 * the streams of its device. A stream catches up on its own (`attach`) and goes live.
 */
@Injectable()
export class StreamHub implements OnModuleInit, OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger(StreamHub.name);
  private readonly byDevice = new Map<string, Set<StreamConnection>>();
  private readonly bySubject = new Map<string, number>();
  /** The newest event id the hub has read. */
  private cursor = 0;
  private reading: Promise<void> | undefined;
  /** The hub's log query in flight, if any (see `attach`). */
  private fetching: Promise<unknown> | undefined;
  private again = false;
  private listener: StreamListener | undefined;
  private readonly timers: NodeJS.Timeout[] = [];
  private unlisten: (() => void) | undefined;
  private stopping = false;
  private readonly open: Gauge;
  private readonly refused: Counter;
  private readonly ended: Counter<'reason'>;

  constructor(
    private readonly repository: StreamRepository,
    private readonly signal: SampleEventSignal,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(METRICS_REGISTRY) registry: Registry,
    private readonly adapterHost: HttpAdapterHost,
  ) {
    this.open = new Gauge({
      name: 'samples_stream_connections',
      help: 'Live samples streams open on this instance.',
      registers: [registry],
    });
    this.refused = new Counter({
      name: 'samples_stream_refused_total',
      help: 'Streams refused because their subject had SAMPLES_STREAM_CONNECTIONS_PER_SUBJECT open here.',
      registers: [registry],
    });
    this.ended = new Counter({
      name: 'samples_stream_ended_total',
      help: 'Streams this instance ended, by reason: overflow (a slow client), expired (its token), shutdown.',
      labelNames: ['reason'],
      registers: [registry],
    });
  }

  /** SIGTERM closes the HTTP server, which waits for open connections: the streams end first (`shutdown`). */
  onModuleInit(): void {
    const fastify = this.adapterHost.httpAdapter.getInstance<FastifyInstance>();
    fastify.addHook('preClose', (done) => {
      this.closeAll('shutdown');
      done();
    });
  }

  async onApplicationBootstrap(): Promise<void> {
    this.unlisten = this.signal.listen(({ deviceId }) => this.news(deviceId));
    const url = this.config.database.url;
    if (url) {
      this.listener = new StreamListener(
        url,
        (_id, deviceId) => this.news(deviceId),
        () => this.wake(),
      );
      await this.listener.start();
    }
    const poll = setInterval(() => this.byDevice.size > 0 && this.wake(), POLL_MS);
    const prune = setInterval(() => void this.prune(), PRUNE_EVERY_MS);
    for (const timer of [poll, prune]) timer.unref();
    this.timers.push(poll, prune);
  }

  async onModuleDestroy(): Promise<void> {
    this.closeAll('shutdown');
    for (const timer of this.timers) clearInterval(timer);
    this.unlisten?.();
    await this.listener?.stop();
    await this.reading;
  }

  /** Ends every stream (SIGTERM: before the HTTP server waits for its connections). */
  closeAll(reason: EndReason): void {
    this.stopping = true;
    for (const connections of [...this.byDevice.values()]) for (const c of [...connections]) c.end(reason);
  }

  /**
   * Counts a stream of `subject` against SAMPLES_STREAM_CONNECTIONS_PER_SUBJECT before it opens:
   * `full` (counted as refused) when the subject has that many here, `stopping` once the instance
   * shuts down. `release` gives the place back.
   */
  reserve(subject: string): 'reserved' | 'full' | 'stopping' {
    if (this.stopping) return 'stopping';
    const open = this.bySubject.get(subject) ?? 0;
    if (open >= this.config.stream.connectionsPerSubject) {
      this.refused.inc();
      return 'full';
    }
    this.bySubject.set(subject, open + 1);
    return 'reserved';
  }

  release(subject: string): void {
    const open = (this.bySubject.get(subject) ?? 1) - 1;
    if (open > 0) this.bySubject.set(subject, open);
    else this.bySubject.delete(subject);
  }

  /**
   * Takes a reserved stream: live events of its device reach it from now on (held until it has
   * caught up), then it reads the log after its position, and goes live. A read of the hub already
   * running when it registered did not ask for its device and may see a later snapshot than its own
   * catch-up: the stream waits for that read, then catches up again, so nothing falls between.
   */
  async attach(connection: StreamConnection): Promise<void> {
    const { deviceId } = connection.subscription;
    if (this.byDevice.size === 0) this.cursor = Math.max(this.cursor, connection.after);
    let connections = this.byDevice.get(deviceId);
    if (!connections) this.byDevice.set(deviceId, (connections = new Set()));
    connections.add(connection);
    this.open.inc();
    // Opened while the instance began to stop (after closeAll): it ends as the others did.
    if (this.stopping) return connection.end('shutdown');
    const inFlight = this.fetching;
    try {
      await this.catchUp(connection);
      if (inFlight) {
        await inFlight.catch(() => undefined);
        await this.catchUp(connection);
      }
      connection.goLive();
    } catch (error) {
      this.logger.warn(`A stream could not catch up: ${error instanceof Error ? error.message : String(error)}`);
      connection.end('shutdown');
    }
  }

  /** Sends the stream the log's events of its device after its position, waiting for the client to take each. */
  private async catchUp(connection: StreamConnection): Promise<void> {
    for (;;) {
      const { events } = await this.repository.events(
        connection.after,
        [connection.subscription.deviceId],
        FETCH_LIMIT,
      );
      for (const row of events) {
        if (connection.isClosed) return;
        await connection.catchUp(loggedEvent(row));
      }
      if (events.length < FETCH_LIMIT) return;
    }
  }

  /** Runs a prune now: events older than SAMPLES_STREAM_RESUME_S plus `marginS`. */
  async prune(marginS = PRUNE_MARGIN_S): Promise<number> {
    try {
      return await this.repository.prune(this.config.stream.resumeS + marginS);
    } catch (error) {
      this.logger.warn(`Pruning stream events failed: ${error instanceof Error ? error.message : String(error)}`);
      return 0;
    }
  }

  /** The stream ended: by us for `reason`, or by its client (none). */
  detach(connection: StreamConnection, reason: EndReason | undefined): void {
    if (reason) this.ended.inc({ reason });
    const connections = this.byDevice.get(connection.subscription.deviceId);
    if (!connections?.delete(connection)) return;
    if (connections.size === 0) this.byDevice.delete(connection.subscription.deviceId);
    this.release(connection.subject);
    this.open.dec();
  }

  private news(deviceId: string): void {
    if (this.byDevice.has(deviceId)) this.wake();
  }

  /** Reads the log (once at a time; news while reading reads again). */
  private wake(): void {
    if (this.reading) {
      this.again = true;
      return;
    }
    this.reading = this.read().finally(() => (this.reading = undefined));
  }

  private async read(): Promise<void> {
    do {
      this.again = false;
      try {
        for (;;) {
          const devices = [...this.byDevice.keys()];
          if (devices.length === 0) return;
          const fetching = this.repository.events(this.cursor, devices, FETCH_LIMIT);
          this.fetching = fetching;
          const { events, high } = await fetching;
          for (const row of events) {
            const event = loggedEvent(row);
            this.cursor = Math.max(this.cursor, event.id);
            for (const connection of this.byDevice.get(event.deviceId) ?? []) connection.offer(event);
            // The sockets write what was handed to them, and requests are served, between two events.
            await new Promise<void>((resolve) => setImmediate(resolve));
          }
          if (events.length < FETCH_LIMIT) {
            // Nothing more for these devices up to `high`: the next read starts there.
            this.cursor = Math.max(this.cursor, high);
            break;
          }
        }
      } catch (error) {
        this.logger.warn(
          `Reading stream events failed (retried): ${error instanceof Error ? error.message : String(error)}`,
        );
        return;
      }
    } while (this.again);
  }
}
