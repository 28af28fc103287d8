import { generateKeyPairSync, randomUUID, type KeyObject } from 'node:crypto';

import { sign, type Algorithm, type SignOptions } from 'jsonwebtoken';

/** Signing keys the test apps trust (ES256 through JWT_PUBLIC_KEY) or must reject (the others). */
export const trustedKey = generateKeyPairSync('ec', { namedCurve: 'P-256' });
export const foreignKey = generateKeyPairSync('ec', { namedCurve: 'P-256' });

export const TRUSTED_PUBLIC_KEY_PEM = trustedKey.publicKey.export({ type: 'spki', format: 'pem' }).toString();

export interface TokenClaims {
  scope?: unknown;
  scp?: unknown;
  collections?: unknown;
  sub?: string;
  [claim: string]: unknown;
}

/** A token the test app accepts, unless the claims or options say otherwise. */
export function token(
  claims: TokenClaims = {},
  options: { key?: KeyObject | string; algorithm?: Algorithm; expiresIn?: number; sign?: SignOptions } = {},
): string {
  const payload = { scope: 'apollo_read apollo_write', sub: 'e2e-user', ...claims };
  return sign(payload, options.key ?? trustedKey.privateKey, {
    algorithm: options.algorithm ?? 'ES256',
    ...(options.expiresIn === undefined
      ? { expiresIn: 600 }
      : options.expiresIn < 0
        ? {}
        : { expiresIn: options.expiresIn }),
    ...options.sign,
  });
}

/** A collection id no other test uses, so tests never see each other's devices. */
export function uniqueCollection(): string {
  return `coll-${randomUUID()}`;
}

export function uniqueDevice(prefix = 'device'): string {
  return `${prefix}-${randomUUID()}`;
}
