'use strict';

/**
 * The signing key of a benchmark run and the tokens signed with it. The servers under test are
 * given only the public half (JWT_PUBLIC_KEY), as a production deployment would be.
 */

const { generateKeyPairSync } = require('node:crypto');

const jwt = require('jsonwebtoken');

/** The collection every benchmark device lives in (sent as erCollectionId). */
const BENCH_COLLECTION = 'bench-collection';

/**
 * A fresh ES256 key pair.
 * @returns {{ privateKey: import('node:crypto').KeyObject, publicKeyPem: string }}
 */
function createSigningKey() {
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  return { privateKey, publicKeyPem: publicKey.export({ type: 'spki', format: 'pem' }).toString() };
}

/**
 * Clients of the benchmark, each with its own subject: the service limits requests per subject
 * (RATE_LIMIT_PER_MINUTE), and a building's devices are registered by more than one client. The
 * load spreads over them in turn, so no subject comes near the default limit.
 */
const BENCH_SUBJECTS = 64;

/**
 * Tokens that may read and write the benchmark collection, valid for `lifetimeSeconds`, one per
 * subject (`bench-0`, `bench-1`, ...).
 * @param {import('node:crypto').KeyObject} privateKey
 * @param {number} lifetimeSeconds
 * @param {number} [count]
 * @returns {string[]}
 */
function benchTokens(privateKey, lifetimeSeconds, count = BENCH_SUBJECTS) {
  return Array.from({ length: count }, (_, i) =>
    jwt.sign({ scope: 'apollo_read apollo_write', collections: [BENCH_COLLECTION] }, privateKey, {
      algorithm: 'ES256',
      subject: `bench-${i}`,
      expiresIn: lifetimeSeconds,
    }),
  );
}

/**
 * A token that may only read (for the conformance check's 403).
 * @param {import('node:crypto').KeyObject} privateKey
 */
function readerToken(privateKey) {
  return jwt.sign({ scope: 'apollo_read', collections: [BENCH_COLLECTION] }, privateKey, {
    algorithm: 'ES256',
    subject: 'bench-reader',
    expiresIn: 600,
  });
}

module.exports = { BENCH_COLLECTION, BENCH_SUBJECTS, createSigningKey, benchTokens, readerToken };
