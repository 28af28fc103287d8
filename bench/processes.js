'use strict';

/**
 * The servers under test run as child processes, one Node.js process each, like in production.
 * Their standard output (the pino request logs, at LOG_LEVEL=info) goes to /dev/null: the service
 * pays for building every log line, not for a disk or a terminal that would differ between
 * machines. Standard error is kept to explain a failed start.
 */

const { execFileSync, spawn } = require('node:child_process');
const { readFileSync } = require('node:fs');
const http = require('node:http');
const { createServer } = require('node:net');
const process = require('node:process');
const { clearTimeout, setTimeout } = require('node:timers');
const { setTimeout: sleep } = require('node:timers/promises');

const { Client } = require('pg');

const STDERR_KEPT = 16 * 1024;

/** A free TCP port on the loopback interface. */
function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    });
  });
}

/**
 * The status code of GET `url`.
 * @param {string} url
 * @returns {Promise<number>}
 */
function getStatus(url) {
  return new Promise((resolve, reject) => {
    const request = http.get(url, (response) => {
      response.resume();
      resolve(response.statusCode ?? 0);
    });
    request.on('error', reject);
    request.setTimeout(5000, () => request.destroy(new Error(`GET ${url} timed out`)));
  });
}

/**
 * @typedef {object} ServerProcess
 * @property {string} name
 * @property {string} url
 * @property {import('node:child_process').ChildProcess} child
 * @property {() => string} stderr
 */

/**
 * Starts `node <args>` with `env` and waits until GET `readyPath` answers 200.
 * @param {{ name: string, args: string[], env: Record<string, string>, readyPath: string, timeoutMs?: number }} options
 * @returns {Promise<ServerProcess>}
 */
async function startServer({ name, args, env, readyPath, timeoutMs = 60_000 }) {
  const port = await freePort();
  const child = spawn(process.execPath, args, {
    env: { ...env, PORT: String(port), HOST: '127.0.0.1' },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr?.on('data', (chunk) => {
    stderr = (stderr + String(chunk)).slice(-STDERR_KEPT);
  });
  /** @type {number | null | undefined} */
  let exitCode;
  child.once('exit', (code) => {
    exitCode = code;
  });

  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (exitCode !== undefined) {
      throw new Error(`${name} exited with code ${exitCode} before it was ready:\n${stderr.trim()}`);
    }
    try {
      if ((await getStatus(`${url}${readyPath}`)) === 200) return { name, url, child, stderr: () => stderr };
    } catch {
      // not listening yet
    }
    await sleep(100);
  }
  child.kill('SIGKILL');
  throw new Error(`${name} was not ready within ${timeoutMs} ms:\n${stderr.trim()}`);
}

/**
 * Stops a server: SIGTERM, then SIGKILL after `graceMs`.
 * @param {ServerProcess | undefined} server
 * @param {number} [graceMs]
 */
async function stopServer(server, graceMs = 10_000) {
  if (!server || server.child.exitCode !== null || server.child.signalCode !== null) return;
  const exited = new Promise((resolve) => server.child.once('exit', resolve));
  server.child.kill('SIGTERM');
  const timer = setTimeout(() => server.child.kill('SIGKILL'), graceMs);
  await exited;
  clearTimeout(timer);
}

let clockTicks = 0;

/**
 * Resident memory (bytes) and CPU time used so far (ms, user + system) of a process, from /proc
 * (Linux); nulls elsewhere.
 * @param {number | undefined} pid
 * @returns {{ rssBytes: number | null, cpuMs: number | null }}
 */
function processUsage(pid) {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const rssKb = Number(/^VmRSS:\s+(\d+)\s+kB/m.exec(status)?.[1]);
    // Fields after the command name (which may contain spaces) of /proc/<pid>/stat: utime is the 14th field.
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    clockTicks ||= Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
    const ticks = Number(fields[11]) + Number(fields[12]);
    return { rssBytes: rssKb * 1024, cpuMs: (ticks * 1000) / clockTicks };
  } catch {
    return { rssBytes: null, cpuMs: null };
  }
}

/**
 * Busy and total CPU time of the whole machine so far (all cores, in clock ticks), from /proc/stat.
 * @returns {{ busy: number, total: number } | null}
 */
function machineCpu() {
  try {
    const [, ...values] = readFileSync('/proc/stat', 'utf8').split('\n', 1)[0].trim().split(/\s+/);
    const ticks = values.map(Number);
    const total = ticks.reduce((a, b) => a + b, 0);
    const idle = ticks[3] + (ticks[4] ?? 0);
    return { busy: total - idle, total };
  } catch {
    return null;
  }
}

/**
 * CPU time used so far (ms) by each of the given processes, from /proc; a process that is gone is
 * left out.
 * @param {number[]} pids
 * @returns {Map<number, number>}
 */
function cpuByPid(pids) {
  /** @type {Map<number, number>} */
  const out = new Map();
  for (const pid of pids) {
    const { cpuMs } = processUsage(pid);
    if (cpuMs != null) out.set(pid, cpuMs);
  }
  return out;
}

/**
 * The PostgreSQL backends serving the benchmark database (its pools and clients), not the rest of
 * the server: other databases on a shared server would otherwise count.
 * @param {string} databaseUrl
 * @returns {Promise<number[]>}
 */
async function benchmarkBackends(databaseUrl) {
  const client = new Client({ connectionString: databaseUrl, application_name: 'device-timeseries-bench-meter' });
  await client.connect();
  try {
    const { rows } = await client.query(
      'SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()',
    );
    return rows.map((row) => Number(row.pid));
  } finally {
    await client.end();
  }
}

/**
 * Starts measuring where the CPU goes during a run: the server process (when there is one), the
 * PostgreSQL backends of the benchmark database (those open at the start or at the end; one that
 * opens and closes within the run is missed), this process (the load generator), and the machine.
 * @param {number | undefined} serverPid
 * @param {string} databaseUrl
 */
async function startCpuMeter(serverPid, databaseUrl) {
  const server = serverPid === undefined ? null : processUsage(serverPid).cpuMs;
  const backendsBefore = cpuByPid(await benchmarkBackends(databaseUrl));
  const own = process.cpuUsage();
  const machine = machineCpu();
  /**
   * CPU ms per request of each part, and how busy the machine was (%).
   * @param {number} requests
   */
  return async (requests) => {
    const ownUsed = process.cpuUsage(own);
    const machineAfter = machineCpu();
    const serverAfter = serverPid === undefined ? null : processUsage(serverPid).cpuMs;
    const backendsAfter = cpuByPid(await benchmarkBackends(databaseUrl));
    let postgres = 0;
    for (const [pid, after] of backendsAfter) postgres += after - (backendsBefore.get(pid) ?? 0);
    const perRequest = (/** @type {number | null} */ used) =>
      used == null || requests === 0 ? null : Math.round((used / requests) * 1000) / 1000;
    return {
      cpuMsPerRequest: server == null || serverAfter == null ? null : perRequest(serverAfter - server),
      postgresCpuMsPerRequest: perRequest(postgres),
      loadCpuMsPerRequest: perRequest((ownUsed.user + ownUsed.system) / 1000),
      machineBusyPct:
        machine && machineAfter && machineAfter.total > machine.total
          ? Math.round(((machineAfter.busy - machine.busy) / (machineAfter.total - machine.total)) * 1000) / 10
          : null,
    };
  };
}

module.exports = {
  startCpuMeter,
  machineCpu,
  getStatus,
  freePort,
  startServer,
  stopServer,
  processUsage,
};
