import { readFileSync } from 'node:fs';
import { join } from 'node:path';

import { CONFIG_VARIABLES, ConfigError, loadConfig, type AppConfig } from '../../src/config/config';

const SECRET_32 = 'a'.repeat(32);

function configErrorOf(env: Record<string, string>): ConfigError {
  try {
    loadConfig(env);
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
  throw new Error(`loadConfig accepted ${JSON.stringify(env)}`);
}

describe('loadConfig', () => {
  it('gives every variable its documented default when the environment is empty', () => {
    const expected: AppConfig = {
      nodeEnv: 'development',
      isProduction: false,
      port: 3000,
      host: '0.0.0.0',
      logLevel: 'info',
      dataDir: join(process.cwd(), '.data'),
      database: {
        url: undefined,
        migrationsRun: true,
        poolSize: 10,
        connectTimeoutMs: 5000,
        statementTimeoutMs: 15_000,
        replicaUrls: [],
        replicaMaxLagMs: 5000,
      },
      http: { bodyLimit: 2 * 1024 * 1024, httpsOnly: false },
      limits: {
        maxPointsPerRequest: 1000,
        maxSamplesPerRequest: 10_000,
        samplesBodyLimit: 8 * 1024 * 1024,
        samplesExportLimit: 100_000,
        samplesRetentionDays: 0,
        samplesPackAfterMs: 172_800_000,
        samplesRollups: true,
      },
      stream: { heartbeatMs: 15_000, resumeS: 3600, buffer: 1000, connectionsPerSubject: 10, ticketS: 30 },
      jwt: {
        jwksUri: undefined,
        publicKey: undefined,
        secret: undefined,
        algorithms: ['RS256', 'ES256'],
        issuer: undefined,
        audience: undefined,
        collectionsClaim: 'collections',
      },
      swaggerEnabled: true,
      explorerEnabled: true,
      metricsEnabled: true,
      rateLimitPerMinute: 6000,
      redisUrl: undefined,
      corsOrigins: [],
      shutdownGraceMs: 10_000,
      continuationSecret: undefined,
    };
    expect(loadConfig({})).toEqual(expected);
  });

  it('reads set values, trimmed, with booleans in their accepted spellings', () => {
    const config = loadConfig({
      NODE_ENV: 'production',
      PORT: ' 8080 ',
      LOG_LEVEL: 'DEBUG',
      DATABASE_URL: 'postgresql://user:pw@db:5432/app',
      DB_MIGRATIONS_RUN: 'no',
      SWAGGER_ENABLED: 'off',
      EXPLORER_ENABLED: 'false',
      JWT_ALGORITHMS: 'HS256, RS256',
      JWT_SECRET: SECRET_32,
      JWT_COLLECTIONS_CLAIM: 'groups',
      CONTINUATION_SECRET: SECRET_32,
    });
    expect(config).toMatchObject({
      nodeEnv: 'production',
      isProduction: true,
      port: 8080,
      logLevel: 'debug',
      database: { url: 'postgresql://user:pw@db:5432/app', migrationsRun: false },
      swaggerEnabled: false,
      explorerEnabled: false,
      jwt: { algorithms: ['HS256', 'RS256'], secret: SECRET_32, collectionsClaim: 'groups' },
    });
  });

  it('turns the escaped newlines of JWT_PUBLIC_KEY into real ones', () => {
    const config = loadConfig({ JWT_PUBLIC_KEY: '-----BEGIN PUBLIC KEY-----\\nabc\\n-----END PUBLIC KEY-----' });
    expect(config.jwt.publicKey).toBe('-----BEGIN PUBLIC KEY-----\nabc\n-----END PUBLIC KEY-----');
  });

  it.each<[string, Record<string, string>, string]>([
    ['PORT is not a number', { PORT: 'abc' }, 'PORT must be a whole number from 0 to 65535, got "abc".'],
    ['PORT is above 65535', { PORT: '70000' }, 'PORT must be a whole number from 0 to 65535, got "70000".'],
    [
      'LOG_LEVEL is not a pino level',
      { LOG_LEVEL: 'loud' },
      'LOG_LEVEL must be one of fatal, error, warn, info, debug, trace, silent, got "loud".',
    ],
    [
      'DB_MIGRATIONS_RUN is not a boolean',
      { DB_MIGRATIONS_RUN: 'maybe' },
      'DB_MIGRATIONS_RUN must be true or false, got "maybe".',
    ],
    [
      'DATABASE_URL is not a postgres URL',
      { DATABASE_URL: 'mysql://x' },
      'DATABASE_URL must be a postgres:// or postgresql:// connection URL (leave it unset for the embedded database).',
    ],
    ['JWT_JWKS_URI is not http(s)', { JWT_JWKS_URI: 'ftp://x' }, 'JWT_JWKS_URI must be an http(s) URL, got "ftp://x".'],
    [
      'JWT_ALGORITHMS names "none"',
      { JWT_ALGORITHMS: 'none' },
      'JWT_ALGORITHMS contains "none", which is not one of RS256, RS384, RS512, PS256, PS384, PS512, ES256, ES384, ES512, HS256, HS384, HS512 ("none" is never accepted).',
    ],
    [
      'JWT_ALGORITHMS names an HS algorithm without JWT_SECRET',
      { JWT_ALGORITHMS: 'HS256' },
      'JWT_ALGORITHMS lists an HS algorithm, which needs JWT_SECRET to be set.',
    ],
    [
      'JWT_SECRET is shorter than 32 characters',
      { JWT_ALGORITHMS: 'HS256', JWT_SECRET: 'a'.repeat(31) },
      'JWT_SECRET must be at least 32 characters long.',
    ],
    [
      'JWT_SECRET is set but no HS algorithm is accepted',
      { JWT_SECRET: 's'.repeat(32) },
      'JWT_SECRET is set but JWT_ALGORITHMS lists no HS algorithm (add HS256, or unset JWT_SECRET).',
    ],
    [
      'CONTINUATION_SECRET is shorter than 32 characters',
      { CONTINUATION_SECRET: 'short' },
      'CONTINUATION_SECRET must be at least 32 characters long.',
    ],
    [
      'both JWT_JWKS_URI and JWT_PUBLIC_KEY are set',
      { JWT_JWKS_URI: 'https://idp.example/jwks', JWT_PUBLIC_KEY: 'key' },
      'Set either JWT_JWKS_URI or JWT_PUBLIC_KEY, not both.',
    ],
    [
      'MAX_POINTS_PER_REQUEST is 0',
      { MAX_POINTS_PER_REQUEST: '0' },
      'MAX_POINTS_PER_REQUEST must be a whole number from 1 to 10000, got "0".',
    ],
    [
      'NODE_ENV=production has no JWT verification key',
      { NODE_ENV: 'production', CONTINUATION_SECRET: SECRET_32 },
      'No JWT verification key is configured: set JWT_JWKS_URI or JWT_PUBLIC_KEY (or JWT_SECRET with an HS algorithm). NODE_ENV=production never uses a development key.',
    ],
    [
      'NODE_ENV=production has no CONTINUATION_SECRET',
      { NODE_ENV: 'production', JWT_JWKS_URI: 'https://idp.example/jwks.json' },
      'CONTINUATION_SECRET must be set in production (the same value on every instance).',
    ],
    [
      'BODY_LIMIT is below 1024 bytes',
      { BODY_LIMIT: '12' },
      'BODY_LIMIT must be a whole number from 1024 to 104857600, got "12".',
    ],
  ])('throws a ConfigError naming the variable when %s', (_case, env, message) => {
    expect(configErrorOf(env).message).toBe(message);
  });

  it('accepts a JWT_SECRET of exactly 32 characters', () => {
    expect(loadConfig({ JWT_ALGORITHMS: 'HS256', JWT_SECRET: SECRET_32 }).jwt.secret).toBe(SECRET_32);
  });
});

describe('CONFIG_VARIABLES', () => {
  const source = readFileSync(join(__dirname, '../../src/config/config.ts'), 'utf8');
  const readNames = [...source.matchAll(/\bread\.\w+\(\s*'([A-Z_]+)'/g)].map((match) => match[1]);

  it('lists exactly the variables loadConfig passes to its reader', () => {
    expect(readNames.length).toBeGreaterThan(0);
    expect([...new Set(readNames)].sort()).toEqual([...CONFIG_VARIABLES].sort());
  });

  it('names each variable once', () => {
    expect(new Set(CONFIG_VARIABLES).size).toBe(CONFIG_VARIABLES.length);
  });

  it('reads the environment only through the reader, never by a variable name directly', () => {
    expect(source).not.toMatch(/\benv\.[A-Z_]+|\benv\[\s*['"`]/);
  });
});
