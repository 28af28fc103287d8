import { Column, CreateDateColumn, Entity, Index, JoinColumn, ManyToOne, PrimaryColumn } from 'typeorm';

import { Device } from './device.entity';

/** A sensor of a device (temperature, humidity...). Its id is unique within the device. */
@Entity({ name: 'point' })
/** Keyset paging of a device's points filtered by type, in pointId order. */
@Index('IDX_point_device_type_point', ['deviceId', 'pointType', 'pointId'])
export class Point {
  @PrimaryColumn({ name: 'device_id', type: 'text' })
  deviceId!: string;

  @PrimaryColumn({ name: 'point_id', type: 'text' })
  pointId!: string;

  @Column({ name: 'point_type', type: 'text' })
  pointType!: string;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;

  @ManyToOne(() => Device, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'device_id' })
  device?: Device;
}
