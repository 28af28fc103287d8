'use strict';

/**
 * `db`: the database's limit. The service's SQL alone, one statement per request as the service sends it, run by N
 * concurrent pg clients in a loop for a fixed time: no HTTP, no token, no validation, no JSON.
 */

const { performance } = require('node:perf_hooks');
const { clearTimeout, setTimeout } = require('node:timers');

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
    /** @param {{ deviceId: string, collectionId: string, allowedCollections: string[], pointIds: string[], pointTypes: string[] }} params */
    registerPoints: (params) =>
      statement('register_points', SQL.REGISTER_POINTS.text)(SQL.REGISTER_POINTS.bind(params)),
    /** The service's list statement for the page's shape, and its values. */
    listTimeseries: (
      /** @type {[string, string | null, string | null, number]} */ [deviceId, after, pointType, limit],
    ) => {
      const page = { deviceId, after, pointType, limit };
      const listStatement = SQL.listStatementFor(page);
      return statement(
        `list_timeseries_${SQL.LIST_TIMESERIES.indexOf(listStatement)}`,
        listStatement.text,
      )(listStatement.bind(page));
    },
  };
}

/**
 * The service's samples statements (src/series/series.sql.ts, src/samples/samples.sql.ts,
 * src/analytics/analytics.sql.ts), named or not: each takes the parameters the service builds and
 * gives the query node-postgres sends.
 * @param {boolean} prepared
 */
function samplesStatements(prepared) {
  const SERIES = fromDist('series/series.sql');
  const S = fromDist('samples/samples.sql');
  const A = fromDist('analytics/analytics.sql');
  /** @param {{ name: string, text: string, bind: (p: any) => unknown[] }} statement @param {any} params */
  const query = (statement, params) =>
    prepared
      ? { name: statement.name, text: statement.text, values: statement.bind(params) }
      : { text: statement.text, values: statement.bind(params) };
  return {
    /** @param {any} params WriteSamplesParams (arrays, or PostgreSQL array literals in their place) */
    write: (params) => query(S.WRITE_SAMPLES, params),
    /** @param {{ deviceId: string, timeseriesIds: readonly string[] }} params */
    lookup: (params) => query(SERIES.LOOKUP_SERIES, params),
    /** @param {any} params ReadSamplesParams @param {boolean} descending */
    readPage: (params, descending) => query(S.readStatementFor(params.streams.length, descending), params),
    /** @param {any} params @param {boolean} descending */
    probe: (params, descending) => query(S.probeStatementFor(params.streams.length, descending), params),
    /** The read statement an export declares its cursor for (unnamed, as SamplesRepository.openExport sends it). */
    exportCursor: (/** @type {any} */ params, /** @type {boolean} */ descending) => {
      const read = S.readStatementFor(params.streams.length, descending);
      return { text: `DECLARE samples_export NO SCROLL CURSOR FOR ${read.text}`, values: read.bind(params) };
    },
    /** @param {any} params */
    latest: (params) => query(A.LATEST_SAMPLES, params),
    /** @param {any} shape AggregateShape @param {any} params AggregateParams */
    aggregates: (shape, params) => query(A.aggregateStatement(shape), params),
  };
}

/** Rows an export fetches from its cursor at a time (src/samples/samples.repository.ts, EXPORT_BATCH). */
const EXPORT_BATCH = 2000;

/**
 * The samples requests as the service runs them, statement for statement, on one client: a write
 * is one statement (run again after creating a missing partition, which the fixtures never leave
 * missing); a page read the timeseries lookup and the page; an export the lookup, then in one
 * REPEATABLE READ, read-only transaction the probe, a cursor and FETCH 2000 until the end; latest
 * and aggregates the lookup and one statement.
 * @param {ReturnType<typeof samplesStatements>} sql
 */
