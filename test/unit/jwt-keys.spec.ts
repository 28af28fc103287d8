import { keepingLastGoodKeys } from '../../src/auth/jwt-keys';

describe('keepingLastGoodKeys', () => {
  it('serves fetched keys, and the last good one when a later fetch fails (a JWKS outage)', async () => {
    let up = true;
    const fetchKey = jest.fn((kid: string | undefined) =>
      up ? Promise.resolve(`key-of-${kid}`) : Promise.reject(new Error('JWKS unreachable')),
    );
    const keyFor = keepingLastGoodKeys(fetchKey);

    await expect(keyFor('a')).resolves.toBe('key-of-a');
    up = false;
    await expect(keyFor('a')).resolves.toBe('key-of-a');
    await expect(keyFor('b')).rejects.toThrow('JWKS unreachable');
    expect(fetchKey).toHaveBeenCalledTimes(3);
  });

  it('takes a rotated key over the remembered one as soon as the JWKS answers', async () => {
    let version = 1;
    const keyFor = keepingLastGoodKeys((kid) => Promise.resolve(`${kid}-v${version}`));
    await keyFor('a');
    version = 2;
    await expect(keyFor('a')).resolves.toBe('a-v2');
  });

  it('remembers a bounded number of keys', async () => {
    let up = true;
    const keyFor = keepingLastGoodKeys((kid) =>
      up ? Promise.resolve(`key-${kid}`) : Promise.reject(new Error('down')),
    );
    for (let i = 0; i < 60; i++) await keyFor(`k${i}`);
    up = false;
    await expect(keyFor('k59')).resolves.toBe('key-k59');
    await expect(keyFor('k0')).rejects.toThrow('down');
  });
});
