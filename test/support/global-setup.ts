import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import Redis from 'ioredis';
import { DataSource } from 'typeorm';

import { loadConfig } from '../../src/config/config';
import { buildServer } from './server-process';
import { dataSourceOptions } from '../../src/database/data-source-options';
import {
  onServer,
  PGLITE_TEMPLATE_VARIABLE,
  TEST_DATABASE_URL_VARIABLE,
  TEST_REDIS_URL_VARIABLE,
  TEST_REPLICA_URL_VARIABLE,
  throwawayDatabaseUrl,
} from './test-database';

/**
 * Before any test file: build dist/ once (the tests that start the built server use it), and
 * migrate the database once. With DATABASE_URL: a throwaway database on that server, which the
 * test apps find in E2E_DATABASE_URL. Without: one migrated PGlite database, which every test app
 * copies into its own directory (PGlite's initdb was four fifths of a test app's start, tens of
 * seconds each on a busy machine), in E2E_PGLITE_TEMPLATE.
 */
export default async function globalSetup(): Promise<void> {
  buildServer();
  const serverUrl = process.env.DATABASE_URL?.trim();
  if (!serverUrl) {
    const dataDir = mkdtempSync(join(tmpdir(), 'dtapi-template-'));
    const template = new DataSource(dataSourceOptions(loadConfig({ DATA_DIR: dataDir })));
    await template.initialize();
    await template.runMigrations({ transaction: 'each' });
    await template.destroy();
    process.env[PGLITE_TEMPLATE_VARIABLE] = join(dataDir, 'pglite');
    process.stdout.write('\ne2e database: embedded PGlite (DATABASE_URL is not set), one per test app\n');
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
  await findStandby(url);
  await findRedis();
}

/**
 * CI provides every dependency (.ci/run starts them): there, one that is missing fails the run
 * instead of skipping the tests that need it.
 */
function missing(what: string, reason: string, skipped: string): void {
  if (process.env.CI === 'true') throw new Error(`CI: ${what} is required and missing (${reason})`);
  process.stdout.write(`${what}: none (${reason}); ${skipped}\n`);
}

/** Redis on 127.0.0.1:6379 (or REDIS_TEST_URL), for the scale-out tests' shared rate limit. */
async function findRedis(): Promise<void> {
  const url = process.env.REDIS_TEST_URL?.trim() || 'redis://127.0.0.1:6379';
  const client = new Redis(url, {
    lazyConnect: true,
    maxRetriesPerRequest: 0,
    connectTimeout: 1000,
    retryStrategy: () => null,
  });
  client.on('error', () => undefined);
  try {
    await client.connect();
    await client.ping();
    process.env[TEST_REDIS_URL_VARIABLE] = url;
    process.stdout.write(`e2e redis: ${url}\n`);
  } catch (error) {
    missing('e2e redis', error instanceof Error ? error.message : String(error), 'the scale-out tests are skipped');
  } finally {
    client.disconnect();
  }
}

/**
 * A hot standby of the server (scripts/standby.sh makes one on port 5433, or STANDBY_URL names
 * one) serves the throwaway database too: the read-replica tests use it, or say why they skip.
 */
async function findStandby(databaseUrl: string): Promise<void> {
  const standby = new URL(process.env.STANDBY_URL?.trim() || databaseUrl);
  if (!process.env.STANDBY_URL?.trim()) standby.port = '5433';
  standby.pathname = new URL(databaseUrl).pathname;
  try {
    const inRecovery = await replayed(() =>
      onServer(standby.toString(), async (client) => {
        const { rows } = await client.query<{ standby: boolean }>('SELECT pg_is_in_recovery() AS standby');
        return rows[0]?.standby === true;
      }),
    );
    if (!inRecovery) throw new Error(`${standby.host} is not a standby`);
    process.env[TEST_REPLICA_URL_VARIABLE] = standby.toString();
    process.stdout.write(`e2e replica: the hot standby on ${standby.host}\n`);
  } catch (error) {
    missing(
      'e2e replica',
      error instanceof Error ? error.message : String(error),
      'the read-replica tests are skipped (bash scripts/standby.sh makes one)',
    );
  }
}

/** The standby replays the CREATE DATABASE a moment after the primary ran it: wait for it (10 s at most). */
async function replayed<T>(connect: () => Promise<T>): Promise<T> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await connect();
    } catch (error) {
      const notYet = (error as { code?: unknown }).code === '3D000'; // invalid_catalog_name
      if (!notYet || attempt >= 40) throw error;
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
  }
}
