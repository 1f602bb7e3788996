/**
 * The offline verifier (web/dist/verifier.html) in chromium, opened from a file:// URL with
 * every network request aborted: a real bundle made by `tamga evidence --with-files` verifies
 * against the union's trust statement, from its folder, from chosen files and from its ZIP; a
 * tampered copy of a disclosed file and a file the bundle does not disclose fail; forgeries (a
 * fresh key under the union's origin with invented witnesses, a backdating cosignature by an
 * invented witness) are never shown as verified nor dated by the forger; the statement is
 * remembered and forgotten; the page speaks Russian and Kyrgyz, fits a phone, and never tries
 * the network.
 */
import { createHash } from 'node:crypto';
import { copyFileSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { trustFingerprint } from '../../src/evidence/index.js';
import { parseTrustStatement } from '../../src/evidence/trust.js';
import { removeTemp, tempDir } from '../vault/helpers.js';
import { type BundleFixture, DOCUMENTS, makeBundle, WITNESS_NAMES } from './bundle-fixture.js';
import {
  haveChromium,
  launchChromium,
  offlineContext,
  type PageWatch,
  screenshot,
} from './chromium.js';
import { backdate, forgeUnderOrigin } from './forgery.js';
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
  /**
   * Everything the page shows, as text, with every <details> opened: what a person can read
   * (innerText, not textContent, which would include the inlined script's catalogs).
   */
  const pageText = (page: Page) =>
    page.evaluate(() => {
      for (const d of Array.from(document.querySelectorAll('details'))) d.open = true;
      // biome-ignore lint/performance/useDomNodeTextContent: the rendered text is what is read.
      return document.body.innerText;
    });
  /** Pastes the union's trust statement, as a person who got it from the union does. */
  const paste = async (page: Page) => {
    await page.getByTestId('trust-statement').fill(fixture.statement);
    await page.getByTestId('statement-summary').waitFor();
  };
  const realFingerprint = () => trustFingerprint(parseTrustStatement(fixture.statement));

  it('is one self-contained file with a strict Content-Security-Policy', () => {
    const html = readFileSync(VERIFIER, 'utf8');
    expect(html).toContain(
      `content="default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; img-src data: blob:"`,
    );
    expect(html).not.toMatch(/<script[^>]+src=/);
    expect(html).not.toMatch(/<link[^>]+rel="stylesheet"/);
    expect(readdirSync(join(VERIFIER, '..')).filter((f) => f.endsWith('.js'))).toEqual([]);
  });

  it('verifies the bundle folder with its files against the statement, and says since when and by whom', async () => {
    const { page, watch, close } = await open();
    await screenshot(page, 'verifier-1-start');
    await paste(page);
    expect(await page.getByTestId('statement-summary').textContent()).toContain(realFingerprint());
    await page.getByTestId('bundle-drop-folder').setInputFiles(fixture.bundleDir);
    await verdict(page).waitFor();
    expect(await verdict(page).getAttribute('data-ok')).toBe('true');
    expect(await verdict(page).getAttribute('data-status')).toBe('verified');
    expect(await verdict(page).locator('h2').textContent()).toContain('Verified');
    expect(await page.getByTestId('trusted-fingerprint').textContent()).toContain(
      realFingerprint(),
    );
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
    await paste(page);
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
    // The words of tamga check-evidence, from the shared rule (src/evidence/given-files.ts).
    const sha = (text: string) => createHash('sha256').update(text).digest('hex');
    expect(given.find((g) => g.includes(name))).toContain(
      `Altered: does not match the sealed file ${name}. It should have SHA-256 ${sha(original)}; it has SHA-256 ${sha(original.replace('48 300', '84 300'))}.`,
    );
    expect(given.find((g) => g.includes('unrelated.txt'))).toContain(
      'Not disclosed by this bundle: nothing is proven about this file.',
    );
    expect(given.find((g) => g.includes('minutes.txt'))).toContain(
      'A disclosed file, unchanged: the file minutes.txt of a record',
    );
    // One verdict: the summary under the title says NOT VERIFIED too, never VERIFIED.
    expect(await page.getByTestId('summary').textContent()).toMatch(
      /^NOT VERIFIED: 1 problem\(s\) found in the bundle, and 2 of the files given/,
    );
    await screenshot(page, 'verifier-5-tampered-en');
    await page.locator('[data-lang=ru]').click();
    expect(await verdict(page).locator('h2').textContent()).toContain('Не проверено');
    await screenshot(page, 'verifier-6-tampered-ru');
    expect(watch.network).toEqual([]);
    expect(watch.errors).toEqual([]);
    await close();
  });

  it('says one verdict, then the details, when an altered copy comes with the good one', async () => {
    const { page, watch, close } = await open();
    const name = 'minutes.txt';
    const altered = join(dir, 'altered-copy');
    mkdirSync(altered, { recursive: true });
    writeFileSync(join(altered, name), 'Minutes of the board, 6 March 2025.\n');
    for (const trusted of [true, false]) {
      await page.reload();
      if (trusted) await paste(page);
      await page.getByTestId('bundle-drop-folder').setInputFiles(fixture.bundleDir);
      await verdict(page).waitFor();
      // The folder alone: the bundle's own verdict.
      expect(await verdict(page).getAttribute('data-status')).toBe(
        trusted ? 'verified' : 'unconfirmed',
      );
      await page.reload();
      if (trusted) await paste(page);
      await page
        .getByTestId('bundle-drop-files')
        .setInputFiles([
          join(fixture.bundleDir, 'evidence.json'),
          ...readdirSync(join(fixture.bundleDir, 'files')).map((f) =>
            join(fixture.bundleDir, 'files', f),
          ),
          join(altered, name),
        ]);
      await verdict(page).waitFor();
      expect(await verdict(page).getAttribute('data-status')).toBe('failed');
      const banner = verdict(page).locator('section.banner');
      expect(await banner.locator('h2').textContent()).toContain('Not verified');
      const summary = (await page.getByTestId('summary').textContent()) ?? '';
      expect(summary).toBe(
        "NOT VERIFIED: 1 of the files given are not disclosed files, unchanged (each is listed below); the bundle's own checks held.",
      );
      // Nothing in the banner says otherwise.
      const said = ((await banner.textContent()) ?? '').replace(/NOT VERIFIED/g, '');
      expect(said).not.toMatch(/VERIFIED|UNCONFIRMED|Unconfirmed|Verified/);
      expect(await page.getByTestId('given-message').allTextContents()).toContainEqual(
        expect.stringContaining(`Altered: does not match the sealed file ${name}.`),
      );
      await page.locator('[data-lang=ru]').click();
      expect(await page.getByTestId('summary').textContent()).toMatch(/^НЕ ПРОВЕРЕНО: /);
      await page.locator('[data-lang=en]').click();
    }
    await screenshot(page, 'verifier-5b-altered-copy');
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
    // A statement handed over together with the evidence is refused: its maker could forge both.
    await page.getByTestId('bundle-drop-files').setInputFiles([zip, fixture.trustFile]);
    await page.getByText(/came together with the evidence/).waitFor();
    expect(await verdict(page).count()).toBe(0);
    // The statement's file on its own is taken as the statement; then the ZIP is checked.
    await page.getByTestId('bundle-drop-files').setInputFiles([fixture.trustFile]);
    await page.getByTestId('statement-summary').waitFor();
    await page.getByTestId('bundle-drop-files').setInputFiles([zip]);
    await verdict(page).waitFor();
    expect(await verdict(page).getAttribute('data-ok')).toBe('true');
    expect(await page.getByTestId('statement-summary').textContent()).toContain('trust.txt');
    expect(await page.getByTestId('trusted-fingerprint').textContent()).toContain(
      realFingerprint(),
    );
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
    await page.locator('details.advanced summary').click();
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

  it('shows a forgery under the real origin as unconfirmed, undated, with its fingerprint; and fails it against the statement', async () => {
    const forged = forgeUnderOrigin(fixture.bundleDir, join(dir, 'forged'), WITNESS_NAMES);
    expect(forged.fingerprint).not.toBe(realFingerprint());
    const { page, watch, close } = await open();
    await page.getByTestId('bundle-drop-folder').setInputFiles(forged.dir);
    await verdict(page).waitFor();
    // The old page said "Verified" here, "proven to exist no later than" 2015.
    expect(await verdict(page).getAttribute('data-status')).toBe('unconfirmed');
    expect(await verdict(page).getAttribute('data-ok')).toBe('false');
    expect(await verdict(page).locator('h2').textContent()).toContain('Unconfirmed');
    let text = await pageText(page);
    expect(text).not.toMatch(/verified/i);
    expect(text).not.toMatch(/\b2015\b/);
    expect(await page.getByTestId('proven').count()).toBe(0);
    expect(await page.getByTestId('bundle-fingerprint').textContent()).toBe(forged.fingerprint);
    expect(text).toContain('Compare these six groups of digits');
    // The files match the forgery, and are not said to be verified.
    expect(await page.getByTestId('record').first().getAttribute('data-status')).toBe(
      'unconfirmed',
    );
    await screenshot(page, 'verifier-8-forged-unconfirmed');

    await paste(page);
    await page.getByTestId('check-again').click();
    await expect.poll(() => verdict(page).getAttribute('data-status')).toBe('failed');
    expect(await verdict(page).locator('h2').textContent()).toContain('Not verified');
    text = await pageText(page);
    expect(text).not.toMatch(/\b2015\b/);
    expect(await page.getByTestId('proven').count()).toBe(0);
    expect(await page.getByTestId('trusted-fingerprint').textContent()).toContain(
      realFingerprint(),
    );
    expect(await page.getByTestId('fingerprint-differs').textContent()).toContain(
      forged.fingerprint,
    );
    await screenshot(page, 'verifier-9-forged-failed');
    expect(watch.network).toEqual([]);
    expect(watch.errors).toEqual([]);
    await close();
  });

  it('dates a real bundle by the real witnesses only, and lists a backdating invented witness', async () => {
    const name = WITNESS_NAMES[0];
    const forged = backdate(fixture.bundleDir, join(dir, 'backdated'), name);
    const { page, watch, close } = await open();
    await paste(page);
    await page.getByTestId('bundle-drop-folder').setInputFiles(forged.dir);
    await verdict(page).waitFor();
    expect(await verdict(page).getAttribute('data-status')).toBe('verified');
    const proven = await page.getByTestId('proven').textContent();
    expect(proven).toMatch(/^Proven to exist no later than .*\d{4}.*UTC, by the witnesses /);
    for (const w of WITNESS_NAMES) expect(proven).toContain(w);
    const unknown = await page.getByTestId('unknown-witnesses').textContent();
    expect(unknown).toContain(
      `Unknown witness ${name} (key ID ${forged.invented[0]!.keyId}), ignored`,
    );
    // The old page took the bundle's rewritten policy, and dated the records 2015.
    expect(await pageText(page)).not.toMatch(/\b2015\b/);
    await screenshot(page, 'verifier-10-backdated');

    // Without the statement, it is the bundle's own policy: unconfirmed, and still undated.
    await page.getByTestId('trust-statement').fill('');
    await page.getByTestId('check-again').click();
    await expect.poll(() => verdict(page).getAttribute('data-status')).toBe('unconfirmed');
    const text = await pageText(page);
    expect(text).not.toMatch(/\b2015\b/);
    expect(text).not.toMatch(/verified/i);
    expect(watch.network).toEqual([]);
    expect(watch.errors).toEqual([]);
    await close();
  });

  it('remembers one statement across a reload, and forgets it on request', async () => {
    const { page, watch, close } = await open();
    await paste(page);
    await page.getByTestId('trust-remember').click();
    const remembered = page.getByTestId('trust-remembered');
    expect(await remembered.textContent()).toContain(realFingerprint());
    await page.reload();
    await page.getByRole('heading', { level: 1 }).waitFor();
    expect(await remembered.textContent()).toContain(realFingerprint());
    expect(await page.getByTestId('trust-statement').inputValue()).toBe(fixture.statement.trim());
    await page.getByTestId('bundle-drop-folder').setInputFiles(fixture.bundleDir);
    await verdict(page).waitFor();
    expect(await verdict(page).getAttribute('data-status')).toBe('verified');
    expect(await page.getByTestId('proven').textContent()).toMatch(/\d{4}.*UTC/);
    await screenshot(page, 'verifier-11-remembered');

    await page.getByTestId('trust-forget').click();
    expect(await remembered.count()).toBe(0);
    await page.reload();
    await page.getByRole('heading', { level: 1 }).waitFor();
    expect(await page.getByTestId('trust-statement').inputValue()).toBe('');
    expect(await remembered.count()).toBe(0);
    await page.getByTestId('bundle-drop-folder').setInputFiles(fixture.bundleDir);
    await verdict(page).waitFor();
    expect(await verdict(page).getAttribute('data-status')).toBe('unconfirmed');
    expect(watch.network).toEqual([]);
    expect(watch.errors).toEqual([]);
    await close();
  });

  it('refuses a statement given together with a log key, in the chosen language', async () => {
    const { page, close } = await open();
    await paste(page);
    await page.locator('details.advanced summary').click();
    const bundle = JSON.parse(readFileSync(join(fixture.bundleDir, 'evidence.json'), 'utf8')) as {
      log: { verifierKey: string };
    };
    await page.getByTestId('trust-log-key').fill(bundle.log.verifierKey);
    expect(await page.getByTestId('trust-ambiguous').textContent()).toContain('not both');
    await page.locator('[data-lang=ru]').click();
    await page.getByTestId('bundle-drop-folder').setInputFiles(fixture.bundleDir);
    const error = page.getByTestId('check-error');
    await error.waitFor();
    expect(await error.textContent()).toContain('но не то и другое');
    await close();
  });

  it('says unconfirmed in Russian and in Kyrgyz, on a phone-sized screen', async () => {
    const forged = forgeUnderOrigin(fixture.bundleDir, join(dir, 'forged-lang'), WITNESS_NAMES);
    const { page, watch, close } = await open({ width: 390, height: 844 });
    await page.locator('[data-lang=ru]').click();
    await page.getByTestId('bundle-drop-folder').setInputFiles(forged.dir);
    await verdict(page).waitFor();
    expect(await verdict(page).getAttribute('data-status')).toBe('unconfirmed');
    expect(await verdict(page).locator('h2').textContent()).toContain('Не подтверждено');
    expect(await page.getByTestId('summary').textContent()).toContain('НЕ ПОДТВЕРЖДЕНО');
    expect(await pageText(page)).not.toMatch(/\b2015\b|Проверено/);
    expect(await page.getByTestId('bundle-fingerprint').textContent()).toBe(forged.fingerprint);
    const overflow = await page.evaluate(
      () => document.documentElement.scrollWidth - document.documentElement.clientWidth,
    );
    expect(overflow).toBeLessThanOrEqual(0);
    await screenshot(page, 'verifier-12-unconfirmed-ru-phone');

    await page.locator('[data-lang=ky]').click();
    await expect.poll(() => page.locator('html').getAttribute('lang')).toBe('ky');
    expect(await verdict(page).locator('h2').textContent()).toContain('Ырасталган жок');
    expect(await page.getByTestId('summary').textContent()).toContain('ЫРАСТАЛГАН ЖОК');
    expect(await pageText(page)).not.toMatch(/\b2015\b|Тастыкталды/);
    await screenshot(page, 'verifier-13-unconfirmed-ky-phone');
    expect(watch.network).toEqual([]);
    expect(watch.errors).toEqual([]);
    await close();
  });
});
