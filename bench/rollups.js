'use strict';

/**
 * Rollups (src/series/sample-rollups.sql.ts, docs/storage.md#rollups) in the benchmark: a year of
 * minute data of 10 series, in a database of its own, packed by `npm run samples:pack` (which
 * writes the days' rollups beside the blocks), then the same requests to two instances on that
 * database, one with rollups (the default) and one with SAMPLES_ROLLUPS=off:
 *
 *   daily     aggregates P1D in Europe/Berlin of the 10 series over the year: avg,min,max,count,twa
 *   monthly   the same with P1M
 *   stats     stats of one series over the year
 *
 * One request at a time (a dashboard's question, not a load): `on` is asked ROUNDS_ON times after a
 * warm-up (p50 and p99), `off` fewer times (it reads 5 million samples each time). Every answer with
 * rollups is compared with the one without: count, min, max, first and last equal, sum, avg and twa
 * within 1e-9 relative. The storage of the rollups and of the blocks is measured after VACUUM.
 * A quick run (CI) takes 30 days instead of a year: it proves the part runs and prints figures.
 */

const { performance } = require('node:perf_hooks');

const { difference } = require('./answers');
const { createThrowawayDatabase } = require('./database');
const { request } = require('./http-client');
const { stopServer } = require('./processes');
const { startPack } = require('./packed');
const { DAY_MS, createPartitions, iso } = require('./samples');
const { withPg } = require('./samples-run');
const { startService } = require('./servers');
const { quantile, round } = require('./stats');
const { BENCH_COLLECTION } = require('./tokens');

const SERIES = 10;
/** Answers of `off` take seconds: the HTTP client waits this long for one. */
const OFF_TIMEOUT_MS = 600_000;

/**
 * @param {boolean} quick
 * @param {number} nowMs
 */
function rollupsLayout(quick, nowMs) {
  const days = quick ? 30 : 365;
  const endMs = Math.floor((nowMs - 10 * DAY_MS) / DAY_MS) * DAY_MS;
  return { days, series: SERIES, stepMs: 60_000, startMs: endMs - days * DAY_MS, endMs, samples: SERIES * days * 1440 };
}

/**
 * Times `count` requests of `path` one after the other, after `warmup` untimed ones.
 * @param {{ url: string }} server
 * @param {string} path
 * @param {Record<string, string>} headers
 * @param {number} warmup
 * @param {number} count
 */
async function timeRequests(server, path, headers, warmup, count) {
  /** @type {number[]} */
  const ms = [];
  let errors = 0;
  let last;
  for (let i = 0; i < warmup + count; i++) {
    const started = performance.now();
    const response = await request(`${server.url}${path}`, { headers, timeoutMs: OFF_TIMEOUT_MS });
    const took = performance.now() - started;
    if (response.status !== 200) errors++;
    if (i >= warmup) ms.push(took);
    last = response;
  }
  ms.sort((x, y) => x - y);
  return {
    requests: count,
    errors,
    p50Ms: round(quantile(ms, 0.5), 1),
    p99Ms: round(quantile(ms, 0.99), 1),
    minMs: round(ms[0] ?? NaN, 1),
    answer: last?.json,
  };
}

/**
 * The rollups part of `npm run bench` (after packed history).
 * @param {{ quick: boolean, serverUrl: string, env: Record<string, string>, samples: any, servers: Record<string, any>,
 *   databases: string[], disableAutovacuum: (url: string) => Promise<void>, say: (line: string) => void }} o
 */
