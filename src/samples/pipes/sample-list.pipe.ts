import { Inject, Injectable, type PipeTransform } from '@nestjs/common';

import type { FieldError } from '../../common/envelope';
import { InvalidRequestError } from '../../common/errors';
import { APP_CONFIG } from '../../config/config.module';
import type { AppConfig } from '../../config/config';
import { formatInstant, parseInstant } from '../instants';
import { DEFAULT_METRIC, METRICS, metricCode } from '../metrics';
import { DECIMAL, DECIMAL_MAX_LENGTH, UUID } from '../sample-rules';

/** The samples of a write, validated and converted, as parallel arrays in request order. */
export interface SampleBatch {
  /** Lower-case timeseries id of each sample. */
  timeseriesIds: string[];
  metrics: number[];
  /** Epoch microseconds. */
  instants: number[];
  values: number[];
}

const FIELDS: ReadonlySet<string> = new Set(['timeseriesId', 'val', 'timestamp', 'metric']);
/** Most field errors one answer lists; a hostile body must not get an answer larger than itself. */
const MAX_REPORTED_ERRORS = 100;
const SUMMARY_ITEMS = 5;

/**
 * Validates the body of a samples write: a JSON array of 1..MAX_SAMPLES_PER_REQUEST samples
 * `{timeseriesId, val, timestamp, metric?}` (rules in sample-rules.ts, instants.ts), no unknown
 * fields, no key (timeseriesId, metric, instant) twice. One pass that converts as it checks;
 * every problem is named by its path (`[3].timestamp`).
 */
@Injectable()
export class SampleListPipe implements PipeTransform<unknown, SampleBatch> {
  private readonly maxSamples: number;

  constructor(@Inject(APP_CONFIG) config: AppConfig) {
    this.maxSamples = config.limits.maxSamplesPerRequest;
  }

  transform(body: unknown): SampleBatch {
    if (!Array.isArray(body)) throw new InvalidRequestError('The request body must be a JSON array of samples');
    if (body.length === 0) throw new InvalidRequestError('No samples provided');
    if (body.length > this.maxSamples) {
      throw new InvalidRequestError(
        `Too many samples: a request may write at most ${this.maxSamples} samples, got ${body.length}`,
      );
    }
    const batch: SampleBatch = { timeseriesIds: [], metrics: [], instants: [], values: [] };
    const errors: FieldError[] = [];
    const report = (path: string, message: string) => {
      if (errors.length < MAX_REPORTED_ERRORS) errors.push({ path, message });
    };
    for (const [index, item] of (body as unknown[]).entries()) {
      if (errors.length >= MAX_REPORTED_ERRORS) break;
      const path = `[${index}]`;
      if (typeof item !== 'object' || item === null || Array.isArray(item)) {
        report(path, 'each sample must be an object with timeseriesId, val and timestamp');
        continue;
      }
      for (const key of Object.keys(item)) {
        if (!FIELDS.has(key)) report(`${path}.${key}`, `${key} is not a known field`);
      }
      const { timeseriesId, val, timestamp, metric } = item as Record<string, unknown>;
      batch.timeseriesIds.push(checkTimeseriesId(timeseriesId, path, report));
      batch.values.push(checkValue(val, path, report));
      batch.instants.push(checkTimestamp(timestamp, path, report));
      batch.metrics.push(checkMetric(metric, path, report));
    }
    if (errors.length === 0) rejectDuplicates(batch);
    else throw new InvalidRequestError(`Invalid samples: ${summarize(errors)}`, errors);
    return batch;
  }
}

type Report = (path: string, message: string) => void;

function checkTimeseriesId(value: unknown, path: string, report: Report): string {
  if (value === undefined) report(`${path}.timeseriesId`, 'timeseriesId is required');
  else if (typeof value !== 'string' || !UUID.test(value))
    report(`${path}.timeseriesId`, 'timeseriesId must be a UUID');
  else return value.toLowerCase();
  return '';
}

function checkValue(value: unknown, path: string, report: Report): number {
  const where = `${path}.val`;
  if (value === undefined) {
    report(where, 'val is required');
  } else if (typeof value === 'number') {
    // JSON has no NaN or Infinity, but 1e999 parses as Infinity.
    if (Number.isFinite(value)) return value;
    report(where, 'val must be a finite number');
  } else if (typeof value === 'string') {
    if (value.length <= DECIMAL_MAX_LENGTH && DECIMAL.test(value)) {
      const number = Number(value);
      if (Number.isFinite(number)) return number;
      report(where, 'val must be a finite number');
    } else {
      report(where, 'val must be a number, or a string holding a decimal number');
    }
  } else {
    report(where, 'val must be a number, or a string holding a decimal number');
  }
  return 0;
}

function checkTimestamp(value: unknown, path: string, report: Report): number {
  const where = `${path}.timestamp`;
  if (value === undefined) {
    report(where, 'timestamp is required');
    return 0;
  }
  if (typeof value !== 'string') {
    report(where, 'timestamp must be a string');
    return 0;
  }
  const parsed = parseInstant(value);
  if (parsed.ok) return parsed.us;
  report(where, `timestamp ${parsed.problem}`);
  return 0;
}

function checkMetric(value: unknown, path: string, report: Report): number {
  if (value === undefined) return metricCode(DEFAULT_METRIC)!;
  const code = typeof value === 'string' ? metricCode(value) : undefined;
  if (code !== undefined) return code;
  report(`${path}.metric`, `metric must be one of the timeseries' metrics: ${METRICS.join(', ')}`);
  return 0;
}

/** The same (timeseriesId, metric, instant) twice in one request: a 400 naming both. */
function rejectDuplicates(batch: SampleBatch): void {
  const seen = new Map<string, number>();
  const errors: FieldError[] = [];
  for (let i = 0; i < batch.instants.length; i++) {
    const key = `${batch.timeseriesIds[i]} ${batch.metrics[i]} ${batch.instants[i]}`;
    const first = seen.get(key);
    if (first === undefined) {
      seen.set(key, i);
      continue;
    }
    if (errors.length >= MAX_REPORTED_ERRORS) break;
    const message = `the same timeseriesId, metric and instant (${formatInstant(batch.instants[i]!)}) as [${first}]`;
    errors.push({ path: `[${first}]`, message: `the same timeseriesId, metric and instant as [${i}]` });
    errors.push({ path: `[${i}]`, message });
  }
  if (errors.length > 0) {
    throw new InvalidRequestError(`Duplicate samples in the request: ${summarize(errors)}`, errors);
  }
}

function summarize(errors: readonly FieldError[]): string {
  const shown = errors.slice(0, SUMMARY_ITEMS).map((e) => `${e.path}: ${e.message}`);
  const more = errors.length - shown.length;
  return shown.join('; ') + (more > 0 ? `; and ${more} more (see errors)` : '');
}
