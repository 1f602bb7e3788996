/**
 * A treasurer's first week in the web app, in chromium against the real server: the setup says
 * which of its two secrets was mistyped; a search for взносы finds files named …взносов…; the
 * date each document bears (entered, or read from its name) is sealed and shown beside the
 * proven time; Stop counts the files it left unsent as stopped, not failed, and sends them
 * later; a changed file sealed again at the same path is said to be a new version.
 */
import { join } from 'node:path';
import type { Browser, Page, Route } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { removeTemp, tempDir, writeTree } from '../vault/helpers.js';
import { haveChromium, screenshot } from './chromium.js';
import {
  PASSPHRASE,
  PASSWORD,
  RAW_KEY,
  setUpVault,
  startWebApp,
  type WebAppInBrowser,
} from './harness.js';

describe.skipIf(!haveChromium())('a treasurer’s first week, in a browser', () => {
  let dir: string;
  let web: WebAppInBrowser;
  let base: string;
  let browser: Browser;
  let page: Page;
  let errors: string[];

  beforeAll(async () => {
    dir = tempDir('tamga-browser-treasurer-');
    web = await startWebApp(dir);
    ({ base, browser, page, errors } = web);
    void browser;
  });

  afterAll(async () => {
    await web?.close();
    removeTemp(dir);
  });

  const documents = async () => {
    await page.getByRole('link', { name: 'Documents' }).click();
    await page.getByTestId('documents').waitFor();
    // A finished upload stays on show until the person asks to seal more.
    const more = page.getByRole('button', { name: 'Seal more' });
    if (await more.isVisible()) await more.click();
  };

  /** Chooses `folder`, fills the form with `fill`, starts, and waits until every file is done. */
  const upload = async (folder: string, fill: () => Promise<void> = async () => {}) => {
    await documents();
    await page.getByTestId('upload-drop-folder').setInputFiles(folder);
    await fill();
    await page.getByTestId('upload-start').click();
    await page
      .locator('[data-testid=upload-progress][data-finished=true]')
      .waitFor({ timeout: 60_000 });
  };

  const search = async (text: string) => {
    await documents();
    const filters = page.getByTestId('filters');
    await filters.locator('input[name=text]').fill(text);
    await filters.locator('button[type=submit]').click();
    await page.waitForURL(`**/documents?text=${encodeURIComponent(text)}`);
    await page.getByTestId('records-total').waitFor();
  };

  it('names the field whose repetition differs on the setup screen', async () => {
    await page.goto(base);
    const form = page.getByTestId('setup');
    await form.waitFor();
    await form.locator('input[name=organisation]').fill('Профсоюз');
    await form.locator('input[name=origin]').fill('union.test.example/log');
    await form.locator('input[name=name]').fill('admin');
    await form.locator('input[name=password]').fill(PASSWORD);
    await form.locator('input[name=password2]').fill(`${PASSWORD}!`);
    await form.locator('input[name=passphrase]').fill(PASSPHRASE);
    await form.locator('input[name=passphrase2]').fill(PASSPHRASE);
    await form.locator('button[type=submit]').click();
    expect(await page.getByTestId('setup-problem').textContent()).toBe(
      "The administrator's password and its repetition differ. Type the same password twice.",
    );
    await form.locator('input[name=password2]').fill(PASSWORD);
    await form.locator('input[name=passphrase2]').fill(`${PASSPHRASE}?`);
    await form.locator('button[type=submit]').click();
    expect(await page.getByTestId('setup-problem').textContent()).toBe(
      'The vault passphrase and its repetition differ. Type the same passphrase twice.',
    );
    await page.locator('[data-lang=ru]').click();
    expect(await page.getByTestId('setup-problem').textContent()).toBe(
      'Парольная фраза хранилища и её повтор различаются. Введите одну и ту же фразу дважды.',
    );
    await page.locator('[data-lang=en]').click();
    await setUpVault(page, 'admin');
  });

  it('seals the date each document bears, and shows it beside the proven time', async () => {
    const folder = join(dir, 'ведомости');
    const tree: Record<string, string> = {};
    for (let i = 1; i <= 12; i++) {
      const m = String(i).padStart(2, '0');
      tree[`2016_${m}_15 Ведомость взносов.txt`] = `Ведомость взносов за ${m}.2016`;
    }
    tree['Ведомость взносов без даты.txt'] = 'без даты';
    writeTree(folder, tree);
    await upload(folder, async () => {
      await page.locator('input[name=documentDate]').fill('12.2016');
      expect(await page.getByTestId('upload-bad-date').textContent()).toBe(
        'Write the date as 2016-03-12, 2016-03 or 2016.',
      );
      expect(await page.getByTestId('upload-start').isDisabled()).toBe(true);
      await page.locator('input[name=documentDate]').fill('2016');
      await page.locator('input[name=dateFromName]').check();
    });
    expect(await page.getByTestId('upload-done').textContent()).toBe(
      'Done: all 13 files are sealed.',
    );

    // взносы finds the files named …взносов…
    await search('взносы');
    expect(await page.getByTestId('records-total').textContent()).toBe('13 records found.');
    await screenshot(page, 'treasurer-01-search-word-forms');
    const march = page.getByTestId('record-row').filter({ hasText: '2016_03_15' });
    expect(await march.getByTestId('document-date').textContent()).toBe(
      ' · dated 2016-03-15 (as the document says)',
    );
    const undated = page.getByTestId('record-row').filter({ hasText: 'без даты' });
    expect(await undated.getByTestId('document-date').textContent()).toBe(
      ' · dated 2016 (as the document says)',
    );
    await march.getByRole('link').first().click();
    await page.getByTestId('proof-status').waitFor();
    expect(await page.getByTestId('record-document-date').textContent()).toBe(
      'Dated 2016-03-15, as the document itself says: its own claim, not the time the seal proves.',
    );
    // Beside the proven time, never instead of it.
    expect(await page.getByTestId('proof-status').textContent()).not.toContain('2016');
    await screenshot(page, 'treasurer-02-record-dated');
  });

  it('counts files a Stop left unsent as stopped, not failed, and sends them later', async () => {
    const folder = join(dir, 'stop');
    const tree: Record<string, string> = {};
    for (let i = 0; i < 24; i++) tree[`протокол-${i}.txt`] = `протокол ${i}`;
    writeTree(folder, tree);
    // Seals wait until Stop is pressed, so that files are still waiting when it is.
    const held: Route[] = [];
    let holding = true;
    await page.route('**/api/uploads/*/seal', (route) => {
      if (holding) held.push(route);
      else void route.continue();
    });
    await documents();
    await page.getByTestId('upload-drop-folder').setInputFiles(folder);
    await page.getByTestId('upload-start').click();
    await expect.poll(() => held.length, { timeout: 30_000 }).toBeGreaterThan(0);
    await page.getByTestId('upload-stop').click();
    holding = false;
    for (const r of held.splice(0)) await r.continue();
    await page
      .locator('[data-testid=upload-progress][data-finished=true]')
      .waitFor({ timeout: 60_000 });
    const summary = (await page.getByTestId('upload-summary').textContent())!;
    expect(summary).toMatch(/^24 of 24 done: \d+ sealed, 0 already sealed, 0 failed, \d+ stopped/);
    const stopped = Number(/(\d+) stopped/.exec(summary)![1]);
    expect(stopped).toBeGreaterThan(0);
    expect(await page.getByTestId('upload-done').textContent()).toBe(
      `Stopped: ${stopped} files were not sent. Nothing is lost: send them when you are ready.`,
    );
    await screenshot(page, 'treasurer-03-upload-stopped');
    await page.getByTestId('upload-retry').click();
    await expect
      .poll(() => page.getByTestId('upload-done').textContent(), { timeout: 60_000 })
      .toBe('Done: all 24 files are sealed.');
    await page.unroute('**/api/uploads/*/seal');
  });

  it('says when a changed file sealed at the same path is a new version', async () => {
    const folder = join(dir, 'stop');
    writeTree(folder, { 'протокол-3.txt': 'протокол 3, исправленный' });
    await upload(folder);
    expect(await page.getByTestId('upload-new-versions').textContent()).toBe(
      '1 file had changed since it was sealed at the same path: it is sealed as a new version, and the earlier version stays sealed as it was.',
    );
    expect(await page.getByTestId('upload-summary').textContent()).toContain(
      '24 of 24 done: 1 sealed, 23 already sealed, 0 failed, 0 stopped',
    );
    await page.getByRole('button', { name: 'Show every file' }).click();
    const row = page.locator('li.upload-item', { hasText: 'протокол-3.txt' });
    expect(await row.getByTestId('upload-new-version').textContent()).toBe(
      ' · a new version of an earlier record: the earlier version',
    );
    await screenshot(page, 'treasurer-04-new-version');
    expect(await page.locator('body').textContent()).not.toMatch(RAW_KEY);
    expect(errors).toEqual([]);
  });
});
