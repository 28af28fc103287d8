import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

export const ROOT = resolve(__dirname, '..', '..');

/** Set by global-setup: one id per jest run, so the test files that run `dist/` build it once. */
export const BUILD_RUN_VARIABLE = 'E2E_BUILD_RUN';

/**
 * Compiles the service as `npm run build` does, once per jest run: the first test file to ask
 * builds, the others (in other workers) wait for it. Two builds at once would delete `dist/` under
 * a server another file is starting.
 */
export function buildServer(): void {
  const build = () =>
    execFileSync(process.execPath, [resolve(ROOT, 'node_modules/@nestjs/cli/bin/nest.js'), 'build'], {
      cwd: ROOT,
      stdio: 'pipe',
    });
  const run = process.env[BUILD_RUN_VARIABLE];
  if (!run) {
    build();
    return;
  }
  const marker = join(tmpdir(), `dtapi-build-${run}`);
  try {
    mkdirSync(marker);
  } catch {
    waitForBuild(marker);
    return;
  }
  try {
    build();
    writeFileSync(join(marker, 'done'), '');
  } catch (error) {
    writeFileSync(join(marker, 'failed'), error instanceof Error ? error.message : String(error));
    throw error;
  }
}

function waitForBuild(marker: string): void {
  const pause = new Int32Array(new SharedArrayBuffer(4));
  const deadline = Date.now() + 180_000;
  while (!existsSync(join(marker, 'done'))) {
    if (existsSync(join(marker, 'failed'))) {
      throw new Error(`the build failed: ${readFileSync(join(marker, 'failed'), 'utf8')}`);
    }
    if (Date.now() > deadline) throw new Error('waited 3 minutes for another test file to build dist/');
    Atomics.wait(pause, 0, 0, 200);
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

/** Starts `node dist/src/main.js` on a free port of 127.0.0.1 and waits until it listens. */
export async function startServer(env: NodeJS.ProcessEnv): Promise<ServerProcess> {
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
      reject(new Error(`server did not start:\n${output}`));
    }, 30_000);
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
    void exited.then(({ code }) => {
      clearTimeout(timer);
      reject(new Error(`server exited with ${code}:\n${output}`));
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
