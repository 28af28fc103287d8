import type { LightMyRequestResponse } from 'fastify';

import { startTestApp, type TestApp } from '../support/test-app';
import { token, uniqueCollection, uniqueDevice } from '../support/tokens';

/**
 * Object-level access (OWASP API1) over every route that takes a device id: a caller outside the
 * device's collection gets the same 403 body whether the device lives in another collection or
 * nowhere, and nothing is written.
 */
describe('object-level access on every device route', () => {
  let t: TestApp;
  const ownerCollection = uniqueCollection();
  const owner = token({ collections: [ownerCollection] });
  const outsider = token({ scope: 'apollo_read apollo_write', collections: [uniqueCollection()] });
  let deviceId: string;
  let timeseriesId: string;

  beforeAll(async () => {
    t = await startTestApp();
    deviceId = uniqueDevice();
    const created = await t.postTimeseries(deviceId, [{ id: 'p', pointType: 't' }], { token: owner });
    timeseriesId = created.json().data.relationships[0].timeseriesId;
  });
  afterAll(() => t.close());

  const routes: Array<
    [string, (device: string, bearer: string, headers?: Record<string, string>) => Promise<LightMyRequestResponse>]
  > = [
    [
      'POST /timeseries',
      (device, bearer, headers) =>
        t.postTimeseries(device, [{ id: 'intruder', pointType: 't' }], { token: bearer, headers }),
    ],
    [
      'GET /timeseries',
      (device, bearer, headers) =>
        t.request({
          method: 'GET',
          url: `/apollo/devices/${device}/timeseries`,
          headers: { authorization: `Bearer ${bearer}`, ...headers },
        }),
    ],
    [
      'GET /timeseries/{timeseriesId}',
      (device, bearer, headers) =>
        t.request({
          method: 'GET',
          url: `/apollo/devices/${device}/timeseries/${timeseriesId}`,
          headers: { authorization: `Bearer ${bearer}`, ...headers },
        }),
    ],
  ];

  const forbidden = { status: { Message: 'User does not have access to device', Code: '403' }, data: null };
  const snapshot = () =>
    t.query('SELECT point_id, point_type FROM point WHERE device_id = $1 ORDER BY point_id', [deviceId]);

  it.each(routes)(
    '%s: the same 403 for a foreign device and for no device, and nothing written',
    async (_route, call) => {
      const before = await snapshot();
      const foreign = await call(deviceId, outsider);
      const nowhere = await call(uniqueDevice(), token({ collections: [] }));
      expect(foreign.statusCode).toBe(403);
      expect(foreign.json()).toEqual(forbidden);
      expect(nowhere.statusCode).toBe(403);
      expect(nowhere.json()).toEqual(forbidden);
      expect(await snapshot()).toEqual(before);
    },
  );

  it.each(routes)('%s: an erCollectionId the token does not grant is a 403', async (_route, call) => {
    const response = await call(deviceId, owner, { ercollectionid: uniqueCollection() });
    expect(response.statusCode).toBe(403);
  });

  it.each(routes)("%s: naming the device's own collection in erCollectionId is allowed", async (_route, call) => {
    const response = await call(deviceId, owner, { ercollectionid: ownerCollection });
    expect(response.statusCode).toBeLessThan(300);
  });

  it.each(routes)(
    '%s: a caller granted the collection plus others reaches the device only through it',
    async (_route, call) => {
      const several = token({ collections: [uniqueCollection(), ownerCollection] });
      expect((await call(deviceId, several, { ercollectionid: ownerCollection })).statusCode).toBeLessThan(300);
    },
  );
});
