import { execFile, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

import { ROOT, startServer, type ServerProcess } from '../support/server-process';
import { TEST_DATABASE_URL_VARIABLE } from '../support/test-database';

/** A shell block of the README, and the answer the README shows under it (if any). */
interface Example {
  shell: string;
  shown?: { kind: 'json' | 'text'; body: string };
}

/** The fenced blocks of a README section, `sh` blocks each with the `json` or `text` block that follows it. */
function examplesOf(markdown: string, heading: string): Example[] {
  const start = markdown.indexOf(`\n${heading}\n`);
  if (start < 0) throw new Error(`README has no section "${heading}"`);
  const end = markdown.indexOf('\n## ', start + heading.length + 2);
  const section = markdown.slice(start, end < 0 ? undefined : end);
  const examples: Example[] = [];
  for (const [, language, body] of section.matchAll(/```(\w+)\n([\s\S]*?)```/g)) {
    if (language === 'sh') examples.push({ shell: body! });
    else if ((language === 'json' || language === 'text') && examples.length > 0) {
      examples[examples.length - 1]!.shown = { kind: language, body: body!.trim() };
    }
  }
  return examples;
}

/** Keys whose values the server makes anew (clock times): only their type is compared. */
const VARYING = new Set(['ingestUnixTimestamp', 'lagMs']);

/**
 * Whether `actual` answers as the README shows `shown`: the same JSON, where a string with `…` in
 * the README stands for any string (ids, creation times), the VARYING keys for any value of their type,
 * and numbers agree to 12 significant digits.
 */
function answersAsShown(actual: unknown, shown: unknown, key = ''): boolean {
  if (typeof shown === 'string' && shown.includes('…')) return typeof actual === 'string';
  if (VARYING.has(key)) return typeof actual === typeof shown;
  if (Array.isArray(shown)) {
    return (
      Array.isArray(actual) && actual.length === shown.length && shown.every((s, i) => answersAsShown(actual[i], s))
    );
  }
  if (shown !== null && typeof shown === 'object') {
    if (actual === null || typeof actual !== 'object' || Array.isArray(actual)) return false;
    const keys = Object.keys(shown);
    return (
      keys.length === Object.keys(actual).length &&
      keys.every((k) =>
        answersAsShown((actual as Record<string, unknown>)[k], (shown as Record<string, unknown>)[k], k),
      )
    );
  }
  // Doubles summed in another order (PGlite or a server, a plan's choice) differ in their last bits.
  if (typeof shown === 'number' && typeof actual === 'number') {
    return Math.abs(actual - shown) <= 1e-12 * Math.max(1, Math.abs(shown));
  }
  return actual === shown;
}

/**
 * The README's "The API at a glance", as a newcomer pastes it: every shell block in order, in one
 * bash session (so TOKEN, TS and NEXT carry over), against a freshly started server, the token from
 * `npm run token` as written. Each block must succeed and print what the README shows under it.
 */
describe("the README's API at a glance", () => {
  it('has an example of every operation of the OpenAPI document', () => {
    const document = JSON.parse(readFileSync(join(ROOT, 'docs', 'openapi.json'), 'utf8')) as {
      paths: Record<string, Record<string, unknown>>;
    };
    const examples = examplesOf(readFileSync(join(ROOT, 'README.md'), 'utf8'), '## The API at a glance');
    const missing = Object.entries(document.paths).flatMap(([path, item]) =>
      Object.keys(item).flatMap((method) => {
        const url = `"$API${path.replace('{deviceId}', 'TestDevice').replace('{timeseriesId}', '$TS')}`;
        const shown = examples.some(
          ({ shell }) =>
            (shell.includes(`${url}"`) || shell.includes(`${url}?`)) &&
            (method === 'get' || shell.includes(`-X ${method.toUpperCase()} ${url}`)),
        );
        return shown ? [] : [`${method.toUpperCase()} ${path}`];
      }),
    );
    expect(missing).toEqual([]);
  });
});

/** The README's examples need a shell, curl and jq (CI installs what is missing, and fails without them). */
const tools = ['bash', 'curl', 'jq'].filter((tool) => spawnSync('sh', ['-c', `command -v ${tool}`]).status !== 0);
if (tools.length > 0 && process.env.CI === 'true')
  throw new Error(`CI: ${tools.join(', ')} required for the README test`);
if (tools.length > 0)
  process.stdout.write(`\nREADME test skipped: ${tools.join(', ')} missing (apt-get install ${tools.join(' ')})\n`);

(tools.length > 0 ? describe.skip : describe)('the README examples, run as written', () => {
  const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
  const examples = examplesOf(readme, '## The API at a glance');
  let server: ServerProcess;
  let dataDir: string;
  let outputs: string[] = [];
  let failure = '';

  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'dtapi-readme-'));
    const databaseUrl = process.env[TEST_DATABASE_URL_VARIABLE];
    const env = { DATA_DIR: dataDir, ...(databaseUrl ? { DATABASE_URL: databaseUrl } : {}) };
    server = await startServer(env);
    // One session; a marker line after each block splits the output, and the first failing block stops it.
    const script = examples.map((example, i) => `${example.shell}\necho '@@@ ${i}'\n`).join('');
    const result = await new Promise<{ stdout: string; stderr: string; code: number }>((resolve) => {
      execFile(
        'bash',
        ['-e', '-o', 'pipefail', '-c', script],
        {
          cwd: ROOT,
          // npm and node of this run first: `npm run token` is part of what is tested.
          env: {
            PATH: `${dirname(process.execPath)}:${process.env.PATH}`,
            HOME: process.env.HOME,
            ...env,
            API: server.baseUrl,
          },
          maxBuffer: 16 * 1024 * 1024,
        },
        (error, stdout, stderr) => resolve({ stdout, stderr, code: error ? Number(error.code ?? 1) : 0 }),
      );
    });
    outputs = result.stdout.split(/^@@@ \d+\n/m);
    if (result.code !== 0) failure = `exit ${result.code} in block ${outputs.length}: ${result.stderr}`;
  }, 300_000);

  afterAll(async () => {
    await server?.stop('SIGKILL');
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });

  it('runs every block, in order, without an error', () => {
    expect(failure).toBe('');
    expect(outputs).toHaveLength(examples.length + 1);
  });

  it('answers every block as the README shows', () => {
    const mismatches = examples.flatMap((example, i) => {
      if (!example.shown) return [];
      const actual = (outputs[i] ?? '').trim();
      if (example.shown.kind === 'text') return actual === example.shown.body ? [] : [{ block: i, actual }];
      let parsed: unknown;
      try {
        parsed = JSON.parse(actual);
      } catch {
        return [{ block: i, actual }];
      }
      return answersAsShown(parsed, JSON.parse(example.shown.body)) ? [] : [{ block: i, actual }];
    });
    expect(mismatches).toEqual([]);
  });
});
