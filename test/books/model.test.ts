/**
 * The books' model and pure logic: exact amounts, the records gate for books bodies,
 * corrections in the ledger, report totals, and the reversible beancount names.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  accountFromBeancount,
  beancountAccount,
  decodeComponent,
  encodeComponent,
} from '../../src/books/beancount-names.js';
import { accountChangeProblems, Chart } from '../../src/books/chart.js';
import { unionChart, unionChartAccounts } from '../../src/books/chart-union.js';
import { loadLedger } from '../../src/books/ledger.js';
import {
  BooksError,
  formatAmount,
  minorDigits,
  parseAmount,
  transactionDraft,
  transactionProblems,
} from '../../src/books/model.js';
import { buildReport } from '../../src/books/reports.js';
import { accountPathProblem } from '../../src/records/books.js';
import { parseRecord } from '../../src/records/record.js';
import { TestLog } from './fixtures.js';

const KGS = (s: string) => parseAmount(s, 'KGS');

describe('amounts', () => {
  it('parse and format exactly, per currency', () => {
    expect(parseAmount('1250.00', 'KGS')).toBe(125000n);
    expect(parseAmount('-0.5', 'KGS')).toBe(-50n);
    expect(parseAmount('1.500', 'KGS')).toBe(150n);
    expect(parseAmount('100', 'JPY')).toBe(100n);
    expect(parseAmount('1.234', 'KWD')).toBe(1234n);
    expect(formatAmount(-50n, 'KGS')).toBe('-0.50');
    expect(formatAmount(1234n, 'KWD')).toBe('1.234');
    expect(formatAmount(7n, 'JPY')).toBe('7');
    expect(minorDigits('CLF')).toBe(4);
  });

  it('refuse what they cannot hold exactly, saying why', () => {
    expect(() => parseAmount('1.005', 'KGS')).toThrow(
      '1.005 has 3 decimals, but KGS has 2; Tamga does not round amounts',
    );
    expect(() => parseAmount('1 250,00', 'KGS')).toThrow(/not an amount/);
    expect(() => parseAmount('1e3', 'KGS')).toThrow(BooksError);
    expect(() => parseAmount('1', 'XYZ')).toThrow(/not an ISO 4217 currency code/);
  });

  it('round-trip through text', () => {
    fc.assert(
      fc.property(
        fc.bigInt({ min: -(10n ** 20n), max: 10n ** 20n }),
        fc.constantFrom('KGS', 'JPY', 'KWD', 'CLF'),
        (n, c) => {
          expect(parseAmount(formatAmount(n, c), c)).toBe(n);
        },
      ),
    );
  });
});

describe('books records', () => {
  const record = (body: unknown, kind = 'transaction', refs: string[] = []) => ({
    kind,
    id: '01JNQ0W2X9A0B1C2D3E4F5G6H7',
    created: '2025-01-02T08:00:00Z',
    author: 'treasurer',
    body,
    files: [],
    refs,
  });
  const entry = (postings: unknown[]) => ({
    books: 1,
    type: 'entry',
    date: '2025-01-02',
    description: 'Dues',
    postings,
  });

  it('seal a balanced entry, and refuse an unbalanced one at the gate', () => {
    expect(() =>
      parseRecord(
        record(
          entry([
            { account: 'Assets:Bank', amount: '10.00', currency: 'KGS' },
            { account: 'Income:Dues', amount: '-10.00', currency: 'KGS' },
          ]),
        ),
      ),
    ).not.toThrow();
    expect(() =>
      parseRecord(
        record(
          entry([
            { account: 'Assets:Bank', amount: '10.00', currency: 'KGS', fund: 'strike' },
            { account: 'Income:Dues', amount: '-10.00', currency: 'KGS' },
          ]),
        ),
      ),
    ).toThrow('body.postings: do not balance in KGS for fund "strike": they sum to 10 KGS, not 0');
    expect(() =>
      parseRecord(
        record(
          entry([
            { account: 'Assets:Bank', amount: 10, currency: 'KGS' },
            { account: 'Income:Dues', amount: '-10.00', currency: 'KGS' },
          ]),
        ),
      ),
    ).toThrow(/body.postings\[0\].amount: expected a string, got the number 10/);
  });

  it('keep transactions sealed before the books valid', () => {
    expect(() =>
      parseRecord(
        record({
          date: '2024-12-31',
          amount: '1250.00',
          lines: [{ account: 'dues', credit: 1250 }],
        }),
      ),
    ).not.toThrow();
  });

  it('let a correction carry a replacement, which must balance too', () => {
    const corrected = '01JNQ0V1W8ZK3M5P7R9T2X4Y6A';
    const good = entry([
      { account: 'Assets:Bank', amount: '9.00', currency: 'KGS' },
      { account: 'Income:Dues', amount: '-9.00', currency: 'KGS' },
    ]);
    expect(() =>
      parseRecord(
        record({ corrects: corrected, reason: 'typo', replacement: good }, 'correction', [
          corrected,
        ]),
      ),
    ).not.toThrow();
    const bad = { ...good, postings: [good.postings[0]] };
    expect(() =>
      parseRecord(
        record({ corrects: corrected, reason: 'typo', replacement: bad }, 'correction', [
          corrected,
        ]),
      ),
    ).toThrow(/body.replacement.postings/);
  });

  it('name every problem of a transaction for the person who entered it', () => {
    const problems = transactionProblems(
      {
        date: '2025-02-30',
        description: 'x',
        postings: [
          { account: 'Assets:Bank:KGS', amount: KGS('10.00'), currency: 'KGS' },
          { account: 'Assets:Bank:USD', amount: -1000n, currency: 'KGS' },
          { account: 'Income:Nowhere', amount: 1n, currency: 'KGS' },
        ],
        documents: ['not-an-id'],
      },
      unionChart(),
    );
    expect(problems).toEqual([
      'the date "2025-02-30" is not a date such as 2025-03-01',
      'posting 2 (Assets:Bank:USD): the account is in USD, not KGS',
      'posting 3 (Income:Nowhere): the account is not in the chart; add it with `tamga books accounts --add`',
      'the postings in KGS sum to 0.01, not 0',
      'the document "not-an-id" is not a record id',
    ]);
    expect(() =>
      transactionDraft({ date: '2025-01-01', description: 'x', postings: [], documents: [] }),
    ).toThrow(/at least two postings/);
  });

  it('check account paths as hledger, ledger and beancount need them', () => {
    expect(accountPathProblem('Assets:Банк «Оптима»:Счёт № 1')).toBeNull();
    expect(accountPathProblem('Assets:Two  spaces')).toMatch(/component/);
    expect(accountPathProblem('Assets::Empty')).toMatch(/component/);
    expect(accountPathProblem('Assets:(virtual)')).toMatch(/component/);
    expect(accountPathProblem('Assets:semi;colon')).toMatch(/component/);
  });
});

describe('the chart', () => {
  it('ships a union chart with names in three languages and consistent types', () => {
    const accounts = unionChartAccounts();
    expect(accountChangeProblems(new Chart(), accounts)).toEqual([]);
    for (const a of accounts) expect(Object.keys(a.names ?? {}).sort()).toEqual(['en', 'ky', 'ru']);
    const chart = unionChart();
    expect(chart.name('Income:Membership dues', 'ky')).toBe('Кесиптик бирликтин мүчөлүк төгүмдөрү');
    expect(chart.withRole('opening-balances').map((a) => a.path)).toEqual([
      'Equity:Opening balances',
    ]);
    expect(
      accountChangeProblems(chart, [
        { path: 'Assets:Bank:Loan', type: 'liabilities', currency: 'KGS' },
      ]),
    ).toEqual(['account "Assets:Bank:Loan" is liabilities, but its parent Assets:Bank is assets']);
  });
});

describe('the ledger', () => {
  it('reverses and replaces on correction, keeps the original, and follows chains', () => {
    const log = new TestLog();
    log.accounts(unionChartAccounts());
    const tx = (amount: string) => ({
      date: '2025-01-05',
      description: 'Dues',
      postings: [
        { account: 'Assets:Bank:KGS', amount: KGS(amount), currency: 'KGS' },
        { account: 'Income:Membership dues', amount: -KGS(amount), currency: 'KGS' },
      ],
      documents: [],
    });
    const a = log.transaction(tx('100.00'));
    const b = log.correction(a, 'was 90', tx('90.00'));
    const c = log.correction(a, 'stale: names the original again', tx('80.00'));
    const d = log.correction(c, 'void it');
    log.inputs.push({
      index: log.inputs.length,
      record: {
        kind: 'transaction',
        id: '01JNQ0W2X9A0B1C2D3E4F5G6H9',
        created: '2025-01-01T00:00:00Z',
        body: { amount: 5 },
        refs: [],
      },
    });
    const ledger = loadLedger(log.inputs);
    expect(ledger.entries.map((e) => [e.record, e.kind, e.postings[0]?.amount])).toEqual([
      [a, 'original', 10000n],
      [b, 'reversal', -10000n],
      [b, 'replacement', 9000n],
      [c, 'reversal', -9000n],
      [c, 'replacement', 8000n],
      [d, 'reversal', -8000n],
    ]);
    expect(ledger.versions.get(a)).toEqual({ original: a, current: d });
    expect(ledger.problems.map((p) => p.message)).toEqual([
      `corrects ${a}, which ${b} had already corrected; applied to the current version ${b}`,
      'a transaction sealed before the books (no "books" in its body); not in the figures',
    ]);
    const tb = buildReport(ledger, 'trial-balance');
    expect(tb.rows.find((r) => r.values.account === 'Assets:Bank:KGS')?.values.closing).toBe(
      '0.00',
    );
    expect(tb.rows.find((r) => r.values.account === 'Assets:Bank:KGS')?.records).toEqual([
      a,
      b,
      c,
      d,
    ]);
  });

  it('reads the books as they stood at a log size', () => {
    const log = new TestLog();
    log.accounts(unionChartAccounts());
    const postings = [
      { account: 'Assets:Bank:KGS', amount: 100n, currency: 'KGS' },
      { account: 'Income:Other', amount: -100n, currency: 'KGS' },
    ];
    const a = log.transaction({ date: '2025-01-05', description: 'x', postings, documents: [] });
    log.correction(a, 'void', undefined);
    expect(loadLedger(log.inputs, { upTo: 2 }).entries).toHaveLength(1);
    expect(loadLedger(log.inputs).entries).toHaveLength(2);
  });
});

describe('reports', () => {
  it('balance: the balance sheet checks, funds balance on their own', () => {
    const log = new TestLog();
    log.accounts(unionChartAccounts());
    log.transaction({
      date: '2025-01-15',
      description: 'Strike fund grant',
      postings: [
        {
          account: 'Assets:Bank:Strike fund',
          amount: KGS('1000.00'),
          currency: 'KGS',
          fund: 'strike',
        },
        { account: 'Income:Grants', amount: KGS('-1000.00'), currency: 'KGS', fund: 'strike' },
      ],
      documents: [],
    });
    log.transaction({
      date: '2025-02-15',
      description: 'Strike pay',
      postings: [
        {
          account: 'Expenses:Strike support',
          amount: KGS('300.00'),
          currency: 'KGS',
          fund: 'strike',
        },
        {
          account: 'Assets:Bank:Strike fund',
          amount: KGS('-300.00'),
          currency: 'KGS',
          fund: 'strike',
        },
      ],
      documents: [],
    });
    const ledger = loadLedger(log.inputs);
    const funds = buildReport(ledger, 'fund-balances', { from: '2025-02-01' });
    expect(funds.rows[0]?.values).toEqual({
      fund: 'strike',
      currency: 'KGS',
      opening: '1000.00',
      income: '0.00',
      expenses: '300.00',
      transfers: '0.00',
      closing: '700.00',
    });
    const bs = buildReport(ledger, 'balance-sheet', { to: '2025-12-31' });
    expect(bs.notes).toEqual([]);
    expect(bs.rows.find((r) => r.values.account === 'Total assets')?.values.amount).toBe('700.00');
    const is = buildReport(ledger, 'income-statement', { from: '2025-01-01', to: '2025-01-31' });
    expect(is.rows.find((r) => r.values.account === 'Surplus (deficit)')?.values.amount).toBe(
      '1000.00',
    );
  });
});

describe('beancount names', () => {
  it('encode what beancount refuses, and decode exactly', () => {
    expect(beancountAccount('Income:Membership dues', 'income')).toBe('Income:Membership-dues');
    expect(beancountAccount('Assets:Банк:Оптима', 'assets')).toBe('Assets:Банк:Оптима');
    expect(beancountAccount('Assets:банк', 'assets')).toBe('Assets:Ǝ431Ǝанк');
    expect(beancountAccount('Активы:Банк', 'assets')).toBe('Assets:ƎƎАктивы:Банк');
    expect(beancountAccount('Assets', 'assets')).toBe('Assets:ƎƎAssets');
    expect(encodeComponent('x-y')).toBe('Ǝ78Ǝ' + 'Ǝ2DƎy');
  });

  it('round-trip any account path', () => {
    const component = fc
      .stringMatching(/^[A-Za-zА-Яа-яЁёҢңӨөҮүÀ-ÿ0-9Ǝ«»№&'’\-_.,+()/]{1,8}( [A-Za-zА-я0-9]{1,5})?$/)
      .filter((s) => accountPathProblem(`Assets:${s}`) === null);
    fc.assert(
      fc.property(
        fc.array(component, { minLength: 1, maxLength: 4 }),
        fc.constantFrom('assets', 'income', 'equity'),
        (parts, type) => {
          const path = parts.join(':');
          const name = beancountAccount(path, type);
          expect(name).toMatch(/^(Assets|Income|Equity)(:[\p{Lu}\p{Nd}][\p{L}\p{Nd}-]*)+$/u);
          expect(accountFromBeancount(name)).toBe(path);
          for (const p of parts) expect(decodeComponent(encodeComponent(p))).toBe(p);
        },
      ),
    );
  });
});
