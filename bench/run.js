'use strict';

/**
 * `npm run bench [-- --quick]`: the service against two references on the same PostgreSQL, side
 * by side, in one run (see docs/performance.md for what is measured and why).
 *
 *   service  the built service (node dist/src/main.js), a child process
 *   bare     bench/bare-server.js: Fastify + pg doing the same work, a child process
 *   db       bench/db-loop.js: the service's SQL alone, 16 pg clients in a loop, no HTTP
 *   influxdb, victoriametrics  (samples scenarios only) the peers, started by the benchmark (bench/peers.js)
 *
 * Each scenario runs service, bare, db, service, bare, db (A B C A B C) for a fixed time with 16
 * connections, and the two runs of a target are averaged so machine drift cancels in the ratios.
 *
 * Options: --quick (a few seconds per run, for CI), --duration=<seconds>, --scenarios=new1,new100,
 * --peers=influxdb,victoriametrics|none, --no-packed (no packed history part: bench/packed.js),
 * --no-rollups (no rollups part: bench/rollups.js), --no-stream (no live samples stream part: bench/stream.js),
 * --only-stream (that part alone)
 * Environment: DATABASE_URL (required), DB_POOL_SIZE / DB_CONNECT_TIMEOUT_MS / DB_STATEMENT_TIMEOUT_MS
 * (passed to both servers), BENCH_PREPARED=false (bare and db without named prepared statements).
 */

const { execFileSync } = require('node:child_process');
const { randomBytes } = require('node:crypto');
const { mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } = require('node:fs');
const os = require('node:os');
const { join } = require('node:path');
const process = require('node:process');
const { setTimeout: sleep } = require('node:timers/promises');
const { URL } = require('node:url');

const { checkConformance } = require('./conformance');
const { createThrowawayDatabase, dropDatabase, isLoopback, serverFacts, withClient } = require('./database');
const { connectClients, registerPoints, runDbLoop } = require('./db-loop');
const { fromDist, mainPath, useDistSnapshot } = require('./dist');
const { runHttpLoad } = require('./http-load');
const { trendMbPer10k, rssGrowth } = require('./memory');
const { machineCpu, startCpuMeter, stopServer } = require('./processes');
const { serverEnvironment, startBare, startService } = require('./servers');
const { renderReport, evaluateTargets } = require('./report');
const { LIST_DEVICE_POINTS, SCENARIOS, deviceSequence, fixtureDevices, pointsOf, roundRobin } = require('./scenarios');
const { PEER_NAMES, startPeers } = require('./peers');
const { runPackedHistory } = require('./packed');
const { runRollups } = require('./rollups');
const { runStream, streamFailures } = require('./stream');
const { renderStream } = require('./stream-report');
const {
  PG_TARGETS,
  checkSampleReads,
  countStatements,
  measureExportRss,
  measureSampleMemory,
  measureSamplesDb,
  measureSamplesHttp,
  measureSamplesPeer,
  samplesTiming,
  setupSamples,
  summarizeSampleRuns,
} = require('./samples-run');
const { meanOf, round } = require('./stats');
const { BENCH_COLLECTION, BENCH_SUBJECTS, benchTokens, createSigningKey, readerToken } = require('./tokens');

const RESULTS_DIR = join(__dirname, 'results');
const REPORT_PATH = join(__dirname, '..', 'docs', 'performance.md');
const TARGETS = /** @type {const} */ (['service', 'bare', 'db']);
const CONNECTIONS = 16;
const ROUNDS = 2;

const USAGE = `Usage: DATABASE_URL=postgres://user@127.0.0.1:5432/postgres npm run bench -- [--quick] [--duration=<s>] [--scenarios=new1,new100] [--memory=<requests>,<requests>] [--peers=influxdb,victoriametrics|none] [--no-packed] [--no-rollups] [--no-stream | --only-stream]

  --quick        2 s per run, 1,000/5,000 requests for the memory checks, a small samples data set (what CI runs)
  --duration     seconds per run (default 10; samples scenarios 5, export100k and aggregates 10, after a ramp)
  --scenarios    a subset of ${SCENARIOS.map((s) => s.name).join(', ')}
  --memory       RSS after this many and after that many new1 requests, and samples writes (default 10000,100000)
  --peers        the samples scenarios' peers (default influxdb,victoriametrics; none: PostgreSQL targets only)
  --no-packed    skip packed history (after the samples scenarios: the data set packed, its storage, the reads
                 again, a noisy data set, write1000 beside a pack; see bench/packed.js)
  --no-rollups   skip rollups (a year of minute data of 10 series packed, stats and aggregates with and
                 without rollups; see bench/rollups.js)
  --no-stream    skip the live samples stream (two instances, 100 subscribers on one, writes to the other:
                 commit-to-event latency, lost and duplicate samples, ingest with and without subscribers;
                 see bench/stream.js)
  --only-stream  the live samples stream part alone (5 s phases with --quick, else 30 s, or --duration); writes
                 bench/results/stream-<quick|full>.tmp.json
  --report-only  rewrite docs/performance.md from bench/results/latest.json (after editing bench/notes.md)

Only a full run with the defaults writes bench/results/latest.json and docs/performance.md; any
other run writes bench/results/<quick|full>.tmp.json.`;

/**
 * @param {string[]} argv
 */
