/**
 * The processing (dag) every timeseries has until a feature lets clients choose: one step, the raw
 * values. Its metrics are the ones a sample of the timeseries may belong to.
 */
export const DEFAULT_DAG_METRICS = ['Raw'] as const;
export type DagMetric = (typeof DEFAULT_DAG_METRICS)[number];
