import { Injectable } from '@nestjs/common';

import { InvalidRequestError } from '../common/errors';
import type { PreparedStatement } from '../database/prepared-statement';
import { ReadReplicas } from '../database/read-replicas';
import { runQuery, sql } from '../database/sql';
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
import { SAMPLE_STATS_FROM_ROLLUPS } from './summaries.sql';

/** PostgreSQL's invalid_parameter_value, raised for a time zone it does not know. */
const INVALID_PARAMETER_VALUE = '22023';

/** The analytics statements (analytics.sql.ts) behind typed methods; every one reads (on a replica if any). */
@Injectable()
export class AnalyticsRepository {
  constructor(private readonly replicas: ReadReplicas) {}

  latest(params: SeriesParams & { before: string; n: number }): Promise<LatestRow[]> {
    return this.replicas.read((dataSource) => LATEST_SAMPLES.run(dataSource, params));
  }

  /** From the days' summaries (`rollups`) or from the samples alone: the same answer. */
  stats(rollups: boolean, params: SeriesParams & { start: string; end: string }): Promise<StatsRow[]> {
    if (rollups) return this.fromSummaries(SAMPLE_STATS_FROM_ROLLUPS, params);
    return this.replicas.read((dataSource) => SAMPLE_STATS.run(dataSource, params));
  }

  /** A zone the runtime knows (the DTO checked) but the database's zone data does not is a 400 too. */
  async aggregates(shape: AggregateShape, params: AggregateParams): Promise<AggregateRow[]> {
    try {
      const statement = aggregateStatement(shape);
      if (shape.rollups) return await this.fromSummaries(statement, params);
      return await this.replicas.read((dataSource) => statement.run(dataSource, params));
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

  /**
   * A statement that reads summaries, with its generic plan (one plan per connection, not one per
   * request): planning it took longer than running it (8 of 15 ms for a year's stats), and its
   * custom plans are no better. SET LOCAL keeps the setting to this transaction: two more round
   * trips on the connection, against a plan each time.
   */
  private fromSummaries<Params, Row>(statement: PreparedStatement<Params, Row>, params: Params): Promise<Row[]> {
    return this.replicas.read((dataSource) =>
      dataSource.transaction(async (manager) => {
        await runQuery(manager, sql`SET LOCAL plan_cache_mode = force_generic_plan`);
        return statement.runIn(manager, params);
      }),
    );
  }
}
