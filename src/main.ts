import 'reflect-metadata';

import { createApp } from './app.factory';
import { JWT_KEY_RESOLVER } from './auth/auth.constants';
import type { JwtKeyResolver } from './auth/jwt-keys';
import { DOCS_PATH } from './common/openapi';
import { ConfigError, loadConfig } from './config/config';

async function main(): Promise<void> {
  const config = loadConfig();
  const app = await createApp(config);
  await app.listen({ port: config.port, host: config.host });

  const logger = app.getHttpAdapter().getInstance().log;
  const url = `http://${config.host === '0.0.0.0' ? 'localhost' : config.host}:${config.port}`;
  const keys = app.get<JwtKeyResolver>(JWT_KEY_RESOLVER);
  logger.info(
    {
      url,
      docs: config.swaggerEnabled ? `${url}/${DOCS_PATH}` : undefined,
      database: config.database.url ? 'postgres' : 'embedded (PGlite)',
    },
    `Device timeseries API listening on ${url}`,
  );
  logger.info(`Tokens are verified with ${keys.description}.`);
  if (keys.usesDevKey) {
    logger.info(
      'Get a development token: npm run token -- --scope "apollo_read apollo_write" --collections testcollection',
    );
  }
}

main().catch((error: unknown) => {
  if (error instanceof ConfigError) {
    process.stderr.write(`Configuration error: ${error.message}\n`);
  } else {
    process.stderr.write(
      `Start-up failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
    );
  }
  process.exit(1);
});
