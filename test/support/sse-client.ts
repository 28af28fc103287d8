import { request as httpRequest, type ClientRequest, type IncomingMessage } from 'node:http';

/** One Server-Sent Event as a client dispatches it (`id` is the last event id after it). */
export interface SseEvent {
  event: string;
  data: string;
  id: string;
}

/**
 * A Server-Sent Events client for tests, parsing as the HTML standard says: `id:` without data
 * sets the last event id and dispatches nothing; comments (heartbeats) are counted apart.
 */
export class SseClient {
  readonly events: SseEvent[] = [];
  lastEventId = '';
  heartbeats = 0;
  status = 0;
  /** The body when the answer was not a stream (an envelope). */
  body = '';
  ended = false;
  private buffer = '';
  private block: { event: string; data: string[] } = { event: '', data: [] };
  private waiters: Array<() => void> = [];
  private response: IncomingMessage | undefined;

  private constructor(private readonly request: ClientRequest) {}

  /** Opens `url` and resolves once its answer's headers came. */
  static open(url: string, headers: Record<string, string> = {}): Promise<SseClient> {
    return new Promise((resolve, reject) => {
      const request = httpRequest(url, { headers: { accept: 'text/event-stream', ...headers } });
      const client = new SseClient(request);
      request.on('response', (response) => {
        client.response = response;
        client.status = response.statusCode ?? 0;
        response.setEncoding('utf8');
        const stream = (response.headers['content-type'] ?? '').startsWith('text/event-stream');
        response.on('data', (chunk: string) => (stream ? client.feed(chunk) : (client.body += chunk)));
        response.on('end', () => client.finish());
        response.on('close', () => client.finish());
        resolve(client);
      });
      request.on('error', reject);
      request.end();
    });
  }

  /** Waits until `ready()` holds (checked on every event and at the end), or fails after `timeoutMs`. */
  async until(ready: (client: SseClient) => boolean, timeoutMs = 10_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!ready(this)) {
      if (Date.now() > deadline) {
        throw new Error(`SseClient: timed out; events so far: ${JSON.stringify(this.events.map((e) => e.event))}`);
      }
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, 50);
        this.waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }

  /** The events named `name`. */
  named(name: string): SseEvent[] {
    return this.events.filter((e) => e.event === name);
  }

  close(): void {
    this.request.destroy();
    this.response?.destroy();
  }

  private feed(chunk: string): void {
    this.buffer += chunk;
    let newline: number;
    while ((newline = this.buffer.indexOf('\n')) >= 0) {
      const line = this.buffer.slice(0, newline);
      this.buffer = this.buffer.slice(newline + 1);
      this.line(line);
    }
    this.wake();
  }

  private line(line: string): void {
    if (line === '') {
      if (this.block.data.length > 0) {
        this.events.push({
          event: this.block.event || 'message',
          data: this.block.data.join('\n'),
          id: this.lastEventId,
        });
      }
      this.block = { event: '', data: [] };
      return;
    }
    if (line.startsWith(':')) {
      this.heartbeats++;
      return;
    }
    const colon = line.indexOf(':');
    const field = colon < 0 ? line : line.slice(0, colon);
    const value = colon < 0 ? '' : line.slice(colon + 1).replace(/^ /, '');
    if (field === 'event') this.block.event = value;
    else if (field === 'data') this.block.data.push(value);
    else if (field === 'id') this.lastEventId = value;
  }

  private finish(): void {
    this.ended = true;
    this.wake();
  }

  private wake(): void {
    for (const waiter of this.waiters.splice(0)) waiter();
  }
}
