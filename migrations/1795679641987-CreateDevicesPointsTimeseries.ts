import { MigrationInterface, QueryRunner } from 'typeorm';

export class CreateDevicesPointsTimeseries1795679641987 implements MigrationInterface {
  name = 'CreateDevicesPointsTimeseries1795679641987';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE TABLE "point" ("device_id" text NOT NULL, "point_id" text NOT NULL, "point_type" text NOT NULL, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_fcf76f3e0ae08917b954af8cb2a" PRIMARY KEY ("device_id", "point_id"))`,
    );
    await queryRunner.query(
      `CREATE TABLE "device" ("id" text NOT NULL, "collection_id" text NOT NULL, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_2dc10972aa4e27c01378dad2c72" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(
      `CREATE TABLE "timeseries" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "device_id" text NOT NULL, "point_id" text NOT NULL, "status" text NOT NULL DEFAULT 'active', "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "UQ_timeseries_point" UNIQUE ("device_id", "point_id"), CONSTRAINT "CHK_timeseries_status" CHECK ("status" IN ('active', 'inactive')), CONSTRAINT "PK_7e8d422307b3765fe973cfd5670" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(
      `ALTER TABLE "point" ADD CONSTRAINT "FK_9521ba6f65beccb2b634af0cd4e" FOREIGN KEY ("device_id") REFERENCES "device"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "timeseries" ADD CONSTRAINT "FK_42654c5f4dff332efadf1cb6254" FOREIGN KEY ("device_id", "point_id") REFERENCES "point"("device_id","point_id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "timeseries" DROP CONSTRAINT "FK_42654c5f4dff332efadf1cb6254"`);
    await queryRunner.query(`ALTER TABLE "point" DROP CONSTRAINT "FK_9521ba6f65beccb2b634af0cd4e"`);
    await queryRunner.query(`DROP TABLE "timeseries"`);
    await queryRunner.query(`DROP TABLE "device"`);
    await queryRunner.query(`DROP TABLE "point"`);
  }
}
