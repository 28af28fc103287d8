import { MigrationInterface, QueryRunner } from 'typeorm';

export class AddPointTypeIndex1795680767261 implements MigrationInterface {
  name = 'AddPointTypeIndex1795680767261';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE INDEX "IDX_point_device_type_point" ON "point"  ("device_id", "point_type", "point_id") `,
    );
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX "public"."IDX_point_device_type_point"`);
  }
}
