import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, type EntityManager } from 'typeorm';

import type { DeviceAccessScope } from '../auth/device-access-scope';
import { ContinuationTokens, invalidToken } from '../common/continuation-token';
import { ConflictError, NotFoundError, ServiceUnavailableError } from '../common/errors';
import type { PointDto } from './dto/point.dto';
import type { RegisteredTimeseriesDto } from './dto/registered-timeseries.dto';
import type { TimeseriesRelationshipDto } from './dto/timeseries-relationship.dto';
import { DEFAULT_PAGE_SIZE, type ListTimeseriesQueryDto } from './dto/list-timeseries-query.dto';
import { DEFAULT_DAG, DEFAULT_TIMESERIES_TYPE, type TimeseriesDetailDto } from './dto/timeseries-detail.dto';
import type { ListedTimeseriesDto, TimeseriesPageDto } from './dto/timeseries-page.dto';
import {
  GET_TIMESERIES,
  LIST_TIMESERIES,
  LOCK_OR_CREATE_DEVICE,
  REGISTER_POINTS,
  type ListedTimeseriesRow,
  type LockedDeviceRow,
  type RegisteredPointRow,
  type TimeseriesDetailRow,
} from './timeseries.sql';

/** A lost creation race is retried; a third empty answer in a row means something else is wrong. */
const DEVICE_LOCK_ATTEMPTS = 3;

/** Purpose of the list's continuation tokens: a token of another list never reads as one of this. */
const LIST_TOKEN_PURPOSE = 'devices.timeseries.list.v1';

/** Where a page ended: its last pointId. The device and filter are signed into the token. */
interface ListPosition {
  k: string;
}

@Injectable()
export class TimeseriesService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly tokens: ContinuationTokens,
  ) {}

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
   * A page of the device's timeseries in pointId order. `continuationToken` is the token of the
   * previous page (from its ContinuationToken header), undefined for the first page.
   */
  async list(
    deviceId: string,
    query: ListTimeseriesQueryDto,
    continuationToken: string | undefined,
    access: DeviceAccessScope,
  ): Promise<TimeseriesPageDto> {
    const limit = query.limit ?? DEFAULT_PAGE_SIZE;
    const filter = query.pointType ?? null;
    const after = continuationToken ? this.readListPosition(continuationToken, deviceId, filter) : null;

    const rows = await this.dataSource.query<ListedTimeseriesRow[]>(LIST_TIMESERIES, [
      deviceId,
      after,
      filter,
      limit + 1,
    ]);
    access.assertCanAccess(rows[0]?.collection_id);

    const items = rows.flatMap((row) => (row.point_id === null ? [] : [toListed(row)]));
    const page = items.slice(0, limit);
    const last = page[page.length - 1];
    const position: ListPosition | undefined = items.length > limit && last ? { k: last.pointId } : undefined;
    return {
      deviceId,
      relationships: page,
      continuationToken: position ? this.tokens.issue(LIST_TOKEN_PURPOSE, [deviceId, filter], position) : null,
    };
  }

  /** One timeseries of the device; 404 when the device has none by that id. */
  async get(deviceId: string, timeseriesId: string, access: DeviceAccessScope): Promise<TimeseriesDetailDto> {
    const [row] = await this.dataSource.query<TimeseriesDetailRow[]>(GET_TIMESERIES, [deviceId, timeseriesId]);
    access.assertCanAccess(row?.collection_id);
    if (!row || row.point_id === null) {
      throw new NotFoundError('The device has no timeseries with this id');
    }
    const listed = toListed(row);
    return {
      timeseriesId: listed.timeseriesId,
      deviceId,
      pointId: listed.pointId,
      pointType: listed.pointType,
      orgId: row.collection_id,
      timeseriesType: DEFAULT_TIMESERIES_TYPE,
      dag: DEFAULT_DAG.map((step) => ({ ...step })),
      status: listed.status,
      createdAt: listed.createdAt,
    };
  }

  private readListPosition(token: string, deviceId: string, filter: string | null): string {
    const { k } = this.tokens.read(LIST_TOKEN_PURPOSE, [deviceId, filter], token);
    if (typeof k !== 'string') throw invalidToken('ContinuationToken is malformed');
    return k;
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

/** A joined row with its point present, as the API shows it. */
function toListed(row: ListedTimeseriesRow): ListedTimeseriesDto {
  if (
    row.point_id === null ||
    row.point_type === null ||
    row.timeseries_id === null ||
    row.status === null ||
    row.created_at === null
  ) {
    throw new Error('toListed() needs a row with its timeseries');
  }
  return {
    pointId: row.point_id,
    pointType: row.point_type,
    timeseriesId: row.timeseries_id,
    status: row.status,
    createdAt: new Date(row.created_at).toISOString(),
  };
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
