import type { Principal } from '../../src/auth/principal';
import { VerifiedTokenCache } from '../../src/auth/verified-token-cache';

const principal: Principal = { subject: 's', scopes: new Set(['write']), collections: ['c'], expiresAt: 0 };

describe('VerifiedTokenCache', () => {
  let now = 1_000_000_000_000;
  const cache = () => new VerifiedTokenCache(() => now);

  it('serves a remembered token until it expires', () => {
    const c = cache();
    c.remember('t1', principal, now / 1000 + 60);
    expect(c.get('t1')).toBe(principal);
    now += 59_000;
    expect(c.get('t1')).toBe(principal);
    now += 2_000;
    expect(c.get('t1')).toBeUndefined();
  });

  it('verifies again after five minutes however long the token lives', () => {
    const c = cache();
    c.remember('t2', principal, now / 1000 + 3600);
    now += 5 * 60 * 1000 + 1;
    expect(c.get('t2')).toBeUndefined();
  });

  it('does not remember a token that has already expired', () => {
    const c = cache();
    c.remember('t3', principal, now / 1000 - 1);
    expect(c.get('t3')).toBeUndefined();
  });

  it('forgets the oldest entry beyond 10,000', () => {
    const c = cache();
    for (let i = 0; i <= 10_000; i++) c.remember(`token-${i}`, principal, now / 1000 + 60);
    expect(c.get('token-0')).toBeUndefined();
    expect(c.get('token-10000')).toBe(principal);
  });
});
