import { execFileSync } from 'node:child_process';
import { request as httpRequest } from 'node:http';
import { connect } from 'node:net';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { gzipSync } from 'node:zlib';
import { join } from 'node:path';

import { ROOT, startServer, type ServerProcess } from '../support/server-process';
import { TEST_DATABASE_URL_VARIABLE } from '../support/test-database';

/**
 * The README's promise, as a user lives it: the compiled server starts on a fresh data directory
 * with no key configured, `npm run token` prints a token it accepts, and the seed's curl works.
 */
describe('quick start: the built server, a dev token and the seed request', () => {
  let dataDir: string;
  let server: ServerProcess;

  const env = (): NodeJS.ProcessEnv => {
    const databaseUrl = process.env[TEST_DATABASE_URL_VARIABLE];
    // debug: the shutdown test waits for the request's "incoming request" line (info logs one line, at the end).
    // A grace period no busy machine runs out of: the shutdown test's request must finish in it.
    const base: NodeJS.ProcessEnv = { DATA_DIR: dataDir, LOG_LEVEL: 'debug', SHUTDOWN_GRACE_MS: '60000' };
    return databaseUrl ? { ...base, DATABASE_URL: databaseUrl } : base;
  };
  const devToken = () =>
    execFileSync(
      process.execPath,
      ['dist/src/scripts/token.js', '--scope', 'apollo_read apollo_write', '--collections', 'testcollection'],
      { cwd: ROOT, env: { PATH: process.env.PATH, ...env() } },
    )
      .toString()
      .trim();

  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'dtapi-quickstart-'));
    server = await startServer(env());
  });

  afterAll(async () => {
    await server?.stop('SIGKILL');
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });

  it("answers the seed's curl with a token from npm run token, and says how to get one", async () => {
    // main.ts logs its lines after Fastify's "Server listening", which startServer waits for.
    const hint =
      'Get a development token: npm run token -- --scope "apollo_read apollo_write" --collections testcollection';
    for (let i = 0; i < 200 && !server.messages().includes(hint); i++) {
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    const messages = server.messages();
    expect(messages).toContain(hint);
    expect(messages).toContain(`Device timeseries API listening on ${server.baseUrl}`);
    const token = devToken();

    const response = await fetch(`${server.baseUrl}/apollo/devices/TestDevice-${Date.now()}/timeseries`, {
      method: 'POST',
      headers: {
        Authorization: `Bearer ${token}`,
        'Content-Type': 'application/json',
        ercollectionid: 'testcollection',
        'x-correlation-id': '764ff302-7ba1-42dc-bd4e-e1e883e9a76b',
      },
      body: JSON.stringify([
        { id: 'PointId1', pointType: 'temperature' },
        { id: 'PointId2', pointType: 'humidity' },
      ]),
    });

    expect(response.status).toBe(202);
    const body = (await response.json()) as { status: unknown; data: { relationships: Array<{ pointId: string }> } };
    expect(body.status).toEqual({ Message: '', Code: '202' });
    expect(body.data.relationships.map((r) => r.pointId)).toEqual(['PointId1', 'PointId2']);

    // Structured JSON logs carry the correlation id and never the token (the request's line comes
    // once it completed: wait for it rather than for a while).
    while (!server.messages().includes('request completed')) await new Promise((r) => setTimeout(r, 20));
    const requestLines = server
      .output()
      .split('\n')
      .filter((line) => line.includes('764ff302-7ba1-42dc-bd4e-e1e883e9a76b'))
      .map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(requestLines.length).toBeGreaterThan(0);
    expect(requestLines.every((line) => line.correlationId === '764ff302-7ba1-42dc-bd4e-e1e883e9a76b')).toBe(true);
    expect(server.output()).not.toContain(token);
  });

  it('serves the explorer from the build: the page and the files it names (nest-cli.json copies them)', async () => {
    const page = await fetch(`${server.baseUrl}/explore`);
    expect(page.status).toBe(200);
    const html = await page.text();
    const files = [...html.matchAll(/(?:src|href)="(\/explore\/[^"]+)"/g)].map((match) => match[1]!);
    expect(files).toHaveLength(4);
    for (const file of [...files, '/explore/main.js', '/explore/chart.js']) {
      expect({ file, status: (await fetch(`${server.baseUrl}${file}`)).status }).toEqual({ file, status: 200 });
    }
  });

  it("lets Node's fetch (undici) read the 413 of a body over the limit, on both body-limited routes", async () => {
    const token = devToken();
    const deviceId = `limits-${Date.now()}`;
    const post = (path: string, body: Buffer, headers: Record<string, string> = {}) =>
      fetch(`${server.baseUrl}/apollo/devices/${deviceId}/${path}`, {
        method: 'POST',
        headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json', ...headers },
        body,
      }).then(async (response) => [response.status, ((await response.json()) as { status: unknown }).status]);
    // Four times each route's limit: the server answers long before the client has sent it all.
    const over = (bytes: number) => Buffer.from(`[${' '.repeat(bytes)}]`);
    expect(await post('timeseries', over(4 * 2 * 1024 * 1024))).toEqual([
      413,
      { Message: 'Request body is larger than the limit of 2097152 bytes', Code: '413' },
    ]);
    expect(await post('timeseries/samples', over(4 * 8 * 1024 * 1024))).toEqual([
      413,
      { Message: 'Request body is larger than the limit of 8388608 bytes', Code: '413' },
    ]);
    // A small gzip body that inflates past the limit: refused while the client may still be sending.
    expect(await post('timeseries/samples', gzipSync(over(9 * 1024 * 1024)), { 'Content-Encoding': 'gzip' })).toEqual([
      413,
      { Message: 'Request body is larger than the limit of 8388608 bytes', Code: '413' },
    ]);
    // The connection the refused bodies were drained from serves the next request.
    expect(await post('timeseries', Buffer.from('[{"id":"p","pointType":"t"}]'))).toEqual([
      202,
      { Message: '', Code: '202' },
    ]);
  });

  it('serves the next request on the connection a refused body was drained from; closes one declared too large', async () => {
    const { hostname, port } = new URL(server.baseUrl);
    const socket = connect(Number(port), hostname);
    const received: Buffer[] = [];
    socket.on('data', (chunk: Buffer) => received.push(chunk));
    const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()));
    const answers = () =>
      Buffer.concat(received)
        .toString('latin1')
        .match(/HTTP\/1\.1 \d{3}/g) ?? [];
    const until = async (condition: () => boolean) => {
      while (!condition()) await new Promise((r) => setTimeout(r, 20));
    };
    // 3 MiB to a route of 2 MiB, then a second request on the same connection.
    const body = `[${' '.repeat(3 * 1024 * 1024)}]`;
    socket.write(
      `POST /apollo/devices/d/timeseries HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\n\r\n`,
    );
    socket.write(body);
    socket.write('GET /health HTTP/1.1\r\nHost: x\r\n\r\n');
    await until(() => answers().length >= 2);
    expect(answers()).toEqual(['HTTP/1.1 413', 'HTTP/1.1 200']);
    socket.destroy();
    await closed;

    // A declared length beyond what the server drains (64 MiB): the 413, then the connection closes.
    const big = connect(Number(port), hostname);
    const bigAnswer: Buffer[] = [];
    big.on('data', (chunk: Buffer) => bigAnswer.push(chunk));
    const bigClosed = new Promise<void>((resolve) => big.once('close', () => resolve()));
    big.on('error', () => undefined);
    big.write(
      `POST /apollo/devices/d/timeseries HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: ${200 * 1024 * 1024}\r\n\r\n[`,
    );
    await bigClosed;
    expect(Buffer.concat(bigAnswer).toString('latin1')).toMatch(/^HTTP\/1\.1 413/);
  });

  it('finishes and commits a 1000-point POST in flight on SIGTERM, then exits 0', async () => {
    const token = devToken();
    const deviceId = `shutdown-${Date.now()}`;
    const points = Array.from({ length: 1000 }, (_, i) => ({ id: `p${i}`, pointType: 'temperature' }));
    const body = JSON.stringify(points);
    // Half the body now, the rest after the signal: the request is in flight when SIGTERM arrives.
    const request = httpRequest(`${server.baseUrl}/apollo/devices/${deviceId}/timeseries`, {
      method: 'POST',
      headers: {
        Authorization: `Bearer ${token}`,
        'Content-Type': 'application/json',
        'Content-Length': Buffer.byteLength(body),
      },
    });
    const answered = new Promise<number>((resolveStatus, reject) => {
      request.on('response', (response) => {
        response.resume();
        resolveStatus(response.statusCode ?? 0);
      });
      request.on('error', reject);
    });
    request.write(body.slice(0, body.length / 2));
    while (!server.output().includes(`/apollo/devices/${deviceId}/timeseries`)) {
      await new Promise((r) => setTimeout(r, 10));
    }
    const stopped = server.stop('SIGTERM');
    while (!server.messages().some((m) => m.startsWith('SIGTERM received'))) {
      await new Promise((r) => setTimeout(r, 10));
    }
    request.end(body.slice(body.length / 2));

    expect(await answered).toBe(202);
    // Exit 0, not 1 after the grace period: the POST's keep-alive connection did not hold it open.
    expect(await stopped).toEqual({ code: 0, signal: null });
    const messages = server.messages();
    const signalled = messages.indexOf('SIGTERM received: finishing in-flight requests (at most 60000 ms)');
    expect(signalled).toBeGreaterThan(-1);
    // The POST was still in flight when the signal came: it completed after it.
    expect(messages.lastIndexOf('request completed')).toBeGreaterThan(signalled);
    expect(messages[messages.length - 1]).toBe('Shut down cleanly');

    // The data is there for the next process.
    server = await startServer(env());
    const listed = await fetch(`${server.baseUrl}/apollo/devices/${deviceId}/timeseries?limit=1000`, {
      headers: { Authorization: `Bearer ${token}` },
    });
    const page = (await listed.json()) as { data: { relationships: unknown[] } };
    expect(page.data.relationships).toHaveLength(1000);
  });
});

