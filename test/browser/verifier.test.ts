/**
 * The offline verifier (web/dist/verifier.html) in chromium, opened from a file:// URL with
 * every network request aborted: a real bundle made by `tamga evidence --with-files` verifies,
 * from its folder, from chosen files and from its ZIP; a tampered copy of a disclosed file and a
 * file the bundle does not disclose fail; the page speaks Russian and Kyrgyz, fits a phone, and
 * never tries the network.
 */
import { copyFileSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { removeTemp, tempDir } from '../vault/helpers.js';
import { type BundleFixture, DOCUMENTS, makeBundle, WITNESS_NAMES } from './bundle-fixture.js';
import {
  haveChromium,
  launchChromium,
  offlineContext,
  type PageWatch,
  screenshot,
} from './chromium.js';
import { writeZip } from './zip-writer.js';

const VERIFIER = new URL('../../web/dist/verifier.html', import.meta.url).pathname;
const VERIFIER_URL = pathToFileURL(VERIFIER).href;

describe.skipIf(!haveChromium())('the offline verifier, from file:// with no network', () => {
  let dir: string;
  let fixture: BundleFixture;
  let browser: Browser;

  beforeAll(async () => {
    dir = tempDir('tamga-browser-verifier-');
    [fixture, browser] = await Promise.all([makeBundle(dir), launchChromium()]);
  });

  afterAll(async () => {
    await browser?.close();
    await fixture?.close();
    removeTemp(dir);
  });

  async function open(viewport?: {
    width: number;
    height: number;
  }): Promise<{ page: Page; watch: PageWatch; close: () => Promise<void> }> {
    const { context, watch } = await offlineContext(browser, viewport ? { viewport } : {});
    const page = await context.newPage();
    await page.goto(VERIFIER_URL);
    await page.getByRole('heading', { level: 1 }).waitFor();
    return { page, watch, close: () => context.close() };
  }

  const verdict = (page: Page) => page.getByTestId('verdict');

  it('is one self-contained file with a strict Content-Security-Policy', () => {
    const html = readFileSync(VERIFIER, 'utf8');
    expect(html).toContain(
      `content="default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; img-src data: blob:"`,
    );
    expect(html).not.toMatch(/<script[^>]+src=/);
    expect(html).not.toMatch(/<link[^>]+rel="stylesheet"/);
    expect(readdirSync(join(VERIFIER, '..')).filter((f) => f.endsWith('.js'))).toEqual([]);
  });

  it('verifies the bundle folder with its files, and says since when and by whom', async () => {
    const { page, watch, close } = await open();
    await screenshot(page, 'verifier-1-start');
    await page.getByTestId('bundle-drop-folder').setInputFiles(fixture.bundleDir);
    await verdict(page).waitFor();
    expect(await verdict(page).getAttribute('data-ok')).toBe('true');
    const proven = await page.getByTestId('proven').textContent();
    expect(proven).toMatch(/^Proven to exist no later than .*\d{4}.*UTC, by the witnesses /);
    for (const w of WITNESS_NAMES) expect(proven).toContain(w);
    expect(await page.getByTestId('quorum').textContent()).toBe(
      'Witness quorum met: 2 of 2 witnesses cosigned; 2 needed.',
    );
    const records = page.getByTestId('record');
    expect(await records.count()).toBe(Object.keys(DOCUMENTS).length);
    const statuses = await page
      .getByTestId('record-file')
      .evaluateAll((rows) => rows.map((r) => r.getAttribute('data-status')));
    expect(statuses).toEqual(['match', 'match', 'match']);
    expect(await page.getByText('протокол-собрания-2024-03.txt').count()).toBeGreaterThan(0);
    await screenshot(page, 'verifier-2-verified-en');

    await page.locator('[data-lang=ru]').click();
    await expect.poll(() => page.locator('html').getAttribute('lang')).toBe('ru');
    expect(await verdict(page).locator('h2').textContent()).toContain('Проверено');
    expect(await page.getByTestId('proven').textContent()).toMatch(
      /^Доказано, что существовало не позднее .*\d{4}.*UTC; заверили свидетели /,
    );
    expect(await page.getByTestId('quorum').textContent()).toContain('Кворум свидетелей достигнут');
    await screenshot(page, 'verifier-3-verified-ru');

    await page.locator('[data-lang=ky]').click();
    await expect.poll(() => page.locator('html').getAttribute('lang')).toBe('ky');
    expect(await verdict(page).locator('h2').textContent()).toContain('Тастыкталды');
    expect(await page.getByTestId('proven').textContent()).toMatch(/^Эң кечинде .*\d{4}.*UTC/);
    await screenshot(page, 'verifier-4-verified-ky');

    expect(watch.network).toEqual([]);
    expect(watch.errors).toEqual([]);
    await close();
  });

  it('fails a tampered copy of a disclosed file, and a file the bundle does not disclose', async () => {
    const { page, watch, close } = await open();
    const tampered = join(dir, 'tampered');
    mkdirSync(tampered, { recursive: true });
    const name = 'bank-statement-12.txt';
    const original = readFileSync(join(fixture.docsDir, 'ledgers/2024', name), 'utf8');
    writeFileSync(join(tampered, name), original.replace('48 300', '84 300'));
    writeFileSync(join(tampered, 'unrelated.txt'), 'not sealed\n');
    copyFileSync(join(fixture.bundleDir, 'evidence.json'), join(tampered, 'evidence.json'));
    await page
      .getByTestId('bundle-drop-files')
      .setInputFiles([
        join(tampered, 'evidence.json'),
        join(tampered, name),
        join(tampered, 'unrelated.txt'),
        join(fixture.docsDir, 'minutes.txt'),
      ]);
    await verdict(page).waitFor();
    expect(await verdict(page).getAttribute('data-ok')).toBe('false');
    expect(await verdict(page).locator('h2').textContent()).toContain('Not verified');
    const statuses = await page
      .getByTestId('record-file')
      .evaluateAll((rows) => rows.map((r) => r.getAttribute('data-status')));
    expect(statuses.sort()).toEqual(['match', 'mismatch', 'not-provided']);
    const given = await page.getByTestId('given-file').allTextContents();
    expect(given.find((g) => g.includes(name))).toContain(
      'Altered: does not match the sealed file',
    );
    expect(given.find((g) => g.includes('unrelated.txt'))).toContain(
      'Not disclosed by this bundle',
    );
    expect(given.find((g) => g.includes('minutes.txt'))).toContain('A disclosed file, unchanged');
    await screenshot(page, 'verifier-5-tampered-en');
    await page.locator('[data-lang=ru]').click();
    expect(await verdict(page).locator('h2').textContent()).toContain('Не проверено');
    await screenshot(page, 'verifier-6-tampered-ru');
    expect(watch.network).toEqual([]);
    expect(watch.errors).toEqual([]);
    await close();
  });

  it('verifies the bundle as the ZIP archive it is downloaded as, on a phone-sized screen', async () => {
    const { page, watch, close } = await open({ width: 390, height: 844 });
    const entries: Array<[string, Uint8Array]> = [
      ['evidence.json', readFileSync(join(fixture.bundleDir, 'evidence.json'))],
      ['verifier.html', readFileSync(VERIFIER)],
    ];
    for (const f of readdirSync(join(fixture.bundleDir, 'files'))) {
      entries.push([`files/${f}`, readFileSync(join(fixture.bundleDir, 'files', f))]);
    }
    const zip = join(dir, 'evidence-bundle.zip');
    writeFileSync(zip, writeZip(entries));
    await page.getByTestId('bundle-drop-files').setInputFiles(zip);
    await verdict(page).waitFor();
    expect(await verdict(page).getAttribute('data-ok')).toBe('true');
    expect(await page.getByTestId('record-file').count()).toBe(3);
    const overflow = await page.evaluate(
      () => document.documentElement.scrollWidth - document.documentElement.clientWidth,
    );
    expect(overflow).toBeLessThanOrEqual(0);
    await screenshot(page, 'verifier-7-zip-phone');
    expect(watch.network).toEqual([]);
    expect(watch.errors).toEqual([]);
    await close();
  });

  it('says what to do when no bundle is given, in the chosen language', async () => {
    const { page, close } = await open();
    await page.locator('[data-lang=ky]').click();
    await page.getByTestId('bundle-drop-files').setInputFiles(join(fixture.docsDir, 'minutes.txt'));
    const error = page.getByTestId('check-error');
    await error.waitFor();
    expect(await error.textContent()).toContain('далилдер топтому жок');
    await close();
  });

  it('checks against keys the verifier trusts, and refuses a policy of other witnesses', async () => {
    const { page, close } = await open();
    const bundle = JSON.parse(readFileSync(join(fixture.bundleDir, 'evidence.json'), 'utf8')) as {
      log: { verifierKey: string };
    };
    await page.locator('details.trust-input summary').click();
    await page.getByTestId('trust-log-key').fill(bundle.log.verifierKey);
    await page
      .getByTestId('trust-policy')
      .fill(
        `witness other.example/w ${'ab'.repeat(32)}\nwitness other2.example/w ${'cd'.repeat(32)}\ngroup g 1 other.example/w other2.example/w\nquorum g\n`,
      );
    await page.getByTestId('bundle-drop-folder').setInputFiles(fixture.bundleDir);
    await verdict(page).waitFor();
    expect(await verdict(page).getAttribute('data-ok')).toBe('false');
    expect(await page.getByTestId('quorum').textContent()).toContain('NOT met');
    await close();
  });
});
