import { connect } from 'node:net';

import { startTestApp, type TestApp } from '../support/test-app';
import { token, uniqueCollection, uniqueDevice } from '../support/tokens';

/**
 * Hostile input (OWASP API4 and friends): every case is a 4xx in the envelope, answered promptly,
 * writes nothing, and the service answers the next normal request.
 */
describe('hostile input', () => {
  let t: TestApp;
  let writer: string;
  let collection: string;

  beforeAll(async () => {
    t = await startTestApp({ BODY_LIMIT: '262144' });
    collection = uniqueCollection();
    writer = token({ collections: [collection] });
  });
  afterAll(() => t?.close());

  /**
   * Every row this suite's token can write (its own collection), counted: a rejected request must leave
   * them all as they were. Counted per collection because other suites write to the same database at once.
   */
  const rowCounts = async () =>
    t.query(
      `SELECT (SELECT count(*) FROM device WHERE collection_id = $1)::int AS devices,
              (SELECT count(*) FROM point JOIN device ON device.id = point.device_id WHERE collection_id = $1)::int AS points,
              (SELECT count(*) FROM timeseries JOIN device ON device.id = timeseries.device_id WHERE collection_id = $1)::int AS timeseries`,
      [collection],
    );

  /** Sends the request, checks the 4xx envelope, and that a normal request still works. */
  const expectRejected = async (
    request: { url?: string; method?: string; headers?: Record<string, string>; payload?: string },
    status: number | RegExp,
  ) => {
    const deviceId = uniqueDevice();
    const before = await rowCounts();
    const response = await t.request({
      method: (request.method ?? 'POST') as 'POST',
      url: request.url ?? `/apollo/devices/${deviceId}/timeseries`,
      headers: { authorization: `Bearer ${writer}`, 'content-type': 'application/json', ...request.headers },
      payload: request.payload,
    });
    if (typeof status === 'number') expect(response.statusCode).toBe(status);
    else expect(String(response.statusCode)).toMatch(status);
    expect(response.statusCode).toBeLessThan(500);
    const body = response.json();
    expect(body).toEqual(
      expect.objectContaining({
        status: { Message: expect.any(String), Code: String(response.statusCode) },
        data: null,
      }),
    );
    expect(body.status.Message.length).toBeGreaterThan(0);
    expect(await rowCounts()).toEqual(before);
    const healthy = await t.api.registerTimeseries(uniqueDevice(), [{ id: 'p', pointType: 't' }], { token: writer });
    expect(healthy.statusCode).toBe(202);
    return response;
  };

  it('rejects a body over BODY_LIMIT with 413', async () => {
    await expectRejected({ payload: JSON.stringify([{ id: 'x'.repeat(300_000), pointType: 't' }]) }, 413);
  });

  it('rejects deeply nested JSON', async () => {
    const depth = 50_000;
    await expectRejected({ payload: '['.repeat(depth) + ']'.repeat(depth) }, 400);
    await expectRejected(
      { payload: `[{"id": ${'{"a":'.repeat(20_000)}1${'}'.repeat(20_000)}, "pointType": "t"}]` },
      400,
    );
  });

  it('rejects __proto__ and constructor.prototype keys, and nothing is polluted', async () => {
    await expectRejected({ payload: '[{"id": "p", "pointType": "t", "__proto__": {"polluted": true}}]' }, 400);
    await expectRejected(
      { payload: '[{"id": "p", "pointType": "t", "constructor": {"prototype": {"polluted": true}}}]' },
      400,
    );
    const constructorKey = await expectRejected(
      { payload: '[{"id": "p", "pointType": "t", "constructor": "x"}]' },
      400,
    );
    expect(constructorKey.json().errors).toEqual([
      { path: '[0].constructor', message: 'constructor is not a known field' },
    ]);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect((Object.prototype as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('answers a body full of unknown keys with at most 100 field errors, not an echo of the body', async () => {
    const keys = Object.fromEntries(Array.from({ length: 5000 }, (_, i) => [`k${i}`, 1]));
    const response = await expectRejected(
      { payload: JSON.stringify([{ id: 'p', pointType: 't', ...keys }, { ...keys }]) },
      400,
    );
    expect(response.json().errors).toHaveLength(100);
    expect(response.body.length).toBeLessThan(20_000);
  });

  it('rejects very long strings', async () => {
    await expectRejected({ payload: JSON.stringify([{ id: 'x'.repeat(100_000), pointType: 't' }]) }, 400);
  });

  it.each([
    ['a NUL in a point id', '[{"id": "a\\u0000b", "pointType": "t"}]'],
    ['a NUL in a point type', '[{"id": "a", "pointType": "t\\u0000"}]'],
    ['an escape character', '[{"id": "a\\u001b[31m", "pointType": "t"}]'],
    ['a lone surrogate', '[{"id": "\\ud800", "pointType": "t"}]'],
  ])('rejects %s with 400, never 500', async (_name, payload) => {
    await expectRejected({ payload }, /^4\d\d$/);
  });

  it.each([
    ['%00', 'a NUL'],
    ['%0A', 'a newline'],
    ['%7F', 'DEL'],
  ])('rejects %s (%s) in the deviceId path with 400', async (encoded) => {
    await expectRejected(
      { url: `/apollo/devices/dev${encoded}ice/timeseries`, payload: '[{"id":"p","pointType":"t"}]' },
      400,
    );
  });

  it.each(['null', '42', '"points"', 'true', '{}', '[[]]', '[null]'])(
    'rejects the body %s with 400',
    async (payload) => {
      await expectRejected({ payload }, 400);
    },
  );

  it.each([
    ['malformed JSON', '[{"id": "p",'],
    ['trailing garbage', '[{"id": "p", "pointType": "t"}] x'],
    ['single quotes', "[{'id': 'p'}]"],
    ['an empty body', ''],
  ])('rejects %s with 400', async (_name, payload) => {
    await expectRejected({ payload }, 400);
  });

  it.each([
    ['text/plain', 415],
    ['application/xml', 415],
    ['multipart/form-data; boundary=x', 415],
    ['application/vnd.api+json', 415],
    ['application/json; charset=latin1', /^4(00|15)$/],
    ['application/json; charset=utf-16', /^4(00|15)$/],
  ])('rejects Content-Type %s', async (contentType, status) => {
    await expectRejected({ headers: { 'content-type': contentType }, payload: '[{"id":"p","pointType":"t"}]' }, status);
  });

  it('accepts application/json with charset utf-8, in any case', async () => {
    for (const contentType of ['application/json; charset=utf-8', 'Application/JSON; Charset=UTF-8']) {
      const response = await t.request({
        method: 'POST',
        url: `/apollo/devices/${uniqueDevice()}/timeseries`,
        headers: { authorization: `Bearer ${writer}`, 'content-type': contentType },
        payload: '[{"id":"p","pointType":"t"}]',
      });
      expect(response.statusCode).toBe(202);
    }
  });

  it('answers unknown routes and methods in the envelope', async () => {
    await expectRejected({ url: '/apollo/devices', method: 'GET' }, 404);
    await expectRejected({ url: '/apollo/devices/d/timeseries', method: 'PUT', payload: '[]' }, 405);
    await expectRejected({ url: '/apollo/devices/d/timeseries', method: 'DELETE', payload: '{}' }, 405);
    await expectRejected({ url: '/../../etc/passwd', method: 'GET' }, 404);
  });

  it('never echoes a huge or malicious x-correlation-id', async () => {
    for (const value of [
      'x'.repeat(10_000),
      'abc\r\nSet-Cookie: a=b',
      '<script>alert(1)</script>',
      '${jndi:ldap://x}',
    ]) {
      const response = await t.request({ method: 'GET', url: '/health', headers: { 'x-correlation-id': value } });
      expect(response.statusCode).toBe(200);
      expect(response.headers['x-correlation-id']).toMatch(/^[0-9a-f-]{36}$/);
      expect(response.headers['set-cookie']).toBeUndefined();
    }
  });

  it('round-trips Unicode ids exactly', async () => {
    const deviceId = uniqueDevice('💡-Gebäude-建物');
    const points = [
      { id: 'température ☃', pointType: 'ηλεκτρικό' },
      { id: 'e\u0301', pointType: 'combining' },
      { id: '\u00e9', pointType: 'precomposed' },
      { id: '𝔘𝔫𝔦𝔠𝔬𝔡𝔢', pointType: 'astral' },
    ];
    const response = await t.api.registerTimeseries(deviceId, points, { token: writer });
    expect(response.statusCode).toBe(202);
    expect(response.json().data.deviceId).toBe(deviceId);
    expect(response.json().data.relationships.map((r: { pointId: string }) => r.pointId)).toEqual(
      points.map((p) => p.id),
    );
    const stored = await t.query<{ point_id: string }>(
      'SELECT point_id FROM point WHERE device_id = $1 ORDER BY point_id',
      [deviceId],
    );
    expect(stored.map((row) => row.point_id).sort()).toEqual(points.map((p) => p.id).sort());
  });

  it('answers a header block larger than the server accepts with 431 in the envelope', async () => {
    await t.app.listen(0, '127.0.0.1');
    const { port } = t.app.getHttpServer().address() as { port: number };
    const raw = await new Promise<string>((resolve, reject) => {
      const socket = connect(port, '127.0.0.1', () => {
        socket.write(`GET /health HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(40_000)}\r\n\r\n`);
      });
      let data = '';
      socket.on('data', (chunk) => (data += chunk.toString()));
      socket.on('end', () => resolve(data));
      socket.on('error', reject);
    });
    expect(raw).toMatch(/^HTTP\/1\.1 431 /);
    expect(JSON.parse(raw.split('\r\n\r\n')[1]!)).toEqual({
      status: { Message: 'The request headers are too large', Code: '431' },
      data: null,
    });
  });
});
