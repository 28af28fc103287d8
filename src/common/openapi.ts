import type { INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter } from '@nestjs/platform-fastify';
import { DocumentBuilder, SwaggerModule, type OpenAPIObject } from '@nestjs/swagger';

import { AppModule } from '../app.module';
import { BEARER_AUTH } from '../auth/auth.constants';
import { loadConfig } from '../config/config';

export const DOCS_PATH = 'docs';
const HTTP_METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'] as const;

/** The OpenAPI document, generated from the controllers and DTOs (Nest CLI swagger plugin). */
export function buildOpenApiDocument(app: INestApplication): OpenAPIObject {
  const config = new DocumentBuilder()
    .setTitle('Device Timeseries API')
    .setDescription(
      'Register the points (sensors) of building and IoT devices and get one timeseries per point, then ' +
        'read them back page by page. Every response uses the envelope `{"status": {"Message", "Code"}, "data"}`. ' +
        'Authorize with a bearer token (in development: `npm run token`).',
    )
    .setVersion('1')
    .setLicense('Proprietary', 'https://example.com/device-timeseries-api/license')
    .addServer('/', 'The server that serves this document')
    .addTag('timeseries', 'Points of a device and their timeseries')
    .addTag('health', 'Liveness and readiness probes, without authentication')
    .addBearerAuth({ type: 'http', scheme: 'bearer', bearerFormat: 'JWT' }, BEARER_AUTH)
    .build();
  return declarePublicOperations(SwaggerModule.createDocument(app, config));
}

/**
 * Operations without a security requirement are public (@Public()); OpenAPI says so with an
 * explicit empty list, which keeps linters and code generators from guessing.
 */
function declarePublicOperations(document: OpenAPIObject): OpenAPIObject {
  for (const item of Object.values(document.paths)) {
    for (const method of HTTP_METHODS) {
      const operation = item[method];
      if (operation && !operation.security) operation.security = [];
    }
  }
  return document;
}

/**
 * The document without a running server or database: Nest's preview mode resolves the modules
 * but instantiates no provider. Used by `npm run openapi` and the drift test.
 */
export async function generateOpenApiDocument(): Promise<OpenAPIObject> {
  const app = await NestFactory.create(AppModule.forRoot(loadConfig({})), new FastifyAdapter(), {
    preview: true,
    logger: false,
    abortOnError: false,
  });
  try {
    return buildOpenApiDocument(app);
  } finally {
    await app.close();
  }
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
export function setupSwagger(app: INestApplication, document: OpenAPIObject = buildOpenApiDocument(app)): void {
  SwaggerModule.setup(DOCS_PATH, app, document, {
    jsonDocumentUrl: `${DOCS_PATH}-json`,
  });
}
