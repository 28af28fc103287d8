import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The timeseries' primary key becomes (device_id, id): every unique key then holds the column the
 * table would be distributed by on Citus (docs/scale-out.md). Free on one server: every statement
 * that finds a timeseries by id also names its device, and the ids stay UUIDs from
 * gen_random_uuid(), unique on their own.
 */
export class TimeseriesKeyByDevice1796200000000 implements MigrationInterface {
  name = 'TimeseriesKeyByDevice1796200000000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `ALTER TABLE "timeseries" DROP CONSTRAINT "PK_7e8d422307b3765fe973cfd5670", ADD CONSTRAINT "PK_timeseries" PRIMARY KEY ("device_id", "id")`,
    );
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `ALTER TABLE "timeseries" DROP CONSTRAINT "PK_timeseries", ADD CONSTRAINT "PK_7e8d422307b3765fe973cfd5670" PRIMARY KEY ("id")`,
    );
  }
}
