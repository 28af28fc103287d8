'use strict';

/**
 * What `npm run load` and `npm run scale` share: the built service as a child process, autocannon
 * runs against it, and a pg session on a server.
 */

const { spawn } = require('node:child_process');
const { createServer } = require('node:net');
const { resolve } = require('node:path');

const autocannon = require('autocannon');
const { Client } = require('pg');

const ROOT = resolve(__dirname, '..');

/** `connections` connections sending `requests` (autocannon's) to `url` for `duration` seconds. */
function run(url, requests, duration, connections = 16) {
  return new Promise((done, fail) => {
    autocannon({ url, connections, duration, requests, timeout: 10 }, (error, result) =>
      error ? fail(error) : done(result),
    );
  });
}

/** Starts `node dist/src/main.js` with `env` on a free loopback port; resolves once it is ready. */
async function startService(env) {
  const port = await freePort();
  const child = spawn(process.execPath, ['dist/src/main.js'], {
    cwd: ROOT,
    env: { PATH: process.env.PATH, HOME: process.env.HOME, ...env, PORT: String(port), HOST: '127.0.0.1' },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`the service exited with ${child.exitCode}`);
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error('the service did not start within 60 s');
    }
    const ready = await fetch(`${url}/health/ready`).then(
      (r) => r.ok,
      () => false,
    );
    if (ready) break;
    await new Promise((r) => setTimeout(r, 250));
  }
  return {
    url,
    pid: child.pid,
    stop: () =>
      new Promise((done) => {
        if (child.exitCode !== null) return done();
        child.once('exit', () => done());
        child.kill('SIGTERM');
      }),
  };
}

function freePort() {
  return new Promise((done, fail) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => done(port));
    });
    server.on('error', fail);
  });
}

/** Runs `work` on a pg session of `url`, closed afterwards. */
async function onServer(url, work) {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

module.exports = { onServer, run, startService };
