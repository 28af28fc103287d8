import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Live samples (docs/stream.md): `sample_event` is the log of committed writes and deletes a
 * stream resumes from (one row per write or delete, kept SAMPLES_STREAM_RESUME_S), with
 * `sample_event_horizon` recording the newest event the pruner removed (a Last-Event-ID below it
 * cannot be resumed: 410); `stream_ticket` holds the single-use tickets browsers open a stream with.
 */
export class AddSampleEvents1796500000000 implements MigrationInterface {
  name = 'AddSampleEvents1796500000000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE TABLE "sample_event" ("id" BIGSERIAL NOT NULL, "device_id" text NOT NULL, "kind" smallint NOT NULL, "payload" text NOT NULL, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_sample_event" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(`CREATE INDEX "IDX_sample_event_created_at" ON "sample_event" ("created_at") `);
    await queryRunner.query(
      `CREATE TABLE "sample_event_horizon" ("id" smallint NOT NULL, "pruned_through" bigint NOT NULL, CONSTRAINT "PK_sample_event_horizon" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(`INSERT INTO "sample_event_horizon" ("id", "pruned_through") VALUES (1, 0)`);
    await queryRunner.query(
      `CREATE TABLE "stream_ticket" ("hash" bytea NOT NULL, "subject" text NOT NULL, "device_id" text NOT NULL, "timeseries_ids" uuid array NOT NULL, "metric" smallint NOT NULL, "last_event_id" bigint, "token_expires_at" TIMESTAMP WITH TIME ZONE NOT NULL, "expires_at" TIMESTAMP WITH TIME ZONE NOT NULL, "used_at" TIMESTAMP WITH TIME ZONE, CONSTRAINT "PK_stream_ticket" PRIMARY KEY ("hash"))`,
    );
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE "stream_ticket"`);
    await queryRunner.query(`DROP TABLE "sample_event_horizon"`);
    await queryRunner.query(`DROP INDEX "public"."IDX_sample_event_created_at"`);
    await queryRunner.query(`DROP TABLE "sample_event"`);
  }
}
