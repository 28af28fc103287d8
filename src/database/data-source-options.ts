import { join } from 'node:path';

import type { PostgresDataSourceOptions } from 'typeorm/driver/postgres/PostgresDataSourceOptions';

import type { AppConfig } from '../config/config';
import { pgliteDriver } from './pglite-driver';

/** Migrations live in the top-level `migrations/` folder, compiled beside `src/` in `dist/`. */
const MIGRATIONS_GLOB = join(__dirname, '..', '..', 'migrations', '*.{ts,js}');

/**
 * The one description of the database, used by the app and by the TypeORM CLI alike:
 * node-postgres when DATABASE_URL is set, embedded PGlite under DATA_DIR otherwise.
 * Same entities, same migrations, same SQL on both. The schema changes only through migrations.
 * Entities are not listed here: features register their own (TypeOrmModule.forFeature), and the
 * CLI's data source (src/scripts/data-source.ts) collects them.
 */
export function dataSourceOptions(config: AppConfig): PostgresDataSourceOptions {
  const { database } = config;
  const common: PostgresDataSourceOptions = {
    type: 'postgres',
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
        // No JIT: the aggregates statement's bucket series is estimated at ~100,000 rows, so
        // PostgreSQL JIT-compiled it on every request: 938 of 1,170 ms (37 ms without), and 2.4x the
        // aggregates throughput on the benchmark's data (bench/results/experiments/jit-off.json).
        // The service's statements are short index scans; none gains from JIT.
        options: '-c jit=off',
        statement_timeout: database.statementTimeoutMs,
        idle_in_transaction_session_timeout: database.statementTimeoutMs * 2,
        keepAlive: true,
      },
    };
  }
  return { ...common, driver: pgliteDriver(join(config.dataDir, 'pglite')) };
}
