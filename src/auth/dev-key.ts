import { createHash, createPrivateKey, createPublicKey, generateKeyPairSync } from 'node:crypto';
import { join } from 'node:path';

import { readOrCreateSecretFile } from '../common/secret-file';

/** The development signing key, ES256, kept under DATA_DIR so tokens survive restarts. */
export interface DevKeyPair {
  privateKeyPem: string;
  publicKeyPem: string;
  kid: string;
}

export const DEV_KEY_ALGORITHM = 'ES256';

/** Reads the development key pair under `dataDir`, creating it on first use. */
export function ensureDevKeyPair(dataDir: string): DevKeyPair {
  const privateKeyPem = readOrCreateSecretFile(join(dataDir, 'dev-jwt', 'private.pem'), () =>
    generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
  );
  return withPublicHalf(privateKeyPem);
}

function withPublicHalf(privateKeyPem: string): DevKeyPair {
  const publicKeyPem = createPublicKey(createPrivateKey(privateKeyPem))
    .export({ type: 'spki', format: 'pem' })
    .toString();
  const kid = createHash('sha256').update(publicKeyPem).digest('base64url').slice(0, 16);
  return { privateKeyPem, publicKeyPem, kid };
}
