import { resolve } from 'node:path';

import { ConfigError, EnvReader, type Env } from './env-reader';

/**
 * Every environment variable the service reads, parsed and validated in one place.
 * The README's configuration table documents the same names and defaults;
 * `test/unit/config.spec.ts` and `test/unit/docker-compose.spec.ts` keep them honest.
 */
export interface AppConfig {
  nodeEnv: string;
  isProduction: boolean;
  port: number;
  host: string;
  logLevel: LogLevel;
  dataDir: string;
  database: DatabaseConfig;
  http: HttpConfig;
  limits: LimitsConfig;
  stream: StreamConfig;
  jwt: JwtConfig;
  swaggerEnabled: boolean;
  /** Serve the chart explorer page at /explore. */
  explorerEnabled: boolean;
  metricsEnabled: boolean;
  /** Requests per minute per token subject; 0 turns rate limiting off. */
  rateLimitPerMinute: number;
  /** Redis for state shared by instances (the rate limit); undefined: each instance counts alone. */
  redisUrl: string | undefined;
  /** Origins allowed to call the API from a browser; empty means CORS is off, ['*'] any origin. */
  corsOrigins: string[];
  /** How long SIGTERM waits for in-flight requests before the process exits anyway. */
  shutdownGraceMs: number;
  /** Key of the paging tokens' HMAC; undefined in development means one generated under DATA_DIR. */
  continuationSecret: string | undefined;
}

export interface DatabaseConfig {
  /** node-postgres connection string; undefined selects the embedded PGlite database. */
  url: string | undefined;
  migrationsRun: boolean;
  poolSize: number;
  connectTimeoutMs: number;
  statementTimeoutMs: number;
  /** Hot standbys that serve reads (PostgreSQL only); empty: every read goes to the primary. */
  replicaUrls: string[];
  /** A replica further behind the primary than this is skipped until it catches up. */
  replicaMaxLagMs: number;
}

export interface HttpConfig {
  bodyLimit: number;
  /** Reached only over HTTPS (a TLS-terminating proxy in front): send HSTS and upgrade-insecure-requests. */
  httpsOnly: boolean;
}

export interface LimitsConfig {
  maxPointsPerRequest: number;
  maxSamplesPerRequest: number;
  /** Largest (decompressed) body of a samples write, in bytes. */
  samplesBodyLimit: number;
  /** Most samples one unpaginated read answers. */
  samplesExportLimit: number;
  /** Samples older than this many days are refused and their partitions dropped; 0 keeps them forever. */
  samplesRetentionDays: number;
  /** Samples older than this (ms) are packed into blocks; 0 never packs. */
  samplesPackAfterMs: number;
  /** Aggregates and stats read the packed days' summaries (sample_rollup); false: raw samples only. */
  samplesRollups: boolean;
}

/** Live samples streams (docs/stream.md). */
export interface StreamConfig {
  /** A comment line this often keeps idle streams (and the proxies between) open. */
  heartbeatMs: number;
  /** How long an event id stays resumable (Last-Event-ID); older ones are a 410. */
  resumeS: number;
  /** Events queued for a client that reads slower than they come; one more ends its stream (`overflow`). */
  buffer: number;
  /** Open streams of one token subject on one instance; one more is a 429. */
  connectionsPerSubject: number;
  /** How long a browser's stream ticket may wait to be used. */
  ticketS: number;
}

export interface JwtConfig {
  jwksUri: string | undefined;
  publicKey: string | undefined;
  secret: string | undefined;
  algorithms: JwtAlgorithm[];
  issuer: string | undefined;
  audience: string | undefined;
  collectionsClaim: string;
}

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

export const ASYMMETRIC_ALGORITHMS = [
  'RS256',
  'RS384',
  'RS512',
  'PS256',
  'PS384',
  'PS512',
  'ES256',
  'ES384',
  'ES512',
] as const;
export const SYMMETRIC_ALGORITHMS = ['HS256', 'HS384', 'HS512'] as const;
export type JwtAlgorithm = (typeof ASYMMETRIC_ALGORITHMS)[number] | (typeof SYMMETRIC_ALGORITHMS)[number];

/** Defaults of the request limits: what loadConfig falls back to, and what the OpenAPI document states. */
export const DEFAULT_LIMITS: Readonly<LimitsConfig> = {
  maxPointsPerRequest: 1000,
  maxSamplesPerRequest: 10_000,
  samplesBodyLimit: 8 * 1024 * 1024,
  samplesExportLimit: 100_000,
  samplesRetentionDays: 0,
  samplesPackAfterMs: 2 * 24 * 60 * 60 * 1000,
  samplesRollups: true,
};
/** Default BODY_LIMIT: room for 1000 points with 256-character ids. */
export const DEFAULT_BODY_LIMIT = 2 * 1024 * 1024;

