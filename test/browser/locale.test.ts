/**
 * Russian and Kyrgyz screens in Debian's chromium, which has no Kyrgyz data in its Intl: dates,
 * amounts and the activity log are still written in Kyrgyz (web/i18n/ky-fallback.ts), and what
 * the server refuses is said in the reader's language, not in the server's English (a witness
 * key that is not one, a statement whose bank account has no books account yet).
 */
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { installNodeCrypto } from '../../src/platform/node-crypto.js';
import { CSRF_HEADER, ROUTES } from '../../src/server/app/api.js';
import { KY_MONTHS } from '../../web/i18n/ky-fallback.js';
import { removeTemp, tempDir } from '../vault/helpers.js';
import { haveChromium, screenshot } from './chromium.js';
import { RAW_KEY, SAMPLES, setUpVault, startWebApp, type WebAppInBrowser } from './harness.js';

installNodeCrypto();

const NBSP = '\u00a0';
/** A Kyrgyz date and time in UTC, e.g. `2026-ж., 7-декабрь 20:30:08 UTC`. */
const KY_DATE_TIME = new RegExp(
  `\\d{4}-ж\\., \\d{1,2}-(${KY_MONTHS.join('|')}) \\d{2}:\\d{2}:\\d{2} UTC`,
);

describe.skipIf(!haveChromium())('Russian and Kyrgyz screens', () => {
  let dir: string;
  let web: WebAppInBrowser;
  let page: Page;
  let base: string;

  beforeAll(async () => {
    dir = tempDir('tamga-browser-locale-');
    web = await startWebApp(dir);
    ({ page, base } = web);
    await page.goto(base);
    await setUpVault(page, 'treasurer');
  });

  afterAll(async () => {
    await web?.close();
    removeTemp(dir);
  });

  /** Calls the API as the signed-in user, with the session's CSRF token. */
  const call = (method: 'POST', path: string, body: unknown) =>
    page.evaluate(
      async (a) => {
        const state = (await (await fetch('/api/state')).json()) as { csrfToken: string | null };
        const r = await fetch(a.path, {
          method: a.method,
          headers: { 'content-type': 'application/json', [a.header]: state.csrfToken ?? '' },
          body: JSON.stringify(a.body),
        });
        return r.status;
      },
      { method, path, body, header: CSRF_HEADER },
    );

  const language = async (lang: 'en' | 'ru' | 'ky') => {
    await page.locator(`[data-lang=${lang}]`).click();
    await expect.poll(() => page.locator('html').getAttribute('lang')).toBe(lang);
  };

  it('writes Kyrgyz month names and the Kyrgyz number format where Intl has no Kyrgyz', async () => {
    // The case the project's own CLDR data is for: this chromium writes `ky` as en-US.
    const intlHasKy = await page.evaluate(
      () => Intl.DateTimeFormat.supportedLocalesOf(['ky']).length > 0,
    );
    expect(await call('POST', ROUTES.booksStartingChart, {})).toBe(200);
    expect(
      await call('POST', ROUTES.booksEntries, {
        date: '2026-12-07',
        description: 'Грант на ремонт',
        postings: [
          { account: 'Assets:Cash', amount: '60000.00', currency: 'KGS' },
          { account: 'Income:Other', amount: '-60000.00', currency: 'KGS' },
        ],
      }),
    ).toBe(200);

    await language('ky');
    await page.goto(`${base}/books/entries?text=${encodeURIComponent('Грант на ремонт')}`);
    const row = page.getByTestId('entry-row');
    await row.first().waitFor();
    expect(await row.locator('td').first().textContent()).toBe('2026-ж., 7-декабрь');
    const amounts = await row.locator('.postings-brief').textContent();
    expect(amounts).toContain(`60${NBSP}000,00`);
    expect(amounts).not.toContain('60,000.00');
    await screenshot(page, `locale-01-ky-entries${intlHasKy ? '' : '-without-intl-ky'}`);

    await page.goto(base);
    await page.getByTestId('dashboard').waitFor();
    const dashboard = (await page.getByTestId('dashboard').textContent()) ?? '';
    expect(dashboard).toMatch(KY_DATE_TIME);
    expect(dashboard).not.toMatch(/\b(January|February|March|April|May|June|July|August)\b/);
    expect(dashboard).not.toMatch(/\b(September|October|November|December)\b/);

    // The activity log's stored English, said in Kyrgyz.
    await page.goto(`${base}/activity`);
    await page.getByTestId('activity').waitFor();
    await expect
      .poll(() => page.getByTestId('activity').textContent())
      .toContain('Профсоюздун баштапкы эсептер планы');
    expect(await page.getByTestId('activity').textContent()).not.toContain('starting union chart');
    await screenshot(page, 'locale-02-ky-activity');
  });

  const expected = {
    ru: { key: 'Это не ключ проверки', account: 'выберите его счёт учёта в форме' },
    ky: { key: 'Бул текшерүү ачкычы эмес', account: 'бухгалтердик эсебин формадан тандаңыз' },
  } as const;

  for (const lang of ['ru', 'ky'] as const) {
    it(`says what the server refused in ${lang === 'ru' ? 'Russian' : 'Kyrgyz'}`, async () => {
      await language(lang);

      await page.goto(`${base}/admin?tab=witnesses`);
      const witnesses = page.getByTestId('admin-witnesses');
      await witnesses.waitFor();
      const form = witnesses.locator('form.inline-form').last();
      const inputs = form.locator('input[type=text]');
      await inputs.nth(0).fill('witness.example.org');
      await inputs.nth(1).fill('witness.example.org+not a key');
      await inputs.nth(2).fill('https://witness.example.org');
      await form.locator('button[type=submit]').click();
      const refused = witnesses.getByTestId('error');
      await refused.waitFor();
      const keyText = (await refused.textContent()) ?? '';
      expect(keyText).toContain(expected[lang].key);
      expect(keyText).not.toMatch(/malformed|expected <name>/);
      expect(keyText).not.toMatch(RAW_KEY);
      await screenshot(page, `locale-03-${lang}-witness-key`);

      await page.goto(`${base}/books/import`);
      await page.getByTestId('import-form').waitFor();
      await page.getByTestId('import-file').setInputFiles(join(SAMPLES, '1c-windows-1251.txt'));
      await page.getByTestId('import-preview').click();
      const error = page.getByTestId('books').getByTestId('error');
      await error.waitFor();
      const importText = (await error.textContent()) ?? '';
      expect(importText).toContain(expected[lang].account);
      expect(importText).not.toMatch(/--account|never imported/);
      expect(importText).not.toMatch(RAW_KEY);
      await screenshot(page, `locale-04-${lang}-import-account`);
    });
  }

  it('had nothing go wrong in the page but the refusals it asked for', () => {
    const unasked = web.errors.filter((e) => !/status of (400|409)/.test(e));
    expect(unasked).toEqual([]);
  });
});
