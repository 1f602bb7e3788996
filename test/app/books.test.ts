/**
 * The books through the web app's API: the chart, entries refused and sealed, corrections that
 * keep the original visible, suggestions, statement import with review (1C and camt.053
 * samples), reports, the property register, the diff against a presented ledger with its
 * evidence ZIP, and who may do what.
 */
import { readFileSync } from 'node:fs';
import type { LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodeCodePage } from '../../src/books/import/codepages.js';
import { parseCsvMapping } from '../../src/books/import/csv.js';
import { mappingDocumentDraft } from '../../src/books/sealed-books.js';
import { verifyEvidence } from '../../src/evidence/index.js';
import { type DashboardResponse, type RecordResponse, ROUTES } from '../../src/server/app/api.js';
import {
  BOOKS_LIMITS,
  BOOKS_REPORT_KINDS,
  type BooksAccountsResponse,
  type BooksCorrectionRequest,
  type BooksDiffResponse,
  type BooksEntryListResponse,
  type BooksEntryRequest,
  type BooksEntryResponse,
  type BooksImportPreview,
  type BooksImportResult,
  type BooksMappingsResponse,
  type BooksReportResponse,
  type BooksSealedResponse,
  type BooksSuggestResponse,
  type PropertyResponse,
} from '../../src/server/app/api-books.js';
import { type Caller, call, setUpApp, type TestApp, uploadAndSeal } from './helpers.js';
import { checkWithTamgasCheckers } from './zip-check.js';
import { readZip } from './zip-reader.js';

const SAMPLES = new URL('../books/samples/', import.meta.url);
const sample = (name: string) => readFileSync(new URL(name, SAMPLES));

let t: TestApp;
let treasurer: Caller;
let clock = Date.parse('2025-03-01T09:00:00Z');

beforeAll(async () => {
  t = await setUpApp({ now: () => new Date(clock) });
  treasurer = t.users.treasurer;
});

afterAll(async () => {
  await t.close();
});

/** The number of records in the log (activity is sealed only when flushed, never here). */
async function logSize(): Promise<number> {
  const res = await call(t.app, t.users.viewer, 'GET', ROUTES.dashboard);
  return (res.json() as DashboardResponse).records;
}

function ok<T>(res: LightMyRequestResponse): T {
  if (res.statusCode !== 200) throw new Error(`HTTP ${res.statusCode}: ${res.body}`);
  return res.json() as T;
}

/** What the viewer reads at `path`; throws unless the answer is 200. */
async function read<T>(path: string): Promise<T> {
  return ok<T>(await call(t.app, t.users.viewer, 'GET', path));
}

const entry = (
  postings: Array<[account: string, amount: string]>,
  extra: Partial<BooksEntryRequest> = {},
): BooksEntryRequest => ({
  date: '2025-01-10',
  description: 'Membership dues, December',
  postings: postings.map(([account, amount]) => ({ account, amount, currency: 'KGS' })),
  ...extra,
});

async function seal(body: BooksEntryRequest): Promise<string> {
  return ok<BooksSealedResponse>(await call(t.app, treasurer, 'POST', ROUTES.booksEntries, body))
    .ids[0]!;
}

/** Seals, as the treasurer, a correction of entry `id` (or of its current version); returns its id. */
async function correct(id: string, body: BooksCorrectionRequest): Promise<string> {
  return ok<BooksSealedResponse>(
    await call(t.app, treasurer, 'POST', `/api/books/entries/${id}/correction`, body),
  ).ids[0]!;
}

/** Seals the planned import `id` as the treasurer, with `body`'s changes to the review. */
async function sealImport(id: string, body: object = {}): Promise<BooksImportResult> {
  return ok(await call(t.app, treasurer, 'POST', `/api/books/imports/${id}/seal`, body));
}

async function report(kind: string, query = ''): Promise<BooksReportResponse> {
  return read<BooksReportResponse>(`/api/books/reports/${kind}${query}`);
}

function row(r: BooksReportResponse, account: string) {
  return r.rows.find((x) => x.values.account === account);
}

describe('the chart of accounts', () => {
  it('seals the starting chart once, and lists it with English, Russian and Kyrgyz names', async () => {
    const empty = await read<BooksAccountsResponse>(ROUTES.booksAccounts);
    expect(empty).toMatchObject({ accounts: [], suspense: 'Assets:Suspense', mappings: [] });
    const before = await logSize();
    const chart = ok<BooksAccountsResponse>(
      await call(t.app, treasurer, 'POST', ROUTES.booksStartingChart, {}),
    );
    expect(await logSize()).toBe(before + 1);
    expect(chart.accounts.find((a) => a.path === 'Assets:Cash')).toMatchObject({
      type: 'assets',
      currency: 'KGS',
      names: { en: 'Cash on hand', ru: 'Касса', ky: 'Касса' },
      closed: false,
      balance: '0.00',
      postings: 0,
    });
    expect(chart.accounts.find((a) => a.path === 'Income:Membership dues')?.names).toEqual({
      en: 'Membership dues',
      ru: 'Членские профсоюзные взносы',
      ky: 'Кесиптик бирликтин мүчөлүк төгүмдөрү',
    });
    // Sorted by path; a second time seals nothing.
    const paths = chart.accounts.map((a) => a.path);
    expect(paths).toEqual([...paths].sort());
    const again = ok<BooksAccountsResponse>(
      await call(t.app, treasurer, 'POST', ROUTES.booksStartingChart, {}),
    );
    expect(again.accounts).toHaveLength(chart.accounts.length);
    expect(await logSize()).toBe(before + 1);
  });

  it('adds an account, changes it keeping what is not given, and refuses a wrong type', async () => {
    const added = ok<BooksAccountsResponse>(
      await call(t.app, treasurer, 'POST', ROUTES.booksAccounts, {
        path: 'Assets:Bank:Optima',
        type: 'assets',
        currency: 'KGS',
        names: { ru: 'Оптима Банк' },
        description: 'The account 1C statements come from',
      }),
    );
    expect(added.accounts.find((a) => a.path === 'Assets:Bank:Optima')).toMatchObject({
      names: { ru: 'Оптима Банк' },
      description: 'The account 1C statements come from',
      record: expect.any(String),
    });
    const changed = ok<BooksAccountsResponse>(
      await call(t.app, treasurer, 'POST', ROUTES.booksAccounts, {
        path: 'Assets:Bank:Optima',
        type: 'assets',
        currency: 'KGS',
        names: { ky: 'Оптима Банк (ky)' },
      }),
    );
    expect(changed.accounts.find((a) => a.path === 'Assets:Bank:Optima')).toMatchObject({
      names: { ru: 'Оптима Банк', ky: 'Оптима Банк (ky)' },
      description: 'The account 1C statements come from',
    });
    const before = await logSize();
    const wrong = await call(t.app, treasurer, 'POST', ROUTES.booksAccounts, {
      path: 'Assets:Bank:Wrong',
      type: 'income',
      currency: 'KGS',
    });
    expect(wrong.statusCode).toBe(400);
    expect(wrong.json()).toMatchObject({
      key: 'books.accounts',
      params: { problems: expect.stringContaining('its parent Assets:Bank is assets') },
    });
    expect(await logSize()).toBe(before);
  });
});

