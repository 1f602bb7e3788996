/**
 * The web app as the browser tests drive it: the real server (src/server/app) on loopback over
 * a vault in a folder of the test's, serving the built web/dist, and chromium with one page
 * whose console errors are recorded; the first-run setup; and what the tests check on every
 * screen (no raw i18n key, nothing wider than a phone).
 */
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { buildApp } from '../../src/server/app/index.js';
import { launchChromium, watchErrors } from './chromium.js';

export const WEB_DIST = new URL('../../web/dist', import.meta.url).pathname;
export const SAMPLES = new URL('../books/samples/', import.meta.url).pathname;
export const ORGANISATION = 'Профсоюз работников образования';
export const PASSWORD = 'correct horse battery';
export const PASSPHRASE = 'a long vault passphrase, 2024';
/** What i18next shows for a key it does not have, or an interpolation it could not fill. */
export const RAW_KEY = /\b(books|nav|common|errors|action)\.[a-zA-Z]|\{\{|_one\b|_other\b/;

/** The server on loopback and chromium with one page open on nothing yet. */
export interface WebAppInBrowser {
  readonly app: FastifyInstance;
  /** The server's URL, `http://127.0.0.1:<port>`. */
  readonly base: string;
  readonly browser: Browser;
  readonly context: BrowserContext;
  readonly page: Page;
  /** Console errors and uncaught exceptions of `page`. */
  readonly errors: string[];
  /** Closes the page's context, chromium and the server. */
  close(): Promise<void>;
}

/**
 * Starts the server on a vault in `dir`/vault (made at first-run setup) and chromium at a
 * desktop size; returns them once both are ready.
 */
export async function startWebApp(
  dir: string,
  options: { acceptDownloads?: boolean } = {},
): Promise<WebAppInBrowser> {
  const app = await buildApp({
    vaultDir: join(dir, 'vault'),
    webDist: WEB_DIST,
    passwordCost: { logN: 4, r: 8, p: 1 },
    keyFileLogN: 10,
    cosignIntervalMs: 300,
    activityIntervalMs: 1000,
    batchMillis: 20,
    say: () => {},
  });
  const base = await app.listen({ host: '127.0.0.1', port: 0 });
  const browser = await launchChromium();
  const context = await browser.newContext({
    viewport: { width: 1280, height: 900 },
    ...(options.acceptDownloads === true ? { acceptDownloads: true } : {}),
  });
  const page = await context.newPage();
  const errors: string[] = [];
  watchErrors(page, errors);
  return {
    app,
    base,
    browser,
    context,
    page,
    errors,
    close: async () => {
      await context.close();
      await browser.close();
      await app.close();
    },
  };
}

/**
 * Fills the first-run setup form on `page` (already showing it) for {@link ORGANISATION}, with
 * `admin` as the first administrator, and waits for the dashboard.
 */
export async function setUpVault(page: Page, admin: string): Promise<void> {
  const form = page.getByTestId('setup');
  await form.waitFor();
  await form.locator('input[name=organisation]').fill(ORGANISATION);
  await form.locator('input[name=origin]').fill('union.test.example/log');
  await form.locator('input[name=name]').fill(admin);
  await form.locator('input[name=password]').fill(PASSWORD);
  await form.locator('input[name=password2]').fill(PASSWORD);
  await form.locator('input[name=passphrase]').fill(PASSPHRASE);
  await form.locator('input[name=passphrase2]').fill(PASSPHRASE);
  await form.locator('button[type=submit]').click();
  await page.getByTestId('dashboard').waitFor({ timeout: 60_000 });
}

/**
 * Returns by how many pixels `page` is wider than its viewport (0 or less when it fits), and up
 * to three elements that reach past it outside a `.table-scroll` (which scrolls on purpose).
 */
export function overflow(page: Page): Promise<{ by: number; wide: string[] }> {
  return page.evaluate(() => {
    const width = document.documentElement.clientWidth;
    const wide = Array.from(document.querySelectorAll('body *'))
      .filter((e) => e.getBoundingClientRect().right > width + 1)
      .filter((e) => e.closest('.table-scroll') === null)
      .slice(0, 3)
      .map((e) => `${e.tagName.toLowerCase()}.${e.className}`);
    return { by: document.documentElement.scrollWidth - width, wide };
  });
}
