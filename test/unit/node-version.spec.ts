import { readFileSync } from 'node:fs';
import { join } from 'node:path';

import { enginesAbove, unsupportedNode } from '../../src/config/node-version';

const ROOT = join(__dirname, '..', '..');

describe('the Node.js release the service runs on', () => {
  const engines = (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { engines: { node: string } })
    .engines.node;

  it.each([
    ['v24.11.0', undefined],
    ['v24.21.0', undefined],
    ['v25.0.0', undefined],
    ['v26.1.0', undefined],
  ])('runs on %s', (version, expected) => {
    expect(unsupportedNode(version, '>=24.11')).toBe(expected);
  });

  it.each(['v20.20.2', 'v22.22.0', 'v24.10.9'])('refuses %s in one sentence that says what to install', (version) => {
    expect(unsupportedNode(version, '>=24.11')).toBe(
      `Node.js 24.11 or later is required (package.json engines ">=24.11"), this is Node.js ${version.slice(1)}: install Node.js 24 LTS (see .nvmrc).`,
    );
  });

  it("reads engines from the service's own package.json above a directory, as deep as a copy of dist/ is", () => {
    expect(enginesAbove(join(ROOT, 'node_modules', '.cache', 'some', 'dist-1', 'src'))).toBe(engines);
    expect(enginesAbove('/')).toBeUndefined();
  });

  it('is one LTS line in package.json engines, .nvmrc, the Docker image and CI, and npm refuses others', () => {
    const major = /^>=(\d+)\./.exec(engines)?.[1];
    expect(major).toBe('24');
    expect(readFileSync(join(ROOT, '.nvmrc'), 'utf8').trim()).toBe(major);
    const images = [...readFileSync(join(ROOT, 'Dockerfile'), 'utf8').matchAll(/^FROM node:(\d+)-/gm)].map((m) => m[1]);
    expect(images).toEqual([major, major]);
    expect(/^NODE_VERSION=(\d+)\./m.exec(readFileSync(join(ROOT, '.ci', 'run'), 'utf8'))?.[1]).toBe(major);
    // npm ci on another release stops with EBADENGINE instead of warning.
    expect(readFileSync(join(ROOT, '.npmrc'), 'utf8')).toMatch(/^engine-strict=true$/m);
  });
});
