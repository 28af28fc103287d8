import { Writable } from 'node:stream';

import fastify from 'fastify';
import pino from 'pino';

import { RequestLogController } from '../../src/common/request-log';

/** A Fastify app logging through RequestLogController into memory, at `level`. */
async function appLoggingAt(level: string, controller = new RequestLogController()) {
  const lines: Array<Record<string, unknown>> = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      for (const line of chunk.toString().split('\n').filter(Boolean)) lines.push(JSON.parse(line));
      done();
    },
  });
  const app = fastify({ loggerInstance: pino({ level }, sink), logController: controller });
  app.get('/things/:id', () => ({ ok: true }));
  await app.ready();
  return { app, lines };
}

describe('RequestLogController', () => {
  it('logs one line per request at info, with the request, the status, the time and the correlation id', async () => {
    const { app, lines } = await appLoggingAt('info');
    await app.inject({ method: 'GET', url: '/things/7?x=1' });
    await app.inject({ method: 'GET', url: '/nowhere' });
    await app.close();

    const requestLines = lines.filter((line) => line.msg === 'request completed');
    expect(lines.filter((line) => line.msg === 'incoming request')).toHaveLength(0);
    expect(requestLines).toHaveLength(2);
    expect(requestLines[0]).toMatchObject({
      level: 30,
      correlationId: expect.any(String),
      req: { method: 'GET', url: '/things/7?x=1' },
      res: { statusCode: 200 },
      responseTime: expect.any(Number),
    });
    expect(requestLines[1]).toMatchObject({ req: { url: '/nowhere' }, res: { statusCode: 404 } });
  });

  it('adds the incoming line at debug, for following a request that has not finished', async () => {
    const { app, lines } = await appLoggingAt('debug');
    await app.inject({ method: 'GET', url: '/things/8' });
    await app.close();

    const incoming = lines.find((line) => line.msg === 'incoming request');
    const completed = lines.find((line) => line.msg === 'request completed');
    expect(incoming).toMatchObject({ level: 20, req: { url: '/things/8' } });
    expect(completed?.correlationId).toBe(incoming?.correlationId);
  });

  it('logs no request line when request logging is disabled', async () => {
    const { app, lines } = await appLoggingAt('debug', new RequestLogController({ disableRequestLogging: true }));
    await app.inject({ method: 'GET', url: '/things/9' });
    await app.close();

    expect(lines.filter((line) => line.msg === 'incoming request' || line.msg === 'request completed')).toEqual([]);
  });
});
