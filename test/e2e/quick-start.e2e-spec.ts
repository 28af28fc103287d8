import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

import { TEST_DATABASE_URL_VARIABLE } from '../support/test-database';

const ROOT = resolve(__dirname, '..', '..');

/**
 * The README's promise, as a user lives it: the compiled server starts on a fresh data directory
 * with no key configured, `npm run token` prints a token it accepts, and the seed's curl works.
 */
describe('quick start: the built server, a dev token and the seed request', () => {
  let dataDir: string;
  let server: ChildProcess;
  let output = '';
  let baseUrl: string;

  const env = (): NodeJS.ProcessEnv => {
    const databaseUrl = process.env[TEST_DATABASE_URL_VARIABLE];
    const base: NodeJS.ProcessEnv = {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      DATA_DIR: dataDir,
      LOG_LEVEL: 'info',
    };
    return databaseUrl ? { ...base, DATABASE_URL: databaseUrl } : base;
  };

  beforeAll(async () => {
    execFileSync(process.execPath, [join(ROOT, 'node_modules/@nestjs/cli/bin/nest.js'), 'build'], {
      cwd: ROOT,
      stdio: 'pipe',
    });
    dataDir = mkdtempSync(join(tmpdir(), 'dtapi-quickstart-'));
    server = spawn(process.execPath, ['dist/src/main.js'], {
      cwd: ROOT,
      env: { ...env(), PORT: '0', HOST: '127.0.0.1' },
    });
    baseUrl = await new Promise<string>((resolveUrl, reject) => {
      const timer = setTimeout(() => reject(new Error(`server did not start:\n${output}`)), 30_000);
      const onData = (chunk: Buffer) => {
        output += chunk.toString();
        const match = /Server listening at (http:\/\/127\.0\.0\.1:\d+)/.exec(output);
        if (match?.[1]) {
          clearTimeout(timer);
          resolveUrl(match[1]);
        }
      };
      server.stdout?.on('data', onData);
      server.stderr?.on('data', onData);
      server.once('exit', (code) => reject(new Error(`server exited with ${code}:\n${output}`)));
    });
  });

  afterAll(() => {
    if (server.exitCode === null) server.kill('SIGKILL');
    rmSync(dataDir, { recursive: true, force: true });
  });

  it("answers the seed's curl with a token from npm run token, and says how to get one", async () => {
    const messages = output
      .split('\n')
      .filter((line) => line.startsWith('{'))
      .map((line) => (JSON.parse(line) as { msg?: string }).msg);
    expect(messages).toContain(
      'Get a development token: npm run token -- --scope "apollo_read apollo_write" --collections testcollection',
    );
    expect(messages).toContain(`Device timeseries API listening on ${baseUrl}`);
    const token = execFileSync(
      process.execPath,
      ['dist/src/scripts/token.js', '--scope', 'apollo_read apollo_write', '--collections', 'testcollection'],
      { cwd: ROOT, env: env() },
    )
      .toString()
      .trim();

    const response = await fetch(`${baseUrl}/apollo/devices/TestDevice-${Date.now()}/timeseries`, {
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
    const requestLines = output
      .split('\n')
      .filter((line) => line.includes('764ff302-7ba1-42dc-bd4e-e1e883e9a76b'))
      .map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(requestLines.length).toBeGreaterThan(0);
    expect(requestLines.every((line) => line.correlationId === '764ff302-7ba1-42dc-bd4e-e1e883e9a76b')).toBe(true);
    expect(output).not.toContain(token);
  });

  it('stops cleanly on SIGTERM', async () => {
    const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((r) =>
      server.once('exit', (code, signal) => r({ code, signal })),
    );
    server.kill('SIGTERM');
    const { code, signal } = await exited;
    expect(code === 0 || signal === 'SIGTERM').toBe(true);
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
