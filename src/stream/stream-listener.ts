import { Logger } from '@nestjs/common';
import { Client } from 'pg';

import { SAMPLE_EVENTS_CHANNEL } from '../events/sample-events.sql';

const RECONNECT_MS = 1000;

/**
 * The NOTIFYs of events committed on any instance (PostgreSQL only: the embedded database has no
 * other instance), on a connection of its own, outside the pool. `onEvent` gets the id and the
 * device of each; `onReconnect` runs after the connection was lost and found again, when events may
 * have been missed (the hub reads the log then).
 */
export class StreamListener {
  private readonly logger = new Logger(StreamListener.name);
  private client: Client | undefined;
  private stopped = false;
  private retry: NodeJS.Timeout | undefined;

  constructor(
    private readonly url: string,
    private readonly onEvent: (id: number, deviceId: string) => void,
    private readonly onReconnect: () => void,
  ) {}

  async start(): Promise<void> {
    await this.connect(false);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.retry);
    const client = this.client;
    this.client = undefined;
    await client?.end().catch(() => undefined);
  }

  private async connect(again: boolean): Promise<void> {
    if (this.stopped) return;
    const client = new Client({ connectionString: this.url, application_name: 'device-timeseries-api stream' });
    client.on('notification', (message) => {
      const [id, ...device] = (message.payload ?? '').split(' ');
      if (id) this.onEvent(Number(id), device.join(' '));
    });
    client.on('error', (error) => this.lost(client, error));
    client.on('end', () => this.lost(client));
    try {
      await client.connect();
      await client.query(`LISTEN ${SAMPLE_EVENTS_CHANNEL}`);
      // Stopped while connecting: this client is nobody's to close but ours.
      if (this.stopped) return void client.end().catch(() => undefined);
      this.client = client;
      if (again) this.onReconnect();
    } catch (error) {
      this.lost(client, error);
    }
  }

  private lost(client: Client, error?: unknown): void {
    if (this.stopped || (this.client !== undefined && this.client !== client)) return;
    this.client = undefined;
    // Nothing more from this client counts (a late 'error' would connect a second time); errors are swallowed.
    client.removeAllListeners();
    client.on('error', () => undefined);
    client.end().catch(() => undefined);
    if (error)
      this.logger.warn(
        `Stream notifications lost (${error instanceof Error ? error.message : 'connection error'}); reconnecting`,
      );
    clearTimeout(this.retry);
    this.retry = setTimeout(() => void this.connect(true), RECONNECT_MS);
    this.retry.unref();
  }
}
