/**
 * Reports over any period: trial balance, income and expense statement, balance sheet, fund
 * balances, dues received per member organisation, and an account's register. Each row lists
 * the records (transactions and corrections) behind its figures in the period, so a figure can
 * be traced to sealed records and proven with `tamga show` or `tamga evidence`.
 *
 * Amounts are kept as bigint minor units and formatted with the currency's decimals; in a
 * report, debits are positive and credits negative, as hledger and beancount write them,
 * except where a column says otherwise (income as a positive figure).
 */
import type { Ledger, LedgerEntry } from './ledger.js';
import { type AccountType, type Amount, formatAmount } from './model.js';

/** The reports `tamga books report KIND` produces. */
export const REPORT_KINDS = [
  'trial-balance',
  'income-statement',
  'balance-sheet',
  'fund-balances',
  'dues',
  'register',
] as const;

/**
 * The fixed words reports write into cells (English), by a stable key: what a translated view
 * (the web app) looks up to say them in the reader's language. Names and descriptions are the
 * union's own words and are not among them.
 */
export const REPORT_LABELS = {
  total: 'Total',
  totalIncome: 'Total income',
  totalExpenses: 'Total expenses',
  surplus: 'Surplus (deficit)',
  totalAssets: 'Total assets',
  totalLiabilities: 'Total liabilities',
  totalEquity: 'Total funds and equity',
  accumulatedSurplus: 'Accumulated surplus (income less expenses)',
  totalCheck: 'Total liabilities, funds and surplus',
  totalDues: 'Total dues received',
  openingBalance: 'Opening balance',
  generalFund: 'General',
} as const;

/** One of the reports. */
export type ReportKind = (typeof REPORT_KINDS)[number];

/** What a report covers. Dates are inclusive, `YYYY-MM-DD`; absent means unbounded. */
export interface ReportOptions {
  readonly from?: string;
  readonly to?: string;
  /** For `register`: the account (its subaccounts included). */
  readonly account?: string;
  /** The language of account names (`en`, `ru`, `ky`). */
  readonly language?: string;
}

/** A column of a report; amount columns hold decimals in the row's currency. */
export interface ReportColumn {
  readonly key: string;
  readonly title: string;
  readonly amount?: boolean;
}

/** A row: its cells by column key, and the records behind its figures. */
export interface ReportRow {
  readonly values: Readonly<Record<string, string>>;
  readonly records: readonly string[];
  /** A total or check row rather than an account. */
  readonly total?: boolean;
}

/** A report, ready for text, CSV or JSON. */
export interface Report {
  readonly kind: ReportKind;
  readonly title: string;
  readonly from?: string;
  readonly to?: string;
  readonly columns: readonly ReportColumn[];
  readonly rows: readonly ReportRow[];
  /** Findings to show with the report: imbalances, undeclared accounts, failed assertions. */
  readonly notes: readonly string[];
}

interface Sum {
  opening: Amount;
  debit: Amount;
  credit: Amount;
  records: string[];
}

function addRecord(list: string[], id: string): void {
  // Postings of one entry come together, so a repeat is the last one pushed; a correction's
  // reversal and replacement can repeat further apart, which `dedupe` removes at the end.
  if (list[list.length - 1] !== id) list.push(id);
}

function dedupe(list: readonly string[]): string[] {
  return [...new Set(list)];
}

/** Returns the report `kind` over `ledger`. Throws RangeError for a `register` without an account. */
export function buildReport(ledger: Ledger, kind: ReportKind, options: ReportOptions = {}): Report {
  switch (kind) {
    case 'trial-balance':
      return trialBalance(ledger, options);
    case 'income-statement':
      return incomeStatement(ledger, options);
    case 'balance-sheet':
      return balanceSheet(ledger, options);
    case 'fund-balances':
      return fundBalances(ledger, options);
    case 'dues':
      return duesReport(ledger, options);
    case 'register':
      return register(ledger, options);
  }
}

