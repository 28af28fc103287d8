import 'reflect-metadata';

import type { AddressInfo } from 'node:net';

import type { JwtKeyResolver } from './auth/jwt-keys';
import { ConfigError, loadConfig } from './config/config';
import { refuseUnsupportedNode } from './config/node-version';

// First: an unsupported Node.js stops here, with one line, before the application loads.
refuseUnsupportedNode(__dirname);

async function main(): Promise<void> {
  // Configuration first, so a bad setting stops the process with one sentence before any module
  // (the TypeORM CLI's data source among them) reads the environment.
  const config = loadConfig();
  const { createApp } = await import('./app.factory');
  const { JWT_KEY_RESOLVER } = await import('./auth/auth.constants');
  const { DOCS_PATH } = await import('./openapi/openapi');
  const { EXPLORE_PATH } = await import('./explorer/explorer.assets');
  const app = await createApp(config);
  await app.listen({ port: config.port, host: config.host });

  const logger = app.getHttpAdapter().getInstance().log;
  // The bound port (PORT=0 picks a free one) on a host a person can open.
  const { port } = app.getHttpServer().address() as AddressInfo;
  const url = `http://${['0.0.0.0', '::'].includes(config.host) ? 'localhost' : config.host}:${port}`;
  const keys = app.get<JwtKeyResolver>(JWT_KEY_RESOLVER);
  logger.info(
    {
      url,
      docs: config.swaggerEnabled ? `${url}/${DOCS_PATH}` : undefined,
      explore: config.explorerEnabled ? `${url}${EXPLORE_PATH}` : undefined,
      database: config.database.url ? 'postgres' : 'embedded (PGlite)',
    },
    `Device timeseries API listening on ${url}`,
  );
  logger.info(`Tokens are verified with ${keys.description}.`);
  // The HTTP server first (no new connections, in-flight requests finish and commit), then the
  // rest of the application, the database pool last.
  const close = async () => {
    await app.getHttpAdapter().getInstance().close();
    await app.close();
  };
  closeGracefully(['SIGTERM', 'SIGINT'], close, config.shutdownGraceMs, logger);
  if (keys.usesDevKey) {
    logger.info(
      'Get a development token: npm run token -- --scope "apollo_read apollo_write" --collections testcollection',
    );
  }
}

/**
 * On SIGTERM: stop accepting connections, let in-flight requests finish and commit, close the
 * database pool, exit 0. If that takes longer than SHUTDOWN_GRACE_MS, exit 1 anyway.
 */
function closeGracefully(
  signals: NodeJS.Signals[],
  close: () => Promise<void>,
  graceMs: number,
  logger: { info(message: string): void; error(message: string): void },
): void {
  let closing = false;
  const onSignal = (signal: NodeJS.Signals) => {
    if (closing) return;
    closing = true;
    logger.info(`${signal} received: finishing in-flight requests (at most ${graceMs} ms)`);
    setTimeout(() => {
      logger.error(`Shutdown took longer than ${graceMs} ms; exiting`);
      process.exit(1);
    }, graceMs).unref();
    close().then(
      () => {
        logger.info('Shut down cleanly');
        process.exit(0);
      },
      (error: unknown) => {
        logger.error(`Shutdown failed: ${error instanceof Error ? error.message : String(error)}`);
        process.exit(1);
      },
    );
  };
  for (const signal of signals) process.once(signal, onSignal);
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
