import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { join } from 'node:path';

import { ConfigError, type AppConfig } from '../config/config';
import { InvalidRequestError } from './errors';
import { readOrCreateSecretFile } from './secret-file';

/** Longest token accepted; real ones are far shorter. */
const MAX_TOKEN_LENGTH = 2048;
const BASE64URL = /^[A-Za-z0-9_-]+$/;

/** What a family of tokens is for: signed into each token, and named in the 400 of a token used elsewhere. */
export interface TokenPurpose {
  /** Signed into every token: a token of one purpose never reads as a token of another. */
  name: string;
  /**
   * What a token is valid for and what it must not have been issued for, completing "ContinuationToken
   * is not valid for ...": `this list: it was modified, or issued for another device or pointType filter`.
   */
  validFor: string;
}

/**
 * Opaque, tamper-evident paging tokens: base64url(JSON position) + "." + HMAC-SHA256, keyed by
 * CONTINUATION_SECRET, over the position and the list it belongs to (purpose and context, such as
 * the device and filter). The context is signed, not carried, so the token stays short whatever
 * the ids, and a token of one list never reads as a token of another. Every instance configured
 * with the same secret reads every other instance's tokens.
 */
export class ContinuationTokens {
  constructor(private readonly secret: Buffer) {}

  issue(purpose: TokenPurpose, context: readonly unknown[], position: object): string {
    const payload = Buffer.from(JSON.stringify(position)).toString('base64url');
    return `${payload}.${this.sign(purpose, context, payload)}`;
  }

  /**
   * The position a token carries. Garbage, a modified token, or one issued for another list
   * (purpose or context) is a 400 that says so.
   */
  read(purpose: TokenPurpose, context: readonly unknown[], token: string): Record<string, unknown> {
    const [payload, signature, extra] = token.split('.');
    if (
      token.length > MAX_TOKEN_LENGTH ||
      extra !== undefined ||
      !payload ||
      !signature ||
      !BASE64URL.test(payload) ||
      !BASE64URL.test(signature)
    ) {
      throw invalidToken('ContinuationToken is malformed');
    }
    const expected = Buffer.from(this.sign(purpose, context, payload));
    const given = Buffer.from(signature);
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
      throw invalidToken(`ContinuationToken is not valid for ${purpose.validFor}`);
    }
    const position: unknown = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'));
    if (typeof position !== 'object' || position === null || Array.isArray(position)) {
      throw invalidToken('ContinuationToken is malformed');
    }
    return position as Record<string, unknown>;
  }

  private sign(purpose: TokenPurpose, context: readonly unknown[], payload: string): string {
    return createHmac('sha256', this.secret)
      .update(JSON.stringify([purpose.name, context, payload]))
      .digest('base64url');
  }
}

export function invalidToken(message: string): InvalidRequestError {
  return new InvalidRequestError(message, [{ path: 'ContinuationToken', message }]);
}

/**
 * The signing secret: CONTINUATION_SECRET, or in development one generated under DATA_DIR.
 * Production requires the variable, so that every instance signs alike.
 */
export function continuationSecret(config: AppConfig): Buffer {
  if (config.continuationSecret) return Buffer.from(config.continuationSecret);
  if (config.isProduction) {
    throw new ConfigError('CONTINUATION_SECRET must be set in production (the same value on every instance).');
  }
  const hex = readOrCreateSecretFile(join(config.dataDir, 'continuation-secret'), () =>
    randomBytes(32).toString('hex'),
  );
  return Buffer.from(hex.trim(), 'hex');
}
