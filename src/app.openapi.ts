import type { INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter } from '@nestjs/platform-fastify';
import { DocumentBuilder, SwaggerModule, type OpenAPIObject } from '@nestjs/swagger';

import { AppModule } from './app.module';
import type { Feature } from './common/feature';
import { BEARER_AUTH, closeRequestBodySchemas, declarePublicOperations } from './openapi/openapi';
import { loadConfig } from './config/config';
import { FEATURES } from './features';

/** The OpenAPI document of the application, generated from the controllers and DTOs (Nest CLI swagger plugin). */
export function buildOpenApiDocument(app: INestApplication, features: readonly Feature[] = FEATURES): OpenAPIObject {
  const builder = new DocumentBuilder()
    .setTitle('Device Timeseries API')
    .setDescription(
      'Register the points (sensors) of building and IoT devices and get one timeseries per point, then ' +
        'write and read the samples of those timeseries. Every response uses the envelope `{"status": {"Message", "Code"}, "data"}`. ' +
        'Authorize with a bearer token (in development: `npm run token`).',
    )
    .setVersion('1')
    .setLicense('Proprietary', 'https://example.com/device-timeseries-api/license')
    .addServer('/', 'The server that serves this document')
    .addBearerAuth({ type: 'http', scheme: 'bearer', bearerFormat: 'JWT' }, BEARER_AUTH);
  for (const { tag } of features) if (tag) builder.addTag(tag.name, tag.description);
  return closeRequestBodySchemas(declarePublicOperations(SwaggerModule.createDocument(app, builder.build())));
}

/**
 * The document without a running server or database: Nest's preview mode resolves the modules
 * but instantiates no provider. Used by `npm run openapi` and the drift test.
 */
export async function generateOpenApiDocument(features: readonly Feature[] = FEATURES): Promise<OpenAPIObject> {
  const app = await NestFactory.create(AppModule.forRoot(loadConfig({}), features), new FastifyAdapter(), {
    preview: true,
    logger: false,
    abortOnError: false,
  });
  try {
    return buildOpenApiDocument(app, features);
  } finally {
    await app.close();
  }
}
