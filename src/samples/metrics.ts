import { DEFAULT_DAG_METRICS, type DagMetric } from '../devices/entities/timeseries-dag';

/**
 * The metrics a sample may belong to (the timeseries' dag metrics) and their codes, a smallint in
 * every sample row. A code is the metric's position here: append new metrics, never reorder.
 */
export const METRICS: readonly DagMetric[] = DEFAULT_DAG_METRICS;
export const DEFAULT_METRIC: DagMetric = 'Raw';

export function metricCode(metric: string): number | undefined {
  const code = (METRICS as readonly string[]).indexOf(metric);
  return code < 0 ? undefined : code;
}

export function metricName(code: number): DagMetric {
  const name = METRICS[code];
  if (name === undefined) throw new Error(`Unknown metric code ${code}`);
  return name;
}