async function runRollups(o) {
  const { quick, say, servers } = o;
  const layout = rollupsLayout(quick, Date.now());
  say(
    `\nRollups: ${layout.days} days of minute data of ${SERIES} series in a database of its own, packed, then stats and aggregates with and without rollups`,
  );
  const db = await createThrowawayDatabase(o.serverUrl);
  o.databases.push(db.name);
  const env = { ...o.env, DATABASE_URL: db.url };
  servers.rollups = await startService(env, { migrate: true, name: 'service (rollups)' });
  await o.disableAutovacuum(db.url);
  const headers = { authorization: `Bearer ${o.samples.client.tokens[0]}`, ercollectionid: BENCH_COLLECTION };
  const deviceId = 'bench-rollups';
  const registered = await request(`${servers.rollups.url}/apollo/devices/${deviceId}/timeseries`, {
    method: 'POST',
    headers: { ...headers, 'content-type': 'application/json' },
    body: JSON.stringify(Array.from({ length: SERIES }, (_, i) => ({ id: `rollup-${i}`, pointType: 'temperature' }))),
  });
  if (registered.status !== 202) throw new Error(`rollups: registering the series answered ${registered.status}`);
  /** @type {string[]} */
  const ids = registered.json.data.relationships.map((/** @type {any} */ r) => r.timeseriesId);

  let started = performance.now();
  await withPg(db.url, async (client) => {
    await createPartitions(client, layout.startMs, layout.endMs + 62 * DAY_MS);
    await client.query('SET synchronous_commit = off');
    const keys = (await client.query('SELECT series_key FROM timeseries WHERE id = ANY($1::uuid[])', [ids])).rows;
    for (const [s, { series_key: key }] of keys.entries()) {
      await client.query(
        `INSERT INTO sample (series_key, metric, ts, val)
         SELECT $1::int4, 0::int2, $2::timestamptz + g * interval '1 minute',
                round((20 + 5 * sin(g / 700.0 + $3::int) + (g * 7919 % 100) / 100.0)::numeric, 2)::float8
         FROM generate_series(0::int8, $4::int8 - 1) AS g`,
        [key, iso(layout.startMs), s, layout.days * 1440],
      );
    }
    await client.query('VACUUM (ANALYZE) sample');
  });
  const loadSeconds = round((performance.now() - started) / 1000, 1);
  const pack = startPack(o.env, db.url);
  servers.pack = pack.process;
  const packed = /** @type {NonNullable<Awaited<typeof pack.result>>} */ (await pack.result);
  servers.pack = undefined;
  const storage = await withPg(db.url, async (client) => {
    await client.query('VACUUM (ANALYZE) sample_block');
    await client.query('VACUUM (ANALYZE) sample_rollup');
    const size = async (/** @type {string} */ table) =>
      Number(
        (
          await client.query(
            `SELECT coalesce(sum(pg_total_relation_size(c.oid)), 0)::float8 AS bytes FROM pg_inherits i
             JOIN pg_class c ON c.oid = i.inhrelid WHERE i.inhparent = $1::regclass`,
            [table],
          )
        ).rows[0].bytes,
      );
    const days = Number((await client.query('SELECT count(*)::int AS n FROM sample_rollup')).rows[0].n);
    return { blockBytes: await size('sample_block'), rollupBytes: await size('sample_rollup'), rollupDays: days };
  });
  say(
    `  ${db.name}: ${layout.samples.toLocaleString('en-US')} samples loaded in ${loadSeconds} s; packed ${JSON.stringify(packed)}; ` +
      `blocks ${round(storage.blockBytes / layout.samples, 2)} bytes a sample, rollups ${round(storage.rollupBytes / layout.samples, 2)} (${storage.rollupDays} days)`,
  );

  servers.rollupsOff = await startService(
    { ...env, SAMPLES_ROLLUPS: 'off', DB_STATEMENT_TIMEOUT_MS: String(OFF_TIMEOUT_MS) },
    { name: 'service (rollups off)' },
  );
  // Berlin's calendar: the year (or the days) from a local midnight to a local midnight.
  const local = (/** @type {number} */ ms) => `${new Date(ms).toISOString().slice(0, 10)}T00:00:00%2B01:00`;
  const range = `startTime=${local(layout.startMs + DAY_MS)}&endTime=${local(layout.endMs)}`;
  const all = ids.map((id) => `timeseries_ids=${id}`).join('&');
  const base = `/apollo/devices/${deviceId}/timeseries/samples`;
  const cases = [
    {
      name: 'daily',
      description: `aggregates P1D Europe/Berlin, ${SERIES} series, avg,min,max,count,twa`,
      path: `${base}/aggregates?${all}&${range}&granularity=P1D&timeZone=Europe/Berlin&aggregates=avg,min,max,count,twa`,
    },
    {
      name: 'monthly',
      description: `aggregates P1M Europe/Berlin, ${SERIES} series, avg,min,max,count,twa`,
      path: `${base}/aggregates?${all}&${range}&granularity=P1M&timeZone=Europe/Berlin&aggregates=avg,min,max,count,twa`,
    },
    {
      name: 'stats',
      description: 'stats of one series over the whole data set',
      path: `${base}/stats?timeseries_ids=${ids[0]}&startTime=${iso(layout.startMs)}&endTime=${iso(layout.endMs)}`,
    },
  ];
  const results = [];
  for (const c of cases) {
    started = performance.now();
    const on = await timeRequests(servers.rollups, c.path, headers, 10, quick ? 20 : 100);
    const off = await timeRequests(servers.rollupsOff, c.path, headers, 1, quick ? 1 : 3);
    const differs = difference(on.answer, off.answer);
    const ratio = on.p50Ms > 0 ? round(off.p50Ms / on.p50Ms, 1) : null;
    say(
      `  ${c.name} (${c.description}): rollups p50 ${on.p50Ms} ms, p99 ${on.p99Ms} ms (${on.requests} requests); ` +
        `off p50 ${off.p50Ms} ms (${off.requests}); ${ratio}× faster; answers ${differs ? `DIFFER (${differs})` : 'alike'}; ` +
        `${on.errors + off.errors} errors`,
    );
    results.push({
      name: c.name,
      description: c.description,
      on: { ...on, answer: undefined },
      off: { ...off, answer: undefined },
      ratio,
      alike: differs === null,
      difference: differs,
      seconds: round((performance.now() - started) / 1000, 1),
    });
  }
  await stopServer(servers.rollupsOff);
  servers.rollupsOff = undefined;
  await stopServer(servers.rollups);
  servers.rollups = undefined;
  return {
    layout,
    loadSeconds,
    pack: packed,
    storage: {
      ...storage,
      blockBytesPerSample: round(storage.blockBytes / layout.samples, 2),
      rollupBytesPerSample: round(storage.rollupBytes / layout.samples, 2),
    },
    cases: results,
  };
}

module.exports = { runRollups, rollupsLayout };
