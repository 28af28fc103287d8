import { ANALYTICS_FEATURE } from './analytics/analytics.module';
import type { Feature } from './common/feature';
import { DEVICES_FEATURE } from './devices/devices.module';
import { EXPLORER_FEATURE } from './explorer/explorer.module';
import { HEALTH_FEATURE } from './health/health.module';
import { HISTORY_FEATURE } from './history/history.module';
import { METRICS_FEATURE } from './metrics/metrics.module';
import { SAMPLES_FEATURE } from './samples/samples.module';
import { SERIES_FEATURE } from './series/series.module';
import { STREAM_FEATURE } from './stream/stream.module';

/**
 * The features of the service, the one list of them: the app module imports their modules (in this
 * order), the OpenAPI document declares their tags, the TypeORM CLI diffs their entities, and the
 * access matrix and fuzz test cover every route they serve. A new feature is one line here
 * (CONTRIBUTING.md, "Add a module").
 */
export const FEATURES: readonly Feature[] = [
  HEALTH_FEATURE,
  METRICS_FEATURE,
  DEVICES_FEATURE,
  SERIES_FEATURE,
  SAMPLES_FEATURE,
  ANALYTICS_FEATURE,
  STREAM_FEATURE,
  HISTORY_FEATURE,
  EXPLORER_FEATURE,
];

/** The features the configuration turns on. */
export function enabledFeatures(
  features: readonly Feature[],
  config: Parameters<NonNullable<Feature['enabled']>>[0],
): Feature[] {
  return features.filter((feature) => feature.enabled?.(config) ?? true);
}
