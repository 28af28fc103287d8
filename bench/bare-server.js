'use strict';

/**
 * `bare`: the reference server of the benchmark. A minimal Fastify + pg server doing the work the
 * service does for the routes the benchmark drives, written as well as we can, because it stands
 * for the limit of the stack, not a strawman:
 *
 * - the same configuration (the service's own `loadConfig`, so the same pool size and timeouts);
 * - the same token check (ES256/RS256 signature, `exp` required, 60 s of clock skew), the same
 *   scope and `erCollectionId` rules, and the same claims parsing (the service's `principalFromClaims`);
 * - the same input rules (the service's limits and pattern), as JSON schemas compiled by Ajv;
 * - literally the same SQL (imported from dist/src/devices/timeseries.sql.js): one statement per
 *   request, run again after a lost race (the service then locks the device first);
 * - the same envelope, status codes and `x-correlation-id`, and the same pino request log line.
 *
 * What it does differently is what a hand-written server does well: one route table, hooks
 * instead of a DI container, Ajv instead of class-validator, fast-json-stringify response schemas,
 * and (by default, BARE_PREPARED=true) named prepared statements.
 *
 * Run: DATABASE_URL=... JWT_PUBLIC_KEY=... CONTINUATION_SECRET=... PORT=3001 node bench/bare-server.js
 */

require('reflect-metadata');

const { Buffer } = require('node:buffer');
const { createHmac, createPublicKey, timingSafeEqual } = require('node:crypto');
const process = require('node:process');

const Ajv = require('ajv');
const { default: fastify } = require('fastify');
const jwt = require('jsonwebtoken');
const { Pool } = require('pg');

const { registerSampleRoutes } = require('./bare-samples');
const { statements } = require('./db-loop');
const { fromDist } = require('./dist');
const { envelopeSchema } = require('./envelope');

const { loadConfig } = fromDist('config/config');
const { POINT_ID_MAX_LENGTH, POINT_TYPE_MAX_LENGTH } = fromDist('devices/dto/limits');
const { DEVICE_ID_MAX_LENGTH } = fromDist('device-routes/device-id');
const { safeTextSchema } = fromDist('common/safe-text');
const { DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE } = fromDist('devices/dto/list-timeseries-query.dto');
const { READ_SCOPES, WRITE_SCOPES } = fromDist('auth/scopes');
const { principalFromClaims } = fromDist('auth/principal');
const { CORRELATION_ID_HEADER, correlationIdOf } = fromDist('common/correlation-id');
const { createLogger } = fromDist('common/logger');
const { RequestLogController } = fromDist('common/request-log');
const { MAX_REPORTED_ERRORS, summarize } = fromDist('common/field-errors');

const COLLECTION_HEADER = 'ercollectionid';
const CONTINUATION_TOKEN_HEADER = 'continuationtoken';
const LIST_TOKEN_PURPOSE = 'devices.timeseries.list.v1';
const REGISTER_ATTEMPTS = 5;
const CLOCK_TOLERANCE_SECONDS = 60;
const MAX_PARAM_LENGTH = 4096;

/** An answer other than success, in the envelope. */
class HttpError extends Error {
  /**
   * @param {number} status
   * @param {string} message
   * @param {{ errors?: Array<{ path: string, message: string }>, headers?: Record<string, string> }} [extra]
   */
  constructor(status, message, extra = {}) {
    super(message);
    this.status = status;
    this.errors = extra.errors;
    this.headers = extra.headers ?? {};
  }
}

/**
 * @param {number} status
 * @param {string} message
 * @param {Array<{ path: string, message: string }>} [errors]
 */
function errorEnvelope(status, message, errors) {
  /** @type {Record<string, unknown>} */
  const body = { status: { Message: message, Code: String(status) }, data: null };
  if (errors && errors.length > 0) body.errors = errors;
  return body;
}

/** @param {number} max */
const safeText = (max) => safeTextSchema(max);

/**
 * The POST body as a JSON schema, from the limits the service's DTO uses.
 * @param {number} maxPoints
 */
const pointListSchema = (maxPoints) => ({
  type: 'array',
  minItems: 1,
  maxItems: maxPoints,
  items: {
    type: 'object',
    required: ['id', 'pointType'],
    additionalProperties: false,
    properties: { id: safeText(POINT_ID_MAX_LENGTH), pointType: safeText(POINT_TYPE_MAX_LENGTH) },
  },
});

