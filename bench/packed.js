'use strict';

/**
 * Packed history (src/history/, docs/storage.md) in the benchmark: after the samples scenarios
 * have run on rows, the data set is packed into `sample_block` and measured again, in the same run.
 *
 *   pack      `node dist/src/scripts/pack-samples.js` (what `npm run samples:pack` runs) with
 *             SAMPLES_PACK_AFTER=PT1S beside a running service instance; its JSON line, and
 *             packedSamples / seconds
 *   storage   after VACUUM (ANALYZE) of sample and sample_block: pg_total_relation_size (heap,
 *             TOAST, indexes) of every partition of both tables, over the samples they hold
 *   reads     read1000, readDeep, export100k and aggregates on `service` and `db` (the service's
 *             own statements from dist/, which read both tiers), the same request sequences as
 *             on rows; every answer compared with the answer the same service gave before the pack
 *   noisy     a second data set (1- and 15-minute series, values of 3 significant digits with
 *             noise, samples missing at random and whole hours missing), loaded and packed alike
 *   writes    write1000 on the service while a pack of the main database runs beside it
 *
 * The data set is packed in a database of its own (another `dtapi_bench_*`, loaded as the main one
 * is, with the same layout): the main database also holds what the write scenarios and the memory
 * checks wrote, millions of samples in series of their own, which a pack would move and a storage
 * figure count too. The noisy data set has a third database. Both are dropped once measured.
 * The main database is packed last, beside write1000, and that pack is stopped (SIGTERM: a
 * stopped pack leaves each sample a row or in its block) when the run ends.
 */

const { createHash } = require('node:crypto');
const { spawn } = require('node:child_process');
const { join } = require('node:path');
const { performance } = require('node:perf_hooks');
const process = require('node:process');
const { setTimeout: sleep } = require('node:timers/promises');

const { difference } = require('./answers');
const { createThrowawayDatabase, dropDatabase } = require('./database');
const { connectClients, registerPoints, sampleWork, samplesStatements, statements } = require('./db-loop');
const { distDir, fromDist } = require('./dist');
const { request } = require('./http-client');
const { stopServer } = require('./processes');
const { DAY_MS, createPartitions, iso, preloadPostgres, registerSampleDevices, sampleReads } = require('./samples');
const {
  checkSampleReads,
  measureExportRss,
  measureSamplesDb,
  measureSamplesHttp,
  samplesTiming,
  summarizeSampleRuns,
  withPg,
  writeParams,
} = require('./samples-run');
const { startService } = require('./servers');
const { round } = require('./stats');
const { BENCH_COLLECTION } = require('./tokens');

/** The reads measured again on packed history, in this order. */
const PACKED_READS = ['read1000', 'readDeep', 'export100k', 'aggregates'];
/** The reads whose answers are compared before and after the pack (latest too: it reads both tiers). */
const CHECKED_READS = ['read1000', 'readDeep', 'export100k', 'latest', 'aggregates'];
const PACKED_TARGETS = ['service', 'db'];
/** SAMPLES_PACK_AFTER of every pack of the benchmark: everything older than a second. */
const PACK_AFTER = 'PT1S';
/**
 * The transactions of a pack hold the series' advisory lock (SERIES_LOCK, series key) while they
 * move its rows: pg_locks shows a pack at work whatever its SQL.
 */
const PACK_LOCKS = `FROM pg_locks l
  WHERE l.locktype = 'advisory' AND l.classid = $1::int4::oid AND l.objsubid = 2 AND l.granted
    AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database())`;
const seriesLock = () => Number(fromDist('series/sample-blocks.sql').SERIES_LOCK);

/** @param {number} value */
const fmt = (value) => Math.round(value).toLocaleString('en-US');
/** @param {number | null | undefined} bytes */
const mb = (bytes) => (bytes == null ? '?' : (bytes / 1024 / 1024).toFixed(1));

/**
 * `node dist/src/scripts/pack-samples.js` on `databaseUrl`, as `npm run samples:pack` runs it
 * (from the run's copy of dist/) with the service's environment: it packs everything
 * SAMPLES_PACK_AFTER makes eligible and prints one JSON line. `result` is that line (with the
 * process's wall time), or null when the benchmark stopped it.
 * @param {Record<string, string>} env the servers' environment (bench/servers.js)
 * @param {string} databaseUrl
 * @param {boolean} [paced] `--paced`: as the service's scheduled rounds pack (one series at a time, resting between)
 */
