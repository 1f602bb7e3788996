/**
 * A vault restored from a mirror, in chromium: the banner "restored copy, read-only until taken
 * over" on the unlock screen and above every screen after it, in each language with no raw i18n
 * key; the take-over, for an administrator, only once the log's origin is typed; and the banner
 * gone after it. Screenshots go to test/browser/screenshots/.
 */
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HttpSource } from '../../src/mirror/http-source.js';
import { restoreVault } from '../../src/mirror/restore.js';
import { installNodeCrypto } from '../../src/platform/node-crypto.js';
import type { StateResponse } from '../../src/server/app/api.js';
import {
  createTestVault,
  PASSPHRASE,
  sealFolder,
  serveVault,
  smallFiles,
  token,
} from '../mirror/helpers.js';
import { ORIGIN, removeTemp, tempDir } from '../vault/helpers.js';
import { haveChromium, screenshot } from './chromium.js';
import { PASSWORD, RAW_KEY, startWebApp, type WebAppInBrowser } from './harness.js';

installNodeCrypto();

describe.skipIf(!haveChromium())('a restored copy in a browser', () => {
  let dir: string;
  let web: WebAppInBrowser;

  beforeAll(async () => {
    dir = tempDir('tamga-browser-restored-');
    const original = await createTestVault(join(dir, 'original'));
    await sealFolder(original, dir, 'docs', smallFiles(3, 'minutes'));
    const served = await serveVault(original.dir);
    const source = new HttpSource(served.url, { token: token(original) });
    try {
      // startWebApp serves the vault in `dir`/vault: the copy.
      await restoreVault({ source, vault: join(dir, 'vault'), passphrase: async () => PASSPHRASE });
    } finally {
      await source.close();
      await served.close();
      original.vault.close();
    }
    web = await startWebApp(dir);
  });

  afterAll(async () => {
    await web?.close();
    removeTemp(dir);
  });

  it('says it is a read-only copy from the unlock screen on, and is taken over only knowingly', async () => {
    const { page, base, errors } = web;
    await page.goto(base);
    const banner = page.getByTestId('restored-banner');
    await banner.waitFor();
    expect(await banner.textContent()).toMatch(/Restored copy: read-only until taken over/);
    // Not before sign-in: the take-over is an administrator's.
    expect(await page.getByTestId('takeover-open').count()).toBe(0);

    const unlock = page.getByTestId('unlock');
    await unlock.locator('input[name=passphrase]').fill(PASSPHRASE);
    await unlock.locator('input[name=name]').fill('admin');
    await unlock.locator('input[name=password]').fill(PASSWORD);
    await unlock.locator('input[name=password2]').fill(PASSWORD);
    await unlock.locator('button[type=submit]').click();
    await page.getByTestId('dashboard').waitFor();
    await banner.waitFor();
    expect(await banner.textContent()).toMatch(/seals nothing, not even the activity log/);
    expect(await banner.textContent()).toMatch(/the original must never seal again/);
    await screenshot(page, 'restored-banner');

    for (const lang of ['ru', 'ky'] as const) {
      await page.locator(`[data-lang=${lang}]`).click();
      await page.waitForFunction((l) => document.documentElement.lang === l, lang);
      const text = (await banner.textContent()) ?? '';
      expect(text).not.toMatch(RAW_KEY);
      expect(text).not.toMatch(/restored\.[a-z]/);
      expect(text).not.toMatch(/Restored copy/);
    }
    await page.locator('[data-lang=en]').click();

    await page.getByTestId('takeover-open').click();
    const form = page.getByTestId('takeover-form');
    const submit = form.locator('button[type=submit]');
    await form.locator('input[name=confirm]').fill('union.example/log');
    expect(await submit.isDisabled()).toBe(true);
    await form.locator('input[name=confirm]').fill(ORIGIN);
    expect(await submit.isDisabled()).toBe(false);
    await submit.click();
    await banner.waitFor({ state: 'detached' });
    const state = (await page.evaluate(async () =>
      (await fetch('/api/state')).json(),
    )) as StateResponse;
    expect(state.restored).toBeNull();
    expect(errors).toEqual([]);
  });
});
