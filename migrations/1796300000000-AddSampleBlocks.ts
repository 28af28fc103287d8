import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Packed history (docs/storage.md): samples older than SAMPLES_PACK_AFTER move from `sample` rows
 * into one `sample_block` row per series × metric × period, range-partitioned by month of the
 * period like `sample` (a period never crosses a month: retention drops both tables' months
 * together). Partitions are created by SamplePartitions with `toast_tuple_target = 128`, so TOAST
 * compresses a block's arrays even when they are smaller than its default 2 KB threshold.
 * Existing rows are packed by the service's next round (or `npm run samples:pack`), not here.
 */
export class AddSampleBlocks1796300000000 implements MigrationInterface {
  name = 'AddSampleBlocks1796300000000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE TABLE "sample_block" ("series_key" integer NOT NULL, "metric" smallint NOT NULL, "period_start" TIMESTAMP WITH TIME ZONE NOT NULL, "period_end" TIMESTAMP WITH TIME ZONE NOT NULL, "count" integer NOT NULL, "first_ts" TIMESTAMP WITH TIME ZONE NOT NULL, "last_ts" TIMESTAMP WITH TIME ZONE NOT NULL, "first_val" double precision NOT NULL, "last_val" double precision NOT NULL, "min_val" double precision NOT NULL, "max_val" double precision NOT NULL, "sum_val" double precision NOT NULL, "first_ingested" TIMESTAMP WITH TIME ZONE NOT NULL, "ts_deltas" bigint array NOT NULL, "vals" double precision array NOT NULL, "ingested_deltas" bigint array NOT NULL, CONSTRAINT "PK_sample_block" PRIMARY KEY ("series_key", "metric", "period_start")) PARTITION BY RANGE ("period_start")`,
    );
    // Every month that has sample rows gets its block partition now, so packing finds it ready.
    await queryRunner.query(`
      DO $$
      DECLARE part record;
      BEGIN
        FOR part IN SELECT c.relname AS name FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
                    WHERE i.inhparent = 'sample'::regclass AND c.relname ~ '^sample_y[0-9]{4}m[0-9]{2}$' LOOP
          EXECUTE format('CREATE TABLE IF NOT EXISTS %I PARTITION OF sample_block FOR VALUES FROM (%L) TO (%L) WITH (toast_tuple_target = 128)',
            replace(part.name, 'sample_', 'sample_block_'),
            make_timestamptz(substr(part.name, 9, 4)::int, substr(part.name, 14, 2)::int, 1, 0, 0, 0, 'UTC'),
            make_timestamptz(substr(part.name, 9, 4)::int, substr(part.name, 14, 2)::int, 1, 0, 0, 0, 'UTC') + interval '1 month');
        END LOOP;
      END $$`);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE "sample_block"`);
  }
}
