import { startTestApp, type TestApp } from '../support/test-app';
import { token, uniqueCollection, uniqueDevice } from '../support/tokens';

const envelopeOf = (status: number, message: string | RegExp) => ({
  status: { Message: typeof message === 'string' ? message : expect.stringMatching(message), Code: String(status) },
  data: null,
});

describe('the service around the endpoint', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(() => t?.close());

  describe('errors Fastify and Nest produce themselves', () => {
    it('answers an unknown route with 404 in the envelope', async () => {
      const response = await t.request({ method: 'GET', url: '/no/such/route' });
      expect(response.statusCode).toBe(404);
      expect(response.json()).toEqual(envelopeOf(404, 'Route not found'));
    });

    it('answers a known path with another method with 405 and Allow', async () => {
      const response = await t.request({ method: 'DELETE', url: '/apollo/devices/d1/timeseries' });
      expect(response.statusCode).toBe(405);
      expect(response.headers.allow).toContain('POST');
      expect(response.json()).toEqual(envelopeOf(405, 'Method not allowed'));
    });

    it('answers 404 for a missing Swagger UI file, although GET is served under /docs', async () => {
      const response = await t.request({ method: 'GET', url: '/docs/no-such-file.js' });
      expect(response.statusCode).toBe(404);
      expect(response.json()).toEqual(envelopeOf(404, 'Route not found'));
    });

    it('answers 405 on the health route for a write method', async () => {
      const response = await t.request({ method: 'POST', url: '/health' });
      expect(response.statusCode).toBe(405);
      expect(response.headers.allow).toBe('GET, HEAD');
    });

    it('answers an over-long path parameter with 414 in the envelope, without echoing it, and traceable', async () => {
      const response = await t.request({
        method: 'POST',
        url: `/apollo/devices/${'a'.repeat(5000)}/timeseries`,
        headers: { 'x-correlation-id': 'trace-414' },
      });
      expect(response.statusCode).toBe(414);
      expect(response.json()).toEqual(envelopeOf(414, 'A path parameter is too long'));
      expect(response.body).not.toContain('aaaa');
      // The framework's own answer carries the request's correlation id, like every other answer.
      expect(response.headers['x-correlation-id']).toBe('trace-414');
    });

    it('answers a broken percent-encoding with 400 in the envelope', async () => {
      const response = await t.request({ method: 'POST', url: '/apollo/devices/%FF/timeseries' });
      expect(response.statusCode).toBe(400);
      expect(response.json()).toEqual(envelopeOf(400, /percent-encoding/));
    });

    it('serves a path with a trailing slash like the path without it', async () => {
      const collection = uniqueCollection();
      const response = await t.request({
        method: 'POST',
        url: `/apollo/devices/${uniqueDevice()}/timeseries/`,
        headers: {
          authorization: `Bearer ${token({ collections: [collection] })}`,
          'content-type': 'application/json',
        },
        payload: '[{"id":"p","pointType":"t"}]',
      });
      expect(response.statusCode).toBe(202);
    });

    it('keeps an encoded slash inside the deviceId', async () => {
      const collection = uniqueCollection();
      const deviceId = `${uniqueDevice()}/with/slashes`;
      const response = await t.api.registerTimeseries(deviceId, [{ id: 'p', pointType: 't' }], {
        token: token({ collections: [collection] }),
      });
      expect(response.statusCode).toBe(202);
      expect(response.json().data.deviceId).toBe(deviceId);
    });
  });

  describe('correlation id', () => {
    it('echoes a safe x-correlation-id', async () => {
      const response = await t.request({
        method: 'GET',
        url: '/health',
        headers: { 'x-correlation-id': 'abc-123_X.y:z' },
      });
      expect(response.headers['x-correlation-id']).toBe('abc-123_X.y:z');
    });

    it.each([
      ['too long', 'a'.repeat(129)],
      ['with spaces', 'a b'],
      ['with a header injection attempt', 'abc\u00e9'],
    ])('replaces an x-correlation-id that is %s with a generated UUID', async (_name, value) => {
      const response = await t.request({ method: 'GET', url: '/health', headers: { 'x-correlation-id': value } });
      expect(response.headers['x-correlation-id']).toMatch(/^[0-9a-f-]{36}$/);
    });

    it('puts a correlation id on error responses too', async () => {
      const response = await t.request({
        method: 'POST',
        url: '/apollo/devices/d/timeseries',
        headers: { 'x-correlation-id': 'trace-me' },
      });
      expect(response.statusCode).toBe(401);
      expect(response.headers['x-correlation-id']).toBe('trace-me');
    });
  });

  describe('health', () => {
    it('answers /health without a token', async () => {
      const response = await t.request({ method: 'GET', url: '/health' });
      expect(response.statusCode).toBe(200);
      expect(response.json()).toEqual({ status: { Message: '', Code: '200' }, data: { status: 'ok' } });
    });

    it('answers /health/ready when the database answers', async () => {
      const response = await t.request({ method: 'GET', url: '/health/ready' });
      expect(response.statusCode).toBe(200);
      expect(response.json().data).toEqual({ status: 'ok', database: 'up', redis: 'not configured', replicas: [] });
    });
  });

  describe('schema', () => {
    it('matches the entities: migration:generate would produce nothing', async () => {
      const sql = await t.dataSource.driver.createSchemaBuilder().log();
      expect(sql.upQueries.map((q) => q.query)).toEqual([]);
    });

    it('enforces one timeseries per point and known statuses in the database itself', async () => {
      const deviceId = uniqueDevice();
      const collection = uniqueCollection();
      await t.api.registerTimeseries(deviceId, [{ id: 'p', pointType: 't' }], {
        token: token({ collections: [collection] }),
      });
      await expect(
        t.query("INSERT INTO timeseries (device_id, point_id) VALUES ($1, 'p')", [deviceId]),
      ).rejects.toThrow(/unique/i);
      await expect(
        t.query("INSERT INTO timeseries (device_id, point_id) VALUES ($1, 'ghost')", [deviceId]),
      ).rejects.toThrow(/foreign key/i);
      await expect(
        t.query("UPDATE timeseries SET status = 'deleted' WHERE device_id = $1", [deviceId]),
      ).rejects.toThrow(/check/i);
      await expect(
        t.query("INSERT INTO point (device_id, point_id, point_type) VALUES ($1, 'p', 'x')", [deviceId]),
      ).rejects.toThrow(/duplicate|unique/i);
    });
  });
});

describe('persistence across restarts', () => {
  it('keeps the timeseries when the app restarts on the same database', async () => {
    const collection = uniqueCollection();
    const writer = token({ collections: [collection] });
    const deviceId = uniqueDevice();
    const first = await startTestApp();
    const created = (
      await first.api.registerTimeseries(deviceId, [{ id: 'p', pointType: 't' }], { token: writer })
    ).json();
    await first.close({ keepData: true });

    const second = await startTestApp({}, { dataDir: first.dataDir });
    try {
      const again = (
        await second.api.registerTimeseries(deviceId, [{ id: 'p', pointType: 't' }], { token: writer })
      ).json();
      expect(again.data.relationships).toEqual([{ ...created.data.relationships[0], created: false }]);
    } finally {
      await second.close();
    }
  });
});
