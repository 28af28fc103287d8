import { Injectable } from '@nestjs/common';

import type { DeviceAccessScope } from '../auth/device-access-scope';
import { ContinuationTokens, invalidToken, type TokenPurpose } from '../common/continuation-token';
import { ConflictError, NotFoundError } from '../common/errors';
import { DEFAULT_PAGE_SIZE, type ListTimeseriesQueryDto } from './dto/list-timeseries-query.dto';
import type { PointDto } from './dto/point.dto';
import type { RegisteredTimeseriesDto } from './dto/registered-timeseries.dto';
import { DEFAULT_DAG, DEFAULT_TIMESERIES_TYPE, type TimeseriesDetailDto } from './dto/timeseries-detail.dto';
import type { ListedTimeseriesDto, TimeseriesPageDto } from './dto/timeseries-page.dto';
import type { TimeseriesRelationshipDto } from './dto/timeseries-relationship.dto';
import { deviceRowOf, TimeseriesRepository } from './timeseries.repository';
import type { ListedTimeseriesRow } from './timeseries.sql';

/** Purpose of the list's continuation tokens: a token of another list never reads as one of this. */
const LIST_TOKENS: TokenPurpose = {
  name: 'devices.timeseries.list.v1',
  validFor: 'this list: it was modified, or issued for another device or pointType filter',
};

/** Where a page ended: its last pointId. The device and filter are signed into the token. */
interface ListPosition {
  k: string;
}

/** The domain rules of registering and reading timeseries; the SQL is TimeseriesRepository's. */
@Injectable()
export class TimeseriesService {
  constructor(
    private readonly repository: TimeseriesRepository,
    private readonly tokens: ContinuationTokens,
  ) {}

  /**
   * Registers the points of a device and returns one timeseries per point, in request order.
   * Idempotent: points that exist with the same type keep their timeseries. All or nothing: a
   * point that exists with another type fails the whole request with 409 and writes nothing.
   */
  async register(
    deviceId: string,
    points: readonly PointDto[],
    access: DeviceAccessScope,
  ): Promise<RegisteredTimeseriesDto> {
    // Asked before the database, so the answer never depends on whether the device exists.
    const collectionId = access.collectionForNewDevice();
    const rows = await this.repository.register({
      deviceId,
      collectionId,
      allowedCollections: access.allowed,
      pointIds: points.map((p) => p.id),
      pointTypes: points.map((p) => p.pointType),
    });
    access.assertCanAccess(deviceRowOf(rows)?.collection_id ?? undefined);

    const registered = new Map<string, TimeseriesRelationshipDto>();
    for (const row of rows) {
      if (row.point_id === null) continue;
      const { point_id: pointId, point_type: pointType, timeseries_id: timeseriesId, created } = row;
      registered.set(pointId, { pointId, pointType, timeseriesId, created });
    }
    const conflicts = points.filter((p) => {
      const existing = registered.get(p.id);
      return existing !== undefined && existing.pointType !== p.pointType;
    });
    if (conflicts.length > 0) throw pointTypeConflict(conflicts, registered);

    return {
      deviceId,
      relationships: points.map((point) => {
        const relationship = registered.get(point.id);
        if (!relationship) throw new Error(`The database returned no timeseries for point ${JSON.stringify(point.id)}`);
        return relationship;
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
    const pointType = query.pointType ?? null;
    const after = continuationToken ? this.readListPosition(continuationToken, deviceId, pointType) : null;

    const rows = await this.repository.listPage({ deviceId, after, pointType, limit: limit + 1 });
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
      continuationToken: position ? this.tokens.issue(LIST_TOKENS, [deviceId, pointType], position) : null,
    };
  }

  /** One timeseries of the device; 404 when the device has none by that id. */
  async get(deviceId: string, timeseriesId: string, access: DeviceAccessScope): Promise<TimeseriesDetailDto> {
    const row = await this.repository.findOne({ deviceId, timeseriesId });
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

  private readListPosition(token: string, deviceId: string, pointType: string | null): string {
    const { k } = this.tokens.read(LIST_TOKENS, [deviceId, pointType], token);
    if (typeof k !== 'string') throw invalidToken('ContinuationToken is malformed');
    return k;
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