function parseArguments(argv) {
  const options = {
    quick: false,
    durationS: 0,
    scenarios: SCENARIOS.map((s) => s.name),
    /** @type {number[] | undefined} */
    memory: undefined,
    help: false,
    reportOnly: false,
    packed: true,
    rollups: true,
    stream: true,
    onlyStream: false,
    /** @type {import('./peers').PeerName[]} */
    peers: [...PEER_NAMES],
  };
  for (const arg of argv) {
    const [name, value] = arg.split('=', 2);
    if (name === '--quick') options.quick = true;
    else if (name === '--help' || name === '-h') options.help = true;
    else if (name === '--report-only') options.reportOnly = true;
    else if (name === '--no-packed' && value === undefined) options.packed = false;
    else if (name === '--no-rollups' && value === undefined) options.rollups = false;
    else if (name === '--no-stream' && value === undefined) options.stream = false;
    else if (name === '--only-stream' && value === undefined) options.onlyStream = true;
    else if (name === '--duration' && value && /^\d+(\.\d+)?$/.test(value)) options.durationS = Number(value);
    else if (name === '--memory' && value && /^\d+,\d+$/.test(value)) {
      options.memory = value.split(',').map(Number);
      if (options.memory[0] < 1 || options.memory[1] <= options.memory[0]) {
        throw new UsageError('--memory=<first>,<second> needs 0 < first < second');
      }
    } else if (name === '--peers' && value) {
      const peers = value === 'none' ? [] : value.split(',').map((p) => p.trim());
      const unknown = peers.filter((p) => !PEER_NAMES.includes(/** @type {any} */ (p)));
      if (unknown.length > 0)
        throw new UsageError(`Unknown peer ${unknown.join(', ')}: ${PEER_NAMES.join(', ')} or none`);
      options.peers = /** @type {any} */ (peers);
    } else if (name === '--scenarios' && value) {
      options.scenarios = value.split(',').map((s) => s.trim());
      const unknown = options.scenarios.filter((s) => !SCENARIOS.some((known) => known.name === s));
      if (unknown.length > 0) throw new UsageError(`Unknown scenario ${unknown.join(', ')}`);
    } else throw new UsageError(`Unknown option ${arg}`);
  }
  if (options.onlyStream && !options.stream)
    throw new UsageError('--only-stream and --no-stream contradict each other');
  const defaults = options.quick
    ? { durationS: 2, warmupS: 1, memory: [1_000, 5_000], validationMs: 300 }
    : { durationS: 10, warmupS: 3, memory: [10_000, 100_000], validationMs: 2_000 };
  const standard =
    !options.quick &&
    options.durationS === 0 &&
    !options.memory &&
    options.scenarios.length === SCENARIOS.length &&
    options.peers.length === PEER_NAMES.length &&
    options.packed &&
    options.rollups &&
    options.stream &&
    !options.onlyStream;
  return {
    ...options,
    durationS: options.durationS || defaults.durationS,
    /** --duration as given (the samples scenarios' runs follow it too; see samplesTiming). */
    durationOption: options.durationS || undefined,
    warmupS: defaults.warmupS,
    memoryAfter: options.memory ?? defaults.memory,
    validationMs: defaults.validationMs,
    /** Only a full, standard run replaces the committed results and docs/performance.md. */
    standard,
  };
}

class UsageError extends Error {}

/** @param {string} line */
const say = (line) => process.stdout.write(`${line}\n`);