function startPack(env, databaseUrl, paced = false) {
  const started = performance.now();
  const script = join(distDir(), 'src', 'scripts', 'pack-samples.js');
  const child = spawn(process.execPath, paced ? [script, '--paced'] : [script], {
    env: { ...env, DATABASE_URL: databaseUrl, SAMPLES_PACK_AFTER: PACK_AFTER, LOG_LEVEL: 'silent' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (chunk) => {
    stdout += String(chunk);
  });
  child.stderr?.on('data', (chunk) => {
    stderr = (stderr + String(chunk)).slice(-16 * 1024);
  });
  /** @type {Promise<{ packedSamples: number, blocks: number, seconds: number, wallSeconds: number } | null>} */
  const result = new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('exit', (code, signal) => {
      const wallSeconds = round((performance.now() - started) / 1000, 2);
      if (signal) return resolve(null);
      if (code !== 0) return reject(new Error(`the pack exited with code ${code}: ${stderr.trim()}`));
      const line = stdout.trim().split('\n').pop() ?? '';
      try {
        resolve({ ...JSON.parse(line), wallSeconds });
      } catch {
        reject(new Error(`the pack printed no JSON line: ${stdout.trim()} ${stderr.trim()}`));
      }
    });
  });
  return {
    child,
    result,
    /** As bench/run.js's cleanup stops servers. */
    process: /** @type {import('./processes').ServerProcess} */ ({
      name: 'pack',
      url: '',
      child,
      stderr: () => stderr,
    }),
  };
}

/**
 * What both tiers take: per table (`sample`: rows, `sample_block`: packed), the heap, TOAST and
 * indexes of its partitions, pg_total_relation_size of them all, and the samples each holds.
 * @param {import('pg').Client} client
 */
async function tierStorage(client) {
  const { rows } = await client.query(`
    SELECT p.relname AS tier, c.relname AS name,
           pg_relation_size(c.oid)::float8 AS heap,
           (CASE WHEN c.reltoastrelid = 0 THEN 0 ELSE pg_total_relation_size(c.reltoastrelid) END)::float8 AS toast,
           pg_indexes_size(c.oid)::float8 AS indexes,
           pg_total_relation_size(c.oid)::float8 AS total
    FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid JOIN pg_class p ON p.oid = i.inhparent
    WHERE i.inhparent IN ('sample'::regclass, 'sample_block'::regclass)`);
  const {
    rows: [counts],
  } = await client.query(`
    SELECT (SELECT count(*) FROM sample)::float8 AS rows,
           (SELECT coalesce(sum(count), 0) FROM sample_block)::float8 AS packed,
           (SELECT count(*) FROM sample_block)::float8 AS blocks`);
  const tier = (/** @type {string} */ name, /** @type {number} */ samples) => {
    const mine = rows.filter((row) => row.tier === name);
    const sum = (/** @type {string} */ key) => mine.reduce((total, row) => total + row[key], 0);
    return {
      partitions: mine.length,
      samples,
      heapBytes: sum('heap'),
      toastBytes: sum('toast'),
      indexBytes: sum('indexes'),
      totalBytes: sum('total'),
    };
  };
  const rowsTier = tier('sample', counts.rows);
  const blocksTier = { ...tier('sample_block', counts.packed), blocks: counts.blocks };
  const samples = counts.rows + counts.packed;
  const totalBytes = rowsTier.totalBytes + blocksTier.totalBytes;
  const per = (/** @type {number} */ bytes) => (samples ? round(bytes / samples, 2) : null);
  return {
    samples,
    totalBytes,
    bytesPerSample: per(totalBytes),
    rows: { ...rowsTier, bytesPerSample: per(rowsTier.totalBytes) },
    blocks: { ...blocksTier, bytesPerSample: per(blocksTier.totalBytes) },
  };
}

/**
 * VACUUM (ANALYZE) of both tiers, then their storage. The heap of a row partition the pack emptied
 * shrinks only when VACUUM may remove the deleted rows (no older snapshot anywhere on the server,
 * e.g. a standby's hot_standby_feedback): up to `attempts` VACUUMs half a second apart, until no
 * row partition's heap holds pages without rows.
 * @param {string} url
 * @param {number} [attempts]
 */