/**
 * @typedef {object} ArrayBody what a route's JSON array body holds, for its 400s (as JsonArrayPipe words them)
 * @property {{ one: string, many: string }} noun
 * @property {string} verb
 * @property {number} maxItems
 * @property {readonly string[]} required the item's required fields
 */

const DEVICE_PARAMS = {
  type: 'object',
  required: ['deviceId'],
  properties: { deviceId: safeText(DEVICE_ID_MAX_LENGTH) },
};

/**
 * Builds the server (not listening) and its pool.
 * @param {ReturnType<typeof loadConfig>} config
 * @param {{ prepared: boolean }} options
 */
function createBareServer(config, options) {
  if (!config.database.url) throw new Error('DATABASE_URL is required: the bare server runs on PostgreSQL only.');
  if (!config.jwt.publicKey)
    throw new Error('JWT_PUBLIC_KEY is required: the bare server verifies ES256/RS256 tokens.');
  if (!config.continuationSecret) throw new Error('CONTINUATION_SECRET is required.');

  const { database } = config;
  const pool = new Pool({
    connectionString: database.url,
    max: database.poolSize,
    connectionTimeoutMillis: database.connectTimeoutMs,
    application_name: 'device-timeseries-bench-bare',
    statement_timeout: database.statementTimeoutMs,
    idle_in_transaction_session_timeout: database.statementTimeoutMs * 2,
    keepAlive: true,
  });
  pool.on('error', () => undefined);

  // The service's statements, as the db loop sends them: named (prepared once per connection) or not.
  const { registerPoints, listTimeseries } = statements(options.prepared);

  const publicKey = createPublicKey(config.jwt.publicKey);
  /** @type {import('jsonwebtoken').VerifyOptions} */
  const verifyOptions = {
    algorithms: config.jwt.algorithms.filter((/** @type {string} */ alg) => !alg.startsWith('HS')),
    clockTolerance: CLOCK_TOLERANCE_SECONDS,
    ...(config.jwt.issuer ? { issuer: config.jwt.issuer } : {}),
    ...(config.jwt.audience ? { audience: config.jwt.audience } : {}),
  };
  const continuationKey = Buffer.from(config.continuationSecret);
  const maxPoints = config.limits.maxPointsPerRequest;

  // Bodies are validated strictly (no coercion, unknown fields are errors); query strings and
  // path parameters are text, so numbers in them are coerced.
  const strictAjv = new Ajv({ allErrors: false, coerceTypes: false, removeAdditional: false, useDefaults: false });
  // ('array': a query parameter given once is a list of one, such as the samples' timeseries_ids.)
  const coercingAjv = new Ajv({ allErrors: false, coerceTypes: 'array', removeAdditional: false, useDefaults: false });

  const app = fastify({
    loggerInstance: createLogger(config.logLevel),
    logController: new RequestLogController(),
    genReqId: correlationIdOf,
    bodyLimit: config.http.bodyLimit,
    routerOptions: { maxParamLength: MAX_PARAM_LENGTH },
    onProtoPoisoning: 'error',
    onConstructorPoisoning: 'error',
    forceCloseConnections: 'idle',
  });
  app.removeContentTypeParser('text/plain');
  app.setValidatorCompiler(({ schema, httpPart }) => (httpPart === 'body' ? strictAjv : coercingAjv).compile(schema));

  app.addHook('onRequest', (request, reply, done) => {
    void reply.header(CORRELATION_ID_HEADER, request.id);
    /** @type {readonly string[] | undefined} */
    const scopes = request.routeOptions.config.scopes;
    if (scopes) {
      try {
        const principal = authenticate(request.headers.authorization);
        if (!scopes.some((scope) => principal.scopes.has(scope))) {
          throw new HttpError(403, `Missing required scope: the token needs one of ${scopes.join(', ')}`, {
            headers: { 'WWW-Authenticate': `Bearer error="insufficient_scope", scope="${scopes.join(' ')}"` },
          });
        }
        Object.assign(request, { access: deviceAccess(principal.collections, request.headers[COLLECTION_HEADER]) });
      } catch (error) {
        done(/** @type {Error} */ (error));
        return;
      }
    }
    done();
  });

  /**
   * The verified principal of a bearer token, or a 401.
   * @param {string | undefined} authorization
   */
  function authenticate(authorization) {
    const match = typeof authorization === 'string' ? /^Bearer\s+(\S+)\s*$/i.exec(authorization) : null;
    if (!match) {
      throw new HttpError(401, 'A bearer token is required in the Authorization header', {
        headers: { 'WWW-Authenticate': 'Bearer' },
      });
    }
    /** @type {Record<string, unknown>} */
    let claims;
    try {
      const verified = jwt.verify(match[1], publicKey, verifyOptions);
      if (typeof verified !== 'object' || typeof verified.exp !== 'number') throw new Error('token has no exp');
      claims = /** @type {Record<string, unknown>} */ (verified);
    } catch (error) {
      const message =
        error instanceof jwt.TokenExpiredError
          ? 'The bearer token has expired'
          : error instanceof jwt.NotBeforeError
            ? 'The bearer token is not valid yet'
            : 'The bearer token is invalid';
      throw new HttpError(401, message, {
        headers: { 'WWW-Authenticate': `Bearer error="invalid_token", error_description="${message}"` },
      });
    }
    return principalFromClaims(claims, config.jwt.collectionsClaim);
  }

  /**
   * Which collections the request may use: the header's, when sent and granted, else the token's.
   * @param {readonly string[]} collections
   * @param {string | string[] | undefined} header
   * @returns {{ allowed: readonly string[], target: string | undefined }}
   */
  function deviceAccess(collections, header) {
    if (collections.length === 0) throw new HttpError(403, 'User does not have access to device');
    if (header === undefined)
      return { allowed: collections, target: collections.length === 1 ? collections[0] : undefined };
    if (typeof header !== 'string' || !collections.includes(header)) {
      throw new HttpError(403, 'User does not have access to the collection named by erCollectionId');
    }
    return { allowed: [header], target: header };
  }

  /**
   * @param {{ allowed: readonly string[] }} access
   * @param {string | undefined} collectionId
   */
  function assertCanAccess(access, collectionId) {
    if (collectionId === undefined || !access.allowed.includes(collectionId)) {
      throw new HttpError(403, 'User does not have access to device');
    }
  }

  app.get('/health/ready', async () => {
    await pool.query('SELECT 1');
    return { status: { Message: '', Code: '200' }, data: { status: 'ok' } };
  });

  app.post(
    '/apollo/devices/:deviceId/timeseries',
    {
      config: {
        scopes: WRITE_SCOPES,
        /** @type {ArrayBody} */
        arrayBody: {
          noun: { one: 'point', many: 'points' },
          verb: 'register',
          maxItems: maxPoints,
          required: ['id', 'pointType'],
        },
      },
      schema: {
        params: DEVICE_PARAMS,
        body: pointListSchema(maxPoints),
        response: {
          202: envelopeSchema({
            type: 'object',
            required: ['deviceId', 'relationships'],
            properties: {
              deviceId: { type: 'string' },
              relationships: {
                type: 'array',
                items: {
                  type: 'object',
                  required: ['pointId', 'pointType', 'timeseriesId', 'created'],
                  properties: {
                    pointId: { type: 'string' },
                    pointType: { type: 'string' },
                    timeseriesId: { type: 'string' },
                    created: { type: 'boolean' },
                  },
                },
              },
            },
          }),
        },
      },
    },
    async (request, reply) => {
      const { deviceId } = /** @type {{ deviceId: string }} */ (request.params);
      const points = /** @type {Array<{ id: string, pointType: string }>} */ (request.body);
      const access = /** @type {{ allowed: readonly string[], target: string | undefined }} */ (
        /** @type {any} */ (request).access
      );
      const ids = new Array(points.length);
      const types = new Array(points.length);
      const seen = new Set();
      for (let i = 0; i < points.length; i++) {
        const point = points[i];
        if (seen.has(point.id)) throw duplicateIds(points);
        seen.add(point.id);
        ids[i] = point.id;
        types[i] = point.pointType;
      }
      if (access.target === undefined) {
        throw new HttpError(
          400,
          'The erCollectionId header is required to create a device when the token grants several collections',
        );
      }

      const byPointId = assertNoConflicts(points, await register(deviceId, access, ids, types));

      const relationships = points.map((point) => {
        const row = byPointId.get(point.id);
        if (!row) throw new Error(`The database returned no timeseries for point ${JSON.stringify(point.id)}`);
        return {
          pointId: row.point_id,
          pointType: row.point_type,
          timeseriesId: row.timeseries_id,
          created: row.created,
        };
      });
      void reply.code(202);
      return { status: { Message: '', Code: '202' }, data: { deviceId, relationships } };
    },
  );

  app.get(
    '/apollo/devices/:deviceId/timeseries',
    {
      config: { scopes: READ_SCOPES },
      schema: {
        params: DEVICE_PARAMS,
        querystring: {
          type: 'object',
          additionalProperties: false,
          properties: {
            limit: { type: 'integer', minimum: 1, maximum: MAX_PAGE_SIZE },
            pointType: safeText(POINT_TYPE_MAX_LENGTH),
          },
        },
        response: {
          200: envelopeSchema({
            type: 'object',
            required: ['deviceId', 'relationships', 'continuationToken'],
            properties: {
              deviceId: { type: 'string' },
              relationships: {
                type: 'array',
                items: {
                  type: 'object',
                  required: ['pointId', 'pointType', 'timeseriesId', 'status', 'createdAt'],
                  properties: {
                    pointId: { type: 'string' },
                    pointType: { type: 'string' },
                    timeseriesId: { type: 'string' },
                    status: { type: 'string' },
                    createdAt: { type: 'string' },
                  },
                },
              },
              continuationToken: { type: ['string', 'null'] },
            },
          }),
        },
      },
    },
    async (request, reply) => {
      const { deviceId } = /** @type {{ deviceId: string }} */ (request.params);
      const query = /** @type {{ limit?: number, pointType?: string }} */ (request.query);
      const access = /** @type {any} */ (request).access;
      const limit = query.limit ?? DEFAULT_PAGE_SIZE;
      const filter = query.pointType ?? null;
      const token = request.headers[CONTINUATION_TOKEN_HEADER];
      const after = typeof token === 'string' && token ? readPosition(token, deviceId, filter) : null;

      const { rows } = await pool.query(listTimeseries([deviceId, after, filter, limit + 1]));
      assertCanAccess(access, rows[0]?.collection_id);
      const items = [];
      for (const row of rows) {
        if (row.point_id === null) continue;
        items.push({
          pointId: row.point_id,
          pointType: row.point_type,
          timeseriesId: row.timeseries_id,
          status: row.status,
          createdAt: row.created_at, // formatted by the SQL
        });
      }
      const page = items.slice(0, limit);
      const last = page[page.length - 1];
      const continuationToken =
        items.length > limit && last ? issueToken({ d: deviceId, f: filter, k: last.pointId }) : null;
      if (continuationToken) void reply.header('ContinuationToken', continuationToken);
      return { status: { Message: '', Code: '200' }, data: { deviceId, relationships: page, continuationToken } };
    },
  );

  /**
   * The registration: one statement, no transaction around it; run again when a concurrent
   * request created the device or one of the points meanwhile. (The service falls back to a
   * transaction that locks the device first; the benchmark's scenarios never lose such a race.)
   * @param {string} deviceId
   * @param {{ allowed: readonly string[], target: string | undefined }} access
   * @param {string[]} ids
   * @param {string[]} types
   * @returns {Promise<Map<string, any>>}
   */
  async function register(deviceId, access, ids, types) {
    for (let attempt = 1; attempt <= REGISTER_ATTEMPTS; attempt++) {
      /** @type {any[]} */
      let rows;
      try {
        ({ rows } = await pool.query(
          registerPoints({
            deviceId,
            collectionId: access.target,
            allowedCollections: access.allowed,
            pointIds: ids,
            pointTypes: types,
          }),
        ));
      } catch (error) {
        if (/** @type {any} */ (error).code === '23505') continue;
        throw error;
      }
      const device = rows.find((row) => row.point_id === null);
      if (!device) continue;
      assertCanAccess(access, device.collection_id);
      return new Map(rows.filter((row) => row.point_id !== null).map((row) => [row.point_id, row]));
    }
    throw new HttpError(503, 'The device is being changed concurrently; try again');
  }

  /** @param {object} position */
  function issueToken(position) {
    const payload = Buffer.from(JSON.stringify(position)).toString('base64url');
    return `${payload}.${signToken(payload)}`;
  }

  /** @param {string} payload */
  function signToken(payload) {
    return createHmac('sha256', continuationKey).update(`${LIST_TOKEN_PURPOSE}\n${payload}`).digest('base64url');
  }

  /**
   * @param {string} token
   * @param {string} deviceId
   * @param {string | null} filter
   * @returns {string}
   */
  function readPosition(token, deviceId, filter) {
    const invalid = (/** @type {string} */ message) =>
      new HttpError(400, message, { errors: [{ path: 'ContinuationToken', message }] });
    const [payload, signature, extra] = token.split('.');
    if (token.length > 2048 || extra !== undefined || !payload || !signature) {
      throw invalid('ContinuationToken is malformed');
    }
    const expected = Buffer.from(signToken(payload));
    const given = Buffer.from(signature);
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
      throw invalid('ContinuationToken is not valid: it was modified or issued for another list');
    }
    /** @type {any} */
    let position;
    try {
      position = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'));
    } catch {
      throw invalid('ContinuationToken is malformed');
    }
    if (typeof position?.k !== 'string' || typeof position.d !== 'string')
      throw invalid('ContinuationToken is malformed');
    if (position.d !== deviceId || position.f !== filter) {
      throw invalid('ContinuationToken was issued for another device or pointType filter');
    }
    return position.k;
  }

  /**
   * The registered points by id; a 409 naming them when some exist with another type.
   * @param {Array<{ id: string, pointType: string }>} points
   * @param {Map<string, any>} found
   */
  function assertNoConflicts(points, found) {
    const conflicts = points.filter((p) => found.has(p.id) && found.get(p.id).point_type !== p.pointType);
    if (conflicts.length === 0) return found;
    const described = conflicts.map(
      (p) =>
        `${JSON.stringify(p.id)} is ${JSON.stringify(found.get(p.id).point_type)}, not ${JSON.stringify(p.pointType)}`,
    );
    throw new HttpError(
      409,
      `Points already exist on the device with another pointType; nothing was written: ${described.join('; ')}`,
    );
  }

  /**
   * A 400 naming each later point with the id of an earlier one, and that one (as JsonArrayPipe does).
   * @param {Array<{ id: string }>} points
   */
  function duplicateIds(points) {
    /** @type {Map<string, number>} */
    const first = new Map();
    /** @type {Array<{ path: string, message: string }>} */
    const repeats = [];
    points.forEach((point, index) => {
      const earlier = first.get(point.id);
      if (earlier === undefined) first.set(point.id, index);
      else if (repeats.length < MAX_REPORTED_ERRORS) {
        repeats.push({ path: `[${index}].id`, message: `the same id as [${earlier}]: ${JSON.stringify(point.id)}` });
      }
    });
    return new HttpError(400, `Duplicate points in the request: ${summarize(repeats)}`, { errors: repeats });
  }

  registerSampleRoutes(app, {
    pool,
    config,
    prepared: options.prepared,
    HttpError,
    assertCanAccess,
    deviceParams: DEVICE_PARAMS,
  });

  app.setNotFoundHandler((request, reply) => {
    void reply.code(404).type('application/json; charset=utf-8').send(errorEnvelope(404, 'Route not found'));
  });

  app.setErrorHandler((error, request, reply) => {
    const { status, message, errors, headers } = resolveError(error, request, config.http.bodyLimit);
    if (status >= 500) request.log.error({ err: error }, 'request failed');
    void reply
      .code(status)
      .headers(headers)
      .type('application/json; charset=utf-8')
      .send(errorEnvelope(status, message, errors));
  });

  return { app, pool };
}

