import { readFileSync } from 'node:fs';

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

/**
 * Stops the process with one line when this Node.js is older than the `engines` of `packageJson`:
 * main.ts calls it before it loads anything that would fail on an old release less readably.
 */
export function refuseUnsupportedNode(packageJson: string): void {
  const manifest = JSON.parse(readFileSync(packageJson, 'utf8')) as { engines?: { node?: string } };
  const problem = unsupportedNode(process.version, manifest.engines?.node ?? '');
  if (problem === undefined) return;
  process.stderr.write(`${problem}\n`);
  process.exit(1);
}
