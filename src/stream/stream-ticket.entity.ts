import { Column, Entity, PrimaryColumn } from 'typeorm';

/**
 * A single-use ticket a browser opens a stream with (its EventSource cannot send a bearer token):
 * issued by POST under the token's guards, bound to the subject, the device, the timeseries and
 * the metric, valid SAMPLES_STREAM_TICKET_S, redeemed once. Only the SHA-256 of the ticket is stored.
 */
@Entity({ name: 'stream_ticket' })
export class StreamTicket {
  @PrimaryColumn({ type: 'bytea', primaryKeyConstraintName: 'PK_stream_ticket' })
  hash!: Buffer;

  @Column({ type: 'text' })
  subject!: string;

  @Column({ name: 'device_id', type: 'text' })
  deviceId!: string;

  @Column({ name: 'timeseries_ids', type: 'uuid', array: true })
  timeseriesIds!: string[];

  @Column({ type: 'smallint' })
  metric!: number;

  /** Where the stream resumes (a Last-Event-ID); null: from now. */
  @Column({ name: 'last_event_id', type: 'bigint', nullable: true })
  lastEventId!: string | null;

  /** When the token the ticket was issued under expires: the stream ends then. */
  @Column({ name: 'token_expires_at', type: 'timestamptz' })
  tokenExpiresAt!: Date;

  @Column({ name: 'expires_at', type: 'timestamptz' })
  expiresAt!: Date;

  @Column({ name: 'used_at', type: 'timestamptz', nullable: true })
  usedAt!: Date | null;
}