function inPeriod(date: string, o: ReportOptions): 'before' | 'in' | 'after' {
  if (o.from !== undefined && date < o.from) return 'before';
  if (o.to !== undefined && date > o.to) return 'after';
  return 'in';
}

/**
 * Sums the postings of every (account, currency) up to `to`: before `from` into opening, the
 * period's debits and credits apart. One pass over the entries.
 */
function accountSums(ledger: Ledger, o: ReportOptions): Map<string, Map<string, Sum>> {
  const byAccount = new Map<string, Map<string, Sum>>();
  for (const e of ledger.entries) {
    const when = inPeriod(e.date, o);
    if (when === 'after') break;
    for (const p of e.postings) {
      let byCurrency = byAccount.get(p.account);
      if (byCurrency === undefined) {
        byCurrency = new Map();
        byAccount.set(p.account, byCurrency);
      }
      let s = byCurrency.get(p.currency);
      if (s === undefined) {
        s = { opening: 0n, debit: 0n, credit: 0n, records: [] };
        byCurrency.set(p.currency, s);
      }
      if (when === 'before') s.opening += p.amount;
      else {
        if (p.amount >= 0n) s.debit += p.amount;
        else s.credit -= p.amount;
        addRecord(s.records, e.record);
      }
    }
  }
  return byAccount;
}

function sortedKeys<V>(m: ReadonlyMap<string, V>): string[] {
  return [...m.keys()].sort();
}

function nameOf(ledger: Ledger, path: string, o: ReportOptions): string {
  return ledger.chart.name(path, o.language ?? 'en');
}

function typeOf(ledger: Ledger, path: string): AccountType | 'undeclared' {
  return ledger.chart.typeOf(path) ?? 'undeclared';
}

const TYPE_ORDER: readonly (AccountType | 'undeclared')[] = [
  'assets',
  'liabilities',
  'equity',
  'income',
  'expenses',
  'undeclared',
];

function period(o: ReportOptions): { from?: string; to?: string } {
  return {
    ...(o.from === undefined ? {} : { from: o.from }),
    ...(o.to === undefined ? {} : { to: o.to }),
  };
}

function ledgerNotes(ledger: Ledger): string[] {
  return ledger.problems.map((p) => `${p.record}: ${p.message}`);
}

function trialBalance(ledger: Ledger, o: ReportOptions): Report {
  const sums = accountSums(ledger, o);
  const rows: ReportRow[] = [];
  const totals = new Map<string, Sum>();
  for (const type of TYPE_ORDER) {
    for (const account of sortedKeys(sums)) {
      if (typeOf(ledger, account) !== type) continue;
      const byCurrency = sums.get(account) ?? new Map<string, Sum>();
      for (const currency of sortedKeys(byCurrency)) {
        const s = byCurrency.get(currency) as Sum;
        const closing = s.opening + s.debit - s.credit;
        let t = totals.get(currency);
        if (t === undefined) {
          t = { opening: 0n, debit: 0n, credit: 0n, records: [] };
          totals.set(currency, t);
        }
        t.opening += s.opening;
        t.debit += s.debit;
        t.credit += s.credit;
        rows.push({
          values: {
            account,
            name: nameOf(ledger, account, o),
            type,
            currency,
            opening: formatAmount(s.opening, currency),
            debit: formatAmount(s.debit, currency),
            credit: formatAmount(s.credit, currency),
            closing: formatAmount(closing, currency),
          },
          records: dedupe(s.records),
        });
      }
    }
  }
  const notes = ledgerNotes(ledger);
  for (const currency of sortedKeys(totals)) {
    const t = totals.get(currency) as Sum;
    const closing = t.opening + t.debit - t.credit;
    rows.push({
      values: {
        account: REPORT_LABELS.total,
        name: '',
        type: '',
        currency,
        opening: formatAmount(t.opening, currency),
        debit: formatAmount(t.debit, currency),
        credit: formatAmount(t.credit, currency),
        closing: formatAmount(closing, currency),
      },
      records: [],
      total: true,
    });
    if (closing !== 0n || t.opening !== 0n) {
      notes.push(
        `the books do not balance in ${currency}: the balances sum to ${formatAmount(closing, currency)}`,
      );
    }
  }
  return {
    kind: 'trial-balance',
    title: 'Trial balance',
    ...period(o),
    columns: [
      { key: 'account', title: 'Account' },
      { key: 'name', title: 'Name' },
      { key: 'type', title: 'Type' },
      { key: 'currency', title: 'Currency' },
      { key: 'opening', title: 'Opening', amount: true },
      { key: 'debit', title: 'Debit', amount: true },
      { key: 'credit', title: 'Credit', amount: true },
      { key: 'closing', title: 'Closing', amount: true },
    ],
    rows,
    notes,
  };
}