async function settledStorage(url, attempts = 20) {
  return withPg(url, async (client) => {
    for (let vacuums = 1; ; vacuums++) {
      await client.query('VACUUM (ANALYZE) sample, sample_block');
      const storage = await tierStorage(client);
      const heldBack = storage.rows.samples === 0 && storage.rows.heapBytes > 0;
      if (!heldBack || vacuums >= attempts) {
        return { ...storage, vacuums, deadRowsKept: heldBack };
      }
      await sleep(500);
    }
  });
}

/**
 * Every partition of both tiers out of autovacuum's way, as bench/run.js does for the main
 * database: nothing but the benchmark vacuums during the measurements.
 * @param {string} url
 */
async function disableTierAutovacuum(url) {
  await withPg(url, async (client) => {
    const { rows } = await client.query(`
      SELECT c.relname AS name FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
      WHERE i.inhparent IN ('sample'::regclass, 'sample_block'::regclass)`);
    for (const { name } of rows) await client.query(`ALTER TABLE "${name}" SET (autovacuum_enabled = false)`);
  });
}

/**
 * The migrations of the service (from the run's dist/), in this process: a database ready for
 * the pack CLI and the service's statements without starting a service.
 * @param {string} url
 */
async function migrate(url) {
  const { DataSource } = require('typeorm');
  const { loadConfig } = fromDist('config/config');
  const { dataSourceOptions } = fromDist('database/data-source-options');
  const source = new DataSource(dataSourceOptions(loadConfig({ DATABASE_URL: url })));
  await source.initialize();
  try {
    await source.runMigrations();
  } finally {
    await source.destroy();
  }
}

/**
 * The answers of the checked reads (the first `variants` of each; the first of export100k):
 * status, a hash of the JSON body, its sample or bucket count and the ContinuationToken.
 * @param {{ url: string }} server
 * @param {import('./samples-run').SamplesContext} context
 * @param {string[]} names
 * @param {number} variants
 */
async function captureAnswers(server, context, names, variants) {
  const headers = { authorization: `Bearer ${context.client.tokens[0]}`, ercollectionid: BENCH_COLLECTION };
  /** @type {Map<string, { status: number, hash: string, json?: unknown, count: number | null, token: string | null }>} */
  const answers = new Map();
  for (const name of names) {
    const reads = /** @type {any[]} */ (/** @type {any} */ (context.reads)[name]);
    for (const [v, read] of reads.slice(0, name === 'export100k' ? 1 : variants).entries()) {
      const response = await request(`${server.url}${read.path}`, { headers: { ...headers, ...read.headers } });
      const data = response.json?.data;
      answers.set(`${name}#${v}`, {
        status: response.status,
        hash: createHash('sha256').update(JSON.stringify(response.json)).digest('hex'),
        // Aggregates may come from rollups after the pack: their sums are compared within 1e-9.
        json: name === 'aggregates' ? response.json : undefined,
        count: Array.isArray(data) ? data.length : null,
        token: /** @type {string | undefined} */ (response.headers.continuationtoken) ?? null,
      });
    }
  }
  return answers;
}

/**
 * The answers after the pack against those before it, per read: how many were compared, how many
 * are the same (status, body and token; an aggregate's sums within 1e-9, bench/answers.js), and the
 * first that is not.
 * @param {Map<string, any>} before
 * @param {Map<string, any>} after
 */
function compareAnswers(before, after) {
  /** @type {Map<string, { scenario: string, compared: number, same: number, statuses: number[], firstDifference: string | null }>} */
  const lines = new Map();
  for (const [key, was] of before) {
    const scenario = key.slice(0, key.indexOf('#'));
    const line = lines.get(scenario) ?? { scenario, compared: 0, same: 0, statuses: [], firstDifference: null };
    lines.set(scenario, line);
    const now = after.get(key);
    line.compared++;
    if (!line.statuses.includes(now?.status)) line.statuses.push(now?.status);
    const close = now?.json !== undefined && was.json !== undefined && difference(now.json, was.json) === null;
    if (
      now &&
      was.status === 200 &&
      now.status === was.status &&
      (now.hash === was.hash || close) &&
      now.token === was.token
    ) {
      line.same++;
    } else {
      line.firstDifference ??= `${key}: before ${was.status} (${was.count} items), after ${now?.status} (${now?.count} items)`;
    }
  }
  return [...lines.values()].map((line) => ({ ...line, alike: line.same === line.compared }));
}

