/**
 * The Evidence screen in chromium, against the real server on loopback: records chosen in the
 * list are shown by their kind and path, not by opaque ids; the choice is kept in another tab
 * (and a change in one tab shows in the other) and after a reload; the ZIP names each file by
 * the start of its digest and the name it was sealed under, and Tamga's own checkers find
 * nothing in it undisclosed; signing out forgets the choice.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseEvidence, readZip } from '../../src/evidence/index.js';
import { checkFiles } from '../../web/shared/check.js';
import { removeTemp, tempDir, writeTree } from '../vault/helpers.js';
import { haveChromium, screenshot } from './chromium.js';
import { PASSWORD, setUpVault, startWebApp, type WebAppInBrowser } from './harness.js';

const ADMIN = 'admin';
const DOCS: Readonly<Record<string, string>> = {
  'bank-statement-12.pdf': '%PDF-1.4 Bank statement, December 2024: dues received 48 300 KGS\n',
  'протокол собрания.txt': 'Протокол общего собрания профсоюза, март 2024.\n',
};

describe.skipIf(!haveChromium())('the Evidence screen in a browser', () => {
  let dir: string;
  let web: WebAppInBrowser;
  let page: Page;

  beforeAll(async () => {
    dir = tempDir('tamga-browser-evidence-');
    web = await startWebApp(dir, { acceptDownloads: true });
    page = web.page;
    await page.goto(web.base);
    await setUpVault(page, ADMIN);
  });

  afterAll(async () => {
    await web?.close();
    removeTemp(dir);
  });

  /** The chosen records as the Evidence screen lists them: their text, without the buttons. */
  const listed = (p: Page) =>
    p
      .getByTestId('evidence-chosen-record')
      .evaluateAll((items) =>
        items.map((li) => `${li.querySelector('a')?.textContent ?? ''}|${li.textContent}`),
      );

  it('shows each chosen record by its kind and path, and keeps the choice in a new tab', async () => {
    const folder = join(dir, 'ledgers');
    writeTree(folder, DOCS);
    await page.getByRole('link', { name: 'Documents' }).click();
    await page.getByTestId('upload-drop-folder').setInputFiles(folder);
    await page.getByTestId('upload-start').click();
    await page.locator('[data-testid=upload-progress][data-finished=true]').waitFor();
    await page.getByRole('link', { name: 'Overview' }).click();
    await page.getByRole('link', { name: 'Documents' }).click();
    const rows = page.getByTestId('record-row');
    for (const name of Object.keys(DOCS)) {
      await rows.filter({ hasText: name }).getByRole('checkbox').check();
    }

    await page.getByRole('link', { name: 'Evidence' }).click();
    const shown = await listed(page);
    expect(shown).toHaveLength(2);
    for (const name of Object.keys(DOCS)) {
      expect(shown.find((s) => s.includes(name))).toMatch(
        new RegExp(`^ledgers/${name}\\|Document ledgers/${name} [0-9A-Z]{26} Remove$`),
      );
    }
    await screenshot(page, 'evidence-1-chosen');

    // Another tab of the same browser: the same choice, by the same names.
    const other = await web.context.newPage();
    await other.goto(`${web.base}/evidence`);
    await other.getByTestId('evidence-chosen').waitFor();
    expect(await listed(other)).toEqual(shown);
    // A record removed there is gone here too, and after a reload.
    await other
      .getByTestId('evidence-chosen-record')
      .filter({ hasText: 'протокол собрания.txt' })
      .getByRole('button', { name: 'Remove' })
      .click();
    await expect.poll(() => listed(page)).toEqual([shown.find((s) => s.includes('bank'))]);
    await page.reload();
    await page.getByTestId('evidence-chosen').waitFor();
    expect(await listed(page)).toEqual([shown.find((s) => s.includes('bank'))]);
    await other.close();
    // Chosen again from the record's own page.
    await page.getByRole('link', { name: 'Documents' }).click();
    await rows.filter({ hasText: 'протокол собрания.txt' }).getByRole('link').click();
    await page.getByTestId('choose-for-evidence').check();
    await page.getByRole('link', { name: 'Evidence' }).click();
    expect((await listed(page)).sort()).toEqual([...shown].sort());
  });

  it('downloads a ZIP whose files bear their names, and that Tamga checks with nothing undisclosed', async () => {
    const downloading = page.waitForEvent('download');
    await page.getByTestId('evidence-download').click();
    const download = await downloading;
    await page.getByTestId('evidence-done').waitFor();
    const zipPath = join(dir, download.suggestedFilename());
    await download.saveAs(zipPath);
    const members = await readZip(new Blob([readFileSync(zipPath)]), 'bundle');
    const json = members.find((m) => m.path === 'bundle/evidence.json')!;
    const bundle = parseEvidence(new Uint8Array(await json.file.arrayBuffer()));
    const files = members.filter((m) => m.path.startsWith('bundle/files/')).map((m) => m.path);
    expect(files.sort()).toEqual(bundle.files.map((f) => `bundle/${f.path}`).sort());
    expect(bundle.files.map((f) => f.path).sort()).toEqual(
      bundle.files
        .map((f) => {
          const name = Object.keys(DOCS).find((n) => f.path.endsWith(n))!;
          return `files/${f.sha256.slice(0, 16)}-${name}`;
        })
        .sort(),
    );
    const check = await checkFiles(members, {});
    expect(check.given.map((g) => g.status)).toEqual(['disclosed', 'disclosed']);
    expect(check.status).toBe('unconfirmed');
  });

  it('forgets the choice at sign-out', async () => {
    const key = () =>
      page.evaluate(() =>
        Object.keys(localStorage).filter((k) => k.startsWith('tamga.evidence-selection')),
      );
    expect(await key()).toHaveLength(1);
    await page.getByTestId('sign-out').click();
    const form = page.getByTestId('sign-in');
    await form.waitFor();
    expect(await key()).toEqual([]);
    await form.locator('input[name=name]').fill(ADMIN);
    await form.locator('input[name=password]').fill(PASSWORD);
    await form.locator('button[type=submit]').click();
    await page.getByTestId('sign-out').waitFor();
    await page.getByRole('link', { name: 'Evidence' }).click();
    await page.getByTestId('evidence').waitFor();
    expect(await page.getByTestId('evidence-chosen-record').count()).toBe(0);
    expect(web.errors).toEqual([]);
  });
});
