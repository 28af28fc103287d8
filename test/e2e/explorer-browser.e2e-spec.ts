import { randomUUID } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { gzipSync } from 'node:zlib';

import type { Browser, Page } from 'playwright-core';

import { artifact, describeInBrowser, HOST, inPage, launchChromium } from '../support/browser';
import { createDevice, somePoints, writeSamples, type DeviceFixture } from '../support/fixtures';
import { random } from '../support/random';
import { startTestApp, type TestApp } from '../support/test-app';
import { TlsProxy } from '../support/tls-proxy';
import { token } from '../support/tokens';

const MINUTE = 60_000;
const DAY = 1440 * MINUTE;
const WEEK = 7 * DAY;
/** The rate limit of this app: enough for the page, and one token runs into it on purpose. */
const RATE_LIMIT = 300;

interface Sample {
  timeseriesId: string;
  timestamp: string;
  val: number;
}

/** What the chart says it drew (its figure's data-* attributes). */
interface Drawn {
  mode: string;
  series: string;
  xMin: string;
  xMax: string;
  yMin: string;
  yMax: string;
  renderMs: string;
}

/** A bucket's nominal length, from the granularity the figure names. */
function bucketMs(granularity: string): number {
  const match = /^PT(\d+)([MH])$/.exec(granularity);
  if (match) return Number(match[1]) * (match[2] === 'H' ? 60 : 1) * MINUTE;
  throw new Error(`unexpected granularity ${granularity}`);
}

/**
 * The explorer (GET /explore) as a person uses it, in Chromium, opened by a host name over plain
 * HTTP: a week of minute data of two timeseries and an hourly third, drawn, zoomed, followed live;
 * the API's refusals said in words; no console error and no CSP violation.
 */
