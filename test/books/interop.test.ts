/**
 * Exports against the real tools: the hledger journal passes `hledger check -s` and
 * `ledger --pedantic`, the beancount file passes `bean-check`, and all three give every
 * account the balances Tamga's own reports give, for Cyrillic names, several currencies and
 * funds, corrections and statement balances. A property test does the same for random books.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { accountFromBeancount } from '../../src/books/beancount-names.js';
import { unionChartAccounts } from '../../src/books/chart-union.js';
import { exportBeancount } from '../../src/books/export-beancount.js';
import { exportJournal } from '../../src/books/export-journal.js';
import { type Ledger, loadLedger } from '../../src/books/ledger.js';
import {
  type Account,
  type AccountType,
  formatAmount,
  type Posting,
  parseAmount,
  type Transaction,
} from '../../src/books/model.js';
import { closingBalances } from '../../src/books/reports.js';
import { TestLog } from './fixtures.js';
import {
  beanCheck,
  beancountBalances,
  hledgerBalances,
  hledgerCheck,
  ledgerBalances,
  TOOLS_WANTED,
  type ToolBalances,
  tempFile,
} from './tools.js';

const KGS = (s: string) => parseAmount(s, 'KGS');
const USD = (s: string) => parseAmount(s, 'USD');

/** Tamga's balances in the tools' form: `account\u0000currency` → decimal, zeros left out. */
function tamgaBalances(ledger: Ledger, rename: (path: string) => string = (p) => p): ToolBalances {
  const out: ToolBalances = new Map();
  for (const [key, amount] of closingBalances(ledger)) {
    if (amount === 0n) continue;
    const [account, currency] = key.split('\u0000') as [string, string];
    out.set(`${rename(account)}\u0000${currency}`, formatAmount(amount, currency));
  }
  return out;
}

function sorted(m: ToolBalances): [string, string][] {
  return [...m].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
}

/** Exports `ledger` both ways, checks each with its tools, and compares every balance. */
function checkWithTools(ledger: Ledger): void {
  const journal = exportJournal(ledger);
  const bean = exportBeancount(ledger);
  const j = tempFile('books.journal', journal.text);
  const b = tempFile('books.beancount', bean.text);
  try {
    const expected = sorted(tamgaBalances(ledger));
    hledgerCheck(j.path);
    expect(sorted(hledgerBalances(j.path)), 'hledger').toEqual(expected);
    expect(sorted(ledgerBalances(j.path)), 'ledger').toEqual(expected);
    beanCheck(b.path);
    const fromBean = new Map(
      [...beancountBalances(b.path)].map(([key, v]) => {
        const [account, currency] = key.split('\u0000') as [string, string];
        return [`${accountFromBeancount(account)}\u0000${currency}`, v] as const;
      }),
    );
    expect(sorted(fromBean), 'beancount').toEqual(expected);
  } finally {
    j.done();
    b.done();
  }
}

