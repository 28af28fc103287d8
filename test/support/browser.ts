import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';

import { chromium, type Browser, type Page } from 'playwright-core';

/** Debian's Chromium (.ci/run installs it); the browser tests are skipped, saying so, without it. */
export const CHROMIUM = '/usr/bin/chromium';

/**
 * A name that is not loopback to the browser (localhost and 127.0.0.1 are secure origins, where
 * plain HTTP passes for secure): Chromium resolves it to 127.0.0.1, so no traffic leaves the
 * machine, but it treats the page as any other http:// site, as a user on another machine would.
 */
export const HOST = 'api.test';

/** Where browser tests leave what a person may want to look at (screenshots); not committed. */
export const ARTIFACTS = join(__dirname, '..', '..', 'test-artifacts');

/** `describe` when Chromium is installed, else `describe.skip` and a line saying why. */
export function describeInBrowser(what: string): jest.Describe {
  if (existsSync(CHROMIUM)) return describe;
  process.stdout.write(`\n${what} skipped: ${CHROMIUM} is missing (apt-get install chromium; .ci/run does).\n`);
  return describe.skip;
}

/** Headless Chromium that maps HOST to 127.0.0.1. */
export function launchChromium(extraArgs: string[] = []): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      `--host-resolver-rules=MAP ${HOST} 127.0.0.1`,
      ...extraArgs,
    ],
  });
}

/**
 * Runs `body` (the page's JavaScript; the tests compile without the DOM's types) with `args` in
 * scope. page.evaluate is not subject to the page's CSP; waitForFunction's string predicate is.
 */
export function inPage<T>(page: Page, args: Record<string, unknown>, body: string): Promise<T> {
  return page.evaluate(
    `(async (${Object.keys(args).join(', ')}) => { ${body} })(...${JSON.stringify(Object.values(args))})`,
  );
}

/** The path of a screenshot under ARTIFACTS (the folder made if missing). */
export function artifact(name: string): string {
  mkdirSync(ARTIFACTS, { recursive: true });
  return join(ARTIFACTS, name);
}
