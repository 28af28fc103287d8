import { request } from 'node:http';
import type { AddressInfo } from 'node:net';

import { startTestApp, type TestApp } from '../support/test-app';

/** A GET with the path exactly as written (no client in between normalises `..`). */
function rawGet(port: number, path: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const sent = request({ host: '127.0.0.1', port, path, method: 'GET' }, (answer) => {
      let body = '';
      answer.setEncoding('utf8');
      answer.on('data', (chunk: string) => (body += chunk));
      answer.on('end', () => resolve({ status: answer.statusCode ?? 0, body }));
    });
    sent.on('error', reject);
    sent.end();
  });
}

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
      const docs = await t.request({ method: 'GET', url: '/docs' });
      expect(csp).toBe(docs.headers['content-security-policy']);
      expect(response.headers['x-content-type-options']).toBe('nosniff');
      expect(response.body).toContain('<input id="token" type="password"');
      expect(response.body).toContain('<label for="token">Bearer token</label>');
      expect(response.body).toContain('<label for="device">Device</label>');
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
      '/explore/live-view.js',
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

  it("answers 404 in the envelope for anything else, the charting package's other files included", async () => {
    for (const url of ['/explore/nope.js', '/explore/vendor/uPlot.cjs.js', '/explore/vendor/uPlot.d.ts']) {
      const response = await t.request({ method: 'GET', url });
      expect({ url, status: response.statusCode }).toEqual({ url, status: 404 });
      expect(response.json()).toEqual({ status: { Message: 'Route not found', Code: '404' }, data: null });
    }
  });

  it('serves nothing outside its folders to a path that climbs out, sent as written (over a socket)', async () => {
    await t.app.listen(0, '127.0.0.1');
    const { port } = t.app.getHttpServer().address() as AddressInfo;
    for (const path of [
      '/explore/../package.json',
      '/explore/vendor/../../package.json',
      '/explore/%2e%2e/explorer.module.ts',
      '/explore/..%2f..%2f..%2fpackage.json',
      '/explore/vendor/..%2fpackage.json',
      '/explore/explorer.assets.ts',
    ]) {
      const answer = await rawGet(port, path);
      expect({ path, status: answer.status }).toEqual({ path, status: answer.status === 403 ? 403 : 404 });
      expect(answer.body).not.toContain('"name": "device-timeseries-api"');
      expect(answer.body).not.toContain('serveExplorer');
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