/**
 * The noisy data set's shape: half its series a sample a minute, half one every 15 minutes, over
 * `days` days ending where the main data set ends (10 days before now: every period is packable).
 * @param {boolean} quick
 * @param {number} endMs
 */
function noisyLayout(quick, endMs) {
  const days = quick ? 10 : 30;
  const perGroup = quick ? 10 : 50;
  return {
    days,
    startMs: endMs - days * DAY_MS,
    endMs,
    groups: [
      { name: 'minute', stepMs: 60_000, series: perGroup },
      { name: 'quarter', stepMs: 900_000, series: perGroup },
    ],
    /** Share of the samples missing at random. */
    missingShare: 0.05,
    /** And one hour in this many missing whole (an outage), at a phase of each series' own. */
    outageEveryHours: 53,
    values: 'round(20 + (series mod 5) + 5·sin(2π·t/day + phase) + uniform noise ±0.5, 1): 3 significant digits',
    instants: 'on the step grid (no jitter); ingest instants all the load statement’s now(), as in the main data set',
  };
}

/**
 * Loads the noisy data set into `url` (migrated): its devices registered with the service's
 * statement, then one INSERT ... SELECT generate_series per series with random() seeded, so every
 * run loads the same samples.
 * @param {string} url
 * @param {ReturnType<typeof noisyLayout>} layout
 * @param {string} runTag
 */
async function loadNoisy(url, layout, runTag) {
  return withPg(url, async (client) => {
    const sql = statements(false);
    /** @type {Array<{ key: number, stepMs: number, salt: number }>} */
    const series = [];
    for (const group of layout.groups) {
      const deviceId = `bench-${runTag}-noisy-${group.name}`;
      const ids = Array.from({ length: group.series }, (_, i) => `point-${String(i).padStart(5, '0')}`);
      await registerPoints(client, sql, {
        deviceId,
        collectionId: BENCH_COLLECTION,
        ids,
        types: ids.map(() => 'temperature'),
      });
      const { rows } = await client.query('SELECT series_key FROM timeseries WHERE device_id = $1 ORDER BY point_id', [
        deviceId,
      ]);
      rows.forEach((row, i) => series.push({ key: Number(row.series_key), stepMs: group.stepMs, salt: i * 7 + 3 }));
    }
    const partitions = await createPartitions(client, layout.startMs, layout.endMs + DAY_MS);
    for (const name of partitions) await client.query(`ALTER TABLE "${name}" SET (autovacuum_enabled = false)`);
    await client.query('SET synchronous_commit = off');
    await client.query('SELECT setseed(0.42)');
    for (const s of series) {
      const count = Math.round((layout.endMs - layout.startMs) / s.stepMs);
      await client.query(
        `INSERT INTO sample (series_key, metric, ts, val)
         SELECT $1::int4, 0::int2, $2::timestamptz + g * $3::interval,
                round((20 + $4::int % 5 + 5 * sin(2 * pi() * g / $5::float8 + $4::int) + (random() - 0.5))::numeric, 1)::float8
         FROM generate_series(0::bigint, $6::bigint - 1) AS g
         WHERE random() >= $7::float8 AND (g / $8::bigint + $4::int) % $9::int <> 0`,
        [
          s.key,
          iso(layout.startMs),
          `${s.stepMs} milliseconds`,
          s.salt,
          DAY_MS / s.stepMs,
          count,
          layout.missingShare,
          Math.max(1, 3_600_000 / s.stepMs),
          layout.outageEveryHours,
        ],
      );
    }
    const {
      rows: [{ samples }],
    } = await client.query('SELECT count(*)::float8 AS samples FROM sample');
    return {
      series: series.length,
      samples,
      slots: series.reduce((n, s) => n + (layout.endMs - layout.startMs) / s.stepMs, 0),
    };
  });
}

/**
 * Waits until a pack is moving samples: one of its transactions holds a series' lock (the
 * candidates' scan and the partitions come first), or it ended.
 * @param {string} url
 * @param {ReturnType<typeof startPack>} pack
 * @param {number} timeoutMs
 */
