import { METHOD_METADATA, PATH_METADATA } from '@nestjs/common/constants';
import { ModulesContainer } from '@nestjs/core';

import { readFileSync } from 'node:fs';
import { join } from 'node:path';

import { IS_PUBLIC, REQUIRED_SCOPES } from '../../src/auth/auth.constants';
import { generateOpenApiDocument, stableJson } from '../../src/common/openapi';
import { startTestApp, type TestApp } from '../support/test-app';

const POST_PATH = '/apollo/devices/{deviceId}/timeseries';

interface Operation {
  operationId?: string;
  summary?: string;
  description?: string;
  tags?: string[];
  security?: Array<Record<string, string[]>>;
  parameters: Array<{ name: string; in: string; required?: boolean; schema?: Record<string, unknown> }>;
  requestBody?: { content: Record<string, { examples?: Record<string, { value: unknown }> }> };
  responses: Record<string, { content?: Record<string, { schema?: { $ref?: string }; example?: unknown }> }>;
}

describe('OpenAPI document and Swagger UI', () => {
  let t: TestApp;
  let doc: {
    paths: Record<string, Record<string, Operation>>;
    components: {
      securitySchemes: Record<string, unknown>;
      schemas: Record<string, { properties: Record<string, Record<string, unknown>>; required?: string[] }>;
    };
  };

  beforeAll(async () => {
    t = await startTestApp();
    doc = (await t.request({ method: 'GET', url: '/docs-json' })).json();
  });
  afterAll(() => t.close());

  it('matches the committed docs/openapi.json (run `npm run openapi` after changing the API)', async () => {
    const committed = readFileSync(join(__dirname, '..', '..', 'docs', 'openapi.json'), 'utf8');
    expect(stableJson(doc)).toBe(committed);
    expect(stableJson(await generateOpenApiDocument())).toBe(committed);
  });

  it('gives every operation an operationId, summary, description, tag, examples and its error responses', () => {
    const problems: string[] = [];
    for (const [path, item] of Object.entries(doc.paths)) {
      for (const [method, operation] of Object.entries(item)) {
        const where = `${method.toUpperCase()} ${path}`;
        for (const field of ['operationId', 'summary', 'description'] as const) {
          if (!operation[field]) problems.push(`${where}: no ${field}`);
        }
        if (!operation.tags?.length) problems.push(`${where}: no tag`);
        if (operation.requestBody && !operation.requestBody.content['application/json']?.examples) {
          problems.push(`${where}: no request example`);
        }
        for (const [code, response] of Object.entries(operation.responses)) {
          if (!response.content?.['application/json']?.example)
            problems.push(`${where}: response ${code} has no example`);
        }
        const expected = path.startsWith('/apollo') ? ['400', '401', '403', '503'] : ['400'];
        for (const code of expected) if (!operation.responses[code]) problems.push(`${where}: ${code} not documented`);
      }
    }
    expect(problems).toEqual([]);
  });

  it('serves Swagger UI at /docs without a token', async () => {
    const response = await t.request({ method: 'GET', url: '/docs' });
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-type']).toMatch(/text\/html/);
    expect(response.body).toContain('swagger-ui');
  });

  it('documents the POST with an operationId, summary, description, tag and the bearer scheme', () => {
    const post = doc.paths[POST_PATH]?.post;
    expect(post).toMatchObject({ operationId: 'postTimeseries', tags: ['timeseries'], security: [{ bearer: [] }] });
    expect(post?.summary).toBeTruthy();
    expect(post?.description).toBeTruthy();
    expect(doc.components.securitySchemes.bearer).toEqual({ type: 'http', scheme: 'bearer', bearerFormat: 'JWT' });
  });

  it('documents the seed headers and the deviceId limits', () => {
    const parameters = doc.paths[POST_PATH]!.post!.parameters;
    const headers = parameters.filter((p) => p.in === 'header').map((p) => p.name);
    expect(headers).toEqual(expect.arrayContaining(['x-correlation-id', 'erCollectionId', 'ContinuationToken']));
    expect(parameters.find((p) => p.name === 'deviceId')).toMatchObject({
      in: 'path',
      required: true,
      schema: { type: 'string', minLength: 1, maxLength: 256 },
    });
  });

  it("shows the seed's example request and response", () => {
    const post = doc.paths[POST_PATH]!.post!;
    expect(post.requestBody?.content['application/json']?.examples?.seed?.value).toEqual([
      { id: 'PointId1', pointType: 'temperature' },
      { id: 'PointId2', pointType: 'humidity' },
    ]);
    expect(post.responses['202']?.content?.['application/json']?.example).toMatchObject({
      status: { Message: '', Code: '202' },
      data: {
        deviceId: 'TestDevice',
        relationships: [
          { pointId: 'PointId1', pointType: 'temperature' },
          { pointId: 'PointId2', pointType: 'humidity' },
        ],
      },
    });
  });

  it('documents every error response with the envelope schema', () => {
    const responses = doc.paths[POST_PATH]!.post!.responses;
    for (const code of ['400', '401', '403', '409', '413', '415', '503']) {
      expect(responses[code]?.content?.['application/json']?.schema?.$ref).toBe(
        '#/components/schemas/ErrorEnvelopeDto',
      );
    }
    expect(doc.components.schemas.ErrorEnvelopeDto?.required).toEqual(['status', 'data']);
  });

  it('documents the point fields with the limits the validator enforces', () => {
    const point = doc.components.schemas.PointDto!;
    expect(point.required).toEqual(['id', 'pointType']);
    expect(point.properties.id).toMatchObject({ type: 'string', minLength: 1, maxLength: 256 });
    expect(point.properties.pointType).toMatchObject({ type: 'string', minLength: 1, maxLength: 64 });
    const pattern = new RegExp(point.properties.id!.pattern as string);
    expect(['PointId1', ' spaced ', 'Gerät'].every((s) => pattern.test(s))).toBe(true);
    expect(['', '   ', 'nul\u0000', 'tab\t'].some((s) => pattern.test(s))).toBe(false);
  });

  it('marks every route either @Public() or with the scopes it requires', () => {
    const undeclared: string[] = [];
    let routes = 0;
    for (const module of t.app.get(ModulesContainer).values()) {
      for (const wrapper of module.controllers.values()) {
        const controller = wrapper.metatype as (new (...args: never[]) => unknown) | null;
        if (!controller) continue;
        const prototype = controller.prototype as Record<string, unknown>;
        for (const name of Object.getOwnPropertyNames(prototype)) {
          const handler = prototype[name];
          if (typeof handler !== 'function' || Reflect.getMetadata(METHOD_METADATA, handler) === undefined) continue;
          routes += 1;
          const declared = [IS_PUBLIC, REQUIRED_SCOPES].some(
            (key) =>
              Reflect.getMetadata(key, handler) !== undefined || Reflect.getMetadata(key, controller) !== undefined,
          );
          if (!declared)
            undeclared.push(`${controller.name}.${name} (${String(Reflect.getMetadata(PATH_METADATA, controller))})`);
        }
      }
    }
    expect(routes).toBeGreaterThanOrEqual(3);
    expect(undeclared).toEqual([]);
  });

  it('serializes every documented success answer with its documented schema', () => {
    expect(serializedAnswers(t)).toEqual(documentedSuccesses(doc.paths));
  });
});

