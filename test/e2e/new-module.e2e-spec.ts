import { FEATURES } from '../../src/features';
import { POINT_TYPES_FEATURE } from '../fixtures/point-types/point-types.module';
import { describeAccessMatrix } from '../support/access-matrix';
import type { OpenApiDocument } from '../support/documented-operations';
import { createDevice, type DeviceFixture } from '../support/fixtures';
import { fuzzApi, fuzzSeed } from '../support/fuzz';
import { startTestApp, type TestApp } from '../support/test-app';
import { token, uniqueCollection } from '../support/tokens';

/**
 * The promise of CONTRIBUTING.md's "Add a module": a module written by the recipe and added to the
 * feature list (test/fixtures/point-types/, one line here) is guarded, documented, in the access
 * matrix and in the fuzz run, with no test code of its own.
 */
const start = () => startTestApp({}, { features: [...FEATURES, POINT_TYPES_FEATURE] });
const isPointTypes = (operation: { tag?: string | undefined }) => operation.tag === 'point-types';

describe('a module added by following CONTRIBUTING.md', () => {
  let t: TestApp;
  let device: DeviceFixture;
  let document: OpenApiDocument & { tags: Array<{ name: string; description: string }> };

  beforeAll(async () => {
    t = await start();
    device = await createDevice(t, {
      collection: uniqueCollection(),
      points: [
        { id: 'a', pointType: 'temperature' },
        { id: 'b', pointType: 'temperature' },
        { id: 'c', pointType: 'humidity' },
      ],
    });
    document = (await t.request({ method: 'GET', url: '/docs-json' })).json();
  });
  afterAll(() => t?.close());

  it('answers what it was written for', async () => {
    const response = await t.request({
      method: 'GET',
      url: `/apollo/devices/${device.deviceId}/point-types?limit=5`,
      headers: { authorization: `Bearer ${device.reader}` },
    });
    expect(response.json()).toEqual({
      status: { Message: '', Code: '200' },
      data: [
        { pointType: 'humidity', points: 1 },
        { pointType: 'temperature', points: 2 },
      ],
    });
  });

  it('is documented in OpenAPI: its tag, its operation, the errors every device route has', () => {
    expect(document.tags).toContainEqual({ name: 'point-types', description: 'The types of the points of a device' });
    const operation = document.paths['/apollo/devices/{deviceId}/point-types']?.get;
    expect(operation).toMatchObject({
      operationId: 'countPointTypes',
      tags: ['point-types'],
      security: [{ bearer: [] }],
    });
    expect(Object.keys(operation!.responses).sort()).toEqual(
      ['200', '400', '401', '403', '405', '414', '429', '431', '503'].sort(),
    );
    expect(operation!.parameters!.map((parameter) => parameter.name)).toEqual(
      expect.arrayContaining(['deviceId', 'x-correlation-id', 'erCollectionId', 'limit']),
    );
  });

  it('is guarded: no token is a 401, a token without a read scope a 403', async () => {
    const url = `/apollo/devices/${device.deviceId}/point-types`;
    expect((await t.request({ method: 'GET', url })).statusCode).toBe(401);
    const noScope = token({ scope: 'profile', collections: [device.collection] });
    const refused = await t.request({ method: 'GET', url, headers: { authorization: `Bearer ${noScope}` } });
    expect([refused.statusCode, refused.json().status.Message]).toEqual([
      403,
      'Missing required scope: the token needs one of apollo_read, read, apollo_write, write',
    ]);
  });

  it('is in the fuzz run: generated requests reach it, and it both answers and refuses as documented', async () => {
    const { statuses } = await fuzzApi(t, fuzzSeed(), {
      runs: 300,
      subjects: [device],
      collection: device.collection,
      include: isPointTypes,
    });
    const codes = [...(statuses.get('countPointTypes') ?? [])];
    expect(codes).toContain(200);
    expect(codes.some((code) => code >= 400 && code < 500)).toBe(true);
  });
});

describeAccessMatrix('the added module in the access matrix', start, isPointTypes);
