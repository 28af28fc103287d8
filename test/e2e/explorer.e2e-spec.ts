import { startTestApp, type TestApp } from '../support/test-app';

/** The files the page loads: those index.html names, and the modules they import, followed. */
async function pageFiles(t: TestApp): Promise<Map<string, { status: number; type: string }>> {
  const found = new Map<string, { status: number; type: string }>();
  const html = (await t.request({ method: 'GET', url: '/explore' })).body;
  const queue = [...html.matchAll(/(?:src|href)="(\/explore\/[^"]+)"/g)].map((match) => match[1]!);
  while (queue.length > 0) {
    const path = queue.shift()!;
    if (found.has(path)) continue;
    const response = await t.request({ method: 'GET', url: path });
    found.set(path, { status: response.statusCode, type: String(response.headers['content-type']) });
    if (path.endsWith('.js') && !path.includes('/vendor/')) {
      for (const match of response.body.matchAll(/from '\.\/([\w-]+\.js)'/g)) queue.push(`/explore/${match[1]}`);
    }
  }
  return found;
}

describe('GET /explore: the chart explorer, static files of the service', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await startTestApp();
  });

  afterAll(async () => {
    await t?.close();
  });

  it('answers the page under the security headers of /docs, with the named fields', async () => {
    for (const url of ['/explore', '/explore/']) {
      const response = await t.request({ method: 'GET', url });
      expect(response.statusCode).toBe(200);
      expect(response.headers['content-type']).toBe('text/html; charset=utf-8');
      const csp = String(response.headers['content-security-policy']);
      expect(csp).toContain("script-src 'self'");
      expect(csp).toContain("connect-src 'self'");
      expect(response.headers['x-content-type-options']).toBe('nosniff');
      expect(response.body).toContain('<input id="token" type="password"');
      expect(response.body).toMatch(/>Bearer token\s*<input id="token"/);
      expect(response.body).toMatch(/>Device <input id="device"/);
    }
  });

  it('loads everything from its own origin: no URL with a host, no inline script', async () => {
    const html = (await t.request({ method: 'GET', url: '/explore' })).body;
    expect(html).not.toMatch(/(src|href)="(https?:)?\/\//);
    expect(html).not.toMatch(/<script(?![^>]*\ssrc=)[^>]*>/);
    expect(html).not.toMatch(/\son[a-z]+=/);
  });

  it('serves each file the page loads, with its type', async () => {
    const files = await pageFiles(t);
    expect([...files.keys()].sort()).toEqual([
      '/explore/api.js',
      '/explore/chart.js',
      '/explore/controls.js',
      '/explore/explorer.css',
      '/explore/live.js',
      '/explore/load.js',
      '/explore/main.js',
      '/explore/plan.js',
      '/explore/vendor/uPlot.iife.min.js',
      '/explore/vendor/uPlot.min.css',
      '/explore/view.js',
    ]);
    for (const [path, { status, type }] of files) {
      expect({ path, status, type: type.split(';')[0] }).toEqual({
        path,
        status: 200,
        type: path.endsWith('.css') ? 'text/css' : 'application/javascript',
      });
    }
  });

  it('answers a file again with 304 when the browser has it', async () => {
    const first = await t.request({ method: 'GET', url: '/explore/main.js' });
    expect(first.headers.etag).toBeTruthy();
    const again = await t.request({
      method: 'GET',
      url: '/explore/main.js',
      headers: { 'if-none-match': String(first.headers.etag) },
    });
    expect(again.statusCode).toBe(304);
  });

  it("answers 404 in the envelope for anything else, the charting package's other files and escapes included", async () => {
    for (const url of [
      '/explore/nope.js',
      '/explore/vendor/uPlot.cjs.js',
      '/explore/vendor/uPlot.d.ts',
      '/explore/vendor/../../package.json',
      '/explore/%2e%2e/explorer.module.ts',
      '/explore/explorer.assets.ts',
    ]) {
      const response = await t.request({ method: 'GET', url });
      expect({ url, status: response.statusCode }).toEqual({ url, status: 404 });
      expect(response.json()).toEqual({ status: { Message: 'Route not found', Code: '404' }, data: null });
    }
  });

  it('answers 405 to a method it does not serve', async () => {
    const response = await t.request({ method: 'POST', url: '/explore', payload: {} });
    expect(response.statusCode).toBe(405);
    expect(response.headers.allow).toBe('GET, HEAD');
  });
});

describe('EXPLORER_ENABLED=false', () => {
  it('serves no page', async () => {
    const t = await startTestApp({ EXPLORER_ENABLED: 'false' });
    try {
      expect((await t.request({ method: 'GET', url: '/explore' })).statusCode).toBe(404);
      expect((await t.request({ method: 'GET', url: '/explore/main.js' })).statusCode).toBe(404);
    } finally {
      await t.close();
    }
  });
});