describe('start-up refusals', () => {
  /** Starts the built server with `env` (on `node`), expecting it to stop: its exit status and stderr. */
  const start = (env: NodeJS.ProcessEnv, node = process.execPath) => {
    const dataDir = mkdtempSync(join(tmpdir(), 'dtapi-refuse-'));
    try {
      execFileSync(node, ['dist/src/main.js'], {
        cwd: ROOT,
        env: { PATH: process.env.PATH, DATA_DIR: dataDir, PORT: '0', ...env },
        stdio: 'pipe',
        timeout: 120_000,
      });
      return { status: 0, stderr: '' };
    } catch (error) {
      const failure = error as { status: number; stderr: Buffer };
      return { status: failure.status, stderr: failure.stderr.toString() };
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  };

  it('refuses to start in production without a JWT key, saying what to set', () => {
    const result = start({ NODE_ENV: 'production', CONTINUATION_SECRET: 'c'.repeat(32) });
    expect(result.status).toBe(1);
    expect(result.stderr).toContain(
      'Configuration error: No JWT verification key is configured: set JWT_JWKS_URI or JWT_PUBLIC_KEY',
    );
  });

  it('refuses to start in production without CONTINUATION_SECRET, which every instance must share', () => {
    const result = start({ NODE_ENV: 'production', JWT_SECRET: 'j'.repeat(32), JWT_ALGORITHMS: 'HS256' });
    expect(result.status).toBe(1);
    expect(result.stderr).toBe(
      'Configuration error: CONTINUATION_SECRET must be set in production (the same value on every instance).\n',
    );
  });

  /** An older Node.js on this machine (Debian's /usr/bin/node is 20 on these machines), if there is one. */
  const olderNode = (() => {
    try {
      const version = execFileSync('/usr/bin/node', ['--version']).toString().trim();
      return Number(/^v(\d+)/.exec(version)?.[1]) < 24 ? { path: '/usr/bin/node', version } : undefined;
    } catch {
      return undefined;
    }
  })();

  (olderNode ? it : it.skip)(
    `refuses to start on ${olderNode?.version ?? 'an older Node.js (none here)'} with one line`,
    () => {
      const result = start({}, olderNode!.path);
      expect(result).toEqual({
        status: 1,
        stderr: `Node.js 24.11 or later is required (package.json engines ">=24.11"), this is Node.js ${olderNode!.version.slice(1)}: install Node.js 24 LTS (see .nvmrc).\n`,
      });
    },
  );

  it('refuses a bad setting with a sentence naming the variable', () => {
    const result = start({ PORT: 'eighty' });
    expect(result.status).toBe(1);
    expect(result.stderr).toBe('Configuration error: PORT must be a whole number from 0 to 65535, got "eighty".\n');
  });
});
