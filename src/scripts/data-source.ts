import { DataSource } from 'typeorm';

import { loadConfig } from '../config/config';
import { dataSourceOptions } from '../database/data-source-options';
import { FEATURES } from '../features';

/** Every feature's entities, for the CLI's schema diff; the app gets them from the feature modules. */
export const ALL_ENTITIES = FEATURES.flatMap((feature) => feature.entities ?? []);

/**
 * The TypeORM CLI's data source (`npm run migration:*`): the app's options, read from the
 * environment, with every feature's entities. Importing it reads the environment, which is why
 * nothing in the application imports it.
 */
export default new DataSource({ ...dataSourceOptions(loadConfig()), entities: ALL_ENTITIES });