/** @type {Record<string, number>} */
const DOMAIN_STATUS = {
  invalid_request: 400,
  unauthenticated: 401,
  forbidden: 403,
  not_found: 404,
  conflict: 409,
  unsupported_media_type: 415,
  unavailable: 503,
};

/** SQLSTATEs that mean "the database cannot serve this now" (as the service classifies them). */
const UNAVAILABLE_SQLSTATES = new Set(['57014', '57P01', '57P02', '57P03', '53300', '40001', '40P01']);

/**
 * Maps any failure to the envelope's status, message and field errors.
 * @param {any} error
 * @param {import('fastify').FastifyRequest} request
 * @param {number} bodyLimit
 * @returns {{ status: number, message: string, errors?: Array<{ path: string, message: string }>, headers: Record<string, string> }}
 */
function resolveError(error, request, bodyLimit) {
  if (error instanceof HttpError) {
    return { status: error.status, message: error.message, errors: error.errors, headers: error.headers };
  }
  if (Array.isArray(error?.validation)) {
    /** @type {ArrayBody | undefined} */
    const arrayBody = request.routeOptions.config.arrayBody;
    return validationFailure(error.validation, error.validationContext, arrayBody, request.body);
  }
  // The service's own domain errors, thrown by its code imported from dist/ (e.g. ContinuationTokens.read).
  if (typeof error?.kind === 'string' && DOMAIN_STATUS[error.kind]) {
    return {
      status: DOMAIN_STATUS[error.kind],
      message: error.message,
      errors: error.errors,
      headers: error.headers ?? {},
    };
  }
  if (error?.statusCode === 413) {
    return { status: 413, message: `Request body is larger than the limit of ${bodyLimit} bytes`, headers: {} };
  }
  if (error?.statusCode === 415) return { status: 415, message: 'Content-Type must be application/json', headers: {} };
  if (typeof error?.statusCode === 'number' && error.statusCode >= 400 && error.statusCode < 500) {
    return { status: error.statusCode, message: String(error.message), headers: {} };
  }
  const code = typeof error?.code === 'string' ? error.code : '';
  if (code === '22021' || code === '22P05') {
    return { status: 400, message: 'The request contains characters the database cannot store', headers: {} };
  }
  if (UNAVAILABLE_SQLSTATES.has(code) || code.startsWith('08') || /^E[A-Z]+$/.test(code)) {
    return { status: 503, message: 'The database is unavailable; try again shortly', headers: {} };
  }
  return { status: 500, message: 'Internal server error', headers: {} };
}

