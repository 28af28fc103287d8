import { readFileSync } from 'node:fs';
import { join } from 'node:path';

import type { OpenAPIObject } from '@nestjs/swagger';
import fastify from 'fastify';

import { documentedResponses, serializeResponsesAsDocumented } from '../../src/openapi/response-serialization';

/** The committed document: the drift test keeps it equal to what the code generates. */
const document = JSON.parse(readFileSync(join(__dirname, '..', '..', 'docs', 'openapi.json'), 'utf8')) as OpenAPIObject;

const DEVICE_ROUTE = '/apollo/devices/:deviceId/timeseries';

describe('serializeResponsesAsDocumented', () => {
  it('answers a documented success with exactly the documented fields, nulls included', async () => {
    const app = fastify();
    const attached = serializeResponsesAsDocumented(app, document);
    app.get(DEVICE_ROUTE, () => ({
      status: { Message: '', Code: '200', internal: 'not documented' },
      data: {
        deviceId: 'd1',
        relationships: [
          {
            pointId: 'p1',
            pointType: 'temperature',
            timeseriesId: '0b5bd0a4-4c7e-4a8c-9d0c-3f4b1de3b6a1',
            status: 'active',
            createdAt: '2026-11-26T08:00:00.000Z',
            collectionId: 'not documented either',
          },
        ],
        continuationToken: null,
      },
      debug: { sql: 'not documented' },
    }));
    await app.ready();

    const response = await app.inject({ method: 'GET', url: '/apollo/devices/d1/timeseries' });
    expect(response.json()).toEqual({
      status: { Message: '', Code: '200' },
      data: {
        deviceId: 'd1',
        relationships: [
          {
            pointId: 'p1',
            pointType: 'temperature',
            timeseriesId: '0b5bd0a4-4c7e-4a8c-9d0c-3f4b1de3b6a1',
            status: 'active',
            createdAt: '2026-11-26T08:00:00.000Z',
          },
        ],
        continuationToken: null,
      },
    });
    expect(attached).toEqual(['GET /apollo/devices/{deviceId}/timeseries 200']);
    await app.close();
  });

  it('leaves error answers and undocumented routes to JSON.stringify', async () => {
    const app = fastify();
    serializeResponsesAsDocumented(app, document);
    app.post(DEVICE_ROUTE, async (_request, reply) =>
      reply.code(409).send({ status: { Message: 'conflict', Code: '409' }, data: null, extra: 1 }),
    );
    app.get('/not-documented', () => ({ anything: { goes: true } }));
    await app.ready();

    expect((await app.inject({ method: 'POST', url: '/apollo/devices/d/timeseries' })).json()).toEqual({
      status: { Message: 'conflict', Code: '409' },
      data: null,
      extra: 1,
    });
    expect((await app.inject({ method: 'GET', url: '/not-documented' })).json()).toEqual({ anything: { goes: true } });
    await app.close();
  });

  it('fails loudly, not with a half answer, when a required field is missing', async () => {
    const app = fastify();
    serializeResponsesAsDocumented(app, document);
    app.post(DEVICE_ROUTE, async (_request, reply) => reply.code(202).send({ status: { Message: '', Code: '202' } }));
    await app.ready();

    expect((await app.inject({ method: 'POST', url: '/apollo/devices/d/timeseries' })).statusCode).toBe(500);
    await app.close();
  });

  it('covers every 2xx JSON answer of every documented operation', () => {
    for (const [path, item] of Object.entries(document.paths)) {
      for (const [method, operation] of Object.entries(item as Record<string, { responses?: object }>)) {
        const jsonSuccesses = Object.entries(operation.responses ?? {})
          .filter(
            ([status, answer]) =>
              /^2/.test(status) &&
              (answer as { content?: Record<string, { schema?: object }> }).content?.['application/json']?.schema,
          )
          .map(([status]) => status);
        expect(Object.keys(documentedResponses(document, path, method.toUpperCase() as 'GET'))).toEqual(jsonSuccesses);
      }
    }
  });
});
