import { Column, Entity, PrimaryColumn } from 'typeorm';

/**
 * The samples of one series × metric × period, packed (docs/storage.md): one row where the row
 * tier has one per sample. Range-partitioned by month of `period_start` (the migration creates it
 * partitioned; SamplePartitions creates the partitions). Written and read by SQL only
 * (src/series/sample-blocks.sql.ts); the entity is here for the schema diff of the TypeORM CLI.
 */
@Entity({ name: 'sample_block' })
export class SampleBlock {
  @PrimaryColumn({ name: 'series_key', type: 'integer', primaryKeyConstraintName: 'PK_sample_block' })
  seriesKey!: number;

  @PrimaryColumn({ type: 'smallint', primaryKeyConstraintName: 'PK_sample_block' })
  metric!: number;

  /** The period's start: a UTC hour, day or month (the series' period, chosen from its density). */
  @PrimaryColumn({ name: 'period_start', type: 'timestamptz', primaryKeyConstraintName: 'PK_sample_block' })
  periodStart!: Date;

  @Column({ name: 'period_end', type: 'timestamptz' })
  periodEnd!: Date;

  /* The summary: stats and rollups need not open the arrays. */
  @Column({ type: 'integer' })
  count!: number;

  @Column({ name: 'first_ts', type: 'timestamptz' })
  firstTs!: Date;

  @Column({ name: 'last_ts', type: 'timestamptz' })
  lastTs!: Date;

  @Column({ name: 'first_val', type: 'double precision' })
  firstVal!: number;

  @Column({ name: 'last_val', type: 'double precision' })
  lastVal!: number;

  @Column({ name: 'min_val', type: 'double precision' })
  minVal!: number;

  @Column({ name: 'max_val', type: 'double precision' })
  maxVal!: number;

  /** The values summed in instant order. */
  @Column({ name: 'sum_val', type: 'double precision' })
  sumVal!: number;

  /** The first sample's ingest instant; the others are `ingested_deltas` from it. */
  @Column({ name: 'first_ingested', type: 'timestamptz' })
  firstIngested!: Date;

  /** Microseconds from the previous sample (the first: 0, it is `first_ts`). */
  @Column({ name: 'ts_deltas', type: 'bigint', array: true })
  tsDeltas!: string[];

  @Column({ type: 'double precision', array: true })
  vals!: number[];

  /** Microseconds from the previous sample's ingest instant (the first: 0). */
  @Column({ name: 'ingested_deltas', type: 'bigint', array: true })
  ingestedDeltas!: string[];
}
