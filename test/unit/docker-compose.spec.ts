import { readFileSync } from 'node:fs';
import { join } from 'node:path';

import { parse } from 'yaml';

import { CONFIG_VARIABLES, loadConfig } from '../../src/config/config';

const ROOT = join(__dirname, '..', '..');

interface ComposeService {
  image?: string;
  build?: string;
  environment?: Record<string, string | number>;
  depends_on?: Record<string, { condition: string }>;
  healthcheck?: { test: string[] };
  stop_grace_period?: string;
  volumes?: string[];
}

describe('docker-compose.yml', () => {
  const compose = parse(readFileSync(join(ROOT, 'docker-compose.yml'), 'utf8')) as {
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
});

describe('README', () => {
  const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');

  it('documents every environment variable the config module reads', () => {
    const missing = CONFIG_VARIABLES.filter((name) => !readme.includes(`\`${name}\``));
    expect(missing).toEqual([]);
  });

  it('opens with the two commands for a fresh machine', () => {
    const top = readme.split('\n').slice(0, 30).join('\n');
    expect(top).toContain('npm ci && npm start');
    expect(top).toContain('npm test');
  });
});
