import type { LightMyRequestResponse } from 'fastify';

import { createDevice, type DeviceFixture } from '../support/fixtures';
import { appRoutes } from '../support/routes';
import { startTestApp, type TestApp } from '../support/test-app';
import { token, uniqueCollection, uniqueDevice } from '../support/tokens';

type Call = (deviceId: string, bearer: string, headers?: Record<string, string>) => Promise<LightMyRequestResponse>;

interface MatrixRoute {
  call: Call;
  /** The status of a successful call by the device's owner. */
  success: number;
  /** The scope that admits the call (the write scope for writes, the read scope for reads). */
  scope: string;
}

const FORBIDDEN_DEVICE = { status: { Message: 'User does not have access to device', Code: '403' }, data: null };
const FORBIDDEN_COLLECTION = {
  status: { Message: 'User does not have access to the collection named by erCollectionId', Code: '403' },
  data: null,
};

/**
 * Object-level access (OWASP API1) over every route that takes a device id, as the application
 * registers them: a caller outside the device's collection gets the same 403 body whether the
 * device lives in another collection or nowhere, and nothing is written; the scope check runs
 * before the collection check; an invalid deviceId is a 400. A new device route fails the first
 * test until it is added here.
 */
describe('object-level access on every device route', () => {
  let t: TestApp;
  let device: DeviceFixture;

  beforeAll(async () => {
    t = await startTestApp();
    device = await createDevice(t, { points: [{ id: 'p', pointType: 't' }] });
  });
  afterAll(() => t.close());

  const matrix: Record<string, MatrixRoute> = {
    'POST /apollo/devices/:deviceId/timeseries': {
      call: (deviceId, bearer, headers) =>
        t.api.registerTimeseries(deviceId, [{ id: 'intruder', pointType: 't' }], { token: bearer, headers }),
      success: 202,
      scope: 'apollo_write',
    },
    'GET /apollo/devices/:deviceId/timeseries': {
      call: (deviceId, bearer, headers) => t.api.listTimeseries(deviceId, {}, { token: bearer, headers }),
      success: 200,
      scope: 'apollo_read',
    },
    'POST /apollo/devices/:deviceId/timeseries/samples': {
      call: (deviceId, bearer, headers) =>
        t.api.writeSamples(
          deviceId,
          [{ timeseriesId: device.timeseriesIds[0], val: 1, timestamp: '2026-01-01T00:00:00Z' }],
          {
            token: bearer,
            headers,
          },
        ),
      success: 202,
      scope: 'apollo_write',
    },
    'GET /apollo/devices/:deviceId/timeseries/samples': {
      call: (deviceId, bearer, headers) =>
        t.api.readSamples(deviceId, { timeseries_ids: device.timeseriesIds[0]! }, { token: bearer, headers }),
      success: 200,
      scope: 'apollo_read',
    },
    'GET /apollo/devices/:deviceId/timeseries/samples/latest': {
      call: (deviceId, bearer, headers) =>
        t.api.latestSamples(deviceId, { timeseries_ids: device.timeseriesIds[0]! }, { token: bearer, headers }),
      success: 200,
      scope: 'apollo_read',
    },
    'GET /apollo/devices/:deviceId/timeseries/samples/stats': {
      call: (deviceId, bearer, headers) =>
        t.api.sampleStats(deviceId, { timeseries_ids: device.timeseriesIds[0]! }, { token: bearer, headers }),
      success: 200,
      scope: 'apollo_read',
    },
    'GET /apollo/devices/:deviceId/timeseries/samples/aggregates': {
      call: (deviceId, bearer, headers) =>
        t.api.sampleAggregates(
          deviceId,
          {
            timeseries_ids: device.timeseriesIds[0]!,
            startTime: '2026-01-01T00:00:00Z',
            endTime: '2026-01-02T00:00:00Z',
            granularity: 'PT1H',
          },
          { token: bearer, headers },
        ),
      success: 200,
      scope: 'apollo_read',
    },
    'DELETE /apollo/devices/:deviceId/timeseries/samples': {
      call: (deviceId, bearer, headers) =>
        t.api.deleteSamples(
          deviceId,
          {
            timeseries_ids: device.timeseriesIds[0]!,
            startTime: '2020-01-01T00:00:00Z',
            endTime: '2020-01-02T00:00:00Z',
          },
          { token: bearer, headers },
        ),
      success: 200,
      scope: 'apollo_write',
    },
    'GET /apollo/devices/:deviceId/timeseries/:timeseriesId': {
      call: (deviceId, bearer, headers) =>
        t.api.getTimeseries(deviceId, device.timeseriesIds[0]!, { token: bearer, headers }),
      success: 200,
      scope: 'apollo_read',
    },
  };
  const routes = Object.entries(matrix);

  /** Everything stored for the device: its points and its samples. */
  const snapshot = async () => [
    await t.query('SELECT point_id, point_type FROM point WHERE device_id = $1 ORDER BY point_id', [device.deviceId]),
    await t.query(
      `SELECT s.series_key, s.metric, s.ts, s.val, s.ingested_at FROM sample s
       JOIN timeseries t ON t.series_key = s.series_key WHERE t.device_id = $1 ORDER BY s.ts`,
      [device.deviceId],
    ),
  ];

  it('covers every route of the application that takes a deviceId', () => {
    const deviceRoutes = appRoutes(t.app)
      .filter((route) => route.path.includes(':deviceId'))
      .map((route) => route.route);
    expect(deviceRoutes.length).toBeGreaterThan(0);
    expect(Object.keys(matrix).sort()).toEqual(deviceRoutes);
  });

  it.each(routes)('%s: the same 403 for a foreign device and for no device, and nothing written', async (_r, route) => {
    const before = await snapshot();
    const outsider = token({ scope: route.scope, collections: [uniqueCollection()] });
    const foreign = await route.call(device.deviceId, outsider);
    const nowhere = await route.call(uniqueDevice(), token({ scope: route.scope, collections: [] }));
    expect([foreign.statusCode, foreign.json()]).toEqual([403, FORBIDDEN_DEVICE]);
    expect([nowhere.statusCode, nowhere.json()]).toEqual([403, FORBIDDEN_DEVICE]);
    expect(await snapshot()).toEqual(before);
  });

  it.each(routes)('%s: an erCollectionId the token does not grant is a 403', async (_r, route) => {
    const owner = token({ scope: route.scope, collections: [device.collection] });
    const response = await route.call(device.deviceId, owner, { ercollectionid: uniqueCollection() });
    expect([response.statusCode, response.json()]).toEqual([403, FORBIDDEN_COLLECTION]);
  });

  it.each(routes)("%s: the owner naming the device's own collection succeeds", async (_r, route) => {
    const owner = token({ scope: route.scope, collections: [device.collection] });
    const response = await route.call(device.deviceId, owner, { ercollectionid: device.collection });
    expect(response.statusCode).toBe(route.success);
    expect(response.json().status).toEqual({ Message: '', Code: String(route.success) });
  });

  it.each(routes)(
    '%s: a caller granted the collection plus others reaches the device through it, and only through it',
    async (_r, route) => {
      const other = uniqueCollection();
      const several = token({ scope: route.scope, collections: [other, device.collection] });
      const through = await route.call(device.deviceId, several, { ercollectionid: device.collection });
      expect(through.statusCode).toBe(route.success);
      const elsewhere = await route.call(device.deviceId, several, { ercollectionid: other });
      expect([elsewhere.statusCode, elsewhere.json()]).toEqual([403, FORBIDDEN_DEVICE]);
    },
  );

  it.each(routes)('%s: checks the scope before the collections', async (_r, route) => {
    // No scope and no collection: the scope check answers first.
    const response = await route.call(device.deviceId, token({ scope: 'profile', collections: [] }));
    expect(response.statusCode).toBe(403);
    expect(response.json().status.Message).toMatch(/^Missing required scope: the token needs one of /);
    expect(response.headers['www-authenticate']).toMatch(/^Bearer error="insufficient_scope"/);
  });

  it.each(routes)('%s: an invalid deviceId is a 400 naming it', async (_r, route) => {
    const owner = token({ scope: route.scope, collections: [device.collection] });
    const response = await route.call('bad\u0000id', owner);
    expect(response.statusCode).toBe(400);
    expect(response.json().errors).toEqual([
      { path: 'deviceId', message: 'deviceId must not contain control characters' },
    ]);
  });
});