function unionBooks(): { log: TestLog; ids: Record<string, string> } {
  const log = new TestLog();
  const ids: Record<string, string> = {};
  log.accounts([
    ...unionChartAccounts(),
    { path: 'Assets:Банк:Оптима', type: 'assets', currency: 'KGS', names: { ru: 'Оптима Банк' } },
    { path: 'Активы:касса профкома', type: 'assets', currency: 'KGS' },
    {
      path: 'Income:Membership dues:ППО «Кыргызалтын»',
      type: 'income',
      currency: 'KGS',
      role: 'dues',
      member: 'ППО Кыргызалтын',
    },
  ]);
  ids.opening = log.balances({
    date: '2024-12-31',
    description: 'Opening balance from the statement',
    assertions: [{ account: 'Assets:Bank:KGS', amount: 0n, currency: 'KGS' }],
    documents: [],
  });
  ids.dues = log.transaction({
    date: '2025-01-10',
    description: 'Членские взносы за декабрь; «первичка» "Кыргызалтын"',
    counterparty: 'ППО Кыргызалтын',
    postings: [
      { account: 'Assets:Bank:KGS', amount: KGS('125000.00'), currency: 'KGS' },
      { account: 'Income:Membership dues', amount: KGS('-125000.00'), currency: 'KGS' },
      { account: 'Expenses:Dues passed on', amount: KGS('37500.00'), currency: 'KGS' },
      { account: 'Liabilities:Dues share payable', amount: KGS('-37500.00'), currency: 'KGS' },
    ],
    assertions: [{ account: 'Assets:Bank:KGS', amount: KGS('125000.00'), currency: 'KGS' }],
    documents: [],
  });
  ids.grant = log.transaction({
    date: '2025-01-15',
    description: 'Grant for the strike fund (restricted)',
    counterparty: 'Global Union Federation',
    postings: [
      { account: 'Assets:Bank:USD', amount: USD('5000.00'), currency: 'USD', fund: 'strike' },
      { account: 'Income:Grants:USD', amount: USD('-5000.00'), currency: 'USD', fund: 'strike' },
    ],
    documents: [],
  });
  ids.exchange = log.transaction({
    date: '2025-01-16',
    description: 'Exchange 1000 USD at 87.45',
    postings: [
      { account: 'Assets:Bank:USD', amount: USD('-1000.00'), currency: 'USD', fund: 'strike' },
      { account: 'Equity:Conversion:USD', amount: USD('1000.00'), currency: 'USD', fund: 'strike' },
      {
        account: 'Equity:Conversion:KGS',
        amount: KGS('-87450.00'),
        currency: 'KGS',
        fund: 'strike',
      },
      {
        account: 'Assets:Bank:Strike fund',
        amount: KGS('87450.00'),
        currency: 'KGS',
        fund: 'strike',
      },
    ],
    documents: [],
  });
  ids.wrongSalary = log.transaction({
    date: '2025-01-31',
    description: 'Salaries, January',
    postings: [
      { account: 'Expenses:Salaries', amount: KGS('45000.00'), currency: 'KGS' },
      { account: 'Assets:Bank:KGS', amount: KGS('-45000.00'), currency: 'KGS' },
    ],
    documents: [],
  });
  ids.fix = log.correction(
    ids.wrongSalary,
    'The amount was 40 500, not 45 000 (payroll sheet 1/2025).',
    {
      date: '2025-01-31',
      description: 'Salaries, January (corrected)',
      postings: [
        { account: 'Expenses:Salaries', amount: KGS('40500.00'), currency: 'KGS' },
        { account: 'Assets:Bank:KGS', amount: KGS('-40500.00'), currency: 'KGS' },
      ],
      documents: [],
    },
  );
  ids.solidarity = log.transaction({
    date: '2025-02-03',
    description: 'Solidarity payment to a dismissed activist',
    postings: [
      { account: 'Expenses:Solidarity payments', amount: KGS('15000.00'), currency: 'KGS' },
      { account: 'Активы:касса профкома', amount: KGS('-15000.00'), currency: 'KGS' },
    ],
    documents: [],
  });
  ids.sanatorium = log.transaction({
    date: '2025-02-05',
    description: 'Sanatorium "Ысык-Көл" brought onto the books',
    postings: [
      {
        account: 'Assets:Property:Sanatoriums and resorts',
        amount: KGS('12500000.00'),
        currency: 'KGS',
      },
      { account: 'Equity:Opening balances', amount: KGS('-12500000.00'), currency: 'KGS' },
    ],
    documents: [],
  });
  ids.closing = log.balances({
    date: '2025-02-28',
    assertions: [
      { account: 'Assets:Bank:KGS', amount: KGS('84500.00'), currency: 'KGS' },
      { account: 'Assets:Bank:USD', amount: USD('4000.00'), currency: 'USD' },
    ],
    documents: [],
  });
  return { log, ids };
}

describe.skipIf(!TOOLS_WANTED)('books export with hledger, ledger and beancount', () => {
  it('gives a union’s books the same balances in all three tools as in Tamga', () => {
    const { log, ids } = unionBooks();
    const ledger = loadLedger(log.inputs);
    expect(ledger.problems).toEqual([]);
    // The corrected salary: original, reversal and replacement are all there.
    const salary = ledger.entries.filter((e) => e.chain === ids.wrongSalary);
    expect(salary.map((e) => e.kind)).toEqual(['original', 'reversal', 'replacement']);
    expect(salary[0]?.reversedBy).toBe(ids.fix);
    expect(closingBalances(ledger).get('Assets:Bank:KGS\u0000KGS')).toBe(KGS('84500.00'));
    checkWithTools(ledger);
  });

  it('leaves out a statement balance the books do not meet, and says so', () => {
    const { log } = unionBooks();
    log.balances({
      date: '2025-03-01',
      assertions: [{ account: 'Assets:Bank:KGS', amount: KGS('1.00'), currency: 'KGS' }],
      documents: [],
    });
    const ledger = loadLedger(log.inputs);
    const journal = exportJournal(ledger);
    expect(journal.warnings).toHaveLength(1);
    expect(journal.warnings[0]).toMatch(
      /Assets:Bank:KGS at the end of 2025-03-01 is 1.00 KGS, but the books give 84500.00/,
    );
    expect(exportBeancount(ledger).warnings).toHaveLength(1);
    checkWithTools(ledger);
  });

  it('holds for random balanced books with Cyrillic names, several currencies and funds', () => {
    fc.assert(
      fc.property(randomBooks(), (inputs) => checkWithTools(loadLedger(inputs))),
      {
        numRuns: Number(process.env.TAMGA_BOOKS_RUNS ?? 12),
      },
    );
  });
});

// --- Random books -------------------------------------------------------------------------------

