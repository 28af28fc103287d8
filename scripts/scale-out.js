#!/usr/bin/env node
/**
 * Three instances, one service, measured: `npm run scale` (20 s of load) or
 * `npm run scale -- --seconds 5` (what CI runs). Needs DATABASE_URL (a throwaway database is made
 * on that server and dropped at the end), Redis (REDIS_URL, default redis://127.0.0.1:6379) and,
 * for the replica's share, a hot standby of the server (STANDBY_URL, default port 5433 of the
 * DATABASE_URL host; `bash scripts/standby.sh` makes one).
 *
 * It starts three `node dist/src/main.js` on the same database, Redis and replica, and prints:
 * - mixed load (sample writes of 100, sample reads, timeseries lists) from 16 connections per
 *   instance at once: requests/s per instance and in all, p50/p99, errors;
 * - rate-limit accuracy: one subject sends three times the limit round robin over the instances;
 *   the share let through against the limit (1.00 is exact; 3.00 would be per instance);
 * - the replica's read share: during a read-only run, the transactions of the database on the
 *   standby against those on the primary (the standby's share of them).
 * It exits 1 on any error or a rate-limit accuracy off by more than 1%.
 */
'use strict';

const { generateKeyPairSync, randomBytes, randomUUID } = require('node:crypto');
const { parseArgs } = require('node:util');

const { sign } = require('jsonwebtoken');

const { onServer, run, startService } = require('./service-process');

const { values } = parseArgs({ options: { seconds: { type: 'string', default: '20' } } });
const SECONDS = Number(values.seconds);
const INSTANCES = 3;
const CONNECTIONS = 16;
/** The limit of the accuracy check; the load's own subjects are never limited (one each request). */
const RATE_LIMIT = 300;