async function main() {
  const options = parseArguments(process.argv.slice(2));
  if (options.help) {
    say(USAGE);
    return;
  }
  if (options.reportOnly) {
    // docs/performance.md again from the recorded results, e.g. after editing bench/notes.md.
    const result = JSON.parse(readFileSync(join(RESULTS_DIR, 'latest.json'), 'utf8'));
    if (result.memory.series && result.memory.trendMbPer10k === undefined) {
      result.memory.trendMbPer10k = trendMbPer10k(result.memory.series);
    }
    result.targets = evaluateTargets(result);
    writeFileSync(REPORT_PATH, await renderReport(result));
    say(`Report: ${REPORT_PATH} (from bench/results/latest.json, nothing measured)`);
    return;
  }
  const serverUrl = process.env.DATABASE_URL?.trim();
  if (!serverUrl) {
    throw new UsageError(
      'DATABASE_URL is required: the benchmark measures the service against a real PostgreSQL server.\n' +
        'It creates a throwaway database on that server, migrates it, and drops it at the end ' +
        '(the database named in the URL is not touched).\n' +
        USAGE,
    );
  }
  if (!isLoopback(serverUrl))
    say(`warning: ${new URL(serverUrl).hostname} is not loopback; the issue asks for loopback`);

  const removeSnapshot = useDistSnapshot();
  const { loadConfig } = fromDist('config/config');
  // The service's own session settings (jit off, src/database/data-source-options.ts) for the bare
  // server and the db loop too: the same statements under the same settings. BENCH_PGOPTIONS
  // replaces them for every connection of the three (an experiment).
  const { dataSourceOptions } = fromDist('database/data-source-options');
  const serviceOptions = dataSourceOptions(loadConfig({ DATABASE_URL: serverUrl })).extra?.options;
  const pgOptions = process.env.BENCH_PGOPTIONS ?? serviceOptions;
  if (pgOptions) process.env.PGOPTIONS = pgOptions;
  const prepared = !['false', '0', 'no', 'off'].includes((process.env.BENCH_PREPARED ?? 'true').toLowerCase());
  const startedAt = new Date();
  const loadAtStart = os.loadavg();
  if (options.onlyStream) {
    await streamAlone(serverUrl, options, startedAt, removeSnapshot);
    return;
  }
  say(
    `Benchmark (${options.quick ? 'quick' : 'full'}): ${options.durationS} s per run, ${CONNECTIONS} connections, ` +
      `${ROUNDS} rounds (A B C A B C), scenarios ${options.scenarios.join(', ')}`,
  );

  const database = await createThrowawayDatabase(serverUrl).catch((error) => {
    removeSnapshot();
    throw error;
  });
  say(`Throwaway database ${database.name} created`);
  const dataDir = mkdtempSync(join(os.tmpdir(), 'dtapi-bench-'));
  /** @type {Record<string, import('./processes').ServerProcess | undefined>} */
  const servers = {};
  /** @type {import('./peers').Peer[]} */
  const peers = [];
  /** Other throwaway databases of the run (packed history's), dropped with the main one. */
  /** @type {string[]} */
  const databases = [];
  const cleanup = cleanupOnInterrupt({
    serverUrl,
    servers,
    peers,
    databases: () => [database.name, ...databases],
    dataDir,
    removeSnapshot,
  });

  try {
    const key = createSigningKey();
    const tokens = benchTokens(key.privateKey, 4 * 3600);
    const env = serverEnvironment({ databaseUrl: database.url, dataDir, publicKeyPem: key.publicKeyPem });
    const config = loadConfig(env);

    say('Starting the service (it runs the migrations) and the bare server');
    servers.service = await startService(env, { migrate: true });
    servers.bare = await startBare(env, { prepared });

    const conformance = await checkConformance(
      { service: servers.service.url, bare: servers.bare.url },
      {
        writer: tokens[0],
        reader: readerToken(key.privateKey),
        collection: BENCH_COLLECTION,
      },
    );
    const different = conformance.filter((line) => !line.same);
    say(`Conformance: ${conformance.length - different.length}/${conformance.length} cases answered alike`);
    for (const line of different) say(`  differs: ${line.case}: service ${line.service}, bare ${line.bare}`);

    await disableAutovacuum(database.url);
    const runTag = randomBytes(3).toString('hex');
    const fixtures = fixtureDevices(runTag);
    await seedFixtures(database.url, config, fixtures, prepared);

    const dbSettings = { url: database.url, statementTimeoutMs: config.database.statementTimeoutMs, prepared };
    /** @type {Client} */
    const client = { tokens, headers: { 'content-type': 'application/json', ercollectionid: BENCH_COLLECTION } };
    /** @type {HttpContext} */
    const http = { client, fixtures, runTag, databaseUrl: database.url };
    const selected = SCENARIOS.filter((s) => options.scenarios.includes(s.name));
    const selectedSamples = selected.filter((s) => s.kind === 'samples');

    /** @type {import('./samples-run').SamplesContext | undefined} */
    let samples;
    /** @type {any} */
    let samplesSetup;
    /** @type {Array<{ name: string, label: string, reason: string }>} */
    let skippedPeers = [];
    /** @type {any[]} */
    let readsCheck = [];
    if (selectedSamples.length > 0) {
      say('\nSamples: the data set, loaded into PostgreSQL and the peers before anything is measured');
      const started = await startPeers(options.peers, join(dataDir, 'peers'));
      peers.push(...started.peers);
      skippedPeers = started.skipped;
      for (const peer of peers) say(`  ${peer.label} ${peer.version} on ${peer.url}`);
      for (const skip of skippedPeers) say(`  ${skip.label} is skipped: ${skip.reason}`);
      samplesSetup = await setupSamples({
        quick: options.quick,
        databaseUrl: database.url,
        runTag,
        scenarios: selectedSamples,
        continuationSecret: env.CONTINUATION_SECRET,
        peers,
        say,
        prepared,
      });
      samples = {
        ...samplesSetup,
        peers,
        sequences: new Map(),
        rates: new Map(),
        client,
        databaseUrl: database.url,
        dbSettings,
      };
      readsCheck = await checkSampleReads(
        /** @type {any} */ (samples),
        { service: /** @type {any} */ (servers.service), bare: /** @type {any} */ (servers.bare) },
        selectedSamples.map((s) => s.name),
      );
      for (const line of readsCheck) {
        const targets = Object.entries(line)
          .filter(([, v]) => v && typeof v === 'object' && 'count' in v)
          .map(([t, v]) => `${t} ${/** @type {any} */ (v).count}`);
        say(`  ${line.same ? 'alike' : 'DIFFER'}: ${line.scenario}: ${targets.join(', ')} (expected ${line.expected})`);
      }
    }

    /** @type {any[]} */
    const runs = [];
    for (const scenario of selected) {
      const isSamples = scenario.kind === 'samples';
      const targets = isSamples ? [...PG_TARGETS, ...peers.map((peer) => peer.name)] : TARGETS;
      const timing = isSamples
        ? samplesTiming(scenario, options.quick, options.durationOption)
        : { durationS: options.durationS, rampS: 0, warmupS: options.warmupS };
      const { durationS, rampS, warmupS } = timing;
      say(`\n${scenario.name}: ${scenario.description}`);
      // A quick run takes the samples scenarios once each (CI proves they run and print figures).
      const rounds = isSamples && options.quick ? 1 : ROUNDS;
      for (let round = 1; round <= rounds; round++) {
        for (const target of targets) {
          const peer = peers.find((p) => p.name === target);
          const context = /** @type {import('./samples-run').SamplesContext} */ (samples);
          const measure = (/** @type {number} */ seconds, ramp = 0) =>
            isSamples
              ? target === 'db'
                ? measureSamplesDb(scenario, context, seconds, ramp)
                : peer
                  ? measureSamplesPeer(scenario, peer, context, seconds, ramp)
                  : measureSamplesHttp(scenario, /** @type {any} */ (servers[target]), context, seconds, ramp)
              : target === 'db'
                ? measureDb(scenario, dbSettings, fixtures, seconds, runTag)
                : measureHttp(scenario, /** @type {any} */ (servers[target]), http, seconds);
          peer?.resume();
          try {
            if (round === 1 && warmupS > 0) await measure(warmupS);
            await settleDatabase(database.url, isSamples);
            const quiet = await awaitQuietMachine(options.quick ? 10 : 60, options.quick ? 250 : 1000);
            if (!quiet.quiet)
              say(`  (the machine stayed ${quiet.busyPct}% busy without the benchmark: measuring anyway)`);
            const figures = await measure(durationS, rampS);
            runs.push({ scenario: scenario.name, target, round, ...figures, busyBeforePct: quiet.busyPct });
            say(
              `  ${target.padEnd(7)} round ${round}: ${String(figures.rps).padStart(8)} req/s ` +
                `${String(figures.pointsPerS).padStart(9)} ${isSamples ? 'samples' : 'points'}/s  p50 ${figures.p50Ms} ms  p99 ${figures.p99Ms} ms` +
                `  errors ${figures.errors}` +
                `  CPU ms/req: ${figures.cpuMsPerRequest == null ? '' : `${peer ? peer.label : 'node'} ${figures.cpuMsPerRequest}, `}` +
                `PostgreSQL ${figures.postgresCpuMsPerRequest}, load ${figures.loadCpuMsPerRequest}` +
                (figures.compressedDuringRun
                  ? `, ${figures.compressedDuringRun} bodies compressed during the run`
                  : ''),
            );
            if (figures.errors > 0) say(`    statuses: ${JSON.stringify(figures.statusCodes ?? figures.firstError)}`);
          } finally {
            peer?.pause();
          }
        }
      }
    }

    // The time of one 1000-point request on its own, without queueing behind 15 others.
    const new1000 = /** @type {import('./scenarios').Scenario} */ (SCENARIOS.find((s) => s.name === 'new1000'));
    const aloneS = options.quick ? 2 : 5;
    await measureHttp(new1000, /** @type {any} */ (servers.service), http, 1, 1);
    const alone = await measureHttp(new1000, /** @type {any} */ (servers.service), http, aloneS, 1);
    say(
      `\nnew1000 alone (1 connection, ${aloneS} s): p50 ${alone.p50Ms} ms, p99 ${alone.p99Ms} ms, ` +
        `node CPU ${alone.cpuMsPerRequest} ms/req, errors ${alone.errors}`,
    );

    await stopServer(servers.service);
    servers.service = undefined;
    say(`\nMemory: a fresh service process, new1 requests`);
    servers.memory = await startService(env, { name: 'service (memory)' });
    const memory = await measureMemory(servers.memory, client, options.memoryAfter, runTag);
    say(
      `  RSS after ${memory.first.requests}: ${mb(memory.first.rssBytes)} MB; after ${memory.second.requests}: ` +
        `${mb(memory.second.rssBytes)} MB (${memory.growthPct >= 0 ? '+' : ''}${memory.growthPct}%)`,
    );
    await stopServer(servers.memory);
    servers.memory = undefined;

    /** @type {Record<string, any> | null} */
    let samplesExtras = null;
    if (samples) {
      say(`\nMemory: a fresh service process, samples writes of 10 samples (10 timeseries × 1 new instant)`);
      servers.memory = await startService(env, { name: 'service (samples memory)' });
      const sampleMemory = await measureSampleMemory(servers.memory, samples, options.memoryAfter);
      say(
        `  RSS after ${sampleMemory.first.requests}: ${mb(sampleMemory.first.rssBytes)} MB; after ${sampleMemory.second.requests}: ` +
          `${mb(sampleMemory.second.rssBytes)} MB (${sampleMemory.growthPct >= 0 ? '+' : ''}${sampleMemory.growthPct}%), errors ${sampleMemory.errors}`,
      );
      await stopServer(servers.memory);
      servers.memory = undefined;

      say('\nMemory: a fresh service process streaming export100k answers');
      servers.memory = await startService(env, { name: 'service (export memory)' });
      const exportScenario = /** @type {import('./scenarios').Scenario} */ (
        SCENARIOS.find((s) => s.name === 'export100k')
      );
      const exportRss = await measureExportRss(
        servers.memory,
        samples,
        options.quick ? 2 : 8,
        exportScenario.connections ?? CONNECTIONS,
      );
      say(
        `  RSS fresh ${mb(exportRss.freshBytes)} MB, +${mb(exportRss.first.growthBytes)} MB during the first answer; ` +
          `at rest after it ${mb(exportRss.restBytes)} MB; peak with 1 connection +${mb(exportRss.one.growthBytes)} MB ` +
          `(${exportRss.one.requests} answers), with ${exportRss.many.connections} +${mb(exportRss.many.growthBytes)} MB ` +
          `(${exportRss.many.requests} answers), errors ${exportRss.first.errors + exportRss.one.errors + exportRss.many.errors}`,
      );
      await stopServer(servers.memory);
      servers.memory = undefined;

      say('\nStatements per request: a service process whose pg clients are counted (bench/statements-hook.js)');
      const countsPath = join(dataDir, 'statements.json');
      servers.memory = await startService(
        { ...env, BENCH_STATEMENTS_PATH: countsPath },
        { name: 'service (statements)', nodeArgs: ['--require', join(__dirname, 'statements-hook.js')] },
      );
      const statementCounts = await countStatements(servers.memory, countsPath, samples);
      for (const line of statementCounts) {
        say(
          `  ${line.case}: ${line.statementsPerRequest} (${line.statements.join('; ')}) statuses ${line.statuses.join(',')}`,
        );
      }
      await stopServer(servers.memory);
      servers.memory = undefined;

      const packed = options.packed
        ? await runPackedHistory({
            quick: options.quick,
            durationOption: options.durationOption,
            rounds: options.quick ? 1 : ROUNDS,
            serverUrl,
            runTag,
            env,
            samples,
            scenarios: selectedSamples,
            servers,
            databases,
            disableAutovacuum,
            prepareRun: async (url) => {
              await settleDatabase(url, true);
              const quiet = await awaitQuietMachine(options.quick ? 10 : 60, options.quick ? 250 : 1000);
              if (!quiet.quiet)
                say(`  (the machine stayed ${quiet.busyPct}% busy without the benchmark: measuring anyway)`);
              return quiet.busyPct;
            },
            say,
          })
        : null;
      const rollups = options.rollups
        ? await runRollups({
            quick: options.quick,
            serverUrl,
            env,
            samples,
            servers,
            databases,
            disableAutovacuum,
            say,
          })
        : null;

      say('\nValidation cost of a 10,000-sample body, in-process');
      const { measureSampleValidationCost } = require('./validation-cost');
      const sampleValidation = measureSampleValidationCost({ samples: 10_000, minTimeMs: options.validationMs });
      say(
        `  SampleListPipe ${sampleValidation.sampleListPipe.medianMs} ms, Ajv schema ${sampleValidation.ajvSchema.medianMs} ms, ` +
          `JSON.parse ${sampleValidation.jsonParse.medianMs} ms (medians)`,
      );

      samplesExtras = {
        layout: samples.layout,
        preload: samplesSetup.preload,
        peers: peers.map((peer) => ({ name: peer.name, label: peer.label, version: peer.version })),
        skippedPeers,
        readsCheck,
        scenarios: summarizeSampleRuns(
          selectedSamples,
          runs,
          [...PG_TARGETS, ...peers.map((peer) => peer.name)],
          options.quick ? 1 : ROUNDS,
          samples.layout,
        ),
        rounds: options.quick ? 1 : ROUNDS,
        connections: Object.fromEntries(selectedSamples.map((s) => [s.name, s.connections ?? CONNECTIONS])),
        memory: sampleMemory,
        exportRss,
        statements: statementCounts,
        validation: sampleValidation,
        timing: Object.fromEntries(
          selectedSamples.map((s) => [s.name, samplesTiming(s, options.quick, options.durationOption)]),
        ),
        packed,
        rollups,
      };
    }

    const stream = options.stream
      ? await runStream({
          quick: options.quick,
          durationS: options.durationOption,
          serverUrl,
          env,
          tokens,
          servers,
          databases,
          say,
        })
      : null;

    say('\nValidation cost of a 1000-point body, in-process');
    const { measureValidationCost } = require('./validation-cost');
    const validation = measureValidationCost({ points: 1000, minTimeMs: options.validationMs });
    say(
      `  PointListPipe ${validation.pointListPipe.medianMs} ms, class-validator alone ${validation.classValidator.medianMs} ms, ` +
        `Ajv schema ${validation.ajvSchema.medianMs} ms, ` +
        `JSON.parse ${validation.jsonParse.medianMs} ms (medians)`,
    );

    const summary = summarizeRuns(
      selected.filter((s) => s.kind !== 'samples'),
      runs.filter((run) => !SCENARIOS.some((s) => s.name === run.scenario && s.kind === 'samples')),
    );
    const result = {
      generatedAt: startedAt.toISOString(),
      mode: options.quick ? 'quick' : 'full',
      /** The whole run, from the start to the results (not the cleanup). */
      runSeconds: round((Date.now() - startedAt.getTime()) / 1000, 1),
      machine: {
        cpus: os.cpus().length,
        cpuModel: os.cpus()[0]?.model ?? 'unknown',
        totalMemoryBytes: os.totalmem(),
        node: process.version,
        platform: `${os.type()} ${os.release()} ${os.arch()}`,
        postgres: await serverFacts(database.url),
        loadAverage: { start: loadAtStart.map((v) => round(v, 2)), end: os.loadavg().map((v) => round(v, 2)) },
      },
      settings: {
        connections: CONNECTIONS,
        durationS: options.durationS,
        warmupS: options.warmupS,
        rounds: ROUNDS,
        order: 'service, bare, db, service, bare, db (per scenario)',
        poolSize: config.database.poolSize,
        connectTimeoutMs: config.database.connectTimeoutMs,
        statementTimeoutMs: config.database.statementTimeoutMs,
        dbClients: CONNECTIONS,
        preparedStatements: { service: true, bare: prepared, db: prepared },
        serviceExperiment: process.env.BENCH_SERVICE_EXPERIMENT ?? null,
        serverNodeOptions: process.env.BENCH_NODE_OPTIONS ?? null,
        pgOptions: process.env.BENCH_PGOPTIONS ?? null,
        clientSubjects: BENCH_SUBJECTS,
        logLevel: env.LOG_LEVEL,
        logDestination: '/dev/null (stdout of both servers)',
        nodeEnv: env.NODE_ENV,
        rateLimitPerMinute: config.rateLimitPerMinute ?? null,
        metricsEnabled: config.metricsEnabled ?? null,
        source: sourceRevision(),
      },
      conformance,
      scenarios: summary,
      runs,
      memory,
      validation: { ...validation, new1000Alone: alone },
      samples: samplesExtras,
      stream,
    };
    const targets = evaluateTargets(result);
    Object.assign(result, { targets });

    mkdirSync(RESULTS_DIR, { recursive: true });
    const experiments = [
      process.env.BENCH_SERVICE_EXPERIMENT && `service-${process.env.BENCH_SERVICE_EXPERIMENT}`,
      !prepared && 'unprepared',
      process.env.BENCH_NODE_OPTIONS && 'node-options',
      process.env.BENCH_PGOPTIONS && 'pgoptions',
    ].filter(Boolean);
    const standard = options.standard && experiments.length === 0;
    const jsonPath = join(
      RESULTS_DIR,
      standard ? 'latest.json' : `${experiments.length ? `experiment-${experiments.join('+')}` : result.mode}.tmp.json`,
    );
    writeFileSync(jsonPath, `${JSON.stringify(result, null, 2)}\n`);
    const markdown = await renderReport(result);
    if (standard) writeFileSync(REPORT_PATH, markdown);
    say(`\n${markdown.slice(markdown.indexOf('## Results'), markdown.indexOf('## How it is measured'))}`);
    say(
      `Results: ${jsonPath}${standard ? `\nReport: ${REPORT_PATH}` : ' (not a standard full run: docs/performance.md unchanged)'}`,
    );
    if (different.length > 0) {
      process.exitCode = 1;
      say('The bare server and the service answered some requests differently (see Conformance).');
    }
    if (readsCheck.some((line) => !line.same)) {
      process.exitCode = 1;
      say('The targets answered some samples reads with different samples (see the samples answers check).');
    }
    if (samplesExtras && samplesExtras.memory.errors > 0) {
      process.exitCode = 1;
      say('Some samples writes of the memory check failed.');
    }
    if (samplesExtras) {
      const { first, one, many } = samplesExtras.exportRss;
      if (first.errors + one.errors + many.errors > 0) {
        process.exitCode = 1;
        say('Some export100k answers of the export memory check failed.');
      }
      if (
        samplesExtras.statements.some((/** @type {any} */ line) =>
          line.statuses.some((/** @type {number} */ s) => s >= 300),
        )
      ) {
        process.exitCode = 1;
        say('Some requests of the statement count failed.');
      }
      const { packed } = samplesExtras;
      if (packed) {
        const differ =
          packed.answers.some((/** @type {any} */ line) => !line.alike) ||
          packed.readsCheck.some((/** @type {any} */ line) => !line.same);
        const errors =
          packed.runs.reduce((/** @type {number} */ sum, /** @type {any} */ run) => sum + run.errors, 0) +
          (packed.writes?.errors ?? 0) +
          (packed.exportRss
            ? packed.exportRss.first.errors + packed.exportRss.one.errors + packed.exportRss.many.errors
            : 0);
        if (differ || errors > 0) {
          process.exitCode = 1;
          say(
            `Packed history: ${differ ? 'some answers differ from the answers on rows' : ''}${differ && errors ? '; ' : ''}${errors ? `${errors} requests failed` : ''}.`,
          );
        }
      }
      const { rollups } = samplesExtras;
      const rollupsWrong = rollups?.cases.filter(
        (/** @type {any} */ c) => !c.alike || c.on.errors > 0 || c.off.errors > 0,
      );
      if (rollupsWrong?.length) {
        process.exitCode = 1;
        say(
          `Rollups: ${rollupsWrong.map((/** @type {any} */ c) => c.name).join(', ')} differ from the answers without them or failed.`,
        );
      }
    }
    const streamWrong = stream ? streamFailures(stream) : [];
    if (streamWrong.length > 0) {
      process.exitCode = 1;
      say(`Live samples stream: ${streamWrong.join(', ')}.`);
    }
    if (runs.some((run) => run.errors > 0)) {
      process.exitCode = 1;
      say('Some requests failed during the measurements: the figures are not valid.');
    }
  } finally {
    await cleanup();
    say(`Throwaway database ${database.name} dropped`);
  }
}

