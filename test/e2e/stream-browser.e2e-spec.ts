import type { AddressInfo } from 'node:net';

import type { Browser, Page } from 'playwright-core';

import { describeInBrowser, HOST, inPage as inBrowserPage, launchChromium } from '../support/browser';
import { createDevice, writeSamples, type DeviceFixture } from '../support/fixtures';
import { startTestApp, type TestApp } from '../support/test-app';

/**
 * The browser way into a live stream (docs/stream.md, "Browsers: tickets"), in Chromium, from a page
 * of the service opened by a host name over plain HTTP: the page gets a ticket with its bearer
 * token (a fetch), opens `new EventSource(url)` with it, and sees a write made after it; the same
 * ticket again, or one that waited too long, is refused. The page's script is the README's example.
 */
describeInBrowser('Stream browser test')('Live samples stream from a browser, with a ticket', () => {
  let t: TestApp;
  let browser: Browser;
  let page: Page;
  let device: DeviceFixture;
  const consoleProblems: string[] = [];
  /** Answers of 400 and above the page got, but the favicon Chromium asks every page for. */
  const refused: string[] = [];

  beforeAll(async () => {
    t = await startTestApp({ RATE_LIMIT_PER_MINUTE: '0', SAMPLES_STREAM_TICKET_S: '2' });
    await t.app.listen(0, '127.0.0.1');
    device = await createDevice(t, { points: [{ id: 'a', pointType: 't' }] });
    browser = await launchChromium();
    page = await browser.newPage();
    page.on('console', (message) => {
      if (['error', 'warning'].includes(message.type())) consoleProblems.push(`${message.type()}: ${message.text()}`);
    });
    page.on('pageerror', (error) => consoleProblems.push(`pageerror: ${error.message}`));
    page.on('response', (response) => {
      if (response.status() >= 400 && !response.url().endsWith('/favicon.ico'))
        refused.push(`${response.status()} ${new URL(response.url()).pathname}`);
    });
    const { port } = t.app.getHttpServer().address() as AddressInfo;
    await page.goto(`http://${HOST}:${port}/health`);
  });

  afterAll(async () => {
    await browser?.close();
    await t?.close();
  });

  const inPage = <T>(args: Record<string, unknown>, body: string): Promise<T> => inBrowserPage<T>(page, args, body);

  /** The README's way: POST a ticket with the bearer token, then the URL it gives. */
  const TICKET = `
    const answer = await fetch('/apollo/devices/' + encodeURIComponent(deviceId) + '/timeseries/samples/stream/tickets', {
      method: 'POST',
      headers: { authorization: 'Bearer ' + token, 'content-type': 'application/json' },
      body: JSON.stringify({ timeseriesIds }),
    });
    const url = (await answer.json()).data.url;`;

  it('opens an EventSource with a ticket and receives a write made after it', async () => {
    const args = { deviceId: device.deviceId, token: device.reader, timeseriesIds: device.timeseriesIds };
    const url = await inPage<string>(
      args,
      `${TICKET}
      window.received = [];
      window.source = new EventSource(url);
      window.source.addEventListener('samples', (e) => window.received.push(...JSON.parse(e.data).map((s) => s.val)));
      await new Promise((resolve, reject) => { window.source.onopen = resolve; window.source.onerror = reject; });
      return url;`,
    );
    expect(url).toMatch(/^\/apollo\/samples\/stream\?ticket=[A-Za-z0-9_-]{43}$/);
    expect(url).not.toContain(device.reader);
    await writeSamples(t, device, [
      { timeseriesId: device.timeseriesIds[0], timestamp: '2026-12-07T10:00:00Z', val: 42.5 },
    ]);
    // Polled in the page (waitForFunction's string predicate is an eval, which the page's CSP refuses).
    const received = await inPage<number[]>(
      {},
      `for (let i = 0; i < 200 && !window.received.includes(42.5); i++) await new Promise((r) => setTimeout(r, 50));
      return window.received;`,
    );
    expect(received).toEqual([42.5]);
    // The same ticket again: refused, and EventSource gives up (a non-stream answer ends it).
    const again = await inPage<{ status: number; readyState: number; events: number }>(
      { url },
      `const status = (await fetch(url)).status;
      const source = new EventSource(url);
      let events = 0;
      source.onmessage = () => events++;
      await new Promise((resolve) => { source.onerror = resolve; });
      return { status, readyState: source.readyState, events };`,
    );
    expect(again).toEqual({ status: 401, readyState: 2, events: 0 });
    await inPage({}, 'window.source.close();');
  });

  it('refuses a ticket used after SAMPLES_STREAM_TICKET_S', async () => {
    const status = await inPage<number>(
      { deviceId: device.deviceId, token: device.reader, timeseriesIds: device.timeseriesIds },
      `${TICKET}
      await new Promise((resolve) => setTimeout(resolve, 2500));
      return (await fetch(url)).status;`,
    );
    expect(status).toBe(401);
  });

  it('shows no page error; what the console reports are the refused tickets (and the favicon)', () => {
    expect(consoleProblems.filter((problem) => !/status of (401|404)|MIME type/.test(problem))).toEqual([]);
    expect([...new Set(refused)]).toEqual(['401 /apollo/samples/stream']);
  });
});
