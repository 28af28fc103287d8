import { cpSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import type { InjectOptions, LightMyRequestResponse as Response } from 'fastify';
import { DataSource } from 'typeorm';

import { createApp } from '../../src/app.factory';
import type { Feature } from '../../src/common/feature';
import { loadConfig, type AppConfig } from '../../src/config/config';
import { ApiClient } from './api-client';
import { onServer, PGLITE_TEMPLATE_VARIABLE, TEST_DATABASE_URL_VARIABLE, throwawayDatabaseUrl } from './test-database';
import { TRUSTED_PUBLIC_KEY_PEM } from './tokens';

export interface TestApp {
  app: NestFastifyApplication;
  config: AppConfig;
  dataSource: DataSource;
  dataDir: string;
  /** A request through the whole Fastify stack (routing, parsing, hooks, guards, filters). */
  request(options: InjectOptions): Promise<Response>;
  /** The typed client of every route. */
  api: ApiClient;
  query<T = Record<string, unknown>>(sql: string, parameters?: unknown[]): Promise<T[]>;
  close(options?: { keepData?: boolean }): Promise<void>;
}

export const usesServer = (): boolean => Boolean(process.env[TEST_DATABASE_URL_VARIABLE]);

/**
 * Starts the real application on the test database: the throwaway PostgreSQL database made by
 * global-setup when DATABASE_URL is set, else a PGlite database in a fresh (or given) directory.
 *
 * `ownDatabase` gives the app a database of its own on the server (migrated at start, dropped at
 * close), for what would reach other test files' data through the shared one. An app with a
 * retention must have one: its maintenance drops every old month of samples at start, those of
 * the test files that run beside it included.
 */
export async function startTestApp(
  env: Record<string, string> = {},
  options: { dataDir?: string; ownDatabase?: boolean; features?: readonly Feature[] } = {},
): Promise<TestApp> {
  const sharedUrl = process.env[TEST_DATABASE_URL_VARIABLE];
  if (sharedUrl && !options.ownDatabase && Number(env.SAMPLES_RETENTION_DAYS ?? 0) > 0) {
    throw new Error(
      "SAMPLES_RETENTION_DAYS on the shared test database drops other files' samples: pass { ownDatabase: true }",
    );
  }
  const own = sharedUrl && options.ownDatabase ? throwawayDatabaseUrl(sharedUrl) : undefined;
  if (own) await onServer(sharedUrl!, (client) => client.query(`CREATE DATABASE "${own.name}"`));
  const dropOwn = async () => {
    if (own) await onServer(sharedUrl!, (client) => client.query(`DROP DATABASE IF EXISTS "${own.name}" WITH (FORCE)`));
  };
  const dataDir = options.dataDir ?? mkdtempSync(join(tmpdir(), 'dtapi-e2e-'));
  // A new embedded database starts as a copy of the migrated one global-setup made.
  const template = process.env[PGLITE_TEMPLATE_VARIABLE];
  const pglite = join(dataDir, 'pglite');
  if (template && !sharedUrl && !existsSync(pglite)) cpSync(template, pglite, { recursive: true });
  const config = loadConfig({
    NODE_ENV: 'test',
    LOG_LEVEL: 'silent',
    DATA_DIR: dataDir,
    JWT_PUBLIC_KEY: TRUSTED_PUBLIC_KEY_PEM,
    ...(own
      ? { DATABASE_URL: own.url, DB_MIGRATIONS_RUN: 'true' }
      : sharedUrl
        ? { DATABASE_URL: sharedUrl, DB_MIGRATIONS_RUN: 'false' }
        : {}),
    ...env,
  });
  const app = await createApp(config, options.features).catch(async (error: unknown) => {
    await dropOwn();
    throw error;
  });
  const dataSource = app.get(DataSource);

  const request = (injectOptions: InjectOptions): Promise<Response> => app.inject(injectOptions);
  let closed = false;
  return {
    app,
    config,
    dataSource,
    dataDir,
    request,
    api: new ApiClient(request),
    query: <T>(sql: string, parameters?: unknown[]) => dataSource.query<T[]>(sql, parameters),
    close: async ({ keepData = false } = {}) => {
      if (closed) return;
      closed = true;
      await app.close();
      await dropOwn();
      if (!keepData && !options.dataDir) rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
