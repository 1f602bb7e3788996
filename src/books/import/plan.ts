/**
 * What importing a statement into the books would do, worked out before anything is sealed:
 * the transactions to seal (each statement line posted between the bank account and a suggested
 * account, or suspense), the lines already in the books (same identity: skipped), the opening
 * balance of a bank account seen for the first time, and each balance the statement states
 * checked against the books. Pure: the caller reads the books and seals the plan, or shows it
 * for review. Every transaction is validated here, so a plan is sealed whole or not at all.
 */
import {
  type Account,
  type Assertion,
  BooksError,
  type ChartLookup,
  checkTransaction,
  formatAmount,
  parseAmount,
  type StatementBalance as SealedBalance,
  type Transaction,
} from '../model.js';
import { quote, StatementError } from './errors.js';
import { lineIdentities } from './identity.js';
import { AccountSuggester, type Example, type Suggestion } from './rules.js';
import type { ParsedStatement, StatementBalance, StatementLine } from './types.js';

/** What the books already hold, as an import needs it. */
export interface BooksState {
  /** Identities (`source.ref`) of statement lines already sealed. */
  readonly knownRefs: ReadonlySet<string>;
  /** Statement balances already sealed, as `assertionKey` gives them. */
  readonly knownAssertions: ReadonlySet<string>;
  /** The balance of a books account at the end of `date`, in minor units. */
  balanceAt(account: string, date: string): bigint;
  /** True when the account has any posting at all. */
  hasPostings(account: string): boolean;
  /** Earlier choices to learn suggestions from. */
  readonly examples: Iterable<Example>;
}

/** Options of `planImport`. */
export interface PlanOptions {
  /** The id the statement's `document` record has (or will have when sealed). */
  readonly statementId: string;
  /** The books account of each bank account the statement holds. */
  readonly accounts: ReadonlyMap<string, Account>;
  /** Where lines no rule matches go, to be reclassified later by a correction. */
  readonly suspense: string;
  /** The equity account a first statement's opening balance is posted against. */
  readonly openingEquity: string;
  /**
   * For a statement whose bank accounts are in several currencies: the suspense and opening
   * equity accounts of each currency, in place of `suspense` and `openingEquity`.
   */
  readonly byCurrency?: ReadonlyMap<
    string,
    { readonly suspense: string; readonly openingEquity: string }
  >;
  /** The chart, to check every account used exists, is open and in the right currency. */
  readonly chart?: ChartLookup;
  /**
   * The account chosen at review for a line, by its identity: it replaces the suggestion (a
   * review passes the account it showed for every line, changed or not). A chosen account
   * teaches no later line, so a line with none goes where the plan without choices puts it.
   */
  readonly overrides?: ReadonlyMap<string, string>;
}

/** One line to seal as a transaction. */
export interface PlannedEntry {
  readonly line: StatementLine;
  readonly identity: string;
  readonly transaction: Transaction;
  /** The suggestion; null when none (the line went to suspense, unless chosen). */
  readonly suggestion: Suggestion | null;
  /** The account chosen at review, when it is not the one the plan would have taken. */
  readonly chosen?: string;
}

/** A balance the statement states, compared with the books. */
export interface BalanceCheck {
  readonly balance: StatementBalance;
  /** The books account. */
  readonly account: string;
  readonly currency: string;
  /** What the statement says, in minor units. */
  readonly stated: bigint;
  /** What the books say once this import is sealed, in minor units. */
  readonly books: bigint;
  readonly ok: boolean;
}

/** What an import does. */
export interface ImportPlan {
  readonly statement: ParsedStatement;
  /** Opening-balance transactions of bank accounts imported for the first time. */
  readonly openings: readonly Transaction[];
  readonly entries: readonly PlannedEntry[];
  /** Lines already in the books, skipped. */
  readonly duplicates: ReadonlyArray<{ readonly line: StatementLine; readonly identity: string }>;
  readonly checks: readonly BalanceCheck[];
  /** Statement balances to seal as balance assertions (those not sealed already). */
  readonly assertions: readonly SealedBalance[];
}

/** A balance check as reports and the web app show it: amounts as decimals. */
export function describeCheck(c: BalanceCheck) {
  return {
    line: c.balance.line,
    kind: c.balance.kind,
    date: c.balance.date,
    account: c.account,
    currency: c.currency,
    stated: formatAmount(c.stated, c.currency),
    books: formatAmount(c.books, c.currency),
    ok: c.ok,
  };
}