/**
 * What a run leaves behind, removed by the returned function, which SIGINT and SIGTERM also call
 * (then the process exits 130): the servers, the peers, the throwaway databases, the data directory.
 * @param {{ serverUrl: string, servers: Record<string, import('./processes').ServerProcess | undefined>, peers: Array<{ stop(): Promise<unknown> }>, databases: () => string[], dataDir: string, removeSnapshot: () => void }} run
 */
function cleanupOnInterrupt({ serverUrl, servers, peers, databases, dataDir, removeSnapshot }) {
  const cleanup = async () => {
    process.removeListener('SIGINT', onSignal);
    process.removeListener('SIGTERM', onSignal);
    await Promise.all(Object.values(servers).map((server) => stopServer(server).catch(() => undefined)));
    await Promise.all(peers.map((peer) => peer.stop().catch(() => undefined)));
    for (const name of databases()) {
      await dropDatabase(serverUrl, name).catch((error) => say(`warning: could not drop ${name}: ${String(error)}`));
    }
    rmSync(dataDir, { recursive: true, force: true });
    removeSnapshot();
  };
  const onSignal = () => {
    say('\nInterrupted: stopping the servers and dropping the benchmark database');
    cleanup().finally(() => process.exit(130));
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  return cleanup;
}

/**
 * `--only-stream`: the live samples stream part alone (bench/stream.js), its results in
 * bench/results/stream-<mode>.tmp.json and its section of the report printed.
 * @param {string} serverUrl
 * @param {ReturnType<typeof parseArguments>} options
 * @param {Date} startedAt
 * @param {() => void} removeSnapshot
 */
async function streamAlone(serverUrl, options, startedAt, removeSnapshot) {
  const dataDir = mkdtempSync(join(os.tmpdir(), 'dtapi-bench-'));
  /** @type {Record<string, import('./processes').ServerProcess | undefined>} */
  const servers = {};
  /** @type {string[]} */
  const databases = [];
  const cleanup = cleanupOnInterrupt({
    serverUrl,
    servers,
    peers: [],
    databases: () => databases,
    dataDir,
    removeSnapshot,
  });
  try {
    const key = createSigningKey();
    const env = serverEnvironment({ databaseUrl: serverUrl, dataDir, publicKeyPem: key.publicKeyPem });
    const stream = await runStream({
      quick: options.quick,
      durationS: options.durationOption,
      serverUrl,
      env,
      tokens: benchTokens(key.privateKey, 4 * 3600),
      servers,
      databases,
      say,
    });
    const result = {
      generatedAt: startedAt.toISOString(),
      mode: options.quick ? 'quick' : 'full',
      part: 'stream',
      runSeconds: round((Date.now() - startedAt.getTime()) / 1000, 1),
      machine: {
        cpus: os.cpus().length,
        cpuModel: os.cpus()[0]?.model ?? 'unknown',
        node: process.version,
        postgres: await serverFacts(serverUrl),
      },
      settings: { source: sourceRevision() },
      stream,
    };
    mkdirSync(RESULTS_DIR, { recursive: true });
    const jsonPath = join(RESULTS_DIR, `stream-${result.mode}.tmp.json`);
    writeFileSync(jsonPath, `${JSON.stringify(result, null, 2)}\n`);
    say(`${renderStream(stream).join('\n')}\n\nResults: ${jsonPath}`);
    const wrong = streamFailures(stream);
    if (wrong.length > 0) {
      process.exitCode = 1;
      say(`Live samples stream: ${wrong.join(', ')}.`);
    }
  } finally {
    await cleanup();
    say(`Throwaway database ${databases.join(', ')} dropped`);
  }
}

/**
 * The devices `same100` posts again and the device `list100` reads, registered with the
 * service's own statement before any measurement.
 * @param {string} url
 * @param {any} config
 * @param {{ same: string[], list: string }} fixtures
 * @param {boolean} prepared
 */
async function seedFixtures(url, config, fixtures, prepared) {
  const [client] = await connectClients({ url, statementTimeoutMs: config.database.statementTimeoutMs, prepared }, 1);
  try {
    const sql = require('./db-loop').statements(false);
    const hundred = pointsOf(100);
    for (const deviceId of fixtures.same) {
      await registerPoints(client, sql, {
        deviceId,
        collectionId: BENCH_COLLECTION,
        ids: hundred.map((p) => p.id),
        types: hundred.map((p) => p.pointType),
      });
    }
    const listed = pointsOf(LIST_DEVICE_POINTS);
    await registerPoints(client, sql, {
      deviceId: fixtures.list,
      collectionId: BENCH_COLLECTION,
      ids: listed.map((p) => p.id),
      types: listed.map((p) => p.pointType),
    });
    await client.query('ANALYZE');
  } finally {
    await client.end();
  }
}

/**
 * What every HTTP request of the load carries: headers, and one of the clients' tokens in turn.
 * @typedef {{ tokens: string[], headers: Record<string, string> }} Client
 */

/**
 * What the HTTP runs of one benchmark share.
 * @typedef {{ client: Client, fixtures: { same: string[], list: string }, runTag: string, databaseUrl: string }} HttpContext
 */

/**
 * One measured run of a scenario over HTTP, with where the CPU went per request.
 * @param {import('./scenarios').Scenario} scenario
 * @param {import('./processes').ServerProcess} server
 * @param {HttpContext} context
 * @param {number} durationS
 * @param {number} [connections]
 */
async function measureHttp(
  scenario,
  server,
  { client, fixtures, runTag, databaseUrl },
  durationS,
  connections = CONNECTIONS,
) {
  const body = scenario.kind === 'register' ? JSON.stringify(pointsOf(scenario.points)) : undefined;
  const path =
    scenario.devices === 'new'
      ? (() => {
          const next = deviceSequence(`bench-${runTag}-${scenario.name}-${server.name}`);
          return () => `/apollo/devices/${next()}/timeseries`;
        })()
      : scenario.devices === 'same'
        ? (() => {
            const next = roundRobin(fixtures.same);
            return () => `/apollo/devices/${next()}/timeseries`;
          })()
        : () => `/apollo/devices/${fixtures.list}/timeseries?limit=${scenario.points}`;
  const stopMeter = await startCpuMeter(server.child.pid, databaseUrl);
  const figures = await runHttpLoad({
    url: server.url,
    connections,
    durationS,
    method: scenario.kind === 'register' ? 'POST' : 'GET',
    headers: scenario.kind === 'register' ? client.headers : { ercollectionid: BENCH_COLLECTION },
    tokens: client.tokens,
    body,
    path,
    pointsPerRequest: scenario.points,
  });
  return { ...figures, ...(await stopMeter(figures.requests + figures.errors)) };
}

/**
 * One measured run of a scenario on the database alone.
 * @param {import('./scenarios').Scenario} scenario
 * @param {import('./db-loop').DbSettings} settings
 * @param {{ same: string[], list: string }} fixtures
 * @param {number} durationS
 * @param {string} runTag
 */
async function measureDb(scenario, settings, fixtures, durationS, runTag) {
  const points = pointsOf(scenario.points);
  const ids = points.map((p) => p.id);
  const types = points.map((p) => p.pointType);
  const nextDevice =
    scenario.devices === 'new'
      ? deviceSequence(`bench-${runTag}-${scenario.name}-db`)
      : roundRobin(scenario.devices === 'same' ? fixtures.same : [fixtures.list]);
  return runDbLoop(
    settings,
    { clients: CONNECTIONS, durationMs: durationS * 1000, warmupMs: 0, pointsPerRequest: scenario.points },
    (sql) =>
      scenario.kind === 'register'
        ? (client) =>
            registerPoints(client, sql, { deviceId: nextDevice(), collectionId: BENCH_COLLECTION, ids, types })
        : (client) => client.query(sql.listTimeseries([fixtures.list, null, null, scenario.points + 1])),
    () => startCpuMeter(undefined, settings.url),
  );
}

/**
 * RSS of a fresh service process after `first` and after `second` new1 requests in total.
 * @param {import('./processes').ServerProcess} server
 * @param {Client} client
 * @param {number[]} amounts
 * @param {string} runTag
 */
async function measureMemory(server, client, [first, second], runTag) {
  const next = deviceSequence(`bench-${runTag}-memory`);
  const load = (/** @type {number} */ amount) =>
    runHttpLoad({
      url: server.url,
      connections: CONNECTIONS,
      amount,
      method: 'POST',
      headers: client.headers,
      tokens: client.tokens,
      body: JSON.stringify(pointsOf(1)),
      path: () => `/apollo/devices/${next()}/timeseries`,
      pointsPerRequest: 1,
    });
  return { scenario: 'new1', ...(await rssGrowth(server, load, [first, second])) };
}

/**
 * Means of the rounds per scenario and target, and the ratios the issue asks for.
 * @param {import('./scenarios').Scenario[]} scenarios
 * @param {any[]} runs
 */
function summarizeRuns(scenarios, runs) {
  const keys = ['rps', 'pointsPerS', 'p50Ms', 'p99Ms', 'errors'];
  return scenarios.map((scenario) => {
    /** @type {Record<string, any>} */
    const byTarget = {};
    for (const target of TARGETS) {
      const mine = runs.filter((run) => run.scenario === scenario.name && run.target === target);
      const mean = meanOf(mine, keys);
      const meanOrNull = (/** @type {string} */ key, /** @type {number} */ digits) => {
        const values = mine.map((run) => run[key]).filter((v) => v != null);
        return values.length ? round(values.reduce((a, b) => a + b, 0) / values.length, digits) : null;
      };
      byTarget[target] = {
        rps: round(mean.rps, 1),
        pointsPerS: Math.round(mean.pointsPerS),
        p50Ms: round(mean.p50Ms, 2),
        p99Ms: round(mean.p99Ms, 2),
        errors: mine.reduce((sum, run) => sum + run.errors, 0),
        cpuMsPerRequest: meanOrNull('cpuMsPerRequest', 3),
        postgresCpuMsPerRequest: meanOrNull('postgresCpuMsPerRequest', 3),
        loadCpuMsPerRequest: meanOrNull('loadCpuMsPerRequest', 3),
        machineBusyPct: meanOrNull('machineBusyPct', 1),
        rounds: mine.map((run) => run.rps),
      };
    }
    const perRound = (/** @type {string} */ other) =>
      Array.from({ length: ROUNDS }, (_, i) => {
        const s = runs.find((r) => r.scenario === scenario.name && r.target === 'service' && r.round === i + 1);
        const o = runs.find((r) => r.scenario === scenario.name && r.target === other && r.round === i + 1);
        return s && o && o.rps > 0 ? round(s.rps / o.rps, 3) : null;
      });
    return {
      scenario: scenario.name,
      description: scenario.description,
      pointsPerRequest: scenario.points,
      ...byTarget,
      ratios: {
        serviceOverBare: round(byTarget.service.rps / byTarget.bare.rps, 3),
        serviceOverDb: round(byTarget.service.rps / byTarget.db.rps, 3),
        serviceOverBareByRound: perRound('bare'),
        serviceOverDbByRound: perRound('db'),
      },
    };
  });
}

/**
 * @param {{ busy: number, total: number } | null} before
 * @param {{ busy: number, total: number } | null} after
 */
function busyPct(before, after) {
  if (!before || !after || after.total === before.total) return null;
  return round(((after.busy - before.busy) / (after.total - before.total)) * 100, 1);
}

/** Busy share of the machine, between runs, under which it counts as quiet. */
const QUIET_BUSY_PCT = 25;

/**
 * Waits until the machine is quiet (other work, a build or a test run, would take CPU from the
 * run), checking each second, for at most `maxS` seconds.
 * @param {number} maxS
 * @param {number} [sampleMs] how long each check of the machine's CPU takes
 * @returns {Promise<{ quiet: boolean, busyPct: number | null }>}
 */
async function awaitQuietMachine(maxS, sampleMs = 1000) {
  /** @type {number | null} */
  let busy = null;
  for (let waited = 0; waited < maxS * 1000; waited += sampleMs) {
    const before = machineCpu();
    await sleep(sampleMs);
    busy = busyPct(before, machineCpu());
    if (busy === null || busy <= QUIET_BUSY_PCT) return { quiet: true, busyPct: busy };
  }
  return { quiet: false, busyPct: busy };
}

/** The tables the benchmark writes. */
const TABLES = ['device', 'point', 'timeseries'];

/**
 * Background maintenance is taken out of the measured runs: autovacuum is off on the benchmark
 * database's tables, and every run starts from the same state, just vacuumed, analyzed and
 * checkpointed. Otherwise the target that runs after the heaviest writer pays for its vacuum.
 * @param {string} url
 */
async function disableAutovacuum(url) {
  await withClient(url, async (client) => {
    for (const table of TABLES) await client.query(`ALTER TABLE "${table}" SET (autovacuum_enabled = false)`);
  });
}

let checkpointAllowed = true;

/**
 * VACUUM (ANALYZE) and CHECKPOINT before a measurement (CHECKPOINT needs superuser or
 * pg_checkpoint; it is skipped when not allowed). Before a samples run the sample table is
 * vacuumed too (not analyzed: its statistics are taken after the preload, and its statements
 * are index range scans whatever they say).
 * @param {string} url
 * @param {boolean} [samples]
 */
async function settleDatabase(url, samples = false) {
  await withClient(url, async (client) => {
    await client.query(`VACUUM (ANALYZE) ${TABLES.map((t) => `"${t}"`).join(', ')}`);
    if (samples) await client.query('VACUUM "sample"');
    if (!checkpointAllowed) return;
    await client.query('CHECKPOINT').catch(() => {
      checkpointAllowed = false;
    });
  });
}

/**
 * The commit checked out when the run started, whether src/ or migrations/ had uncommitted
 * changes then, and when dist/ was built (`npm run bench` builds just before; `node bench/run.js`
 * takes dist/ as it finds it).
 * @returns {{ commit: string, uncommittedChanges: boolean, distBuiltAt: string } | null}
 */
function sourceRevision() {
  try {
    const git = (/** @type {string[]} */ ...args) =>
      execFileSync('git', args, { cwd: join(__dirname, '..'), encoding: 'utf8' }).trim();
    return {
      commit: git('rev-parse', '--short', 'HEAD'),
      uncommittedChanges: git('status', '--porcelain', '--', 'src', 'migrations') !== '',
      distBuiltAt: statSync(mainPath()).mtime.toISOString(),
    };
  } catch {
    return null;
  }
}

/** @param {number | null} bytes */
const mb = (bytes) => (bytes == null ? '?' : (bytes / 1024 / 1024).toFixed(1));

main().catch((/** @type {unknown} */ error) => {
  if (error instanceof UsageError) {
    process.stderr.write(`${error.message}\n`);
    process.exit(2);
  }
  process.stderr.write(
    `Benchmark failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
  );
  process.exit(1);
});
