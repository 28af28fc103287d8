import { startTestApp, type TestApp } from '../support/test-app';
import { token, uniqueCollection, uniqueDevice } from '../support/tokens';

describe('security headers, CORS and metrics', () => {
  let t: TestApp;
  const collection = uniqueCollection();

  beforeAll(async () => {
    t = await startTestApp({ CORS_ORIGINS: 'https://app.example.com,https://admin.example.com' });
  });
  afterAll(() => t?.close());

  it('sends security headers on answers and errors, with a policy Swagger UI works under', async () => {
    for (const response of [
      await t.request({ method: 'GET', url: '/health' }),
      await t.request({ method: 'POST', url: '/apollo/devices/d/timeseries' }),
      await t.request({ method: 'GET', url: '/nowhere' }),
    ]) {
      expect(response.headers['x-content-type-options']).toBe('nosniff');
      expect(response.headers['content-security-policy']).toContain("default-src 'self'");
      expect(response.headers['content-security-policy']).toContain("frame-ancestors 'none'");
      expect(response.headers['x-powered-by']).toBeUndefined();
      // Plain HTTP: neither HSTS nor an upgrade of Swagger UI's assets to https (see HTTPS_ONLY).
      expect(response.headers['strict-transport-security']).toBeUndefined();
      expect(response.headers['content-security-policy']).not.toContain('upgrade-insecure-requests');
      // Ignored by a browser on an origin that is not secure, with an error in its console.
      expect(response.headers['cross-origin-opener-policy']).toBeUndefined();
      expect(response.headers['origin-agent-cluster']).toBeUndefined();
    }
  });

  it('sends HSTS, upgrade-insecure-requests, COOP and Origin-Agent-Cluster with HTTPS_ONLY=true (behind a TLS-terminating proxy)', async () => {
    const https = await startTestApp({ HTTPS_ONLY: 'true' });
    try {
      const response = await https.request({ method: 'GET', url: '/health' });
      expect(response.headers['strict-transport-security']).toBe('max-age=31536000; includeSubDomains');
      expect(response.headers['content-security-policy']).toContain('upgrade-insecure-requests');
      expect(response.headers['cross-origin-opener-policy']).toBe('same-origin');
      expect(response.headers['origin-agent-cluster']).toBe('?1');
    } finally {
      await https.close();
    }
  });

  it('answers a CORS preflight from a configured origin, exposing the paging and tracing headers', async () => {
    const response = await t.request({
      method: 'OPTIONS',
      url: '/apollo/devices/d/timeseries',
      headers: {
        origin: 'https://app.example.com',
        'access-control-request-method': 'POST',
        'access-control-request-headers': 'authorization,content-type,ercollectionid',
      },
    });
    expect(response.statusCode).toBe(204);
    expect(response.headers['access-control-allow-origin']).toBe('https://app.example.com');
    expect(String(response.headers['access-control-allow-headers']).toLowerCase()).toContain('ercollectionid');

    const get = await t.request({ method: 'GET', url: '/health', headers: { origin: 'https://admin.example.com' } });
    expect(get.headers['access-control-allow-origin']).toBe('https://admin.example.com');
    expect(String(get.headers['access-control-expose-headers'])).toContain('ContinuationToken');
  });

  it("lets a browser use every route's method and a compressed samples write", async () => {
    const preflight = await t.request({
      method: 'OPTIONS',
      url: '/apollo/devices/d/timeseries/samples',
      headers: {
        origin: 'https://app.example.com',
        'access-control-request-method': 'DELETE',
        'access-control-request-headers': 'authorization,content-encoding',
      },
    });
    expect(preflight.statusCode).toBe(204);
    expect(String(preflight.headers['access-control-allow-methods']).split(/, */)).toEqual(
      expect.arrayContaining(['GET', 'POST', 'DELETE']),
    );
    expect(String(preflight.headers['access-control-allow-headers']).toLowerCase()).toContain('content-encoding');
  });

  it('still answers 404 for unknown paths although the CORS preflight route matches every path', async () => {
    expect((await t.request({ method: 'GET', url: '/nowhere' })).statusCode).toBe(404);
  });

  it('gives no CORS grant to other origins', async () => {
    const response = await t.request({ method: 'GET', url: '/health', headers: { origin: 'https://evil.example' } });
    expect(response.headers['access-control-allow-origin']).toBeUndefined();
  });

  it('serves Prometheus metrics without a token: requests by route pattern and status, pool and process', async () => {
    const deviceId = uniqueDevice();
    await t.api.registerTimeseries(deviceId, [{ id: 'p', pointType: 't' }], {
      token: token({ collections: [collection] }),
    });
    await t.request({ method: 'GET', url: '/nowhere' });

    const response = await t.request({ method: 'GET', url: '/metrics' });
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-type']).toMatch(/^text\/plain/);
    const text = response.body;
    expect(text).toMatch(
      /http_requests_total\{method="POST",route="\/apollo\/devices\/:deviceId\/timeseries",status_code="202"\} [1-9]/,
    );
    expect(text).toMatch(/http_request_duration_seconds_bucket\{.*route="\/apollo\/devices\/:deviceId\/timeseries"/);
    expect(text).toMatch(/http_requests_total\{method="GET",route="unmatched",status_code="404"\} [1-9]/);
    expect(text).not.toContain(deviceId);
    expect(text).toMatch(/db_pool_connections\{state="total"\} [1-9]/);
    expect(text).toContain('process_resident_memory_bytes');
  });
});

describe('METRICS_ENABLED=false', () => {
  it('serves no /metrics', async () => {
    const t = await startTestApp({ METRICS_ENABLED: 'false' });
    try {
      expect((await t.request({ method: 'GET', url: '/metrics' })).statusCode).toBe(404);
    } finally {
      await t.close();
    }
  });
});

describe('rate limiting per token subject', () => {
  let t: TestApp;
  const collection = uniqueCollection();

  beforeAll(async () => {
    t = await startTestApp({ RATE_LIMIT_PER_MINUTE: '5' });
  });
  afterAll(() => t?.close());

  /**
   * What a burst that started at `started` may be answered: exactly the limit in one clock minute;
   * one more when it crossed a minute's edge, as the sliding window's previous minute starts to fade.
   */
  const expectLimited = (statuses: number[], ok: number, limit: number, started: number) => {
    const crossed = Math.floor(Date.now() / 60_000) !== Math.floor(started / 60_000);
    const allowed = statuses.filter((status) => status === ok).length;
    if (crossed) expect([limit, limit + 1]).toContain(allowed);
    else
      expect(statuses).toEqual([...Array<number>(limit).fill(ok), ...Array<number>(statuses.length - limit).fill(429)]);
  };

  it('answers 429 in the envelope with Retry-After once a subject is over the limit, and only that subject', async () => {
    const busy = token({ sub: 'busy-client', collections: [collection] });
    const statuses: number[] = [];
    const started = Date.now();
    for (let i = 0; i < 7; i++) {
      statuses.push(
        (await t.api.registerTimeseries(uniqueDevice(), [{ id: 'p', pointType: 't' }], { token: busy })).statusCode,
      );
    }
    expectLimited(statuses, 202, 5, started);

    const limited = await t.api.registerTimeseries(uniqueDevice(), [{ id: 'p', pointType: 't' }], { token: busy });
    expect(limited.statusCode).toBe(429);
    expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0);
    expect(limited.json()).toEqual({ status: { Message: 'Too many requests', Code: '429' }, data: null });

    const other = token({ sub: 'quiet-client', collections: [collection] });
    expect(
      (await t.api.registerTimeseries(uniqueDevice(), [{ id: 'p', pointType: 't' }], { token: other })).statusCode,
    ).toBe(202);
  });

  it("counts a subject's requests on every route against one limit", async () => {
    const reader = token({ sub: 'mixed-client', scope: 'apollo_write apollo_read', collections: [collection] });
    const device = uniqueDevice();
    const started = Date.now();
    const registered = await t.api.registerTimeseries(device, [{ id: 'p', pointType: 't' }], { token: reader });
    const statuses: number[] = [];
    for (let i = 0; i < 5; i++) {
      const list = await t.api.listTimeseries(device, {}, { token: reader });
      statuses.push(list.statusCode);
    }
    // The registration counted: four lists get through, not five.
    expect(registered.statusCode).toBe(202);
    expectLimited(statuses, 200, 4, started);
  });

  it('never limits the health and metrics routes', async () => {
    for (let i = 0; i < 12; i++) {
      expect((await t.request({ method: 'GET', url: '/health' })).statusCode).toBe(200);
      expect((await t.request({ method: 'GET', url: '/metrics' })).statusCode).toBe(200);
    }
  });
});

describe('RATE_LIMIT_PER_MINUTE=0 and CORS_ORIGINS=*', () => {
  let t: TestApp;
  const collection = uniqueCollection();

  beforeAll(async () => {
    t = await startTestApp({ RATE_LIMIT_PER_MINUTE: '0', CORS_ORIGINS: '*' });
  });
  afterAll(() => t?.close());

  it('does not limit at all', async () => {
    const busy = token({ sub: 'unlimited', collections: [collection] });
    for (let i = 0; i < 30; i++) {
      const response = await t.api.registerTimeseries(uniqueDevice(), [{ id: 'p', pointType: 't' }], { token: busy });
      expect(response.statusCode).toBe(202);
      expect(response.headers['x-ratelimit-limit']).toBeUndefined();
    }
  });

  it('allows any origin', async () => {
    const response = await t.request({
      method: 'GET',
      url: '/health',
      headers: { origin: 'https://anywhere.example' },
    });
    expect(response.headers['access-control-allow-origin']).toBe('*');
  });
});
