import { parseArgs } from 'node:util';

import { sign } from 'jsonwebtoken';

import { DEV_KEY_ALGORITHM, ensureDevKeyPair } from '../auth/dev-key';
import { ConfigError, loadConfig } from '../config/config';

const USAGE = `Usage: npm run token -- [--scope "apollo_read apollo_write"] [--collections testcollection[,other]]
                       [--sub dev-user] [--expires-in 3600]
Prints a bearer token signed with the development key under DATA_DIR (created on first use),
which the service accepts when no JWT key is configured and NODE_ENV is not production.`;

/** `npm run token`: a development token the local service accepts. */
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
  const config = loadConfig();
  if (config.isProduction) throw new ConfigError('npm run token makes development tokens; NODE_ENV is production.');
  const expiresIn = Number(values['expires-in']);
  if (!Number.isInteger(expiresIn) || expiresIn <= 0)
    throw new ConfigError('--expires-in must be a positive number of seconds.');

  const key = ensureDevKeyPair(config.dataDir);
  const collections = values.collections.split(/[\s,]+/).filter(Boolean);
  const token = sign({ scope: values.scope, [config.jwt.collectionsClaim]: collections }, key.privateKeyPem, {
    algorithm: DEV_KEY_ALGORITHM,
    keyid: key.kid,
    subject: values.sub,
    expiresIn,
    ...(config.jwt.issuer ? { issuer: config.jwt.issuer } : {}),
    ...(config.jwt.audience ? { audience: config.jwt.audience } : {}),
  });
  process.stdout.write(`${token}\n`);
}

try {
  main();
} catch (error: unknown) {
  process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n${USAGE}\n`);
  process.exit(1);
}
