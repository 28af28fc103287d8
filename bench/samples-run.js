'use strict';

/**
 * How bench/run.js runs the samples scenarios: the data set loaded into every target before
 * anything is measured, one measured run of a scenario on each kind of target (the service or the
 * bare server over HTTP, the db loop, a peer over HTTP), the answers compared across targets, the
 * statements per request counted, and the service's memory while writing and exporting.
 */

const { existsSync, readFileSync, rmSync } = require('node:fs');
const { setTimeout: sleep } = require('node:timers/promises');

const { connectClients, registerPoints, sampleWork, samplesStatements, statements, runDbLoop } = require('./db-loop');
const { fromDist } = require('./dist');
const { runHttpLoad } = require('./http-load');
const { request } = require('./http-client');
const { rssGrowth } = require('./memory');
const { call, writeLines } = require('./peers');
const { processUsage, startCpuMeter } = require('./processes');
const {
  EXPORT_SAMPLES,
  iso,
  peerDevices,
  postgresStorage,
  preloadLines,
  preloadPostgres,
  registerSampleDevices,
  sampleReads,
  samplesLayout,
  valueAt,
  writeSequence,
} = require('./samples');
const { meanOf, round } = require('./stats');
const { BENCH_COLLECTION } = require('./tokens');

const CONNECTIONS = 16;
/** Connections (db clients) of a scenario's runs, the same for every target. */
const connectionsOf = (/** @type {import('./scenarios').Scenario} */ scenario) => scenario.connections ?? CONNECTIONS;
/** The PostgreSQL targets, in the order they run; the peers follow. */
const PG_TARGETS = ['service', 'bare', 'db'];

/**
 * @typedef {object} SamplesContext
 * @property {ReturnType<typeof samplesLayout>} layout
 * @property {import('./samples').SampleDevices} devices
 * @property {import('./samples').SampleReads} reads
 * @property {import('./peers').Peer[]} peers
 * @property {Map<string, ReturnType<typeof writeSequence>>} sequences per scenario and target, kept over the runs
 * @property {Map<string, number>} rates requests/s seen per scenario and target (to size the gzip bodies prepared ahead)
 * @property {{ tokens: string[], headers: Record<string, string> }} client
 * @property {string} databaseUrl
 * @property {import('./db-loop').DbSettings} dbSettings
 */

/** The write scenarios' device groups in PostgreSQL: one per scenario and PostgreSQL target, and the memory check's. */
const writeGroups = (/** @type {import('./scenarios').Scenario[]} */ scenarios) => [
  ...scenarios.filter((s) => s.op === 'write').flatMap((s) => PG_TARGETS.map((target) => `${s.name}-${target}`)),
  'memory',
];

/** The parameters of the write statement for one request of a `pg` write sequence. */
const writeParams = (/** @type {any} */ request) => ({
  deviceId: request.deviceId,
  allowedCollections: [BENCH_COLLECTION],
  timeseriesIds: request.fixed.timeseriesIds,
  sampleTimeseriesIds: request.fixed.sampleTimeseriesIds,
  metrics: request.fixed.metrics,
  instantsUs: request.instants,
  values: request.fixed.values,
  eventPayload: `${request.fixed.eventHead}[${String(request.instants).slice(1, -1)}]${request.fixed.eventTail}`,
});

/**
 * Registers the samples devices and loads the data set into PostgreSQL, then into the peers;
 * measures what it takes on each.
 * @param {{ quick: boolean, databaseUrl: string, runTag: string, scenarios: import('./scenarios').Scenario[], continuationSecret: string, peers: import('./peers').Peer[], say: (line: string) => void, prepared: boolean }} options
 */
