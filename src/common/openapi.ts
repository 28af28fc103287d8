import type { INestApplication } from '@nestjs/common';
import { DocumentBuilder, SwaggerModule, type OpenAPIObject } from '@nestjs/swagger';

import { BEARER_AUTH } from '../auth/auth.constants';

export const DOCS_PATH = 'docs';

/** The OpenAPI document, generated from the controllers and DTOs (Nest CLI swagger plugin). */
export function buildOpenApiDocument(app: INestApplication): OpenAPIObject {
  const config = new DocumentBuilder()
    .setTitle('Device Timeseries API')
    .setDescription(
      'Register the points (sensors) of building and IoT devices and get one timeseries per point. ' +
        'Every response uses the envelope `{"status": {"Message", "Code"}, "data"}`. ' +
        'Authorize with a bearer token (in development: `npm run token`).',
    )
    .setVersion('1')
    .addBearerAuth({ type: 'http', scheme: 'bearer', bearerFormat: 'JWT' }, BEARER_AUTH)
    .build();
  return SwaggerModule.createDocument(app, config);
}

/** Serves Swagger UI at /docs and the JSON document at /docs-json. */
export function setupSwagger(app: INestApplication): void {
  SwaggerModule.setup(DOCS_PATH, app, buildOpenApiDocument(app), {
    jsonDocumentUrl: `${DOCS_PATH}-json`,
    swaggerOptions: { persistAuthorization: true },
  });
}
