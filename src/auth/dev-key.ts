import { createHash, createPrivateKey, createPublicKey, generateKeyPairSync } from 'node:crypto';
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** The development signing key, ES256, kept under DATA_DIR so tokens survive restarts. */
export interface DevKeyPair {
  privateKeyPem: string;
  publicKeyPem: string;
  kid: string;
}

export const DEV_KEY_ALGORITHM = 'ES256';

/** Reads the development key pair under `dataDir`, creating it on first use. */
export function ensureDevKeyPair(dataDir: string): DevKeyPair {
  const dir = join(dataDir, 'dev-jwt');
  const privatePath = join(dir, 'private.pem');
  let privateKeyPem: string;
  try {
    privateKeyPem = readFileSync(privatePath, 'utf8');
  } catch {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    privateKeyPem = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
    // Write then rename, so a concurrent reader never sees half a key.
    const temp = `${privatePath}.${process.pid}.tmp`;
    writeFileSync(temp, privateKeyPem, { mode: 0o600 });
    renameSync(temp, privatePath);
  }
  return withPublicHalf(privateKeyPem);
}

function withPublicHalf(privateKeyPem: string): DevKeyPair {
  const publicKeyPem = createPublicKey(createPrivateKey(privateKeyPem))
    .export({ type: 'spki', format: 'pem' })
    .toString();
  const kid = createHash('sha256').update(publicKeyPem).digest('base64url').slice(0, 16);
  return { privateKeyPem, publicKeyPem, kid };
}
