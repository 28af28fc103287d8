import { Inject, Injectable } from '@nestjs/common';

import { JsonArrayPipe } from '../../common/json-array.pipe';
import { APP_CONFIG } from '../../config/config.module';
import type { AppConfig } from '../../config/config';
import { formatInstant, parseInstant } from '../../series/instants';
import { selectedMetric } from '../../series/metrics';
import { SAMPLE_SCHEMA, SampleInputDto } from '../dto/sample-input.dto';
import { sampleValueOf } from '../sample-value';

/** The samples of a write, validated and converted, as parallel arrays in request order. */
export interface SampleBatch {
  /** Lower-case timeseries id of each sample. */
  timeseriesIds: string[];
  metrics: number[];
  /** Epoch microseconds. */
  instants: number[];
  values: number[];
}

/**
 * The body of a samples write: a JSON array of 1..MAX_SAMPLES_PER_REQUEST SampleInputDto items,
 * no key (timeseriesId, metric, instant) twice, validated the one way array bodies are
 * (JsonArrayPipe) and converted to parallel arrays (instants in epoch µs, values as doubles).
 */
@Injectable()
export class SampleListPipe extends JsonArrayPipe<SampleInputDto, SampleBatch> {
  constructor(@Inject(APP_CONFIG) config: AppConfig) {
    super({
      noun: { one: 'sample', many: 'samples' },
      verb: 'write',
      maxItems: config.limits.maxSamplesPerRequest,
      dto: SampleInputDto,
      itemSchema: SAMPLE_SCHEMA,
      convert: toBatch,
      size: (batch) => batch.instants.length,
      duplicates: {
        key: (batch, i) => `${batch.timeseriesIds[i]} ${batch.metrics[i]} ${batch.instants[i]}`,
        path: '',
        name: 'timeseriesId, metric and instant',
        shown: (batch, i) => formatInstant(batch.instants[i]!),
      },
    });
  }
}

/**
 * The samples as parallel arrays; undefined when a sample only has the shape of one: an instant
 * not on the calendar (2026-02-30) or out of range, a value that is not finite (1e999 parses as
 * Infinity). The DTO then names it.
 */
function toBatch(samples: readonly SampleInputDto[]): SampleBatch | undefined {
  const batch: SampleBatch = { timeseriesIds: [], metrics: [], instants: [], values: [] };
  for (const sample of samples) {
    const instant = parseInstant(sample.timestamp);
    const value = sampleValueOf(sample.val);
    if (!instant.ok || value === undefined) return undefined;
    batch.timeseriesIds.push(sample.timeseriesId.toLowerCase());
    batch.instants.push(instant.us);
    batch.values.push(value);
    batch.metrics.push(selectedMetric(sample.metric));
  }
  return batch;
}
