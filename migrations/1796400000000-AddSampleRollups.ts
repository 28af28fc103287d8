import { MigrationInterface, QueryRunner } from 'typeorm';

import { SERIES_LOCK } from '../src/series/sample-blocks.sql';
import { REBUILD_ROLLUPS } from '../src/series/sample-rollups.sql';

/**
 * Rollups (docs/storage.md#rollups): one `sample_rollup` row per series × metric × UTC day of
 * packed samples (series packed by the hour or the day), range-partitioned by month of `day` like
 * the blocks, so retention drops a month of the three tables together. `prefix` and `suffix` are
 * stored plain (never compressed nor moved out of line): a daily or monthly aggregate reads one
 * entry of each per day, and a compressed array would be decompressed whole for it. `hours` is read
 * only for buckets shorter than a day and stays compressible.
 * The days already packed get their rows here, from their blocks, a series at a time (with the
 * code of this release: a later change of rollupsOf would recompute them the same way). A block
 * whose day has no rollup is read raw, so an instance of the previous release that packs during the
 * upgrade loses nothing; one that packs more samples into a day that has a rollup leaves it short
 * until that day is packed again: upgrade with packing off on the old instances (docs/operations.md).
 */
export class AddSampleRollups1796400000000 implements MigrationInterface {
  name = 'AddSampleRollups1796400000000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE TABLE "sample_rollup" ("series_key" integer NOT NULL, "metric" smallint NOT NULL, "day" TIMESTAMP WITH TIME ZONE NOT NULL, "count" integer NOT NULL, "sum_val" double precision NOT NULL, "min_val" double precision NOT NULL, "max_val" double precision NOT NULL, "first_us" double precision NOT NULL, "first_val" double precision NOT NULL, "last_us" double precision NOT NULL, "last_val" double precision NOT NULL, "area" double precision NOT NULL, "hours" double precision array NOT NULL, "prefix" double precision array NOT NULL, "suffix" double precision array NOT NULL, CONSTRAINT "PK_sample_rollup" PRIMARY KEY ("series_key", "metric", "day")) PARTITION BY RANGE ("day")`,
    );
    await queryRunner.query(
      `ALTER TABLE "sample_rollup" ALTER COLUMN "prefix" SET STORAGE PLAIN, ALTER COLUMN "suffix" SET STORAGE PLAIN`,
    );
    await queryRunner.query(`
      DO $$
      DECLARE part record;
      BEGIN
        FOR part IN SELECT c.relname AS name FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
                    WHERE i.inhparent = 'sample_block'::regclass AND c.relname ~ '^sample_block_y[0-9]{4}m[0-9]{2}$' LOOP
          EXECUTE format('CREATE TABLE IF NOT EXISTS %I PARTITION OF sample_rollup FOR VALUES FROM (%L) TO (%L)',
            replace(part.name, 'sample_block_', 'sample_rollup_'),
            make_timestamptz(substr(part.name, 15, 4)::int, substr(part.name, 20, 2)::int, 1, 0, 0, 0, 'UTC'),
            make_timestamptz(substr(part.name, 15, 4)::int, substr(part.name, 20, 2)::int, 1, 0, 0, 0, 'UTC') + interval '1 month');
        END LOOP;
      END $$`);
    const series = (await queryRunner.query(
      `SELECT DISTINCT series_key, metric FROM sample_block WHERE period_end - period_start <= interval '1 day'`,
    )) as { series_key: number; metric: number }[];
    for (const { series_key, metric } of series) {
      // Under the series' lock (SERIES_LOCK), as a pack writes them: a pack by another instance waits.
      await queryRunner.query(`SELECT pg_advisory_xact_lock(${SERIES_LOCK}, $1::int4)`, [series_key]);
      const query = REBUILD_ROLLUPS.query({
        seriesKeys: [series_key],
        metric,
        from: '-infinity',
        to: 'infinity',
        toInclusive: false,
      });
      await queryRunner.query(query.text, query.values);
    }
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE "sample_rollup"`);
  }
}
