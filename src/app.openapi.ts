import type { INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter } from '@nestjs/platform-fastify';
import { DocumentBuilder, SwaggerModule, type OpenAPIObject } from '@nestjs/swagger';

import { AppModule } from './app.module';
import { BEARER_AUTH, declarePublicOperations } from './common/openapi';
import { loadConfig } from './config/config';

/** The OpenAPI document of the application, generated from the controllers and DTOs (Nest CLI swagger plugin). */
export function buildOpenApiDocument(app: INestApplication): OpenAPIObject {
  const config = new DocumentBuilder()
    .setTitle('Device Timeseries API')
    .setDescription(
      'Register the points (sensors) of building and IoT devices and get one timeseries per point, then ' +
        'write and read the samples of those timeseries. Every response uses the envelope `{"status": {"Message", "Code"}, "data"}`. ' +
        'Authorize with a bearer token (in development: `npm run token`).',
    )
    .setVersion('1')
    .setLicense('Proprietary', 'https://example.com/device-timeseries-api/license')
    .addServer('/', 'The server that serves this document')
    .addTag('timeseries', 'Points of a device and their timeseries')
    .addTag('samples', 'The values of the timeseries over time')
    .addTag('health', 'Liveness and readiness probes, without authentication')
    .addBearerAuth({ type: 'http', scheme: 'bearer', bearerFormat: 'JWT' }, BEARER_AUTH)
    .build();
  return declarePublicOperations(SwaggerModule.createDocument(app, config));
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
