/**
 * The books screens end to end in chromium, against the real server (src/server/app) on a temp
 * vault: seal the starting chart and two accounts in roubles, add an entry (refused while it
 * does not balance, sealed once it does), find it in the list and the trial balance, correct it
 * and still see the original, import a 1C Client-Bank statement with review (one line's account
 * changed), see the reports, register property, compare a presented hledger journal (missing,
 * added and altered entries with their proofs) and download its evidence ZIP; void an entry,
 * transfer property on a sealed agreement (refused on one that is not sealed) and dispose of
 * it, see the server refuse an entry whose account was closed meanwhile, read dates in each
 * language, and see what a viewer and an auditor may do; then every books screen in Russian and
 * Kyrgyz and at phone width, with no raw i18n key on any of them.
 * Screenshots go to test/browser/screenshots/.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readZip } from '../../src/evidence/zip.js';
import { installNodeCrypto } from '../../src/platform/node-crypto.js';
import {
  type ApiError,
  CSRF_HEADER,
  type DashboardResponse,
  type RecordListResponse,
  ROUTES,
} from '../../src/server/app/api.js';
import type {
  BooksEntryListResponse,
  BooksSealedResponse,
} from '../../src/server/app/api-books.js';
import { removeTemp, tempDir } from '../vault/helpers.js';
import { haveChromium, screenshot, watchErrors } from './chromium.js';
import {
  overflow,
  PASSWORD,
  RAW_KEY,
  SAMPLES,
  setUpVault,
  startWebApp,
  type WebAppInBrowser,
} from './harness.js';

installNodeCrypto();

describe.skipIf(!haveChromium())('the books in a browser', () => {
  let dir: string;
  let web: WebAppInBrowser;
  let base: string;
  let browser: Browser;
  let page: Page;
  let errors: string[];
  let entryId = '';

  beforeAll(async () => {
    dir = tempDir('tamga-browser-books-');
    web = await startWebApp(dir, { acceptDownloads: true });
    ({ base, browser, page, errors } = web);
  });

  afterAll(async () => {
    await web?.close();
    removeTemp(dir);
  });

  const books = (part: string) =>
    page.getByTestId('books').locator('nav.books-nav').getByRole('link', { name: part });
  const row = (n: number) => page.getByTestId('posting-row').nth(n);

  /** Calls the API from `p` as its signed-in user, with the session's CSRF token. */
  const call = <T>(
    p: Page,
    method: 'GET' | 'POST',
    path: string,
    body?: unknown,
  ): Promise<{ status: number; body: T }> =>
    p.evaluate(
      async (a) => {
        const state = (await (await fetch('/api/state')).json()) as { csrfToken: string | null };
        const r = await fetch(a.path, {
          method: a.method,
          headers: { 'content-type': 'application/json', [a.header]: state.csrfToken ?? '' },
          ...(a.body === undefined ? {} : { body: JSON.stringify(a.body) }),
        });
        return { status: r.status, body: (await r.json()) as T };
      },
      { method, path, body, header: CSRF_HEADER },
    );
  /** How many records the log holds, less the activity log's own (sealed on a timer). */
  const logged = async (p: Page = page) => {
    const { records, kinds } = (await call<DashboardResponse>(p, 'GET', ROUTES.dashboard)).body;
    return records - (kinds.activity ?? 0);
  };
  /** Forgets the browser's log line of a refusal the test asked for (a failed load). */
  const forgetRefusal = async (status: number, log: string[] = errors) => {
    const line = `the server responded with a status of ${status}`;
    await expect.poll(() => log.some((e) => e.includes(line))).toBe(true);
    log.splice(
      log.findIndex((e) => e.includes(line)),
      1,
    );
  };
  /** The trial balance's row of `account` (debit, credit, closing), or null when it has none. */
  const trialBalance = async (account: string) => {
    await page.goto(`${base}/books/reports?kind=trial-balance`);
    await page.getByTestId('report-table').waitFor();
    const rows = await page
      .getByTestId('report-row')
      .evaluateAll((trs) =>
        trs.map((tr) => Array.from(tr.querySelectorAll('td'), (td) => td.textContent ?? '')),
      );
    const cells = rows.find((r) => r[0] === account);
    return cells === undefined ? null : { debit: cells[5], credit: cells[6], closing: cells[7] };
  };

  /** Compares the presented hledger journal for March with the RUB bank account, on `p`. */
  const compareLedger = async (p: Page) => {
    const form = p.getByTestId('diff-form');
    await p.getByTestId('diff-file').setInputFiles(join(SAMPLES, 'presented-ledger.journal'));
    await form.locator('select[name=format]').selectOption('hledger');
    await form.locator('select[name=account]').selectOption('Assets:Bank:RUB');
    await form.locator('input[name=from]').fill('2024-03-01');
    await form.locator('input[name=to]').fill('2024-03-31');
    await p.getByTestId('diff-run').click();
  };

  it('sets up the vault and seals the starting union chart', async () => {
    await page.goto(base);
    await setUpVault(page, 'treasurer');

    await page.getByRole('link', { name: 'Books', exact: true }).click();
    await page.getByTestId('chart-empty').waitFor();
    await screenshot(page, 'books-01-chart-empty');
    await page.getByTestId('seal-starting-chart').click();
    await page.getByTestId('chart').waitFor();
    expect(await page.getByTestId('books-notice').textContent()).toMatch(
      /^Sealed: \d+ accounts added to the chart\.$/,
    );
    expect(await page.getByTestId('chart-row').count()).toBeGreaterThan(40);
    const bank = page.locator('[data-testid=chart-row][data-path="Assets:Bank:KGS"]');
    expect(await bank.textContent()).toContain('Current account (KGS)');
    expect(await bank.locator('td').first().getAttribute('class')).toContain('depth-2');
    await screenshot(page, 'books-02-chart');
  });

  it('adds accounts in roubles, each change sealed', async () => {
    const add = async (path: string, type: string, names?: [string, string, string]) => {
      await page.getByTestId('account-add').click();
      const form = page.getByTestId('account-form');
      await form.locator('input[name=path]').fill(path);
      await form.locator('select[name=type]').selectOption(type);
      await form.locator('input[name=currency]').fill('RUB');
      if (names !== undefined) {
        await form.locator('input[name=name-en]').fill(names[0]);
        await form.locator('input[name=name-ru]').fill(names[1]);
        await form.locator('input[name=name-ky]').fill(names[2]);
      }
      await form.getByTestId('account-seal').click();
      await page.locator(`[data-testid=chart-row][data-path="${path}"]`).waitFor();
      expect(await page.getByTestId('books-notice').textContent()).toBe(
        `Sealed: the account ${path} is in the chart.`,
      );
    };
    await add('Assets:Bank:RUB', 'assets', [
      'Current account (RUB)',
      'Расчётный счёт (рубли)',
      'Эсептешүү эсеби (рубль)',
    ]);
    await add('Income:Membership dues:RUB', 'income');
    // Two names of three are refused before they reach the server (the contract wants all three).
    await page.getByTestId('account-add').click();
    const form = page.getByTestId('account-form');
    await form.locator('input[name=name-en]').fill('Only English');
    await form.getByTestId('names-partial').waitFor();
    expect(await form.getByTestId('account-seal').isDisabled()).toBe(true);
    await form.getByRole('button', { name: 'Cancel' }).click();
  });

  it('seals an entry only once it balances', async () => {
    await books('New entry').click();
    const form = page.getByTestId('entry-form');
    await form.waitFor();
    await form.locator('input[name=date]').fill('2024-02-15');
    await form.locator('input[name=description]').fill('Membership dues for January');
    await form.locator('input[name=counterparty]').fill('School No. 5');
    await row(0).locator('select[name=account]').selectOption('Assets:Bank:KGS');
    await row(0).locator('input[name=debit]').fill('12500');
    await row(1).locator('select[name=account]').selectOption('Income:Membership dues');
    await row(1).locator('input[name=credit]').fill('10 000');
    const check = page.getByTestId('balance-check');
    expect(await check.getAttribute('data-balanced')).toBe('false');
    expect(await check.textContent()).toContain('off by 2,500.00 KGS');
    expect(await page.getByTestId('balance-verdict').textContent()).toMatch(/^Not balanced/);
    expect(await page.getByTestId('entry-submit').isDisabled()).toBe(true);
    await screenshot(page, 'books-03-entry-unbalanced');

    await row(1).locator('input[name=credit]').fill('12 500,00');
    expect(await check.getAttribute('data-balanced')).toBe('true');
    expect(await page.getByTestId('balance-verdict').textContent()).toMatch(/^Balanced/);
    await screenshot(page, 'books-04-entry-balanced');
    await page.getByTestId('entry-submit').click();
    await page.getByTestId('entry-sealed').waitFor();
    expect(await page.getByTestId('entry-sealed').textContent()).toContain('Sealed as 1 record.');
    const href = await page.getByTestId('entry-sealed-link').getAttribute('href');
    entryId = decodeURIComponent(href!.replace('/books/entries/', ''));
    expect(entryId).toMatch(/^[0-9A-Z]{26}$/);
  });

  it('lists the entry and counts it in the trial balance', async () => {
    await books('Transactions').click();
    await page.getByTestId('entry-row').first().waitFor();
    expect(await page.getByTestId('entry-row').count()).toBe(1);
    expect(await page.getByTestId('entry-row').textContent()).toContain(
      'Membership dues for January',
    );
    await screenshot(page, 'books-05-entries');

    await books('Reports').click();
    await page.getByTestId('report-table').waitFor();
    const headers = await page.getByTestId('report-table').locator('thead th').allTextContents();
    expect(headers).toEqual([
      'Account',
      'Name',
      'Type',
      'Currency',
      'Opening balance',
      'Debit',
      'Credit',
      'Closing balance',
      'Records',
    ]);
    const bank = page.getByTestId('report-row').filter({ hasText: 'Assets:Bank:KGS' });
    expect(await bank.textContent()).toContain('12,500.00');
    expect(await bank.getByTestId('record-link').first().textContent()).toBe(entryId);
    const total = page.locator('tr.total').first();
    expect(await total.textContent()).toContain('Total');
  });

  it('corrects the entry, and the original stays visible', async () => {
    await books('Transactions').click();
    await page.getByTestId('entry-row').getByRole('link').first().click();
    await page.getByTestId('books-entry').waitFor();
    expect(await page.getByTestId('entry-status').first().getAttribute('data-status')).toBe(
      'original',
    );
    await page.getByTestId('entry-correct').click();
    const form = page.getByTestId('entry-correction');
    expect(await form.locator('input[name=description]').inputValue()).toBe(
      'Membership dues for January',
    );
    expect(await row(0).locator('input[name=debit]').inputValue()).toBe('12500.00');
    await row(0).locator('input[name=debit]').fill('15000');
    expect(await form.getByTestId('entry-submit').isDisabled()).toBe(true);
    await row(1).locator('input[name=credit]').fill('15000');
    // Balanced, but a correction needs its reason.
    expect(await form.getByTestId('entry-submit').isDisabled()).toBe(true);
    await form.locator('textarea[name=reason]').fill('The list had 150 members, not 125.');
    await form.getByTestId('entry-submit').click();
    await page.getByTestId('books-notice').waitFor();
    await expect
      .poll(() => page.getByTestId('entry-status').first().getAttribute('data-status'))
      .toBe('corrected');
    const versions = page.getByTestId('entry-version');
    expect(await versions.count()).toBe(2);
    expect(await versions.nth(0).getAttribute('data-kind')).toBe('transaction');
    expect(await versions.nth(0).textContent()).toContain('12,500.00');
    expect(await versions.nth(1).getAttribute('data-kind')).toBe('correction');
    expect(await versions.nth(1).textContent()).toContain('15,000.00');
    expect(await versions.nth(1).getByTestId('version-reason').textContent()).toContain(
      'The list had 150 members, not 125.',
    );
    expect(await page.getByTestId('entry-current').textContent()).toContain('15,000.00');
    await screenshot(page, 'books-06-entry-corrected');
  });

  it('imports a 1C statement after review, with one line sent elsewhere', async () => {
    await books('Import a statement').click();
    const form = page.getByTestId('import-form');
    await page.getByTestId('import-file').setInputFiles(join(SAMPLES, '1c-windows-1251.txt'));
    await form.locator('select[name=account]').selectOption('Assets:Bank:RUB');
    await page.getByTestId('import-preview').click();
    await page.getByTestId('import-review').waitFor();
    const lines = page.getByTestId('import-line');
    expect(await lines.count()).toBe(4);
    expect(await page.getByTestId('import-line-count').textContent()).toBe('4');
    expect(await page.getByTestId('import-check').count()).toBeGreaterThan(0);
    await screenshot(page, 'books-07-import-review');

    // The dues of 5 March (line 22) go to the roubles dues account instead of suspense.
    const dues = page.locator('[data-testid=import-line][data-line="22"]');
    expect(await dues.getAttribute('data-suspense')).toBe('true');
    await dues.getByTestId('import-line-account').selectOption('Income:Membership dues:RUB');
    expect(await dues.getAttribute('data-suspense')).toBe('false');
    expect(await dues.textContent()).toContain('changed by you');
    await page.getByTestId('import-seal').click();
    await page.getByTestId('import-done').waitFor({ timeout: 60_000 });
    expect(await page.getByTestId('import-done').textContent()).toMatch(
      /^Sealed 1c-windows-1251\.txt: 4 entries, \d+ records in all\.$/,
    );
    await screenshot(page, 'books-08-import-done');

    // The four lines, the opening balance of the new bank account, and the entry of February.
    await books('Transactions').click();
    await expect.poll(() => page.getByTestId('entry-row').count()).toBe(6);
  });

  it('suggests, as the counterparty is typed, the account chosen for it before', async () => {
    await books('New entry').click();
    await row(0).locator('select[name=account]').selectOption('Assets:Bank:RUB');
    await row(0).locator('input[name=debit]').fill('1000');
    await page.locator('input[name=counterparty]').fill('ООО "Завод «Металлист»"');
    const chip = page.locator(
      '[data-testid=suggestion][data-account="Income:Membership dues:RUB"]',
    );
    await chip.waitFor();
    await screenshot(page, 'books-08b-entry-suggestion');
    await chip.click();
    expect(await row(1).locator('select[name=account]').inputValue()).toBe(
      'Income:Membership dues:RUB',
    );
    expect(await row(1).locator('select[name=currency]').inputValue()).toBe('RUB');
    await row(1).getByTestId('fill-balance').click();
    expect(await row(1).locator('input[name=credit]').inputValue()).toBe('1000.00');
    expect(await page.getByTestId('balance-check').getAttribute('data-balanced')).toBe('true');
  });

  it('shows the reports, each figure linked to its records, and their CSV', async () => {
    await page.goto(`${base}/books/reports?kind=income-statement`);
    await page.getByTestId('report-table').waitFor();
    const dues = page.getByTestId('report-row').filter({ hasText: 'Income:Membership dues:RUB' });
    expect(await dues.textContent()).toContain('62,500.50');
    await screenshot(page, 'books-09-income-statement');

    await page.locator('[data-kind=register]').click();
    await page
      .getByTestId('report-filters')
      .locator('select[name=account]')
      .selectOption('Assets:Bank:RUB');
    await page.getByTestId('report-show').click();
    await page.locator('[data-testid=report][data-kind=register]').waitFor();
    expect(await page.getByTestId('report-row').count()).toBeGreaterThanOrEqual(5);
    await screenshot(page, 'books-10-register');
    const csvUrl = await page.getByTestId('report-csv').getAttribute('href');
    expect(csvUrl).toContain('format=csv');
    const csv = await page.evaluate((u) => fetch(u!).then((r) => r.text()), csvUrl);
    expect(csv).toContain('Assets:Bank:RUB');

    await page.locator('[data-kind=trial-balance]').click();
    await page.getByTestId('report-table').waitFor();
    expect(
      await page.getByTestId('report-row').filter({ hasText: 'Assets:Bank:KGS' }).textContent(),
    ).toContain('15,000.00');
  });

  it('registers property and seals its valuation', async () => {
    await books('Property register').click();
    await page.getByTestId('property-add').click();
    const form = page.getByTestId('property-form');
    await form.locator('input[name=name]').fill('Sanatorium «Ысык-Көл»');
    await form.locator('select[name=category]').selectOption('sanatorium');
    await form.locator('input[name=location]').fill('Cholpon-Ata');
    await form.getByTestId('property-seal').click();
    const item = page.getByTestId('property-item');
    await item.waitFor();
    expect(await item.textContent()).toContain('Sanatorium «Ысык-Көл»');
    await item.getByTestId('property-event').click();
    const event = page.getByTestId('property-event-form');
    await event.locator('input[name=valuation]').fill('25 000 000');
    await event.locator('input[name=basis]').fill('Independent valuation, 2024');
    await event.locator('button[type=submit]').click();
    await expect
      .poll(() => item.getByTestId('property-valuation').textContent())
      .toContain('25,000,000.00');
    await screenshot(page, 'books-11-property');
  });

  it('compares a presented journal with the sealed books, and downloads the evidence', async () => {
    await books('Compare a ledger').click();
    await compareLedger(page);
    const summary = page.getByTestId('diff-summary');
    await summary.waitFor({ timeout: 60_000 });
    expect(await summary.textContent()).toBe('Differences: 1 missing, 1 added, 1 altered.');
    const altered = page.locator('[data-testid=diff-difference][data-kind=altered]');
    expect(await altered.locator('tr.mismatch').getAttribute('data-field')).toBe('amount');
    // The sealed side in the currency's decimals; the presented side as the file writes it.
    expect(await altered.textContent()).toContain('62,500.50 RUB');
    expect(await altered.textContent()).toContain('52,500.5');
    expect(await altered.getByTestId('diff-proof').textContent()).toMatch(
      /in the log as entry \d+/,
    );
    const missing = page.locator('[data-testid=diff-difference][data-kind=missing]');
    expect(await missing.getByTestId('diff-record').textContent()).toMatch(/^[0-9A-Z]{26}$/);
    const added = page.locator('[data-testid=diff-difference][data-kind=added]');
    expect(await added.textContent()).toContain('Председатель');
    await screenshot(page, 'books-12-diff');

    const downloading = page.waitForEvent('download');
    await page.getByTestId('diff-evidence').click();
    const download = await downloading;
    await page.getByTestId('diff-evidence-done').waitFor();
    const zipPath = join(dir, download.suggestedFilename());
    await download.saveAs(zipPath);
    const names = (await readZip(new Blob([readFileSync(zipPath)]))).map((f) => f.path);
    expect(names).toEqual(
      expect.arrayContaining(['diff-report.txt', 'diff-report.json', 'verifier.html']),
    );
    expect(names.some((n) => n.endsWith('evidence.json'))).toBe(true);
  });

  it('voids an entry for a reason: the original stays visible, and the figures drop it', async () => {
    const sealed = await call<BooksSealedResponse>(page, 'POST', ROUTES.booksEntries, {
      date: '2024-04-10',
      description: 'Leaflets for the May Day rally',
      counterparty: 'Print shop «Учкун»',
      postings: [
        { account: 'Expenses:Office', amount: '777.00', currency: 'KGS' },
        { account: 'Assets:Cash', amount: '-777.00', currency: 'KGS' },
      ],
    });
    expect(sealed.status).toBe(200);
    const id = sealed.body.ids[0]!;
    expect(await trialBalance('Expenses:Office')).toEqual({
      debit: '777.00',
      credit: '0.00',
      closing: '777.00',
    });

    await page.goto(`${base}/books/entries/${id}`);
    await page.getByTestId('entry-void').click();
    const form = page.getByTestId('entry-void-form');
    const submit = form.locator('button[type=submit]');
    // No void without its reason, and blanks are no reason.
    expect(await submit.isDisabled()).toBe(true);
    await form.locator('textarea[name=reason]').fill('   ');
    expect(await submit.isDisabled()).toBe(true);
    await form.locator('textarea[name=reason]').fill('Paid twice: the print shop refunded it.');
    const before = await logged();
    await submit.click();
    await expect
      .poll(() => page.getByTestId('entry-status').first().getAttribute('data-status'))
      .toBe('void');
    expect(await logged()).toBe(before + 1);
    expect(await page.getByTestId('books-notice').textContent()).toMatch(
      /^Sealed as record [0-9A-Z]{26}\.$/,
    );
    expect(await page.getByTestId('books-entry').textContent()).toContain(
      'This transaction is void: it no longer counts in the figures.',
    );
    expect(await page.getByTestId('entry-correct').count()).toBe(0);
    expect(await page.getByTestId('entry-void').count()).toBe(0);
    const versions = page.getByTestId('entry-version');
    expect(await versions.count()).toBe(2);
    expect(await versions.nth(0).getAttribute('data-kind')).toBe('transaction');
    expect(await versions.nth(0).textContent()).toContain('Leaflets for the May Day rally');
    expect(await versions.nth(0).getByTestId('posting-table').textContent()).toContain('777.00');
    expect(await versions.nth(1).getAttribute('data-kind')).toBe('correction');
    expect(await versions.nth(1).locator('h3').textContent()).toMatch(/^2\. Void/);
    expect(await versions.nth(1).getByTestId('version-reason').textContent()).toContain(
      'Paid twice: the print shop refunded it.',
    );
    await screenshot(page, 'books-12b-entry-void');

    await books('Transactions').click();
    const listed = page.getByTestId('entry-row').filter({ hasText: 'Leaflets for the May Day' });
    await listed.waitFor();
    expect(await listed.getAttribute('data-status')).toBe('void');
    expect(await listed.getAttribute('class')).toBe('void');
    expect(await listed.getByTestId('entry-status').textContent()).toBe('void');

    // The reversal takes out what the original put in: the account is back to nothing.
    expect(await trialBalance('Expenses:Office')).toEqual({
      debit: '777.00',
      credit: '777.00',
      closing: '0.00',
    });
  });

  it('transfers property on a sealed agreement, refusing one not sealed, then disposes of it', async () => {
    // The agreement is sealed as any document is: uploaded on the Documents screen.
    const file = join(dir, 'transfer-agreement-sanatorium.txt');
    writeFileSync(file, 'Agreement: the sanatorium passes to the Federation, 20 May 2024.\n');
    await page.goto(`${base}/documents`);
    await page.getByTestId('upload-drop-files').setInputFiles(file);
    await page.getByTestId('upload-start').click();
    await page
      .locator('[data-testid=upload-progress][data-finished=true]')
      .waitFor({ timeout: 60_000 });
    expect(await page.getByTestId('upload-summary').textContent()).toContain('1 sealed');
    const found = await call<RecordListResponse>(
      page,
      'GET',
      `${ROUTES.records}?kind=document&text=transfer-agreement-sanatorium`,
    );
    expect(found.body.items).toHaveLength(1);
    const agreement = found.body.items[0]!.id;

    await page.goto(`${base}/books/property`);
    const item = page.getByTestId('property-item').filter({ hasText: 'Sanatorium «Ысык-Көл»' });
    await item.getByTestId('property-event').click();
    const form = item.getByTestId('property-event-form');
    const submit = form.locator('button[type=submit]');
    await form.locator('select[name=event]').selectOption('transfer');
    // A transfer says to whom and by what decision.
    expect(await submit.isDisabled()).toBe(true);
    await form.locator('input[name=date]').fill('2024-05-20');
    await form.locator('input[name=to]').fill('Federation of Trade Unions of Kyrgyzstan');
    await form.locator('input[name=decision]').fill('Congress decision No. 7 of 12 May 2024');
    await form.locator('input[name=agreement]').fill('agreement of May');
    expect(await form.textContent()).toContain('A record ID is not valid.');
    expect(await submit.isDisabled()).toBe(true);

    // A record id as it should be written, but of no record in this vault: the server refuses.
    const unsealed = '01J00000000000000000000000';
    await form.locator('input[name=agreement]').fill(unsealed);
    const before = await logged();
    await submit.click();
    const refusal = form.getByTestId('error');
    await refusal.waitFor();
    expect(await refusal.textContent()).toBe(
      `A record it names is not sealed in this vault: ${unsealed} is not a sealed record of this vault; seal the title documents, decision and agreement first (Documents), then name their record ids`,
    );
    await page.locator('[data-lang=ru]').click();
    expect(await refusal.textContent()).toMatch(
      /^Указанная запись не запечатана в этом хранилище: 01J0{23} is not a sealed record/,
    );
    await page.locator('[data-lang=en]').click();
    await forgetRefusal(400);
    expect(await logged()).toBe(before);
    expect(await item.getByTestId('property-transferred').count()).toBe(0);
    await screenshot(page, 'books-12c-property-refused');

    await form.locator('input[name=agreement]').fill(agreement);
    await submit.click();
    await expect
      .poll(() => item.getByTestId('property-transferred').textContent())
      .toBe('Federation of Trade Unions of Kyrgyzstan');
    expect(await logged()).toBe(before + 1);
    const transfer = item
      .getByTestId('property-events')
      .locator('tbody tr', { hasText: 'transfer' });
    expect(await transfer.textContent()).toContain(
      'to Federation of Trade Unions of Kyrgyzstan · Congress decision No. 7 of 12 May 2024',
    );
    expect(await transfer.getByTestId('record-link').allTextContents()).toContain(agreement);

    await item.getByTestId('property-event').click();
    await form.locator('select[name=event]').selectOption('disposal');
    expect(await form.textContent()).toContain(
      'After a disposal, the property stays in the register, marked disposed of.',
    );
    await form.locator('input[name=description]').fill('Handed over under the agreement');
    await submit.click();
    await expect.poll(() => item.getAttribute('class')).toBe('property-item disposed');
    expect(await item.locator('h3 .badge').textContent()).toBe('disposed of');
    expect(await item.getByTestId('property-transferred').textContent()).toBe(
      'Federation of Trade Unions of Kyrgyzstan',
    );
    expect(
      await item
        .getByTestId('property-events')
        .locator('tbody tr', { hasText: 'disposal' })
        .count(),
    ).toBe(1);
    // Nothing more happens to what is disposed of.
    expect(await item.getByTestId('property-event').count()).toBe(0);
    await screenshot(page, 'books-12d-property-disposed');
  });

  it('says why the server refuses an entry, seals nothing, and keeps the form', async () => {
    await books('New entry').click();
    const form = page.getByTestId('entry-form');
    await form.locator('input[name=date]').fill('2024-04-22');
    await form.locator('input[name=description]').fill('Taxi to the sectoral committee');
    await row(0).locator('select[name=account]').selectOption('Expenses:Travel');
    await row(0).locator('input[name=debit]').fill('1500');
    await row(1).locator('select[name=account]').selectOption('Assets:Cash');
    await row(1).locator('input[name=credit]').fill('1500');
    expect(await page.getByTestId('balance-check').getAttribute('data-balanced')).toBe('true');

    // Meanwhile, in another tab, the account is closed.
    const closed = await call(page, 'POST', ROUTES.booksAccounts, {
      path: 'Expenses:Travel',
      type: 'expenses',
      currency: 'KGS',
      closed: true,
    });
    expect(closed.status).toBe(200);
    const records = await logged();
    const entries = async () =>
      (await call<BooksEntryListResponse>(page, 'GET', ROUTES.booksEntries)).body.total;
    const listed = await entries();

    await page.getByTestId('entry-submit').click();
    const refusal = form.getByTestId('error');
    await refusal.waitFor();
    expect(await refusal.textContent()).toBe(
      'This cannot be sealed as it stands:\nposting 1 (Expenses:Travel): the account is closed',
    );
    await page.locator('[data-lang=ru]').click();
    expect(await refusal.textContent()).toMatch(
      /^В таком виде это запечатать нельзя:\nposting 1 \(Expenses:Travel\)/,
    );
    await page.locator('[data-lang=en]').click();
    await forgetRefusal(400);
    await screenshot(page, 'books-12e-entry-refused');
    expect(await logged()).toBe(records);
    expect(await entries()).toBe(listed);
    expect(await page.getByTestId('entry-sealed').count()).toBe(0);

    // What was typed is still there: another account, and it seals.
    expect(await form.locator('input[name=description]').inputValue()).toBe(
      'Taxi to the sectoral committee',
    );
    await row(0).locator('select[name=account]').selectOption('Expenses:Other');
    await page.getByTestId('entry-submit').click();
    await page.getByTestId('entry-sealed').waitFor();
    expect(await logged()).toBe(records + 1);
    expect(await entries()).toBe(listed + 1);
  });

  it('writes dates as the language writes them, and keeps date inputs as dates', async () => {
    await page.goto(`${base}/books/entries?text=${encodeURIComponent('dues for January')}`);
    const listed = page.getByTestId('entry-row');
    await listed.first().waitFor();
    expect(await listed.count()).toBe(1);
    const date = listed.locator('td').first();
    expect(await date.textContent()).toBe('February 15, 2024');
    expect(await date.locator('time').getAttribute('datetime')).toBe('2024-02-15');
    // The filters are date inputs still: the browser writes them in the reader's own way.
    const from = page.getByTestId('entry-filters').locator('input[name=from]');
    expect(await from.getAttribute('type')).toBe('date');

    await listed.getByRole('link').first().click();
    expect(await page.getByTestId('entry-date').textContent()).toBe('February 15, 2024');
    await page.getByTestId('entry-correct').click();
    const input = page.getByTestId('entry-correction').locator('input[name=date]');
    expect(await input.getAttribute('type')).toBe('date');
    expect(await input.inputValue()).toBe('2024-02-15');
    await page.getByTestId('entry-correction').getByRole('button', { name: 'Cancel' }).click();

    await page.locator('[data-lang=ru]').click();
    expect(await page.getByTestId('entry-date').textContent()).toBe('15 февраля 2024 г.');
    await page.goto(
      `${base}/books/reports?kind=register&account=Assets:Bank:KGS&from=2024-01-01&to=2024-12-31`,
    );
    const report = page.locator('[data-testid=report][data-kind=register]');
    await report.waitFor();
    expect(await report.locator('h3 small').textContent()).toBe(
      ' с 1 января 2024 г. по 31 декабря 2024 г.',
    );
    expect(await page.getByTestId('report-row').first().locator('td').first().textContent()).toBe(
      '15 февраля 2024 г.',
    );
    await screenshot(page, 'books-12f-register-ru');
    await page.locator('[data-lang=en]').click();
  });

  /**
   * Adds the user `name` with `role`, and returns a page of its own (its own cookies) signed in
   * as them on the books' chart, with what goes wrong on it.
   */
  const signedIn = async (name: string, role: 'viewer' | 'auditor') => {
    const made = await call(page, 'POST', ROUTES.users, { name, role, password: PASSWORD });
    expect(made.status).toBe(200);
    const own = await browser.newContext({
      viewport: { width: 1280, height: 900 },
      acceptDownloads: true,
    });
    const p = await own.newPage();
    const log: string[] = [];
    watchErrors(p, log);
    await p.goto(base);
    const form = p.getByTestId('sign-in');
    await form.locator('input[name=name]').fill(name);
    await form.locator('input[name=password]').fill(PASSWORD);
    await form.locator('button[type=submit]').click();
    await p.getByTestId('dashboard').waitFor();
    await p.goto(`${base}/books`);
    await p.getByTestId('chart').waitFor();
    return { context: own, page: p, errors: log };
  };

  /** Checks that `p` offers no sealing on the books screens, and refuses the sealing paths. */
  const sealsNothing = async (p: Page, refused: readonly string[]) => {
    await p.goto(`${base}/books/accounts`);
    await p.getByTestId('chart').waitFor();
    expect(await p.getByTestId('account-add').count()).toBe(0);
    expect(await p.getByTestId('chart').locator('button').count()).toBe(0);
    await p.goto(`${base}/books/entries`);
    await p.getByTestId('entry-row').first().waitFor();
    expect(await p.getByTestId('new-entry-link').count()).toBe(0);
    await p.goto(`${base}/books/entries/${entryId}`);
    await p.getByTestId('entry-versions').waitFor();
    expect(await p.getByTestId('entry-current').locator('button').count()).toBe(0);
    await p.goto(`${base}/books/property`);
    await p.getByTestId('property-item').first().waitFor();
    expect(await p.getByTestId('property-add').count()).toBe(0);
    expect(await p.getByTestId('property-event').count()).toBe(0);
    expect(await p.locator('form').count()).toBe(0);
    for (const path of refused) {
      await p.goto(`${base}${path}`);
      const refusal = p.getByTestId('books').getByTestId('error');
      await refusal.waitFor();
      expect(await refusal.textContent(), path).toBe(
        'Your role may not do this. Ask an administrator if you need to.',
      );
      expect(await p.locator('main form').count(), path).toBe(0);
    }
  };

  it('shows a viewer the books to read, and nothing to seal or compare', async () => {
    const viewer = await signedIn('reader', 'viewer');
    const p = viewer.page;
    expect(await p.locator('nav.books-nav a').allTextContents()).toEqual([
      'Chart of accounts',
      'Transactions',
      'Reports',
      'Property register',
    ]);
    await sealsNothing(p, ['/books/entries/new', '/books/import', '/books/diff']);
    await p.goto(`${base}/books/entries/new`);
    await p.getByTestId('books').getByTestId('error').waitFor();
    await screenshot(p, 'books-15-viewer-refused');

    // Nor does the server take a seal from a viewer.
    const records = await logged(p);
    const refused = await call<ApiError>(p, 'POST', ROUTES.booksEntries, {
      date: '2024-04-30',
      description: 'Not the viewer’s to seal',
      postings: [
        { account: 'Expenses:Other', amount: '1.00', currency: 'KGS' },
        { account: 'Assets:Cash', amount: '-1.00', currency: 'KGS' },
      ],
    });
    expect(refused.status).toBe(403);
    expect(refused.body.key).toBe('auth.forbidden');
    expect(await logged(p)).toBe(records);
    await forgetRefusal(403, viewer.errors);
    expect(viewer.errors).toEqual([]);
    await viewer.context.close();
  });

  it('lets an auditor compare a ledger and take its evidence, and seal nothing', async () => {
    const auditor = await signedIn('auditor', 'auditor');
    const p = auditor.page;
    expect(await p.locator('nav.books-nav a').allTextContents()).toEqual([
      'Chart of accounts',
      'Transactions',
      'Reports',
      'Property register',
      'Compare a ledger',
    ]);
    await sealsNothing(p, ['/books/entries/new', '/books/import']);

    await p.locator('nav.books-nav').getByRole('link', { name: 'Compare a ledger' }).click();
    await compareLedger(p);
    await p.getByTestId('diff-summary').waitFor({ timeout: 60_000 });
    expect(await p.getByTestId('diff-summary').textContent()).toBe(
      'Differences: 1 missing, 1 added, 1 altered.',
    );
    const downloading = p.waitForEvent('download');
    await p.getByTestId('diff-evidence').click();
    expect((await downloading).suggestedFilename()).toMatch(/\.zip$/);
    await p.getByTestId('diff-evidence-done').waitFor();
    await screenshot(p, 'books-16-auditor-diff');
    expect(auditor.errors).toEqual([]);
    await auditor.context.close();
  });

  it('shows every books screen in Russian and Kyrgyz, and fits a phone', async () => {
    const screens: Array<[string, string]> = [
      ['/books/accounts', 'books-accounts'],
      ['/books/entries', 'books-entries'],
      ['/books/entries/new', 'books-new-entry'],
      [`/books/entries/${entryId}`, 'books-entry'],
      ['/books/import', 'books-import'],
      ['/books/reports?kind=trial-balance', 'report-table'],
      ['/books/reports?kind=fund-balances', 'books-reports'],
      ['/books/property', 'books-property'],
      ['/books/diff', 'books-diff'],
    ];
    const nav: Record<string, string> = { ru: 'План счетов', ky: 'Эсептер планы' };
    for (const lang of ['ru', 'ky'] as const) {
      await page.locator(`[data-lang=${lang}]`).click();
      for (const [path, testId] of screens) {
        await page.goto(`${base}${path}`);
        await page.getByTestId(testId).waitFor();
        await page.locator('[aria-busy=true]').waitFor({ state: 'detached' });
        expect(await page.locator('html').getAttribute('lang')).toBe(lang);
        expect(await page.locator('nav.books-nav').textContent()).toContain(nav[lang]);
        const text = await page.locator('main').textContent();
        expect(text, `${lang} ${path}`).not.toMatch(RAW_KEY);
        await screenshot(
          page,
          `books-13-${lang}-${testId}${path.includes('fund') ? '-funds' : ''}`,
        );
      }
    }
    await page.setViewportSize({ width: 390, height: 844 });
    for (const [path, testId] of screens) {
      await page.goto(`${base}${path}`);
      await page.getByTestId(testId).waitFor();
      const over = await overflow(page);
      expect(over.by, `${path} is wider than a phone: ${over.wide}`).toBeLessThanOrEqual(0);
      await screenshot(page, `books-14-phone-${testId}${path.includes('fund') ? '-funds' : ''}`);
    }
    expect(errors).toEqual([]);
  });
});