describe('entries', () => {
  let dues: string;

  it('seals a balanced entry: it is listed, and in the trial balance', async () => {
    dues = await seal(
      entry(
        [
          ['Assets:Bank:KGS', '1250.00'],
          ['Income:Membership dues', '-1250.00'],
        ],
        { counterparty: 'ППО Кыргызалтын' },
      ),
    );
    const list = await read<BooksEntryListResponse>(ROUTES.booksEntries);
    expect(list.total).toBe(1);
    expect(list.entries[0]).toMatchObject({
      id: dues,
      current: dues,
      author: 'treasurer',
      date: '2025-01-10',
      counterparty: 'ППО Кыргызалтын',
      status: 'original',
      postings: [
        { account: 'Assets:Bank:KGS', amount: '1250.00', currency: 'KGS' },
        { account: 'Income:Membership dues', amount: '-1250.00', currency: 'KGS' },
      ],
      corrections: [],
    });
    const tb = await report('trial-balance');
    expect(row(tb, 'Assets:Bank:KGS')).toMatchObject({
      values: { debit: '1250.00', closing: '1250.00' },
      records: [dues],
    });
    const accounts = await read<BooksAccountsResponse>(ROUTES.booksAccounts);
    expect(accounts.accounts.find((a) => a.path === 'Assets')).toMatchObject({
      balance: '1250.00',
      postings: 0,
    });
    expect(accounts.accounts.find((a) => a.path === 'Assets:Bank:KGS')?.postings).toBe(1);
  });

  it('refuses an unbalanced entry, too many decimals, an unknown or closed account, sealing nothing', async () => {
    await call(t.app, treasurer, 'POST', ROUTES.booksAccounts, {
      path: 'Income:Old grants',
      type: 'income',
      currency: 'KGS',
      closed: true,
    });
    const before = await logSize();
    const cases: Array<[BooksEntryRequest, RegExp]> = [
      [
        entry([
          ['Assets:Bank:KGS', '10.00'],
          ['Income:Other', '-9.99'],
        ]),
        /the postings in KGS sum to 0.01, not 0/,
      ],
      [
        entry([
          ['Assets:Bank:KGS', '10.001'],
          ['Income:Other', '-10.001'],
        ]),
        /10.001 has 3 decimals, but KGS has 2/,
      ],
      [
        entry([
          ['Assets:Nowhere', '10.00'],
          ['Income:Other', '-10.00'],
        ]),
        /posting 1 \(Assets:Nowhere\): the account is not in the chart/,
      ],
      [
        entry([
          ['Assets:Bank:KGS', '10.00'],
          ['Income:Old grants', '-10.00'],
        ]),
        /posting 2 \(Income:Old grants\): the account is closed/,
      ],
    ];
    for (const [body, problem] of cases) {
      const res = await call(t.app, treasurer, 'POST', ROUTES.booksEntries, body);
      expect(res.statusCode, res.body).toBe(400);
      const error = res.json() as { key: string; message: string; params?: { problems?: string } };
      expect(error.key).toBe('books.invalid');
      expect(error.params?.problems).toMatch(problem);
      expect(error.message).toMatch(problem);
    }
    // Two problems at once are both named, one per line of params.problems.
    const both = await call(
      t.app,
      treasurer,
      'POST',
      ROUTES.booksEntries,
      entry([
        ['Assets:Nowhere', '10.00'],
        ['Income:Other', '-9.00'],
      ]),
    );
    expect((both.json() as { params: { problems: string } }).params.problems.split('\n')).toEqual([
      'posting 1 (Assets:Nowhere): the account is not in the chart; add it with `tamga books accounts --add`',
      'the postings in KGS sum to 1.00, not 0',
    ]);
    // A document that was never sealed.
    const undocumented = await call(
      t.app,
      treasurer,
      'POST',
      ROUTES.booksEntries,
      entry(
        [
          ['Assets:Bank:KGS', '1.00'],
          ['Income:Other', '-1.00'],
        ],
        { documents: ['01JZZZZZZZZZZZZZZZZZZZZZZZ'] },
      ),
    );
    expect(undocumented.statusCode).toBe(400);
    expect(undocumented.json()).toMatchObject({ key: 'books.missing-record' });
    expect(await logSize()).toBe(before);
  });

  it('corrects with a replacement and voids: the original stays in the versions, reports follow', async () => {
    const salary = await seal(
      entry(
        [
          ['Expenses:Salaries', '500.00'],
          ['Assets:Bank:KGS', '-500.00'],
        ],
        { date: '2025-01-31', description: 'Salaries, January' },
      ),
    );
    const fixed = await correct(salary, {
      reason: 'The payroll sheet says 450',
      replacement: entry(
        [
          ['Expenses:Salaries', '450.00'],
          ['Assets:Bank:KGS', '-450.00'],
        ],
        { date: '2025-01-31', description: 'Salaries, January (corrected)' },
      ),
    });
    const detail = await read<BooksEntryResponse>(`/api/books/entries/${fixed}`);
    expect(detail.entry).toMatchObject({
      id: salary,
      current: fixed,
      status: 'corrected',
      description: 'Salaries, January (corrected)',
      corrections: [{ id: fixed, reason: 'The payroll sheet says 450', void: false }],
    });
    expect(detail.versions.map((v) => [v.record, v.kind, v.postings?.[0]?.amount])).toEqual([
      [salary, 'transaction', '500.00'],
      [fixed, 'correction', '450.00'],
    ]);
    expect(row(await report('trial-balance'), 'Expenses:Salaries')?.values.closing).toBe('450.00');

    const mistake = await seal(
      entry(
        [
          ['Expenses:Office', '99.00'],
          ['Assets:Cash', '-99.00'],
        ],
        { date: '2025-02-02', description: 'Paper, entered twice' },
      ),
    );
    // Voided through the id of the entry: the current version is what is reversed.
    const voided = await correct(mistake, { reason: 'Entered twice', void: true });
    const list = await read<BooksEntryListResponse>(`${ROUTES.booksEntries}?account=Expenses`);
    expect(list.entries.map((e) => [e.id, e.status, e.current])).toEqual([
      [mistake, 'void', voided],
      [salary, 'corrected', fixed],
    ]);
    expect(list.entries[0]?.postings[0]).toMatchObject({ account: 'Expenses:Office' });
    expect(row(await report('trial-balance'), 'Expenses:Office')?.values.closing).toBe('0.00');
    // Either needs a reason, and one of replacement or void.
    const neither = await call(
      t.app,
      treasurer,
      'POST',
      `/api/books/entries/${salary}/correction`,
      {
        reason: 'x',
      },
    );
    expect(neither.statusCode).toBe(400);
    const unknown = await call(
      t.app,
      treasurer,
      'POST',
      '/api/books/entries/01JZZZZZZZZZZZZZZZZZZZZZZZ/correction',
      { reason: 'x', void: true },
    );
    expect(unknown.statusCode).toBe(404);
    // A correction of a version the person no longer sees, and a void of a void entry: 409,
    // nothing sealed.
    const size = await logSize();
    const stale = await call(t.app, treasurer, 'POST', `/api/books/entries/${salary}/correction`, {
      reason: 'Another look',
      current: salary,
      void: true,
    });
    expect(stale.statusCode).toBe(409);
    expect(stale.json()).toMatchObject({ key: 'books.superseded', params: { current: fixed } });
    const twice = await call(t.app, treasurer, 'POST', `/api/books/entries/${mistake}/correction`, {
      reason: 'Entered twice',
      void: true,
    });
    expect(twice.statusCode).toBe(409);
    expect(await logSize()).toBe(size);
    // Filters: text, dates, paging.
    const byText = await read<BooksEntryListResponse>(`${ROUTES.booksEntries}?text=кыргызалтын`);
    expect(byText.entries.map((e) => e.id)).toEqual([dues]);
    const page = await read<BooksEntryListResponse>(
      `${ROUTES.booksEntries}?from=2025-01-01&to=2025-01-31&limit=1&offset=1`,
    );
    expect(page).toMatchObject({ total: 2, offset: 1, limit: 1 });
    expect(page.entries.map((e) => e.id)).toEqual([dues]);
  });

  it('suggests the account an earlier entry chose for the counterparty and the words', async () => {
    const s = await read<BooksSuggestResponse>(
      `${ROUTES.booksSuggestions}?direction=in&counterparty=${encodeURIComponent('ППО Кыргызалтын')}`,
    );
    expect(s.suggestions[0]).toEqual({
      account: 'Income:Membership dues',
      confidence: 1,
      reason: 'counterparty',
    });
    const words = await read<BooksSuggestResponse>(
      `${ROUTES.booksSuggestions}?direction=out&text=${encodeURIComponent('salaries for February')}`,
    );
    expect(words.suggestions[0]).toMatchObject({
      account: 'Expenses:Salaries',
      reason: 'words',
    });
    expect(words.suggestions.length).toBeLessThanOrEqual(BOOKS_LIMITS.maxSuggestions);
    const none = await read<BooksSuggestResponse>(`${ROUTES.booksSuggestions}?direction=out`);
    expect(none.suggestions).toEqual([]);
  });
});

