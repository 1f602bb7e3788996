/**
 * Debian's chromium, driven by playwright-core, for the browser tests. With CI=true a missing
 * chromium fails the run (.ci/run installs it); elsewhere the browser tests are skipped.
 */
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { type Browser, type BrowserContext, chromium, type Page } from 'playwright-core';

export const CHROMIUM = process.env.TAMGA_CHROMIUM ?? '/usr/bin/chromium';

export const CHROMIUM_FLAGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
];

/** True when the browser tests can run; throws when CI=true and chromium is missing. */
export function haveChromium(): boolean {
  if (existsSync(CHROMIUM)) return true;
  if (process.env.CI === 'true') {
    throw new Error(
      `CI=true but there is no chromium at ${CHROMIUM}: .ci/run must install Debian's chromium`,
    );
  }
  return false;
}

/** Starts chromium headless with the flags the project runs it with. */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM, headless: true, args: CHROMIUM_FLAGS });
}

export const SCREENSHOTS = new URL('./screenshots/', import.meta.url).pathname;

/** Saves a full-page screenshot as test/browser/screenshots/<name>.png. */
export async function screenshot(page: Page, name: string): Promise<void> {
  mkdirSync(SCREENSHOTS, { recursive: true });
  await page.screenshot({ path: join(SCREENSHOTS, `${name}.png`), fullPage: true });
}

/** What a page tried to reach over the network, and what went wrong on it. */
export interface PageWatch {
  /** Every request that was not for a file:// or data: URL; each was aborted. */
  readonly network: string[];
  /** Console errors and uncaught exceptions (a CSP violation shows up here). */
  readonly errors: string[];
}

/**
 * Returns a context in which every request that is not for file:// or data: is aborted and
 * recorded, as on a computer with no network.
 */
export async function offlineContext(
  browser: Browser,
  options: { viewport?: { width: number; height: number }; acceptDownloads?: boolean } = {},
): Promise<{ context: BrowserContext; watch: PageWatch }> {
  const context = await browser.newContext({
    viewport: options.viewport ?? { width: 1280, height: 900 },
    acceptDownloads: options.acceptDownloads ?? false,
  });
  const watch: PageWatch = { network: [], errors: [] };
  await context.route('**/*', (route) => {
    const url = route.request().url();
    if (url.startsWith('file:') || url.startsWith('data:') || url.startsWith('blob:')) {
      return route.continue();
    }
    watch.network.push(url);
    return route.abort('internetdisconnected');
  });
  context.on('request', (r) => {
    const url = r.url();
    if (!url.startsWith('file:') && !url.startsWith('data:') && !url.startsWith('blob:')) {
      if (!watch.network.includes(url)) watch.network.push(url);
    }
  });
  context.on('page', (page) => watchErrors(page, watch.errors));
  return { context, watch };
}

/** Records console errors and uncaught exceptions of `page` into `errors`. */
export function watchErrors(page: Page, errors: string[]): void {
  page.on('console', (m) => {
    if (m.type() === 'error') errors.push(m.text());
  });
  page.on('pageerror', (e) => errors.push(e.message));
}