describeInBrowser('Explorer browser test')('The explorer page in a real browser, by a host name', () => {
  let t: TestApp;
  let browser: Browser;
  let page: Page;
  let device: DeviceFixture;
  let origin: string;
  /** Every sample written, by timeseries. */
  const written = new Map<string, Sample[]>();
  const consoleProblems: string[] = [];
  const requests: string[] = [];
  /** The end of the written week, a whole minute before the tests start. */
  const end = Math.floor(Date.now() / MINUTE) * MINUTE;

  beforeAll(async () => {
    t = await startTestApp({ RATE_LIMIT_PER_MINUTE: String(RATE_LIMIT) });
    await t.app.listen(0, '127.0.0.1');
    origin = `http://${HOST}:${(t.app.getHttpServer().address() as AddressInfo).port}`;
    device = await createDevice(t, {
      deviceId: `AHU-3-${randomUUID().slice(0, 8)}`,
      points: [
        { id: 'Temperature', pointType: 'temperature' },
        { id: 'Humidity', pointType: 'humidity' },
        { id: 'CO2', pointType: 'co2' },
      ],
    });
    const next = random(20261207);
    const [temperature, humidity, co2] = device.timeseriesIds as [string, string, string];
    const samples: Sample[] = [];
    for (let at = end - WEEK + MINUTE; at <= end; at += MINUTE) {
      const phase = (2 * Math.PI * (at % DAY)) / DAY;
      const timestamp = new Date(at).toISOString();
      const round = (value: number) => Math.round(value * 100) / 100;
      samples.push({ timeseriesId: temperature, timestamp, val: round(21 + 3 * Math.sin(phase) + next() - 0.5) });
      samples.push({ timeseriesId: humidity, timestamp, val: round(45 + 8 * Math.cos(phase) + 2 * next()) });
      if (at % (60 * MINUTE) === 0) samples.push({ timeseriesId: co2, timestamp, val: round(420 + 60 * next()) });
    }
    for (const sample of samples)
      written.set(sample.timeseriesId, [...(written.get(sample.timeseriesId) ?? []), sample]);
    await writeSamples(t, device, samples);

    browser = await launchChromium();
    page = await browser.newPage({ viewport: { width: 1280, height: 760 } });
    page.on('console', (message) => {
      if (['error', 'warning'].includes(message.type())) consoleProblems.push(`${message.type()}: ${message.text()}`);
    });
    page.on('pageerror', (error) => consoleProblems.push(`pageerror: ${error.message}`));
    page.on('request', (request) => requests.push(request.url()));
    // CSP violations, as the page itself sees them (the console reports them too).
    await page.addInitScript(
      "document.addEventListener('securitypolicyviolation', (e) => console.error('CSP violation: ' + e.violatedDirective + ' ' + e.blockedURI));",
    );
    await page.goto(`${origin}/explore`);
  });

  afterAll(async () => {
    await browser?.close();
    await t?.close();
  });

  /** What the chart drew, once it has drawn after `action` (or the page's message, as an error). */
  const drawnAfter = async (action: () => Promise<unknown>): Promise<Drawn> => {
    await inPage(page, {}, "delete document.getElementById('chart').dataset.renderMs;");
    await action();
    await page.locator('#chart[data-render-ms], #message:not(:empty)').first().waitFor();
    const message = await page.getByRole('alert').textContent();
    if (message) throw new Error(`The page says: ${message}`);
    return inPage<Drawn>(page, {}, "return { ...document.getElementById('chart').dataset };");
  };
  const values = (ids: string[], from: number, to: number) =>
    ids.flatMap((id) =>
      written.get(id)!.filter((s) => Date.parse(s.timestamp) >= from && Date.parse(s.timestamp) < to),
    );
  const extent = (samples: Sample[]) => ({
    first: Math.min(...samples.map((s) => Date.parse(s.timestamp))),
    last: Math.max(...samples.map((s) => Date.parse(s.timestamp))),
    low: Math.min(...samples.map((s) => s.val)),
    high: Math.max(...samples.map((s) => s.val)),
  });
  const hash = () => inPage<string>(page, {}, 'return decodeURIComponent(location.hash);');
  /** The range the page last asked a route for (`aggregates` or the samples read): what it drew. */
  const lastRange = (route: 'aggregates' | 'samples') => {
    const url = requests
      .filter((one) =>
        new URL(one).pathname.endsWith(`/timeseries/samples${route === 'aggregates' ? '/aggregates' : ''}`),
      )
      .at(-1)!;
    const query = new URL(url).searchParams;
    return { from: Date.parse(query.get('startTime')!), to: Date.parse(query.get('endTime')!) };
  };

  it('lists the timeseries, selects the first ones and draws every sample of the last day', async () => {
    await page.getByLabel('Bearer token', { exact: true }).fill(device.reader);
    await page.getByLabel('Device', { exact: true }).fill(device.deviceId);
    const drawn = await drawnAfter(() => page.getByRole('button', { name: 'Show' }).click());

    const boxes = page.locator('#series-list input[type=checkbox]');
    expect(await boxes.count()).toBe(3);
    expect(await page.locator('#series-list input:checked').count()).toBe(3);
    expect(await page.getByLabel('Range', { exact: true }).inputValue()).toBe('day');
    const { from, to } = lastRange('samples');
    expect(to - from).toBe(DAY);
    const day = extent(values(device.timeseriesIds, from, to));
    expect(drawn).toMatchObject({ mode: 'raw', series: '3', yMin: String(day.low), yMax: String(day.high) });
    expect([Date.parse(drawn.xMin), Date.parse(drawn.xMax)]).toEqual([day.first, day.last]);
    expect(day.last).toBe(end);
    expect(await page.getByRole('status').textContent()).toMatch(/^3 timeseries · [\d,]+ samples · every sample drawn/);
  });

  it('draws two picked timeseries over the week as buckets whose extent is the data, and puts the view in the hash', async () => {
    await page.getByLabel(/CO2/).uncheck();
    const drawn = await drawnAfter(() => page.getByLabel('Range', { exact: true }).selectOption('week'));
    const two = device.timeseriesIds.slice(0, 2);
    const { from, to } = lastRange('aggregates');
    expect(to - from).toBe(WEEK);
    const week = extent(values(two, from, to));
    const bucket = bucketMs(drawn.mode);
    expect(drawn).toMatchObject({ series: '2', yMin: String(week.low), yMax: String(week.high) });
    expect(bucket).toBeGreaterThanOrEqual(5 * MINUTE);
    // Each bucket is drawn at its start (the first one at the range's start, where it is cut): the
    // first holds the first sample, the last the last.
    expect(Date.parse(drawn.xMin)).toBeGreaterThanOrEqual(from);
    expect(Date.parse(drawn.xMin)).toBeLessThanOrEqual(week.first);
    expect(Date.parse(drawn.xMin)).toBeGreaterThan(week.first - bucket);
    expect(Date.parse(drawn.xMax)).toBeLessThanOrEqual(week.last);
    expect(Date.parse(drawn.xMax)).toBeGreaterThan(week.last - bucket);
    const view = new URLSearchParams((await hash()).slice(1));
    expect([...view.keys()]).toEqual(['device', 'series', 'range']);
    expect(view.get('device')).toBe(device.deviceId);
    expect(view.get('series')!.split(',').sort()).toEqual([...two].sort());
    expect(view.get('range')).toBe('week');
    // The cursor on the chart, so the legend shows a bucket's values (the README's screenshot).
    const over = (await page.locator('.u-over').boundingBox())!;
    await page.mouse.move(over.x + over.width * 0.62, over.y + over.height / 2);
    await page.screenshot({ path: artifact('explorer.png') });
  });

  it('zooms into a dragged range, reading it again at a finer level; Back returns to the week', async () => {
    const before = await inPage<Drawn>(page, {}, "return { ...document.getElementById('chart').dataset };");
    const over = (await page.locator('.u-over').boundingBox())!;
    const y = over.y + over.height / 2;
    const sent = requests.length;
    const drawn = await drawnAfter(async () => {
      await page.mouse.move(over.x + over.width * 0.45, y);
      await page.mouse.down();
      await page.mouse.move(over.x + over.width * 0.5, y, { steps: 5 });
      await page.mouse.move(over.x + over.width * 0.55, y, { steps: 5 });
      await page.mouse.up();
    });
    expect(before.mode).not.toBe('raw');
    expect(drawn.mode).toBe('raw');
    const read = requests.slice(sent).filter((url) => new URL(url).pathname.endsWith('/timeseries/samples'));
    expect(read).toHaveLength(1);
    const query = new URL(read[0]!).searchParams;
    const [from, to] = [Date.parse(query.get('startTime')!), Date.parse(query.get('endTime')!)];
    // A tenth of the week, as dragged (to the pixel).
    expect((to - from) / WEEK).toBeGreaterThan(0.09);
    expect((to - from) / WEEK).toBeLessThan(0.11);
    const zoomed = extent(values(device.timeseriesIds.slice(0, 2), from, to));
    expect(drawn).toMatchObject({ series: '2', yMin: String(zoomed.low), yMax: String(zoomed.high) });
    expect([Date.parse(drawn.xMin), Date.parse(drawn.xMax)]).toEqual([zoomed.first, zoomed.last]);
    expect(await page.getByLabel('Range', { exact: true }).inputValue()).toBe('custom');
    expect(await hash()).toContain(`&from=${new Date(from).toISOString()}&to=${new Date(to).toISOString()}`);

    const back = await drawnAfter(() => page.goBack());
    expect(back.mode).toBe(before.mode);
    expect(await page.getByLabel('Range', { exact: true }).inputValue()).toBe('week');
  });

  /** Resolves when the page has its next stream ticket: what is written from then on comes to it. */
  const nextTicket = () =>
    page.waitForResponse((response) => response.url().endsWith('/samples/stream/tickets') && response.ok());

  it('Live appends a sample written after it is switched on', async () => {
    await drawnAfter(() => page.getByLabel('Range', { exact: true }).selectOption('hour'));
    const ticketed = nextTicket();
    await page.getByRole('switch', { name: 'Live' }).check();
    await ticketed;
    await writeSamples(t, device, [
      { timeseriesId: device.timeseriesIds[0], timestamp: new Date().toISOString(), val: 99.5 },
    ]);
    await page.locator('#chart[data-y-max="99.5"]').waitFor({ timeout: 10_000 });
    expect(requests.filter((url) => url.includes('/apollo/samples/stream?ticket=')).length).toBeGreaterThan(0);
  });

  it('Live misses nothing written while the view is read: the view is read after the ticket', async () => {
    // The ticket answers late; a sample is written after the read has answered, before the page has
    // the answer, so only the stream has it. A read sent before the ticket's answer could miss it.
    let ticketAnswered = false;
    let readBeforeTicket = false;
    await page.route(/\/samples\/stream\/tickets$/, async (route) => {
      await new Promise((resolve) => setTimeout(resolve, 500));
      await route.continue();
    });
    page.on('response', (response) => {
      if (response.url().endsWith('/samples/stream/tickets')) ticketAnswered = true;
    });
    await page.route(/\/timeseries\/samples\?/, async (route) => {
      readBeforeTicket ||= !ticketAnswered;
      // Fetched from the test's side, where only Chromium maps HOST: by the address it stands for.
      const answer = await route.fetch({ url: route.request().url().replace(`//${HOST}:`, '//127.0.0.1:') });
      await writeSamples(t, device, [
        { timeseriesId: device.timeseriesIds[1], timestamp: new Date().toISOString(), val: 123.25 },
      ]);
      await route.fulfill({ response: answer });
    });
    try {
      await page.getByRole('button', { name: 'Show' }).click();
      await page.locator('#chart[data-y-max="123.25"]').waitFor({ timeout: 10_000 });
      expect(readBeforeTicket).toBe(false);
    } finally {
      await page.unrouteAll({ behavior: 'wait' });
      await page.getByRole('switch', { name: 'Live' }).uncheck();
    }
  });

  it('offers the last month, the last year and a custom range', async () => {
    for (const range of ['month', 'year'] as const) {
      const drawn = await drawnAfter(() => page.getByLabel('Range', { exact: true }).selectOption(range));
      const { from, to } = lastRange('aggregates');
      expect({ range, days: Math.round((to - from) / DAY), series: drawn.series }).toEqual({
        range,
        days: range === 'month' ? 30 : 365,
        series: '2',
      });
      expect(drawn.mode).not.toBe('raw');
    }
    // Custom: From and To in the browser's time (this machine's zone, as the test's).
    const local = (ms: number) => new Date(ms - new Date(ms).getTimezoneOffset() * MINUTE).toISOString().slice(0, 19);
    const [from, to] = [end - 2 * DAY, end - DAY];
    await drawnAfter(() => page.getByLabel('Range', { exact: true }).selectOption('custom'));
    await drawnAfter(() => page.getByLabel('From', { exact: true }).fill(local(from)));
    const drawn = await drawnAfter(() => page.getByLabel('To', { exact: true }).fill(local(to)));
    expect(lastRange('samples')).toEqual({ from, to });
    expect(drawn.mode).toBe('raw');
    expect(await page.getByRole('switch', { name: 'Live' }).isDisabled()).toBe(true);
    expect(await hash()).toContain(`&from=${new Date(from).toISOString()}&to=${new Date(to).toISOString()}`);
  });

  it('selects the first four of many timeseries, and lists them 100 at a time', async () => {
    const big = await createDevice(t, { points: somePoints(105) });
    await page.getByLabel('Bearer token', { exact: true }).fill(big.reader);
    await page.getByLabel('Device', { exact: true }).fill(big.deviceId);
    await drawnAfter(() => page.getByRole('button', { name: 'Show' }).click());
    const boxes = page.locator('#series-list input[type=checkbox]');
    expect(await boxes.count()).toBe(100);
    expect(await page.locator('#series-list input:checked').evaluateAll((checked) => checked.length)).toBe(4);
    expect(await page.getByRole('status').textContent()).toBe('4 timeseries: no samples in this range.');
    await page.getByRole('button', { name: 'More timeseries' }).click();
    await page.locator('#series-list li:nth-child(105)').waitFor();
    expect(await boxes.count()).toBe(105);
    expect(await page.getByRole('button', { name: 'More timeseries' }).isHidden()).toBe(true);
    await page.getByLabel('Bearer token', { exact: true }).fill(device.reader);
    await page.getByLabel('Device', { exact: true }).fill(device.deviceId);
  });

  it('says that a token expired, instead of drawing nothing', async () => {
    const expired = token(
      { scope: 'apollo_read', collections: [device.collection], exp: Math.floor(Date.now() / 1000) - 60 },
      { expiresIn: -1 },
    );
    await page.getByLabel('Bearer token', { exact: true }).fill(expired);
    await page.getByRole('button', { name: 'Show' }).click();
    await page.getByRole('alert').filter({ hasText: 'expired' }).waitFor();
    expect(await page.getByRole('alert').textContent()).toBe(
      'The token was refused: The bearer token has expired. Paste a valid token (npm run token prints one in development).',
    );
  });

  it('says what a 403 and a 429 mean', async () => {
    await page
      .getByLabel('Bearer token', { exact: true })
      .fill(token({ scope: 'apollo_read', collections: ['someone-else'] }));
    await page.getByRole('button', { name: 'Show' }).click();
    await page
      .getByRole('alert')
      .filter({ hasText: /^Not allowed: / })
      .waitFor();

    const busy = token({ scope: 'apollo_read', collections: [device.collection], sub: 'explorer-flood' });
    for (let i = 0; i < RATE_LIMIT; i++) {
      await t.request({
        method: 'GET',
        url: '/apollo/devices/x/timeseries',
        headers: { authorization: `Bearer ${busy}` },
      });
    }
    await page.getByLabel('Bearer token', { exact: true }).fill(busy);
    await page.getByRole('button', { name: 'Show' }).click();
    await page
      .getByRole('alert')
      .filter({ hasText: /^Too many requests: / })
      .waitFor();
    expect(await page.getByRole('alert').textContent()).toMatch(/Try again in \d+ s\.$/);
  });

  it('loads no more than 150 KB of its own JavaScript and CSS, compressed', async () => {
    const assets = requests.filter((url) => /\/explore\/.+\.(js|css)$/.test(new URL(url).pathname));
    const unique = [...new Set(assets.map((url) => new URL(url).pathname))].sort();
    let raw = 0;
    let gzipped = 0;
    for (const path of unique) {
      const body = (await t.request({ method: 'GET', url: path })).rawPayload;
      raw += body.length;
      gzipped += gzipSync(body, { level: 9 }).length;
    }
    process.stdout.write(
      `\nExplorer assets: ${unique.length} files (${unique.join(', ')}), ${(raw / 1024).toFixed(1)} KB, ` +
        `${(gzipped / 1024).toFixed(1)} KB gzipped (target ≤ 150 KB compressed)\n`,
    );
    expect(unique).toContain('/explore/vendor/uPlot.iife.min.js');
    expect(gzipped).toBeLessThanOrEqual(150 * 1024);
  });

  it('keeps the token out of addresses, storage and cookies', async () => {
    expect(requests.length).toBeGreaterThan(20);
    expect(requests.filter((url) => url.includes(device.reader))).toEqual([]);
    expect(page.url()).not.toContain(device.reader);
    expect(await inPage(page, {}, 'return [localStorage.length, sessionStorage.length, document.cookie];')).toEqual([
      0,
      0,
      '',
    ]);
  });

  it('shows no page error and no CSP violation; the console reports only the refused requests', () => {
    expect(consoleProblems.filter((problem) => !/status of (401|403|429)/.test(problem))).toEqual([]);
  });
});

