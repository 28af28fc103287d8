import { Global, Inject, Injectable, Module, type OnModuleInit } from '@nestjs/common';
import { InjectDataSource, TypeOrmModule } from '@nestjs/typeorm';
import { Client } from 'pg';
import { DataSource } from 'typeorm';

import { APP_CONFIG } from '../config/config.module';
import type { AppConfig } from '../config/config';
import { dataSourceOptions } from './data-source-options';
import { ReadReplicas } from './read-replicas';
import { sql, toQuery } from './sql';

/** The advisory lock instances starting together take turns on to migrate (any constant bigint). */
export const MIGRATIONS_LOCK = 7_423_001;

/**
 * Runs the pending migrations, one instance at a time: several instances starting at once on a
 * new database would otherwise each try to create the same tables. Whoever gets the lock second
 * finds nothing pending. The lock is held on a connection of its own, outside the pool (a pool of
 * one would have none left for the migrations). PGlite is one process: no lock needed.
 */
export async function runMigrationsExclusively(dataSource: DataSource, serverUrl: string | undefined): Promise<void> {
  if (!serverUrl) {
    await dataSource.runMigrations({ transaction: 'each' });
    return;
  }
  const lock = new Client({ connectionString: serverUrl, application_name: 'device-timeseries-api-migrations' });
  await lock.connect();
  try {
    const { text, values } = toQuery(sql`SELECT pg_advisory_lock(${MIGRATIONS_LOCK})`);
    await lock.query(text, values);
    await dataSource.runMigrations({ transaction: 'each' });
  } finally {
    // Ending the session releases the lock, also when the migrations failed.
    await lock.end();
  }
}

/**
 * Migrates at start-up (DB_MIGRATIONS_RUN), before any feature touches the database: a global
 * module's init hooks run before the feature modules' ones.
 */
@Injectable()
class StartupMigrations implements OnModuleInit {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async onModuleInit(): Promise<void> {
    if (this.config.database.migrationsRun) {
      await runMigrationsExclusively(this.dataSource, this.config.database.url);
    }
  }
}

/**
 * The TypeORM data source (PostgreSQL or embedded PGlite; migrations run at start-up unless
 * disabled, see runMigrationsExclusively) and ReadReplicas, where reads go.
 */
@Global()
@Module({
  imports: [
    TypeOrmModule.forRootAsync({
      inject: [APP_CONFIG],
      useFactory: (config: AppConfig) => ({
        ...dataSourceOptions(config),
        retryAttempts: 0,
        // Each feature module registers its entities (TypeOrmModule.forFeature).
        autoLoadEntities: true,
      }),
    }),
  ],
  providers: [StartupMigrations, ReadReplicas],
  exports: [ReadReplicas],
})
export class DatabaseModule {}