async function setupSamples({ quick, databaseUrl, runTag, scenarios, continuationSecret, peers, say }) {
  const layout = samplesLayout(quick, Date.now());
  const [client] = await connectClients({ url: databaseUrl, statementTimeoutMs: 0, prepared: false }, 1);
  /** @type {import('./samples').SampleDevices} */
  let devices;
  try {
    devices = await registerSampleDevices(client, statements(false), registerPoints, {
      runTag,
      collection: BENCH_COLLECTION,
      writeGroups: writeGroups(scenarios),
    });
  } finally {
    await client.end();
  }
  const work = sampleWork(samplesStatements(false));
  let started = Date.now();
  say(`  PostgreSQL: loading ${fmt(layout.total)} samples`);
  const partitions = await preloadPostgres(
    databaseUrl,
    layout,
    devices,
    (c, request) => work.write(c, writeParams(request)),
    connectClients,
  );
  const postgresSeconds = (Date.now() - started) / 1000;
  const storage = await withPg(databaseUrl, postgresStorage);
  say(
    `  PostgreSQL: ${fmt(storage.samples)} samples in ${round(postgresSeconds, 1)} s (with VACUUM and CHECKPOINT), ` +
      `${storage.bytesPerSample} bytes a sample (heap ${storage.heapBytesPerSample}, index ${storage.indexBytesPerSample})`,
  );

  /** @type {Record<string, any>} */
  const peerLoads = {};
  for (const peer of peers) {
    started = Date.now();
    const written = await writeLines(peer, preloadLines(layout, devices, 10_000), 4);
    const settled = await peer.settle(quick ? 60_000 : 300_000, written.samples);
    peerLoads[peer.name] = { ...written, settled, bytesPerSample: perSample(settled, written.samples) };
    say(
      `  ${peer.label}: ${fmt(written.samples)} samples in ${written.seconds} s (${fmt(written.samplesPerS)}/s, 4 requests ` +
        `of 10,000 at a time), then ${settled.waitedS} s to settle: ${fmt(settled.total.apparentBytes)} bytes ` +
        `(${peerLoads[peer.name].bytesPerSample.apparent} a sample; ${peerLoads[peer.name].bytesPerSample.allocated} allocated)`,
    );
    peer.pause();
  }
  const reads = sampleReads(layout, devices, continuationSecret);
  return {
    layout,
    devices,
    reads,
    preload: {
      samples: layout.total,
      postgresSeconds: round(postgresSeconds, 1),
      partitions: partitions.length,
      storage,
      peers: peerLoads,
    },
  };
}

/** @param {any} settled @param {number} samples */
const perSample = (settled, samples) => ({
  apparent: round(settled.total.apparentBytes / samples, 1),
  allocated: round(settled.total.allocatedBytes / samples, 1),
});

/**
 * @template T
 * @param {string} url
 * @param {(client: import('pg').Client) => Promise<T>} work
 */
