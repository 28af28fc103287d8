'use strict';

/**
 * Where the time goes: CPU-profiles the service and the bare server under the same load and
 * summarizes each profile by package and by function (self time), side by side.
 *
 *   DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres node bench/profile.js --scenario=new100 [--duration=15]
 *
 * Scenarios: the registration ones, and the samples writes (write1000, write10000, gzip10000), on
 * devices of their own with new instants every request, as bench/run.js writes them.
 *
 * Writes bench/results/profile-<scenario>.md (the summary) and, for reading in Chrome DevTools,
 * bench/results/profile-<scenario>-<target>.cpuprofile (not committed). Build first (nest build).
 */

const { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } = require('node:fs');
const os = require('node:os');
const { join, relative } = require('node:path');
const process = require('node:process');

const { createThrowawayDatabase, dropDatabase, withClient } = require('./database');
const { connectClients, registerPoints, statements } = require('./db-loop');
const { useDistSnapshot } = require('./dist');
const { runHttpLoad } = require('./http-load');
const { stopServer } = require('./processes');
const { SCENARIOS, deviceSequence, fixtureDevices, pointsOf, roundRobin } = require('./scenarios');
const { serverEnvironment, startBare, startService } = require('./servers');
const { BENCH_COLLECTION, benchTokens, createSigningKey } = require('./tokens');

const RESULTS_DIR = join(__dirname, 'results');
const TOP_FUNCTIONS = 25;
/** Starts the profiler in a server on SIGUSR2, and writes the profile and exits on the next. */
const PROFILE_HOOK = join(__dirname, 'profile-hook.js');

/** @param {string} line */
const say = (line) => process.stdout.write(`${line}\n`);

async function main() {
  const args = Object.fromEntries(
    process.argv.slice(2).map((arg) => {
      const [name, value] = arg.replace(/^--/, '').split('=', 2);
      return [name, value ?? 'true'];
    }),
  );
  const scenario = SCENARIOS.find((s) => s.name === (args.scenario ?? 'new100'));
  if (scenario?.kind === 'samples' && scenario.op !== 'write')
    throw new Error(`${scenario.name}: only the samples writes are profiled here (write1000, write10000, gzip10000)`);
  if (!scenario)
    throw new Error(`Unknown scenario ${args.scenario}; one of ${SCENARIOS.map((s) => s.name).join(', ')}`);
  const durationS = Number(args.duration ?? 15);
  const serverUrl = process.env.DATABASE_URL?.trim();
  if (!serverUrl) throw new Error('DATABASE_URL is required (a PostgreSQL server; a throwaway database is used).');

  const removeSnapshot = useDistSnapshot();
  const database = await createThrowawayDatabase(serverUrl);
  const dataDir = mkdtempSync(join(os.tmpdir(), 'dtapi-profile-'));
  mkdirSync(RESULTS_DIR, { recursive: true });
  /** @type {import('./processes').ServerProcess | undefined} */
  let server;
  try {
    const key = createSigningKey();
    const env = serverEnvironment({ databaseUrl: database.url, dataDir, publicKeyPem: key.publicKeyPem });
    // Migrate once, unprofiled.
    await stopServer(await startService(env, { migrate: true }));
    const runTag = 'profile';
    const fixtures = fixtureDevices(runTag);
    await seed(database.url, fixtures);
    const tokens = benchTokens(key.privateKey, 3600);
    const headers = {
      'content-type': 'application/json',
      ercollectionid: BENCH_COLLECTION,
      ...(scenario.gzip ? { 'content-encoding': 'gzip' } : {}),
    };
    const writes = scenario.kind === 'samples' ? await samplesWrites(database.url, scenario) : undefined;

    /** @type {Record<string, any>} */
    const summaries = {};
    for (const target of ['service', 'bare']) {
      const kept = join(RESULTS_DIR, `profile-${scenario.name}-${target}.cpuprofile`);
      const nodeArgs = ['--require', PROFILE_HOOK];
      const profiledEnv = { ...env, BENCH_PROFILE_PATH: kept };
      server =
        target === 'service'
          ? await startService(profiledEnv, { nodeArgs })
          : await startBare(profiledEnv, { prepared: true, nodeArgs });
      const next =
        scenario.devices === 'new'
          ? deviceSequence(`bench-${runTag}-${target}`)
          : roundRobin(scenario.devices === 'same' ? fixtures.same : [fixtures.list]);
      const load = (/** @type {number} */ seconds) =>
        runHttpLoad({
          url: /** @type {any} */ (server).url,
          connections: 16,
          durationS: seconds,
          method: scenario.kind === 'list' ? 'GET' : 'POST',
          headers,
          tokens,
          ...(writes
            ? { next: /** @type {NonNullable<typeof writes>} */ (writes)[target] }
            : {
                body: scenario.kind === 'register' ? JSON.stringify(pointsOf(scenario.points)) : undefined,
                path:
                  scenario.kind === 'register'
                    ? () => `/apollo/devices/${next()}/timeseries`
                    : () => `/apollo/devices/${fixtures.list}/timeseries?limit=${scenario.points}`,
              }),
          pointsPerRequest: scenario.points,
        });
      await load(3);
      server.child.kill('SIGUSR2');
      const figures = await load(durationS);
      const exited = new Promise((resolve) => server?.child.once('exit', resolve));
      server.child.kill('SIGUSR2');
      await exited;
      server = undefined;
      summaries[target] = { figures, ...summarizeProfile(JSON.parse(readFileSync(kept, 'utf8'))), file: kept };
      say(`${target}: ${figures.rps} req/s, profile ${relative(process.cwd(), kept)}`);
    }

    const report = renderProfiles(scenario, durationS, summaries);
    const out = join(RESULTS_DIR, `profile-${scenario.name}.md`);
    writeFileSync(out, report);
    say(`\n${report}`);
    say(`Summary: ${relative(process.cwd(), out)}`);
  } finally {
    await stopServer(server).catch(() => undefined);
    await dropDatabase(serverUrl, database.name).catch(() => undefined);
    rmSync(dataDir, { recursive: true, force: true });
    removeSnapshot();
  }
}

