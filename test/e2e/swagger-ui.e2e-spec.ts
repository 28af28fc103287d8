import type { Browser, Locator, Page } from 'playwright-core';

import { artifact, describeInBrowser, HOST, launchChromium } from '../support/browser';
import { startTestApp, type TestApp } from '../support/test-app';
import { token, uniqueCollection, uniqueDevice } from '../support/tokens';

/**
 * Swagger UI as a person on another machine uses it, opened by a host name over plain HTTP:
 * it renders (no asset upgraded to https), authorize, "Try it out" on the POST, then list it.
 */
describeInBrowser('Swagger UI browser test')('Swagger UI in a real browser, opened by a host name over HTTP', () => {
  let t: TestApp;
  let browser: Browser;
  let page: Page;
  const failedRequests: string[] = [];
  /** What the page said in the console as an error or a warning, and uncaught errors. */
  const consoleProblems: string[] = [];
  let timeseriesId = '';
  const collection = uniqueCollection();
  const deviceId = uniqueDevice('TestDevice');

  beforeAll(async () => {
    t = await startTestApp();
    await t.app.listen(0, '127.0.0.1');
    browser = await launchChromium(['--disable-quic']);
    page = await browser.newPage();
    page.on('requestfailed', (request) => failedRequests.push(`${request.url()}: ${request.failure()?.errorText}`));
    page.on('console', (message) => {
      if (['error', 'warning'].includes(message.type())) consoleProblems.push(`${message.type()}: ${message.text()}`);
    });
    page.on('pageerror', (error) => consoleProblems.push(`pageerror: ${error.message}`));
    const { port } = t.app.getHttpServer().address() as { port: number };
    await page.goto(`http://${HOST}:${port}/docs`);
    await page.locator('.swagger-ui .information-container').waitFor();
  });

  afterAll(async () => {
    await browser?.close();
    await t?.close();
  });

  const operation = (operationId: string, tag: string): Locator => page.locator(`#operations-${tag}-${operationId}`);

  const tryItOut = async (
    operationId: string,
    parameters: Record<string, string>,
    options: { tag?: string; body?: string } = {},
  ): Promise<Locator> => {
    const block = operation(operationId, options.tag ?? 'timeseries');
    await block.locator('.opblock-summary').first().click();
    await block.locator('button.try-out__btn').click();
    for (const [name, value] of Object.entries(parameters)) {
      await block.locator(`tr[data-param-name="${name}"] input`).first().fill(value);
    }
    if (options.body !== undefined) await block.locator('textarea.body-param__text').fill(options.body);
    await block.locator('button.execute').click();
    const status = block.locator('.live-responses-table .response .response-col_status').first();
    await status.waitFor();
    return block;
  };

  it("renders with every asset loaded from the page's own origin, over http", async () => {
    expect(failedRequests).toEqual([]);
    // The stylesheet applied: Swagger UI's CSS sets the title in 36px (a browser's own h2 is 24px).
    // (A string: the test is compiled without the DOM's types.)
    const fontSize = await page.evaluate(
      'getComputedStyle(document.querySelector(".swagger-ui .info .title")).fontSize',
    );
    expect(fontSize).toBe('36px');
    expect(page.url()).toMatch(new RegExp(`^http://${HOST}:\\d+/docs`));
  });

  it('authorizes with a bearer token', async () => {
    await page.locator('button.authorize').first().click();
    const dialog = page.locator('.modal-ux');
    await dialog
      .locator('input')
      .first()
      .fill(token({ scope: 'apollo_read apollo_write', collections: [collection] }));
    await dialog.locator('button.modal-btn.authorize').click();
    await dialog.locator('button.btn-done').click();
    await expect(page.locator('button.authorize.locked').count()).resolves.toBeGreaterThan(0);
  });

  it("runs Try it out on the POST with the seed's body and gets 202, with no correlation id filled in", async () => {
    const block = await tryItOut('postTimeseries', { deviceId, erCollectionId: collection });
    // An example there would send one id with every call of every user: the service makes one per request.
    expect(await block.locator('tr[data-param-name="x-correlation-id"] input').first().inputValue()).toBe('');
    const status = await block.locator('.live-responses-table .response .response-col_status').first().innerText();
    const body = await block.locator('.live-responses-table .response-col_description pre').first().innerText();
    await page.screenshot({ path: artifact('swagger-ui-post.png'), fullPage: false });
    expect(status.trim()).toBe('202');
    expect(body).toContain('"pointId": "PointId1"');
    expect(body).toContain('"pointId": "PointId2"');
    timeseriesId = (JSON.parse(body) as { data: { relationships: Array<{ timeseriesId: string }> } }).data
      .relationships[0]!.timeseriesId;
  });

  it('runs the list GET and sees the points', async () => {
    const block = await tryItOut('listTimeseries', { deviceId, erCollectionId: collection });
    const status = await block.locator('.live-responses-table .response .response-col_status').first().innerText();
    const body = await block.locator('.live-responses-table .response-col_description pre').first().innerText();
    expect(status.trim()).toBe('200');
    expect(body).toContain('"pointId": "PointId1"');
    expect(body).toContain('"pointType": "humidity"');
  });

  it('writes samples with Try it out and gets 202', async () => {
    const samples = [
      { timeseriesId, val: 21.5, timestamp: '2026-11-26T08:00:00Z' },
      { timeseriesId, val: '22.25', timestamp: '2026-11-26T09:15:00.123456+01:00', metric: 'Raw' },
    ];
    const block = await tryItOut(
      'postSamples',
      { deviceId, erCollectionId: collection },
      { tag: 'samples', body: JSON.stringify(samples) },
    );
    const status = await block.locator('.live-responses-table .response .response-col_status').first().innerText();
    const body = await block.locator('.live-responses-table .response-col_description pre').first().innerText();
    expect(status.trim()).toBe('202');
    expect(JSON.parse(body)).toEqual({ status: { Message: '', Code: '202' }, data: { accepted: 2 } });
  });

  it('reads the samples back with Try it out', async () => {
    const block = await tryItOut(
      'getSamples',
      { deviceId, erCollectionId: collection, timeseries_ids: timeseriesId },
      { tag: 'samples' },
    );
    const status = await block.locator('.live-responses-table .response .response-col_status').first().innerText();
    const body = await block.locator('.live-responses-table .response-col_description pre').first().innerText();
    expect(status.trim()).toBe('200');
    const samples = (JSON.parse(body) as { data: Array<{ timestamp: string; val: number }> }).data;
    expect(samples.map((s) => [s.timestamp, s.val])).toEqual([
      ['2026-11-26T08:00:00.000Z', 21.5],
      ['2026-11-26T08:15:00.123456Z', 22.25],
    ]);
  });

  it('said nothing in the console: no error, no warning (a policy header ignored over http is one)', () => {
    expect(consoleProblems).toEqual([]);
  });
});
