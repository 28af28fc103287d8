import { join } from 'node:path';

import { DataSource, type DataSourceOptions } from 'typeorm';
import type { PostgresDataSourceOptions } from 'typeorm/driver/postgres/PostgresDataSourceOptions';

import { loadConfig, type AppConfig } from '../config/config';
import { ENTITIES } from './entities';
import { pgliteDriver } from './pglite-driver';

/** Migrations live in the top-level `migrations/` folder, compiled beside `src/` in `dist/`. */
const MIGRATIONS_GLOB = join(__dirname, '..', '..', 'migrations', '*.{ts,js}');

/**
 * The one description of the database, used by the app and by the TypeORM CLI alike:
 * node-postgres when DATABASE_URL is set, embedded PGlite under DATA_DIR otherwise.
 * Same entities, same migrations, same SQL on both. The schema changes only through migrations.
 */
export function dataSourceOptions(config: AppConfig): DataSourceOptions {
  const { database } = config;
  const common: PostgresDataSourceOptions = {
    type: 'postgres',
    entities: ENTITIES,
    migrations: [MIGRATIONS_GLOB],
    migrationsTableName: 'migrations',
    migrationsTransactionMode: 'each',
    // UUIDs come from gen_random_uuid(), built into PostgreSQL 13+ and PGlite: no extension to install.
    uuidExtension: 'pgcrypto',
    installExtensions: false,
    synchronize: false,
    migrationsRun: false,
    logging: false,
  };

  if (database.url) {
    return {
      ...common,
      url: database.url,
      applicationName: 'device-timeseries-api',
      poolSize: database.poolSize,
      connectTimeoutMS: database.connectTimeoutMs,
      extra: {
        statement_timeout: database.statementTimeoutMs,
        idle_in_transaction_session_timeout: database.statementTimeoutMs * 2,
        keepAlive: true,
      },
    };
  }
  return { ...common, driver: pgliteDriver(join(config.dataDir, 'pglite')) };
}

/** For the TypeORM CLI (`npm run migration:*`): the same options, read from the environment. */
export default new DataSource(dataSourceOptions(loadConfig()));
