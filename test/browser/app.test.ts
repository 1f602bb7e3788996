/**
 * The web app end to end in chromium, against the real server (src/server/app) on loopback and
 * a witness running in-process: first-run setup, sign-out and sign-in, adding the witness,
 * sealing a folder of 200 files by upload, seeing them sealed and cosigned, a record's proof,
 * verifying a good file and a tampered copy (and the same copy once a forged index row names it:
 * damaged, not sealed), downloading an evidence bundle and checking it with
 * its own verifier.html from a file:// URL with no network, and every screen in Russian and
 * Kyrgyz. Screenshots of each screen go to test/browser/screenshots/.
 */
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import Database from 'better-sqlite3';
import type { FastifyInstance } from 'fastify';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  formatTrustStatement,
  parseTrustStatement,
  trustFingerprint,
} from '../../src/evidence/index.js';
import { readZip } from '../../src/evidence/zip.js';
import { installNodeCrypto } from '../../src/platform/node-crypto.js';
import type { DashboardResponse } from '../../src/server/app/api.js';
import { vaultStatement } from '../../src/vault/trust-file.js';
import { Vault } from '../../src/vault/vault.js';
import { listenWitness } from '../../src/witness/commands.js';
import { buildWitnessServer } from '../../src/witness/server.js';
import { Witness } from '../../src/witness/witness.js';
import { removeTemp, tempDir, writeTree } from '../vault/helpers.js';
import { haveChromium, offlineContext, screenshot } from './chromium.js';
import {
  ORGANISATION,
  overflow,
  PASSWORD,
  setUpVault,
  startWebApp,
  type WebAppInBrowser,
} from './harness.js';

installNodeCrypto();

const WITNESS = 'witness.ituc.test.example/w1';

/** The vault's trust statement, as its administrator publishes it with `tamga trust`. */
async function publishedStatement(vaultDir: string): Promise<string> {
  const vault = await Vault.open(vaultDir, { readonly: true });
  try {
    return formatTrustStatement(vaultStatement(vault));
  } finally {
    vault.close();
  }
}
const ADMIN = 'admin';
const FILES = 200;