/** The names this module reads, in the order the README lists them. */
export const CONFIG_VARIABLES = [
  'NODE_ENV',
  'PORT',
  'HOST',
  'LOG_LEVEL',
  'DATA_DIR',
  'DATABASE_URL',
  'DB_MIGRATIONS_RUN',
  'DB_POOL_SIZE',
  'DB_CONNECT_TIMEOUT_MS',
  'DB_STATEMENT_TIMEOUT_MS',
  'DATABASE_REPLICA_URLS',
  'DB_REPLICA_MAX_LAG_MS',
  'BODY_LIMIT',
  'HTTPS_ONLY',
  'MAX_POINTS_PER_REQUEST',
  'MAX_SAMPLES_PER_REQUEST',
  'SAMPLES_BODY_LIMIT',
  'SAMPLES_EXPORT_LIMIT',
  'SAMPLES_RETENTION_DAYS',
  'SAMPLES_PACK_AFTER',
  'SAMPLES_ROLLUPS',
  'SAMPLES_STREAM_HEARTBEAT_MS',
  'SAMPLES_STREAM_RESUME_S',
  'SAMPLES_STREAM_BUFFER',
  'SAMPLES_STREAM_CONNECTIONS_PER_SUBJECT',
  'SAMPLES_STREAM_TICKET_S',
  'JWT_JWKS_URI',
  'JWT_PUBLIC_KEY',
  'JWT_SECRET',
  'JWT_ALGORITHMS',
  'JWT_ISSUER',
  'JWT_AUDIENCE',
  'JWT_COLLECTIONS_CLAIM',
  'SWAGGER_ENABLED',
  'EXPLORER_ENABLED',
  'CONTINUATION_SECRET',
  'METRICS_ENABLED',
  'RATE_LIMIT_PER_MINUTE',
  'REDIS_URL',
  'CORS_ORIGINS',
  'SHUTDOWN_GRACE_MS',
] as const;

export { ConfigError };