function sectionRows(
  ledger: Ledger,
  sums: Map<string, Map<string, Sum>>,
  type: AccountType,
  o: ReportOptions,
  value: (s: Sum) => Amount,
  sign: 1n | -1n,
): { rows: ReportRow[]; totals: Map<string, { amount: Amount; records: string[] }> } {
  const rows: ReportRow[] = [];
  const totals = new Map<string, { amount: Amount; records: string[] }>();
  for (const account of sortedKeys(sums)) {
    if (typeOf(ledger, account) !== type) continue;
    const byCurrency = sums.get(account) ?? new Map<string, Sum>();
    for (const currency of sortedKeys(byCurrency)) {
      const s = byCurrency.get(currency) as Sum;
      const amount = sign * value(s);
      if (amount === 0n && s.records.length === 0) continue;
      const t = totals.get(currency) ?? { amount: 0n, records: [] };
      t.amount += amount;
      for (const r of s.records) t.records.push(r);
      totals.set(currency, t);
      rows.push({
        values: {
          section: type,
          account,
          name: nameOf(ledger, account, o),
          currency,
          amount: formatAmount(amount, currency),
        },
        records: dedupe(s.records),
      });
    }
  }
  return { rows, totals };
}

const SECTION_COLUMNS: readonly ReportColumn[] = [
  { key: 'section', title: 'Section' },
  { key: 'account', title: 'Account' },
  { key: 'name', title: 'Name' },
  { key: 'currency', title: 'Currency' },
  { key: 'amount', title: 'Amount', amount: true },
];

function totalRow(
  section: string,
  label: string,
  currency: string,
  amount: Amount,
  records: readonly string[] = [],
): ReportRow {
  return {
    values: { section, account: label, name: '', currency, amount: formatAmount(amount, currency) },
    records: dedupe(records),
    total: true,
  };
}

function incomeStatement(ledger: Ledger, o: ReportOptions): Report {
  const sums = accountSums(ledger, o);
  const movement = (s: Sum) => s.debit - s.credit;
  const income = sectionRows(ledger, sums, 'income', o, movement, -1n);
  const expenses = sectionRows(ledger, sums, 'expenses', o, movement, 1n);
  const rows: ReportRow[] = [...income.rows];
  for (const [c, t] of [...income.totals].sort())
    rows.push(totalRow('income', REPORT_LABELS.totalIncome, c, t.amount, t.records));
  rows.push(...expenses.rows);
  for (const [c, t] of [...expenses.totals].sort())
    rows.push(totalRow('expenses', REPORT_LABELS.totalExpenses, c, t.amount, t.records));
  const currencies = new Set([...income.totals.keys(), ...expenses.totals.keys()]);
  for (const c of [...currencies].sort()) {
    const net = (income.totals.get(c)?.amount ?? 0n) - (expenses.totals.get(c)?.amount ?? 0n);
    rows.push(totalRow('result', REPORT_LABELS.surplus, c, net));
  }
  return {
    kind: 'income-statement',
    title: 'Income and expense statement',
    ...period(o),
    columns: SECTION_COLUMNS,
    rows,
    notes: ledgerNotes(ledger),
  };
}

