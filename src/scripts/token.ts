import { parseArgs } from 'node:util';

import { signDevToken } from '../auth/dev-token';
import { loadConfig } from '../config/config';

const USAGE = `Usage: npm run token -- [--scope "apollo_read apollo_write"] [--collections testcollection[,other]]
                       [--sub dev-user] [--expires-in 3600]
Prints a bearer token signed with the development key under DATA_DIR (created on first use),
which the service accepts when no JWT key is configured and NODE_ENV is not production.`;

/** `npm run token`: prints a development token the local service accepts. */
function main(): void {
  const { values } = parseArgs({
    options: {
      scope: { type: 'string', default: 'apollo_read apollo_write' },
      collections: { type: 'string', default: 'testcollection' },
      sub: { type: 'string', default: 'dev-user' },
      'expires-in': { type: 'string', default: '3600' },
      help: { type: 'boolean', default: false },
    },
  });
  if (values.help) {
    process.stdout.write(`${USAGE}\n`);
    return;
  }
  const token = signDevToken(loadConfig(), {
    scope: values.scope,
    collections: values.collections.split(/[\s,]+/).filter(Boolean),
    subject: values.sub,
    expiresInSeconds: Number(values['expires-in']),
  });
  process.stdout.write(`${token}\n`);
}

try {
  main();
} catch (error: unknown) {
  process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n${USAGE}\n`);
  process.exit(1);
}
