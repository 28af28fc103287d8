import { mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { readOrCreateSecretFile } from '../../src/common/secret-file';

describe('readOrCreateSecretFile', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'dtapi-secret-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('creates the secret once, owner-only, and reads it back afterwards', () => {
    const path = join(dir, 'nested', 'secret');
    expect(readOrCreateSecretFile(path, () => 'first')).toBe('first');
    expect(readOrCreateSecretFile(path, () => 'second')).toBe('first');
    expect(statSync(path).mode & 0o777).toBe(0o600);
    expect(readdirSync(join(dir, 'nested'))).toEqual(['secret']);
  });

  it("answers the other process's secret when that one created it first (instances sharing a volume)", () => {
    const path = join(dir, 'secret');
    const ours = readOrCreateSecretFile(path, () => {
      // Another instance publishes its secret between our failed read and our own publish.
      writeFileSync(path, 'theirs', { mode: 0o600 });
      return 'ours';
    });
    expect(ours).toBe('theirs');
    expect(readdirSync(dir)).toEqual(['secret']);
  });
});