/**
 * The requests of a samples write scenario for the service and for bare: 16 devices of 10
 * timeseries each, registered with the service's statement, the month partitions of the
 * instants created beforehand, and a body with new instants every request (bench/samples.js).
 * @param {string} url
 * @param {import('./scenarios').Scenario} scenario
 */
async function samplesWrites(url, scenario) {
  const { createPartitions, registerSampleDevices, samplesLayout, writeSequence } = require('./samples');
  const layout = samplesLayout(true, Date.now());
  const [client] = await connectClients({ url, statementTimeoutMs: 60_000, prepared: false }, 1);
  try {
    const groups = [`${scenario.name}-service`, `${scenario.name}-bare`];
    const devices = await registerSampleDevices(client, statements(false), registerPoints, {
      runTag: 'profile',
      collection: BENCH_COLLECTION,
      writeGroups: groups,
    });
    await createPartitions(client, layout.writeBaseMs, layout.writeBaseMs + 62 * 86_400_000);
    /** @type {Record<string, () => { path: string, body: Buffer }>} */
    const next = {};
    for (const target of ['service', 'bare']) {
      const sequence = writeSequence({
        devices: devices.writes[`${scenario.name}-${target}`],
        perSeries: /** @type {number} */ (scenario.perSeries),
        baseMs: layout.writeBaseMs,
        format: 'json',
        gzip: Boolean(scenario.gzip),
      });
      if (scenario.gzip) sequence.prefill(3000);
      next[target] = () => {
        const { deviceId, body } = sequence.next();
        return { path: `/apollo/devices/${encodeURIComponent(deviceId)}/timeseries/samples`, body };
      };
    }
    return next;
  } finally {
    await client.end();
  }
}

/**
 * @param {string} url
 * @param {{ same: string[], list: string }} fixtures
 */
async function seed(url, fixtures) {
  const [client] = await connectClients({ url, statementTimeoutMs: 60_000, prepared: false }, 1);
  try {
    const sql = statements(false);
    for (const [deviceId, count] of [...fixtures.same.map((d) => [d, 100]), [fixtures.list, 200]]) {
      const points = pointsOf(/** @type {number} */ (count));
      await registerPoints(client, sql, {
        deviceId: /** @type {string} */ (deviceId),
        collectionId: BENCH_COLLECTION,
        ids: points.map((p) => p.id),
        types: points.map((p) => p.pointType),
      });
    }
  } finally {
    await client.end();
  }
  await withClient(url, (client) => client.query('VACUUM ANALYZE'));
}

/**
 * @typedef {{ id: number, callFrame: { functionName: string, url: string, lineNumber: number }, children?: number[] }} ProfileNode
 */

/**
 * Self time by function and by package, and inclusive time by package (a sample counts for every
 * package on its stack), as shares of the busy (non-idle) time.
 * @param {{ nodes: ProfileNode[], samples: number[], timeDeltas: number[], startTime: number, endTime: number }} profile
 */
