/**
 * The metrics a sample may belong to: the steps of a timeseries' processing (its dag), of which
 * every timeseries has one until a feature lets clients choose, the raw values. Each metric has a
 * code, a smallint in every sample row: its position here. Append new metrics, never reorder.
 */
export const METRICS = ['Raw'] as const;
export type Metric = (typeof METRICS)[number];
export const DEFAULT_METRIC: Metric = 'Raw';

export function metricCode(metric: string): number | undefined {
  const code = (METRICS as readonly string[]).indexOf(metric);
  return code < 0 ? undefined : code;
}

/** The code of a request's metric, Raw when it names none (the DTO or the pipe checked it is one). */
export function selectedMetric(metric: string | undefined): number {
  const code = metricCode(metric ?? DEFAULT_METRIC);
  if (code === undefined) throw new Error(`selectedMetric: "${metric}" is not a metric`);
  return code;
}

export function metricName(code: number): Metric {
  const name = METRICS[code];
  if (name === undefined) throw new Error(`Unknown metric code ${code}`);
  return name;
}
