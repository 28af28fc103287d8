'use strict';

/**
 * The peers of the samples scenarios: InfluxDB 1.6 (Debian package `influxdb`) and
 * VictoriaMetrics (Debian package `victoria-metrics`), started by the benchmark on loopback ports
 * with their data in a temporary folder, given the same samples as line protocol through their
 * HTTP `/write`, and asked the same reads through their HTTP query APIs.
 *
 * Durability differs, and the figures should be read with it: PostgreSQL answers a write once its
 * WAL is flushed (synchronous_commit on); InfluxDB fsyncs its WAL before it answers
 * (wal-fsync-delay 0s); VictoriaMetrics answers before the samples reach disk (they are buffered
 * in memory and flushed about every second).
 *
 * A peer is installed with `apt-get install -y influxdb victoria-metrics` when its binary is
 * missing; when that fails (or --peers=none), it is skipped, and the report says why. Between its
 * own runs a peer is paused (SIGSTOP), so its background compactions do not take CPU from the
 * runs of the other targets; it is resumed (SIGCONT) before its own, and the harness waits for a
 * quiet machine after resuming, as it waits after PostgreSQL's CHECKPOINT.
 */

const { execFileSync, spawn } = require('node:child_process');
const { existsSync, lstatSync, mkdirSync, readdirSync, writeFileSync } = require('node:fs');
const http = require('node:http');
const { join } = require('node:path');
const process = require('node:process');
const { setTimeout: sleep } = require('node:timers/promises');

const { freePort } = require('./processes');
const { LINE_MEASUREMENT, iso } = require('./samples');

const STDERR_KEPT = 16 * 1024;

/** @typedef {'influxdb' | 'victoriametrics'} PeerName */

/** @type {Record<PeerName, { binary: string, package: string, label: string }>} */
const PEER_BINARIES = {
  influxdb: { binary: '/usr/bin/influxd', package: 'influxdb', label: 'InfluxDB' },
  victoriametrics: { binary: '/usr/bin/victoria-metrics', package: 'victoria-metrics', label: 'VictoriaMetrics' },
};
const PEER_NAMES = /** @type {PeerName[]} */ (Object.keys(PEER_BINARIES));

/**
 * One HTTP request to a peer (not the load), with its body as text.
 * @param {string} url
 * @param {{ method?: string, headers?: Record<string, string>, body?: Buffer | string }} [options]
 * @returns {Promise<{ status: number, text: string }>}
 */