function balanceSheet(ledger: Ledger, o: ReportOptions): Report {
  // A balance sheet is at a date: everything up to `to` counts, `from` only bounds the traced records.
  const sums = accountSums(ledger, o);
  const closing = (s: Sum) => s.opening + s.debit - s.credit;
  const assets = sectionRows(ledger, sums, 'assets', o, closing, 1n);
  const liabilities = sectionRows(ledger, sums, 'liabilities', o, closing, -1n);
  const equity = sectionRows(ledger, sums, 'equity', o, closing, -1n);
  const income = sectionRows(ledger, sums, 'income', o, closing, -1n);
  const expenses = sectionRows(ledger, sums, 'expenses', o, closing, 1n);
  const rows: ReportRow[] = [];
  const notes = ledgerNotes(ledger);
  const add = (section: string, label: string, part: ReturnType<typeof sectionRows>) => {
    rows.push(...part.rows);
    for (const [c, t] of [...part.totals].sort())
      rows.push(totalRow(section, label, c, t.amount, t.records));
  };
  add('assets', REPORT_LABELS.totalAssets, assets);
  add('liabilities', REPORT_LABELS.totalLiabilities, liabilities);
  add('equity', REPORT_LABELS.totalEquity, equity);
  const currencies = new Set([
    ...assets.totals.keys(),
    ...liabilities.totals.keys(),
    ...equity.totals.keys(),
    ...income.totals.keys(),
    ...expenses.totals.keys(),
  ]);
  for (const c of [...currencies].sort()) {
    const result = (income.totals.get(c)?.amount ?? 0n) - (expenses.totals.get(c)?.amount ?? 0n);
    rows.push(totalRow('equity', REPORT_LABELS.accumulatedSurplus, c, result));
    const a = assets.totals.get(c)?.amount ?? 0n;
    const le =
      (liabilities.totals.get(c)?.amount ?? 0n) + (equity.totals.get(c)?.amount ?? 0n) + result;
    rows.push(totalRow('check', REPORT_LABELS.totalCheck, c, le));
    if (a !== le) {
      notes.push(
        `assets (${formatAmount(a, c)}) differ from liabilities, funds and surplus (${formatAmount(le, c)}) in ${c}`,
      );
    }
  }
  return {
    kind: 'balance-sheet',
    title: 'Balance sheet',
    ...period(o),
    columns: SECTION_COLUMNS,
    rows,
    notes,
  };
}

interface FundSum {
  opening: Amount;
  income: Amount;
  expenses: Amount;
  other: Amount;
  records: string[];
}

function fundBalances(ledger: Ledger, o: ReportOptions): Report {
  const funds = new Map<string, FundSum>();
  const types = new Map<string, AccountType | 'undeclared'>();
  for (const e of ledger.entries) {
    const when = inPeriod(e.date, o);
    if (when === 'after') break;
    for (const p of e.postings) {
      let type = types.get(p.account);
      if (type === undefined) {
        type = typeOf(ledger, p.account);
        types.set(p.account, type);
      }
      const key = `${p.fund ?? ''}\u0000${p.currency}`;
      let f = funds.get(key);
      if (f === undefined) {
        f = { opening: 0n, income: 0n, expenses: 0n, other: 0n, records: [] };
        funds.set(key, f);
      }
      if (when === 'before') {
        if (type === 'assets' || type === 'liabilities') f.opening += p.amount;
        continue;
      }
      addRecord(f.records, e.record);
      if (type === 'income') f.income -= p.amount;
      else if (type === 'expenses') f.expenses += p.amount;
      else if (type === 'equity' || type === 'undeclared') f.other -= p.amount;
    }
  }
  const rows: ReportRow[] = [];
  for (const key of sortedKeys(funds)) {
    const [fund, currency] = key.split('\u0000') as [string, string];
    const f = funds.get(key) as FundSum;
    const closing = f.opening + f.income - f.expenses + f.other;
    rows.push({
      values: {
        fund: fund === '' ? REPORT_LABELS.generalFund : fund,
        currency,
        opening: formatAmount(f.opening, currency),
        income: formatAmount(f.income, currency),
        expenses: formatAmount(f.expenses, currency),
        transfers: formatAmount(f.other, currency),
        closing: formatAmount(closing, currency),
      },
      records: dedupe(f.records),
    });
  }
  return {
    kind: 'fund-balances',
    title: 'Fund balances (net assets of each fund)',
    ...period(o),
    columns: [
      { key: 'fund', title: 'Fund' },
      { key: 'currency', title: 'Currency' },
      { key: 'opening', title: 'Opening', amount: true },
      { key: 'income', title: 'Income', amount: true },
      { key: 'expenses', title: 'Expenses', amount: true },
      { key: 'transfers', title: 'Transfers and equity', amount: true },
      { key: 'closing', title: 'Closing', amount: true },
    ],
    rows,
    notes: ledgerNotes(ledger),
  };
}

