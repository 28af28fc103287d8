import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';

/**
 * Reads a development secret kept under DATA_DIR, creating it with `create()` on first use.
 * Written to a temporary file and renamed, so a concurrent reader never sees half a secret;
 * readable by the owner only.
 */
export function readOrCreateSecretFile(path: string, create: () => string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
    const temp = `${path}.${process.pid}.tmp`;
    writeFileSync(temp, create(), { mode: 0o600 });
    renameSync(temp, path);
    return readFileSync(path, 'utf8');
  }
}
