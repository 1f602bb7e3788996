/**
 * A CSV column mapping made in the browser, end to end in chromium against the real server on a
 * temp vault: seal the starting chart, choose the KGS sample statement (a title line, `;`, a
 * decimal comma, debit and credit columns, a running balance) for import, build its mapping in
 * the form while the live preview says what does not read yet and then shows the lines as the
 * import will read them, save it, review, seal, and find the entries; then the same form in
 * Russian at phone width, started from the saved mapping. Screenshots go to
 * test/browser/screenshots/.
 */
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { installNodeCrypto } from '../../src/platform/node-crypto.js';
import { removeTemp, tempDir } from '../vault/helpers.js';
import { haveChromium, screenshot } from './chromium.js';
import {
  overflow,
  RAW_KEY,
  SAMPLES,
  setUpVault,
  startWebApp,
  type WebAppInBrowser,
} from './harness.js';

installNodeCrypto();

describe.skipIf(!haveChromium())('a CSV column mapping made in the browser', () => {
  let dir: string;
  let web: WebAppInBrowser;
  let base: string;
  let page: Page;
  let errors: string[];

  beforeAll(async () => {
    dir = tempDir('tamga-browser-books-csv-');
    web = await startWebApp(dir);
    ({ base, page, errors } = web);
  });

  afterAll(async () => {
    await web?.close();
    removeTemp(dir);
  });

  const books = (part: string) =>
    page.getByTestId('books').locator('nav.books-nav').getByRole('link', { name: part });
  const editor = () => page.getByTestId('mapping-editor');
  const column = (role: string) => editor().locator(`select[name=column-${role}]`);

  it('sets up the vault and seals the starting union chart', async () => {
    await page.goto(base);
    await setUpVault(page, 'treasurer');

    await page.getByRole('link', { name: 'Books', exact: true }).click();
    await page.getByTestId('seal-starting-chart').click();
    await page.getByTestId('chart').waitFor();
  });

  it('builds the mapping of a CSV statement, with a live preview of what it reads', async () => {
    await books('Import a statement').click();
    const form = page.getByTestId('import-form');
    // Not offered before a CSV file is chosen.
    expect(await page.getByTestId('mapping-new').count()).toBe(0);
    await page.getByTestId('import-file').setInputFiles(join(SAMPLES, 'statement-kgs.csv'));
    await form.locator('select[name=account]').selectOption('Assets:Bank:KGS');
    await page.getByTestId('mapping-new').click();
    await editor().waitFor();

    // The first guess: UTF-8 and `;`, read from the file in the browser.
    expect(await editor().locator('select[name=encoding]').inputValue()).toBe('utf-8');
    expect(await editor().locator('select[name=delimiter]').inputValue()).toBe(';');
    // With no column chosen the mapping is not complete, and says why.
    const problem = editor().getByTestId('mapping-problem');
    expect(await problem.getAttribute('data-code')).toBe('csv.mapping');
    expect(await problem.textContent()).toContain('The mapping is not complete:');
    expect(await page.getByTestId('mapping-save').isDisabled()).toBe(true);

    // The title line is read as the header until it is skipped.
    expect(await editor().getByTestId('mapping-header').textContent()).toContain(
      'Выписка по счету',
    );
    await editor().locator('input[name=skipLines]').fill('1');
    await expect
      .poll(() => editor().getByTestId('mapping-header').textContent())
      .toContain('Назначение платежа');
    expect(await editor().getByTestId('mapping-row').count()).toBe(3);

    await editor().locator('select[name=decimalSeparator]').selectOption(',');
    await editor().locator('select[name=groupSeparator]').selectOption(' \u00a0');
    // A wrong date format first: the preview names the line that does not read.
    await editor().locator('select[name=dateFormat]').selectOption('YYYY-MM-DD');
    await editor().locator('input[name=amounts][value=split]').check();
    await column('date').selectOption('=Дата');
    await column('valueDate').selectOption('=Дата валютирования');
    await column('debit').selectOption('=Дебет');
    await column('credit').selectOption('=Кредит');
    await column('counterparty').selectOption('=Контрагент');
    await column('purpose').selectOption('=Назначение платежа');
    await column('reference').selectOption('=Номер документа');
    await column('balance').selectOption('=Остаток');
    await editor().locator('input[name=account]').fill('1240020000123456');
    await editor().locator('input[name=currency]').fill('kgs');
    expect(await editor().locator('input[name=currency]').inputValue()).toBe('KGS');
    await expect.poll(() => problem.getAttribute('data-code')).toBe('csv.date');
    expect(await problem.getAttribute('data-line')).toBe('3');
    expect(await problem.textContent()).toContain(
      'The file does not read with this mapping at line 3:',
    );
    expect(await problem.textContent()).toContain('is not a date written YYYY-MM-DD');
    await screenshot(page, 'books-csv-01-mapping-problem');

    await editor().locator('select[name=dateFormat]').selectOption('DD.MM.YYYY');
    await problem.waitFor({ state: 'detached' });
    const lines = editor().getByTestId('mapping-preview-line');
    expect(await lines.count()).toBe(3);
    expect(await editor().getByTestId('mapping-preview-count').textContent()).toBe(
      'The mapping reads 3 lines that move money.',
    );
    const second = editor().locator('[data-testid=mapping-preview-line][data-line="4"]');
    expect(await second.textContent()).toContain('2024-05-03');
    expect(await second.textContent()).toContain('\u221212,000.50');
    // The purpose spans two lines of the file, read as one.
    expect(await second.textContent()).toContain('Жардам: Асанов Т. (арыз № 5)');
    expect(await second.textContent()).toContain('PP-88');
    const balances = await editor().getByTestId('mapping-preview-balances').textContent();
    expect(balances).toContain('100,000.00');
    expect(balances).toContain('136,049.50');
    // The columns chosen are marked above the rows.
    expect(await editor().locator('table.mapping-rows thead [data-role=debit]').textContent()).toBe(
      'Debit (money out)',
    );
    expect(await page.getByTestId('mapping-save').isDisabled()).toBe(true);
    await editor().locator('input[name=mappingName]').fill('Demir Bank');
    expect(await page.getByTestId('mapping-save').isDisabled()).toBe(false);
    await screenshot(page, 'books-csv-02-mapping-preview');
  });

  it('saves the mapping, reviews the statement read with it, and seals it', async () => {
    await page.getByTestId('mapping-save').click();
    await page.getByTestId('import-review').waitFor({ timeout: 60_000 });
    expect(await page.getByTestId('import-line').count()).toBe(3);
    expect(await page.getByTestId('import-line-count').textContent()).toBe('3');
    expect(
      await page
        .getByTestId('import-check')
        .evaluateAll((rows) => rows.map((r) => r.getAttribute('data-ok'))),
    ).toEqual(['true', 'true']);
    await screenshot(page, 'books-csv-03-review');
    await page.getByTestId('import-seal').click();
    await page.getByTestId('import-done').waitFor({ timeout: 60_000 });
    // The statement, the opening balance, three lines and two statement balances.
    expect(await page.getByTestId('import-done').textContent()).toBe(
      'Sealed statement-kgs.csv: 3 entries, 7 records in all.',
    );

    await books('Transactions').click();
    await expect.poll(() => page.getByTestId('entry-row').count()).toBe(4);
    const text = await page.getByTestId('entry-row').allTextContents();
    expect(text.join('\n')).toContain('Комиссия');
    expect(text.join('\n')).toContain('Мүчөлүк төгүмдөр, апрель 2024');

    // The mapping is saved: the import screen offers it by name.
    await books('Import a statement').click();
    const mappings = page.getByTestId('import-form').locator('select[name=mapping] option');
    await expect.poll(() => mappings.allTextContents()).toContain('Demir Bank');
  });

  it('starts a mapping from the saved one, in Russian at phone width', async () => {
    await page.setViewportSize({ width: 390, height: 844 });
    await page.locator('[data-lang=ru]').click();
    await page.goto(`${base}/books/import`);
    await page.getByTestId('import-form').waitFor();
    await page.getByTestId('import-file').setInputFiles(join(SAMPLES, 'statement-kgs.csv'));
    await page.getByTestId('mapping-new').click();
    await editor().waitFor();
    await editor().locator('select[name=base]').selectOption('Demir Bank');
    await expect.poll(() => editor().getByTestId('mapping-preview-line').count()).toBe(3);
    expect(await editor().locator('input[name=mappingName]').inputValue()).toBe('Demir Bank');
    expect(await editor().getByTestId('mapping-replaces').textContent()).toContain(
      'Сопоставление с названием Demir Bank уже сохранено.',
    );
    expect(await editor().getByTestId('mapping-preview-count').textContent()).toBe(
      'По этому сопоставлению читаются 3 строки движения денег.',
    );
    expect(await page.locator('html').getAttribute('lang')).toBe('ru');
    const text = await page.locator('main').textContent();
    expect(text).not.toMatch(RAW_KEY);
    const over = await overflow(page);
    expect(over.by, `wider than a phone: ${over.wide}`).toBeLessThanOrEqual(0);
    await screenshot(page, 'books-csv-04-ru-phone-mapping');
    await page.getByTestId('mapping-cancel').click();
    await editor().waitFor({ state: 'detached' });
    expect(errors).toEqual([]);
  });
});
