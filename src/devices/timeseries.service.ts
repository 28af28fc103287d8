import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, type EntityManager } from 'typeorm';

import type { DeviceAccessScope } from '../auth/device-access-scope';
import { ConflictError, ServiceUnavailableError } from '../common/errors';
import type { PointDto } from './dto/point.dto';
import type { RegisteredTimeseriesDto } from './dto/registered-timeseries.dto';
import type { TimeseriesRelationshipDto } from './dto/timeseries-relationship.dto';
import {
  LOCK_OR_CREATE_DEVICE,
  REGISTER_POINTS,
  type LockedDeviceRow,
  type RegisteredPointRow,
} from './timeseries.sql';

/** A lost creation race is retried once; a third empty answer means something else is wrong. */
const DEVICE_LOCK_ATTEMPTS = 3;

@Injectable()
export class TimeseriesService {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  /**
   * Registers the points of a device and returns one timeseries per point, in request order.
   * Idempotent: points that exist with the same type keep their timeseries. All or nothing: a
   * point that exists with another type fails the whole request with 409 and writes nothing.
   * One transaction, four statements (BEGIN, device, points, COMMIT) whatever the point count.
   */
  async register(
    deviceId: string,
    points: readonly PointDto[],
    access: DeviceAccessScope,
  ): Promise<RegisteredTimeseriesDto> {
    // Asked before the database, so the answer never depends on whether the device exists.
    const collectionId = access.collectionForNewDevice();
    const rows = await this.dataSource.transaction(async (manager) => {
      await this.lockDevice(manager, deviceId, collectionId, access);
      const registered = await manager.query<RegisteredPointRow[]>(REGISTER_POINTS, [
        deviceId,
        points.map((p) => p.id),
        points.map((p) => p.pointType),
      ]);
      const byPointId = new Map(registered.map((row) => [row.point_id, row]));
      const conflicts = points.filter((p) => {
        const row = byPointId.get(p.id);
        return row !== undefined && row.point_type !== p.pointType;
      });
      if (conflicts.length > 0) throw pointTypeConflict(conflicts, byPointId);
      return byPointId;
    });

    return {
      deviceId,
      relationships: points.map((point): TimeseriesRelationshipDto => {
        const row = rows.get(point.id);
        if (!row) throw new Error(`The database returned no timeseries for point ${JSON.stringify(point.id)}`);
        return {
          pointId: row.point_id,
          pointType: row.point_type,
          timeseriesId: row.timeseries_id,
          created: row.created,
        };
      }),
    };
  }

  /**
   * Locks the device row, creating it in `collectionId` when it does not exist, and checks the
   * caller may use it: the one place a device id meets the caller's collections.
   */
  private async lockDevice(
    manager: EntityManager,
    deviceId: string,
    collectionId: string,
    access: DeviceAccessScope,
  ): Promise<void> {
    for (let attempt = 0; attempt < DEVICE_LOCK_ATTEMPTS; attempt++) {
      const [row] = await manager.query<LockedDeviceRow[]>(LOCK_OR_CREATE_DEVICE, [deviceId, collectionId]);
      if (row) {
        access.assertCanAccess(row.collection_id);
        return;
      }
      // Another transaction created the device after this statement's snapshot: ask again.
    }
    throw new ServiceUnavailableError('The device is being changed concurrently; try again');
  }
}

function pointTypeConflict(
  conflicts: readonly PointDto[],
  existing: ReadonlyMap<string, RegisteredPointRow>,
): ConflictError {
  const described = conflicts.map(
    (p) =>
      `${JSON.stringify(p.id)} is ${JSON.stringify(existing.get(p.id)!.point_type)}, not ${JSON.stringify(p.pointType)}`,
  );
  return new ConflictError(
    `Points already exist on the device with another pointType; nothing was written: ${described.join('; ')}`,
  );
}
