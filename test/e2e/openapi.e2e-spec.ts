import { readFileSync } from 'node:fs';
import { join } from 'node:path';

import { GUARDS_METADATA } from '@nestjs/common/constants';
import { DECORATORS } from '@nestjs/swagger/dist/constants';
import { getMetadataStorage } from 'class-validator';

import { generateOpenApiDocument } from '../../src/app.openapi';
import { IS_PUBLIC, REQUIRED_SCOPES } from '../../src/auth/auth.constants';
import { stableJson } from '../../src/openapi/openapi';
import { DEVICE_ROUTE, DEVICE_ROUTE_GUARDS } from '../../src/device-routes/device-route.decorator';
import { appRoutes } from '../support/routes';
import { startTestApp, type TestApp } from '../support/test-app';

const POST_PATH = '/apollo/devices/{deviceId}/timeseries';

interface Operation {
  operationId?: string;
  summary?: string;
  description?: string;
  tags?: string[];
  security?: Array<Record<string, string[]>>;
  parameters?: Array<{ name: string; in: string; required?: boolean; schema?: Record<string, unknown> }>;
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
  afterAll(() => t?.close());

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
          // A stream's answer (text/event-stream) has its own example: an event's data.
          const content = response.content?.['application/json'] ?? response.content?.['text/event-stream'];
          if (!content?.example) problems.push(`${where}: response ${code} has no example`);
        }
        // A public /apollo route (a stream opened with a ticket, the ticket its credential) has no scope to refuse.
        const forbidden = operation.security?.length === 0 ? [] : ['403'];
        const expected = path.startsWith('/apollo') ? ['400', '401', ...forbidden, '503'] : ['400'];
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
    const parameters = doc.paths[POST_PATH]!.post!.parameters!;
    const headers = parameters.filter((p) => p.in === 'header').map((p) => p.name);
    expect(headers.sort()).toEqual(['erCollectionId', 'x-correlation-id']);
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
    const routes = appRoutes(t.app);
    // Every route is documented, but the Prometheus scrape, which is not part of the API.
    const excluded = routes.filter((r) => Reflect.getMetadata(DECORATORS.API_EXCLUDE_CONTROLLER, r.controller));
    expect(excluded.map((r) => r.route)).toEqual(['GET /metrics']);
    expect(routes.filter((r) => !excluded.includes(r)).map((r) => r.route)).toEqual(documentedRoutes(doc.paths));
    const undeclared = routes.filter(
      ({ controller, handler }) =>
        ![IS_PUBLIC, REQUIRED_SCOPES].some(
          (key) =>
            Reflect.getMetadata(key, handler) !== undefined || Reflect.getMetadata(key, controller) !== undefined,
        ),
    );
    expect(undeclared.map((r) => r.handlerName)).toEqual([]);
  });

  it('gives every route that takes a deviceId the device-access checks, scope first, then collections', () => {
    const deviceRoutes = appRoutes(t.app).filter((r) => r.path.includes(':deviceId'));
    expect(deviceRoutes.length).toBeGreaterThan(0);
    for (const { handler, handlerName } of deviceRoutes) {
      expect([handlerName, Reflect.getMetadata(DEVICE_ROUTE, handler)]).toEqual([handlerName, true]);
      expect([handlerName, Reflect.getMetadata(GUARDS_METADATA, handler)]).toEqual([
        handlerName,
        [...DEVICE_ROUTE_GUARDS],
      ]);
      const scopes = Reflect.getMetadata(REQUIRED_SCOPES, handler) as string[] | undefined;
      expect([handlerName, (scopes?.length ?? 0) > 0]).toEqual([handlerName, true]);
    }
  });

  it('types every integer parameter and field as integer, and only fractional ones as number', () => {
    const documented = documentedFields(doc);
    // Every @IsInt() property of the application's classes is an OpenAPI integer where it is documented.
    const integers = integerProperties();
    expect(integers).toContainEqual(['ListTimeseriesQueryDto', 'limit']);
    const notInteger = integers.flatMap(([className, property]) =>
      (documented.get(`${className}.${property}`) ?? documented.get(`?${property}`) ?? [])
        .filter((schema) => schema.type !== 'integer')
        .map(() => `${className}.${property}`),
    );
    expect(notInteger).toEqual([]);
    // And nothing else is a "number" unless it really holds fractions.
    const numbers = [...documented]
      .filter(([, schemas]) => schemas.some((schema) => schema.type === 'number'))
      .map(([where]) => where);
    expect(numbers.sort()).toEqual([...FRACTIONAL_FIELDS].sort());
  });

  it('declares the ContinuationToken request header only on the operations that page', () => {
    const withToken: string[] = [];
    for (const item of Object.values(doc.paths)) {
      for (const operation of Object.values(item)) {
        if ((operation.parameters ?? []).some((p) => p.in === 'header' && p.name === 'ContinuationToken')) {
          withToken.push(operation.operationId!);
        }
      }
    }
    expect(withToken.sort()).toEqual(PAGED_OPERATIONS);
  });

  it('documents the answer schema of the health probes', () => {
    for (const [path, dto] of [
      ['/health', 'HealthStatusDto'],
      ['/health/ready', 'ReadinessDto'],
    ] as const) {
      const schema = doc.paths[path]!.get!.responses['200']?.content?.['application/json']?.schema as
        { properties?: Record<string, { $ref?: string }> } | undefined;
      expect(schema?.properties?.data?.$ref).toBe(`#/components/schemas/${dto}`);
    }
    expect(doc.components.schemas.HealthStatusDto?.properties.status).toMatchObject({ enum: ['ok'] });
    // Readiness names each dependency and its possible states.
    const readiness = doc.components.schemas.ReadinessDto?.properties;
    expect(Object.keys(readiness ?? {})).toEqual(['status', 'database', 'redis', 'replicas']);
    expect(readiness?.status).toMatchObject({ enum: ['ok', 'degraded'] });
    expect(readiness?.redis).toMatchObject({ enum: ['up', 'down', 'not configured'] });
    expect(doc.paths['/health/ready']!.get!.responses['503']).toBeDefined();
  });

  it('serializes every documented success answer with its documented schema', () => {
    expect(serializedAnswers(t)).toEqual(documentedSuccesses(doc.paths));
  });
});

