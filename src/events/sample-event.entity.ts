import { Column, Entity, Index, PrimaryColumn, PrimaryGeneratedColumn } from 'typeorm';

/**
 * One committed write or delete of a device's samples, in commit order (docs/stream.md): what a
 * live stream sends and resumes from. Appended by the write's own statement (or the delete's
 * transaction) under one advisory lock, so ids increase in commit order; pruned after
 * SAMPLES_STREAM_RESUME_S. Written and read by SQL only (src/series/sample-events.sql.ts, src/stream/).
 */
@Entity({ name: 'sample_event' })
export class SampleEvent {
  @PrimaryGeneratedColumn({ type: 'bigint', primaryKeyConstraintName: 'PK_sample_event' })
  id!: string;

  @Column({ name: 'device_id', type: 'text' })
  deviceId!: string;

  /** SAMPLE_EVENT_KINDS: 1 samples written, 2 samples deleted. */
  @Column({ type: 'smallint' })
  kind!: number;

  /** The samples (or the deleted range) as JSON text (SamplesEventPayload, DeletedEventPayload). */
  @Column({ type: 'text' })
  payload!: string;

  @Index('IDX_sample_event_created_at')
  @Column({ name: 'created_at', type: 'timestamptz', default: () => 'now()' })
  createdAt!: Date;
}

/** The newest event id the pruner removed: a stream cannot resume from an id below it. One row. */
@Entity({ name: 'sample_event_horizon' })
export class SampleEventHorizon {
  @PrimaryColumn({ type: 'smallint', primaryKeyConstraintName: 'PK_sample_event_horizon' })
  id!: number;

  @Column({ name: 'pruned_through', type: 'bigint' })
  prunedThrough!: string;
}