function duesReport(ledger: Ledger, o: ReportOptions): Report {
  const dues = new Set(ledger.chart.withRole('dues').map((a) => a.path));
  const shares = new Set(ledger.chart.withRole('dues-share').map((a) => a.path));
  const isUnder = (set: ReadonlySet<string>, path: string) => {
    for (const d of set) if (path === d || path.startsWith(`${d}:`)) return true;
    return false;
  };
  // A row per member organisation: the one an account names (`member`, always listed), else the
  // entry's counterparty — listed only while something of it stands, so a payer whose entries
  // were all reversed (a payment booked as dues by mistake) is not shown as a member.
  const members = new Map<
    string,
    { amount: Amount; payments: number; records: string[]; declared: boolean }
  >();
  const passed = new Map<string, { amount: Amount; records: string[] }>();
  for (const e of ledger.entries) {
    const when = inPeriod(e.date, o);
    if (when === 'after') break;
    if (when === 'before') continue;
    for (const p of e.postings) {
      if (isUnder(dues, p.account)) {
        const declared = ledger.chart.account(p.account)?.member;
        const member = declared ?? e.counterparty ?? '(no counterparty)';
        const key = `${member}\u0000${p.currency}`;
        const m = members.get(key) ?? { amount: 0n, payments: 0, records: [], declared: false };
        if (declared !== undefined) m.declared = true;
        m.amount -= p.amount;
        m.payments += e.kind === 'reversal' ? -1 : 1;
        addRecord(m.records, e.record);
        members.set(key, m);
      } else if (isUnder(shares, p.account)) {
        const s = passed.get(p.currency) ?? { amount: 0n, records: [] };
        // The share passed on is what the union gives up: an expense (debit) or a reduction of income.
        s.amount += p.amount;
        addRecord(s.records, e.record);
        passed.set(p.currency, s);
      }
    }
  }
  const rows: ReportRow[] = [];
  const totals = new Map<string, Amount>();
  for (const key of sortedKeys(members)) {
    const [member, currency] = key.split('\u0000') as [string, string];
    const m = members.get(key) as {
      amount: Amount;
      payments: number;
      records: string[];
      declared: boolean;
    };
    if (!m.declared && m.payments === 0 && m.amount === 0n) continue;
    totals.set(currency, (totals.get(currency) ?? 0n) + m.amount);
    rows.push({
      values: {
        member,
        currency,
        payments: String(m.payments),
        amount: formatAmount(m.amount, currency),
      },
      records: dedupe(m.records),
    });
  }
  for (const c of sortedKeys(totals)) {
    rows.push({
      values: {
        member: REPORT_LABELS.totalDues,
        currency: c,
        payments: '',
        amount: formatAmount(totals.get(c) ?? 0n, c),
      },
      records: [],
      total: true,
    });
  }
  for (const c of sortedKeys(passed)) {
    const s = passed.get(c) as { amount: Amount; records: string[] };
    rows.push({
      values: {
        member: 'Passed on to the sectoral committee or federation',
        currency: c,
        payments: '',
        amount: formatAmount(s.amount, c),
      },
      records: dedupe(s.records),
      total: true,
    });
  }
  const notes = ledgerNotes(ledger);
  if (dues.size === 0)
    notes.push('no account has the role "dues"; mark the dues account in the chart');
  return {
    kind: 'dues',
    title: 'Dues received per member organisation',
    ...period(o),
    columns: [
      { key: 'member', title: 'Member organisation' },
      { key: 'currency', title: 'Currency' },
      { key: 'payments', title: 'Payments' },
      { key: 'amount', title: 'Amount', amount: true },
    ],
    rows,
    notes,
  };
}

