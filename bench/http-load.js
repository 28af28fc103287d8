'use strict';

/**
 * Drives a server over HTTP with autocannon (programmatic) and measures it the way the database
 * loop is measured: every response's latency is recorded (not autocannon's 1 ms histogram), and
 * requests/s count the responses completed within the measured window.
 */

const { Buffer } = require('node:buffer');
const { performance } = require('node:perf_hooks');
const { clearTimeout, setTimeout } = require('node:timers');

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
 * @property {string[]} tokens bearer tokens, one per request in turn (none: no Authorization header)
 * @property {string} [body]
 * @property {() => string} [path] the path of the next request
 * @property {() => { path: string, body?: Buffer, headers?: Record<string, string> }} [next] the next
 *   request's path, body and extra headers (instead of `path` and `body`: bodies that change per request)
 * @property {number} pointsPerRequest
 * @property {number} [rampS] seconds of load before the measured window opens, so that it opens on
 *   connections with answers already in flight (requests that take seconds would otherwise be
 *   counted from an empty pipeline): requests/s and latencies count the answers completed within
 *   [rampS, rampS + durationS]
 * @property {{ start: () => unknown, end: (requests: number) => unknown }} [window] called when the
 *   measured window opens and when it closes (with the answers counted); what `end` gives is
 *   returned as `window`
 */

/**
 * @param {HttpLoad} load
 */
async function runHttpLoad(load) {
  // One header set per token, built once; a Buffer body is not re-encoded for every request.
  const headerSets = load.tokens.length
    ? load.tokens.map((token) => ({ ...load.headers, authorization: `Bearer ${token}` }))
    : [{ ...load.headers }];
  const { next, path } = load;
  if (!next && !path) throw new Error('runHttpLoad needs path or next');
  let turn = 0;
  /** @type {number[]} */
  const latencies = [];
  let lastCompletion = 0;
  const started = performance.now();
  const rampMs = (load.rampS ?? 0) * 1000;
  const windowStart = started + rampMs;
  const windowEnd = load.durationS ? windowStart + load.durationS * 1000 : Infinity;
  /** @type {unknown} */
  let windowResult;
  let windowClosed = false;
  /** @type {NodeJS.Timeout[]} */
  const timers = [];
  if (load.window && load.durationS) {
    const { start, end } = load.window;
    if (rampMs > 0) timers.push(setTimeout(start, rampMs));
    else start();
    timers.push(
      setTimeout(
        () => {
          windowClosed = true;
          windowResult = end(latencies.length);
        },
        rampMs + load.durationS * 1000,
      ),
    );
  }

  const instance = autocannon({
    url: load.url,
    connections: load.connections,
    ...(load.amount ? { amount: load.amount } : { duration: (load.durationS ?? 0) + rampMs / 1000 }),
    timeout: 60,
    method: load.method,
    headers: headerSets[0],
    ...(load.body === undefined ? {} : { body: Buffer.from(load.body) }),
    requests: [
      {
        setupRequest: (/** @type {{ path: string, headers: Record<string, string>, body?: Buffer }} */ request) => {
          const headers = headerSets[turn++ % headerSets.length];
          if (next) {
            const spec = next();
            request.path = spec.path;
            request.headers = spec.headers ? { ...headers, ...spec.headers } : headers;
            if (spec.body) request.body = spec.body;
          } else {
            request.path = /** @type {() => string} */ (path)();
            request.headers = headers;
          }
          return request;
        },
      },
    ],
  });
  instance.on(
    'response',
    (/** @type {unknown} */ _client, /** @type {number} */ statusCode, /** @type {number} */ _bytes, responseTime) => {
      const now = performance.now();
      if (statusCode >= 200 && statusCode < 300 && now <= windowEnd && now >= windowStart) {
        latencies.push(/** @type {number} */ (responseTime));
        lastCompletion = now;
      }
    },
  );
  const result = await instance;
  for (const timer of timers) clearTimeout(timer);
  // autocannon may stop a moment before the window's timer fires.
  if (load.window && load.durationS && !windowClosed) windowResult = load.window.end(latencies.length);
  const elapsedS = load.durationS ?? (lastCompletion - started) / 1000;
  const statusCodes = Object.fromEntries(
    Object.entries(result.statusCodeStats ?? {}).map(([code, stats]) => [code, /** @type {any} */ (stats).count]),
  );
  return {
    ...summarize(latencies, elapsedS, load.pointsPerRequest),
    errors: result.errors + result.timeouts + result.non2xx,
    statusCodes,
    ...(load.window ? { window: await windowResult } : {}),
  };
}

module.exports = { runHttpLoad };
