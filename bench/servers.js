'use strict';

/**
 * How the benchmark starts the two servers under test: the same environment for both (the
 * service's own variables, read by the service's own config module), each in its own process.
 */

const { randomBytes } = require('node:crypto');
const { existsSync } = require('node:fs');
const { join } = require('node:path');
const process = require('node:process');

const { distDir, mainPath } = require('./dist');
const { startServer } = require('./processes');

const BARE_SERVER = join(__dirname, 'bare-server.js');

/** Variables passed through from the benchmark's own environment to both servers. */
const PASSED_THROUGH = ['DB_POOL_SIZE', 'DB_CONNECT_TIMEOUT_MS', 'DB_STATEMENT_TIMEOUT_MS', 'RATE_LIMIT_PER_MINUTE'];

/**
 * The environment of both servers.
 * @param {{ databaseUrl: string, dataDir: string, publicKeyPem: string }} options
 * @returns {Record<string, string>}
 */
function serverEnvironment({ databaseUrl, dataDir, publicKeyPem }) {
  return {
    PATH: process.env.PATH ?? '',
    NODE_ENV: 'production',
    // Request logs on, as in production; the servers' stdout goes to /dev/null (see processes.js).
    LOG_LEVEL: 'info',
    DATA_DIR: dataDir,
    DATABASE_URL: databaseUrl,
    JWT_PUBLIC_KEY: publicKeyPem,
    CONTINUATION_SECRET: randomBytes(24).toString('hex'),
    // No scheduled packing (src/history/sample-packer.ts packs what is older than SAMPLES_PACK_AFTER,
    // P2D by default, a minute after start-up and hourly): the data set ends 10 days before now, so
    // the service would pack it in the middle of the row runs. The benchmark packs on purpose, with
    // `npm run samples:pack`, once the row runs are done (bench/packed.js).
    SAMPLES_PACK_AFTER: '0',
    ...Object.fromEntries(
      PASSED_THROUGH.filter((name) => process.env[name] !== undefined).map((name) => [name, String(process.env[name])]),
    ),
    // V8 flags for both servers alike (an experiment), e.g. BENCH_NODE_OPTIONS=--max-semi-space-size=32.
    ...(process.env.BENCH_NODE_OPTIONS ? { NODE_OPTIONS: process.env.BENCH_NODE_OPTIONS } : {}),
    // PostgreSQL settings of every connection of both servers (and of the db loop): the service's
    // own, or BENCH_PGOPTIONS (see run.js). node-postgres reads PGOPTIONS as libpq does; the
    // service's explicit options win over it unless BENCH_PGOPTIONS is meant to change them.
    ...(process.env.PGOPTIONS ? { PGOPTIONS: process.env.PGOPTIONS } : {}),
  };
}

/**
 * `node dist/src/main.js`, ready when /health/ready answers 200.
 * @param {Record<string, string>} env
 * @param {{ migrate?: boolean, nodeArgs?: string[], name?: string }} [options]
 */
function startService(env, { migrate = false, nodeArgs = [], name = 'service' } = {}) {
  const experiment = process.env.BENCH_SERVICE_EXPERIMENT;
  return startServer({
    name,
    args: [...nodeArgs, ...(experiment ? ['--require', serviceExperiment(experiment)] : []), mainPath()],
    env: { ...env, DB_MIGRATIONS_RUN: String(migrate) },
    readyPath: '/health/ready',
  });
}

/**
 * The preload of a service experiment (bench/experiments/<name>.js): a change measured without touching src/.
 * @param {string} name
 */
function serviceExperiment(name) {
  const path = join(__dirname, 'experiments', `${name}.js`);
  if (!/^[a-z-]+$/.test(name) || !existsSync(path)) {
    throw new Error(`BENCH_SERVICE_EXPERIMENT=${name}: there is no bench/experiments/${name}.js`);
  }
  return path;
}

/**
 * `node bench/bare-server.js` on the same build of the service's SQL and config.
 * @param {Record<string, string>} env
 * @param {{ prepared: boolean, nodeArgs?: string[] }} options
 */
function startBare(env, { prepared, nodeArgs = [] }) {
  return startServer({
    name: 'bare',
    args: [...nodeArgs, BARE_SERVER],
    env: {
      ...env,
      BARE_PREPARED: String(prepared),
      BENCH_DIST_DIR: distDir(),
    },
    readyPath: '/health/ready',
  });
}

module.exports = { serverEnvironment, startService, startBare };
