/**
 * Injection token of the application's Prometheus registry (prom-client), one per application.
 * CommonModule provides it, so any feature can count what it does; MetricsModule serves it.
 */
export const METRICS_REGISTRY = Symbol('METRICS_REGISTRY');
