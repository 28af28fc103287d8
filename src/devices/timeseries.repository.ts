import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';

import { ServiceUnavailableError } from '../common/errors';
import { isUniqueViolation } from '../database/database-errors';
import { ReadReplicas } from '../database/read-replicas';
import {
  GET_TIMESERIES,
  listStatementFor,
  LOCK_DEVICE,
  REGISTER_POINTS,
  type ListedTimeseriesRow,
  type ListPageParams,
  type RegisteredPointRow,
  type RegisterPointsParams,
} from './timeseries.sql';

/**
 * In the transaction a registration falls back to after losing a race (see register), the device
 * may still be created concurrently once: the second attempt finds and locks it.
 */
const LOCKED_ATTEMPTS = 3;

/**
 * The devices feature's persistence: its hot statements (timeseries.sql.ts) behind typed methods.
 * TimeseriesService keeps the domain rules (access, conflicts, paging tokens).
 */
@Injectable()
export class TimeseriesRepository {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly replicas: ReadReplicas,
  ) {}

  /**
   * Registers with one statement, REGISTER_POINTS, which is all it takes unless the statement lost
   * a race to a concurrent registration of the same device (it then wrote nothing). Then it
   * registers in a transaction that locks the device first: the statement's snapshot is then taken
   * with the lock held, so it sees every point the device's other writers committed and cannot
   * lose again, however many requests write to the device at once.
   *
   * Returns the device's row (its collection; none when there is no device, which only a foreign
   * caller can see) and one row per requested point that exists or was created.
   */
  async register(params: RegisterPointsParams): Promise<RegisteredPointRow[]> {
    const rows = await this.registerUnlessRacing(params);
    if (rows) return rows;
    return this.dataSource.transaction(async (manager) => {
      for (let attempt = 0; attempt < LOCKED_ATTEMPTS; attempt++) {
        await LOCK_DEVICE.runIn(manager, params);
        const locked = await REGISTER_POINTS.runIn(manager, params);
        if (deviceRowOf(locked)) return locked;
        // The device was created after this statement's snapshot: the next one sees and locks it.
      }
      throw new ServiceUnavailableError('The device is being changed concurrently; try again');
    });
  }

  /** The device's row and a page of its timeseries (see LIST_TIMESERIES); none when there is no device. */
  listPage(params: ListPageParams): Promise<ListedTimeseriesRow[]> {
    return this.replicas.read(
      (dataSource) => listStatementFor(params).run(dataSource, params),
      (rows) => rows.length === 0,
    );
  }

  /** The device's row with its timeseries `timeseriesId` joined, if it has one; undefined: no device. */
  async findOne(params: { deviceId: string; timeseriesId: string }): Promise<ListedTimeseriesRow | undefined> {
    const [row] = await this.replicas.read(
      (dataSource) => GET_TIMESERIES.run(dataSource, params),
      ([found]) => !found || found.timeseries_id === null,
    );
    return row;
  }

  /** REGISTER_POINTS on its own; undefined when it lost a race and wrote nothing. */
  private async registerUnlessRacing(params: RegisterPointsParams): Promise<RegisteredPointRow[] | undefined> {
    try {
      const rows = await REGISTER_POINTS.run(this.dataSource, params);
      return deviceRowOf(rows) ? rows : undefined;
    } catch (error) {
      if (isUniqueViolation(error)) return undefined; // some of these points were committed meanwhile
      throw error;
    }
  }
}

/** The row of REGISTER_POINTS that carries the device (its point columns are null). */
export function deviceRowOf(rows: readonly RegisteredPointRow[]): RegisteredPointRow | undefined {
  return rows.find((row) => row.point_id === null);
}
