import { randomUUID } from 'node:crypto';
import { linkSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';

/**
 * Reads a development secret kept under DATA_DIR, creating it with `create()` on first use.
 * Written to a temporary file, then linked to its name, which fails when the name exists: of
 * several processes starting on one data folder (instances sharing a volume) the first to link
 * wins and every one reads the winner's secret, never half a secret. Readable by the owner only.
 */
export function readOrCreateSecretFile(path: string, create: () => string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
    const temp = `${path}.${randomUUID()}.tmp`;
    writeFileSync(temp, create(), { mode: 0o600 });
    try {
      linkSync(temp, path);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    } finally {
      rmSync(temp, { force: true });
    }
    return readFileSync(path, 'utf8');
  }
}
