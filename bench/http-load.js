'use strict';

/**
 * Drives a server over HTTP with autocannon (programmatic) and measures it the way the database
 * loop is measured: every response's latency is recorded (not autocannon's 1 ms histogram), and
 * requests/s count the responses completed within the measured window.
 */

const { Buffer } = require('node:buffer');
const { performance } = require('node:perf_hooks');

const autocannon = require('autocannon');

const { summarize } = require('./stats');

/**
 * @typedef {object} HttpLoad
 * @property {string} url base URL of the server
 * @property {number} connections
 * @property {number} [durationS] run for this long...
 * @property {number} [amount] ...or for this many requests
 * @property {'GET' | 'POST'} method
 * @property {Record<string, string>} headers every request's headers but Authorization
 * @property {string[]} tokens bearer tokens, one per request in turn
 * @property {string} [body]
 * @property {() => string} path the path of the next request
 * @property {number} pointsPerRequest
 */

/**
 * @param {HttpLoad} load
 */
async function runHttpLoad(load) {
  // One header set per token, built once; a Buffer body is not re-encoded for every request.
  const headerSets = load.tokens.map((token) => ({ ...load.headers, authorization: `Bearer ${token}` }));
  let turn = 0;
  /** @type {number[]} */
  const latencies = [];
  let lastCompletion = 0;
  const started = performance.now();
  const windowEnd = load.durationS ? started + load.durationS * 1000 : Infinity;

  const instance = autocannon({
    url: load.url,
    connections: load.connections,
    ...(load.amount ? { amount: load.amount } : { duration: load.durationS }),
    timeout: 60,
    method: load.method,
    headers: headerSets[0],
    ...(load.body === undefined ? {} : { body: Buffer.from(load.body) }),
    requests: [
      {
        setupRequest: (/** @type {{ path: string, headers: Record<string, string> }} */ request) => {
          request.path = load.path();
          request.headers = headerSets[turn++ % headerSets.length];
          return request;
        },
      },
    ],
  });
  instance.on(
    'response',
    (/** @type {unknown} */ _client, /** @type {number} */ statusCode, /** @type {number} */ _bytes, responseTime) => {
      const now = performance.now();
      if (statusCode >= 200 && statusCode < 300 && now <= windowEnd) {
        latencies.push(/** @type {number} */ (responseTime));
        lastCompletion = now;
      }
    },
  );
  const result = await instance;
  const elapsedS = load.durationS ?? (lastCompletion - started) / 1000;
  const statusCodes = Object.fromEntries(
    Object.entries(result.statusCodeStats ?? {}).map(([code, stats]) => [code, /** @type {any} */ (stats).count]),
  );
  return {
    ...summarize(latencies, elapsedS, load.pointsPerRequest),
    errors: result.errors + result.timeouts + result.non2xx,
    statusCodes,
  };
}

module.exports = { runHttpLoad };