const WORDS = [
  'Банк',
  'банк',
  'Оптима Банк',
  'Касса',
  'Членские взносы',
  'Өнүгүү',
  'ңөү',
  'Түштүк',
  'Salaries',
  'dues',
  'Грант (ЕС)',
  'A&B',
  '5 №',
  'Фонд+',
  "Д'Артаньян",
  'Иван’s',
  'x-y_z.1',
  'Ысык-Көл',
  '2025',
  'Ёлка/Ель',
  'Ǝrror',
  'Zürich, Genève',
  'ППО «Кыргызалтын»',
];
const CURRENCIES = ['KGS', 'USD', 'EUR', 'JPY', 'KWD'];
const FUNDS = [undefined, 'strike', 'грант ЕС'];
const ROOTS: Readonly<Record<AccountType, readonly string[]>> = {
  assets: ['Assets', 'Активы'],
  liabilities: ['Liabilities'],
  equity: ['Equity', 'Фонды'],
  income: ['Income', 'Доходы'],
  expenses: ['Expenses'],
};
const TYPES: readonly AccountType[] = ['assets', 'liabilities', 'equity', 'income', 'expenses'];

function randomBooks(): fc.Arbitrary<ReturnType<TestLog['inputs']['slice']>> {
  const accountArb = fc.record({
    type: fc.constantFrom(...TYPES),
    rootPick: fc.nat(1),
    parts: fc.array(fc.constantFrom(...WORDS), { minLength: 1, maxLength: 3 }),
    currency: fc.constantFrom(...CURRENCIES),
  });
  const legArb = fc.record({
    from: fc.nat(),
    to: fc.nat(),
    amount: fc.bigInt({ min: 1n, max: 10n ** 12n }),
    fund: fc.constantFrom(...FUNDS),
    currency: fc.constantFrom(...CURRENCIES),
  });
  const txArb = fc.record({
    day: fc.integer({ min: 0, max: 60 }),
    description: fc.string({ maxLength: 20 }).map((s) => `Оплата ${s}`),
    counterparty: fc.option(
      fc.constantFrom('ОсОО "Рога и копыта"', 'ППО №5; цех', 'Иван \\ Петров'),
      { nil: undefined },
    ),
    legs: fc.array(legArb, { minLength: 1, maxLength: 4 }),
    correct: fc.constantFrom('none', 'none', 'void', 'replace'),
    assert: fc.boolean(),
  });
  return fc
    .record({
      accounts: fc.array(accountArb, { minLength: 3, maxLength: 12 }),
      txs: fc.array(txArb, { minLength: 1, maxLength: 25 }),
    })
    .map(({ accounts, txs }) => {
      const chart = new Map<string, Account>();
      for (const a of accounts) {
        const root = ROOTS[a.type][a.rootPick % ROOTS[a.type].length] as string;
        const path = [root, ...a.parts].join(':');
        if (!chart.has(path)) chart.set(path, { path, type: a.type, currency: a.currency });
      }
      // Two accounts of every currency, so that every leg has somewhere to go.
      for (const c of CURRENCIES) {
        chart.set(`Assets:Счёт ${c}`, { path: `Assets:Счёт ${c}`, type: 'assets', currency: c });
        chart.set(`Income:Доход ${c}`, { path: `Income:Доход ${c}`, type: 'income', currency: c });
      }
      const all = [...chart.values()];
      const leaves = all.filter((a) => !all.some((b) => b.path.startsWith(`${a.path}:`)));
      const log = new TestLog();
      log.accounts(all);
      for (const t of txs) {
        const postings: Posting[] = [];
        for (const leg of t.legs) {
          const pool = all.filter((a) => a.currency === leg.currency);
          const from = pool[leg.from % pool.length] as Account;
          const to = pool[leg.to % pool.length] as Account;
          const fund = leg.fund === undefined ? {} : { fund: leg.fund };
          postings.push({
            account: from.path,
            amount: leg.amount,
            currency: leg.currency,
            ...fund,
          });
          postings.push({ account: to.path, amount: -leg.amount, currency: leg.currency, ...fund });
        }
        const date = new Date(Date.UTC(2025, 0, 1 + t.day)).toISOString().slice(0, 10);
        const tx: Transaction = {
          date,
          description: t.description,
          ...(t.counterparty === undefined ? {} : { counterparty: t.counterparty }),
          postings,
          documents: [],
        };
        const id = log.transaction(tx);
        if (t.correct === 'void') log.correction(id, 'entered twice');
        if (t.correct === 'replace') {
          log.correction(id, 'wrong accounts', {
            ...tx,
            postings: postings.map((p) => ({ ...p, amount: p.amount * 2n })),
          });
        }
        if (t.assert) {
          // Assert what the books hold, on a leaf account (beancount's balance includes subaccounts).
          const partial = closingBalances(loadLedger(log.inputs), date);
          const leaf = leaves[t.day % leaves.length] as Account;
          log.balances({
            date,
            assertions: [
              {
                account: leaf.path,
                amount: partial.get(`${leaf.path}\u0000${leaf.currency}`) ?? 0n,
                currency: leaf.currency,
              },
            ],
            documents: [],
          });
        }
      }
      return log.inputs;
    });
}
