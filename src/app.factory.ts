import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { LogController } from 'fastify';

import { AppModule } from './app.module';
import { AllExceptionsFilter } from './common/all-exceptions.filter';
import { CORRELATION_ID_HEADER, correlationIdOf } from './common/correlation-id';
import { acceptOnlyUtf8Json, clientErrorHandler, frameworkErrorHandler } from './common/framework-errors';
import { createLogger, PinoNestLogger } from './common/logger';
import { setupSwagger } from './common/openapi';
import { RouteTable } from './common/route-table';
import { createValidationPipe } from './common/validation';
import type { AppConfig } from './config/config';

/**
 * Longest raw path parameter Fastify routes (its default, 100, would answer 414 for ordinary ids):
 * room for a 256-character id even when every character is percent-encoded UTF-8.
 */
const MAX_PARAM_LENGTH = 4096;

/** Builds the application, ready to listen: used by main.ts, the e2e tests and the benchmarks. */
export async function createApp(config: AppConfig): Promise<NestFastifyApplication> {
  const logger = createLogger(config.logLevel);
  const adapter = new FastifyAdapter({
    loggerInstance: logger,
    bodyLimit: config.http.bodyLimit,
    routerOptions: { maxParamLength: MAX_PARAM_LENGTH },
    genReqId: correlationIdOf,
    logController: new LogController({ requestIdLogLabel: 'correlationId' }),
    onProtoPoisoning: 'error',
    onConstructorPoisoning: 'error',
    forceCloseConnections: 'idle',
    frameworkErrors: frameworkErrorHandler,
    clientErrorHandler,
  });

  const app = await NestFactory.create<NestFastifyApplication>(AppModule.forRoot(config), adapter, {
    // Fastify's own JSON parser (with BODY_LIMIT and prototype-poisoning checks) is the only body parser.
    bodyParser: false,
    logger: new PinoNestLogger(logger),
    abortOnError: false,
  });

  const fastify = app.getHttpAdapter().getInstance();
  const routes = RouteTable.track(fastify);
  // JSON in UTF-8 is the only body we accept: anything else is a 415, not a string handed to a pipe.
  acceptOnlyUtf8Json(fastify);
  fastify.addHook('onRequest', (request, reply, done) => {
    void reply.header(CORRELATION_ID_HEADER, request.id);
    done();
  });

  app.useGlobalFilters(new AllExceptionsFilter(config.http.bodyLimit, routes));
  app.useGlobalPipes(createValidationPipe());
  app.enableShutdownHooks();
  if (config.swaggerEnabled) setupSwagger(app);

  await app.init();
  await fastify.ready();
  return app;
}
