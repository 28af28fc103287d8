import { randomBytes } from 'node:crypto';

import { Client } from 'pg';

/**
 * The e2e suite never touches the data of the database named by DATABASE_URL: it creates a
 * throwaway database on the same server, migrates it once, and drops it at the end.
 */
export const TEST_DATABASE_URL_VARIABLE = 'E2E_DATABASE_URL';
/** The same throwaway database on a hot standby of the server, when there is one. */
export const TEST_REPLICA_URL_VARIABLE = 'E2E_REPLICA_URL';
/** One migrated PGlite database that every test app on the embedded database starts from (a copy). */
export const PGLITE_TEMPLATE_VARIABLE = 'E2E_PGLITE_TEMPLATE';
/** A Redis server the scale-out tests may use (they reach it through a TCP proxy they can break). */
export const TEST_REDIS_URL_VARIABLE = 'E2E_REDIS_URL';

export function throwawayDatabaseUrl(serverUrl: string): { url: string; name: string } {
  const name = `dtapi_test_${Date.now()}_${randomBytes(4).toString('hex')}`;
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  return { url: url.toString(), name };
}

export async function onServer<T>(serverUrl: string, work: (client: Client) => Promise<T>): Promise<T> {
  const client = new Client({ connectionString: serverUrl });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}
