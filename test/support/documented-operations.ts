import Ajv, { type ValidateFunction } from 'ajv';
import type { InjectOptions } from 'fastify';

import { EXAMPLE_TIMESERIES_ID, EXAMPLE_TIMESERIES_ID_2 } from '../../src/device-routes/examples';
import { queryString, type QueryRecord } from './api-client';

/**
 * The operations of the OpenAPI document the app serves, and a valid request of each built from
 * the document's own examples. The access matrix and the fuzz test are driven by these, so a new
 * module's routes are covered without a line of test code: document examples, get tests.
 */

export interface Schema {
  type?: string;
  format?: string;
  enum?: unknown[];
  pattern?: string;
  minimum?: number;
  maximum?: number;
  example?: unknown;
  default?: unknown;
  items?: Schema;
  maxItems?: number;
}

export interface Parameter {
  name: string;
  in: 'path' | 'query' | 'header';
  required?: boolean;
  example?: unknown;
  schema?: Schema;
}

interface OperationObject {
  operationId: string;
  tags?: string[];
  parameters?: Parameter[];
  requestBody?: { content: Record<string, { schema?: object; examples?: Record<string, { value: unknown }> }> };
  responses: Record<string, unknown>;
}

export interface OpenApiDocument {
  paths: Record<string, Record<string, OperationObject>>;
  tags?: Array<{ name: string }>;
}

/**
 * A validator of `schema`, a part of `document` whose `$ref`s point into it (`ajv` holds the
 * document under the id `openapi`, see `documentAjv`).
 */
export function compileDocumented(ajv: Ajv, schema: object): ValidateFunction {
  return ajv.compile(
    JSON.parse(JSON.stringify(schema).replaceAll('"#/components/', '"openapi#/components/')) as object,
  );
}

/** An Ajv that resolves the document's `$ref`s (formats are annotations there: patterns decide). */
export function documentAjv(document: object, options: { allErrors?: boolean } = {}): Ajv {
  const ajv = new Ajv({ strict: false, validateFormats: false, ...options });
  ajv.addSchema(document, 'openapi');
  return ajv;
}

export interface DocumentedOperation {
  operationId: string;
  tag: string | undefined;
  method: string;
  /** As the document writes it: `/apollo/devices/{deviceId}/timeseries`. */
  path: string;
  /** As Nest registers it: `GET /apollo/devices/:deviceId/timeseries`. */
  route: string;
  parameters: Parameter[];
  /** The first documented 2xx. */
  success: number;
  /** Whether that answer is a live stream (`text/event-stream`), not an envelope. */
  eventStream: boolean;
  /** The example request body, if the operation takes one. */
  body: unknown;
}

const METHODS = ['get', 'put', 'post', 'delete', 'patch'] as const;

export function documentedOperations(document: OpenApiDocument): DocumentedOperation[] {
  return Object.entries(document.paths).flatMap(([path, item]) =>
    METHODS.filter((method) => item[method]).map((method) => {
      const operation = item[method]!;
      const examples = operation.requestBody?.content['application/json']?.examples ?? {};
      const success = Number(Object.keys(operation.responses).find((code) => code.startsWith('2')));
      const answer = operation.responses[String(success)] as { content?: Record<string, unknown> } | undefined;
      return {
        operationId: operation.operationId,
        tag: operation.tags?.[0],
        method: method.toUpperCase(),
        path,
        route: `${method.toUpperCase()} ${path.replace(/\{(\w+)\}/g, ':$1')}`,
        parameters: operation.parameters ?? [],
        success,
        eventStream: answer?.content?.['text/event-stream'] !== undefined,
        body: operation.requestBody ? Object.values(examples)[0]?.value : undefined,
      };
    }),
  );
}

/** The ids a request is about: a device and its timeseries, which replace the examples' ids. */
export interface RequestSubject {
  deviceId: string;
  timeseriesIds: readonly string[];
}

/** The examples' ids (EXAMPLE_TIMESERIES_ID...) replaced by the subject's, in any value. */
export function withSubjectIds(value: unknown, subject: RequestSubject): unknown {
  const text = JSON.stringify(value);
  if (text === undefined) return value;
  const [first, second = first] = subject.timeseriesIds;
  return JSON.parse(
    text.replaceAll(EXAMPLE_TIMESERIES_ID, first ?? EXAMPLE_TIMESERIES_ID).replaceAll(EXAMPLE_TIMESERIES_ID_2, second!),
  );
}

/** The documented example of a parameter, with the subject's ids. */
export function exampleOf(parameter: Parameter, subject: RequestSubject): unknown {
  const example = parameter.example ?? parameter.schema?.example;
  if (example === undefined && parameter.schema?.format === 'uuid') return subject.timeseriesIds[0];
  return withSubjectIds(example, subject);
}

/** The URL of an operation: path parameters from the subject and examples, and the given query. */
export function urlOf(operation: DocumentedOperation, subject: RequestSubject, query: QueryRecord | string): string {
  const path = operation.path.replace(/\{(\w+)\}/g, (_, name: string) => {
    if (name === 'deviceId') return encodeURIComponent(subject.deviceId);
    const parameter = operation.parameters.find((p) => p.in === 'path' && p.name === name);
    return encodeURIComponent(String(parameter ? exampleOf(parameter, subject) : name));
  });
  return path + (typeof query === 'string' ? query : queryString(query));
}

/** A valid request of the operation about the subject: every required query parameter from its example. */
export function exampleRequest(
  operation: DocumentedOperation,
  subject: RequestSubject,
  headers: Record<string, string> = {},
): InjectOptions & { url: string } {
  const query: QueryRecord = {};
  for (const parameter of operation.parameters.filter((p) => p.in === 'query' && p.required)) {
    query[parameter.name] = exampleOf(parameter, subject) as QueryRecord[string];
  }
  return {
    method: operation.method as InjectOptions['method'],
    url: urlOf(operation, subject, query),
    headers: { ...headers, ...(operation.body === undefined ? {} : { 'content-type': 'application/json' }) },
    ...(operation.body === undefined ? {} : { payload: JSON.stringify(withSubjectIds(operation.body, subject)) }),
  };
}
