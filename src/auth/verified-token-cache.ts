import { createHash } from 'node:crypto';

import type { Principal } from './principal';

/** Most tokens remembered at once; the oldest is forgotten first. */
const MAX_ENTRIES = 10_000;
/** However long a token lives, it is verified again after this long (key rotation, revocation). */
const MAX_AGE_MS = 5 * 60 * 1000;

/**
 * Remembers tokens that passed verification, until they expire (at most five minutes), so a
 * client sending the same token again and again pays for one signature check, not one per
 * request. Only verified tokens enter, so a flood of forged tokens cannot fill it.
 */
export class VerifiedTokenCache {
  private readonly entries = new Map<string, { principal: Principal; until: number }>();

  constructor(private readonly now: () => number = Date.now) {}

  get(token: string): Principal | undefined {
    const key = keyOf(token);
    const entry = this.entries.get(key);
    if (!entry) return undefined;
    if (entry.until <= this.now()) {
      this.entries.delete(key);
      return undefined;
    }
    return entry.principal;
  }

  /** `expiresAt` is the token's `exp`, in seconds since the epoch. */
  remember(token: string, principal: Principal, expiresAt: number): void {
    const until = Math.min(expiresAt * 1000, this.now() + MAX_AGE_MS);
    if (until <= this.now()) return;
    const key = keyOf(token);
    this.entries.delete(key);
    this.entries.set(key, { principal, until });
    if (this.entries.size > MAX_ENTRIES) this.entries.delete(this.entries.keys().next().value!);
  }
}

/** A digest, so the cache never holds bearer tokens themselves. */
function keyOf(token: string): string {
  return createHash('sha256').update(token).digest('base64url');
}