/** The 1C sample with one line's amount made unreadable. */
function brokenStatement(): Uint8Array {
  const text = new TextDecoder('windows-1251')
    .decode(sample('1c-windows-1251.txt'))
    .replace('Сумма=6000.00', 'Сумма=6000.001');
  const encoded = encodeCodePage(text, 'windows-1251');
  if (!('bytes' in encoded)) throw new Error('unencodable');
  return encoded.bytes;
}

async function preview(bytes: Uint8Array, query: string): Promise<LightMyRequestResponse> {
  return call(t.app, treasurer, 'POST', `${ROUTES.booksImports}?${query}`, bytes);
}

describe('statement import with review', () => {
  const query = `name=march.txt&account=${encodeURIComponent('Assets:Bank:Optima')}`;

  it('previews a 1C statement sealing nothing, then seals it with the account chosen for a line', async () => {
    const before = await logSize();
    const p = ok<BooksImportPreview>(await preview(sample('1c-windows-1251.txt'), query));
    expect(await logSize()).toBe(before);
    expect(p).toMatchObject({
      name: 'march.txt',
      format: '1c',
      newStatement: true,
      lineCount: 4,
      duplicates: 0,
      addedAccounts: [],
      suspense: 'Assets:Suspense',
      openings: [
        { date: '2024-02-29', account: 'Assets:Bank:Optima', amount: '150000.00', currency: 'KGS' },
      ],
    });
    expect(p.id).toMatch(/^[A-Za-z0-9_-]{22}$/);
    expect(p.lines.map((l) => [l.line, l.date, l.amount, l.account, l.bankAccount])).toEqual([
      [22, '2024-03-05', '62500.50', 'Assets:Suspense', 'Assets:Bank:Optima'],
      [48, '2024-03-11', '-18630.00', 'Assets:Suspense', 'Assets:Bank:Optima'],
      [75, '2024-03-15', '25000.00', 'Assets:Suspense', 'Assets:Bank:Optima'],
      [86, '2024-03-29', '-6000.00', 'Assets:Suspense', 'Assets:Bank:Optima'],
    ]);
    expect(p.checks.map((c) => [c.kind, c.stated, c.books, c.ok])).toEqual([
      ['opening', '150000.00', '150000.00', true],
      ['closing', '212870.50', '212870.50', true],
    ]);
    expect(Date.parse(p.expires) - clock).toBe(BOOKS_LIMITS.importTtlSeconds * 1000);
    // The preview is its sender's alone.
    expect(ok(await call(t.app, treasurer, 'GET', `/api/books/imports/${p.id}`))).toEqual(p);
    expect((await call(t.app, t.users.admin, 'GET', `/api/books/imports/${p.id}`)).statusCode).toBe(
      404,
    );

    const fee = p.lines.find((l) => l.line === 86)!;
    // A chosen account the chart does not have, or in another currency: 400 naming the line.
    for (const [account, problem] of [
      ['Expenses:Nowhere', /the account is not in the chart/],
      ['Income:Grants:USD', /the account is in USD, not KGS/],
      ['Income:Old grants', /the account is closed/],
    ] as const) {
      const bad = await call(t.app, treasurer, 'POST', `/api/books/imports/${p.id}/seal`, {
        accounts: { [fee.identity]: account },
      });
      expect(bad.statusCode, bad.body).toBe(400);
      expect(bad.json()).toMatchObject({ key: 'books.invalid', params: { line: 86 } });
      expect((bad.json() as { message: string }).message).toMatch(problem);
    }
    const stranger = await call(t.app, treasurer, 'POST', `/api/books/imports/${p.id}/seal`, {
      accounts: { 'h:nothing#1': 'Expenses:Bank charges' },
    });
    expect(stranger.statusCode).toBe(400);
    expect(stranger.json()).toMatchObject({ key: 'books.statement' });
    expect(await logSize()).toBe(before);

    const done = await sealImport(p.id, {
      accounts: { [fee.identity]: 'Expenses:Bank charges' },
    });
    // The statement, the opening balance, four lines, two statement balances.
    expect(done).toMatchObject({ sealed: 8, entries: 4, duplicates: 0, mismatches: 0 });
    expect(done.logSize).toBe(before + 8);
    expect(await logSize()).toBe(before + 8);
    // Sealed once: the preview is gone.
    expect((await call(t.app, treasurer, 'GET', `/api/books/imports/${p.id}`)).statusCode).toBe(
      404,
    );

    const statement = await read<RecordResponse>(`/api/records/${done.statementId}`);
    expect(statement.record).toMatchObject({
      kind: 'document',
      author: 'treasurer',
      body: { path: 'march.txt', tags: ['bank-statement'] },
      files: [{ sha256: p.sha256, name: 'march.txt' }],
    });
    const file = await call(
      t.app,
      t.users.viewer,
      'GET',
      `/api/records/${done.statementId}/files/${p.sha256}?download=1`,
    );
    expect(file.rawPayload.equals(sample('1c-windows-1251.txt'))).toBe(true);

    const list = await read<BooksEntryListResponse>(
      `${ROUTES.booksEntries}?account=${encodeURIComponent('Assets:Bank:Optima')}&limit=10`,
    );
    const imported = list.entries.filter((e) => e.source !== undefined);
    expect(imported.map((e) => [e.source!.line, e.postings[1]!.account]).sort()).toEqual([
      [17, 'Equity:Opening balances'],
      [22, 'Assets:Suspense'],
      [48, 'Assets:Suspense'],
      [75, 'Assets:Suspense'],
      [86, 'Expenses:Bank charges'],
    ]);
    expect(imported.every((e) => e.source!.statement === done.statementId)).toBe(true);
    const accounts = await read<BooksAccountsResponse>(ROUTES.booksAccounts);
    expect(accounts.bankAccounts).toEqual(['Assets:Bank:Optima']);
    expect(accounts.accounts.find((a) => a.path === 'Assets:Bank:Optima')?.balance).toBe(
      '212870.50',
    );

    // A line left in suspense, reclassified: its replacement is still that statement line.
    const dues = imported.find((e) => e.source!.line === 22)!;
    const reclassified = await correct(dues.id, {
      reason: 'Dues of the Metallist plant',
      replacement: {
        date: dues.date,
        description: dues.description,
        ...(dues.counterparty === undefined ? {} : { counterparty: dues.counterparty }),
        postings: [
          dues.postings[0]!,
          { ...dues.postings[1]!, account: 'Income:Membership dues' },
        ].map(({ account, amount, currency }) => ({
          account,
          amount,
          currency,
        })),
      },
    });
    const after = await read<BooksEntryResponse>(`/api/books/entries/${reclassified}`);
    expect(after.entry).toMatchObject({
      status: 'corrected',
      source: { statement: done.statementId, line: 22 },
    });

    // The same file again: every line is in the books already; no account needed this time.
    const again = ok<BooksImportPreview>(
      await preview(sample('1c-windows-1251.txt'), 'name=x.txt'),
    );
    expect(again).toMatchObject({ newStatement: false, lineCount: 0, duplicates: 4, lines: [] });
    const nothing = await sealImport(again.id);
    expect(nothing).toMatchObject({ sealed: 0, entries: 0, duplicates: 4 });
    expect(await logSize()).toBe(before + 9);

    // Each seal is in the activity log, under the one who sealed.
    const activity = ok<{ items: Array<{ actor: string; action: string; details: string }> }>(
      await call(t.app, t.users.admin, 'GET', `${ROUTES.activity}?limit=50`),
    );
    const books = activity.items.filter((a) => a.action.startsWith('books.'));
    expect(books.map((a) => a.action)).toEqual(
      expect.arrayContaining(['books.accounts', 'books.entry', 'books.correction', 'books.import']),
    );
    expect(books.every((a) => a.actor === 'treasurer')).toBe(true);
    expect(books.find((a) => a.details.startsWith('march.txt'))?.details).toMatch(
      /^march\.txt: 4 lines, 0 already in the books/,
    );
  });

  it('imports a camt.053 statement', async () => {
    await call(t.app, treasurer, 'POST', ROUTES.booksAccounts, {
      path: 'Assets:Bank:Grants',
      type: 'assets',
      currency: 'KGS',
    });
    // The sample's KGS statement alone.
    const xml = sample('camt053-grants.xml')
      .toString('utf8')
      .replace(/<Stmt>\s*<Id>2024-06-EUR<\/Id>[\s\S]*?<\/Stmt>\s*/, '');
    const p = ok<BooksImportPreview>(
      await preview(
        Buffer.from(xml),
        `name=june.xml&format=camt&accounts=${encodeURIComponent('1240020000999999=Assets:Bank:Grants')}`,
      ),
    );
    expect(p).toMatchObject({
      format: 'camt',
      lineCount: 1,
      openings: [{ account: 'Assets:Bank:Grants', amount: '-1500.00' }],
    });
    expect(p.lines[0]).toMatchObject({
      amount: '2000.00',
      counterparty: 'Бишкек шаардык кеңеши',
      account: 'Assets:Suspense',
      suggestion: null,
    });
    // Meanwhile an entry teaches that this counterparty pays dues: planned again now, the line
    // would go there; sealed, it goes where the review showed.
    await seal(
      entry(
        [
          ['Assets:Bank:Optima', '10.00'],
          ['Income:Membership dues', '-10.00'],
        ],
        { counterparty: 'Бишкек шаардык кеңеши', date: '2024-06-01' },
      ),
    );
    const replanned = ok<BooksImportPreview>(
      await preview(
        Buffer.from(xml),
        `name=june.xml&accounts=${encodeURIComponent('1240020000999999=Assets:Bank:Grants')}`,
      ),
    );
    expect(replanned.lines[0]).toMatchObject({ account: 'Income:Membership dues' });
    const done = await sealImport(p.id);
    expect(done).toMatchObject({ entries: 1, mismatches: 0 });
    const grants = await read<BooksEntryListResponse>(
      `${ROUTES.booksEntries}?account=Assets:Bank:Grants`,
    );
    expect(grants.entries.map((e) => e.postings[1]!.account)).toEqual([
      'Assets:Suspense',
      'Equity:Opening balances',
    ]);
  });

  it('imports a camt.053 of a EUR and a KGS account in one preview, with suspense in each currency', async () => {
    for (const [path, currency] of [
      ['Assets:Bank:Grants', 'KGS'],
      ['Assets:Bank:EUR', 'EUR'],
    ] as const) {
      await call(t.app, treasurer, 'POST', ROUTES.booksAccounts, {
        path,
        type: 'assets',
        currency,
      });
    }
    const accounts = [
      '1240020000999999=Assets:Bank:Grants',
      'DE89370400440532013000=Assets:Bank:EUR',
    ]
      .map((a) => `accounts=${encodeURIComponent(a)}`)
      .join('&');
    const p = ok<BooksImportPreview>(
      await preview(sample('camt053-grants.xml'), `name=june.xml&format=camt&${accounts}`),
    );
    expect(p.suspenseAccounts).toHaveLength(2);
    // The KGS line was imported by the test before (the vault is shared): a duplicate now.
    expect(p.lines.map((l) => l.currency)).toContain('EUR');
    expect(p.lines.length + p.duplicates).toBe(5); // six entries, one of them pending
    for (const l of p.lines) {
      const suspense = l.currency === 'KGS' ? 'Assets:Suspense' : 'Assets:Suspense:EUR';
      if (l.suggestion === null) expect(l.account).toBe(suspense);
    }
    const done = await sealImport(p.id);
    expect(done).toMatchObject({ entries: p.lineCount, mismatches: 0 });
  });

  it('refuses a malformed statement naming the line, and one too large with 413', async () => {
    const before = await logSize();
    const bad = await preview(brokenStatement(), query);
    expect(bad.statusCode).toBe(400);
    expect(bad.json()).toMatchObject({ key: 'books.statement', params: { line: 89 } });
    expect((bad.json() as { message: string }).message).toMatch(/^line 89: /);
    const pdf = await preview(Buffer.from('%PDF-1.4 a scan'), 'name=scan.pdf');
    expect(pdf.json()).toMatchObject({ key: 'books.statement' });
    const huge = await preview(Buffer.alloc(BOOKS_LIMITS.maxStatementBytes + 1), query);
    expect(huge.statusCode).toBe(413);
    expect(huge.json()).toMatchObject({ key: 'request.too-large' });
    const json = await call(t.app, treasurer, 'POST', `${ROUTES.booksImports}?${query}`, {
      not: 'bytes',
    });
    expect(json.statusCode).toBe(415);
    const noName = await preview(sample('1c-windows-1251.txt'), 'account=Assets:Bank:Optima');
    expect(noName.statusCode).toBe(400);
    expect(await logSize()).toBe(before);
  });

  it('answers 400, never 500, to files that are no statement or ledger', async () => {
    const hostile = [
      new Uint8Array(),
      Uint8Array.from({ length: 4096 }, (_, i) => (i * 131 + 7) & 0xff),
      sample('camt053-doctype.xml'),
      Buffer.from('PK\u0003\u0004 not really a zip'),
      Buffer.from(`1CClientBankExchange\r\nВерсияФормата=1.03\r\n${'x'.repeat(100_000)}`),
      Buffer.from('2024-01-01 unbalanced\n  a  10\n  b  -9\n'),
    ];
    for (const [i, bytes] of hostile.entries()) {
      for (const url of [
        `${ROUTES.booksImports}?name=f${i}&account=Assets:Bank:Optima`,
        `${ROUTES.booksDiff}?name=f${i}`,
      ]) {
        const res = await call(t.app, t.users.admin, 'POST', url, bytes);
        expect(res.statusCode, `${url}: ${res.body}`).toBe(400);
        expect((res.json() as { key: string }).key, url).toMatch(/^books\./);
      }
    }
  });

  it('forgets a preview when it expires, when cancelled, and knows no made-up id', async () => {
    const p = ok<BooksImportPreview>(await preview(sample('1c-dos-866.txt'), query));
    clock += BOOKS_LIMITS.importTtlSeconds * 1000 + 1;
    const expired = await call(t.app, treasurer, 'POST', `/api/books/imports/${p.id}/seal`, {});
    expect(expired.statusCode).toBe(404);
    expect(expired.json()).toMatchObject({ key: 'books.import-missing' });
    const q = ok<BooksImportPreview>(await preview(sample('1c-dos-866.txt'), query));
    expect(ok(await call(t.app, treasurer, 'DELETE', `/api/books/imports/${q.id}`))).toEqual({
      ok: true,
    });
    expect((await call(t.app, treasurer, 'GET', `/api/books/imports/${q.id}`)).statusCode).toBe(
      404,
    );
    for (const id of ['AAAAAAAAAAAAAAAAAAAAAA', 'not-an-id']) {
      const res = await call(t.app, treasurer, 'POST', `/api/books/imports/${id}/seal`, {});
      expect(res.statusCode).toBe(404);
    }
  });

  it('keeps at most a few previews per person, their oldest giving way, and bounds the choices', async () => {
    const ids: string[] = [];
    for (let i = 0; i <= BOOKS_LIMITS.maxPendingImportsPerUser; i++) {
      ids.push(ok<BooksImportPreview>(await preview(sample('1c-dos-866.txt'), query)).id);
    }
    const status = async (id: string) =>
      (await call(t.app, treasurer, 'GET', `/api/books/imports/${id}`)).statusCode;
    expect(await status(ids[0]!)).toBe(404);
    for (const id of ids.slice(1)) expect(await status(id)).toBe(200);
    // Someone else still has room.
    const admin = await call(
      t.app,
      t.users.admin,
      'POST',
      `${ROUTES.booksImports}?${query}`,
      sample('1c-dos-866.txt'),
    );
    expect(admin.statusCode).toBe(200);
    // The review changes at most the lines it shows.
    const tooMany = Object.fromEntries(
      Array.from({ length: BOOKS_LIMITS.maxPreviewLines + 1 }, (_, i) => [
        `line${i}`,
        'Assets:Cash',
      ]),
    );
    const refused = await call(t.app, treasurer, 'POST', `/api/books/imports/${ids[1]}/seal`, {
      accounts: tooMany,
    });
    expect(refused.statusCode).toBe(400);
  });
});

