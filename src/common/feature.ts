import type { Type } from '@nestjs/common';

import type { AppConfig } from '../config/config';

/**
 * A feature of the service, as the one list of them (src/features.ts) declares it: the list feeds
 * the app module, the OpenAPI tags and the entities of the TypeORM CLI; the access matrix and the
 * fuzz test cover every route the listed modules serve. Each feature module exports its own.
 */
export interface Feature {
  /** The feature's Nest module. */
  module: Type<unknown>;
  /** The OpenAPI tag its controllers use (`@DeviceController(path, tag)`); none for a feature without routes. */
  tag?: { name: string; description: string };
  /** The entities it registers (`TypeOrmModule.forFeature`); its migrations create their tables. */
  entities?: readonly Type<unknown>[];
  /** Whether the configuration turns it on; absent: always. */
  enabled?: (config: AppConfig) => boolean;
}