/**
 * The first Ajv error as the service would word it, with a field path like `[3].pointType`.
 * @param {Array<{ instancePath: string, keyword: string, message?: string, params: Record<string, any> }>} issues
 * @param {string} part body, params or querystring
 * @param {ArrayBody | undefined} arrayBody the route's array body, if it has one
 * @param {unknown} body
 */
function validationFailure(issues, part, arrayBody, body) {
  const issue = issues[0];
  const segments = issue.instancePath.split('/').slice(1);
  if (part === 'body' && arrayBody && segments.length === 0) {
    const { noun, verb, maxItems } = arrayBody;
    const message =
      issue.keyword === 'minItems'
        ? `No ${noun.many} provided`
        : issue.keyword === 'maxItems'
          ? `Too many ${noun.many}: a request may ${verb} at most ${maxItems} ${noun.many}, got ${/** @type {unknown[]} */ (body).length}`
          : `The request body must be a JSON array of ${noun.many}`;
    return { status: 400, message, headers: {} };
  }
  if (part === 'body' && arrayBody && segments.length === 1 && issue.keyword === 'type') {
    const { noun, required } = arrayBody;
    const path = `[${segments[0]}]`;
    const message = `each ${noun.one} must be an object with ${required.slice(0, -1).join(', ')} and ${required[required.length - 1]}`;
    return {
      status: 400,
      message: `Invalid ${noun.many}: ${path}: ${message}`,
      errors: [{ path, message }],
      headers: {},
    };
  }
  if (issue.keyword === 'additionalProperties') segments.push(issue.params.additionalProperty);
  if (issue.keyword === 'required') segments.push(issue.params.missingProperty);
  const path = segments.map((s, i) => (/^\d+$/.test(s) ? `[${s}]` : i === 0 ? s : `.${s}`)).join('');
  const field = segments[segments.length - 1] ?? part;
  const message =
    issue.keyword === 'additionalProperties'
      ? `${field} is not a known field`
      : issue.keyword === 'pattern'
        ? `${field} must not be empty or blank, nor contain control characters`
        : `${field} ${issue.message ?? 'is invalid'}`;
  const label = part === 'body' && arrayBody ? `Invalid ${arrayBody.noun.many}` : 'Invalid request';
  return { status: 400, message: `${label}: ${path}: ${message}`, errors: [{ path, message }], headers: {} };
}

async function main() {
  const config = loadConfig(process.env);
  const prepared = !['false', '0', 'no', 'off'].includes((process.env.BARE_PREPARED ?? 'true').toLowerCase());
  const { app, pool } = createBareServer(config, { prepared });
  const stop = () => {
    app
      .close()
      .then(() => pool.end())
      .then(
        () => process.exit(0),
        () => process.exit(1),
      );
  };
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
  await app.listen({ port: config.port, host: config.host });
  app.log.info({ prepared, poolSize: config.database.poolSize }, 'bare reference server listening');
}

if (require.main === module) {
  main().catch((/** @type {unknown} */ error) => {
    process.stderr.write(`bare server failed to start: ${error instanceof Error ? error.stack : String(error)}\n`);
    process.exit(1);
  });
}

module.exports = { createBareServer, pointListSchema };
