import { Injectable } from '@nestjs/common';

import type { DeviceAccessScope } from '../auth/device-access-scope';
import { InvalidRequestError } from '../common/errors';
import { MAX_REPORTED_ERRORS, namedPaths } from '../common/field-errors';
import { arrayLiteral } from '../database/array-literal';
import { selectedMetric } from '../series/metrics';
import { databaseInstant, rangeOf } from '../series/range';
import { SampleEventSignal } from '../events/sample-event-signal';
import { payloadText, type SamplesEventPayload } from '../events/sample-events.sql';
import { SampleMaintenance } from '../series/sample-maintenance';
import { monthOf, partitionName, type Month } from '../series/sample-partitions';
import { TimeseriesSelection, unknownTimeseries } from '../series/timeseries-selection';
import type { DeleteSamplesQueryDto } from './dto/delete-samples-query.dto';
import type { SamplesAcceptedDto } from './dto/samples-accepted.dto';
import type { SamplesDeletedDto } from './dto/samples-deleted.dto';
import type { SampleBatch } from './pipes/sample-list.pipe';
import { SamplesRepository } from './samples.repository';

/** The domain rules of changing samples (write, delete); the SQL is SamplesRepository's. */
@Injectable()
export class SamplesService {
  constructor(
    private readonly repository: SamplesRepository,
    private readonly selection: TimeseriesSelection,
    private readonly maintenance: SampleMaintenance,
    private readonly events: SampleEventSignal,
  ) {}

  /**
   * Stores the samples of the device, all or nothing, replacing stored ones with the same
   * (timeseries, metric, instant). 403 before anything else when the device is not the caller's;
   * 400 naming the items whose timeseries is not the device's (foreign and missing alike).
   */
  async write(deviceId: string, batch: SampleBatch, access: DeviceAccessScope): Promise<SamplesAcceptedDto> {
    this.refuseExpired(batch);
    const distinct = [...new Set(batch.timeseriesIds)];
    const row = await this.repository.write(
      {
        deviceId,
        allowedCollections: access.allowed,
        timeseriesIds: distinct,
        sampleTimeseriesIds: arrayLiteral(batch.timeseriesIds),
        metrics: arrayLiteral(batch.metrics),
        instantsUs: arrayLiteral(batch.instants),
        values: arrayLiteral(batch.values),
        eventPayload: payloadText(eventPayloadOf(batch, distinct)),
      },
      () => monthsOf(batch.instants),
    );
    if (row.event_id !== null) this.events.committed({ id: Number(row.event_id), deviceId });
    access.assertCanAccess(row.collection_id ?? undefined);
    if (row.unknown_ids && row.unknown_ids.length > 0) {
      const unknown = new Set(row.unknown_ids);
      throw unknownTimeseries(
        batch.timeseriesIds.flatMap((id, index) => (unknown.has(id) ? [`[${index}].timeseriesId`] : [])),
      );
    }
    return { accepted: row.written };
  }

  /** Deletes the samples of the timeseries in [startTime, endTime), all or nothing. */
  async delete(deviceId: string, query: DeleteSamplesQueryDto, access: DeviceAccessScope): Promise<SamplesDeletedDto> {
    const range = rangeOf(query.startTime, query.endTime);
    const seriesKeys = await this.selection.seriesKeysOf(deviceId, query.timeseries_ids, access, true);
    const metric = selectedMetric(query.metric);
    const timeseriesOf = new Map(seriesKeys.map((key, index) => [key, query.timeseries_ids[index]!]));
    const { deleted, eventId } = await this.repository.delete(
      {
        seriesKeys,
        metric,
        start: databaseInstant(range.startUs, '-infinity'),
        end: databaseInstant(range.endUs, 'infinity'),
      },
      // The streams' `deleted` events: one per timeseries that lost samples; none when nothing was deleted.
      ({ by_series }) =>
        by_series && by_series.length > 0
          ? {
              deviceId,
              payload: payloadText({
                t: by_series.map(([key]) => timeseriesOf.get(key)!),
                n: by_series.map(([, count]) => count),
                m: metric,
                from: range.startUs,
                to: range.endUs,
              }),
            }
          : undefined,
    );
    if (eventId !== undefined) this.events.committed({ id: eventId, deviceId });
    return { deleted };
  }

  /** Samples older than the retention would be dropped with their partition: refused, naming them. */
  private refuseExpired(batch: SampleBatch): void {
    const oldest = this.maintenance.oldestAcceptedUs();
    if (oldest === undefined) return;
    const expired = batch.instants.flatMap((us, index) => (us < oldest ? [`[${index}].timestamp`] : []));
    if (expired.length === 0) return;
    const days = this.maintenance.retention;
    const message = `timestamp is older than the retention of ${days} days (SAMPLES_RETENTION_DAYS)`;
    throw new InvalidRequestError(
      `Samples older than the retention of ${days} days are not stored: ${namedPaths(expired)}`,
      expired.slice(0, MAX_REPORTED_ERRORS).map((path) => ({ path, message })),
    );
  }
}

/** The write's samples as its stream event records them: the `distinct` timeseries once, then an index per sample. */
function eventPayloadOf(batch: SampleBatch, distinct: readonly string[]): SamplesEventPayload {
  const indexOf = new Map(distinct.map((id, index) => [id, index]));
  const i = batch.timeseriesIds.map((id) => indexOf.get(id)!);
  return { t: [...distinct], i, m: batch.metrics, us: batch.instants, v: batch.values };
}

/** The distinct months of `instants` (epoch µs), each once. */
function monthsOf(instants: readonly number[]): Month[] {
  const months = new Map<string, Month>();
  for (const us of instants) {
    const month = monthOf(us);
    months.set(partitionName(month), month);
  }
  return [...months.values()];
}