function sampleWork(sql) {
  /** The series keys of `ids` on `deviceId`, in order, as TimeseriesSelection finds them. */
  const seriesKeys = async (
    /** @type {import('pg').Client} */ client,
    /** @type {string} */ deviceId,
    /** @type {string[]} */ ids,
  ) => {
    const { rows } = await client.query(sql.lookup({ deviceId, timeseriesIds: ids }));
    if (rows.length === 0) throw new Error(`no device ${deviceId}`);
    const keys = new Map(
      rows.filter((row) => row.timeseries_id !== null).map((row) => [row.timeseries_id, row.series_key]),
    );
    return ids.map((id) => {
      const key = keys.get(id);
      if (key === undefined) throw new Error(`timeseries ${id} is not the device's`);
      return key;
    });
  };
  return {
    /**
     * @param {import('pg').Client} client
     * @param {any} params the write statement's parameters
     * @param {() => Promise<unknown>} [ensurePartitions]
     */
    async write(client, params, ensurePartitions) {
      for (let attempt = 0; ; attempt++) {
        try {
          const { rows } = await client.query(sql.write(params));
          if (rows[0]?.collection_id == null) throw new Error('the device is not there');
          return rows[0].written;
        } catch (error) {
          const { code, message } = /** @type {{ code?: string, message?: string }} */ (error);
          if (code !== '23514' || !String(message).includes('no partition') || !ensurePartitions || attempt >= 2)
            throw error;
          await ensurePartitions();
        }
      }
    },
    /**
     * A page (limit + 1 rows, as the service asks) of one timeseries from `bound`.
     * @param {import('pg').Client} client
     * @param {{ deviceId: string, id: string, bound: string, other: string, includeBound: boolean, limit: number }} read
     */
    async page(client, read) {
      const [seriesKey] = await seriesKeys(client, read.deviceId, [read.id]);
      const { rows } = await client.query(
        sql.readPage(
          {
            streams: [{ seriesKey, metric: 0, timeseriesId: read.id, includeBound: read.includeBound }],
            bound: read.bound,
            other: read.other,
            limit: read.limit + 1,
          },
          false,
        ),
      );
      return rows.length;
    },
    /**
     * An unpaginated read of every sample of a range (at most `limit`), fetched as the service fetches it.
     * @param {import('pg').Client} client
     * @param {{ deviceId: string, id: string, bound: string, other: string, limit: number }} read
     */
    async export(client, read) {
      const [seriesKey] = await seriesKeys(client, read.deviceId, [read.id]);
      const params = {
        streams: [{ seriesKey, metric: 0, timeseriesId: read.id, includeBound: true }],
        bound: read.bound,
        other: read.other,
        limit: read.limit,
      };
      await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
      try {
        const probe = await client.query(sql.probe(params, false));
        if (probe.rows.length > 1) throw new Error('the range holds more than the export limit');
        await client.query(sql.exportCursor(params, false));
        let count = 0;
        for (;;) {
          const { rows } = await client.query(`FETCH ${EXPORT_BATCH} FROM samples_export`);
          count += rows.length;
          if (rows.length < EXPORT_BATCH) break;
        }
        await client.query('COMMIT');
        return count;
      } catch (error) {
        await client.query('ROLLBACK').catch(() => undefined);
        throw error;
      }
    },
    /**
     * The newest `n` samples of each timeseries.
     * @param {import('pg').Client} client
     * @param {{ deviceId: string, ids: string[], n: number }} read
     */
    async latest(client, read) {
      const keys = await seriesKeys(client, read.deviceId, read.ids);
      const { rows } = await client.query(
        sql.latest({ seriesKeys: keys, timeseriesIds: read.ids, metric: 0, before: 'infinity', n: read.n }),
      );
      return rows.length;
    },
    /**
     * Calendar aggregates, with the parameters AnalyticsService.aggregates builds.
     * @param {import('pg').Client} client
     * @param {{ deviceId: string, ids: string[], shape: any, start: string, end: string, step: string, days: number, maxBuckets: number }} read
     */
    async aggregates(client, read) {
      const keys = await seriesKeys(client, read.deviceId, read.ids);
      const { rows } = await client.query(
        sql.aggregates(read.shape, {
          seriesKeys: keys,
          timeseriesIds: read.ids,
          metric: 0,
          start: read.start,
          end: read.end,
          timeZone: 'UTC',
          step: read.step,
          days: read.days,
          maxBuckets: read.maxBuckets,
        }),
      );
      return rows.length;
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
      const { rows } = await client.query(
        sql.registerPoints({
          deviceId,
          collectionId,
          allowedCollections: [collectionId],
          pointIds: ids,
          pointTypes: types,
        }),
      );
      if (rows.length > 0) return rows.length;
    } catch (error) {
      if (/** @type {{ code?: string }} */ (error).code !== '23505') throw error;
    }
  }
  throw new Error(`device ${deviceId}: the registration kept racing concurrent ones`);
}

