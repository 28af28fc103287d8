import { startTestApp, type TestApp } from '../support/test-app';
import { token, uniqueCollection, uniqueDevice } from '../support/tokens';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

describe('POST /apollo/devices/{deviceId}/timeseries', () => {
  let t: TestApp;
  let collection: string;
  let writer: string;

  beforeAll(async () => {
    t = await startTestApp({ MAX_POINTS_PER_REQUEST: '50', BODY_LIMIT: '8192' });
  });
  afterAll(() => t?.close());

  beforeEach(() => {
    collection = uniqueCollection();
    writer = token({ scope: 'apollo_read apollo_write', collections: [collection] });
  });

  const countTimeseries = async (deviceId: string): Promise<number> =>
    (await t.query<{ n: number }>('SELECT count(*)::int AS n FROM timeseries WHERE device_id = $1', [deviceId]))[0]!.n;
  const deviceExists = async (deviceId: string): Promise<boolean> =>
    (await t.query('SELECT 1 FROM device WHERE id = $1', [deviceId])).length === 1;

  describe('the seed example', () => {
    it('answers 202 with the seed envelope: deviceId and one timeseries per point, in request order', async () => {
      const deviceId = uniqueDevice('TestDevice');
      const response = await t.request({
        method: 'POST',
        url: `/apollo/devices/${deviceId}/timeseries`,
        headers: {
          Authorization: `Bearer ${writer}`,
          'Content-Type': 'application/json',
          ercollectionid: collection,
          'x-correlation-id': '764ff302-7ba1-42dc-bd4e-e1e883e9a76b',
        },
        payload:
          '[\n    {\n        "id": "PointId1",\n\t\t"pointType": "temperature"\n    },\n    {\n        "id": "PointId2",\n\t\t"pointType": "humidity"\n    }\n]',
      });

      expect(response.statusCode).toBe(202);
      expect(response.headers['x-correlation-id']).toBe('764ff302-7ba1-42dc-bd4e-e1e883e9a76b');
      const body = response.json();
      expect(Object.keys(body)).toEqual(['status', 'data']);
      expect(body.status).toEqual({ Message: '', Code: '202' });
      expect(Object.keys(body.data)).toEqual(['deviceId', 'relationships']);
      expect(body.data.deviceId).toBe(deviceId);
      expect(body.data.relationships).toEqual([
        { pointId: 'PointId1', pointType: 'temperature', timeseriesId: expect.stringMatching(UUID), created: true },
        { pointId: 'PointId2', pointType: 'humidity', timeseriesId: expect.stringMatching(UUID), created: true },
      ]);
      expect(Object.keys(body.data.relationships[0])).toEqual(['pointId', 'pointType', 'timeseriesId', 'created']);
      expect(body.data.relationships[0].timeseriesId).not.toBe(body.data.relationships[1].timeseriesId);
      const device = await t.query<{ collection_id: string }>('SELECT collection_id FROM device WHERE id = $1', [
        deviceId,
      ]);
      expect(device).toEqual([{ collection_id: collection }]);
    });
  });

  describe('idempotency', () => {
    it('returns the existing timeseriesId when a point is posted again, and writes nothing', async () => {
      const deviceId = uniqueDevice();
      const points = [
        { id: 'p1', pointType: 'temperature' },
        { id: 'p2', pointType: 'humidity' },
      ];
      const first = (await t.api.registerTimeseries(deviceId, points, { token: writer })).json();
      const again = await t.api.registerTimeseries(deviceId, [...points].reverse(), { token: writer });

      expect(again.statusCode).toBe(202);
      const byId = new Map(
        first.data.relationships.map((r: { pointId: string; timeseriesId: string }) => [r.pointId, r.timeseriesId]),
      );
      expect(again.json().data.relationships).toEqual([
        { pointId: 'p2', pointType: 'humidity', timeseriesId: byId.get('p2'), created: false },
        { pointId: 'p1', pointType: 'temperature', timeseriesId: byId.get('p1'), created: false },
      ]);
      expect(await countTimeseries(deviceId)).toBe(2);
    });

    it('creates only the new points of a request that mixes new and existing ones', async () => {
      const deviceId = uniqueDevice();
      await t.api.registerTimeseries(deviceId, [{ id: 'old', pointType: 't' }], { token: writer });
      const response = await t.api.registerTimeseries(
        deviceId,
        [
          { id: 'new', pointType: 't' },
          { id: 'old', pointType: 't' },
        ],
        { token: writer },
      );

      expect(
        response.json().data.relationships.map((r: { pointId: string; created: boolean }) => [r.pointId, r.created]),
      ).toEqual([
        ['new', true],
        ['old', false],
      ]);
      expect(await countTimeseries(deviceId)).toBe(2);
    });

    it('creates one set of timeseries when 20 identical requests arrive at once', async () => {
      const deviceId = uniqueDevice();
      const points = Array.from({ length: 25 }, (_, i) => ({ id: `point-${i}`, pointType: 'temperature' }));
      const responses = await Promise.all(
        Array.from({ length: 20 }, () => t.api.registerTimeseries(deviceId, points, { token: writer })),
      );

      expect(responses.map((r) => r.statusCode)).toEqual(Array(20).fill(202));
      const idSets = responses.map((r) =>
        JSON.stringify(r.json().data.relationships.map((x: { timeseriesId: string }) => x.timeseriesId)),
      );
      expect(new Set(idSets).size).toBe(1);
      const createdFlags = responses.map((r) => r.json().data.relationships[0].created as boolean);
      expect(createdFlags.filter(Boolean)).toHaveLength(1);
      expect(await countTimeseries(deviceId)).toBe(25);
    });

    it('gives overlapping concurrent requests one timeseries per point, each point created once', async () => {
      const deviceId = uniqueDevice();
      expect(
        (await t.api.registerTimeseries(deviceId, [{ id: 'seed', pointType: 't' }], { token: writer })).statusCode,
      ).toBe(202);
      const shared = Array.from({ length: 10 }, (_, i) => ({ id: `shared-${i}`, pointType: 'temperature' }));
      const bodies = Array.from({ length: 16 }, (_, r) => [
        ...shared,
        ...Array.from({ length: 5 }, (_, i) => ({ id: `own-${r}-${i}`, pointType: 'humidity' })),
      ]);
      const responses = await Promise.all(
        bodies.map((body) => t.api.registerTimeseries(deviceId, body, { token: writer })),
      );

      expect(responses.map((r) => r.statusCode)).toEqual(Array(16).fill(202));
      const relationships = responses.flatMap(
        (r) => r.json().data.relationships as Array<{ pointId: string; timeseriesId: string; created: boolean }>,
      );
      for (const point of shared) {
        const seen = relationships.filter((x) => x.pointId === point.id);
        expect(new Set(seen.map((x) => x.timeseriesId)).size).toBe(1);
        expect(seen.filter((x) => x.created)).toHaveLength(1);
      }
      expect(relationships.filter((x) => x.pointId.startsWith('own-')).every((x) => x.created)).toBe(true);
      expect(await countTimeseries(deviceId)).toBe(1 + 10 + 16 * 5);
    });

    it('lets one pointType win when concurrent requests disagree, answering 409 to the others', async () => {
      const deviceId = uniqueDevice();
      const types = Array.from({ length: 12 }, (_, i) => (i % 2 ? 'temperature' : 'humidity'));
      const responses = await Promise.all(
        types.map((pointType) =>
          t.api.registerTimeseries(deviceId, [{ id: 'contested', pointType }], { token: writer }),
        ),
      );

      const winners = responses.filter((r) => r.statusCode === 202);
      const winningTypes = new Set(winners.map((r) => r.json().data.relationships[0].pointType as string));
      expect(winningTypes.size).toBe(1);
      const [winner] = [...winningTypes];
      responses.forEach((response, i) => expect(response.statusCode).toBe(types[i] === winner ? 202 : 409));
      expect(await countTimeseries(deviceId)).toBe(1);
    });
  });

  describe('conflicts', () => {
    it('answers 409 naming the points when a point exists with another pointType, and writes nothing', async () => {
      const deviceId = uniqueDevice();
      await t.api.registerTimeseries(deviceId, [{ id: 'p1', pointType: 'temperature' }], { token: writer });
      const response = await t.api.registerTimeseries(
        deviceId,
        [
          { id: 'brand-new', pointType: 'humidity' },
          { id: 'p1', pointType: 'co2' },
        ],
        { token: writer },
      );

      expect(response.statusCode).toBe(409);
      expect(response.json()).toEqual({
        status: { Message: expect.stringContaining('"p1" is "temperature", not "co2"'), Code: '409' },
        data: null,
      });
      expect(response.json().status.Message).not.toContain('brand-new');
      expect(await countTimeseries(deviceId)).toBe(1);
      expect(
        await t.query('SELECT 1 FROM point WHERE device_id = $1 AND point_id = $2', [deviceId, 'brand-new']),
      ).toEqual([]);
    });
  });

  describe('validation (400)', () => {
    const expect400 = async (body: unknown, message: RegExp | string, deviceId = uniqueDevice()) => {
      const response = await t.api.registerTimeseries(deviceId, body, { token: writer });
      expect(response.statusCode).toBe(400);
      const json = response.json();
      expect(json.status.Code).toBe('400');
      expect(json.data).toBeNull();
      expect(json.status.Message).toEqual(typeof message === 'string' ? message : expect.stringMatching(message));
      expect(await deviceExists(deviceId)).toBe(false);
      return json;
    };

    it('answers "No points provided" for an empty array', async () => {
      await expect400([], 'No points provided');
    });

    it.each([
      ['an object', { id: 'p', pointType: 't' }],
      ['null', null],
      ['a string', 'points'],
      ['a number', 42],
    ])('rejects a body that is %s instead of an array', async (_name, body) => {
      await expect400(body, 'The request body must be a JSON array of points');
    });

    it('names every invalid item by path', async () => {
      const json = await expect400(
        [
          { id: 'ok', pointType: 't' },
          { id: 'p', pointType: 't', extra: true },
          { pointType: 't' },
          { id: 7, pointType: 't' },
          { id: '   ', pointType: 't' },
          { id: 'p5', pointType: 'x'.repeat(65) },
          { id: 'i'.repeat(257), pointType: 't' },
          { id: 'nul\u0000', pointType: 't' },
          { id: 'tab', pointType: 'a\tb' },
          'not an object',
        ],
        /^Invalid points: /,
      );
      expect(json.errors).toEqual([
        { path: '[1].extra', message: 'extra is not a known field' },
        { path: '[2].id', message: 'id must be a string' },
        { path: '[3].id', message: 'id must be a string' },
        { path: '[4].id', message: 'id must not be empty or blank' },
        { path: '[5].pointType', message: 'pointType must be at most 64 characters' },
        { path: '[6].id', message: 'id must be at most 256 characters' },
        { path: '[7].id', message: 'id must not contain control characters' },
        { path: '[8].pointType', message: 'pointType must not contain control characters' },
        { path: '[9]', message: 'each point must be an object with id and pointType' },
      ]);
    });

    it('accepts ids and types at their maximum length, and unicode exactly as sent', async () => {
      const deviceId = uniqueDevice('Gerät-😀');
      const points = [
        { id: 'i'.repeat(256), pointType: 't'.repeat(64) },
        { id: ' Température ☃ ', pointType: 'température' },
      ];
      const response = await t.api.registerTimeseries(deviceId, points, { token: writer });
      expect(response.statusCode).toBe(202);
      expect(response.json().data.deviceId).toBe(deviceId);
      expect(
        response.json().data.relationships.map((r: { pointId: string; pointType: string }) => ({
          id: r.pointId,
          pointType: r.pointType,
        })),
      ).toEqual(points);
    });

    it('names duplicate ids and their items', async () => {
      const json = await expect400(
        [
          { id: 'a', pointType: 't' },
          { id: 'b', pointType: 't' },
          { id: 'a', pointType: 'u' },
        ],
        'Duplicate points in the request: [2].id: the same id as [0]: "a"',
      );
      expect(json.errors).toEqual([{ path: '[2].id', message: 'the same id as [0]: "a"' }]);
    });

    it('states the limit when there are more points than MAX_POINTS_PER_REQUEST', async () => {
      const points = Array.from({ length: 51 }, (_, i) => ({ id: `p${i}`, pointType: 't' }));
      await expect400(points, 'Too many points: a request may register at most 50 points, got 51');
    });

    it('registers exactly MAX_POINTS_PER_REQUEST points', async () => {
      const deviceId = uniqueDevice();
      const points = Array.from({ length: 50 }, (_, i) => ({ id: `p${i}`, pointType: 't' }));
      expect((await t.api.registerTimeseries(deviceId, points, { token: writer })).statusCode).toBe(202);
      expect(await countTimeseries(deviceId)).toBe(50);
    });

    it.each([
      ['longer than 256 characters', 'd'.repeat(257), 'deviceId must be at most 256 characters'],
      ['a control character', 'dev\u0001ice', 'deviceId must not contain control characters'],
      ['a NUL character', 'dev\u0000ice', 'deviceId must not contain control characters'],
      ['blank', '   ', 'deviceId must not be empty or blank'],
    ])('rejects a deviceId that is %s', async (_name, deviceId, message) => {
      const response = await t.api.registerTimeseries(deviceId, [{ id: 'p', pointType: 't' }], { token: writer });
      expect(response.statusCode).toBe(400);
      expect(response.json()).toEqual({
        status: { Message: message, Code: '400' },
        data: null,
        errors: [{ path: 'deviceId', message }],
      });
    });

    it('counts deviceId characters as code points, like point ids', async () => {
      const deviceId = `${'😀'.repeat(200)}${uniqueDevice().slice(-8)}`;
      const response = await t.api.registerTimeseries(deviceId, [{ id: '😀'.repeat(256), pointType: 't' }], {
        token: writer,
      });
      expect(response.statusCode).toBe(202);
      expect(response.json().data.deviceId).toBe(deviceId);
    });

    it('accepts a deviceId of exactly 256 characters', async () => {
      const response = await t.api.registerTimeseries(
        'd'.repeat(250) + uniqueDevice().slice(-6),
        [{ id: 'p', pointType: 't' }],
        { token: writer },
      );
      expect(response.statusCode).toBe(202);
    });

    it('answers malformed JSON with 400 in the envelope', async () => {
      const response = await t.request({
        method: 'POST',
        url: `/apollo/devices/${uniqueDevice()}/timeseries`,
        headers: { authorization: `Bearer ${writer}`, 'content-type': 'application/json' },
        payload: '[{"id": "p", ',
      });
      expect(response.statusCode).toBe(400);
      expect(response.json()).toEqual({
        status: { Message: expect.stringMatching(/not valid JSON/), Code: '400' },
        data: null,
      });
    });

    it('requires erCollectionId to create a device when the token grants several collections', async () => {
      const deviceId = uniqueDevice();
      const response = await t.api.registerTimeseries(deviceId, [{ id: 'p', pointType: 't' }], {
        token: token({ collections: [collection, uniqueCollection()] }),
      });
      expect(response.statusCode).toBe(400);
      expect(response.json().status.Message).toMatch(/erCollectionId header is required/);
      expect(await deviceExists(deviceId)).toBe(false);
    });

    it('requires erCollectionId from a caller with several collections even when the device exists in one of them', async () => {
      const deviceId = uniqueDevice();
      await t.api.registerTimeseries(deviceId, [{ id: 'p', pointType: 't' }], { token: writer });
      const response = await t.api.registerTimeseries(deviceId, [{ id: 'q', pointType: 't' }], {
        token: token({ collections: [collection, uniqueCollection()] }),
      });
      expect(response.statusCode).toBe(400);
      expect(response.json().status.Message).toMatch(/erCollectionId header is required/);
    });

    it('creates the device in erCollectionId when the token grants several collections', async () => {
      const deviceId = uniqueDevice();
      const other = uniqueCollection();
      const response = await t.api.registerTimeseries(deviceId, [{ id: 'p', pointType: 't' }], {
        token: token({ collections: [collection, other] }),
        headers: { ercollectionid: other },
      });
      expect(response.statusCode).toBe(202);
      expect(await t.query('SELECT collection_id FROM device WHERE id = $1', [deviceId])).toEqual([
        { collection_id: other },
      ]);
    });
  });

  describe('body size and content type', () => {
    it('answers 413 in the envelope for a body over BODY_LIMIT', async () => {
      const deviceId = uniqueDevice();
      const points = Array.from({ length: 40 }, (_, i) => ({ id: `point-${i}-${'x'.repeat(200)}`, pointType: 't' }));
      const response = await t.api.registerTimeseries(deviceId, points, { token: writer });
      expect(response.statusCode).toBe(413);
      expect(response.json()).toEqual({
        status: { Message: 'Request body is larger than the limit of 8192 bytes', Code: '413' },
        data: null,
      });
      expect(await deviceExists(deviceId)).toBe(false);
    });

    it.each(['text/plain', 'application/x-www-form-urlencoded', 'application/xml'])(
      'answers 415 in the envelope for Content-Type %s',
      async (contentType) => {
        const response = await t.request({
          method: 'POST',
          url: `/apollo/devices/${uniqueDevice()}/timeseries`,
          headers: { authorization: `Bearer ${writer}`, 'content-type': contentType },
          payload: '[{"id":"p","pointType":"t"}]',
        });
        expect(response.statusCode).toBe(415);
        expect(response.json()).toEqual({
          status: { Message: 'Content-Type must be application/json', Code: '415' },
          data: null,
        });
      },
    );
  });
});
