import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';

import { ReadReplicas } from '../database/read-replicas';
import { LOOKUP_SERIES, type SeriesLookupRow } from './series.sql';

/** The lookup every samples route starts with (series.sql.ts), behind a typed method. */
@Injectable()
export class SeriesRepository {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly replicas: ReadReplicas,
  ) {}

  /**
   * The device's row and the series keys of those of `timeseriesIds` that are the device's: on a
   * replica for reads, on the primary for writes (`primary`). A replica's answer that misses the
   * device or an id is asked of the primary again: the timeseries may be a moment old.
   */
  lookup(params: { deviceId: string; timeseriesIds: readonly string[] }, primary = false): Promise<SeriesLookupRow[]> {
    if (primary) return LOOKUP_SERIES.run(this.dataSource, params);
    return this.replicas.read(
      (dataSource) => LOOKUP_SERIES.run(dataSource, params),
      (rows) =>
        rows.length === 0 || rows.filter((row) => row.timeseries_id !== null).length < params.timeseriesIds.length,
    );
  }
}
