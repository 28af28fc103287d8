import type { ValidateFunction } from 'ajv';
import type { InjectOptions } from 'fastify';
import fc from 'fast-check';

import {
  compileDocumented,
  documentAjv,
  documentedOperations,
  exampleOf,
  exampleRequest,
  urlOf,
  withSubjectIds,
  type DocumentedOperation,
  type OpenApiDocument,
  type Parameter,
  type RequestSubject,
} from './documented-operations';
import type { QueryRecord } from './api-client';
import { injectAnswer } from './inject-answer';
import type { TestApp } from './test-app';
import { token } from './tokens';

/** What a fuzz run saw: the statuses each operation answered. */
export interface FuzzReport {
  seed: number;
  /** By operationId, the statuses of its own method. */
  statuses: Map<string, Set<number>>;
  /** Every status seen, other methods on the operations' paths included. */
  all: Set<number>;
}

export interface FuzzOptions {
  runs: number;
  /** The devices (with their timeseries) of `collection` the requests are about, besides unknown ones. */
  subjects: readonly RequestSubject[];
  collection: string;
  include?: (operation: DocumentedOperation) => boolean;
}

/** The seed of a run: FUZZ_SEED to replay one, else a new one, printed either way. */
export function fuzzSeed(): number {
  const seed = process.env.FUZZ_SEED ? Number(process.env.FUZZ_SEED) : Math.floor(Math.random() * 2 ** 31);
  process.stdout.write(`fuzz seed ${seed} (replay with FUZZ_SEED=${seed})\n`);
  return seed;
}

const hostile = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 300 }),
  fc.integer(),
  fc.constant(null),
  fc.boolean(),
  fc.object({ maxDepth: 3 }),
);
const instant = fc
  .date({ min: new Date('1900-01-01T00:00:00Z'), max: new Date('2099-12-31T23:59:59Z'), noInvalidDate: true })
  .chain((date) =>
    fc
      .constantFrom('Z', '+01:00', '-05:30', '+00:00')
      .map((offset) => date.toISOString().replace('Z', offset === 'Z' ? '123456Z' : offset)),
  );

/** Values for a query parameter: its example, the edges its schema names, and garbage. */
function queryValue(parameter: Parameter, subject: RequestSubject): fc.Arbitrary<unknown> {
  const schema = parameter.schema ?? {};
  const edges: unknown[] = [];
  if (schema.enum) edges.push(...schema.enum, 'bogus');
  if (schema.type === 'integer') {
    edges.push(schema.minimum, schema.maximum, (schema.maximum ?? 0) + 1, (schema.minimum ?? 1) - 1, 'x', '1.5');
  }
  if (schema.type === 'boolean') edges.push('true', 'false', 'x');
  if (schema.type === 'array') edges.push([...subject.timeseriesIds], [], ['not-a-uuid']);
  const example = exampleOf(parameter, subject);
  return fc.oneof(
    { weight: 4, arbitrary: fc.constant(example) },
    { weight: 2, arbitrary: edges.length > 0 ? fc.constantFrom(...edges) : fc.constant(example) },
    { weight: 1, arbitrary: schema.format === 'date-time' ? instant : fc.uuid() },
    { weight: 1, arbitrary: fc.string({ maxLength: 12 }) },
  );
}

/** Bodies: the documented example, the example with its fields replaced by garbage, any JSON, bytes. */
function bodyOf(operation: DocumentedOperation, subject: RequestSubject): fc.Arbitrary<string> {
  const example = withSubjectIds(operation.body, subject);
  const items = Array.isArray(example) ? (example as Array<Record<string, unknown>>) : [];
  const mutated = fc
    .array(
      fc.record({
        item: fc.constantFrom(...(items.length > 0 ? items : [{}])),
        field: fc.string({ maxLength: 12 }),
        value: hostile,
      }),
      { maxLength: 5 },
    )
    .map((changes) => JSON.stringify(changes.map(({ item, field, value }) => ({ ...item, [field]: value }))));
  return fc.oneof(
    { weight: 5, arbitrary: fc.constant(JSON.stringify(example)) },
    { weight: 2, arbitrary: mutated },
    { weight: 1, arbitrary: fc.json({ maxDepth: 4 }) },
    { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 200 }) },
  );
}

/**
 * Thousands of requests generated from the OpenAPI document the app serves, valid and invalid, to
 * every documented operation: never a 5xx, always the envelope with its Code, an error always says
 * what went wrong, and every answer matches the document. Returns what each operation answered.
 */
