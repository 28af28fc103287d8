import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import type { InjectOptions, LightMyRequestResponse as Response } from 'fastify';
import { DataSource } from 'typeorm';

import { createApp } from '../../src/app.factory';
import { loadConfig, type AppConfig } from '../../src/config/config';
import { TEST_DATABASE_URL_VARIABLE } from './test-database';
import { TRUSTED_PUBLIC_KEY_PEM } from './tokens';

export interface TestApp {
  app: NestFastifyApplication;
  config: AppConfig;
  dataSource: DataSource;
  dataDir: string;
  /** A request through the whole Fastify stack (routing, parsing, hooks, guards, filters). */
  request(options: InjectOptions): Promise<Response>;
  /** POST /apollo/devices/{deviceId}/timeseries as JSON, with the bearer token when one is given. */
  postTimeseries(
    deviceId: string,
    body: unknown,
    options?: { token?: string; headers?: Record<string, string> },
  ): Promise<Response>;
  query<T = Record<string, unknown>>(sql: string, parameters?: unknown[]): Promise<T[]>;
  close(options?: { keepData?: boolean }): Promise<void>;
}

export const usesServer = (): boolean => Boolean(process.env[TEST_DATABASE_URL_VARIABLE]);

/**
 * Starts the real application on the test database: the throwaway PostgreSQL database made by
 * global-setup when DATABASE_URL is set, else a PGlite database in a fresh (or given) directory.
 */
export async function startTestApp(
  env: Record<string, string> = {},
  options: { dataDir?: string } = {},
): Promise<TestApp> {
  const dataDir = options.dataDir ?? mkdtempSync(join(tmpdir(), 'dtapi-e2e-'));
  const databaseUrl = process.env[TEST_DATABASE_URL_VARIABLE];
  const config = loadConfig({
    NODE_ENV: 'test',
    LOG_LEVEL: 'silent',
    DATA_DIR: dataDir,
    JWT_PUBLIC_KEY: TRUSTED_PUBLIC_KEY_PEM,
    ...(databaseUrl ? { DATABASE_URL: databaseUrl, DB_MIGRATIONS_RUN: 'false' } : {}),
    ...env,
  });
  const app = await createApp(config);
  const dataSource = app.get(DataSource);

  const request = (injectOptions: InjectOptions): Promise<Response> => app.inject(injectOptions);
  return {
    app,
    config,
    dataSource,
    dataDir,
    request,
    postTimeseries: (deviceId, body, postOptions = {}) =>
      request({
        method: 'POST',
        url: `/apollo/devices/${encodeURIComponent(deviceId)}/timeseries`,
        headers: {
          'content-type': 'application/json',
          ...(postOptions.token === undefined ? {} : { authorization: `Bearer ${postOptions.token}` }),
          ...postOptions.headers,
        },
        payload: JSON.stringify(body),
      }),
    query: <T>(sql: string, parameters?: unknown[]) => dataSource.query<T[]>(sql, parameters),
    close: async ({ keepData = false } = {}) => {
      await app.close();
      if (!keepData && !options.dataDir) rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
