'use strict';

/**
 * `db`: the database's limit. The service's SQL alone, one statement per request as the service sends it, run by N
 * concurrent pg clients in a loop for a fixed time: no HTTP, no token, no validation, no JSON.
 */

const { performance } = require('node:perf_hooks');

const { Client } = require('pg');

const { fromDist } = require('./dist');
const { summarize } = require('./stats');

/**
 * @typedef {object} DbSettings
 * @property {string} url
 * @property {number} statementTimeoutMs
 * @property {boolean} prepared named prepared statements (as the bare server uses them)
 */

/**
 * The service's statements, named or not.
 * @param {boolean} prepared
 */
function statements(prepared) {
  const SQL = fromDist('devices/timeseries.sql');
  /** @param {string} name @param {string} text */
  const statement = (name, text) =>
    prepared
      ? (/** @type {unknown[]} */ values) => ({ name, text, values })
      : (/** @type {unknown[]} */ values) => ({ text, values });
  return {
    registerPoints: statement('register_points', SQL.REGISTER_POINTS.text),
    /** The service's list statement for the page's shape, and its values. */
    listTimeseries: (
      /** @type {[string, string | null, string | null, number]} */ [deviceId, after, filter, limit],
    ) => {
      const query = SQL.listTimeseriesQuery(deviceId, after, filter, limit);
      return statement(
        `list_timeseries_${SQL.LIST_TIMESERIES.indexOf(query.statement)}`,
        query.statement.text,
      )(query.values);
    },
  };
}

/**
 * Connects `count` clients with the settings the servers' pools use.
 * @param {DbSettings} settings
 * @param {number} count
 */
async function connectClients(settings, count) {
  const clients = Array.from(
    { length: count },
    () =>
      new Client({
        connectionString: settings.url,
        application_name: 'device-timeseries-bench-db',
        statement_timeout: settings.statementTimeoutMs,
        idle_in_transaction_session_timeout: settings.statementTimeoutMs * 2,
      }),
  );
  await Promise.all(clients.map((client) => client.connect()));
  return clients;
}

/**
 * The service's registration: one statement, run again on the two races the service retries.
 * @param {import('pg').Client} client
 * @param {ReturnType<typeof statements>} sql
 * @param {{ deviceId: string, collectionId: string, ids: string[], types: string[] }} request
 * @returns {Promise<number>} the rows the statement returned
 */
async function registerPoints(client, sql, { deviceId, collectionId, ids, types }) {
  for (let attempt = 0; attempt < 5; attempt++) {
    try {
      const { rows } = await client.query(sql.registerPoints([deviceId, collectionId, [collectionId], ids, types]));
      if (rows.length > 0) return rows.length;
    } catch (error) {
      if (/** @type {{ code?: string }} */ (error).code !== '23505') throw error;
    }
  }
  throw new Error(`device ${deviceId}: the registration kept racing concurrent ones`);
}

/**
 * Runs `work` on every client, back to back, until `durationMs` has passed.
 * @param {import('pg').Client[]} clients
 * @param {number} durationMs
 * @param {(client: import('pg').Client) => Promise<unknown>} work
 */
async function loop(clients, durationMs, work) {
  /** @type {number[]} */
  const latencies = [];
  let errors = 0;
  /** @type {unknown} */
  let firstError;
  const started = performance.now();
  const deadline = started + durationMs;
  await Promise.all(
    clients.map(async (client) => {
      while (performance.now() < deadline) {
        const t0 = performance.now();
        try {
          await work(client);
          latencies.push(performance.now() - t0);
        } catch (error) {
          errors++;
          firstError ??= error;
        }
      }
    }),
  );
  const elapsedS = (performance.now() - started) / 1000;
  return { latencies, errors, firstError, elapsedS };
}

/**
 * Runs one scenario against the database alone, after a warm-up of the same work.
 * @param {DbSettings} settings
 * @param {{ clients: number, durationMs: number, warmupMs: number, pointsPerRequest: number }} shape
 * @param {(sql: ReturnType<typeof statements>) => (client: import('pg').Client) => Promise<unknown>} makeWork
 * @param {() => Promise<(requests: number) => Promise<object>>} [meter] measures the measured loop (while the clients are connected)
 */
async function runDbLoop(settings, shape, makeWork, meter) {
  const clients = await connectClients(settings, shape.clients);
  try {
    const work = makeWork(statements(settings.prepared));
    if (shape.warmupMs > 0) await loop(clients, shape.warmupMs, work);
    const stopMeter = await meter?.();
    const { latencies, errors, firstError, elapsedS } = await loop(clients, shape.durationMs, work);
    return {
      ...summarize(latencies, elapsedS, shape.pointsPerRequest),
      ...(await stopMeter?.(latencies.length + errors)),
      errors,
      ...(firstError ? { firstError: String(firstError) } : {}),
    };
  } finally {
    await Promise.all(clients.map((client) => client.end().catch(() => undefined)));
  }
}

module.exports = { statements, connectClients, registerPoints, runDbLoop };
