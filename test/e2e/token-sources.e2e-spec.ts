import { generateKeyPairSync, type KeyObject } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

import { startTestApp, type TestApp } from '../support/test-app';
import { TRUSTED_PUBLIC_KEY_PEM, token, uniqueCollection, uniqueDevice } from '../support/tokens';

const POINTS = [{ id: 'p', pointType: 't' }];

describe('JWT_ISSUER and JWT_AUDIENCE', () => {
  let t: TestApp;
  const collection = uniqueCollection();

  beforeAll(async () => {
    t = await startTestApp({ JWT_ISSUER: 'https://issuer.example', JWT_AUDIENCE: 'apollo-api' });
  });
  afterAll(() => t?.close());

  const post = (claims: Record<string, unknown>) =>
    t.api.registerTimeseries(uniqueDevice(), POINTS, { token: token({ collections: [collection], ...claims }) });

  it('accepts a token from the configured issuer for the configured audience', async () => {
    expect((await post({ iss: 'https://issuer.example', aud: 'apollo-api' })).statusCode).toBe(202);
  });

  it.each([
    ['a wrong issuer', { iss: 'https://evil.example', aud: 'apollo-api' }],
    ['no issuer', { aud: 'apollo-api' }],
    ['a wrong audience', { iss: 'https://issuer.example', aud: 'other-api' }],
    ['no audience', { iss: 'https://issuer.example' }],
  ])('rejects a token with %s', async (_name, claims) => {
    const response = await post(claims);
    expect(response.statusCode).toBe(401);
    expect(response.headers['www-authenticate']).toMatch(/^Bearer error="invalid_token"/);
  });
});

describe('JWT_SECRET with HS256', () => {
  let t: TestApp;
  const secret = 's'.repeat(40);
  const collection = uniqueCollection();

  beforeAll(async () => {
    t = await startTestApp({ JWT_SECRET: secret, JWT_ALGORITHMS: 'ES256,HS256' });
  });
  afterAll(() => t?.close());

  it('accepts an HS256 token signed with the secret and an ES256 token signed with the key', async () => {
    const hs = token({ collections: [collection] }, { key: secret, algorithm: 'HS256' });
    expect((await t.api.registerTimeseries(uniqueDevice(), POINTS, { token: hs })).statusCode).toBe(202);
    expect(
      (await t.api.registerTimeseries(uniqueDevice(), POINTS, { token: token({ collections: [collection] }) }))
        .statusCode,
    ).toBe(202);
  });

  it('rejects an HS256 token that uses the public key as its secret', async () => {
    const forged = token({ collections: [collection] }, { key: TRUSTED_PUBLIC_KEY_PEM, algorithm: 'HS256' });
    expect((await t.api.registerTimeseries(uniqueDevice(), POINTS, { token: forged })).statusCode).toBe(401);
  });

  it('rejects an algorithm that is not listed (RS256)', async () => {
    const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const rs = token({ collections: [collection] }, { key: rsa.privateKey, algorithm: 'RS256' });
    expect((await t.api.registerTimeseries(uniqueDevice(), POINTS, { token: rs })).statusCode).toBe(401);
  });
});

describe('JWT_JWKS_URI', () => {
  let t: TestApp;
  let jwks: Server;
  let served: Array<{ kid: string; key: KeyObject }>;
  let fetches = 0;
  /** While true the JWKS server takes requests and never answers them. */
  let hanging = false;
  const collection = uniqueCollection();
  const first = { kid: 'key-1', pair: generateKeyPairSync('rsa', { modulusLength: 2048 }) };
  const rotated = { kid: 'key-2', pair: generateKeyPairSync('rsa', { modulusLength: 2048 }) };

  beforeAll(async () => {
    served = [{ kid: first.kid, key: first.pair.publicKey }];
    jwks = createServer((_request, response) => {
      fetches += 1;
      if (hanging) return;
      const keys = served.map(({ kid, key }) => ({ ...key.export({ format: 'jwk' }), kid, use: 'sig', alg: 'RS256' }));
      response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ keys }));
    });
    await new Promise<void>((resolve) => jwks.listen(0, '127.0.0.1', resolve));
    const { port } = jwks.address() as AddressInfo;
    t = await startTestApp({ JWT_PUBLIC_KEY: '', JWT_JWKS_URI: `http://127.0.0.1:${port}/.well-known/jwks.json` });
  });
  afterAll(async () => {
    await t?.close();
    if (jwks?.listening) await new Promise((resolve) => jwks.close(resolve));
  });

  const signed = (signer: typeof first) =>
    token(
      { collections: [collection] },
      { key: signer.pair.privateKey, algorithm: 'RS256', sign: { keyid: signer.kid } },
    );

  it('accepts tokens signed with a key of the JWKS, fetching the keys once for many requests', async () => {
    for (let i = 0; i < 5; i++) {
      expect((await t.api.registerTimeseries(uniqueDevice(), POINTS, { token: signed(first) })).statusCode).toBe(202);
    }
    expect(fetches).toBe(1);
  });

  it('picks up a rotated key (new kid) without a restart', async () => {
    served = [{ kid: rotated.kid, key: rotated.pair.publicKey }, ...served];
    expect((await t.api.registerTimeseries(uniqueDevice(), POINTS, { token: signed(rotated) })).statusCode).toBe(202);
  });

  it('fetches the JWKS at most a few times a minute under a flood of tokens with random kids', async () => {
    const before = fetches;
    const forger = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const responses = await Promise.all(
      Array.from({ length: 60 }, (_, i) =>
        t.api.registerTimeseries(uniqueDevice(), POINTS, {
          token: token(
            { collections: [collection] },
            { key: forger.privateKey, algorithm: 'RS256', sign: { keyid: `random-${i}-${Math.random()}` } },
          ),
        }),
      ),
    );
    expect(responses.every((r) => r.statusCode === 401)).toBe(true);
    expect(fetches - before).toBeLessThanOrEqual(10);
    // Known keys keep working right after the flood.
    expect((await t.api.registerTimeseries(uniqueDevice(), POINTS, { token: signed(first) })).statusCode).toBe(202);
  });

  it('keeps accepting tokens with known keys, without asking the JWKS server, while it is down', async () => {
    // A server that never answers: a token that needed it would wait; none of these reaches it.
    hanging = true;
    const before = fetches;
    for (let i = 0; i < 5; i++) {
      expect((await t.api.registerTimeseries(uniqueDevice(), POINTS, { token: signed(first) })).statusCode).toBe(202);
    }
    expect(fetches).toBe(before);
    // Gone altogether: a token of an unknown key is refused, not a server error.
    jwks.closeAllConnections();
    await new Promise((resolve) => jwks.close(resolve));
    const unknown = { kid: 'while-down', pair: generateKeyPairSync('rsa', { modulusLength: 2048 }) };
    expect((await t.api.registerTimeseries(uniqueDevice(), POINTS, { token: signed(unknown) })).statusCode).toBe(401);
  });

  it('rejects a token whose kid the JWKS does not have', async () => {
    const stranger = { kid: 'unknown', pair: generateKeyPairSync('rsa', { modulusLength: 2048 }) };
    const response = await t.api.registerTimeseries(uniqueDevice(), POINTS, { token: signed(stranger) });
    expect(response.statusCode).toBe(401);
    expect(response.json().status.Code).toBe('401');
  });
});
