import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { chromium, type Browser, type Locator, type Page } from 'playwright-core';

import { startTestApp, type TestApp } from '../support/test-app';
import { token, uniqueCollection, uniqueDevice } from '../support/tokens';

const CHROMIUM = '/usr/bin/chromium';
const hasChromium = existsSync(CHROMIUM);
if (!hasChromium) {
  process.stdout.write(
    `\nSwagger UI browser test skipped: ${CHROMIUM} is missing (apt-get install chromium; .ci/run does).\n`,
  );
}
const describeInBrowser = hasChromium ? describe : describe.skip;

/** Swagger UI as a person uses it: authorize, "Try it out" on the POST, then list what it made. */
describeInBrowser('Swagger UI in a real browser', () => {
  let t: TestApp;
  let browser: Browser;
  let page: Page;
  const collection = uniqueCollection();
  const deviceId = uniqueDevice('TestDevice');

  beforeAll(async () => {
    t = await startTestApp();
    await t.app.listen(0, '127.0.0.1');
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      headless: true,
      args: [
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
    });
    page = await browser.newPage();
    await page.goto(`${await t.app.getUrl()}/docs`);
    await page.locator('.swagger-ui .information-container').waitFor();
  });

  afterAll(async () => {
    await browser?.close();
    await t?.close();
  });

  const operation = (operationId: string): Locator => page.locator(`#operations-timeseries-${operationId}`);

  const tryItOut = async (operationId: string, parameters: Record<string, string>): Promise<Locator> => {
    const block = operation(operationId);
    await block.locator('.opblock-summary').first().click();
    await block.locator('button.try-out__btn').click();
    for (const [name, value] of Object.entries(parameters)) {
      await block.locator(`tr[data-param-name="${name}"] input`).fill(value);
    }
    await block.locator('button.execute').click();
    const status = block.locator('.live-responses-table .response .response-col_status').first();
    await status.waitFor();
    return block;
  };

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

  it("runs Try it out on the POST with the seed's body and gets 202", async () => {
    const block = await tryItOut('postTimeseries', { deviceId, erCollectionId: collection });
    const status = await block.locator('.live-responses-table .response .response-col_status').first().innerText();
    const body = await block.locator('.live-responses-table .response-col_description pre').first().innerText();
    await page.screenshot({ path: join(tmpdir(), 'swagger-ui-post.png'), fullPage: false });
    expect(status.trim()).toBe('202');
    expect(body).toContain('"pointId": "PointId1"');
    expect(body).toContain('"pointId": "PointId2"');
  });

  it('runs the list GET and sees the points', async () => {
    const block = await tryItOut('listTimeseries', { deviceId, erCollectionId: collection });
    const status = await block.locator('.live-responses-table .response .response-col_status').first().innerText();
    const body = await block.locator('.live-responses-table .response-col_description pre').first().innerText();
    expect(status.trim()).toBe('200');
    expect(body).toContain('"pointId": "PointId1"');
    expect(body).toContain('"pointType": "humidity"');
  });
});