/** Fields that hold fractions, documented as `number`; every other numeric field is an integer. */
const FRACTIONAL_FIELDS: readonly string[] = [
  'SampleDto.val',
  ...['min', 'max', 'avg', 'sum', 'firstVal', 'lastVal'].map((field) => `SampleStatsDto.${field}`),
  ...['avg', 'min', 'max', 'sum', 'first', 'last', 'twa'].map((field) => `AggregateBucketDto.${field}`),
];

/** The operations that page, and so declare the ContinuationToken request header. */
const PAGED_OPERATIONS = ['getSamples', 'listTimeseries'];

/**
 * The schema of every documented field: component properties as `Schema.property`, query
 * parameters as `?name` (several operations may share a name).
 */
function documentedFields(doc: {
  paths: Record<string, Record<string, Operation>>;
  components: { schemas: Record<string, { properties?: Record<string, Record<string, unknown>> }> };
}): Map<string, Array<Record<string, unknown>>> {
  const fields = new Map<string, Array<Record<string, unknown>>>();
  const add = (where: string, schema: Record<string, unknown>) =>
    fields.set(where, [...(fields.get(where) ?? []), schema]);
  for (const [name, schema] of Object.entries(doc.components.schemas)) {
    for (const [property, definition] of Object.entries(schema.properties ?? {})) {
      add(
        `${name}.${property}`,
        (definition.type === 'array' ? definition.items : definition) as Record<string, unknown>,
      );
    }
  }
  for (const item of Object.values(doc.paths)) {
    for (const operation of Object.values(item)) {
      for (const parameter of operation.parameters ?? []) {
        if (parameter.in === 'query') add(`?${parameter.name}`, parameter.schema ?? {});
      }
    }
  }
  return fields;
}

/** [class, property] of every property the application validates with @IsInt(). */
function integerProperties(): Array<[string, string]> {
  // class-validator keeps its metadata in a private map keyed by class; reading it is the only way to list it.
  const storage = getMetadataStorage() as unknown as {
    validationMetadatas: Map<{ name: string }, Array<{ name?: string; propertyName: string }>>;
  };
  const found: Array<[string, string]> = [];
  for (const [target, metadatas] of storage.validationMetadatas) {
    for (const metadata of metadatas) {
      if (metadata.name === 'isInt') found.push([target.name, metadata.propertyName]);
    }
  }
  return found;
}

/** The answers the app compiled a serializer for (see serializeResponsesAsDocumented). */
function serializedAnswers(t: TestApp): string[] {
  const instance = t.app.getHttpAdapter().getInstance() as unknown as { documentedSerializers: string[] };
  return [...instance.documentedSerializers].sort();
}

function committedDocument(): { paths: Record<string, Record<string, Operation>> } {
  return JSON.parse(readFileSync(join(__dirname, '..', '..', 'docs', 'openapi.json'), 'utf8')) as {
    paths: Record<string, Record<string, Operation>>;
  };
}

/** The operations of the document as routes: `GET /apollo/devices/:deviceId/timeseries`. */
function documentedRoutes(paths: Record<string, Record<string, Operation>>): string[] {
  return Object.entries(paths)
    .flatMap(([path, item]) =>
      Object.keys(item).map((method) => `${method.toUpperCase()} ${path.replace(/\{(\w+)\}/g, ':$1')}`),
    )
    .sort((a, b) => a.localeCompare(b));
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
      expect(serializedAnswers(t)).toEqual(documentedSuccesses(committedDocument().paths));
    } finally {
      await t.close();
    }
  });
});
