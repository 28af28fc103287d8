import type { OpenAPIObject } from '@nestjs/swagger';
import type { FastifyInstance, RouteOptions } from 'fastify';

/** A JSON schema as fast-json-stringify reads it: only the keywords that shape the output. */
export interface SerializationSchema {
  type?: string | string[];
  nullable?: boolean;
  properties?: Record<string, SerializationSchema>;
  required?: string[];
  items?: SerializationSchema;
  additionalProperties?: boolean;
}

type OpenApiSchema = Record<string, unknown>;

const SHAPING_KEYWORDS = ['type', 'nullable', 'required', 'additionalProperties'] as const;
const HTTP_METHODS = new Set(['get', 'put', 'post', 'delete', 'patch']);

/**
 * Serializes the success answers of every documented operation with the schema the OpenAPI
 * document declares for them: Fastify compiles it with fast-json-stringify (about twice as fast as
 * JSON.stringify on a 100-item answer, see docs/performance.md), and an answer can only carry the
 * fields the document declares: one source of truth, the DTOs the document is generated from.
 * Error answers, and routes the document does not describe, keep JSON.stringify.
 *
 * Registers an onRoute hook: call it before the routes are registered (before app.init()).
 * Returns the operations it attached a serializer to, as `METHOD /path status`, filled in as
 * routes are registered.
 */
export function serializeResponsesAsDocumented(fastify: FastifyInstance, document: OpenAPIObject): string[] {
  const attached: string[] = [];
  fastify.addHook('onRoute', (route) => {
    const path = route.url.replace(/:([A-Za-z0-9_]+)/g, '{$1}');
    const response = documentedResponses(document, path, route.method);
    if (Object.keys(response).length === 0) return;
    route.schema = { ...route.schema, response: { ...response, ...(route.schema?.response ?? {}) } };
    for (const status of Object.keys(response)) attached.push(`${String(route.method)} ${path} ${status}`);
  });
  return attached;
}

/** The serialization schemas of an operation's 2xx JSON answers, by status code. */
export function documentedResponses(
  document: OpenAPIObject,
  path: string,
  method: RouteOptions['method'],
): Record<string, SerializationSchema> {
  const methods = Array.isArray(method) ? method : [method];
  if (methods.length !== 1 || !HTTP_METHODS.has(String(methods[0]).toLowerCase())) return {};
  const item = document.paths[path] as Record<string, unknown> | undefined;
  const operation = item?.[String(methods[0]).toLowerCase()] as
    { responses?: Record<string, { content?: Record<string, { schema?: OpenApiSchema }> }> } | undefined;
  const schemas: Record<string, SerializationSchema> = {};
  for (const [status, answer] of Object.entries(operation?.responses ?? {})) {
    const schema = answer.content?.['application/json']?.schema;
    if (/^2\d\d$/.test(status) && schema) schemas[status] = toSerializationSchema(document, schema);
  }
  return schemas;
}

/**
 * An OpenAPI schema as a self-contained serialization schema: references resolved, a lone allOf
 * merged (how @nestjs/swagger annotates a referenced property), descriptions and examples left out.
 */
function toSerializationSchema(document: OpenAPIObject, schema: OpenApiSchema, depth = 0): SerializationSchema {
  if (depth > 32) throw new Error('OpenAPI schema nested too deep (a recursive reference?)');
  const resolved = resolve(document, schema);
  const allOf = resolved.allOf as OpenApiSchema[] | undefined;
  if (allOf?.length === 1) {
    return { ...toSerializationSchema(document, allOf[0]!, depth + 1), ...pick(resolved) };
  }
  if (allOf) throw new Error('allOf with several schemas is not supported for serialization');

  const result = pick(resolved);
  const properties = resolved.properties as Record<string, OpenApiSchema> | undefined;
  if (properties) {
    result.properties = Object.fromEntries(
      Object.entries(properties).map(([name, property]) => [
        name,
        toSerializationSchema(document, property, depth + 1),
      ]),
    );
  }
  if (resolved.items) result.items = toSerializationSchema(document, resolved.items as OpenApiSchema, depth + 1);
  return result;
}

function resolve(document: OpenAPIObject, schema: OpenApiSchema): OpenApiSchema {
  const ref = schema.$ref;
  if (typeof ref !== 'string') return schema;
  const name = /^#\/components\/schemas\/(.+)$/.exec(ref)?.[1];
  const target = name === undefined ? undefined : document.components?.schemas?.[name];
  if (!target) throw new Error(`Unresolvable reference ${ref} in the OpenAPI document`);
  return resolve(document, target as OpenApiSchema);
}

function pick(schema: OpenApiSchema): SerializationSchema {
  const picked: SerializationSchema = {};
  for (const keyword of SHAPING_KEYWORDS) {
    if (schema[keyword] !== undefined) Object.assign(picked, { [keyword]: schema[keyword] });
  }
  return picked;
}
