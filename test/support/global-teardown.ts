import { rmSync } from 'node:fs';
import { join } from 'node:path';

import { onServer, PGLITE_TEMPLATE_VARIABLE, TEST_DATABASE_URL_VARIABLE } from './test-database';

export default async function globalTeardown(): Promise<void> {
  const template = process.env[PGLITE_TEMPLATE_VARIABLE];
  if (template) rmSync(join(template, '..'), { recursive: true, force: true });
  const serverUrl = process.env.DATABASE_URL?.trim();
  const testUrl = process.env[TEST_DATABASE_URL_VARIABLE];
  if (!serverUrl || !testUrl) return;
  const name = new URL(testUrl).pathname.slice(1);
  await onServer(serverUrl, (client) => client.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`));
}
