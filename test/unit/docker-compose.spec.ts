import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

import { parse } from 'yaml';

import { CONFIG_VARIABLES, loadConfig } from '../../src/config/config';

const ROOT = join(__dirname, '..', '..');

interface ComposeService {
  image?: string;
  build?: string;
  profiles?: string[];
  deploy?: { replicas?: number };
  ports?: string[];
  entrypoint?: string[];
  environment?: Record<string, string | number>;
  depends_on?: Record<string, { condition: string }>;
  healthcheck?: { test: string[] };
  stop_grace_period?: string;
  volumes?: string[];
}

describe('docker-compose.yml', () => {
  // Merge keys (`<<: *api`), as Compose reads them.
  const compose = parse(readFileSync(join(ROOT, 'docker-compose.yml'), 'utf8'), { merge: true }) as {
    services: Record<string, ComposeService>;
  };
  const api = compose.services.api!;
  const db = compose.services.db!;

  it('runs a PostgreSQL db with a health check and a volume', () => {
    expect(db.image).toMatch(/^postgres:\d+/);
    expect(db.healthcheck?.test.join(' ')).toContain('pg_isready');
    expect(db.volumes?.some((v) => v.endsWith(':/var/lib/postgresql/data'))).toBe(true);
  });

  it('builds the api from the Dockerfile and waits for a healthy db', () => {
    expect(api.build).toBe('.');
    expect(api.depends_on).toEqual({ db: { condition: 'service_healthy' } });
  });

  it('sets only variables the config module reads', () => {
    const unknown = Object.keys(api.environment ?? {}).filter(
      (name) => !(CONFIG_VARIABLES as readonly string[]).includes(name),
    );
    expect(unknown).toEqual([]);
  });

  it('passes every variable the config module reads, so each can be set from the shell', () => {
    const missing = CONFIG_VARIABLES.filter((name) => !Object.keys(api.environment ?? {}).includes(name));
    expect(missing).toEqual([]);
  });

  it('passes config validation with its environment, defaults substituted as compose would', () => {
    const env = Object.fromEntries(
      Object.entries(api.environment ?? {}).map(([name, value]) => [
        name,
        String(value).replace(/\$\{[A-Z_]+:-([^}]*)\}/g, '$1'),
      ]),
    );
    const config = loadConfig(env);
    expect(config.database.url).toMatch(/@db:5432\//);
    expect(config.port).toBe(3000);
  });

  describe('the scale profile', () => {
    const scaled = compose.services['api-scaled']!;
    const { redis, lb } = compose.services;
    const replica = compose.services['db-replica']!;
    const substituted = (environment: ComposeService['environment']) =>
      Object.fromEntries(
        Object.entries(environment ?? {}).map(([name, value]) => [
          name,
          String(value).replace(/\$\{[A-Z_]+:-([^}]*)\}/g, '$1'),
        ]),
      );

    it('is a profile: plain `docker compose up` still starts db and api only', () => {
      const always = Object.entries(compose.services)
        .filter(([, service]) => !service.profiles)
        .map(([name]) => name);
      expect(always.sort()).toEqual(['api', 'db']);
      for (const name of ['redis', 'db-replica', 'api-scaled', 'lb']) {
        expect(compose.services[name]?.profiles).toEqual(['scale']);
      }
    });

    it('runs two API replicas of the same image and variables as api, on Redis and the replica', () => {
      expect(scaled.build).toBe('.');
      expect(scaled.deploy?.replicas).toBe(2);
      expect(Object.keys(scaled.environment ?? {}).sort()).toEqual(Object.keys(api.environment ?? {}).sort());
      expect(scaled.depends_on).toEqual({
        db: { condition: 'service_healthy' },
        'db-replica': { condition: 'service_healthy' },
        redis: { condition: 'service_healthy' },
      });
      const config = loadConfig(substituted(scaled.environment));
      expect(config.redisUrl).toBe('redis://redis:6379');
      expect(config.database.replicaUrls).toEqual(['postgres://apollo:apollo@db-replica:5432/apollo']);
      expect(config.database.url).toMatch(/@db:5432\//);
      // Their data volume is api's: one development key, whichever container signs a token.
      expect(scaled.volumes).toEqual(api.volumes);
      expect(scaled.ports).toBeUndefined();
    });

    it('puts the replicas behind one port', () => {
      expect(lb?.ports).toEqual(['3001:80']);
      expect(lb?.depends_on).toEqual({ 'api-scaled': { condition: 'service_healthy' } });
      const conf = readFileSync(join(ROOT, 'docker', 'nginx.conf'), 'utf8');
      expect(lb?.volumes).toEqual(['./docker/nginx.conf:/etc/nginx/conf.d/default.conf:ro']);
      expect(conf).toMatch(/upstream api \{\s*server api-scaled:3000;/);
      expect(conf).toContain('proxy_pass http://api;');
    });

    it('runs Redis and a hot standby of db made by pg_basebackup -R', () => {
      expect(redis?.image).toMatch(/^redis:\d+/);
      expect(redis?.healthcheck?.test).toEqual(['CMD', 'redis-cli', 'ping']);
      expect(replica.image).toBe(db.image);
      expect(replica.depends_on).toEqual({ db: { condition: 'service_healthy' } });
      const entrypoint = readFileSync(join(ROOT, 'docker', 'replica-entrypoint.sh'), 'utf8');
      expect(replica.entrypoint).toEqual(['bash', '/docker/replica-entrypoint.sh']);
      expect(entrypoint).toMatch(/pg_basebackup -h db .*-R/);
      expect(entrypoint).toContain('hot_standby=on');
      // The primary lets it stream (the image's own rules cover databases, not replication).
      expect(db.volumes).toContain('./docker/db-replication.sh:/docker-entrypoint-initdb.d/replication.sh:ro');
      expect(readFileSync(join(ROOT, 'docker', 'db-replication.sh'), 'utf8')).toContain(
        'echo "host replication all all scram-sha-256" >> "$PGDATA/pg_hba.conf"',
      );
    });
  });
});

describe('README', () => {
  const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');

  it('has a row of the configuration table for every environment variable the config module reads, in its order', () => {
    const section = readme.slice(
      readme.indexOf('\n## Configuration\n'),
      readme.indexOf('\n## ', readme.indexOf('\n## Configuration\n') + 5),
    );
    const rows = [...section.matchAll(/^\| `([A-Z_]+)` +\|/gm)].map((match) => match[1]);
    expect(rows).toEqual([...CONFIG_VARIABLES]);
  });

  it('states in the table the defaults the config module applies', () => {
    const defaults = loadConfig({});
    const row = (name: string) => new RegExp(`^\\| \`${name}\` +\\| \`([^\`]*)\``, 'm').exec(readme)?.[1];
    expect({
      PORT: row('PORT'),
      BODY_LIMIT: row('BODY_LIMIT'),
      MAX_POINTS_PER_REQUEST: row('MAX_POINTS_PER_REQUEST'),
      MAX_SAMPLES_PER_REQUEST: row('MAX_SAMPLES_PER_REQUEST'),
      SAMPLES_BODY_LIMIT: row('SAMPLES_BODY_LIMIT'),
      SAMPLES_EXPORT_LIMIT: row('SAMPLES_EXPORT_LIMIT'),
      SAMPLES_RETENTION_DAYS: row('SAMPLES_RETENTION_DAYS'),
      RATE_LIMIT_PER_MINUTE: row('RATE_LIMIT_PER_MINUTE'),
      SHUTDOWN_GRACE_MS: row('SHUTDOWN_GRACE_MS'),
    }).toEqual({
      PORT: String(defaults.port),
      BODY_LIMIT: String(defaults.http.bodyLimit),
      MAX_POINTS_PER_REQUEST: String(defaults.limits.maxPointsPerRequest),
      MAX_SAMPLES_PER_REQUEST: String(defaults.limits.maxSamplesPerRequest),
      SAMPLES_BODY_LIMIT: String(defaults.limits.samplesBodyLimit),
      SAMPLES_EXPORT_LIMIT: String(defaults.limits.samplesExportLimit),
      SAMPLES_RETENTION_DAYS: String(defaults.limits.samplesRetentionDays),
      RATE_LIMIT_PER_MINUTE: String(defaults.rateLimitPerMinute),
      SHUTDOWN_GRACE_MS: String(defaults.shutdownGraceMs),
    });
  });

  it('opens with the two commands for a fresh machine, then a table of contents', () => {
    const top = readme.split('\n').slice(0, 30).join('\n');
    expect(top).toContain('npm ci && npm start');
    expect(top).toContain('npm test');
    expect(readme.indexOf('## Contents')).toBeGreaterThan(readme.indexOf('## Quick start'));
    expect(readme.indexOf('## Contents')).toBeLessThan(readme.indexOf('## Get a token'));
  });

  it('links pages that exist', () => {
    const links = [...readme.matchAll(/\]\(((?:docs\/|CONTRIBUTING)[^)#]*)/g)].map((match) => match[1]!);
    expect(links.length).toBeGreaterThan(3);
    expect(links.filter((link) => !existsSync(join(ROOT, link)))).toEqual([]);
  });
});
