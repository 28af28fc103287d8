import type { TokenPurpose } from '../common/continuation-token';
import { instantForDatabase } from '../series/instants';
import { databaseInstant, type Range } from '../series/range';
import type { SamplePositionRow } from '../series/series.sql';
import type { ReadSamplesParams } from './samples.sql';

/**
 * Keyset paging of the samples reads: where a page ended (a continuation token's position), and
 * where the next one starts, in the read's direction.
 */

/** The samples reads' continuation tokens: bound to the whole query but `limit` (the benchmark mints them too). */
export const READ_TOKENS: TokenPurpose = {
  name: 'samples.read.v1',
  validFor:
    'this read: it was modified, or issued for another device, timeseries_ids, metric, startTime, endTime, orderby or paginated',
};

/** Where a page ended: the last sample's instant (epoch µs), timeseries id and metric code. */
export interface ReadPosition {
  t: number;
  i: string;
  m: number;
}

/** Where a read starts (`bound`) and the far end of its range (`other`), in its direction. */
export function bounds(
  range: Range,
  after: ReadPosition | undefined,
  descending: boolean,
): Pick<ReadSamplesParams, 'bound' | 'other'> {
  if (descending) {
    return {
      bound: after ? instantForDatabase(after.t) : databaseInstant(range.endUs, 'infinity'),
      other: databaseInstant(range.startUs, '-infinity'),
    };
  }
  return {
    bound: after ? instantForDatabase(after.t) : databaseInstant(range.startUs, '-infinity'),
    other: databaseInstant(range.endUs, 'infinity'),
  };
}

/** Whether stream (id, metric) comes after the cursor's among samples of the same instant. */
export function isAfter(stream: [string, number], cursor: [string, number], descending: boolean): boolean {
  const order = stream[0] === cursor[0] ? Math.sign(stream[1] - cursor[1]) : stream[0] < cursor[0] ? -1 : 1;
  return descending ? order < 0 : order > 0;
}

export function positionOf(row: SamplePositionRow): ReadPosition {
  return { t: row.ts_us, i: row.timeseries_id, m: row.metric };
}
