import type { INestApplication } from '@nestjs/common';
import { SwaggerModule, type OpenAPIObject } from '@nestjs/swagger';

export const DOCS_PATH = 'docs';

/** Name of the bearer security scheme in the OpenAPI document. */
export const BEARER_AUTH = 'bearer';

const HTTP_METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'] as const;

/**
 * Operations without a security requirement are public (@Public()); OpenAPI says so with an
 * explicit empty list, which keeps linters and code generators from guessing.
 */
export function declarePublicOperations(document: OpenAPIObject): OpenAPIObject {
  for (const item of Object.values(document.paths)) {
    for (const method of HTTP_METHODS) {
      const operation = item[method];
      if (operation && !operation.security) operation.security = [];
    }
  }
  return document;
}

/**
 * The items of request bodies take no other properties (the array pipes answer an unknown field
 * with a 400): the document says so, so a generated client refuses them before sending.
 */
export function closeRequestBodySchemas(document: OpenAPIObject): OpenAPIObject {
  const schemas = document.components?.schemas ?? {};
  for (const item of Object.values(document.paths)) {
    for (const method of HTTP_METHODS) {
      const body = item[method]?.requestBody;
      const schema = body && 'content' in body ? body.content['application/json']?.schema : undefined;
      const items = schema && 'items' in schema ? schema.items : undefined;
      const name = items && '$ref' in items ? items.$ref.replace('#/components/schemas/', '') : undefined;
      const component = name ? schemas[name] : undefined;
      if (component && !('$ref' in component)) component.additionalProperties = false;
    }
  }
  return document;
}

/** JSON with object keys sorted at every level, so the committed document diffs cleanly. */
export function stableJson(value: unknown): string {
  const sorted = (node: unknown): unknown => {
    if (Array.isArray(node)) return node.map(sorted);
    if (node === null || typeof node !== 'object') return node;
    return Object.fromEntries(
      Object.keys(node)
        .sort()
        .map((key) => [key, sorted((node as Record<string, unknown>)[key])]),
    );
  };
  return `${JSON.stringify(sorted(value), null, 2)}\n`;
}

/** Serves Swagger UI at /docs and the JSON document at /docs-json. */
export function setupSwagger(app: INestApplication, document: OpenAPIObject): void {
  SwaggerModule.setup(DOCS_PATH, app, document, {
    jsonDocumentUrl: `${DOCS_PATH}-json`,
  });
}
