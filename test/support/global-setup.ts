import { DataSource } from 'typeorm';

import { loadConfig } from '../../src/config/config';
import { dataSourceOptions } from '../../src/database/data-source';
import { onServer, TEST_DATABASE_URL_VARIABLE, throwawayDatabaseUrl } from './test-database';

/**
 * With DATABASE_URL: create a throwaway database on that server and migrate it once; the test
 * apps find it in E2E_DATABASE_URL. Without DATABASE_URL every test app runs on its own PGlite.
 */
export default async function globalSetup(): Promise<void> {
  const serverUrl = process.env.DATABASE_URL?.trim();
  if (!serverUrl) {
    process.stdout.write('\ne2e database: embedded PGlite (DATABASE_URL is not set)\n');
    return;
  }
  const { url, name } = throwawayDatabaseUrl(serverUrl);
  await onServer(serverUrl, (client) => client.query(`CREATE DATABASE "${name}"`));
  const dataSource = new DataSource(dataSourceOptions(loadConfig({ DATABASE_URL: url })));
  await dataSource.initialize();
  await dataSource.runMigrations();
  await dataSource.destroy();
  process.env[TEST_DATABASE_URL_VARIABLE] = url;
  process.stdout.write(`\ne2e database: ${name} on the PostgreSQL server of DATABASE_URL\n`);
}