/** Reads and validates the configuration; throws a ConfigError whose message names the variable. */
export function loadConfig(env: Env = process.env): AppConfig {
  const read = new EnvReader(env);
  const nodeEnv = read.string('NODE_ENV') ?? 'development';
  const algorithms = read.list('JWT_ALGORITHMS', ['RS256', 'ES256']).map((alg) => {
    if (!isAlgorithm(alg)) {
      throw new ConfigError(
        `JWT_ALGORITHMS contains "${alg}", which is not one of ${[...ASYMMETRIC_ALGORITHMS, ...SYMMETRIC_ALGORITHMS].join(', ')} ("none" is never accepted).`,
      );
    }
    return alg;
  });
  const secret = read.string('JWT_SECRET');
  if (algorithms.some(isSymmetric) && !secret) {
    throw new ConfigError('JWT_ALGORITHMS lists an HS algorithm, which needs JWT_SECRET to be set.');
  }
  if (secret !== undefined && secret.length < 32) {
    throw new ConfigError('JWT_SECRET must be at least 32 characters long.');
  }
  if (secret !== undefined && !algorithms.some(isSymmetric)) {
    throw new ConfigError(
      'JWT_SECRET is set but JWT_ALGORITHMS lists no HS algorithm (add HS256, or unset JWT_SECRET).',
    );
  }
  const continuationSecret = read.string('CONTINUATION_SECRET');
  if (continuationSecret !== undefined && continuationSecret.length < 32) {
    throw new ConfigError('CONTINUATION_SECRET must be at least 32 characters long.');
  }
  if (read.list('DATABASE_REPLICA_URLS', []).length > 0 && !read.string('DATABASE_URL')) {
    throw new ConfigError(
      'DATABASE_REPLICA_URLS needs DATABASE_URL: replicas are of a PostgreSQL server, not the embedded database.',
    );
  }
  const jwksUri = read.url('JWT_JWKS_URI');
  const publicKey = read.string('JWT_PUBLIC_KEY')?.replace(/\\n/g, '\n');
  if (jwksUri && publicKey) {
    throw new ConfigError('Set either JWT_JWKS_URI or JWT_PUBLIC_KEY, not both.');
  }
  // Production's two required settings, refused here before any module loads (the providers that
  // use them refuse too): a refusal from inside Nest's start-up came after the embedded
  // database had begun to initialise, and once took more than 30 s to end the process.
  if (nodeEnv === 'production' && !jwksUri && !publicKey && !secret) {
    throw new ConfigError(
      'No JWT verification key is configured: set JWT_JWKS_URI or JWT_PUBLIC_KEY (or JWT_SECRET with an HS algorithm). NODE_ENV=production never uses a development key.',
    );
  }
  if (nodeEnv === 'production' && continuationSecret === undefined) {
    throw new ConfigError('CONTINUATION_SECRET must be set in production (the same value on every instance).');
  }

  return {
    nodeEnv,
    isProduction: nodeEnv === 'production',
    port: read.int('PORT', 3000, 0, 65535),
    host: read.string('HOST') ?? '0.0.0.0',
    logLevel: read.oneOf('LOG_LEVEL', LOG_LEVELS, 'info'),
    dataDir: resolve(read.string('DATA_DIR') ?? '.data'),
    database: {
      url: read.databaseUrl('DATABASE_URL'),
      migrationsRun: read.bool('DB_MIGRATIONS_RUN', true),
      poolSize: read.int('DB_POOL_SIZE', 10, 1, 1000),
      connectTimeoutMs: read.int('DB_CONNECT_TIMEOUT_MS', 5000, 1, 600_000),
      statementTimeoutMs: read.int('DB_STATEMENT_TIMEOUT_MS', 15_000, 1, 3_600_000),
      replicaUrls: read.list('DATABASE_REPLICA_URLS', []).map((url) => {
        if (!URL.canParse(url) || !/^postgres(ql)?:$/.test(new URL(url).protocol)) {
          throw new ConfigError('DATABASE_REPLICA_URLS must list postgres:// or postgresql:// connection URLs.');
        }
        return url;
      }),
      replicaMaxLagMs: read.int('DB_REPLICA_MAX_LAG_MS', 5000, 0, 3_600_000),
    },
    http: {
      bodyLimit: read.int('BODY_LIMIT', DEFAULT_BODY_LIMIT, 1024, 100 * 1024 * 1024),
      httpsOnly: read.bool('HTTPS_ONLY', false),
    },
    limits: {
      maxPointsPerRequest: read.int('MAX_POINTS_PER_REQUEST', DEFAULT_LIMITS.maxPointsPerRequest, 1, 10_000),
      maxSamplesPerRequest: read.int('MAX_SAMPLES_PER_REQUEST', DEFAULT_LIMITS.maxSamplesPerRequest, 1, 100_000),
      samplesBodyLimit: read.int('SAMPLES_BODY_LIMIT', DEFAULT_LIMITS.samplesBodyLimit, 1024, 256 * 1024 * 1024),
      samplesExportLimit: read.int('SAMPLES_EXPORT_LIMIT', DEFAULT_LIMITS.samplesExportLimit, 1, 10_000_000),
      samplesRetentionDays: read.int('SAMPLES_RETENTION_DAYS', DEFAULT_LIMITS.samplesRetentionDays, 0, 73_000),
      samplesPackAfterMs: read.duration('SAMPLES_PACK_AFTER', DEFAULT_LIMITS.samplesPackAfterMs),
      samplesRollups: read.bool('SAMPLES_ROLLUPS', DEFAULT_LIMITS.samplesRollups),
    },
    stream: {
      heartbeatMs: read.int('SAMPLES_STREAM_HEARTBEAT_MS', 15_000, 10, 3_600_000),
      resumeS: read.int('SAMPLES_STREAM_RESUME_S', 3600, 1, 7 * 24 * 3600),
      buffer: read.int('SAMPLES_STREAM_BUFFER', 1000, 1, 1_000_000),
      connectionsPerSubject: read.int('SAMPLES_STREAM_CONNECTIONS_PER_SUBJECT', 10, 1, 100_000),
      ticketS: read.int('SAMPLES_STREAM_TICKET_S', 30, 1, 3600),
    },
    jwt: {
      jwksUri,
      publicKey,
      secret,
      algorithms,
      issuer: read.string('JWT_ISSUER'),
      audience: read.string('JWT_AUDIENCE'),
      collectionsClaim: read.string('JWT_COLLECTIONS_CLAIM') ?? 'collections',
    },
    swaggerEnabled: read.bool('SWAGGER_ENABLED', true),
    explorerEnabled: read.bool('EXPLORER_ENABLED', true),
    metricsEnabled: read.bool('METRICS_ENABLED', true),
    rateLimitPerMinute: read.int('RATE_LIMIT_PER_MINUTE', 6000, 0, 10_000_000),
    redisUrl: read.redisUrl('REDIS_URL'),
    corsOrigins: read.list('CORS_ORIGINS', []).map((origin) => {
      if (origin !== '*' && (!URL.canParse(origin) || new URL(origin).origin !== origin)) {
        throw new ConfigError(
          `CORS_ORIGINS must list origins such as https://app.example.com (or *), got "${origin}".`,
        );
      }
      return origin;
    }),
    shutdownGraceMs: read.int('SHUTDOWN_GRACE_MS', 10_000, 0, 600_000),
    continuationSecret,
  };
}

export function isSymmetric(alg: JwtAlgorithm): boolean {
  return (SYMMETRIC_ALGORITHMS as readonly string[]).includes(alg);
}

function isAlgorithm(value: string): value is JwtAlgorithm {
  return (
    (ASYMMETRIC_ALGORITHMS as readonly string[]).includes(value) ||
    (SYMMETRIC_ALGORITHMS as readonly string[]).includes(value)
  );
}