/** The key of a sealed balance assertion: account, date and amount. */
export function assertionKey(a: Assertion, date: string): string {
  return `${a.account}\u0000${date}\u0000${formatAmount(a.amount, a.currency)}\u0000${a.currency}`;
}

/** The day before `iso` (YYYY-MM-DD). */
export function dayBefore(iso: string): string {
  const d = new Date(`${iso}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() - 1);
  return d.toISOString().slice(0, 10);
}

/**
 * Returns the plan of importing `statement` into books in `state`. Throws StatementError naming
 * the line for a bank account with no books account, a currency other than the account's, an
 * amount the account's currency cannot hold; BooksError (with the line) for a transaction the
 * chart refuses (an unknown, closed or other-currency account).
 */
export function planImport(
  statement: ParsedStatement,
  state: BooksState,
  options: PlanOptions,
): ImportPlan {
  const accountOf = (bankAccount: string, line: number): Account => {
    const a = options.accounts.get(bankAccount);
    if (a === undefined) {
      throw new StatementError(
        'import.account',
        line,
        `the statement is for the bank account ${bankAccount}, and no books account is named for it: give it with --account PATH (or --account ${bankAccount}=PATH)`,
        { params: { reason: 'never-imported', bankAccount } },
      );
    }
    return a;
  };
  const amountIn = (text: string, currency: string | null, account: Account, line: number) => {
    if (currency !== null && currency !== account.currency) {
      throw new StatementError(
        'import.currency',
        line,
        `the amount is in ${currency}, but the books account ${account.path} is in ${account.currency}`,
        { params: { currency, account: account.path, accountCurrency: account.currency } },
      );
    }
    try {
      return parseAmount(text, account.currency);
    } catch (e) {
      if (e instanceof BooksError) throw new StatementError('import.amount', line, e.message);
      throw e;
    }
  };

  const suspenseOf = (bank: Account) =>
    options.byCurrency?.get(bank.currency)?.suspense ?? options.suspense;
  const openingOf = (bank: Account) =>
    options.byCurrency?.get(bank.currency)?.openingEquity ?? options.openingEquity;
  /** True when `path` can take a line of `bank`: open, and in its currency (when the chart says). */
  const usableFor = (path: string, bank: Account): boolean => {
    if (options.chart === undefined) return true;
    const a = options.chart.account(path);
    return a !== undefined && a.closed !== true && a.currency === bank.currency;
  };

  const identities = lineIdentities(statement.lines);
  const suggester = new AccountSuggester(state.examples);
  const entries: PlannedEntry[] = [];
  const duplicates: Array<{ line: StatementLine; identity: string }> = [];
  /** New postings per books account, to check balances as they will be once sealed. */
  const added = new Map<string, Array<{ date: string; amount: bigint }>>();
  const add = (account: string, date: string, amount: bigint) => {
    let list = added.get(account);
    if (list === undefined) {
      list = [];
      added.set(account, list);
    }
    list.push({ date, amount });
  };
  const balanceAfter = (account: string, date: string) => {
    let sum = state.balanceAt(account, date);
    for (const p of added.get(account) ?? []) if (p.date <= date) sum += p.amount;
    return sum;
  };

  // Opening balances: a bank account with no posting yet starts where its first statement does.
  const openings: Transaction[] = [];
  for (const bankAccount of statement.accounts) {
    const account = accountOf(bankAccount, 1);
    if (state.hasPostings(account.path)) continue;
    const first = statement.balances
      .filter((b) => b.bankAccount === bankAccount && b.kind === 'opening')
      .sort((a, b) => (a.date < b.date ? -1 : a.date > b.date ? 1 : 0))[0];
    if (first === undefined) continue;
    const amount = amountIn(first.amount, first.currency, account, first.line);
    if (amount === 0n) continue;
    const date = dayBefore(first.date);
    const tx: Transaction = {
      date,
      description: `Opening balance of ${bankAccount}, from the bank statement`,
      postings: [
        { account: account.path, amount, currency: account.currency },
        { account: openingOf(account), amount: -amount, currency: account.currency },
      ],
      documents: [],
      source: { statement: options.statementId, line: first.line, ref: `opening:${bankAccount}` },
      tags: ['imported', 'opening-balance'],
    };
    checkTransaction(tx, options.chart, first.line);
    openings.push(tx);
    add(account.path, date, amount);
  }

  statement.lines.forEach((line, i) => {
    const identity = identities[i]!;
    if (state.knownRefs.has(identity)) {
      duplicates.push({ line, identity });
      return;
    }
    const account = accountOf(line.bankAccount, line.line);
    const amount = amountIn(line.amount, line.currency, account, line.line);
    const direction = amount < 0n ? 'out' : 'in';
    const suggestion = suggester.suggest(direction, line.counterparty, line.purpose, (a) =>
      usableFor(a, account),
    );
    const suspense = suspenseOf(account);
    const planned = suggestion?.account ?? suspense;
    const given = options.overrides?.get(identity);
    const chosen = given === planned ? undefined : given;
    const other = chosen ?? planned;
    const meta: Record<string, string> = { bankAccount: line.bankAccount };
    for (const [k, v] of Object.entries(line.meta)) if (v.length <= 1024) meta[k] = v;
    if (line.counterpartyAccount !== undefined) meta.counterpartyAccount = line.counterpartyAccount;
    if (line.counterpartyTaxId !== undefined) meta.counterpartyTaxId = line.counterpartyTaxId;
    if (line.valueDate !== undefined) meta.valueDate = line.valueDate;
    if (line.reference !== null) meta.reference = line.reference;
    meta.suggestion =
      chosen !== undefined
        ? 'chosen at review'
        : suggestion === null
          ? 'none: suspense'
          : `${suggestion.reason} (${Math.round(suggestion.confidence * 100)}%)`;
    const tx: Transaction = {
      date: line.date,
      description: line.purpose || line.counterparty || `Bank statement line ${line.line}`,
      ...(line.counterparty === '' ? {} : { counterparty: line.counterparty }),
      postings: [
        { account: account.path, amount, currency: account.currency },
        { account: other, amount: -amount, currency: account.currency },
      ],
      documents: [],
      source: { statement: options.statementId, line: line.line, ref: identity },
      tags: other === suspense ? ['imported', 'unclassified'] : ['imported'],
      meta,
    };
    checkTransaction(tx, options.chart, line.line);
    entries.push({
      line,
      identity,
      transaction: tx,
      suggestion,
      ...(chosen === undefined ? {} : { chosen }),
    });
    add(account.path, line.date, amount);
    // Lines of this statement teach the ones after them.
    if (suggestion !== null) {
      suggester.learn({
        direction,
        counterparty: line.counterparty,
        text: line.purpose,
        account: suggestion.account,
      });
    }
  });
  const held = new Set(identities);
  for (const identity of options.overrides?.keys() ?? []) {
    if (!held.has(identity)) {
      throw new StatementError(
        'import.override',
        null,
        `an account was chosen for the line ${quote(identity)}, which the statement does not hold`,
      );
    }
  }

  const checks: BalanceCheck[] = [];
  const assertions: SealedBalance[] = [];
  const planned = new Set<string>();
  for (const b of statement.balances) {
    const account = accountOf(b.bankAccount, b.line);
    const stated = amountIn(b.amount, b.currency, account, b.line);
    // Assertions say what an account held at the END of a day: an opening balance is the
    // previous day's end.
    const date = b.kind === 'opening' ? dayBefore(b.date) : b.date;
    const books = balanceAfter(account.path, date);
    checks.push({
      balance: b,
      account: account.path,
      currency: account.currency,
      stated,
      books,
      ok: books === stated,
    });
    const assertion: Assertion = {
      account: account.path,
      amount: stated,
      currency: account.currency,
    };
    const key = assertionKey(assertion, date);
    if (state.knownAssertions.has(key) || planned.has(key)) continue;
    planned.add(key);
    assertions.push({
      date,
      description: `${b.kind === 'opening' ? 'Opening' : 'Closing'} balance of ${b.bankAccount} as the bank states it`,
      assertions: [assertion],
      documents: [],
      source: {
        statement: options.statementId,
        line: b.line,
        ref: `${b.kind}:${b.bankAccount}:${b.date}`,
      },
    });
  }
  return { statement, openings, entries, duplicates, checks, assertions };
}