function register(ledger: Ledger, o: ReportOptions): Report {
  const account = o.account;
  if (account === undefined || account === '') {
    throw new RangeError('the register needs an account: give --account ACCOUNT');
  }
  const matches = (path: string) => path === account || path.startsWith(`${account}:`);
  const balances = new Map<string, Amount>();
  const rows: ReportRow[] = [];
  const opening = new Map<string, Amount>();
  for (const e of ledger.entries) {
    const when = inPeriod(e.date, o);
    if (when === 'after') break;
    for (const p of e.postings) {
      if (!matches(p.account)) continue;
      const balance = (balances.get(p.currency) ?? 0n) + p.amount;
      balances.set(p.currency, balance);
      if (when === 'before') {
        opening.set(p.currency, balance);
        continue;
      }
      rows.push(registerRow(e, p.account, p.currency, p.amount, balance, p.fund));
    }
  }
  const head: ReportRow[] = [...opening].sort().map(([currency, amount]) => ({
    values: {
      date: o.from ?? '',
      record: '',
      kind: '',
      description: REPORT_LABELS.openingBalance,
      counterparty: '',
      account,
      fund: '',
      currency,
      amount: '',
      balance: formatAmount(amount, currency),
      status: '',
    },
    records: [],
    total: true,
  }));
  return {
    kind: 'register',
    title: `Register of ${account}`,
    ...period(o),
    columns: [
      { key: 'date', title: 'Date' },
      { key: 'record', title: 'Record' },
      { key: 'kind', title: 'Kind' },
      { key: 'description', title: 'Description' },
      { key: 'counterparty', title: 'Counterparty' },
      { key: 'account', title: 'Account' },
      { key: 'fund', title: 'Fund' },
      { key: 'currency', title: 'Currency' },
      { key: 'amount', title: 'Amount', amount: true },
      { key: 'balance', title: 'Balance', amount: true },
      { key: 'status', title: 'Status' },
    ],
    rows: [...head, ...rows],
    notes: ledgerNotes(ledger),
  };
}

function registerRow(
  e: LedgerEntry,
  account: string,
  currency: string,
  amount: Amount,
  balance: Amount,
  fund: string | undefined,
): ReportRow {
  const status =
    e.kind === 'reversal'
      ? `reverses ${e.reverses ?? ''}`
      : e.reversedBy !== undefined
        ? `reversed by ${e.reversedBy}`
        : e.kind === 'replacement'
          ? `replaces an entry of ${e.chain}`
          : '';
  return {
    values: {
      date: e.date,
      record: e.record,
      kind: e.kind,
      description: e.description,
      counterparty: e.counterparty ?? '',
      account,
      fund: fund ?? '',
      currency,
      amount: formatAmount(amount, currency),
      balance: formatAmount(balance, currency),
      status,
    },
    records: e.kind === 'original' ? [e.record] : [e.record, e.chain],
  };
}

/**
 * Returns the closing balance of every (account, currency) at `to` (all dates when absent), as
 * `account\u0000currency` → amount: what the interop tests compare with hledger and beancount.
 */
export function closingBalances(ledger: Ledger, to?: string): Map<string, Amount> {
  const out = new Map<string, Amount>();
  for (const e of ledger.entries) {
    if (to !== undefined && e.date > to) break;
    for (const p of e.postings) {
      const key = `${p.account}\u0000${p.currency}`;
      out.set(key, (out.get(key) ?? 0n) + p.amount);
    }
  }
  return out;
}
