import { onServer, TEST_DATABASE_URL_VARIABLE } from './test-database';

export default async function globalTeardown(): Promise<void> {
  const serverUrl = process.env.DATABASE_URL?.trim();
  const testUrl = process.env[TEST_DATABASE_URL_VARIABLE];
  if (!serverUrl || !testUrl) return;
  const name = new URL(testUrl).pathname.slice(1);
  await onServer(serverUrl, (client) => client.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`));
}