export async function fuzzApi(t: TestApp, seed: number, options: FuzzOptions): Promise<FuzzReport> {
  const document = (await t.request({ method: 'GET', url: '/docs-json' })).json<OpenApiDocument>();
  const operations = documentedOperations(document).filter(options.include ?? (() => true));
  const ajv = documentAjv(document, { allErrors: true });
  const validators = new Map<string, ValidateFunction | undefined>();
  const validatorOf = (path: string, method: string, status: number) => {
    const key = `${method} ${path} ${status}`;
    if (!validators.has(key)) {
      const responses = (document.paths[path]?.[method]?.responses ?? {}) as Record<
        string,
        { content?: Record<string, { schema?: object }> }
      >;
      const schema = responses[String(status)]?.content?.['application/json']?.schema;
      validators.set(key, schema && compileDocumented(ajv, schema));
    }
    return validators.get(key);
  };

  const deviceId = fc.oneof(
    { weight: 6, arbitrary: fc.constantFrom(...options.subjects.map((subject) => subject.deviceId)) },
    { weight: 2, arbitrary: fc.string({ unit: 'grapheme', minLength: 1, maxLength: 300 }) },
    { weight: 1, arbitrary: fc.constantFrom('\u0000', 'a/b', ' ', 'x'.repeat(5000)) },
  );
  const authorization = fc.oneof(
    { weight: 6, arbitrary: fc.constant(`Bearer ${token({ collections: [options.collection] })}`) },
    { weight: 1, arbitrary: fc.constant(`Bearer ${token({ scope: 'read', collections: [options.collection] })}`) },
    {
      weight: 1,
      arbitrary: fc.constantFrom(undefined, 'Bearer garbage', 'Basic YTpi', `Bearer ${token({ collections: [] })}`),
    },
  );
  const request = fc.constantFrom(...operations).chain((operation) => {
    const subjectOf = (id: string): RequestSubject =>
      options.subjects.find((subject) => subject.deviceId === id) ?? { deviceId: id, timeseriesIds: [] };
    return deviceId.chain((id) => {
      const subject = subjectOf(id);
      const query = fc.record(
        Object.fromEntries(
          operation.parameters.filter((p) => p.in === 'query').map((p) => [p.name, queryValue(p, subject)]),
        ),
        { requiredKeys: [] },
      );
      return fc.record({
        operation: fc.constant(operation),
        subject: fc.constant(subject),
        query,
        bogus: fc.oneof({ weight: 7, arbitrary: fc.constant({}) }, fc.constant({ bogus: '1' })),
        body: operation.body === undefined ? fc.constant(undefined) : bodyOf(operation, subject),
        contentType: fc.constantFrom('application/json', 'application/json; charset=latin1', 'text/plain', undefined),
        authorization,
        method: fc.oneof({ weight: 12, arbitrary: fc.constant(operation.method) }, fc.constantFrom('PUT', 'PATCH')),
        continuation: fc.oneof({ weight: 7, arbitrary: fc.constant(null) }, fc.string({ maxLength: 80 })),
      });
    });
  });

  const statuses = new Map<string, Set<number>>();
  const all = new Set<number>();
  /** Sends one request and holds its answer to the document; records the status. */
  const send = async (operation: DocumentedOperation, request: InjectOptions & { url: string }) => {
    const method = String(request.method);
    const response = await injectAnswer(t, request);
    all.add(response.statusCode);
    const seen = statuses.get(operation.operationId) ?? new Set<number>();
    if (method === operation.method) statuses.set(operation.operationId, seen.add(response.statusCode));

    expect(response.statusCode).toBeLessThan(500);
    if (response.eventStream) {
      // A live stream: only as its success, and only where the document says so.
      expect([response.statusCode, operation.eventStream, method]).toEqual([operation.success, true, operation.method]);
      return;
    }
    const json = response.json();
    expect(json.status).toEqual({ Message: expect.any(String), Code: String(response.statusCode) });
    if (response.statusCode >= 400) {
      expect(json.data).toBeNull();
      expect(json.status.Message).not.toBe('');
    }
    const validate = validatorOf(operation.path, method.toLowerCase(), response.statusCode);
    if (validate && !validate(json)) {
      throw new Error(
        `${method} ${request.url} ${response.statusCode} is not as documented: ${ajv.errorsText(validate.errors)}`,
      );
    }
  };

  // First every operation as its examples make it, so each is reached valid whatever the seed;
  // then the generated requests.
  const [subject] = options.subjects;
  const bearer = `Bearer ${token({ collections: [options.collection] })}`;
  for (const operation of operations) {
    if (subject) await send(operation, exampleRequest(operation, subject, { authorization: bearer }));
  }
  await fc.assert(
    fc.asyncProperty(request, async (r) => {
      const headers: Record<string, string> = {};
      if (r.authorization) headers.authorization = r.authorization;
      if (r.continuation !== null) headers.continuationtoken = r.continuation;
      if (r.body !== undefined && r.contentType) headers['content-type'] = r.contentType;
      const query = Object.fromEntries(
        Object.entries({ ...r.query, ...r.bogus })
          .filter(([, value]) => value !== undefined)
          .map(([name, value]) => [name, typeof value === 'object' ? value : String(value)]),
      ) as QueryRecord;
      const url = urlOf(r.operation, r.subject, query);
      await send(r.operation, { method: r.method as 'GET', url, headers, payload: r.body });
    }),
    { numRuns: options.runs, seed },
  );
  return { seed, statuses, all };
}
