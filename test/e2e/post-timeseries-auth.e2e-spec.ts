import { startTestApp, type TestApp } from '../support/test-app';
import { foreignKey, token, uniqueCollection, uniqueDevice } from '../support/tokens';

/** Authentication and authorization of POST /apollo/devices/{deviceId}/timeseries. */
describe('POST /apollo/devices/{deviceId}/timeseries: who may post', () => {
  let t: TestApp;
  let collection: string;
  let writer: string;

  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(() => t?.close());

  beforeEach(() => {
    collection = uniqueCollection();
    writer = token({ scope: 'apollo_read apollo_write', collections: [collection] });
  });

  const deviceExists = async (deviceId: string): Promise<boolean> =>
    (await t.query('SELECT 1 FROM device WHERE id = $1', [deviceId])).length === 1;

  describe('authentication (401)', () => {
    const post = (headers: Record<string, string>) =>
      t.request({
        method: 'POST',
        url: `/apollo/devices/${uniqueDevice()}/timeseries`,
        headers: { 'content-type': 'application/json', ...headers },
        payload: '[{"id":"p","pointType":"t"}]',
      });

    it('asks for a bearer token when there is none', async () => {
      const response = await post({});
      expect(response.statusCode).toBe(401);
      expect(response.headers['www-authenticate']).toBe('Bearer');
      expect(response.json()).toEqual({
        status: { Message: 'A bearer token is required in the Authorization header', Code: '401' },
        data: null,
      });
    });

    it.each([
      ['signed by another key', () => token({}, { key: foreignKey.privateKey })],
      ['expired beyond the 60 s leeway', () => token({ exp: Math.floor(Date.now() / 1000) - 120 }, { expiresIn: -1 })],
      ['without exp', () => token({}, { expiresIn: -1 })],
      ['not valid before a time beyond the leeway', () => token({ nbf: Math.floor(Date.now() / 1000) + 600 })],
      ['of algorithm none', () => unsignedToken()],
      ['that is garbage', () => 'not.a.token'],
    ])('rejects a token %s', async (_name, makeToken) => {
      const response = await post({ authorization: `Bearer ${makeToken()}` });
      expect(response.statusCode).toBe(401);
      expect(response.headers['www-authenticate']).toMatch(/^Bearer error="invalid_token"/);
      expect(response.json().data).toBeNull();
      expect(response.json().status.Code).toBe('401');
    });

    it.each([
      ['a Basic header', 'Basic dXNlcjpwYXNzd29yZA=='],
      ['an empty bearer', 'Bearer '],
      ['a bare scheme', 'Bearer'],
      ['a token in the wrong scheme', `Token ${'x'.repeat(20)}`],
    ])('asks for a bearer token when the Authorization header is %s', async (_name, authorization) => {
      const response = await post({ authorization });
      expect(response.statusCode).toBe(401);
      expect(response.headers['www-authenticate']).toBe('Bearer');
      expect(response.json().status.Code).toBe('401');
    });

    it.each([
      ['a header that is not base64url JSON', () => `e30!.${token().split('.')[1]}.sig`],
      ['a payload that is not JSON', () => `${token().split('.')[0]}.bm90IGpzb24.${token().split('.')[2]}`],
      [
        'a payload that is a JSON array',
        () => `${token().split('.')[0]}.${Buffer.from('[1]').toString('base64url')}.x`,
      ],
      ['four segments', () => `${token()}.extra`],
    ])('rejects a token with %s as invalid, never a 5xx', async (_name, makeToken) => {
      const response = await post({ authorization: `Bearer ${makeToken()}` });
      expect(response.statusCode).toBe(401);
      expect(response.headers['www-authenticate']).toMatch(/^Bearer error="invalid_token"/);
    });

    it('accepts a token expired by less than the 60 s leeway', async () => {
      const response = await t.api.registerTimeseries(uniqueDevice(), [{ id: 'p', pointType: 't' }], {
        token: token({ collections: [collection], exp: Math.floor(Date.now() / 1000) - 30 }, { expiresIn: -1 }),
      });
      expect(response.statusCode).toBe(202);
    });
  });

  describe('authorization (403)', () => {
    it('names the missing scope when the token can only read', async () => {
      const deviceId = uniqueDevice();
      const response = await t.api.registerTimeseries(deviceId, [{ id: 'p', pointType: 't' }], {
        token: token({ scope: 'apollo_read read', collections: [collection] }),
      });
      expect(response.statusCode).toBe(403);
      expect(response.headers['www-authenticate']).toBe(
        'Bearer error="insufficient_scope", scope="apollo_write write"',
      );
      expect(response.json().status.Message).toBe('Missing required scope: the token needs one of apollo_write, write');
      expect(await deviceExists(deviceId)).toBe(false);
    });

    it.each([
      ['scope "write"', { scope: 'write' }],
      ['scp ["apollo_write"]', { scope: undefined, scp: ['apollo_write'] }],
      ['a comma-separated scope', { scope: 'read,write' }],
    ])('accepts a writer whose token has %s', async (_name, claims) => {
      const response = await t.api.registerTimeseries(uniqueDevice(), [{ id: 'p', pointType: 't' }], {
        token: token({ ...claims, collections: [collection] }),
      });
      expect(response.statusCode).toBe(202);
    });

    it('answers 403 when erCollectionId is not one of the token collections', async () => {
      const deviceId = uniqueDevice();
      const response = await t.api.registerTimeseries(deviceId, [{ id: 'p', pointType: 't' }], {
        token: writer,
        headers: { ercollectionid: uniqueCollection() },
      });
      expect(response.statusCode).toBe(403);
      expect(await deviceExists(deviceId)).toBe(false);
    });

    it('answers the same 403 for a device in another collection as for a caller with no collection', async () => {
      const deviceId = uniqueDevice();
      const owner = token({ collections: [uniqueCollection()] });
      await t.api.registerTimeseries(deviceId, [{ id: 'p', pointType: 't' }], { token: owner });

      const foreign = await t.api.registerTimeseries(deviceId, [{ id: 'q', pointType: 't' }], { token: writer });
      const nowhere = await t.api.registerTimeseries(uniqueDevice(), [{ id: 'q', pointType: 't' }], {
        token: token({ collections: [] }),
      });

      expect(foreign.statusCode).toBe(403);
      expect(foreign.json()).toEqual({
        status: { Message: 'User does not have access to device', Code: '403' },
        data: null,
      });
      expect(nowhere.statusCode).toBe(403);
      expect(nowhere.json()).toEqual(foreign.json());
      expect(await t.query('SELECT point_id FROM point WHERE device_id = $1', [deviceId])).toEqual([{ point_id: 'p' }]);
    });

    it('checks the scope before the collections', async () => {
      const response = await t.api.registerTimeseries(uniqueDevice(), [{ id: 'p', pointType: 't' }], {
        token: token({ scope: 'read', collections: [] }),
      });
      expect(response.json().status.Message).toMatch(/^Missing required scope/);
    });

    it('treats claims of the wrong type as absent, never as a server error', async () => {
      for (const claims of [
        { scope: 42, collections: [collection] },
        { scope: { write: true }, collections: [collection] },
        { collections: collection },
        { collections: { a: 1 } },
        { collections: [1, null, { x: 1 }] },
      ]) {
        const response = await t.api.registerTimeseries(uniqueDevice(), [{ id: 'p', pointType: 't' }], {
          token: token(claims),
        });
        expect(response.statusCode).toBe(403);
      }
    });
  });
});

function unsignedToken(): string {
  const encode = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');
  return `${encode({ alg: 'none', typ: 'JWT' })}.${encode({ scope: 'apollo_write', collections: ['x'], exp: Math.floor(Date.now() / 1000) + 600 })}.`;
}
