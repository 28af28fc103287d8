import type { ServerResponse } from 'node:http';

import { endText, eventText, heartbeat, type EndReason, type LoggedEvent, type Subscription } from './stream-events';

export interface ConnectionOptions {
  /** Events (and heartbeats) that may wait for a slow client; one more ends the stream with `overflow`. */
  buffer: number;
  heartbeatMs: number;
  /** When the token expires (epoch ms): the stream ends with `expired`. */
  expiresAtMs: number;
}

/**
 * One open stream: the events of its subscription, written to the raw response in id order, each
 * once. It starts at `position` (a Last-Event-ID, or the newest event) and catches up from the log
 * (`catchUp`) while the hub's live events wait in `pending`; then it goes live. A client that reads
 * slower than events come fills `queue` up to the buffer, then the stream ends with `overflow`: a
 * writer never waits for a reader.
 */
export class StreamConnection {
  /** The newest event id this stream has dealt with (sent, or not of its subscription). */
  private position: number;
  /** The newest id the client was told (an event's or a heartbeat's `id:`). */
  private told: number;
  private live = false;
  private pending: LoggedEvent[] = [];
  private queue: string[] = [];
  private blocked = false;
  private closed = false;
  private readonly timers: NodeJS.Timeout[] = [];
  private readonly drainWaiters: Array<() => void> = [];

  constructor(
    readonly subscription: Subscription,
    readonly subject: string,
    private readonly response: ServerResponse,
    start: number,
    private readonly options: ConnectionOptions,
    private readonly onClose: (connection: StreamConnection, reason: EndReason | undefined) => void,
  ) {
    this.position = start;
    this.told = start;
    response.on('drain', () => this.flush());
    response.once('close', () => this.dispose());
    this.timers.push(setInterval(() => this.beat(), options.heartbeatMs));
    this.expireAt(options.expiresAtMs);
  }

  get isClosed(): boolean {
    return this.closed;
  }

  /** Where the stream stands: catching up reads the log after this. */
  get after(): number {
    return this.position;
  }

  /** A live event of the subscription's device, from the hub, in id order. */
  offer(event: LoggedEvent): void {
    if (this.closed) return;
    if (this.live) return this.deliver(event);
    // Held only when it has something for this stream: a busy device's other series fill no buffer.
    if (eventText(event, this.subscription) === undefined) return;
    this.pending.push(event);
    if (this.pending.length > this.options.buffer) this.end('overflow');
  }

  /** An event read from the log while catching up; resolves once the client has taken what waits. */
  async catchUp(event: LoggedEvent): Promise<void> {
    this.deliver(event);
    if (this.blocked && !this.closed) await new Promise<void>((resolve) => this.drainWaiters.push(resolve));
  }

  /** Caught up: the live events that came meanwhile (those not read already), then live ones as they come. */
  goLive(): void {
    this.live = true;
    const pending = this.pending;
    this.pending = [];
    for (const event of pending) this.deliver(event);
  }

  /** Ends the stream with its reason as the last event (the client resumes from the last id it got). */
  end(reason: EndReason): void {
    if (this.closed) return;
    this.queue = [];
    if (!this.response.destroyed && !this.response.writableEnded) {
      this.response.write(endText(reason));
      this.response.end();
    }
    this.dispose(reason);
  }

  /**
   * `expired` at `atMs`, from a timer even when it is past (the stream is attached by then); a timer
   * waits at most about 24 days (2^31 - 1 ms), so a later expiry is waited for in steps.
   */
  private expireAt(atMs: number): void {
    const delay = Math.min(Math.max(0, atMs - Date.now()), 2 ** 31 - 1);
    this.timers.push(setTimeout(() => (Date.now() >= atMs ? this.end('expired') : this.expireAt(atMs)), delay));
  }

  private deliver(event: LoggedEvent): void {
    if (this.closed || event.id <= this.position) return;
    this.position = event.id;
    const text = eventText(event, this.subscription);
    if (text === undefined) return;
    this.told = event.id;
    this.write(text);
  }

  private beat(): void {
    const moved = this.position > this.told ? this.position : undefined;
    if (moved !== undefined) this.told = moved;
    this.write(heartbeat(moved));
  }

  private write(text: string): void {
    if (this.closed || this.response.destroyed) return;
    if (this.blocked) {
      this.queue.push(text);
      if (this.queue.length > this.options.buffer) this.end('overflow');
      return;
    }
    if (!this.response.write(text)) this.blocked = true;
  }

  private flush(): void {
    this.blocked = false;
    while (this.queue.length > 0 && !this.blocked && !this.closed) {
      if (!this.response.write(this.queue.shift()!)) this.blocked = true;
    }
    if (!this.blocked) for (const resolve of this.drainWaiters.splice(0)) resolve();
  }

  /** Closed: by `end`, or by the client (no reason). */
  private dispose(reason?: EndReason): void {
    if (this.closed) return;
    this.closed = true;
    for (const timer of this.timers) clearTimeout(timer);
    this.pending = [];
    this.queue = [];
    for (const resolve of this.drainWaiters.splice(0)) resolve();
    this.onClose(this, reason);
  }
}
