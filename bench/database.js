'use strict';

/**
 * The benchmark's throwaway database: created on the server of DATABASE_URL, dropped at the end.
 * The database named in DATABASE_URL is only connected to, to create and drop the throwaway one.
 */

const { randomBytes } = require('node:crypto');
const { URL } = require('node:url');

const { Client } = require('pg');

const LOOPBACK_HOSTS = new Set(['localhost', '127.0.0.1', '::1', '[::1]']);

/**
 * Runs `work` with a client connected to `url`, and disconnects.
 * @template T
 * @param {string} url
 * @param {(client: import('pg').Client) => Promise<T>} work
 * @returns {Promise<T>}
 */
async function withClient(url, work) {
  const client = new Client({ connectionString: url, application_name: 'device-timeseries-bench' });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

/**
 * Creates `dtapi_bench_<time>_<random>` on the server of `serverUrl`.
 * @param {string} serverUrl
 * @returns {Promise<{ name: string, url: string }>}
 */
async function createThrowawayDatabase(serverUrl) {
  const name = `dtapi_bench_${Date.now()}_${randomBytes(3).toString('hex')}`;
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  await withClient(serverUrl, (client) => client.query(`CREATE DATABASE "${name}"`));
  return { name, url: url.toString() };
}

/**
 * @param {string} serverUrl
 * @param {string} name
 */
async function dropDatabase(serverUrl, name) {
  if (!/^dtapi_bench_\d+_[0-9a-f]+$/.test(name)) throw new Error(`Refusing to drop ${name}: not a benchmark database`);
  await withClient(serverUrl, (client) => client.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`));
}

/** @param {string} url */
function isLoopback(url) {
  const host = new URL(url).hostname;
  return host === '' || LOOPBACK_HOSTS.has(host) || host.startsWith('/');
}

/**
 * Facts about the server worth reporting next to the numbers.
 * @param {string} url
 */
async function serverFacts(url) {
  return withClient(url, async (client) => {
    const setting = async (/** @type {string} */ name) =>
      (await client.query('SELECT current_setting($1) AS value', [name])).rows[0].value;
    return {
      version: (await client.query('SELECT version() AS version')).rows[0].version,
      maxConnections: await setting('max_connections'),
      sharedBuffers: await setting('shared_buffers'),
      synchronousCommit: await setting('synchronous_commit'),
      fsync: await setting('fsync'),
    };
  });
}

module.exports = { withClient, createThrowawayDatabase, dropDatabase, isLoopback, serverFacts };
