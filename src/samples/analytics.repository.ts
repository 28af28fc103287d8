import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';

import { InvalidRequestError } from '../common/errors';
import { ReadReplicas } from '../database/read-replicas';
import {
  aggregateStatement,
  DELETE_SAMPLES,
  LATEST_SAMPLES,
  SAMPLE_STATS,
  type AggregateParams,
  type AggregateRow,
  type AggregateShape,
  type LatestRow,
  type SeriesParams,
  type StatsRow,
} from './analytics.sql';

/** PostgreSQL's invalid_parameter_value, raised for a time zone it does not know. */
const INVALID_PARAMETER_VALUE = '22023';

/** The analytics and lifecycle statements (analytics.sql.ts) behind typed methods. */
@Injectable()
export class AnalyticsRepository {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly replicas: ReadReplicas,
  ) {}

  latest(params: SeriesParams & { before: string; n: number }): Promise<LatestRow[]> {
    return this.replicas.read((dataSource) => LATEST_SAMPLES.run(dataSource, params));
  }

  stats(params: SeriesParams & { start: string; end: string }): Promise<StatsRow[]> {
    return this.replicas.read((dataSource) => SAMPLE_STATS.run(dataSource, params));
  }

  async aggregates(shape: AggregateShape, params: AggregateParams): Promise<AggregateRow[]> {
    try {
      return await this.replicas.read((dataSource) => aggregateStatement(shape).run(dataSource, params));
    } catch (error) {
      const { code, message } = (error ?? {}) as { code?: unknown; message?: unknown };
      if (code === INVALID_PARAMETER_VALUE && typeof message === 'string' && message.includes('time zone')) {
        throw new InvalidRequestError(`timeZone "${params.timeZone}" is not a time zone the database knows`, [
          { path: 'timeZone', message: 'timeZone must be an IANA time zone' },
        ]);
      }
      throw error;
    }
  }

  async delete(params: Omit<SeriesParams, 'timeseriesIds'> & { start: string; end: string }): Promise<number> {
    const [row] = await DELETE_SAMPLES.run(this.dataSource, params);
    return row?.deleted ?? 0;
  }
}
