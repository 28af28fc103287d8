import { Column, CreateDateColumn, Entity, PrimaryColumn, UpdateDateColumn } from 'typeorm';

/** A building or IoT device. It belongs to one collection, the security group its caller must hold. */
@Entity({ name: 'device' })
export class Device {
  @PrimaryColumn({ type: 'text' })
  id!: string;

  @Column({ name: 'collection_id', type: 'text' })
  collectionId!: string;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt!: Date;
}