function call(url, options = {}) {
  return new Promise((resolve, reject) => {
    const req = http.request(url, { method: options.method ?? 'GET', headers: options.headers }, (response) => {
      /** @type {Buffer[]} */
      const chunks = [];
      response.on('data', (chunk) => chunks.push(chunk));
      response.on('end', () =>
        resolve({ status: response.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8') }),
      );
      response.on('error', reject);
    });
    req.on('error', reject);
    req.setTimeout(300_000, () => req.destroy(new Error(`${options.method ?? 'GET'} ${url} timed out`)));
    req.end(options.body);
  });
}

/** The installed Debian package's version, e.g. `1.79.5+ds1-2+b5`. */
function packageVersion(/** @type {string} */ name) {
  try {
    return `${name} ${execFileSync('dpkg-query', ['-W', '-f=${Version}', name], { encoding: 'utf8' }).trim()} (Debian)`;
  } catch {
    return 'unknown version';
  }
}

/**
 * Installs the missing peers with apt-get (as root, or with sudo that asks no password).
 * @param {PeerName[]} names
 * @returns {string | null} why it could not, or null
 */
function installMissing(names) {
  const missing = names.filter((name) => !existsSync(PEER_BINARIES[name].binary));
  if (missing.length === 0) return null;
  const packages = ['influxdb', 'victoria-metrics'];
  const asRoot = typeof process.getuid === 'function' && process.getuid() === 0;
  const [command, args] = asRoot
    ? ['apt-get', ['install', '-y', ...packages]]
    : ['sudo', ['-n', 'apt-get', 'install', '-y', ...packages]];
  const run = (/** @type {string[]} */ argv) =>
    execFileSync(asRoot ? argv[0] : 'sudo', asRoot ? argv.slice(1) : ['-n', ...argv], {
      stdio: ['ignore', 'ignore', 'pipe'],
      timeout: 600_000,
      env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
    });
  try {
    try {
      run(['apt-get', 'install', '-y', ...packages]);
    } catch {
      // A machine whose package lists were never fetched knows no such package yet.
      run(['apt-get', 'update']);
      run(['apt-get', 'install', '-y', ...packages]);
    }
  } catch (error) {
    const stderr = String(/** @type {any} */ (error).stderr ?? '')
      .trim()
      .split('\n')
      .slice(-1)[0];
    return `\`${command} ${args.join(' ')}\` failed${stderr ? ` (${stderr})` : ''}`;
  }
  const still = missing.filter((name) => !existsSync(PEER_BINARIES[name].binary));
  return still.length ? `apt-get installed no ${still.map((n) => PEER_BINARIES[n].binary).join(', ')}` : null;
}

/**
 * Total size of a folder's files: apparent (st_size, as pg_relation_size counts) and allocated
 * (st_blocks; InfluxDB preallocates sparse series files).
 * @param {string} dir
 */
function folderSize(dir) {
  let apparent = 0;
  let allocated = 0;
  let files = 0;
  const walk = (/** @type {string} */ path) => {
    for (const entry of readdirSync(path, { withFileTypes: true })) {
      const full = join(path, entry.name);
      if (entry.isDirectory()) walk(full);
      else if (entry.isFile()) {
        const stat = lstatSync(full);
        apparent += stat.size;
        allocated += stat.blocks * 512;
        files++;
      }
    }
  };
  if (existsSync(dir)) walk(dir);
  return { apparentBytes: apparent, allocatedBytes: allocated, files };
}

/**
 * @typedef {object} Peer
 * @property {PeerName} name
 * @property {string} label
 * @property {string} url
 * @property {string} version
 * @property {import('node:child_process').ChildProcess} child
 * @property {string} dataDir
 * @property {() => void} pause
 * @property {() => void} resume
 * @property {() => Promise<void>} stop
 * @property {string} writePath the path of POST line protocol (precision ms)
 * @property {(read: any, scenario: string) => string} readPath a read of the data set
 * @property {(text: string, scenario: string) => number} countAnswer samples (or buckets) in an answer
 * @property {(timeoutMs: number, rows: number) => Promise<any>} settle flushes and compacts what it can, and gives its folder sizes
 */

/**
 * Starts a peer binary and waits for `readyPath` to answer 2xx.
 * @param {{ name: PeerName, args: string[], url: string, readyPath: string }} options
 */
async function startPeerProcess({ name, args, url, readyPath }) {
  const child = spawn(PEER_BINARIES[name].binary, args, { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr?.on('data', (chunk) => {
    stderr = (stderr + String(chunk)).slice(-STDERR_KEPT);
  });
  /** @type {number | null | undefined} */
  let exitCode;
  child.once('exit', (code) => {
    exitCode = code;
  });
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    if (exitCode !== undefined) throw new Error(`${name} exited with code ${exitCode}: ${stderr.trim()}`);
    try {
      const { status } = await call(`${url}${readyPath}`);
      if (status >= 200 && status < 300) return child;
    } catch {
      // not listening yet
    }
    await sleep(100);
  }
  child.kill('SIGKILL');
  throw new Error(`${name} was not ready within 60 s: ${stderr.trim()}`);
}

/** @param {import('node:child_process').ChildProcess} child */
function controls(child) {
  return {
    pause: () => {
      if (child.exitCode === null) child.kill('SIGSTOP');
    },
    resume: () => {
      if (child.exitCode === null) child.kill('SIGCONT');
    },
    stop: async () => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGCONT');
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
      await exited;
      clearTimeout(timer);
    },
  };
}

/** `sid='a' OR sid='b'`: InfluxQL's selection of the timeseries of a read. */
const influxSids = (/** @type {string[]} */ ids) => ids.map((id) => `sid='${id}'`).join(' OR ');
/** `sid=~"a|b"`: MetricsQL's (VictoriaMetrics turns alternations of literals into exact matches). */
const vmSids = (/** @type {string[]} */ ids) => (ids.length === 1 ? `sid="${ids[0]}"` : `sid=~"${ids.join('|')}"`);
const seconds = (/** @type {number} */ ms) => (ms / 1000).toFixed(3);

/**
 * InfluxDB 1.6: `influxd run` with a generated configuration (meta, data and WAL in `root`, HTTP
 * and RPC on loopback ports, no reporting, monitoring, logging of queries or requests, nor any
 * other input), and a database `bench`.
 * @param {string} root
 */
async function startInflux(root) {
  const [httpPort, rpcPort] = [await freePort(), await freePort()];
  const dir = join(root, 'influxdb');
  mkdirSync(dir, { recursive: true });
  const config = join(dir, 'influxdb.conf');
  writeFileSync(
    config,
    `reporting-disabled = true
bind-address = "127.0.0.1:${rpcPort}"
[meta]
  dir = "${join(dir, 'meta')}"
  logging-enabled = false
[data]
  dir = "${join(dir, 'data')}"
  wal-dir = "${join(dir, 'wal')}"
  wal-fsync-delay = "0s"
  index-version = "inmem"
  query-log-enabled = false
  cache-snapshot-write-cold-duration = "5s"
  compact-full-write-cold-duration = "15s"
  max-series-per-database = 0
  max-values-per-tag = 0
[coordinator]
  log-queries-after = "0s"
[monitor]
  store-enabled = false
[subscriber]
  enabled = false
[continuous_queries]
  enabled = false
[retention]
  enabled = false
[http]
  enabled = true
  bind-address = "127.0.0.1:${httpPort}"
  log-enabled = false
  max-body-size = 0
  pprof-enabled = false
[logging]
  level = "warn"
  suppress-logo = true
`,
  );
  const url = `http://127.0.0.1:${httpPort}`;
  const child = await startPeerProcess({ name: 'influxdb', args: ['run', '-config', config], url, readyPath: '/ping' });
  const created = await call(`${url}/query?q=${encodeURIComponent('CREATE DATABASE bench')}`, { method: 'POST' });
  if (created.status !== 200) throw new Error(`InfluxDB: CREATE DATABASE answered ${created.status}: ${created.text}`);
  const version = execFileSync(PEER_BINARIES.influxdb.binary, ['version'], { encoding: 'utf8' }).trim();
  const query = (/** @type {string} */ q) => `/query?db=bench&epoch=ms&q=${encodeURIComponent(q)}`;
  /** @type {Peer} */
  const peer = {
    name: 'influxdb',
    label: 'InfluxDB',
    url,
    version,
    child,
    dataDir: dir,
    ...controls(child),
    writePath: '/write?db=bench&precision=ms',
    readPath(read, scenario) {
      const from = read.startMs === undefined ? '' : `'${iso(read.startMs)}'`;
      const to = read.endMs === undefined ? '' : `'${iso(read.endMs)}'`;
      switch (scenario) {
        case 'read1000':
          return query(
            `SELECT val FROM ${LINE_MEASUREMENT} WHERE sid='${read.id}' AND time >= ${from} AND time < ${to} LIMIT 1000`,
          );
        case 'readDeep':
          // The page after the previous page's last instant (keyset), as the service's token reads it.
          return query(
            `SELECT val FROM ${LINE_MEASUREMENT} WHERE sid='${read.id}' AND time > '${iso(read.afterMs)}' AND time < ${to} LIMIT 1000`,
          );
        case 'export100k':
          return query(
            `SELECT val FROM ${LINE_MEASUREMENT} WHERE sid='${read.id}' AND time >= ${from} AND time < ${to}`,
          );
        case 'latest':
          return query(
            `SELECT val FROM ${LINE_MEASUREMENT} WHERE ${influxSids(read.ids)} GROUP BY sid ORDER BY time DESC LIMIT 1`,
          );
        case 'aggregates':
          return query(
            `SELECT mean(val), min(val), max(val) FROM ${LINE_MEASUREMENT} WHERE (${influxSids(read.ids)}) AND time >= ${from} AND time < ${to} GROUP BY time(1h), sid fill(none)`,
          );
        default:
          throw new Error(`InfluxDB: no read for ${scenario}`);
      }
    },
    countAnswer(text) {
      const body = JSON.parse(text);
      const result = body.results?.[0];
      if (!result || result.error || body.error)
        throw new Error(`InfluxDB: ${result?.error ?? body.error ?? text.slice(0, 200)}`);
      return (result.series ?? []).reduce(
        (/** @type {number} */ sum, /** @type {any} */ s) => sum + s.values.length,
        0,
      );
    },
    async settle(/** @type {number} */ timeoutMs) {
      // The cache is snapshotted to TSM files once a shard is cold for 5 s, and fully compacted
      // after 15 s: wait until the WAL is empty and the folder stops changing.
      const started = Date.now();
      let last = -1;
      let stable = 0;
      while (Date.now() - started < timeoutMs) {
        await sleep(1000);
        const wal = folderSize(join(dir, 'wal')).apparentBytes;
        const data = folderSize(join(dir, 'data')).apparentBytes;
        stable = data === last && wal < 64 * 1024 ? stable + 1 : 0;
        last = data;
        if (stable >= 5) break;
      }
      return {
        waitedS: Math.round((Date.now() - started) / 1000),
        settled: stable >= 5,
        method:
          'waited until the WAL was snapshotted into TSM files (cache-snapshot-write-cold-duration 5s) and the data folder stopped changing for 5 s (compact-full-write-cold-duration 15s)',
        data: folderSize(join(dir, 'data')),
        wal: folderSize(join(dir, 'wal')),
        meta: folderSize(join(dir, 'meta')),
        total: folderSize(dir),
      };
    },
  };
  return peer;
}

/**
 * VictoriaMetrics (single node): `victoria-metrics -storageDataPath=<root> -httpListenAddr=127.0.0.1:<port>`,
 * with a retention of 100 years (the default, a month, would drop the data set) and its response
 * cache off (the same query is asked again and again: with the cache it would be answered from it).
 * @param {string} root
 */
async function startVictoria(root) {
  const port = await freePort();
  const dir = join(root, 'victoria-metrics');
  mkdirSync(dir, { recursive: true });
  const url = `http://127.0.0.1:${port}`;
  const child = await startPeerProcess({
    name: 'victoriametrics',
    args: [
      `-storageDataPath=${dir}`,
      `-httpListenAddr=127.0.0.1:${port}`,
      '-retentionPeriod=100y',
      '-search.disableCache',
      '-loggerLevel=ERROR',
      '-search.maxSamplesPerQuery=1000000000',
    ],
    url,
    readyPath: '/health',
  });
  const version =
    (await call(`${url}/metrics`)).text.match(/vm_app_version\{version="([^"]+)"/)?.[1] ??
    packageVersion('victoria-metrics');
  const metric = `${LINE_MEASUREMENT}_val`;
  const exportOf = (/** @type {string} */ id, /** @type {number} */ fromMs, /** @type {number} */ toMs) =>
    `/api/v1/export?match[]=${encodeURIComponent(`${metric}{sid="${id}"}`)}&start=${seconds(fromMs)}&end=${seconds(toMs)}`;
  /** @type {Peer} */
  const peer = {
    name: 'victoriametrics',
    label: 'VictoriaMetrics',
    url,
    version,
    child,
    dataDir: dir,
    ...controls(child),
    writePath: '/write?precision=ms',
    readPath(read, scenario) {
      switch (scenario) {
        case 'read1000':
          // Raw samples of the range holding the page's 1,000 (export has no limit; both ends inclusive).
          return exportOf(read.id, read.startMs, read.startMs + 999 * read.stepMs);
        case 'readDeep':
          return exportOf(read.id, read.afterMs + read.stepMs, read.afterMs + 1000 * read.stepMs);
        case 'export100k':
          return exportOf(read.id, read.startMs, read.endMs - 1);
        case 'latest':
          // The newest sample of each series within the hour before the end of the data set.
          return `/api/v1/query?query=${encodeURIComponent(`last_over_time(${metric}{${vmSids(read.ids)}}[1h])`)}&time=${seconds(read.endMs)}`;
        case 'aggregates':
          // One point per hour: avg, min and max over the hour (t - 1h, t] of each step t.
          return `/api/v1/query_range?query=${encodeURIComponent(
            `aggr_over_time(("avg_over_time", "min_over_time", "max_over_time"), ${metric}{${vmSids(read.ids)}}[1h])`,
          )}&start=${seconds(read.startMs + 3_600_000)}&end=${seconds(read.endMs)}&step=3600`;
        default:
          throw new Error(`VictoriaMetrics: no read for ${scenario}`);
      }
    },
    countAnswer(text, scenario) {
      if (scenario === 'latest' || scenario === 'aggregates') {
        const body = JSON.parse(text);
        if (body.status !== 'success') throw new Error(`VictoriaMetrics: ${text.slice(0, 200)}`);
        return body.data.result.reduce(
          (/** @type {number} */ sum, /** @type {any} */ r) => sum + (r.values ? r.values.length : 1),
          0,
        );
      }
      return text
        .split('\n')
        .filter(Boolean)
        .reduce((sum, line) => sum + JSON.parse(line).values.length, 0);
    },
    async settle(/** @type {number} */ timeoutMs, /** @type {number} */ rows) {
      // Samples reach disk some seconds after the answer: wait until the storage holds them all
      // in parts on disk (vm_rows, nothing pending), merge them (force_merge: what background
      // merges would reach in time), and until data/ and indexdb/ stop changing.
      const started = Date.now();
      await call(`${url}/internal/force_flush`);
      const metricOf = (/** @type {string} */ text, /** @type {string} */ name) =>
        [...text.matchAll(new RegExp(`^${name.replace(/[{}"]/g, (c) => `\\${c}`)} (\\S+)$`, 'gm'))].reduce(
          (sum, m) => sum + Number(m[1]),
          0,
        );
      let stored = 0;
      while (Date.now() - started < timeoutMs) {
        const text = (await call(`${url}/metrics`)).text;
        stored = metricOf(text, 'vm_rows{type="storage/small"}') + metricOf(text, 'vm_rows{type="storage/big"}');
        const pending = metricOf(text, 'vm_pending_rows{type="storage"}');
        if (stored >= rows && pending === 0) break;
        await sleep(1000);
      }
      // In-memory parts reach disk about 5 s later.
      await sleep(6000);
      await call(`${url}/internal/force_merge`);
      let last = -1;
      let stable = 0;
      while (Date.now() - started < timeoutMs) {
        await sleep(1000);
        const text = (await call(`${url}/metrics`)).text;
        const merging =
          metricOf(text, 'vm_active_merges{type="storage/small"}') +
          metricOf(text, 'vm_active_merges{type="storage/big"}') +
          metricOf(text, 'vm_active_force_merges');
        const size = folderSize(join(dir, 'data')).apparentBytes + folderSize(join(dir, 'indexdb')).apparentBytes;
        stable = size === last && merging === 0 ? stable + 1 : 0;
        last = size;
        if (stable >= 5) break;
      }
      // What VictoriaMetrics says its parts take (vm_data_size_bytes), to check the folder sizes by.
      const sizes = (await call(`${url}/metrics`)).text;
      const reported = ['storage/small', 'storage/big', 'indexdb'].reduce(
        (sum, type) => sum + metricOf(sizes, `vm_data_size_bytes{type="${type}"}`),
        0,
      );
      return {
        waitedS: Math.round((Date.now() - started) / 1000),
        settled: stable >= 5 && stored >= rows,
        storedRows: stored,
        reportedBytes: reported,
        method:
          'GET /internal/force_flush, waited until vm_rows held every sample with none pending, waited 6 s (in-memory parts reach disk about 5 s later), then /internal/force_merge, and waited until no merge ran and data/ and indexdb/ stopped changing for 5 s',
        data: folderSize(join(dir, 'data')),
        indexdb: folderSize(join(dir, 'indexdb')),
        total: folderSize(dir),
      };
    },
  };
  return peer;
}

/**
 * Starts the peers that can run, installing missing ones first.
 * @param {PeerName[]} wanted
 * @param {string} root their data folders go here
 * @returns {Promise<{ peers: Peer[], skipped: Array<{ name: PeerName, label: string, reason: string }> }>}
 */
async function startPeers(wanted, root) {
  /** @type {Array<{ name: PeerName, label: string, reason: string }>} */
  const skipped = [];
  /** @type {Peer[]} */
  const peers = [];
  if (wanted.length === 0) return { peers, skipped };
  const installFailure = installMissing(wanted);
  for (const name of wanted) {
    const { label, binary } = PEER_BINARIES[name];
    if (!existsSync(binary)) {
      skipped.push({
        name,
        label,
        reason: `${binary} is not installed and ${installFailure ?? 'could not be installed'}`,
      });
      continue;
    }
    try {
      peers.push(name === 'influxdb' ? await startInflux(root) : await startVictoria(root));
    } catch (error) {
      skipped.push({
        name,
        label,
        reason: `it did not start: ${error instanceof Error ? error.message : String(error)}`,
      });
    }
  }
  return { peers, skipped };
}

/**
 * Writes line protocol bodies to a peer, `concurrency` at a time; resolves with samples/s.
 * @param {Peer} peer
 * @param {Iterable<Buffer>} bodies
 * @param {number} concurrency
 */
async function writeLines(peer, bodies, concurrency = 4) {
  const iterator = bodies[Symbol.iterator]();
  let lines = 0;
  const started = Date.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      for (let next = iterator.next(); !next.done; next = iterator.next()) {
        const body = next.value;
        const response = await call(`${peer.url}${peer.writePath}`, {
          method: 'POST',
          headers: { 'content-type': 'text/plain', 'content-length': String(body.length) },
          body,
        });
        if (response.status < 200 || response.status >= 300) {
          throw new Error(`${peer.label} /write answered ${response.status}: ${response.text.slice(0, 300)}`);
        }
        for (let i = 0; i < body.length; i++) if (body[i] === 10) lines++;
      }
    }),
  );
  const seconds = (Date.now() - started) / 1000;
  return { samples: lines, seconds: Math.round(seconds * 10) / 10, samplesPerS: Math.round(lines / seconds) };
}

module.exports = { PEER_NAMES, PEER_BINARIES, startPeers, writeLines, folderSize, call };
