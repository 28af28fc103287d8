import { Injectable } from '@nestjs/common';

import type { DeviceAccessScope } from '../auth/device-access-scope';
import type { FieldError } from '../common/envelope';
import { InvalidRequestError } from '../common/errors';
import { MAX_REPORTED_ERRORS, namedPaths } from '../common/field-errors';
import { SeriesRepository } from './series.repository';

/**
 * The series keys of the timeseries a request names, which must all be the device's: the one
 * object-level check of every samples route (403 when the device is not the caller's or does not
 * exist) and a 400 naming the ids that are not the device's, the same for foreign and missing ones.
 */
@Injectable()
export class TimeseriesSelection {
  constructor(private readonly repository: SeriesRepository) {}

  /**
   * For reads the lookup runs on a replica (confirmed on the primary when it misses something: see
   * SeriesRepository.lookup); for a write (`forWrite`), on the primary.
   */
  async seriesKeysOf(
    deviceId: string,
    ids: readonly string[],
    access: DeviceAccessScope,
    forWrite = false,
  ): Promise<number[]> {
    const rows = await this.repository.lookup({ deviceId, timeseriesIds: ids }, forWrite);
    access.assertCanAccess(rows[0]?.collection_id);
    const keys = new Map<string, number>();
    for (const row of rows) {
      if (row.timeseries_id !== null && row.series_key !== null) keys.set(row.timeseries_id, row.series_key);
    }
    const unknown = ids.flatMap((id, index) => (keys.has(id) ? [] : [`timeseries_ids[${index}]`]));
    if (unknown.length > 0) throw unknownTimeseries(unknown);
    return ids.map((id) => keys.get(id)!);
  }
}

/** A 400 naming the request paths whose timeseries are not the device's. */
export function unknownTimeseries(paths: readonly string[]): InvalidRequestError {
  const message = 'is not a timeseries of this device';
  const errors: FieldError[] = paths
    .slice(0, MAX_REPORTED_ERRORS)
    .map((path) => ({ path, message: `${path.replace(/^.*\./, '')} ${message}` }));
  return new InvalidRequestError(
    `Unknown timeseries: ${namedPaths(paths)} ${paths.length === 1 ? 'is not a timeseries' : 'are not timeseries'} of this device`,
    errors,
  );
}