async function packMoving(url, pack, timeoutMs) {
  return withPg(url, async (client) => {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline && pack.child.exitCode === null && pack.child.signalCode === null) {
      const { rows } = await client.query(`SELECT count(*)::int AS n ${PACK_LOCKS}`, [seriesLock()]);
      if (rows[0].n > 0) return true;
      await sleep(100);
    }
    return false;
  });
}

/**
 * Stops a pack the benchmark started (SIGTERM: the CLI exits, its open transaction rolls back),
 * and cancels its statement still running in PostgreSQL (a backend sees its client gone only when
 * the statement ends; it holds the series' lock until then), so nothing of it runs on into the
 * next measurement.
 * @param {string} url
 * @param {ReturnType<typeof startPack>} pack
 */
async function stopPack(url, pack) {
  if (pack.child.exitCode === null && pack.child.signalCode === null) pack.child.kill('SIGTERM');
  const result = await pack.result.catch(() => null);
  await withPg(url, async (client) => {
    for (let i = 0; i < 100; i++) {
      const { rows } = await client.query(`SELECT pg_cancel_backend(l.pid) ${PACK_LOCKS}`, [seriesLock()]);
      if (rows.length === 0) break;
      await sleep(100);
    }
  });
  return result;
}

/**
 * The figures of one measured run, one line.
 * @param {string} target
 * @param {number} round
 * @param {any} figures
 */
const runLine = (target, round, figures) =>
  `  ${target.padEnd(7)} round ${round}: ${String(figures.rps).padStart(8)} req/s ${String(figures.pointsPerS).padStart(9)} samples/s` +
  `  p50 ${figures.p50Ms} ms  p99 ${figures.p99Ms} ms  errors ${figures.errors}` +
  `  CPU ms/req: ${figures.cpuMsPerRequest == null ? '' : `node ${figures.cpuMsPerRequest}, `}PostgreSQL ${figures.postgresCpuMsPerRequest}, load ${figures.loadCpuMsPerRequest}`;

/**
 * @typedef {object} PackedOptions
 * @property {boolean} quick
 * @property {number | undefined} durationOption --duration
 * @property {number} rounds
 * @property {string} serverUrl DATABASE_URL: where the throwaway databases are created
 * @property {string} runTag
 * @property {Record<string, string>} env the servers' environment (the main database's)
 * @property {import('./samples-run').SamplesContext} samples the main database's samples context
 * @property {import('./scenarios').Scenario[]} scenarios the samples scenarios of the run
 * @property {Record<string, import('./processes').ServerProcess | undefined>} servers bench/run.js's, stopped by its cleanup
 * @property {string[]} databases the throwaway databases to drop on cleanup
 * @property {(url: string) => Promise<void>} disableAutovacuum
 * @property {(url: string) => Promise<number | null>} prepareRun settles the database and waits for a quiet machine (its busy % before the run)
 * @property {(line: string) => void} say
 */

/**
 * The packed part of a run (see the top of this file). Everything it starts is in `servers` and
 * `databases` while it runs, so an interrupted run stops and drops it.
 * @param {PackedOptions} o
 */
