import { Column, Entity, PrimaryColumn } from 'typeorm';

/**
 * The summaries of one series × metric × UTC day of packed samples (docs/storage.md#rollups), for
 * aggregates and stats. Range-partitioned by month of `day` (the migration creates it partitioned,
 * with `prefix` and `suffix` stored plain; SamplePartitions creates the partitions). Written and read
 * by SQL only (src/series/sample-rollups.sql.ts); the entity is here for the schema diff of the TypeORM CLI.
 */
@Entity({ name: 'sample_rollup' })
export class SampleRollup {
  @PrimaryColumn({ name: 'series_key', type: 'integer', primaryKeyConstraintName: 'PK_sample_rollup' })
  seriesKey!: number;

  @PrimaryColumn({ type: 'smallint', primaryKeyConstraintName: 'PK_sample_rollup' })
  metric!: number;

  /** The UTC midnight the day starts at. */
  @PrimaryColumn({ type: 'timestamptz', primaryKeyConstraintName: 'PK_sample_rollup' })
  day!: Date;

  @Column({ type: 'integer' })
  count!: number;

  @Column({ name: 'sum_val', type: 'double precision' })
  sumVal!: number;

  @Column({ name: 'min_val', type: 'double precision' })
  minVal!: number;

  @Column({ name: 'max_val', type: 'double precision' })
  maxVal!: number;

  /** The first sample's instant, in epoch microseconds. */
  @Column({ name: 'first_us', type: 'double precision' })
  firstUs!: number;

  @Column({ name: 'first_val', type: 'double precision' })
  firstVal!: number;

  @Column({ name: 'last_us', type: 'double precision' })
  lastUs!: number;

  @Column({ name: 'last_val', type: 'double precision' })
  lastVal!: number;

  /** Σ val × seconds to the next sample of the day: what `twa` needs. */
  @Column({ type: 'double precision' })
  area!: number;

  /** 24 × 9: each UTC hour's summary (ROLLUP_HOUR). */
  @Column({ type: 'double precision', array: true })
  hours!: number[][];

  /** 24 × 7: hours 0..h (PREFIX). */
  @Column({ type: 'double precision', array: true })
  prefix!: number[][];

  /** 24 × 7: hours h..23 (SUFFIX). */
  @Column({ type: 'double precision', array: true })
  suffix!: number[][];
}