/**
 * Runs `work` on every client, back to back, until `durationMs` has passed. With `rampMs`, the
 * clients work `rampMs` longer first, and only what completes within the `durationMs` after it
 * counts (the window opens on clients already busy, as bench/http-load.js does with `rampS`);
 * `window` is called when it opens and closes.
 * @param {import('pg').Client[]} clients
 * @param {number} durationMs
 * @param {(client: import('pg').Client) => Promise<unknown>} work
 * @param {number} [rampMs]
 * @param {{ start: () => unknown, end: (requests: number) => unknown }} [window]
 */
async function loop(clients, durationMs, work, rampMs = 0, window = undefined) {
  /** @type {number[]} */
  const latencies = [];
  let errors = 0;
  /** @type {unknown} */
  let firstError;
  const windowed = rampMs > 0 || window !== undefined;
  const started = performance.now();
  const windowStart = started + rampMs;
  const deadline = windowStart + durationMs;
  /** @type {unknown} */
  let windowResult;
  let opened = false;
  let closed = false;
  // Each timer opens or closes the window whatever performance.now() says when it fires: a timer
  // may fire a fraction of a millisecond before its instant by that clock (libuv's loop time lags
  // it), and a window opened only by the closing timer would meter nothing.
  const open = () => {
    if (window && !opened) {
      opened = true;
      window.start();
    }
  };
  const close = () => {
    open();
    if (window && !closed) {
      closed = true;
      windowResult = window.end(latencies.length);
    }
  };
  const timers = window ? [setTimeout(open, rampMs), setTimeout(close, rampMs + durationMs)] : [];
  if (window && rampMs === 0) open();
  await Promise.all(
    clients.map(async (client) => {
      while (performance.now() < deadline) {
        const t0 = performance.now();
        try {
          await work(client);
          const now = performance.now();
          if (!windowed || (now >= windowStart && now <= deadline)) latencies.push(now - t0);
        } catch (error) {
          errors++;
          firstError ??= error;
        }
      }
    }),
  );
  for (const timer of timers) clearTimeout(timer);
  if (window && !closed) {
    if (!opened) window.start();
    windowResult = window.end(latencies.length);
  }
  const elapsedS = windowed ? durationMs / 1000 : (performance.now() - started) / 1000;
  return { latencies, errors, firstError, elapsedS, windowResult: await windowResult };
}

/**
 * Runs one scenario against the database alone, after a warm-up of the same work.
 * @param {DbSettings} settings
 * @param {{ clients: number, durationMs: number, warmupMs: number, pointsPerRequest: number, rampMs?: number }} shape
 *   `rampMs`: see `loop`; the meter then measures the window only
 * @param {(sql: ReturnType<typeof statements>) => (client: import('pg').Client) => Promise<unknown>} makeWork
 * @param {() => Promise<(requests: number) => Promise<object>>} [meter] measures the measured loop (while the clients are connected)
 */
async function runDbLoop(settings, shape, makeWork, meter) {
  const clients = await connectClients(settings, shape.clients);
  try {
    const work = makeWork(statements(settings.prepared));
    if (shape.warmupMs > 0) await loop(clients, shape.warmupMs, work);
    if (shape.rampMs) {
      /** @type {Promise<(requests: number) => Promise<object>> | undefined} */
      let stopMeter;
      const { latencies, errors, firstError, elapsedS, windowResult } = await loop(
        clients,
        shape.durationMs,
        work,
        shape.rampMs,
        {
          start: () => {
            stopMeter = meter?.();
          },
          end: async (/** @type {number} */ requests) => (await stopMeter)?.(requests),
        },
      );
      return {
        ...summarize(latencies, elapsedS, shape.pointsPerRequest),
        .../** @type {object} */ (windowResult),
        errors,
        ...(firstError ? { firstError: String(firstError) } : {}),
      };
    }
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

module.exports = { statements, samplesStatements, sampleWork, connectClients, registerPoints, runDbLoop };