async function runPackedHistory(o) {
  const started = performance.now();
  const { quick, samples, servers, say } = o;
  const names = o.scenarios.map((s) => s.name);
  const reads = PACKED_READS.map((name) => o.scenarios.find((s) => s.name === name)).filter((s) => s !== undefined);
  /** @type {Record<string, number>} */
  const phases = {};
  let mark = performance.now();
  const phase = (/** @type {string} */ name) => {
    phases[name] = round((performance.now() - mark) / 1000, 1);
    mark = performance.now();
  };

  say('\nPacked history: the data set again in a database of its own, packed by `npm run samples:pack`, then read');
  const db = await createThrowawayDatabase(o.serverUrl);
  o.databases.push(db.name);
  const env = { ...o.env, DATABASE_URL: db.url };
  servers.packed = await startService(env, { migrate: true, name: 'service (packed)' });
  await o.disableAutovacuum(db.url);
  const devices = await withPg(db.url, (client) =>
    registerSampleDevices(client, statements(false), registerPoints, {
      runTag: o.runTag,
      collection: BENCH_COLLECTION,
      writeGroups: [],
    }),
  );
  const work = sampleWork(samplesStatements(false));
  let t = performance.now();
  await preloadPostgres(db.url, samples.layout, devices, (c, r) => work.write(c, writeParams(r)), connectClients);
  const loadSeconds = round((performance.now() - t) / 1000, 1);
  /** @type {import('./samples-run').SamplesContext} */
  const context = {
    ...samples,
    devices,
    reads: sampleReads(samples.layout, devices, env.CONTINUATION_SECRET),
    peers: [],
    sequences: new Map(),
    rates: new Map(),
    databaseUrl: db.url,
    dbSettings: { ...samples.dbSettings, url: db.url },
  };
  const checked = CHECKED_READS.filter((name) => names.includes(name));
  // Every variant in a full run; a quick one takes 4 of each (a page of packed history may take a second).
  const variants = quick ? 4 : Infinity;
  const before = await captureAnswers(servers.packed, context, checked, variants);
  say(
    `  ${db.name}: ${fmt(samples.layout.total)} samples loaded as rows in ${loadSeconds} s; ${before.size} answers taken`,
  );
  phase('load');

  const pack = startPack(o.env, db.url);
  servers.pack = pack.process;
  const packed = /** @type {NonNullable<Awaited<typeof pack.result>>} */ (await pack.result);
  servers.pack = undefined;
  const packRate = packed.seconds > 0 ? Math.round(packed.packedSamples / packed.seconds) : null;
  say(
    `  pack (SAMPLES_PACK_AFTER=${PACK_AFTER}, beside the running service): ${JSON.stringify(packed)}: ` +
      `${packRate === null ? '?' : fmt(packRate)} samples/s (${packed.wallSeconds} s with the CLI's start)`,
  );
  phase('pack');
  await disableTierAutovacuum(db.url);
  const storage = await settledStorage(db.url);
  say(
    `  storage after VACUUM (ANALYZE): ${storage.bytesPerSample} bytes a sample over ${fmt(storage.samples)} samples: ` +
      `blocks ${storage.blocks.bytesPerSample} (${fmt(storage.blocks.blocks)} blocks; TOAST ${fmt(storage.blocks.toastBytes)} bytes), ` +
      `row partitions ${storage.rows.bytesPerSample} (${fmt(storage.rows.samples)} rows left; heap ${fmt(storage.rows.heapBytes)}, indexes ${fmt(storage.rows.indexBytes)} bytes)` +
      (storage.deadRowsKept
        ? `; the deleted rows were still kept after ${storage.vacuums} VACUUMs (an older snapshot on the server)`
        : ''),
  );
  phase('storage');

  const after = await captureAnswers(servers.packed, context, checked, variants);
  const answers = compareAnswers(before, after);
  for (const line of answers) {
    say(
      `  ${line.alike ? 'alike' : 'DIFFER'}: ${line.scenario}: ${line.same} of ${line.compared} answers as before the pack` +
        (line.firstDifference ? ` (first: ${line.firstDifference})` : ''),
    );
  }
  const readsCheck = await checkSampleReads(context, { service: servers.packed }, checked);
  for (const line of readsCheck) {
    say(
      `  ${line.same ? 'alike' : 'DIFFER'}: ${line.scenario}: service ${line.service?.count}, db ${line.db?.count} (expected ${line.expected})`,
    );
  }
  phase('answers');

  /** @type {any[]} */
  const runs = [];
  for (const scenario of reads) {
    const { durationS, rampS, warmupS } = samplesTiming(scenario, quick, o.durationOption);
    say(`\n${scenario.name} (packed): ${scenario.description}`);
    for (let r = 1; r <= o.rounds; r++) {
      for (const target of PACKED_TARGETS) {
        const measure = (/** @type {number} */ seconds, ramp = 0) =>
          target === 'db'
            ? measureSamplesDb(scenario, context, seconds, ramp)
            : measureSamplesHttp(scenario, /** @type {any} */ (servers.packed), context, seconds, ramp);
        // A warm-up in the first round, as on rows; not for db, which runs the statements the
        // service has just run (PostgreSQL is warm) on clients connected for each run anyway.
        if (r === 1 && warmupS > 0 && target !== 'db') await measure(warmupS);
        const busyBeforePct = await o.prepareRun(db.url);
        const figures = await measure(durationS, rampS);
        runs.push({ scenario: scenario.name, target, round: r, ...figures, busyBeforePct });
        say(runLine(target, r, figures));
        if (figures.errors > 0) say(`    statuses: ${JSON.stringify(figures.statusCodes ?? figures.firstError)}`);
      }
    }
  }
  phase('reads');
  await stopServer(servers.packed);
  servers.packed = undefined;

  /** @type {any} */
  let exportRss = null;
  const exportScenario = reads.find((s) => s.name === 'export100k');
  if (exportScenario) {
    say('\nMemory: a fresh service process streaming export100k answers of packed history');
    servers.packed = await startService(env, { name: 'service (packed export memory)' });
    exportRss = await measureExportRss(servers.packed, context, quick ? 2 : 8, exportScenario.connections ?? 16);
    say(
      `  RSS fresh ${mb(exportRss.freshBytes)} MB, +${mb(exportRss.first.growthBytes)} MB during the first answer; ` +
        `at rest after it ${mb(exportRss.restBytes)} MB; peak with 1 connection +${mb(exportRss.one.growthBytes)} MB ` +
        `(${exportRss.one.requests} answers), with ${exportRss.many.connections} +${mb(exportRss.many.growthBytes)} MB ` +
        `(${exportRss.many.requests} answers), errors ${exportRss.first.errors + exportRss.one.errors + exportRss.many.errors}`,
    );
    await stopServer(servers.packed);
    servers.packed = undefined;
    phase('exportRss');
  }

  // What the packed tier would take with the row partitions' indexes rebuilt: VACUUM leaves a
  // btree at its size, so the index of a partition the pack emptied keeps the room of every row it
  // indexed unless the pack compacts (truncates) the partition.
  const rebuilt = await withPg(db.url, async (client) => {
    await client.query('REINDEX TABLE sample');
    return tierStorage(client);
  });
  say(
    `  with the row partitions' indexes rebuilt (REINDEX TABLE sample): ${rebuilt.bytesPerSample} bytes a sample ` +
      `(row partitions ${fmt(rebuilt.rows.totalBytes)} bytes)`,
  );
  await dropDatabase(o.serverUrl, db.name);
  o.databases.splice(o.databases.indexOf(db.name), 1);
  phase('rebuilt');

  say(
    '\nPacked history: a noisy data set (1- and 15-minute series, 3 significant digits, gaps) in a database of its own',
  );
  const noisyDb = await createThrowawayDatabase(o.serverUrl);
  o.databases.push(noisyDb.name);
  await migrate(noisyDb.url);
  const noisy = noisyLayout(quick, samples.layout.endMs);
  t = performance.now();
  const noisyLoad = await loadNoisy(noisyDb.url, noisy, o.runTag);
  const noisyLoadSeconds = round((performance.now() - t) / 1000, 1);
  const noisyRows = await settledStorage(noisyDb.url, 1);
  const noisyPack = startPack(o.env, noisyDb.url);
  servers.pack = noisyPack.process;
  const noisyPacked = /** @type {NonNullable<Awaited<typeof noisyPack.result>>} */ (await noisyPack.result);
  servers.pack = undefined;
  const noisyStorage = await settledStorage(noisyDb.url);
  const noisyRebuilt = await withPg(noisyDb.url, async (client) => {
    await client.query('REINDEX TABLE sample');
    return tierStorage(client);
  });
  say(
    `  ${fmt(noisyLoad.samples)} samples (${noisyLoad.series} series, ${noisy.days} days; ${fmt(noisyLoad.slots - noisyLoad.samples)} missing) ` +
      `in ${noisyLoadSeconds} s: rows ${noisyRows.bytesPerSample} bytes a sample; pack ${JSON.stringify(noisyPacked)}; ` +
      `packed ${noisyStorage.bytesPerSample} (blocks ${noisyStorage.blocks.bytesPerSample}, row partitions ${noisyStorage.rows.bytesPerSample}); ` +
      `${noisyRebuilt.bytesPerSample} with the row indexes rebuilt`,
  );
  await dropDatabase(o.serverUrl, noisyDb.name);
  o.databases.splice(o.databases.indexOf(noisyDb.name), 1);
  phase('noisy');

  /** @type {any} */
  let writes = null;
  const write1000 = o.scenarios.find((s) => s.name === 'write1000');
  if (write1000) {
    writes = await writeBesidePack(o, write1000);
    phase('writes');
  }

  const seconds = round((performance.now() - started) / 1000, 1);
  say(
    `\nPacked history took ${seconds} s (${Object.entries(phases)
      .map(([k, v]) => `${k} ${v}`)
      .join(', ')})`,
  );
  return {
    database: 'a throwaway database of its own, loaded as the main one (the same layout and statements)',
    packAfter: PACK_AFTER,
    dataSet: {
      samples: samples.layout.total,
      loadSeconds,
      pack: { ...packed, samplesPerS: packRate },
      storage,
      rebuilt,
      /** Samples the layout leaves as rows (none: the data set ends 10 days before now). */
      rowsLeft: storage.rows.samples,
    },
    answers,
    readsCheck,
    scenarios: summarizeSampleRuns(reads, runs, PACKED_TARGETS, o.rounds, samples.layout),
    runs,
    exportRss,
    noisy: {
      layout: noisy,
      ...noisyLoad,
      loadSeconds: noisyLoadSeconds,
      rowsStorage: noisyRows,
      pack: {
        ...noisyPacked,
        samplesPerS: noisyPacked.seconds > 0 ? Math.round(noisyPacked.packedSamples / noisyPacked.seconds) : null,
      },
      storage: noisyStorage,
      rebuilt: noisyRebuilt,
    },
    writes,
    seconds,
    phases,
  };
}

