import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';

export const ROOT = resolve(__dirname, '..', '..');

/**
 * Compiles the service as `npm run build` does: global-setup calls it once, before any test file
 * runs (a build inside a test's hook raced its timeout on a busy machine, and a worker waiting for
 * another's build blocked its event loop).
 */
export function buildServer(): void {
  execFileSync(process.execPath, [resolve(ROOT, 'node_modules/@nestjs/cli/bin/nest.js'), 'build'], {
    cwd: ROOT,
    stdio: 'pipe',
  });
}

/** Throws unless global-setup built dist/ for this run. */
export function assertBuilt(): void {
  if (!existsSync(join(ROOT, 'dist', 'src', 'main.js'))) {
    throw new Error('dist/src/main.js is missing: the e2e global setup builds it (run the e2e tests with jest)');
  }
}

export interface ServerProcess {
  child: ChildProcess;
  baseUrl: string;
  /** Everything the process wrote so far (stdout and stderr). */
  output(): string;
  /** JSON log lines' `msg` fields. */
  messages(): string[];
  /** Sends the signal and resolves with the exit code (or signal). */
  stop(signal?: NodeJS.Signals): Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/**
 * Starts `node dist/src/main.js` on a free port of 127.0.0.1 and waits until it listens, or at most
 * `limitMs` (a first start on a fresh embedded database sets it up: seconds idle, tens of seconds
 * on a busy machine; the hook that calls this must allow as much).
 */
export async function startServer(env: NodeJS.ProcessEnv, limitMs = 150_000): Promise<ServerProcess> {
  assertBuilt();
  const child = spawn(process.execPath, ['dist/src/main.js'], {
    cwd: ROOT,
    env: { PATH: process.env.PATH, HOME: process.env.HOME, ...env, PORT: '0', HOST: '127.0.0.1' },
  });
  let output = '';
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((done) =>
    // 'close', not 'exit': the process has exited and its output has been read to the end.
    child.once('close', (code, signal) => done({ code, signal })),
  );
  const baseUrl = await new Promise<string>((resolveUrl, reject) => {
    const timer = setTimeout(() => {
      // A server that never said it listens must not outlive the test that started it.
      child.kill('SIGKILL');
      reject(new Error(`server did not start in ${limitMs} ms:\n${output}`));
    }, limitMs);
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      const match = /Server listening at (http:\/\/127\.0\.0\.1:\d+)/.exec(output);
      if (match?.[1]) {
        clearTimeout(timer);
        resolveUrl(match[1]);
      }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    void exited.then(({ code, signal }) => {
      clearTimeout(timer);
      reject(new Error(`server exited with ${signal ?? code}:\n${output}`));
    });
  });
  return {
    child,
    baseUrl,
    output: () => output,
    messages: () =>
      output
        .split('\n')
        .filter((line) => line.startsWith('{'))
        .map((line) => (JSON.parse(line) as { msg?: string }).msg ?? ''),
    stop: (signal = 'SIGTERM') => {
      if (child.exitCode === null) child.kill(signal);
      return exited;
    },
  };
}
