import { execFileSync } from 'node:child_process';
import { request as httpRequest } from 'node:http';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { buildServer, ROOT, startServer, type ServerProcess } from '../support/server-process';
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
    const base: NodeJS.ProcessEnv = { DATA_DIR: dataDir, LOG_LEVEL: 'debug' };
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
    buildServer();
    dataDir = mkdtempSync(join(tmpdir(), 'dtapi-quickstart-'));
    server = await startServer(env());
  });

  afterAll(async () => {
    await server.stop('SIGKILL');
    rmSync(dataDir, { recursive: true, force: true });
  });

  it("answers the seed's curl with a token from npm run token, and says how to get one", async () => {
    const messages = server.messages();
    expect(messages).toContain(
      'Get a development token: npm run token -- --scope "apollo_read apollo_write" --collections testcollection',
    );
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

    // Structured JSON logs carry the correlation id and never the token.
    await new Promise((r) => setTimeout(r, 100));
    const requestLines = server
      .output()
      .split('\n')
      .filter((line) => line.includes('764ff302-7ba1-42dc-bd4e-e1e883e9a76b'))
      .map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(requestLines.length).toBeGreaterThan(0);
    expect(requestLines.every((line) => line.correlationId === '764ff302-7ba1-42dc-bd4e-e1e883e9a76b')).toBe(true);
    expect(server.output()).not.toContain(token);
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
    const signalled = messages.indexOf('SIGTERM received: finishing in-flight requests (at most 10000 ms)');
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
  const start = (env: NodeJS.ProcessEnv) => {
    try {
      execFileSync(process.execPath, ['dist/src/main.js'], {
        cwd: ROOT,
        env: { PATH: process.env.PATH, DATA_DIR: mkdtempSync(join(tmpdir(), 'dtapi-refuse-')), PORT: '0', ...env },
        stdio: 'pipe',
        timeout: 30_000,
      });
      return { status: 0, stderr: '' };
    } catch (error) {
      const failure = error as { status: number; stderr: Buffer };
      return { status: failure.status, stderr: failure.stderr.toString() };
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

  it('refuses a bad setting with a sentence naming the variable', () => {
    const result = start({ PORT: 'eighty' });
    expect(result.status).toBe(1);
    expect(result.stderr).toBe('Configuration error: PORT must be a whole number from 0 to 65535, got "eighty".\n');
  });
});
