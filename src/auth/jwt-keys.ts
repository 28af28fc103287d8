import { createPublicKey, type KeyObject } from 'node:crypto';

import { decode, type JwtHeader } from 'jsonwebtoken';
import { JwksClient } from 'jwks-rsa';

import { ConfigError, isSymmetric, type AppConfig, type JwtAlgorithm } from '../config/config';
import { DEV_KEY_ALGORITHM, ensureDevKeyPair } from './dev-key';

/** Finds the key that must have signed a token, from the token's own header (alg, kid). */
export interface JwtKeyResolver {
  /** Where keys come from, for the start-up log line. */
  readonly description: string;
  /** True when the key is the generated development key (tokens from `npm run token`). */
  readonly usesDevKey: boolean;
  keyFor(rawJwt: string): Promise<KeyObject | string>;
}

class KeyNotFoundError extends Error {}

/**
 * Builds the resolver from configuration; a bad key or a missing key in production stops the
 * process with a ConfigError naming the variable.
 * An HS token is checked only against JWT_SECRET and an asymmetric one only against a public key,
 * so a token "signed" with the public key as an HMAC secret can never verify.
 */
export function createJwtKeyResolver(config: AppConfig): JwtKeyResolver {
  const { jwt } = config;
  const secret = jwt.secret;
  let asymmetric: ((kid: string | undefined) => Promise<KeyObject | string>) | undefined;
  let description: string;
  let usesDevKey = false;

  if (jwt.jwksUri) {
    const client = new JwksClient({
      jwksUri: jwt.jwksUri,
      cache: true,
      cacheMaxEntries: 20,
      cacheMaxAge: 10 * 60 * 1000,
      rateLimit: true,
      jwksRequestsPerMinute: 10,
      timeout: 5000,
    });
    asymmetric = keepingLastGoodKeys(async (kid) => (await client.getSigningKey(kid)).getPublicKey());
    description = `JWKS at ${jwt.jwksUri}`;
  } else if (jwt.publicKey) {
    const key = parsePublicKey(jwt.publicKey);
    asymmetric = () => Promise.resolve(key);
    description = 'the public key in JWT_PUBLIC_KEY';
  } else if (secret) {
    description = 'the shared secret in JWT_SECRET';
  } else if (config.isProduction) {
    throw new ConfigError(
      'No JWT verification key is configured: set JWT_JWKS_URI or JWT_PUBLIC_KEY (or JWT_SECRET with an HS algorithm). NODE_ENV=production never uses a development key.',
    );
  } else {
    if (!jwt.algorithms.includes(DEV_KEY_ALGORITHM)) {
      throw new ConfigError(
        `JWT_ALGORITHMS must include ${DEV_KEY_ALGORITHM} to use the development key, or configure JWT_JWKS_URI or JWT_PUBLIC_KEY.`,
      );
    }
    const key = createPublicKey(ensureDevKeyPair(config.dataDir).publicKeyPem);
    asymmetric = () => Promise.resolve(key);
    description = `the development key under ${config.dataDir}`;
    usesDevKey = true;
  }

  return {
    description,
    usesDevKey,
    keyFor(rawJwt: string): Promise<KeyObject | string> {
      let header: JwtHeader | undefined;
      try {
        header = decode(rawJwt, { complete: true })?.header;
      } catch {
        // A token whose header or payload is not JSON: invalid, like any other bad token.
        return Promise.reject(new KeyNotFoundError('token is malformed'));
      }
      const alg = header?.alg as JwtAlgorithm | undefined;
      if (!alg || !jwt.algorithms.includes(alg)) {
        return Promise.reject(new KeyNotFoundError('token algorithm is not accepted'));
      }
      if (isSymmetric(alg)) {
        return secret ? Promise.resolve(secret) : Promise.reject(new KeyNotFoundError('no shared secret'));
      }
      if (!asymmetric) return Promise.reject(new KeyNotFoundError('no public key'));
      return asymmetric(typeof header?.kid === 'string' ? header.kid : undefined);
    },
  };
}

/** Most keys remembered for JWKS outages; a JWKS holds a handful. */
const LAST_GOOD_KEYS = 50;

/**
 * jwks-rsa forgets a key when its cache entry expires (10 minutes) and must fetch it again; if the
 * JWKS server is down then, every token would be refused. This remembers each key it has served
 * and falls back to it when a fetch fails, so known keys keep working through an outage of any
 * length. Unknown kids still fail.
 */
export function keepingLastGoodKeys(
  fetchKey: (kid: string | undefined) => Promise<string>,
): (kid: string | undefined) => Promise<string> {
  const lastGood = new Map<string, string>();
  return async (kid) => {
    const id = kid ?? '';
    try {
      const key = await fetchKey(kid);
      lastGood.delete(id);
      lastGood.set(id, key);
      if (lastGood.size > LAST_GOOD_KEYS) lastGood.delete(lastGood.keys().next().value!);
      return key;
    } catch (error) {
      const remembered = lastGood.get(id);
      if (remembered !== undefined) return remembered;
      throw error;
    }
  };
}

function parsePublicKey(pem: string): KeyObject {
  try {
    return createPublicKey(pem);
  } catch {
    throw new ConfigError('JWT_PUBLIC_KEY is not a PEM-encoded public key.');
  }
}
