import { Injectable } from '@nestjs/common';

import { InvalidRequestError } from '../common/errors';
import { ReadReplicas } from '../database/read-replicas';
import {
  aggregateStatement,
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

/** The analytics statements (analytics.sql.ts) behind typed methods; every one reads (on a replica if any). */
@Injectable()
export class AnalyticsRepository {
  constructor(private readonly replicas: ReadReplicas) {}

  latest(params: SeriesParams & { before: string; n: number }): Promise<LatestRow[]> {
    return this.replicas.read((dataSource) => LATEST_SAMPLES.run(dataSource, params));
  }

  stats(params: SeriesParams & { start: string; end: string }): Promise<StatsRow[]> {
    return this.replicas.read((dataSource) => SAMPLE_STATS.run(dataSource, params));
  }

  /** A zone the runtime knows (the DTO checked) but the database's zone data does not is a 400 too. */
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
}
