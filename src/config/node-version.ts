import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

/**
 * Why this Node.js release cannot run the service (older than `engines.node` of package.json, a
 * `>=major.minor` floor), or undefined when it can.
 */
export function unsupportedNode(version: string, engines: string): string | undefined {
  const floor = /^>=\s*(\d+)(?:\.(\d+))?/.exec(engines);
  const running = /^v?(\d+)\.(\d+)/.exec(version);
  if (!floor || !running) return undefined;
  const [major, minor] = [Number(running[1]), Number(running[2])];
  const [needMajor, needMinor] = [Number(floor[1]), Number(floor[2] ?? 0)];
  if (major > needMajor || (major === needMajor && minor >= needMinor)) return undefined;
  return (
    `Node.js ${needMajor}.${needMinor} or later is required (package.json engines "${engines}"), ` +
    `this is Node.js ${version.replace(/^v/, '')}: install Node.js ${needMajor} LTS (see .nvmrc).`
  );
}

/** The name in the service's package.json, which `engines` is read from. */
const PACKAGE_NAME = 'device-timeseries-api';

/**
 * The `engines.node` of the service's package.json, the nearest one above `directory` (dist/src
 * in a checkout or the image; a copy of dist/ elsewhere, as the benchmark runs); undefined if none.
 */
export function enginesAbove(directory: string): string | undefined {
  for (let dir = directory; ; dir = dirname(dir)) {
    const file = join(dir, 'package.json');
    if (existsSync(file)) {
      const manifest = JSON.parse(readFileSync(file, 'utf8')) as { name?: string; engines?: { node?: string } };
      if (manifest.name === PACKAGE_NAME) return manifest.engines?.node;
    }
    if (dirname(dir) === dir) return undefined;
  }
}

/**
 * Stops the process with one line when this Node.js is older than package.json's `engines`:
 * main.ts calls it with its own directory before it loads anything that would fail on an old
 * release less readably.
 */
export function refuseUnsupportedNode(directory: string): void {
  const problem = unsupportedNode(process.version, enginesAbove(directory) ?? '');
  if (problem === undefined) return;
  process.stderr.write(`${problem}\n`);
  process.exit(1);
}