async function main() {
  const serverUrl = process.env.DATABASE_URL;
  if (!serverUrl) throw new Error('DATABASE_URL must name a PostgreSQL server (a throwaway database is made on it).');
  const redisUrl = process.env.REDIS_URL || 'redis://127.0.0.1:6379';
  const dbName = `dtapi_scale_${Date.now()}_${randomBytes(3).toString('hex')}`;
  const dbUrl = Object.assign(new URL(serverUrl), { pathname: `/${dbName}` }).toString();
  const standbyUrl = Object.assign(new URL(process.env.STANDBY_URL || serverUrl), { pathname: `/${dbName}` });
  if (!process.env.STANDBY_URL) standbyUrl.port = '5433';
  await onServer(serverUrl, (c) => c.query(`CREATE DATABASE "${dbName}"`));
  const hasStandby = await waitForStandby(standbyUrl.toString());

  const keys = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const tokenOf = (subject) =>
    sign({ scope: 'apollo_read apollo_write', collections: ['scale'] }, keys.privateKey, {
      algorithm: 'ES256',
      subject,
      expiresIn: SECONDS + 600,
    });
  const env = {
    DATABASE_URL: dbUrl,
    ...(hasStandby ? { DATABASE_REPLICA_URLS: standbyUrl.toString() } : {}),
    REDIS_URL: redisUrl,
    JWT_PUBLIC_KEY: keys.publicKey.export({ type: 'spki', format: 'pem' }).toString(),
    CONTINUATION_SECRET: randomBytes(32).toString('hex'),
    NODE_ENV: 'production',
    RATE_LIMIT_PER_MINUTE: String(RATE_LIMIT),
    LOG_LEVEL: 'warn',
  };
  // One after the other: the first migrates, the others find nothing pending.
  const instances = [];
  try {
    for (let i = 0; i < INSTANCES; i++) instances.push(await startService(env));
    const report = { instances: INSTANCES, connectionsPerInstance: CONNECTIONS, seconds: SECONDS };

    // The device and series the load uses (registered through the first instance).
    const setup = tokenOf('setup');
    const deviceId = `scale-${randomUUID()}`;
    const points = Array.from({ length: 10 }, (_, i) => ({ id: `p${i}`, pointType: 'temperature' }));
    const registered = await (
      await fetch(`${instances[0].url}/apollo/devices/${deviceId}/timeseries`, {
        method: 'POST',
        headers: { authorization: `Bearer ${setup}`, 'content-type': 'application/json' },
        body: JSON.stringify(points),
      })
    ).json();
    const series = registered.data.relationships.map((r) => r.timeseriesId);
    const samplesPath = `/apollo/devices/${deviceId}/timeseries/samples`;
    let clock = Date.UTC(2030, 0, 1);
    const writeBody = () =>
      JSON.stringify(
        Array.from({ length: 100 }, (_, i) => ({
          timeseriesId: series[i % series.length],
          val: i,
          timestamp: new Date((clock += 1000)).toISOString(),
        })),
      );
    // A token per request would cost a signature each: a pool of subjects, each far from the limit.
    const subjects = Array.from({ length: 2000 }, (_, i) => `Bearer ${tokenOf(`load-${i}`)}`);
    let next = 0;
    const auth = () => subjects[next++ % subjects.length];
    const reads = [
      {
        method: 'GET',
        setupRequest: (r) => ({
          ...r,
          headers: { authorization: auth() },
          path: `${samplesPath}?timeseries_ids=${series[next % series.length]}&paginated=true&limit=100`,
        }),
      },
      {
        method: 'GET',
        setupRequest: (r) => ({
          ...r,
          headers: { authorization: auth() },
          path: `/apollo/devices/${deviceId}/timeseries?limit=10`,
        }),
      },
    ];
    const mixed = [
      {
        method: 'POST',
        setupRequest: (r) => ({
          ...r,
          path: samplesPath,
          headers: { authorization: auth(), 'content-type': 'application/json' },
          body: writeBody(),
        }),
      },
      ...reads,
    ];

    await Promise.all(instances.map((instance) => run(instance.url, mixed, 2, CONNECTIONS))); // warm-up
    const results = await Promise.all(instances.map((instance) => run(instance.url, mixed, SECONDS, CONNECTIONS)));
    report.mixedLoad = {
      requestsPerSecond: Math.round(sum(results.map((r) => r.requests.average))),
      perInstance: results.map((r) => Math.round(r.requests.average)),
      p50Ms: Math.max(...results.map((r) => r.latency.p50)),
      p99Ms: Math.max(...results.map((r) => r.latency.p99)),
      errors: sum(results.map((r) => r.errors + r.timeouts + r.non2xx)),
    };

    // Rate-limit accuracy: one subject, 3 × the limit, round robin.
    const limited = `Bearer ${tokenOf(`limited-${randomUUID()}`)}`;
    let passed = 0;
    let refused = 0;
    for (let i = 0; i < 3 * RATE_LIMIT; i++) {
      const response = await fetch(`${instances[i % INSTANCES].url}/apollo/devices/${deviceId}/timeseries?limit=1`, {
        headers: { authorization: limited },
      });
      await response.arrayBuffer();
      if (response.status === 200) passed++;
      else if (response.status === 429) refused++;
    }
    report.rateLimit = {
      limitPerMinute: RATE_LIMIT,
      sent: 3 * RATE_LIMIT,
      letThrough: passed,
      refused,
      accuracy: Math.round((passed / RATE_LIMIT) * 1000) / 1000,
    };

    // The replica's share of the reads.
    if (hasStandby) {
      const count = async () =>
        Promise.all([xacts(dbUrl), xacts(standbyUrl.toString())]).then(([primary, standby]) => ({ primary, standby }));
      const before = await count();
      const readRuns = await Promise.all(
        instances.map((instance) => run(instance.url, reads, Math.max(3, SECONDS / 2), CONNECTIONS)),
      );
      await new Promise((r) => setTimeout(r, 600)); // pg_stat reports every 500 ms
      const after = await count();
      const standby = after.standby - before.standby;
      const primary = after.primary - before.primary;
      report.replica = {
        readsPerSecond: Math.round(sum(readRuns.map((r) => r.requests.average))),
        errors: sum(readRuns.map((r) => r.errors + r.timeouts + r.non2xx)),
        transactionsOnStandby: standby,
        transactionsOnPrimary: primary,
        standbyShare: Math.round((standby / Math.max(1, standby + primary)) * 1000) / 1000,
      };
    } else {
      report.replica = `no hot standby at ${standbyUrl.host} (bash scripts/standby.sh makes one): not measured`;
    }

    process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
    const errors = report.mixedLoad.errors + (typeof report.replica === 'object' ? report.replica.errors : 0);
    if (errors > 0) throw new Error(`${errors} requests failed`);
    if (Math.abs(report.rateLimit.accuracy - 1) > 0.01) throw new Error('the shared rate limit is off by more than 1%');
    process.stdout.write('scale: 0 errors, one rate limit across the instances\n');
  } finally {
    await Promise.all(instances.map((instance) => instance.stop()));
    await onServer(serverUrl, (c) => c.query(`DROP DATABASE IF EXISTS "${dbName}" WITH (FORCE)`));
  }
}

/** Committed transactions of the database (pg_stat_database), minus this query's own. */
async function xacts(url) {
  return onServer(url, async (c) => {
    const { rows } = await c.query(
      'SELECT xact_commit::int AS n FROM pg_stat_database WHERE datname = current_database()',
    );
    return rows[0].n;
  });
}

/** The standby replays the CREATE DATABASE a moment later; false when there is no standby. */
async function waitForStandby(url) {
  for (let i = 0; i < 40; i++) {
    try {
      return await onServer(url, async (c) => (await c.query('SELECT pg_is_in_recovery() AS r')).rows[0].r === true);
    } catch (error) {
      if (error.code !== '3D000') return false; // not "database does not exist (yet)"
      await new Promise((r) => setTimeout(r, 250));
    }
  }
  return false;
}

const sum = (numbers) => numbers.reduce((total, n) => total + n, 0);

main().catch((error) => {
  process.stderr.write(`scale: ${error.message}\n`);
  process.exit(1);
});