describe('CSV column mappings', () => {
  const kgsMapping = () =>
    JSON.parse(sample('statement-kgs.mapping.json').toString('utf8')) as Record<string, unknown>;

  it('saves a mapping from the web app, sealed as the CLI import seals one, and lists it', async () => {
    const before = await logSize();
    const saved = ok<BooksMappingsResponse>(
      await call(t.app, treasurer, 'POST', ROUTES.booksMappings, {
        name: 'Demir Bank',
        mapping: kgsMapping(),
      }),
    );
    expect(await logSize()).toBe(before + 1);
    const demir = saved.mappings.find((m) => m.name === 'Demir Bank')!;
    // As parseCsvMapping reads it: the defaults filled in.
    expect(demir.mapping).toEqual(parseCsvMapping(kgsMapping()));
    const record = await read<RecordResponse>(`/api/records/${demir.record}`);
    expect(record.record).toMatchObject({
      kind: 'document',
      author: 'treasurer',
      refs: [],
      files: [],
      body: {
        path: '',
        tags: ['csv-mapping'],
        meta: { name: 'Demir Bank', mapping: JSON.stringify(parseCsvMapping(kgsMapping())) },
      },
    });
    // The same draft as the CLI's import seals.
    expect(record.record.body).toEqual(
      mappingDocumentDraft('Demir Bank', parseCsvMapping(kgsMapping())).body,
    );
    // Saving it again seals nothing.
    ok(
      await call(t.app, treasurer, 'POST', ROUTES.booksMappings, {
        name: 'Demir Bank',
        mapping: kgsMapping(),
      }),
    );
    expect(await logSize()).toBe(before + 1);

    // Listed to anyone who reads the books, and named on the import screen.
    const list = await read<BooksMappingsResponse>(ROUTES.booksMappings);
    expect(list.mappings.map((m) => m.name)).toContain('Demir Bank');
    expect(list.mappings.find((m) => m.name === 'Demir Bank')).toEqual(demir);
    const accounts = await read<BooksAccountsResponse>(ROUTES.booksAccounts);
    expect(accounts.mappings).toContain('Demir Bank');
    const activity = ok<{ items: Array<{ actor: string; action: string; details: string }> }>(
      await call(t.app, t.users.admin, 'GET', `${ROUTES.activity}?limit=50`),
    );
    expect(activity.items.find((a) => a.action === 'books.mapping')).toMatchObject({
      actor: 'treasurer',
      details: `CSV column mapping Demir Bank: ${demir.record}`,
    });

    // A changed mapping under the same name replaces it: the latest is listed.
    const changed = ok<BooksMappingsResponse>(
      await call(t.app, treasurer, 'POST', ROUTES.booksMappings, {
        name: 'Demir Bank',
        mapping: {
          ...kgsMapping(),
          columns: { ...(kgsMapping().columns as object), reference: 3 },
        },
      }),
    );
    expect(await logSize()).toBe(before + 2);
    const latest = changed.mappings.filter((m) => m.name === 'Demir Bank');
    expect(latest).toHaveLength(1);
    expect(latest[0]!.record).not.toBe(demir.record);
    expect((latest[0]!.mapping.columns as Record<string, unknown>).reference).toBe(3);
    // Back to the sample's, for the import below.
    ok(
      await call(t.app, treasurer, 'POST', ROUTES.booksMappings, {
        name: 'Demir Bank',
        mapping: kgsMapping(),
      }),
    );
    expect(await logSize()).toBe(before + 3);
  });

  it('refuses a mapping parseCsvMapping refuses, saying what is wrong, and a bad name', async () => {
    const before = await logSize();
    const { credit: _credit, ...columns } = kgsMapping().columns as Record<string, unknown>;
    for (const [mapping, problem] of [
      [{ ...kgsMapping(), columns }, /names only one of debit and credit/],
      [{ ...kgsMapping(), delimiter: '#' }, /delimiter must be/],
      [{ ...kgsMapping(), currency: 'som' }, /ISO 4217/],
      [{ ...kgsMapping(), header: false }, /but the file has no header: give its position/],
      [{ ...kgsMapping(), colums: {} }, /unknown field "colums"/],
      [
        { ...kgsMapping(), columns: { ...columns, credit: 'К'.repeat(5000) } },
        /at most 4096 can be saved/,
      ],
    ] as const) {
      const res = await call(t.app, treasurer, 'POST', ROUTES.booksMappings, {
        name: 'Broken',
        mapping,
      });
      expect(res.statusCode, res.body).toBe(400);
      expect(res.json()).toMatchObject({ key: 'books.mapping', params: { code: 'csv.mapping' } });
      expect((res.json() as { message: string }).message).toMatch(problem);
    }
    for (const name of ['', ' Demir', 'Demir\n', 'Demir\u202e', 'x'.repeat(101)]) {
      const res = await call(t.app, treasurer, 'POST', ROUTES.booksMappings, {
        name,
        mapping: kgsMapping(),
      });
      expect(res.statusCode, JSON.stringify(name)).toBe(400);
      expect(res.json()).toMatchObject({ key: 'request.invalid' });
    }
    const notObject = await call(t.app, treasurer, 'POST', ROUTES.booksMappings, {
      name: 'Broken',
      mapping: [1, 2],
    });
    expect(notObject.json()).toMatchObject({ key: 'request.invalid' });
    expect(await logSize()).toBe(before);
    const list = await read<BooksMappingsResponse>(ROUTES.booksMappings);
    expect(list.mappings.map((m) => m.name)).not.toContain('Broken');
  });

  it('imports a CSV statement with the saved mapping', async () => {
    await call(t.app, treasurer, 'POST', ROUTES.booksAccounts, {
      path: 'Assets:Bank:Demir',
      type: 'assets',
      currency: 'KGS',
    });
    const p = ok<BooksImportPreview>(
      await preview(
        sample('statement-kgs.csv'),
        `name=may.csv&format=csv&mapping=${encodeURIComponent('Demir Bank')}&account=${encodeURIComponent('Assets:Bank:Demir')}`,
      ),
    );
    expect(p).toMatchObject({
      format: 'csv',
      lineCount: 3,
      openings: [{ date: '2024-05-01', account: 'Assets:Bank:Demir', amount: '100000.00' }],
    });
    expect(p.lines.map((l) => [l.line, l.date, l.amount])).toEqual([
      [3, '2024-05-02', '48200.00'],
      [4, '2024-05-03', '-12000.50'],
      [6, '2024-05-03', '-150.00'],
    ]);
    expect(p.checks.every((c) => c.ok)).toBe(true);
    const before = await logSize();
    const done = await sealImport(p.id);
    expect(done).toMatchObject({ entries: 3, mismatches: 0 });
    // Saved already: the import seals no second copy of the mapping.
    expect(done.sealed).toBe((await logSize()) - before);
    const statement = await read<RecordResponse>(`/api/records/${done.statementId}`);
    expect(statement.record.body).toMatchObject({ meta: { format: 'csv', mapping: 'Demir Bank' } });
    const unknown = await preview(
      sample('statement-kgs.csv'),
      `name=may.csv&format=csv&mapping=Nobody&account=Assets:Bank:Demir`,
    );
    expect(unknown.statusCode).toBe(400);
    expect((unknown.json() as { message: string }).message).toMatch(
      /no mapping named Nobody is saved \(saved: .*Demir Bank/,
    );
  });
});

describe('reports', () => {
  it('answers every kind as JSON and CSV; the register needs an account', async () => {
    for (const kind of BOOKS_REPORT_KINDS) {
      const q = kind === 'register' ? `?account=${encodeURIComponent('Assets:Bank:KGS')}` : '';
      const json = await report(kind, q);
      expect(json.kind).toBe(kind);
      expect(json.columns.length).toBeGreaterThan(0);
      const csv = await call(
        t.app,
        t.users.viewer,
        'GET',
        `/api/books/reports/${kind}${q ? `${q}&` : '?'}format=csv`,
      );
      expect(csv.statusCode).toBe(200);
      expect(csv.headers['content-type']).toBe('text/csv; charset=utf-8');
      expect(csv.headers['content-disposition']).toMatch(/^attachment; filename="/);
      expect(csv.body.split('\r\n')[0]).toBe(
        [...json.columns.map((c) => c.key), 'records'].join(','),
      );
    }
    const register = await report('register', `?account=${encodeURIComponent('Assets:Bank:KGS')}`);
    expect(register.rows.length).toBeGreaterThan(0);
    const noAccount = await call(t.app, t.users.viewer, 'GET', '/api/books/reports/register');
    expect(noAccount.statusCode).toBe(400);
    expect(noAccount.json()).toMatchObject({ key: 'books.report-account' });
    expect((await call(t.app, t.users.viewer, 'GET', '/api/books/reports/profit')).statusCode).toBe(
      404,
    );
    const ru = await report('trial-balance', '?lang=ru&from=2025-01-01&to=2025-12-31');
    expect(row(ru, 'Assets:Cash')?.values.name).toBe('Касса');
    expect(ru).toMatchObject({ from: '2025-01-01', to: '2025-12-31' });
  });

  it('refuses a period that ends before it starts, and a register of no account', async () => {
    for (const path of [
      '/api/books/reports/trial-balance?from=2025-12-01&to=2024-01-01',
      `${ROUTES.booksEntries}?from=2025-12-01&to=2024-01-01`,
    ]) {
      const res = await call(t.app, t.users.viewer, 'GET', path);
      expect(res.statusCode).toBe(400);
      expect((res.json() as { message: string }).message).toMatch(/ends before it starts/);
    }
    const nowhere = await call(
      t.app,
      t.users.viewer,
      'GET',
      '/api/books/reports/register?account=Nope:Nope',
    );
    expect(nowhere.statusCode).toBe(400);
    expect(nowhere.json()).toMatchObject({ key: 'books.report-account' });
    // A parent of declared accounts is an account to register.
    expect((await report('register', '?account=Assets')).kind).toBe('register');
  });
});

describe('the property register', () => {
  it('registers an asset with a title document, then a valuation and a transfer', async () => {
    const deed = await uploadAndSeal(t.app, treasurer, 'deeds/sanatorium.pdf', Buffer.from('deed'));
    const decision = await uploadAndSeal(
      t.app,
      treasurer,
      'decisions/transfer.pdf',
      Buffer.from('decision'),
    );
    const registered = ok<BooksSealedResponse>(
      await call(t.app, treasurer, 'POST', ROUTES.booksProperty, {
        name: 'Санаторий «Ысык-Көл»',
        category: 'sanatorium',
        location: 'Чолпон-Ата',
        registration: '1-02-03-0004-0005',
        account: 'Assets:Property:Sanatoriums and resorts',
        titleDocuments: [deed.recordId],
      }),
    ).ids[0]!;
    await call(t.app, treasurer, 'POST', ROUTES.booksProperty, {
      name: 'Санаторий «Ысык-Көл»',
      category: 'sanatorium',
      asset: registered,
      event: 'valuation',
      date: '2025-01-15',
      valuation: { amount: '12500000.00', currency: 'KGS', basis: 'independent appraisal' },
    });
    await call(t.app, treasurer, 'POST', ROUTES.booksProperty, {
      name: 'Санаторий «Ысык-Көл»',
      category: 'sanatorium',
      asset: registered,
      event: 'transfer',
      date: '2025-02-01',
      transfer: {
        to: 'Федерация профсоюзов',
        decision: 'Решение президиума № 4',
        decisionRecord: decision.recordId,
      },
    });
    const register = await read<PropertyResponse>(ROUTES.booksProperty);
    expect(register.items).toHaveLength(1);
    expect(register.items[0]).toMatchObject({
      record: registered,
      name: 'Санаторий «Ысык-Көл»',
      titleDocuments: [deed.recordId],
      valuation: { amount: '12500000.00', currency: 'KGS', basis: 'independent appraisal' },
      transferredTo: 'Федерация профсоюзов',
      disposed: false,
    });
    expect(register.items[0]!.events.map((e) => e.event)).toEqual([
      'register',
      'valuation',
      'transfer',
    ]);
    expect(register.items[0]!.events[2]!.documents).toEqual([registered, decision.recordId]);

    const before = await logSize();
    for (const body of [
      { name: 'x', category: 'land', asset: deed.recordId, event: 'update' },
      { name: 'x', category: 'land', event: 'valuation' },
      { name: 'x', category: 'land', titleDocuments: ['01JZZZZZZZZZZZZZZZZZZZZZZZ'] },
      { name: 'x', category: 'land', valuation: { amount: '1.001', currency: 'KGS' } },
      { name: 'x', category: 'land', account: 'Assets:Nowhere' },
    ]) {
      const res = await call(t.app, treasurer, 'POST', ROUTES.booksProperty, body);
      expect(res.statusCode, JSON.stringify(body)).toBe(400);
    }
    // An agreement that is not sealed is named, with what to do, in the browser's own words.
    const unsealed = await call(t.app, treasurer, 'POST', ROUTES.booksProperty, {
      name: 'Санаторий «Ысык-Көл»',
      category: 'sanatorium',
      asset: registered,
      event: 'transfer',
      transfer: {
        to: 'Федерация',
        decision: 'Решение № 5',
        agreement: '01JZZZZZZZZZZZZZZZZZZZZZZZ',
      },
    });
    expect(unsealed.statusCode).toBe(400);
    expect(unsealed.json()).toMatchObject({
      key: 'books.missing-record',
      message: expect.stringMatching(/^01JZ{23} is not a sealed record of this vault; seal the /),
      params: { records: '01JZZZZZZZZZZZZZZZZZZZZZZZ' },
    });
    expect(await logSize()).toBe(before);
  });
});

describe('the diff against a presented ledger', () => {
  const journal = () =>
    Buffer.from(
      sample('presented-ledger.journal')
        .toString('utf8')
        .replace(/Assets:Bank:RUB/g, 'Assets:Bank:Optima'),
    );
  const diffQuery = `name=presented.journal&format=hledger&account=${encodeURIComponent('Assets:Bank:Optima')}&from=2024-03-01&to=2024-03-31`;

  it('finds the one missing, one added and one altered entry, each sealed one with its proof', async () => {
    const res = ok<BooksDiffResponse>(
      await call(t.app, t.users.auditor, 'POST', `${ROUTES.booksDiff}?${diffQuery}`, journal()),
    );
    expect(res).toMatchObject({
      presented: 'presented.journal',
      period: { from: '2024-03-01', to: '2024-03-31' },
      account: 'Assets:Bank:Optima',
      sealedEntries: 4,
      presentedEntries: 4,
      matched: 2,
    });
    expect(res.differences.map((d) => [d.kind, d.kind === 'altered' ? d.fields : []])).toEqual([
      ['altered', ['amount']],
      ['added', []],
      ['missing', []],
    ]);
    const altered = res.differences[0]!;
    const missing = res.differences[2]!;
    if (altered.kind !== 'altered' || missing.kind !== 'missing') throw new Error('order');
    expect(altered.sealed).toMatchObject({ date: '2024-03-05', amount: '62500.5' });
    expect(missing.sealed).toMatchObject({ date: '2024-03-29', amount: '-6000' });
    for (const d of [altered, missing]) {
      expect(res.proofs[d.sealed.recordId]).toMatchObject({
        recordId: d.sealed.recordId,
        witnessed: false,
        text: expect.stringContaining('under the vault'),
      });
    }
    // The altered entry was reclassified after its import: its original, the correction in
    // force, the missing entry and the statement they came from.
    expect(altered.sealed.recordId).not.toBe(altered.sealed.id);
    expect(res.records.sort()).toEqual(
      [
        altered.sealed.id,
        altered.sealed.recordId,
        missing.sealed.id,
        (
          (await read<BooksEntryResponse>(`/api/books/entries/${missing.sealed.id}`)).entry
            .source as { statement: string }
        ).statement,
      ].sort(),
    );
    expect(res.report).toMatch(/Differences: {6}1 missing, 1 added, 1 altered/);

    // The bank's own statement agrees with the books: no difference, the account told by it.
    const same = ok<BooksDiffResponse>(
      await call(
        t.app,
        t.users.auditor,
        'POST',
        `${ROUTES.booksDiff}?name=march.txt`,
        sample('1c-windows-1251.txt'),
      ),
    );
    expect(same).toMatchObject({ account: 'Assets:Bank:Optima', matched: 4, differences: [] });
  });

  it('downloads the reports and the evidence of the sealed records involved as a ZIP', async () => {
    const res = await call(
      t.app,
      t.users.auditor,
      'POST',
      `${ROUTES.booksDiffEvidence}?${diffQuery}`,
      journal(),
    );
    expect(res.statusCode, res.body).toBe(200);
    expect(res.headers['content-type']).toBe('application/zip');
    expect(res.headers['content-disposition']).toMatch(/filename="books-diff-presented.zip"/);
    const zip = readZip(res.rawPayload);
    const json = JSON.parse(zip.get('diff-report.json')!.toString('utf8')) as {
      presented: string;
      records: string[];
    };
    expect([...zip.keys()].sort()).toEqual(
      [
        'README.txt',
        'diff-report.json',
        'diff-report.txt',
        'evidence.json',
        ...json.records.map((id) => `proofs/${id}.tlog-proof`),
      ].sort(),
    );
    expect(zip.get('diff-report.txt')!.toString('utf8')).toMatch(/1 missing, 1 added, 1 altered/);
    expect(json.presented).toBe('presented.journal');
    const verdict = verifyEvidence(zip.get('evidence.json')!, { files: new Map() });
    expect(verdict.ok).toBe(true);
    expect(verdict.records.map((r) => r.id).sort()).toEqual([...json.records].sort());
    // Tamga's own offline checkers verify it as it is: the reports travel with the bundle and
    // are not "files the bundle does not disclose".
    const both = await checkWithTamgasCheckers(res.rawPayload, 'books-diff-presented.zip');
    expect(both.page.given).toEqual([]);
    expect(both.page.status).toBe('verified');
    expect(both.cli.outcome, both.printed.join('\n')).toBe('verified');
    expect(both.cli.given).toEqual([]);

    // Nothing differs: the two reports alone.
    const same = await call(
      t.app,
      t.users.auditor,
      'POST',
      `${ROUTES.booksDiffEvidence}?name=march.txt`,
      sample('1c-windows-1251.txt'),
    );
    expect([...readZip(same.rawPayload).keys()].sort()).toEqual([
      'diff-report.json',
      'diff-report.txt',
    ]);
  });

  it('refuses a presented file it cannot read, naming the line', async () => {
    const res = await call(
      t.app,
      t.users.auditor,
      'POST',
      `${ROUTES.booksDiff}?name=bad.txt`,
      brokenStatement(),
    );
    expect(res.statusCode).toBe(400);
    expect(res.json()).toMatchObject({ key: 'books.statement', params: { line: 89 } });
  });
});

describe('who may do what', () => {
  it('lets a viewer read the books but seal nothing; the diff needs verify, its ZIP evidence', async () => {
    const body = entry([
      ['Assets:Bank:KGS', '1.00'],
      ['Income:Other', '-1.00'],
    ]);
    for (const who of [t.users.viewer, t.users.auditor]) {
      const res = await call(t.app, who, 'POST', ROUTES.booksEntries, body);
      expect(res.statusCode).toBe(403);
      expect(res.json()).toMatchObject({ key: 'auth.forbidden', params: { permission: 'seal' } });
    }
    expect(
      (await call(t.app, t.users.viewer, 'POST', ROUTES.booksStartingChart, {})).statusCode,
    ).toBe(403);
    const mapping = JSON.parse(sample('statement-kgs.mapping.json').toString('utf8')) as object;
    for (const who of [t.users.viewer, t.users.auditor]) {
      const res = await call(t.app, who, 'POST', ROUTES.booksMappings, { name: 'Mine', mapping });
      expect(res.statusCode).toBe(403);
      expect(res.json()).toMatchObject({ key: 'auth.forbidden', params: { permission: 'seal' } });
    }
    expect((await call(t.app, t.users.viewer, 'GET', ROUTES.booksMappings)).statusCode).toBe(200);
    expect((await call(t.app, null, 'GET', ROUTES.booksMappings)).statusCode).toBe(401);
    expect((await call(t.app, t.users.viewer, 'GET', ROUTES.booksEntries)).statusCode).toBe(200);
    const diff = await call(
      t.app,
      t.users.viewer,
      'POST',
      `${ROUTES.booksDiff}?name=x.txt`,
      sample('1c-windows-1251.txt'),
    );
    expect(diff.statusCode).toBe(403);
    const zip = await call(
      t.app,
      treasurer,
      'POST',
      `${ROUTES.booksDiffEvidence}?name=x.txt`,
      sample('1c-windows-1251.txt'),
    );
    expect(zip.statusCode).toBe(403);
    const anonymous = await call(t.app, null, 'GET', ROUTES.booksAccounts);
    expect(anonymous.statusCode).toBe(401);
  });
});
