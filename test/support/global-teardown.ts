import { rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { BUILD_RUN_VARIABLE } from './server-process';
import { onServer, TEST_DATABASE_URL_VARIABLE } from './test-database';

export default async function globalTeardown(): Promise<void> {
  const run = process.env[BUILD_RUN_VARIABLE];
  if (run) rmSync(join(tmpdir(), `dtapi-build-${run}`), { recursive: true, force: true });
  const serverUrl = process.env.DATABASE_URL?.trim();
  const testUrl = process.env[TEST_DATABASE_URL_VARIABLE];
  if (!serverUrl || !testUrl) return;
  const name = new URL(testUrl).pathname.slice(1);
  await onServer(serverUrl, (client) => client.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`));
}
