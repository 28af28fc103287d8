import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import helmet from 'helmet';

import { AppModule } from './app.module';
import { buildOpenApiDocument } from './app.openapi';
import { AllExceptionsFilter } from './common/all-exceptions.filter';
import { drainRefusedBodies } from './common/body-drain';
import { decompressBodies } from './common/compressed-body';
import type { Feature } from './common/feature';
import { CORRELATION_ID_HEADER, correlationIdOf } from './common/correlation-id';
import { acceptOnlyUtf8Json, clientErrorHandler, frameworkErrorHandler } from './common/framework-errors';
import { createLogger, PinoNestLogger } from './common/logger';
import { setupSwagger } from './openapi/openapi';
import { RequestLogController } from './common/request-log';
import { serializeResponsesAsDocumented } from './openapi/response-serialization';
import { RouteTable } from './common/route-table';
import { createValidationPipe } from './common/validation';
import type { AppConfig } from './config/config';
import { classifyDatabaseError } from './database/database-errors';
import { MAX_PARAM_LENGTH } from './device-routes/device-id';
import { FEATURES } from './features';
import { MetricsService } from './metrics/metrics.service';

/**
 * Security headers (helmet) with a policy under which Swagger UI still works: its scripts and
 * styles are served from /docs; it sets inline styles, and its icons are data: URLs. helmet's
 * middleware is built once (the @fastify/helmet plugin builds it again for every request).
 *
 * The service speaks plain HTTP, so by default it sends neither `Strict-Transport-Security` nor
 * the CSP's `upgrade-insecure-requests` (helmet's defaults): a browser that opens it by any name but
 * localhost would rewrite Swagger UI's own scripts and styles to https and fail to load them.
 * Nor `Cross-Origin-Opener-Policy` and `Origin-Agent-Cluster`: a browser ignores them on an origin
 * that is not secure (http:// by any name but localhost) and says so in the console, as an error
 * and a warning. Behind a TLS-terminating proxy, HTTPS_ONLY=true sends them all.
 */
function securityHeaders(httpsOnly: boolean) {
  return helmet({
    contentSecurityPolicy: {
      directives: { ...CONTENT_SECURITY_POLICY, upgradeInsecureRequests: httpsOnly ? [] : null },
    },
    strictTransportSecurity: httpsOnly ? { maxAge: 31_536_000, includeSubDomains: true } : false,
    crossOriginOpenerPolicy: httpsOnly ? { policy: 'same-origin' } : false,
    originAgentCluster: httpsOnly,
  });
}

const CONTENT_SECURITY_POLICY = {
  defaultSrc: ["'self'"],
  scriptSrc: ["'self'"],
  styleSrc: ["'self'", "'unsafe-inline'"],
  imgSrc: ["'self'", 'data:'],
  connectSrc: ["'self'"],
  fontSrc: ["'self'"],
  objectSrc: ["'none'"],
  baseUri: ["'self'"],
  formAction: ["'self'"],
  frameAncestors: ["'none'"],
};

function corsOptions(origins: string[]): Parameters<NestFastifyApplication['enableCors']>[0] {
  return {
    origin: origins.includes('*') ? '*' : origins,
    // Every method a route serves (the samples DELETE included), and a compressed samples write.
    methods: ['GET', 'POST', 'DELETE'],
    allowedHeaders: [
      'Authorization',
      'Content-Type',
      'Content-Encoding',
      'x-correlation-id',
      'erCollectionId',
      'ContinuationToken',
      // An EventSource that reconnects to a samples stream sends it.
      'Last-Event-ID',
    ],
    exposedHeaders: ['ContinuationToken', 'x-correlation-id', 'Retry-After'],
    maxAge: 600,
  };
}

/**
 * Builds the application, ready to listen: used by main.ts, the e2e tests and the benchmarks.
 * `features`: the list of src/features.ts (a test may add one of its own).
 */
export async function createApp(
  config: AppConfig,
  features: readonly Feature[] = FEATURES,
): Promise<NestFastifyApplication> {
  const logger = createLogger(config.logLevel);
  const adapter = new FastifyAdapter({
    loggerInstance: logger,
    bodyLimit: config.http.bodyLimit,
    routerOptions: { maxParamLength: MAX_PARAM_LENGTH, ignoreTrailingSlash: true },
    genReqId: correlationIdOf,
    logController: new RequestLogController(),
    onProtoPoisoning: 'error',
    onConstructorPoisoning: 'error',
    forceCloseConnections: 'idle',
    frameworkErrors: frameworkErrorHandler,
    clientErrorHandler,
  });

  const app = await NestFactory.create<NestFastifyApplication>(AppModule.forRoot(config, features), adapter, {
    // Fastify's own JSON parser (with BODY_LIMIT and prototype-poisoning checks) is the only body parser.
    bodyParser: false,
    logger: new PinoNestLogger(logger),
    abortOnError: false,
  });

  const fastify = app.getHttpAdapter().getInstance();
  const routes = RouteTable.track(fastify);
  // JSON in UTF-8 is the only body we accept: anything else is a 415, not a string handed to a pipe.
  acceptOnlyUtf8Json(fastify);
  decompressBodies(fastify, config);
  const headers = securityHeaders(config.http.httpsOnly);
  fastify.addHook('onRequest', (request, reply, done) => {
    void reply.header(CORRELATION_ID_HEADER, request.id);
    headers(request.raw, reply.raw, (error) => done(error instanceof Error ? error : undefined));
  });
  // A refused body is read to its end (up to a bound) so the client can read the answer.
  drainRefusedBodies(fastify);
  // While shutting down, answers close their connection, so a keep-alive client holding one
  // open does not keep the server from closing once its in-flight requests are answered.
  let closing = false;
  fastify.addHook('preClose', (done) => {
    closing = true;
    done();
  });
  fastify.addHook('onSend', (_request, reply, payload, done) => {
    if (closing) void reply.header('connection', 'close');
    done(null, payload);
  });

  if (config.metricsEnabled) app.get(MetricsService).instrument(fastify);
  if (config.corsOrigins.length > 0) app.enableCors(corsOptions(config.corsOrigins));

  app.useGlobalFilters(new AllExceptionsFilter(config.http.bodyLimit, routes, [classifyDatabaseError]));
  app.useGlobalPipes(createValidationPipe());
  // The document describes the answers; it also compiles their serializers, Swagger UI or not.
  const document = buildOpenApiDocument(app, features);
  // Which answers got a compiled serializer, for tests and debugging (METHOD /path status).
  fastify.decorate('documentedSerializers', serializeResponsesAsDocumented(fastify, document));
  if (config.swaggerEnabled) setupSwagger(app, document);

  await app.init();
  await fastify.ready();
  return app;
}