function summarizeProfile(profile) {
  /** @type {Map<number, ProfileNode>} */
  const nodes = new Map(profile.nodes.map((node) => [node.id, node]));
  /** @type {Map<number, number>} */
  const parent = new Map();
  for (const node of profile.nodes) for (const child of node.children ?? []) parent.set(child, node.id);

  /** @type {Map<string, number>} */
  const selfByFunction = new Map();
  /** @type {Map<string, number>} */
  const selfByPackage = new Map();
  /** @type {Map<string, number>} */
  const inclusiveByPackage = new Map();
  let busy = 0;
  let idle = 0;
  const add = (/** @type {Map<string, number>} */ map, /** @type {string} */ key, /** @type {number} */ us) =>
    map.set(key, (map.get(key) ?? 0) + us);

  profile.samples.forEach((id, i) => {
    const us = profile.timeDeltas[i + 1] ?? 0;
    const node = nodes.get(id);
    if (!node) return;
    if (node.callFrame.functionName === '(idle)') {
      idle += us;
      return;
    }
    busy += us;
    add(selfByFunction, describeFrame(node.callFrame), us);
    add(selfByPackage, packageOf(node.callFrame), us);
    /** @type {Set<string>} */
    const onStack = new Set();
    for (let at = /** @type {number | undefined} */ (id); at !== undefined; at = parent.get(at)) {
      const frame = nodes.get(at)?.callFrame;
      if (frame && frame.url) onStack.add(packageOf(frame));
    }
    for (const pkg of onStack) add(inclusiveByPackage, pkg, us);
  });

  const top = (/** @type {Map<string, number>} */ map, /** @type {number} */ count) =>
    [...map]
      .sort((a, b) => b[1] - a[1])
      .slice(0, count)
      .map(([name, us]) => ({ name, ms: Math.round(us / 1000), pct: Math.round((us / busy) * 1000) / 10 }));
  return {
    busyMs: Math.round(busy / 1000),
    idleMs: Math.round(idle / 1000),
    selfByPackage: top(selfByPackage, 20),
    inclusiveByPackage: top(inclusiveByPackage, 20),
    selfByFunction: top(selfByFunction, TOP_FUNCTIONS),
  };
}

/** @param {{ functionName: string, url: string, lineNumber: number }} frame */
function describeFrame(frame) {
  const name = frame.functionName || '(anonymous)';
  if (!frame.url) return name;
  return `${name} ${shortUrl(frame.url)}:${frame.lineNumber + 1}`;
}

/** @param {string} url */
function shortUrl(url) {
  const path = url.replace(/^file:\/\//, '');
  const inModules = path.lastIndexOf('node_modules/');
  if (inModules >= 0) return path.slice(inModules + 'node_modules/'.length);
  const inDist = path.indexOf('/src/');
  return inDist >= 0 ? path.slice(inDist + 1) : path.replace(/^.*\/bench\//, 'bench/');
}

/**
 * The package a frame belongs to: an npm package, node's own code, the service's code, or V8.
 * @param {{ functionName: string, url: string }} frame
 */
function packageOf(frame) {
  const { url, functionName } = frame;
  if (!url) return functionName.startsWith('(') ? functionName : '(native)';
  if (url.startsWith('node:'))
    return `node:${url.slice(5).split('/')[0] === 'internal' ? url.slice(5).split('/')[1] : url.slice(5)}`;
  const path = url.replace(/^file:\/\//, '');
  const match = /node_modules\/((?:@[^/]+\/)?[^/]+)\/(.*)$/.exec(path);
  if (match && match[1] === '.cache') return 'service code (dist)';
  if (match) return match[1];
  if (path.includes('/bench/')) return 'bench code';
  return 'service code (dist)';
}

/**
 * @param {import('./scenarios').Scenario} scenario
 * @param {number} durationS
 * @param {Record<string, any>} summaries
 */
function renderProfiles(scenario, durationS, summaries) {
  const lines = [
    `# CPU profile: ${scenario.name}`,
    '',
    `${scenario.description}; 16 connections, ${durationS} s after a 3 s warm-up. V8's CPU profiler runs over the`,
    "measured seconds only (bench/profile-hook.js). Shares are of the process's busy (non-idle) CPU time. Generated",
    'by `node bench/profile.js`; the .cpuprofile files (not committed) open in Chrome DevTools.',
    '',
    '| | req/s | p50 ms | busy CPU ms | busy CPU ms per request |',
    '| --- | ---: | ---: | ---: | ---: |',
  ];
  for (const [target, s] of Object.entries(summaries)) {
    const requests = s.figures.requests;
    lines.push(
      `| ${target} | ${s.figures.rps} | ${s.figures.p50Ms} | ${s.busyMs} | ${requests ? (s.busyMs / requests).toFixed(3) : '–'} |`,
    );
  }
  for (const [title, key] of [
    ['Self time by package', 'selfByPackage'],
    ['Inclusive time by package (on the stack)', 'inclusiveByPackage'],
    ['Self time by function (top 25)', 'selfByFunction'],
  ]) {
    for (const [target, s] of Object.entries(summaries)) {
      lines.push('', `## ${title}: ${target}`, '', '| | ms | % |', '| --- | ---: | ---: |');
      for (const row of s[key]) lines.push(`| ${row.name.replace(/\|/g, '\\|')} | ${row.ms} | ${row.pct} |`);
    }
  }
  return `${lines.join('\n')}\n`;
}

main().catch((/** @type {unknown} */ error) => {
  process.stderr.write(`Profile failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
