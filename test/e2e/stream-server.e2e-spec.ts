import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { SseClient } from '../support/sse-client';
import { startServer, type ServerProcess } from '../support/server-process';
import { TEST_DATABASE_URL_VARIABLE } from '../support/test-database';
import { token, TRUSTED_PUBLIC_KEY_PEM, uniqueCollection, uniqueDevice } from '../support/tokens';

const databaseUrl = process.env[TEST_DATABASE_URL_VARIABLE];
const onServer = databaseUrl ? describe : describe.skip;
if (!databaseUrl) {
  process.stdout.write(
    '\nStream across instances skipped: two instances need a PostgreSQL server (run npm test with DATABASE_URL); SIGTERM runs on PGlite too.\n',
  );
}

/**
 * Live samples as deployed: server processes (`node dist/src/main.js`). On PostgreSQL, two instances
 * of one database: a write on one reaches a stream on the other (NOTIFY), and a stream resumes on
 * the other instance with Last-Event-ID. On both databases, SIGTERM ends the streams with `shutdown`
 * and the process exits cleanly, without waiting for its grace period.
 */
describe('Live samples stream, server processes', () => {
  const dataDirs: string[] = [];
  const collection = uniqueCollection();
  const writer = token({ scope: 'apollo_read apollo_write', collections: [collection], sub: 'stream-server' });
  let n = 0;

  const start = async (env: Record<string, string> = {}): Promise<ServerProcess> => {
    const dataDir = mkdtempSync(join(tmpdir(), 'dtapi-stream-'));
    dataDirs.push(dataDir);
    return startServer({
      DATA_DIR: dataDir,
      JWT_PUBLIC_KEY: TRUSTED_PUBLIC_KEY_PEM,
      RATE_LIMIT_PER_MINUTE: '0',
      SHUTDOWN_GRACE_MS: '20000',
      ...(databaseUrl ? { DATABASE_URL: databaseUrl, DB_MIGRATIONS_RUN: 'false' } : {}),
      ...env,
    });
  };
  const call = async (server: ServerProcess, path: string, method = 'GET', body?: unknown) => {
    const response = await fetch(`${server.baseUrl}${path}`, {
      method,
      headers: { authorization: `Bearer ${writer}`, 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    return { status: response.status, body: (await response.json()) as { data: unknown } };
  };
  const register = async (server: ServerProcess) => {
    const deviceId = uniqueDevice('stream');
    const answer = await call(server, `/apollo/devices/${deviceId}/timeseries`, 'POST', [{ id: 'p', pointType: 't' }]);
    const data = answer.body.data as { relationships: Array<{ timeseriesId: string }> };
    return { deviceId, timeseriesId: data.relationships[0]!.timeseriesId };
  };
  const write = async (server: ServerProcess, d: { deviceId: string; timeseriesId: string }) => {
    const val = ++n;
    const answer = await call(server, `/apollo/devices/${d.deviceId}/timeseries/samples`, 'POST', [
      { timeseriesId: d.timeseriesId, timestamp: new Date(Date.UTC(2026, 11, 2) + val * 1000).toISOString(), val },
    ]);
    expect(answer.status).toBe(202);
    return val;
  };
  const stream = (server: ServerProcess, d: { deviceId: string; timeseriesId: string }, lastEventId?: string) =>
    SseClient.open(
      `${server.baseUrl}/apollo/devices/${d.deviceId}/timeseries/samples/stream?timeseries_ids=${d.timeseriesId}`,
      {
        authorization: `Bearer ${writer}`,
        ...(lastEventId ? { 'last-event-id': lastEventId } : {}),
      },
    );
  const values = (client: SseClient) =>
    client.named('samples').flatMap((e) => (JSON.parse(e.data) as Array<{ val: number }>).map((s) => s.val));

  afterAll(() => {
    for (const dir of dataDirs) rmSync(dir, { recursive: true, force: true });
  });

  onServer('two instances on one PostgreSQL', () => {
    let a: ServerProcess;
    let b: ServerProcess;
    beforeAll(async () => {
      [a, b] = await Promise.all([start(), start()]);
    });
    afterAll(async () => {
      await Promise.all([a, b].map((server) => server?.stop('SIGKILL')));
    });

    it('sends a write on one instance to a stream on the other, and resumes there with nothing lost or repeated', async () => {
      const d = await register(a);
      const onB = await stream(b, d);
      const first = await write(a, d);
      await onB.until((c) => c.named('samples').length === 1);
      onB.close();
      const missed = [await write(a, d), await write(b, d), await write(a, d)];
      const onA = await stream(a, d, onB.lastEventId);
      await onA.until((c) => c.named('samples').length === 3);
      const live = await write(b, d);
      await onA.until((c) => c.named('samples').length === 4);
      expect(values(onB)).toEqual([first]);
      expect(values(onA)).toEqual([...missed, live]);
      onA.close();
    });
  });

  it('ends open streams with `shutdown` on SIGTERM and exits cleanly at once', async () => {
    const server = await start();
    const d = await register(server);
    const client = await stream(server, d);
    await write(server, d);
    await client.until((c) => c.named('samples').length === 1);
    const started = Date.now();
    const exit = await server.stop('SIGTERM');
    await client.until((c) => c.ended);
    expect(exit).toEqual({ code: 0, signal: null });
    expect(Date.now() - started).toBeLessThan(15_000);
    expect(client.events.at(-1)?.event).toBe('shutdown');
    expect(server.messages()).toContain('Shut down cleanly');
  });
});