async function withPg(url, work) {
  const [client] = await connectClients({ url, statementTimeoutMs: 0, prepared: false }, 1);
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

/**
 * The first read of every read scenario, asked of every target: how many samples (or buckets)
 * each answers, and the value of the first one where the answer is raw samples. The service's
 * page-1 token is compared with the one the benchmark mints for readDeep's pages.
 * @param {SamplesContext} context
 * @param {Record<string, { url: string }>} servers service and bare
 * @param {string[]} scenarioNames
 */
async function checkSampleReads(context, servers, scenarioNames) {
  const { reads, peers, layout } = context;
  const headers = { authorization: `Bearer ${context.client.tokens[0]}`, ercollectionid: BENCH_COLLECTION };
  const lines = [];
  const buckets = 10 * layout.aggregate.days * 24;
  /** @type {Record<string, number>} */
  const expected = { read1000: 1000, readDeep: 1000, export100k: EXPORT_SAMPLES, latest: 100, aggregates: buckets };
  const firstIndex = (/** @type {string} */ scenario) => /** @type {any} */ (reads)[scenario][0].firstIndex;
  for (const scenario of Object.keys(expected).filter((name) => scenarioNames.includes(name))) {
    const read = /** @type {any} */ (reads)[scenario][0];
    /** @type {Record<string, { count: number | null, first: number | null, status?: number }>} */
    const seen = {};
    for (const [target, server] of Object.entries(servers)) {
      const response = await request(`${server.url}${read.path}`, { headers: { ...headers, ...read.headers } });
      const data = response.json?.data;
      const count =
        response.status !== 200 || !Array.isArray(data)
          ? null
          : scenario === 'latest'
            ? data.reduce((sum, s) => sum + s.samples.length, 0)
            : scenario === 'aggregates'
              ? data.reduce((sum, s) => sum + s.buckets.length, 0)
              : data.length;
      const first = scenario === 'latest' || scenario === 'aggregates' || !data?.[0] ? null : data[0].val;
      seen[target] = { count, first, status: response.status };
      if (scenario === 'read1000' && target === 'service') {
        const minted = reads.tokenAfter(firstIndex('read1000') + 999, firstIndex('read1000'));
        if (response.headers.continuationtoken !== minted) {
          throw new Error(
            'The continuation token the benchmark mints for readDeep is not the one the service issues: ' +
              `service ${response.headers.continuationtoken}, minted ${minted}`,
          );
        }
      }
    }
    const db = await withPg(context.databaseUrl, async (client) => {
      const work = sampleWork(samplesStatements(false));
      return dbRead(scenario, read, work, client, context);
    });
    seen.db = { count: db, first: null };
    for (const peer of peers) {
      peer.resume();
      try {
        const response = await call(`${peer.url}${peer.readPath(read, scenario)}`);
        let count = null;
        let first = null;
        if (response.status === 200) {
          count = peer.countAnswer(response.text, scenario);
          if (peer.name === 'victoriametrics' && scenario === 'aggregates') count /= 3; // avg, min and max: one series each
          if (['read1000', 'readDeep', 'export100k'].includes(scenario)) {
            first =
              peer.name === 'influxdb'
                ? JSON.parse(response.text).results[0].series[0].values[0][1]
                : JSON.parse(response.text.split('\n')[0]).values[0];
          }
        }
        seen[peer.name] = { count, first, status: response.status };
      } finally {
        peer.pause();
      }
    }
    const want = expected[scenario];
    const wantFirst = ['read1000', 'readDeep', 'export100k'].includes(scenario) ? valueAt(read.firstIndex, 0) : null;
    // The db loop counts rows: a page is limit + 1, an aggregate has one row per bucket (and none when none).
    const dbWant = scenario === 'read1000' || scenario === 'readDeep' ? want + 1 : want;
    const same = Object.entries(seen).every(([target, s]) =>
      target === 'db' ? s.count === dbWant : s.count === want && (wantFirst === null || s.first === wantFirst),
    );
    lines.push({ scenario, expected: want, expectedFirst: wantFirst, ...seen, same });
  }
  return lines;
}

/**
 * One db-loop request of a read scenario (what the service runs for `read`).
 * @param {string} scenario
 * @param {any} read
 * @param {ReturnType<typeof sampleWork>} work
 * @param {import('pg').Client} client
 * @param {SamplesContext} context
 */
function dbRead(scenario, read, work, client, context) {
  const { instantForDatabase } = fromDist('series/instants');
  const { reads } = context;
  const at = (/** @type {number} */ ms) => instantForDatabase(ms * 1000);
  switch (scenario) {
    case 'read1000':
      return work.page(client, {
        deviceId: reads.deepDevice,
        id: read.id,
        bound: at(read.startMs),
        other: at(read.endMs),
        includeBound: true,
        limit: 1000,
      });
    case 'readDeep':
      return work.page(client, {
        deviceId: reads.deepDevice,
        id: read.id,
        bound: at(read.afterMs),
        other: at(read.endMs),
        includeBound: false,
        limit: 1000,
      });
    case 'export100k':
      return work.export(client, {
        deviceId: reads.deepDevice,
        id: read.id,
        bound: at(read.startMs),
        other: at(read.endMs),
        limit: fromDist('config/config').loadConfig({}).limits.samplesExportLimit,
      });
    case 'latest':
      return work.latest(client, { deviceId: reads.bulkDevice, ids: read.ids, n: 1 });
    case 'aggregates': {
      const granularity = fromDist('analytics/granularity').parseGranularity('PT1H');
      return work.aggregates(client, {
        deviceId: reads.bulkDevice,
        ids: read.ids,
        shape: { kind: granularity.kind, aggregates: ['avg', 'min', 'max'], fill: false },
        start: at(read.startMs),
        end: at(read.endMs),
        step: granularity.step,
        days: granularity.days,
        maxBuckets: fromDist('analytics/aggregates').MAX_BUCKETS,
      });
    }
    default:
      throw new Error(`no db read for ${scenario}`);
  }
}

/** Round robin over a list. @template T @param {readonly T[]} items */
function turns(items) {
  let next = 0;
  return () => items[next++ % items.length];
}

/**
 * The write sequence of a scenario for a target, created on first use and kept over its runs (so
 * every request of the run writes new instants).
 * @param {SamplesContext} context
 * @param {import('./scenarios').Scenario} scenario
 * @param {string} target
 * @param {'json' | 'lines' | 'pg'} format
 */
function sequenceOf(context, scenario, target, format) {
  const key = `${scenario.name}:${target}`;
  let sequence = context.sequences.get(key);
  if (!sequence) {
    const { layout, devices } = context;
    const overwrite = scenario.op === 'overwrite';
    const own = PG_TARGETS.includes(target)
      ? devices.writes[`${scenario.name}-${target}`]
      : peerDevices(`${scenario.name}-${target}`);
    sequence = writeSequence({
      devices: overwrite ? devices.overwrite : own,
      perSeries: /** @type {number} */ (scenario.perSeries),
      baseMs: overwrite ? layout.overwrite.baseMs : layout.writeBaseMs,
      windows: overwrite ? layout.overwrite.windows : Infinity,
      format,
      gzip: Boolean(scenario.gzip),
    });
    context.sequences.set(key, sequence);
  }
  return sequence;
}

/**
 * Samples per request of a scenario on this run's data set.
 * @param {import('./scenarios').Scenario} scenario
 * @param {ReturnType<typeof samplesLayout>} layout
 */
function samplesPerRequest(scenario, layout) {
  return scenario.op === 'aggregates' ? 10 * layout.aggregate.days * 1440 : scenario.points;
}

/**
 * Prepares the compressed bodies of a gzip run ahead of it: 1.5 times what the target's last run
 * of the scenario (or of write10000) managed, at least 20 requests/s.
 * @param {SamplesContext} context
 * @param {import('./scenarios').Scenario} scenario
 * @param {string} target
 * @param {ReturnType<typeof writeSequence>} sequence
 * @param {number} durationS
 */
function prefill(context, scenario, target, sequence, durationS) {
  if (!scenario.gzip) return;
  const rate = context.rates.get(`${scenario.name}:${target}`) ?? context.rates.get(`write10000:${target}`) ?? 20;
  sequence.prefill(Math.ceil(Math.max(20, rate) * durationS * 1.5) + CONNECTIONS);
}

/**
 * The CPU meter of a measured window: started when it opens, read when it closes.
 * @param {number | undefined} pid
 * @param {string} databaseUrl
 */
function meterWindow(pid, databaseUrl) {
  /** @type {Promise<(requests: number) => Promise<object>> | undefined} */
  let meter;
  return {
    start: () => {
      meter = startCpuMeter(pid, databaseUrl);
    },
    end: async (/** @type {number} */ requests) => (meter ? (await meter)(requests) : {}),
  };
}

/**
 * How long the runs of a samples scenario take (seconds): the heavy reads (export100k, aggregates:
 * answers of seconds under 16 connections) run longer, after a longer ramp (see bench/http-load.js).
 * @param {import('./scenarios').Scenario} scenario
 * @param {boolean} quick
 * @param {number} [durationS] the --duration option
 */
function samplesTiming(scenario, quick, durationS) {
  const heavy = scenario.op === 'export100k' || scenario.op === 'aggregates';
  return {
    durationS: durationS ? durationS * (heavy ? 2 : 1) : quick ? (heavy ? 4 : 2) : heavy ? 10 : 5,
    rampS: quick ? (heavy ? 2 : 0.5) : heavy ? 4 : 1,
    warmupS: 1,
  };
}

/**
 * Reads the server's RSS every 100 ms while `work` runs: the peak, and the mean.
 * @template T
 * @param {number | undefined} pid
 * @param {() => Promise<T>} work
 * @param {number} [everyMs]
 */
async function withRss(pid, work, everyMs = 100) {
  /** @type {number[]} */
  const readings = [];
  const read = () => {
    const rss = pid === undefined ? null : processUsage(pid).rssBytes;
    if (rss != null) readings.push(rss);
  };
  read();
  const timer = setInterval(read, everyMs);
  try {
    const result = await work();
    read();
    return {
      result,
      rssStartBytes: readings[0] ?? null,
      rssPeakBytes: readings.length ? Math.max(...readings) : null,
      rssEndBytes: readings[readings.length - 1] ?? null,
    };
  } finally {
    clearInterval(timer);
  }
}

/**
 * One measured run of a samples scenario against the service or the bare server.
 * @param {import('./scenarios').Scenario} scenario
 * @param {import('./processes').ServerProcess} server
 * @param {SamplesContext} context
 * @param {number} durationS
 * @param {number} [rampS] load before the measured window (see bench/http-load.js)
 * @param {number} [connections]
 */
async function measureSamplesHttp(
  scenario,
  server,
  context,
  durationS,
  rampS = 0,
  connections = connectionsOf(scenario),
) {
  const write = scenario.op === 'write' || scenario.op === 'overwrite';
  /** @type {() => { path: string, body?: Buffer, headers?: Record<string, string> }} */
  let next;
  let sequence;
  if (write) {
    sequence = sequenceOf(context, scenario, server.name, 'json');
    prefill(context, scenario, server.name, sequence, durationS);
    const s = sequence;
    next = () => {
      const { deviceId, body } = s.next();
      return { path: `/apollo/devices/${encodeURIComponent(deviceId)}/timeseries/samples`, body };
    };
  } else {
    const variant = turns(/** @type {any} */ (context.reads)[scenario.name]);
    next = () => {
      const read = variant();
      return { path: read.path, headers: read.headers };
    };
  }
  const before = sequence?.compressedOnTheFly ?? 0;
  const { result: figures, ...rss } = await withRss(server.child.pid, () =>
    runHttpLoad({
      url: server.url,
      connections,
      durationS,
      rampS,
      window: meterWindow(server.child.pid, context.databaseUrl),
      method: write ? 'POST' : 'GET',
      headers: write
        ? { ...context.client.headers, ...(scenario.gzip ? { 'content-encoding': 'gzip' } : {}) }
        : { ercollectionid: BENCH_COLLECTION },
      tokens: context.client.tokens,
      next,
      pointsPerRequest: samplesPerRequest(scenario, context.layout),
    }),
  );
  context.rates.set(`${scenario.name}:${server.name}`, figures.rps);
  const { window, ...rest } = figures;
  return {
    ...rest,
    .../** @type {object} */ (window),
    ...rss,
    ...(scenario.gzip ? { compressedDuringRun: (sequence?.compressedOnTheFly ?? 0) - before } : {}),
  };
}

/**
 * One measured run of a samples scenario on the database alone: the service's statements, 16 clients.
 * @param {import('./scenarios').Scenario} scenario
 * @param {SamplesContext} context
 * @param {number} durationS
 * @param {number} [rampS]
 */
async function measureSamplesDb(scenario, context, durationS, rampS = 0) {
  const work = sampleWork(samplesStatements(context.dbSettings.prepared));
  const write = scenario.op === 'write' || scenario.op === 'overwrite';
  const sequence = write ? sequenceOf(context, scenario, 'db', 'pg') : null;
  const variant = write ? null : turns(/** @type {any} */ (context.reads)[scenario.name]);
  const figures = await runDbLoop(
    context.dbSettings,
    {
      clients: connectionsOf(scenario),
      durationMs: durationS * 1000,
      warmupMs: 0,
      rampMs: rampS * 1000,
      pointsPerRequest: samplesPerRequest(scenario, context.layout),
    },
    () =>
      sequence
        ? (client) => work.write(client, writeParams(sequence.next()))
        : (client) => dbRead(scenario.name, /** @type {() => any} */ (variant)(), work, client, context),
    () => startCpuMeter(undefined, context.databaseUrl),
  );
  context.rates.set(`${scenario.name}:db`, figures.rps);
  return figures;
}

/**
 * One measured run of a samples scenario against a peer (InfluxDB or VictoriaMetrics), over HTTP
 * with the same load generator, no token.
 * @param {import('./scenarios').Scenario} scenario
 * @param {import('./peers').Peer} peer
 * @param {SamplesContext} context
 * @param {number} durationS
 * @param {number} [rampS]
 */
async function measureSamplesPeer(scenario, peer, context, durationS, rampS = 0) {
  const write = scenario.op === 'write' || scenario.op === 'overwrite';
  /** @type {() => { path: string, body?: Buffer }} */
  let next;
  let sequence;
  if (write) {
    sequence = sequenceOf(context, scenario, peer.name, 'lines');
    prefill(context, scenario, peer.name, sequence, durationS);
    const s = sequence;
    next = () => ({ path: peer.writePath, body: s.next().body });
  } else {
    const paths = /** @type {any[]} */ (/** @type {any} */ (context.reads)[scenario.name]).map((read) =>
      peer.readPath(read, scenario.name),
    );
    const variant = turns(paths);
    next = () => ({ path: variant() });
  }
  const before = sequence?.compressedOnTheFly ?? 0;
  const { result: figures, ...rss } = await withRss(peer.child.pid, () =>
    runHttpLoad({
      url: peer.url,
      connections: connectionsOf(scenario),
      durationS,
      rampS,
      window: meterWindow(peer.child.pid, context.databaseUrl),
      method: write ? 'POST' : 'GET',
      headers: write ? { 'content-type': 'text/plain', ...(scenario.gzip ? { 'content-encoding': 'gzip' } : {}) } : {},
      tokens: [],
      next,
      pointsPerRequest: samplesPerRequest(scenario, context.layout),
    }),
  );
  context.rates.set(`${scenario.name}:${peer.name}`, figures.rps);
  const { window, ...rest } = figures;
  return {
    ...rest,
    .../** @type {object} */ (window),
    ...rss,
    ...(scenario.gzip ? { compressedDuringRun: (sequence?.compressedOnTheFly ?? 0) - before } : {}),
  };
}

/**
 * Means of the rounds per samples scenario and target, and the service's ratios to each.
 * @param {import('./scenarios').Scenario[]} scenarios
 * @param {any[]} runs
 * @param {string[]} targets
 * @param {number} rounds
 * @param {ReturnType<typeof samplesLayout>} layout
 */
function summarizeSampleRuns(scenarios, runs, targets, rounds, layout) {
  return scenarios.map((scenario) => {
    /** @type {Record<string, any>} */
    const byTarget = {};
    for (const target of targets) {
      const mine = runs.filter((run) => run.scenario === scenario.name && run.target === target);
      if (mine.length === 0) continue;
      const mean = meanOf(mine, ['rps', 'pointsPerS', 'p50Ms', 'p99Ms']);
      const meanOrNull = (/** @type {string} */ key, /** @type {number} */ digits) => {
        const values = mine.map((run) => run[key]).filter((v) => v != null);
        return values.length ? round(values.reduce((a, b) => a + b, 0) / values.length, digits) : null;
      };
      const peaks = mine.map((run) => run.rssPeakBytes).filter((v) => v != null);
      byTarget[target] = {
        rps: round(mean.rps, 1),
        samplesPerS: Math.round(mean.pointsPerS),
        p50Ms: round(mean.p50Ms, 2),
        p99Ms: round(mean.p99Ms, 2),
        errors: mine.reduce((sum, run) => sum + run.errors, 0),
        cpuMsPerRequest: meanOrNull('cpuMsPerRequest', 3),
        postgresCpuMsPerRequest: meanOrNull('postgresCpuMsPerRequest', 3),
        loadCpuMsPerRequest: meanOrNull('loadCpuMsPerRequest', 3),
        machineBusyPct: meanOrNull('machineBusyPct', 1),
        rssPeakBytes: peaks.length ? Math.max(...peaks) : null,
        rounds: mine.map((run) => run.rps),
      };
    }
    /** @type {Record<string, number | null>} */
    const ratios = {};
    /** @type {Record<string, Array<number | null>>} */
    const byRound = {};
    const service = byTarget.service;
    for (const target of Object.keys(byTarget).filter((t) => t !== 'service')) {
      ratios[target] = service && byTarget[target].rps > 0 ? round(service.rps / byTarget[target].rps, 3) : null;
      byRound[target] = Array.from({ length: rounds }, (_, i) => {
        const s = runs.find((r) => r.scenario === scenario.name && r.target === 'service' && r.round === i + 1);
        const o = runs.find((r) => r.scenario === scenario.name && r.target === target && r.round === i + 1);
        return s && o && o.rps > 0 ? round(s.rps / o.rps, 3) : null;
      });
    }
    return {
      scenario: scenario.name,
      description: scenario.description,
      samplesPerRequest: samplesPerRequest(scenario, layout),
      targets: byTarget,
      serviceOver: ratios,
      serviceOverByRound: byRound,
    };
  });
}

/**
 * RSS of a fresh service process after `first` and after `second` samples writes of 10 samples
 * (10 timeseries × 1 new instant), read as bench/run.js reads it for `new1`.
 * @param {import('./processes').ServerProcess} server
 * @param {SamplesContext} context
 * @param {number[]} amounts
 */
async function measureSampleMemory(server, context, [first, second]) {
  const sequence = writeSequence({
    devices: context.devices.writes.memory,
    perSeries: 1,
    baseMs: context.layout.writeBaseMs + 2 * 86_400_000,
    format: 'json',
  });
  const load = (/** @type {number} */ amount) =>
    runHttpLoad({
      url: server.url,
      connections: CONNECTIONS,
      amount,
      method: 'POST',
      headers: context.client.headers,
      tokens: context.client.tokens,
      next: () => {
        const { deviceId, body } = sequence.next();
        return { path: `/apollo/devices/${encodeURIComponent(deviceId)}/timeseries/samples`, body };
      },
      pointsPerRequest: 10,
    });
  return {
    scenario: 'write10 (10 timeseries × 1 new instant a request)',
    ...(await rssGrowth(server, load, [first, second])),
  };
}

/**
 * The RSS of a fresh service process while it streams export100k answers. At rest first (the mean
 * of a second of readings), then one answer on its own (the first: the heap and JIT grow to the
 * work), at rest again, then the peak of readings every 50 ms while one connection, then the
 * scenario's connections, read the 100,000 samples again and again. The growth of an answer is
 * the peak over the second rest (what streaming one more answer costs a process that has served
 * one); the first answer's is reported beside it.
 * @param {import('./processes').ServerProcess} server
 * @param {SamplesContext} context
 * @param {number} durationS per phase
 * @param {number} connections of the second phase
 */
async function measureExportRss(server, context, durationS, connections) {
  const pid = /** @type {number} */ (server.child.pid);
  const atRest = async () => {
    /** @type {number[]} */
    const rest = [];
    for (let i = 0; i < 10; i++) {
      rest.push(/** @type {number} */ (processUsage(pid).rssBytes));
      await sleep(100);
    }
    return Math.round(rest.reduce((a, b) => a + b, 0) / rest.length);
  };
  const variant = turns(context.reads.export100k);
  const phase = async (/** @type {number} */ connections, /** @type {number} */ restBytes, amount = 0) => {
    const { result, rssPeakBytes, rssEndBytes } = await withRss(
      pid,
      () =>
        runHttpLoad({
          url: server.url,
          connections,
          ...(amount ? { amount } : { durationS }),
          method: 'GET',
          headers: { ercollectionid: BENCH_COLLECTION },
          tokens: context.client.tokens,
          next: () => ({ path: variant().path }),
          pointsPerRequest: EXPORT_SAMPLES,
        }),
      50,
    );
    return {
      connections,
      requests: amount || result.requests,
      errors: result.errors,
      p50Ms: result.p50Ms,
      rssPeakBytes,
      rssEndBytes,
      growthBytes: rssPeakBytes == null ? null : rssPeakBytes - restBytes,
    };
  };
  const freshBytes = await atRest();
  const first = await phase(1, freshBytes, 1);
  await sleep(1000);
  const restBytes = await atRest();
  const one = await phase(1, restBytes);
  const many = await phase(connections, restBytes);
  return { freshBytes, first, restBytes, one, many, durationS };
}

/**
 * Statements per request, counted in a service process started with bench/statements-hook.js
 * (every query its pg clients send), for writes of 1, 1,000 and 10,000 samples and every read:
 * three requests each, one after the other.
 * @param {import('./processes').ServerProcess} server started with the hook
 * @param {string} countsPath where the hook writes its counts
 * @param {SamplesContext} context
 */
async function countStatements(server, countsPath, context) {
  let seq = 0;
  const take = async () => {
    server.child.kill('SIGUSR2');
    seq++;
    for (let i = 0; i < 100; i++) {
      await sleep(20);
      if (existsSync(countsPath)) {
        const counts = JSON.parse(readFileSync(countsPath, 'utf8'));
        if (counts.seq === seq) return counts;
      }
    }
    throw new Error('the statement counting hook did not answer');
  };
  const headers = { ...context.client.headers, authorization: `Bearer ${context.client.tokens[0]}` };
  const device = context.devices.writes.memory[0];
  // Four days after the write scenarios' instants (the memory check's are two days after them).
  const base = context.layout.writeBaseMs + 4 * 86_400_000;
  /** @type {Array<[string, (i: number) => { path: string, method?: string, body?: string, headers?: Record<string, string> }]>} */
  const cases = [];
  const write =
    (/** @type {number} */ perSeries, /** @type {number} */ series, /** @type {number} */ c) =>
    (/** @type {number} */ i) => ({
      method: 'POST',
      path: `/apollo/devices/${device.deviceId}/timeseries/samples`,
      body: JSON.stringify(
        device.ids.slice(0, series).flatMap((id, s) =>
          Array.from({ length: perSeries }, (_, j) => ({
            timeseriesId: id,
            val: valueAt(j, s),
            timestamp: iso(base + c * 6 * 3_600_000 + i * 3_600_000 + j * 1000),
          })),
        ),
      ),
    });
  cases.push(
    ['write 1 sample', write(1, 1, 0)],
    ['write 1,000 samples', write(100, 10, 1)],
    ['write 10,000 samples', write(1000, 10, 2)],
  );
  for (const name of ['read1000', 'readDeep', 'export100k', 'latest', 'aggregates']) {
    const read = /** @type {any} */ (context.reads)[name][0];
    cases.push([name, () => ({ path: read.path, headers: read.headers })]);
  }
  await take();
  const lines = [];
  for (const [name, build] of cases) {
    const statuses = [];
    for (let i = 0; i < 3; i++) {
      const spec = build(i);
      const response = await request(`${server.url}${spec.path}`, {
        method: spec.method ?? 'GET',
        headers: { ...headers, ...spec.headers },
        body: spec.body,
      });
      statuses.push(response.status);
    }
    const counts = await take();
    lines.push({
      case: name,
      statuses: [...new Set(statuses)],
      statementsPerRequest: round(counts.count / 3, 2),
      statements: Object.entries(counts.firstLines).map(
        ([line, n]) => `${line} ×${round(/** @type {number} */ (n) / 3, 2)}`,
      ),
    });
  }
  rmSync(countsPath, { force: true });
  return lines;
}

/** @param {number} value */
const fmt = (value) => Math.round(value).toLocaleString('en-US');

module.exports = {
  PG_TARGETS,
  withPg,
  writeGroups,
  writeParams,
  setupSamples,
  checkSampleReads,
  measureSamplesHttp,
  measureSamplesDb,
  measureSamplesPeer,
  summarizeSampleRuns,
  measureSampleMemory,
  measureExportRss,
  countStatements,
  samplesPerRequest,
  samplesTiming,
};
