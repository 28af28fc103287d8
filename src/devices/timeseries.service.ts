import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';

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
  listTimeseriesQuery,
  LOCK_DEVICE,
  REGISTER_POINTS,
  type ListedTimeseriesRow,
  type RegisteredPointRow,
} from './timeseries.sql';

/**
 * In the transaction a registration falls back to after losing a race (see registerRows), the
 * device may still be created concurrently once: the second attempt finds and locks it.
 */
const LOCKED_ATTEMPTS = 3;

/** PostgreSQL's unique_violation. */
const UNIQUE_VIOLATION = '23505';

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
   * One statement whatever the point count (REGISTER_POINTS); a short transaction only when it
   * races a concurrent registration of the same device (see registerRows).
   */
  async register(
    deviceId: string,
    points: readonly PointDto[],
    access: DeviceAccessScope,
  ): Promise<RegisteredTimeseriesDto> {
    // Asked before the database, so the answer never depends on whether the device exists.
    const collectionId = access.collectionForNewDevice();
    const values = [deviceId, collectionId, access.allowed, points.map((p) => p.id), points.map((p) => p.pointType)];
    const registered = await this.registerRows(values, access);

    const conflicts = points.filter((p) => {
      const existing = registered.get(p.id);
      return existing !== undefined && existing.pointType !== p.pointType;
    });
    if (conflicts.length > 0) throw pointTypeConflict(conflicts, registered);

    return {
      deviceId,
      relationships: points.map((point): TimeseriesRelationshipDto => {
        const row = registered.get(point.id);
        if (!row) throw new Error(`The database returned no timeseries for point ${JSON.stringify(point.id)}`);
        return row;
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

    const { statement, values } = listTimeseriesQuery(deviceId, after, filter, limit + 1);
    const rows = await statement.run(this.dataSource, values);
    access.assertCanAccess(rows[0]?.collection_id);

    // Up to limit + 1 rows: the extra one only says that there is a next page.
    const page: ListedTimeseriesDto[] = [];
    let found = 0;
    for (const row of rows) {
      if (row.point_id === null) continue;
      if (++found <= limit) page.push(toListed(row));
    }
    const last = page[page.length - 1];
    const position: ListPosition | undefined = found > limit && last ? { k: last.pointId } : undefined;
    return {
      deviceId,
      relationships: page,
      continuationToken: position ? this.tokens.issue(LIST_TOKEN_PURPOSE, [deviceId, filter], position) : null,
    };
  }

  /** One timeseries of the device; 404 when the device has none by that id. */
  async get(deviceId: string, timeseriesId: string, access: DeviceAccessScope): Promise<TimeseriesDetailDto> {
    const [row] = await GET_TIMESERIES.run(this.dataSource, [deviceId, timeseriesId]);
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
   * Registers with one statement, REGISTER_POINTS, which is all it takes unless the statement lost
   * a race to a concurrent registration of the same device (it then wrote nothing). Then it
   * registers in a transaction that locks the device first: the statement's snapshot is then taken
   * with the lock held, so it sees every point the device's other writers committed and cannot
   * lose again, however many requests write to the device at once. Checks the caller may use the
   * device and returns its rows by point id.
   */
  private async registerRows(
    values: unknown[],
    access: DeviceAccessScope,
  ): Promise<Map<string, TimeseriesRelationshipDto>> {
    let rows = await this.registerUnlessRacing(values);
    rows ??= await this.dataSource.transaction(async (manager) => {
      for (let attempt = 0; attempt < LOCKED_ATTEMPTS; attempt++) {
        await LOCK_DEVICE.runIn(manager, [values[0], access.allowed]);
        const locked = await REGISTER_POINTS.runIn(manager, values);
        if (deviceRowOf(locked)) return locked;
        // The device was created after this statement's snapshot: the next one sees and locks it.
      }
      throw new ServiceUnavailableError('The device is being changed concurrently; try again');
    });

    access.assertCanAccess(deviceRowOf(rows)?.collection_id ?? undefined);
    const registered = new Map<string, TimeseriesRelationshipDto>();
    for (const row of rows) {
      if (row.point_id === null) continue;
      const { point_id: pointId, point_type: pointType, timeseries_id: timeseriesId, created } = row;
      registered.set(pointId, { pointId, pointType, timeseriesId, created });
    }
    return registered;
  }

  /** REGISTER_POINTS on its own; undefined when it lost a race and wrote nothing. */
  private async registerUnlessRacing(values: unknown[]): Promise<RegisteredPointRow[] | undefined> {
    try {
      const rows = await REGISTER_POINTS.run(this.dataSource, values);
      return deviceRowOf(rows) ? rows : undefined;
    } catch (error) {
      if (isUniqueViolation(error)) return undefined; // some of these points were committed meanwhile
      throw error;
    }
  }
}

function deviceRowOf(rows: readonly RegisteredPointRow[]) {
  return rows.find((row) => row.point_id === null);
}

function isUniqueViolation(error: unknown): boolean {
  return typeof error === 'object' && error !== null && (error as { code?: unknown }).code === UNIQUE_VIOLATION;
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
    createdAt: row.created_at,
  };
}

function pointTypeConflict(
  conflicts: readonly PointDto[],
  existing: ReadonlyMap<string, TimeseriesRelationshipDto>,
): ConflictError {
  const described = conflicts.map(
    (p) =>
      `${JSON.stringify(p.id)} is ${JSON.stringify(existing.get(p.id)!.pointType)}, not ${JSON.stringify(p.pointType)}`,
  );
  return new ConflictError(
    `Points already exist on the device with another pointType; nothing was written: ${described.join('; ')}`,
  );
}