describeInBrowser('Explorer HTTPS test')('The explorer page behind a TLS-terminating proxy (HTTPS_ONLY=true)', () => {
  let t: TestApp;
  let proxy: TlsProxy;
  let browser: Browser;
  let page: Page;
  let device: DeviceFixture;
  const consoleProblems: string[] = [];

  beforeAll(async () => {
    t = await startTestApp({ RATE_LIMIT_PER_MINUTE: '0', HTTPS_ONLY: 'true' });
    await t.app.listen(0, '127.0.0.1');
    proxy = new TlsProxy(HOST, (t.app.getHttpServer().address() as AddressInfo).port);
    await proxy.start();
    device = await createDevice(t, { points: [{ id: 'Temperature', pointType: 'temperature' }] });
    const now = Math.floor(Date.now() / MINUTE) * MINUTE;
    await writeSamples(
      t,
      device,
      Array.from({ length: 60 }, (_, i) => ({
        timeseriesId: device.timeseriesIds[0],
        timestamp: new Date(now - i * MINUTE).toISOString(),
        val: 20 + (59 - i) / 10,
      })),
    );
    // The proxy's certificate is self-signed: the browser takes it as a user who trusts it would.
    browser = await launchChromium(['--ignore-certificate-errors']);
    page = await browser.newPage();
    page.on('console', (message) => {
      if (['error', 'warning'].includes(message.type())) consoleProblems.push(`${message.type()}: ${message.text()}`);
    });
    page.on('pageerror', (error) => consoleProblems.push(`pageerror: ${error.message}`));
    await page.goto(`https://${HOST}:${proxy.port}/explore#device=${encodeURIComponent(device.deviceId)}&range=hour`);
  });

  afterAll(async () => {
    await browser?.close();
    await proxy?.stop();
    await t?.close();
  });

  it('opens a shared view, draws it, and follows it live over https', async () => {
    expect(await page.getByLabel('Device', { exact: true }).inputValue()).toBe(device.deviceId);
    expect(await page.getByLabel('Range', { exact: true }).inputValue()).toBe('hour');
    await page.getByLabel('Bearer token', { exact: true }).fill(device.reader);
    await page.getByRole('button', { name: 'Show' }).click();
    await page.locator('#chart[data-mode="raw"][data-y-max="25.9"]').waitFor();
    const ticketed = page.waitForResponse((response) => response.url().endsWith('/samples/stream/tickets'));
    await page.getByRole('switch', { name: 'Live' }).check();
    await ticketed;
    await writeSamples(t, device, [
      { timeseriesId: device.timeseriesIds[0], timestamp: new Date().toISOString(), val: 30.5 },
    ]);
    await page.locator('#chart[data-y-max="30.5"]').waitFor({ timeout: 10_000 });
    expect(await inPage<string>(page, {}, 'return location.protocol;')).toBe('https:');
    expect(consoleProblems).toEqual([]);
  });
});