describe.skipIf(!haveChromium())('the web app in a browser', () => {
  let dir: string;
  let web: WebAppInBrowser;
  let base: string;
  let browser: Browser;
  let page: Page;
  let errors: string[];
  let witness: Witness;
  let witnessApp: FastifyInstance;
  let witnessUrl: string;

  beforeAll(async () => {
    dir = tempDir('tamga-browser-app-');
    witness = await Witness.init(join(dir, 'witness'), WITNESS);
    witnessApp = buildWitnessServer(witness);
    witnessUrl = await listenWitness(witnessApp, '127.0.0.1', 0);
    web = await startWebApp(dir, { acceptDownloads: true });
    ({ base, browser, page, errors } = web);
  });

  afterAll(async () => {
    await web?.close();
    await witnessApp?.close();
    await witness?.close();
    removeTemp(dir);
  });

  const dashboard = (): Promise<DashboardResponse> =>
    page.evaluate(() =>
      fetch('/api/dashboard').then((r) => r.json() as Promise<DashboardResponse>),
    );

  it('sets up the vault on first run', async () => {
    await page.goto(base);
    await page.getByTestId('setup').waitFor();
    await screenshot(page, 'app-01-setup');
    await setUpVault(page, ADMIN);
    expect(await page.locator('header h1').textContent()).toBe(ORGANISATION);
    await screenshot(page, 'app-02-dashboard-empty');
  });

  it('signs out, refuses a wrong password in plain words, and signs in', async () => {
    await page.getByTestId('sign-out').click();
    const form = page.getByTestId('sign-in');
    await form.waitFor();
    await form.locator('input[name=name]').fill(ADMIN);
    await form.locator('input[name=password]').fill('not the password');
    await form.locator('button[type=submit]').click();
    expect(await page.getByTestId('error').textContent()).toBe(
      'The user name or the password is wrong. Check them and try again.',
    );
    await page.locator('[data-lang=ru]').click();
    expect(await page.getByTestId('error').textContent()).toBe(
      'Неверное имя пользователя или пароль. Проверьте их и попробуйте снова.',
    );
    await screenshot(page, 'app-03-sign-in-error-ru');
    await page.locator('[data-lang=en]').click();
    await form.locator('input[name=password]').fill(PASSWORD);
    await form.locator('button[type=submit]').click();
    await page.getByTestId('dashboard').waitFor();
    // The refused sign-in is logged by the browser as a failed load (401): that one was meant.
    errors.splice(0, errors.length);
  });

  it('adds a witness and sets the quorum', async () => {
    await page.getByRole('link', { name: 'Administration' }).click();
    await page.locator('[data-tab=settings]').click();
    const logKey = (await page.getByTestId('log-key').textContent())!;
    expect(logKey).toMatch(/^union\.test\.example\/log\+[0-9a-f]{8}\+/);
    witness.addLog(logKey);
    await page.locator('[data-tab=witnesses]').click();
    const panel = page.getByTestId('admin-witnesses');
    const add = panel.locator('form').last();
    const inputs = add.locator('input');
    await inputs.nth(0).fill(WITNESS);
    await inputs.nth(1).fill(witness.verifierKey);
    await inputs.nth(2).fill(witnessUrl);
    await add.locator('button[type=submit]').click();
    await panel.locator('td', { hasText: WITNESS }).waitFor();
    const quorum = panel.locator('input[type=number]');
    await quorum.fill('1');
    await panel.getByRole('button', { name: 'Set the quorum' }).click();
    await expect.poll(async () => (await dashboard()).quorum).toBe(1);
    await screenshot(page, 'app-04-admin-witnesses');
  });

  it(`seals a folder of ${FILES} files by upload, and sees them cosigned`, async () => {
    const folder = join(dir, 'minutes-2024');
    const tree: Record<string, string> = {};
    for (let i = 0; i < FILES; i++) {
      const n = String(i).padStart(3, '0');
      tree[`${i < 100 ? 'spring' : 'autumn'}/протокол-${n}.txt`] =
        `Протокол заседания № ${n}: взносы приняты, ${i * 37} сом.\n`;
    }
    writeTree(folder, tree);
    await page.getByRole('link', { name: 'Documents' }).click();
    await page.getByTestId('upload-drop-folder').setInputFiles(folder);
    expect(await page.getByTestId('upload-picked').textContent()).toContain(
      `${FILES} files chosen`,
    );
    await page.locator('input[name=tags]').fill('minutes, 2024');
    await page.locator('textarea[name=meta]').fill('box=12');
    await screenshot(page, 'app-05-upload-chosen');
    await page.getByTestId('upload-start').click();
    await page
      .locator('[data-testid=upload-progress][data-finished=true]')
      .waitFor({ timeout: 180_000 });
    expect(await page.getByTestId('upload-done').textContent()).toBe(
      `Done: all ${FILES} files are sealed.`,
    );
    expect(await page.getByTestId('upload-summary').textContent()).toContain(
      `${FILES} of ${FILES} done: ${FILES} sealed, 0 already sealed, 0 failed`,
    );
    await screenshot(page, 'app-06-upload-done');

    await expect
      .poll(async () => (await dashboard()).witnessed?.size ?? 0, { timeout: 60_000 })
      .toBeGreaterThanOrEqual(FILES);
    await page.getByRole('link', { name: 'Overview' }).click();
    await page.getByTestId('dashboard').waitFor();
    expect(
      Number((await page.getByTestId('records-count').textContent())!.replace(/\D/g, '')),
    ).toBeGreaterThanOrEqual(FILES);
    expect(await page.getByTestId('dashboard-witnesses').textContent()).toContain(WITNESS);
    await screenshot(page, 'app-07-dashboard-witnessed');
  });

  it('finds a record and shows how it is proven', async () => {
    await page.getByRole('link', { name: 'Documents' }).click();
    const filters = page.getByTestId('filters');
    await filters.locator('input[name=text]').fill('протокол-042');
    await filters.locator('select[name=kind]').selectOption('document');
    await filters.locator('button[type=submit]').click();
    await expect.poll(() => page.getByTestId('record-row').count()).toBe(1);
    await screenshot(page, 'app-08-documents-search');
    await page.getByTestId('record-row').getByRole('link').click();
    const status = page.getByTestId('proof-status');
    await status.waitFor();
    expect(await status.getAttribute('data-proof')).toBe('witnessed');
    expect(await status.textContent()).toMatch(
      new RegExp(
        `^Proven to exist no later than .*\\d{4}.*UTC \\(witness ${WITNESS.replace(/\./g, '\\.')}\\)`,
      ),
    );
    await page.getByTestId('choose-for-evidence').check();
    await screenshot(page, 'app-09-record');
  });

  it('verifies a good file and a tampered copy', async () => {
    const good = join(dir, 'minutes-2024/spring/протокол-042.txt');
    const tamperedDir = join(dir, 'tampered');
    mkdirSync(tamperedDir, { recursive: true });
    const tampered = join(tamperedDir, 'протокол-042.txt');
    writeFileSync(tampered, readFileSync(good, 'utf8').replace('сом', 'долларов'));
    await page.getByRole('link', { name: 'Verify' }).click();
    await page.getByTestId('verify-drop-files').setInputFiles([good, tampered]);
    const results = page.getByTestId('verify-result');
    await expect.poll(() => results.count()).toBe(2);
    expect(await results.nth(0).getAttribute('data-verdict')).toBe('sealed');
    expect(await results.nth(0).textContent()).toMatch(/Proven to exist no later than .*UTC/);
    expect(await results.nth(1).getAttribute('data-verdict')).toBe('not-found');
    expect(await results.nth(1).getByTestId('closest').textContent()).toContain(
      'this copy may have been altered',
    );
    await screenshot(page, 'app-10-verify');
    await page.locator('[data-lang=ky]').click();
    expect(await results.nth(1).textContent()).toContain('мөөр басылган ЭМЕС');
    await screenshot(page, 'app-11-verify-ky');
    await page.locator('[data-lang=en]').click();
  });

  it('says a file is not proven when the vault index names a record that does not hold it', async () => {
    const tampered = join(dir, 'tampered', 'протокол-042.txt');
    const data = readFileSync(tampered);
    const sha256 = createHash('sha256').update(data).digest('hex');
    // A row forged into the file index, as anyone holding vault.db could add one.
    const forge = (sql: string, ...args: unknown[]) => {
      const db = new Database(join(dir, 'vault', 'vault.db'));
      try {
        db.prepare(sql).run(...args);
      } finally {
        db.close();
      }
    };
    forge(
      'INSERT INTO record_files (record_idx, sha256, name, size) VALUES (0, ?, ?, ?)',
      sha256,
      'протокол-042.txt',
      data.length,
    );
    try {
      await page.getByRole('link', { name: 'Verify' }).click();
      await page.getByTestId('verify-drop-files').setInputFiles([tampered]);
      const result = page.getByTestId('verify-result');
      await expect.poll(() => result.getAttribute('data-verdict')).toBe('damaged');
      expect(await result.textContent()).toContain('NOT proven sealed: the vault is damaged');
      expect(await result.getByTestId('verify-damage').textContent()).toMatch(
        /^The index names log entry 0, but record [0-9A-Z]{26} does not hold this file\.$/,
      );
      await screenshot(page, 'app-11b-verify-damaged');
      await page.locator('[data-lang=ru]').click();
      expect(await result.textContent()).toContain('хранилище повреждено');
      await page.locator('[data-lang=en]').click();
    } finally {
      forge('DELETE FROM record_files WHERE sha256 = ?', sha256);
    }
  });

  it('downloads an evidence bundle whose own verifier checks it offline', async () => {
    await page.getByRole('link', { name: 'Evidence' }).click();
    expect(await page.getByTestId('evidence-chosen').locator('li').count()).toBe(1);
    const downloading = page.waitForEvent('download');
    await page.getByTestId('evidence-download').click();
    const download = await downloading;
    await page.getByTestId('evidence-done').waitFor();
    await screenshot(page, 'app-12-evidence');
    const zipPath = join(dir, download.suggestedFilename());
    await download.saveAs(zipPath);
    const out = join(dir, 'bundle');
    for (const f of await readZip(new Blob([readFileSync(zipPath)]))) {
      mkdirSync(dirname(join(out, f.path)), { recursive: true });
      writeFileSync(join(out, f.path), new Uint8Array(await f.file.arrayBuffer()));
    }
    // The README says how to check it: against the union's statement, whose fingerprint it gives.
    const statement = await publishedStatement(join(dir, 'vault'));
    const readme = readFileSync(join(out, 'README.txt'), 'utf8');
    expect(readme).toContain('tamga check-evidence --trust trust.txt');
    expect(readme).toContain(trustFingerprint(parseTrustStatement(statement)));
    const offline = await offlineContext(browser);
    const p = await offline.context.newPage();
    await p.goto(pathToFileURL(join(out, 'verifier.html')).href);
    // Without the union's statement, the bundle is unconfirmed and undated.
    await p.getByTestId('bundle-drop-folder').setInputFiles(out);
    const verdict = p.getByTestId('verdict');
    await verdict.waitFor();
    expect(await verdict.getAttribute('data-status')).toBe('unconfirmed');
    expect(await p.getByTestId('proven').count()).toBe(0);
    await p.reload();
    await p.getByTestId('trust-statement').fill(statement);
    await p.getByTestId('bundle-drop-folder').setInputFiles(out);
    await verdict.waitFor();
    expect(await verdict.getAttribute('data-ok')).toBe('true');
    expect(await p.getByTestId('proven').textContent()).toContain(WITNESS);
    expect(await p.getByTestId('record-file').getAttribute('data-status')).toBe('match');
    await screenshot(p, 'app-13-bundle-verifier');
    // The ZIP as downloaded, without unpacking it, verifies the same.
    await p.reload();
    await p.getByTestId('trust-statement').fill(statement);
    await p.getByTestId('bundle-drop-files').setInputFiles(zipPath);
    await p.getByTestId('verdict').waitFor();
    expect(await p.getByTestId('verdict').getAttribute('data-ok')).toBe('true');
    expect(offline.watch.network).toEqual([]);
    expect(offline.watch.errors).toEqual([]);
    await offline.context.close();
  });

  it('previews a sealed image and a sealed PDF on their record pages', async () => {
    const folder = join(dir, 'scans');
    // A 1×1 PNG, and a one-page PDF written by hand (PDF 1.1, one Helvetica line).
    const png = Buffer.from(
      'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==',
      'base64',
    );
    const pdf = [
      '%PDF-1.1',
      '1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj',
      '2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj',
      '3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 300 144]/Contents 4 0 R/Resources<</Font<</F1 5 0 R>>>>>>endobj',
      '4 0 obj<</Length 44>>stream',
      'BT /F1 24 Tf 20 60 Td (Receipt 17) Tj ET',
      'endstream endobj',
      '5 0 obj<</Type/Font/Subtype/Type1/BaseFont/Helvetica>>endobj',
      'trailer<</Root 1 0 R>>',
      '%%EOF',
    ].join('\n');
    writeTree(folder, { 'stamp-scan.png': png, 'receipt-17.pdf': pdf });
    await page.getByRole('link', { name: 'Documents' }).click();
    await page.getByTestId('upload-drop-folder').setInputFiles(folder);
    await page.getByTestId('upload-start').click();
    await page
      .locator('[data-testid=upload-progress][data-finished=true]')
      .waitFor({ timeout: 60_000 });
    const open = async (name: string) => {
      await page.getByRole('link', { name: 'Documents' }).click();
      const filters = page.getByTestId('filters');
      await filters.locator('input[name=text]').fill(name);
      await filters.locator('select[name=kind]').selectOption('document');
      await filters.locator('button[type=submit]').click();
      await expect.poll(() => page.getByTestId('record-row').count()).toBe(1);
      await page.getByTestId('record-row').getByRole('link').click();
      await page.getByTestId('record-file-view').waitFor();
    };
    await open('stamp-scan');
    const img = page.getByTestId('record-file-view').locator('img.preview');
    await expect.poll(() => img.evaluate((el) => (el as HTMLImageElement).naturalWidth)).toBe(1);
    await open('receipt-17');
    await page.getByTestId('record-file-view').locator('iframe.preview').waitFor();
    // Chromium shows a PDF in its own viewer, a frame of its PDF extension inside the iframe.
    await expect
      .poll(() => page.frames().some((f) => f.url().startsWith('chrome-extension://')), {
        timeout: 20_000,
      })
      .toBe(true);
    await page.waitForTimeout(1500); // for the screenshot only: the viewer paints the page
    await screenshot(page, 'app-13b-record-pdf-preview');
  });

  it('shows every screen in Russian and Kyrgyz, and fits a phone', async () => {
    const screens: Array<[string, string]> = [
      ['/', 'dashboard'],
      ['/documents', 'documents'],
      ['/verify', 'verify'],
      ['/evidence', 'evidence'],
      ['/activity', 'activity'],
      ['/admin', 'admin'],
    ];
    const nav: Record<string, string> = { ru: 'Документы', ky: 'Документтер' };
    for (const lang of ['ru', 'ky'] as const) {
      await page.locator(`[data-lang=${lang}]`).click();
      for (const [path, testId] of screens) {
        await page.goto(`${base}${path}`);
        await page.getByTestId(testId).waitFor();
        expect(await page.locator('html').getAttribute('lang')).toBe(lang);
        expect(await page.locator('nav.main-nav').textContent()).toContain(nav[lang]);
        await screenshot(page, `app-14-${lang}-${testId}`);
      }
    }
    await page.setViewportSize({ width: 390, height: 844 });
    for (const [path, testId] of screens.slice(0, 3)) {
      await page.goto(`${base}${path}`);
      await page.getByTestId(testId).waitFor();
      expect((await overflow(page)).by, `${path} is wider than a phone`).toBeLessThanOrEqual(0);
      await screenshot(page, `app-15-phone-${testId}`);
    }
    expect(errors).toEqual([]);
  });
});