/**
 * write1000 on a service instance of the main database while a pack of that database runs beside
 * it: the rows the row scenarios left there (the data set and everything written since) are
 * packed, a series at a time, 2 series at once, as a scheduled round would. The service writes
 * write1000's devices where the row runs left them (new instants). The measured window opens once
 * a pack statement runs; the pack is stopped when the window closes.
 * @param {PackedOptions} o
 * @param {import('./scenarios').Scenario} scenario
 */
async function writeBesidePack(o, scenario) {
  const { samples, servers, say } = o;
  const url = samples.databaseUrl;
  const { durationS, rampS, warmupS } = samplesTiming(scenario, o.quick, o.durationOption);
  say(
    `\n${scenario.name} beside a pack: the service writes while \`npm run samples:pack -- --paced\` (as the scheduled rounds) packs the main database`,
  );
  servers.service = await startService(o.env);
  try {
    await measureSamplesHttp(scenario, servers.service, samples, warmupS);
    const busyBeforePct = await o.prepareRun(url);
    // Ingest beside packing is measured as the service packs in the background: paced.
    const pack = startPack(o.env, url, true);
    servers.pack = pack.process;
    const packStarted = performance.now();
    const packing = await packMoving(url, pack, 5 * 60_000);
    const windowStarted = performance.now();
    const figures = await measureSamplesHttp(scenario, servers.service, samples, durationS, rampS);
    const stillPacking = pack.child.exitCode === null && pack.child.signalCode === null;
    const packSeconds = round((performance.now() - packStarted) / 1000, 1);
    const finished = await stopPack(url, pack);
    servers.pack = undefined;
    const moved = await withPg(url, async (client) => {
      const { rows } = await client.query(
        'SELECT coalesce(sum(count), 0)::float8 AS samples, count(*)::float8 AS blocks FROM sample_block',
      );
      return rows[0];
    });
    say(runLine('service', 1, figures));
    say(
      `  the pack: ${packing ? 'packing when the window opened' : 'NOT packing when the window opened'}, ` +
        `${stillPacking ? 'still packing when it closed (then stopped)' : 'ended before it closed'}; ` +
        `${fmt(moved.samples)} samples moved into ${fmt(moved.blocks)} blocks in ${packSeconds} s ` +
        `(${round((windowStarted - packStarted) / 1000, 1)} s to find the candidates first)`,
    );
    return {
      scenario: scenario.name,
      ...figures,
      busyBeforePct,
      durationS,
      rampS,
      pack: {
        packingAtStart: packing,
        packingAtEnd: stillPacking,
        result: finished,
        secondsBeforeWindow: round((windowStarted - packStarted) / 1000, 1),
        seconds: packSeconds,
        movedSamples: moved.samples,
        blocks: moved.blocks,
      },
    };
  } finally {
    await stopServer(servers.service);
    servers.service = undefined;
  }
}

module.exports = {
  PACKED_READS,
  PACK_AFTER,
  runPackedHistory,
  startPack,
  tierStorage,
  noisyLayout,
  loadNoisy,
  migrate,
};