/** The answers the app compiled a serializer for (see serializeResponsesAsDocumented). */
function serializedAnswers(t: TestApp): string[] {
  const instance = t.app.getHttpAdapter().getInstance() as unknown as { documentedSerializers: string[] };
  return [...instance.documentedSerializers].sort();
}

function documentedSuccesses(paths: Record<string, Record<string, Operation>>): string[] {
  return Object.entries(paths)
    .flatMap(([path, item]) =>
      Object.entries(item).flatMap(([method, operation]) =>
        Object.entries(operation.responses)
          .filter(([status, answer]) => /^2/.test(status) && answer.content?.['application/json']?.schema)
          .map(([status]) => `${method.toUpperCase()} ${path} ${status}`),
      ),
    )
    .sort();
}

describe('SWAGGER_ENABLED=false', () => {
  it('serves neither Swagger UI nor the JSON document, and still serializes answers as documented', async () => {
    const t = await startTestApp({ SWAGGER_ENABLED: 'false' });
    try {
      expect((await t.request({ method: 'GET', url: '/docs' })).statusCode).toBe(404);
      expect((await t.request({ method: 'GET', url: '/docs-json' })).statusCode).toBe(404);
      expect(serializedAnswers(t)).toHaveLength(3);
    } finally {
      await t.close();
    }
  });
});
