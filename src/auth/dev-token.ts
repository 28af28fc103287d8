import { sign } from 'jsonwebtoken';

import { ConfigError, type AppConfig } from '../config/config';
import { DEV_KEY_ALGORITHM, ensureDevKeyPair } from './dev-key';

export interface DevTokenRequest {
  /** Space-separated scopes, e.g. "apollo_read apollo_write". */
  scope: string;
  collections: string[];
  subject: string;
  expiresInSeconds: number;
}

/**
 * Signs a token with the development key under DATA_DIR, with the issuer, audience and
 * collections claim the service is configured to expect. Refused in production.
 */
export function signDevToken(config: AppConfig, request: DevTokenRequest): string {
  if (config.isProduction) {
    throw new ConfigError('Development tokens are not available with NODE_ENV=production.');
  }
  if (!Number.isInteger(request.expiresInSeconds) || request.expiresInSeconds <= 0) {
    throw new ConfigError('The token lifetime must be a positive number of seconds.');
  }
  const key = ensureDevKeyPair(config.dataDir);
  return sign({ scope: request.scope, [config.jwt.collectionsClaim]: request.collections }, key.privateKeyPem, {
    algorithm: DEV_KEY_ALGORITHM,
    keyid: key.kid,
    subject: request.subject,
    expiresIn: request.expiresInSeconds,
    ...(config.jwt.issuer ? { issuer: config.jwt.issuer } : {}),
    ...(config.jwt.audience ? { audience: config.jwt.audience } : {}),
  });
}
