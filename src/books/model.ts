/**
 * The books' model, shared by the ledger, the reports, the exporters and the importers: exact
 * amounts, currencies, accounts, transactions, statement balances, and how each maps to and
 * from the sealed records (src/records/books.ts holds the sealed shapes).
 *
 * Pure: no `node:` imports, no I/O, no clock, so the web app runs the same code.
 *
 * - **Amounts** are `bigint`s in the currency's minor unit (tyiyn for KGS: 1250.00 KGS is
 *   125000n). Never floating point. `parseAmount`/`formatAmount` convert to and from the
 *   decimal strings records carry.
 * - **Currencies** are ISO 4217 alphabetic codes; KGS is the default. `minorDigits` gives each
 *   currency's decimals (JPY 0, KGS 2, KWD 3, CLF 4).
 * - **Accounts** are colon-separated paths (`Assets:Bank:KGS`, `Активы:Банк`) with a type,
 *   one currency, an optional default fund, and names by language.
 * - **Transactions** balance per currency and, within it, per fund: the postings of each
 *   (currency, fund) sum to zero. A posting with no fund is in the general (unrestricted) fund.
 * - **Statement balances** (balance assertions) say what an account held at the END of a day,
 *   after every entry of that day. They are sealed either inside the entry they follow
 *   (`assertions` of an entry body) or alone (a `balance` body: an imported statement's opening
 *   and closing balances). An assertion is about the account alone, not its subaccounts, and
 *   one currency. Exports write them as hledger/ledger `= AMOUNT` postings at the end of the day
 *   and beancount `balance` directives dated the next day (beancount checks at the start of a
 *   day).
 * - **Corrections** (`correction` records) reverse the current version of what they correct
 *   (the original entry, or the latest correction of it) and, when they carry a `replacement`,
 *   post it. The reversal is dated as the version it reverses, so a period's figures are the
 *   corrected ones; the original stays in the register, marked as reversed and by what.
 */
import { TamgaError } from '../log/errors.js';
import {
  ACCOUNT_ROLES,
  type AccountBody,
  accountPathProblem,
  BOOKS_VERSION,
  type BooksAccountsBody,
  type BooksBalanceBody,
  type BooksEntryBody,
  DECIMAL_AMOUNT,
  type SourceBody,
} from '../records/books.js';
import { isRecordId } from '../records/id.js';
import { isFullDate } from '../records/time.js';

/** An error in books input or logic: `code` is stable, `line` names the input line if any. */
export class BooksError extends TamgaError {
  /** The 1-based line of the input file at fault, when the input is a file. */
  readonly line: number | undefined;
  /** Every problem found, when there are several (a transaction's balance and accounts). */
  readonly problems: readonly string[];

  constructor(
    code: string,
    message: string,
    options: { line?: number; problems?: readonly string[] } = {},
  ) {
    super(code, options.line === undefined ? message : `line ${options.line}: ${message}`);
    this.line = options.line;
    this.problems = options.problems ?? [message];
  }
}

// --- Currencies (ISO 4217) ---------------------------------------------------------------------

/** The currency of an account or amount when none is named. */
export const DEFAULT_CURRENCY = 'KGS';

const ZERO_DIGITS = 'BIF CLP DJF GNF ISK JPY KMF KRW PYG RWF UGX UYI VND VUV XAF XOF XPF';
const THREE_DIGITS = 'BHD IQD JOD KWD LYD OMR TND';
const FOUR_DIGITS = 'CLF UYW';
const TWO_DIGITS =
  'AED AFN ALL AMD ANG AOA ARS AUD AWG AZN BAM BBD BDT BGN BMD BND BOB BOV BRL BSD BTN BWP BYN ' +
  'BZD CAD CDF CHE CHF CHW CNY COP COU CRC CUC CUP CVE CZK DKK DOP DZD EGP ERN ETB EUR FJD FKP ' +
  'GBP GEL GHS GIP GMD GTQ GYD HKD HNL HTG HUF IDR ILS INR IRR JMD KES KGS KHR KPW KYD KZT LAK ' +
  'LBP LKR LRD LSL MAD MDL MGA MKD MMK MNT MOP MRU MUR MVR MWK MXN MXV MYR MZN NAD NGN NIO NOK ' +
  'NPR NZD PAB PEN PGK PHP PKR PLN QAR RON RSD RUB SAR SBD SCR SDG SEK SGD SHP SLE SLL SOS SRD ' +
  'SSP STN SVC SYP SZL THB TJS TMT TOP TRY TTD TWD TZS UAH USD USN UYU UZS VED VES WST XCD XCG ' +
  'YER ZAR ZMW ZWG ZWL';

const DIGITS = new Map<string, number>();
for (const [list, n] of [
  [ZERO_DIGITS, 0],
  [TWO_DIGITS, 2],
  [THREE_DIGITS, 3],
  [FOUR_DIGITS, 4],
] as const) {
  for (const code of list.split(' ')) DIGITS.set(code, n);
}

/** Returns true when `code` is an active ISO 4217 currency code with a minor unit. */
export function isCurrency(code: string): boolean {
  return DIGITS.has(code);
}

/** Returns the number of decimals of `currency` (2 for KGS). Throws BooksError for an unknown code. */
export function minorDigits(currency: string): number {
  const n = DIGITS.get(currency);
  if (n === undefined) {
    throw new BooksError(
      'books.currency',
      `${JSON.stringify(currency)} is not an ISO 4217 currency code Tamga knows; write a code such as KGS, USD, EUR or RUB`,
    );
  }
  return n;
}

// --- Amounts --------------------------------------------------------------------------------

/** An amount in minor units of some currency (125000n is 1250.00 KGS). */
export type Amount = bigint;

/** An amount together with its currency. */
export interface Money {
  readonly amount: Amount;
  readonly currency: string;
}

const MAX_ABS = 10n ** 22n;

/**
 * Returns the decimal `text` (`"1250.00"`, `"-0.5"`, `"42"`) in minor units of `currency`.
 * Digits beyond the currency's decimals are refused unless they are zeros (`"1.500"` KGS is
 * fine, `"1.505"` is not): nothing is ever rounded. Throws BooksError `books.amount`.
 */
export function parseAmount(text: string, currency: string): Amount {
  const digits = minorDigits(currency);
  const m = /^([+-]?)(\d{1,22})(?:\.(\d{1,22}))?$/.exec(text);
  if (m === null) {
    throw new BooksError(
      'books.amount',
      `${JSON.stringify(text)} is not an amount; write digits with an optional point and sign, such as 1250.00 or -0.5 (no spaces or thousands separators)`,
    );
  }
  const [, sign, int = '0', frac = ''] = m;
  const extra = frac.slice(digits);
  if (/[^0]/.test(extra)) {
    throw new BooksError(
      'books.amount',
      `${text} has ${frac.length} decimals, but ${currency} has ${digits}; Tamga does not round amounts`,
    );
  }
  const value =
    BigInt(int) * 10n ** BigInt(digits) + BigInt(frac.slice(0, digits).padEnd(digits, '0') || '0');
  if (value >= MAX_ABS) throw new BooksError('books.amount', `${text} is too large for an amount`);
  return sign === '-' ? -value : value;
}

/**
 * Returns `amount` (minor units of `currency`) as a decimal with exactly the currency's
 * decimals: `formatAmount(-50n, 'KGS')` is `"-0.50"`. This is the form records carry.
 */
export function formatAmount(amount: Amount, currency: string): string {
  const digits = minorDigits(currency);
  const negative = amount < 0n;
  const abs = negative ? -amount : amount;
  if (digits === 0) return `${negative ? '-' : ''}${abs}`;
  const scale = 10n ** BigInt(digits);
  return `${negative ? '-' : ''}${abs / scale}.${(abs % scale).toString().padStart(digits, '0')}`;
}

/** Returns the sum of `a` and `b`. Throws BooksError when their currencies differ. */
export function addMoney(a: Money, b: Money): Money {
  if (a.currency !== b.currency) {
    throw new BooksError('books.currency-mix', `cannot add ${a.currency} and ${b.currency}`);
  }
  return { amount: a.amount + b.amount, currency: a.currency };
}

/** Returns `m` with the opposite sign. */
export function negateMoney(m: Money): Money {
  return { amount: -m.amount, currency: m.currency };
}

/** Orders money by currency, then amount: negative, zero or positive as `a` is less, equal, more. */
export function compareMoney(a: Money, b: Money): number {
  if (a.currency !== b.currency) return a.currency < b.currency ? -1 : 1;
  return a.amount < b.amount ? -1 : a.amount > b.amount ? 1 : 0;
}

/** Returns `m` as `1250.00 KGS`. */
export function formatMoney(m: Money): string {
  return `${formatAmount(m.amount, m.currency)} ${m.currency}`;
}

// --- Accounts -------------------------------------------------------------------------------

/** The five kinds of account. */
export const ACCOUNT_TYPES = ['assets', 'liabilities', 'equity', 'income', 'expenses'] as const;

/** What kind of account: assets, liabilities, equity (funds), income or expenses. */
export type AccountType = (typeof ACCOUNT_TYPES)[number];

/** What the books use an account for (src/records/books.ts, ACCOUNT_ROLES). */
export type AccountRole = (typeof ACCOUNT_ROLES)[number];

export { ACCOUNT_ROLES };

/** An account of the chart. */
export interface Account {
  /** Colon-separated path, root first: `Assets:Bank:KGS`. Unique in the chart. */
  readonly path: string;
  readonly type: AccountType;
  /** The one currency its postings are in (ISO 4217). */
  readonly currency: string;
  /** The fund its postings belong to unless a posting names another; none is the general fund. */
  readonly fund?: string;
  /** Display names by language code (`en`, `ru`, `ky`). */
  readonly names?: Readonly<Record<string, string>>;
  readonly description?: string;
  /** The member organisation whose dues the account receives (dues report). */
  readonly member?: string;
  /** A closed account takes no new postings. */
  readonly closed?: boolean;
  /** What the books use it for (dues, opening balances, suspense, …); see ACCOUNT_ROLES. */
  readonly role?: AccountRole;
  /** The record that last declared the account, when it came from the log. */
  readonly record?: string;
}

/** Returns the account's parent path (`Assets:Bank` for `Assets:Bank:KGS`), or null at a root. */
export function parentPath(path: string): string | null {
  const i = path.lastIndexOf(':');
  return i < 0 ? null : path.slice(0, i);
}

/** Returns what is wrong with an account path, or null when it is fine. */
export function accountProblem(path: string): string | null {
  return accountPathProblem(path);
}

/** Returns an account as a sealed chart body carries it. */
export function accountToBody(a: Account): AccountBody {
  return {
    path: a.path,
    type: a.type,
    currency: a.currency,
    ...(a.fund === undefined ? {} : { fund: a.fund }),
    ...(a.names === undefined ? {} : { names: { ...a.names } }),
    ...(a.description === undefined ? {} : { description: a.description }),
    ...(a.member === undefined ? {} : { member: a.member }),
    ...(a.closed === undefined ? {} : { closed: a.closed }),
    ...(a.role === undefined ? {} : { role: a.role }),
  };
}

/** Returns the accounts of a chart body, as sealed in record `record`. */
export function accountsFromBody(body: BooksAccountsBody, record?: string): Account[] {
  return body.accounts.map((a) => ({
    path: a.path,
    type: a.type,
    currency: a.currency,
    ...(a.fund === undefined ? {} : { fund: a.fund }),
    ...(a.names === undefined ? {} : { names: a.names }),
    ...(a.description === undefined ? {} : { description: a.description }),
    ...(a.member === undefined ? {} : { member: a.member }),
    ...(a.closed === undefined ? {} : { closed: a.closed }),
    ...(a.role === undefined ? {} : { role: a.role }),
    ...(record === undefined ? {} : { record }),
  }));
}

/** Returns the body of a record that adds or changes `accounts` in the chart. */
export function accountsBody(
  accounts: readonly Account[],
  description?: string,
): BooksAccountsBody {
  return {
    books: BOOKS_VERSION,
    type: 'accounts',
    ...(description === undefined ? {} : { description }),
    accounts: accounts.map(accountToBody),
  };
}

// --- Transactions ---------------------------------------------------------------------------

/** One posting: `amount` (minor units of `currency`) to `account`, in `fund` when given. */
export interface Posting {
  readonly account: string;
  readonly amount: Amount;
  readonly currency: string;
  readonly fund?: string;
  readonly memo?: string;
}

/** What an account held at the end of a day, in one currency (a statement balance). */
export interface Assertion {
  readonly account: string;
  readonly amount: Amount;
  readonly currency: string;
}

/** Where an imported transaction came from: the sealed statement and its line. */
export interface Source {
  /** The id of the `document` record that sealed the statement file. */
  readonly statement: string;
  /** 1-based line (or section) of the statement. */
  readonly line: number;
  /** The bank's reference for the line, used to recognise it when re-imported. */
  readonly ref?: string;
}

/** A double-entry transaction. */
export interface Transaction {
  /** `YYYY-MM-DD`. */
  readonly date: string;
  readonly description: string;
  readonly counterparty?: string;
  readonly postings: readonly Posting[];
  /** Statement balances at the end of `date` (after every entry of that day). */
  readonly assertions?: readonly Assertion[];
  /** Ids of sealed `document` records (receipts, invoices, decisions); sealed as `refs`. */
  readonly documents: readonly string[];
  readonly source?: Source;
  readonly tags?: readonly string[];
  readonly meta?: Readonly<Record<string, string>>;
}

/** Statement balances with no posting: an imported statement's opening or closing balances. */
export interface StatementBalance {
  readonly date: string;
  readonly description?: string;
  readonly assertions: readonly Assertion[];
  readonly documents: readonly string[];
  readonly source?: Source;
}

/** What the chart says, as validation needs it. */
export interface ChartLookup {
  account(path: string): Account | undefined;
}

/**
 * Returns every problem with `tx`: its date, its postings (at least two, known currencies,
 * balance per currency and per fund), and, when `chart` is given, its accounts (declared, open,
 * in the posting's currency). An empty list means it can be sealed.
 */
export function transactionProblems(tx: Transaction, chart?: ChartLookup): string[] {
  const problems: string[] = [];
  if (!isFullDate(tx.date))
    problems.push(`the date ${JSON.stringify(tx.date)} is not a date such as 2025-03-01`);
  if (tx.description.trim() === '') problems.push('the description is empty');
  if (tx.postings.length < 2) problems.push('a transaction needs at least two postings');
  const sums = new Map<string, bigint>();
  tx.postings.forEach((p, i) => {
    const where = `posting ${i + 1} (${p.account})`;
    const pathProblem = accountPathProblem(p.account);
    if (pathProblem !== null) problems.push(`${where}: the account ${pathProblem}`);
    if (!isCurrency(p.currency)) {
      problems.push(`${where}: ${JSON.stringify(p.currency)} is not an ISO 4217 currency code`);
      return;
    }
    const key = `${p.currency}\u0000${p.fund ?? ''}`;
    sums.set(key, (sums.get(key) ?? 0n) + p.amount);
    if (chart !== undefined)
      problems.push(...accountUseProblems(chart, where, p.account, p.currency));
  });
  for (const [key, sum] of sums) {
    if (sum === 0n) continue;
    const [currency, fund] = key.split('\u0000') as [string, string];
    problems.push(
      `the postings in ${currency}${fund ? ` of fund ${JSON.stringify(fund)}` : ''} sum to ${formatAmount(sum, currency)}, not 0`,
    );
  }
  (tx.assertions ?? []).forEach((a, i) => {
    problems.push(...assertionProblems(a, `balance ${i + 1} (${a.account})`, chart));
  });
  problems.push(...referenceProblems(tx.documents, tx.source));
  return problems;
}

/** Returns every problem with statement balances, as `transactionProblems` does. */
export function statementBalanceProblems(b: StatementBalance, chart?: ChartLookup): string[] {
  const problems: string[] = [];
  if (!isFullDate(b.date))
    problems.push(`the date ${JSON.stringify(b.date)} is not a date such as 2025-03-01`);
  if (b.assertions.length === 0) problems.push('statement balances need at least one balance');
  b.assertions.forEach((a, i) => {
    problems.push(...assertionProblems(a, `balance ${i + 1} (${a.account})`, chart));
  });
  problems.push(...referenceProblems(b.documents, b.source));
  return problems;
}

/** Throws BooksError `books.invalid` listing every problem with `tx`; returns `tx` when it has none. */
export function checkTransaction(tx: Transaction, chart?: ChartLookup, line?: number): Transaction {
  const problems = transactionProblems(tx, chart);
  if (problems.length > 0) {
    throw new BooksError('books.invalid', `the transaction is not valid: ${problems.join('; ')}`, {
      ...(line === undefined ? {} : { line }),
      problems,
    });
  }
  return tx;
}

function assertionProblems(a: Assertion, where: string, chart?: ChartLookup): string[] {
  const out: string[] = [];
  const pathProblem = accountPathProblem(a.account);
  if (pathProblem !== null) out.push(`${where}: the account ${pathProblem}`);
  if (!isCurrency(a.currency)) {
    out.push(`${where}: ${JSON.stringify(a.currency)} is not an ISO 4217 currency code`);
    return out;
  }
  if (chart !== undefined) out.push(...accountUseProblems(chart, where, a.account, a.currency));
  return out;
}

function accountUseProblems(
  chart: ChartLookup,
  where: string,
  path: string,
  currency: string,
): string[] {
  const account = chart.account(path);
  if (account === undefined) {
    return [
      `${where}: the account is not in the chart; add it with \`tamga books accounts --add\``,
    ];
  }
  const out: string[] = [];
  if (account.closed === true) out.push(`${where}: the account is closed`);
  if (account.currency !== currency) {
    out.push(`${where}: the account is in ${account.currency}, not ${currency}`);
  }
  return out;
}

function referenceProblems(documents: readonly string[], source: Source | undefined): string[] {
  const out: string[] = [];
  for (const d of documents)
    if (!isRecordId(d)) out.push(`the document ${JSON.stringify(d)} is not a record id`);
  if (source !== undefined) {
    if (!isRecordId(source.statement))
      out.push(`the statement ${JSON.stringify(source.statement)} is not a record id`);
    if (!Number.isSafeInteger(source.line) || source.line < 1)
      out.push(`the statement line ${source.line} is not a line number`);
  }
  return out;
}

/** Returns `tx` with every posting negated: what a correction posts to undo it. */
export function reverseTransaction(tx: Transaction): Transaction {
  const { assertions: _dropped, ...rest } = tx;
  return { ...rest, postings: tx.postings.map((p) => ({ ...p, amount: -p.amount })) };
}

// --- Mapping to and from sealed records -------------------------------------------------------

/** A record to seal, short of its id, time and author: its body and its `refs`. */
export interface RecordDraft<B> {
  readonly body: B;
  readonly refs: readonly string[];
}

function postingBody(p: Posting): BooksEntryBody['postings'][number] {
  return {
    account: p.account,
    amount: formatAmount(p.amount, p.currency),
    currency: p.currency,
    ...(p.fund === undefined ? {} : { fund: p.fund }),
    ...(p.memo === undefined ? {} : { memo: p.memo }),
  };
}

function assertionBody(a: Assertion): { account: string; amount: string; currency: string } {
  return { account: a.account, amount: formatAmount(a.amount, a.currency), currency: a.currency };
}

function refsOf(documents: readonly string[], source: Source | undefined): string[] {
  const refs = [...documents];
  if (source !== undefined && !refs.includes(source.statement)) refs.push(source.statement);
  return [...new Set(refs)];
}

/** Returns the sealed body of `tx` (amounts as decimal strings). Does not validate. */
export function entryBody(tx: Transaction): BooksEntryBody {
  return {
    books: BOOKS_VERSION,
    type: 'entry',
    date: tx.date,
    description: tx.description,
    ...(tx.counterparty === undefined ? {} : { counterparty: tx.counterparty }),
    postings: tx.postings.map(postingBody),
    ...(tx.assertions === undefined || tx.assertions.length === 0
      ? {}
      : { assertions: tx.assertions.map(assertionBody) }),
    ...(tx.source === undefined ? {} : { source: { ...tx.source } }),
    ...(tx.tags === undefined || tx.tags.length === 0 ? {} : { tags: [...tx.tags] }),
    ...(tx.meta === undefined || Object.keys(tx.meta).length === 0 ? {} : { meta: { ...tx.meta } }),
  };
}

/**
 * Returns the `transaction` record draft of `tx`: its body, and as `refs` its documents and
 * its source statement. Throws BooksError `books.invalid` unless `tx` is valid (against
 * `chart` when given).
 */
export function transactionDraft(
  tx: Transaction,
  chart?: ChartLookup,
): RecordDraft<BooksEntryBody> {
  checkTransaction(tx, chart);
  return { body: entryBody(tx), refs: refsOf(tx.documents, tx.source) };
}

/** Returns the sealed body of statement balances. Does not validate. */
export function balanceBody(b: StatementBalance): BooksBalanceBody {
  return {
    books: BOOKS_VERSION,
    type: 'balance',
    date: b.date,
    ...(b.description === undefined ? {} : { description: b.description }),
    assertions: b.assertions.map(assertionBody),
    ...(b.source === undefined ? {} : { source: { ...b.source } }),
  };
}

/** Returns the `transaction` record draft of statement balances. Throws BooksError when invalid. */
export function statementBalanceDraft(
  b: StatementBalance,
  chart?: ChartLookup,
): RecordDraft<BooksBalanceBody> {
  const problems = statementBalanceProblems(b, chart);
  if (problems.length > 0) {
    throw new BooksError(
      'books.invalid',
      `the statement balances are not valid: ${problems.join('; ')}`,
      {
        problems,
      },
    );
  }
  return { body: balanceBody(b), refs: refsOf(b.documents, b.source) };
}

function amountOf(text: string, currency: string, where: string): Amount {
  try {
    return parseAmount(text, currency);
  } catch (e) {
    if (e instanceof BooksError) throw new BooksError(e.code, `${where}: ${e.message}`);
    throw e;
  }
}

/**
 * Returns the transaction a sealed entry body describes; `refs` are the record's refs (its
 * documents and statement). Throws BooksError when an amount has more decimals than its
 * currency or names an unknown currency (the record schema cannot know the currency table).
 */
export function transactionFromBody(body: BooksEntryBody, refs: readonly string[]): Transaction {
  const documents = refs.filter((r) => r !== body.source?.statement);
  return {
    date: body.date,
    description: body.description,
    ...(body.counterparty === undefined ? {} : { counterparty: body.counterparty }),
    postings: body.postings.map((p, i) => ({
      account: p.account,
      amount: amountOf(p.amount, p.currency, `posting ${i + 1}`),
      currency: p.currency,
      ...(p.fund === undefined ? {} : { fund: p.fund }),
      ...(p.memo === undefined ? {} : { memo: p.memo }),
    })),
    ...(body.assertions === undefined
      ? {}
      : {
          assertions: body.assertions.map((a, i) => ({
            account: a.account,
            amount: amountOf(a.amount, a.currency, `balance ${i + 1}`),
            currency: a.currency,
          })),
        }),
    documents,
    ...(body.source === undefined ? {} : { source: sourceFromBody(body.source) }),
    ...(body.tags === undefined ? {} : { tags: [...body.tags] }),
    ...(body.meta === undefined ? {} : { meta: { ...body.meta } }),
  };
}

function sourceFromBody(s: SourceBody): Source {
  return {
    statement: s.statement,
    line: s.line,
    ...(s.ref === undefined ? {} : { ref: s.ref }),
  };
}

/** Returns the statement balances a sealed `balance` body describes. Throws as `transactionFromBody`. */
export function statementBalanceFromBody(
  body: BooksBalanceBody,
  refs: readonly string[],
): StatementBalance {
  return {
    date: body.date,
    ...(body.description === undefined ? {} : { description: body.description }),
    assertions: body.assertions.map((a, i) => ({
      account: a.account,
      amount: amountOf(a.amount, a.currency, `balance ${i + 1}`),
      currency: a.currency,
    })),
    documents: refs.filter((r) => r !== body.source?.statement),
    ...(body.source === undefined ? {} : { source: sourceFromBody(body.source) }),
  };
}

/** The body of a correction record, as src/records/bodies.ts seals it. */
export interface CorrectionDraftBody {
  readonly corrects: string;
  readonly reason: string;
  readonly replacement?: BooksEntryBody | BooksBalanceBody;
}

/**
 * Returns the `correction` record draft that reverses record `corrects` (a transaction record,
 * or the latest correction of one) and, when `replacement` is given, posts it instead. Its
 * refs name the corrected record and the replacement's documents. Throws BooksError when the
 * reason is empty or the replacement is not valid.
 */
export function correctionDraft(
  corrects: string,
  reason: string,
  replacement?: Transaction | StatementBalance,
  chart?: ChartLookup,
): RecordDraft<CorrectionDraftBody> {
  if (!isRecordId(corrects)) {
    throw new BooksError('books.correction', `${JSON.stringify(corrects)} is not a record id`);
  }
  if (reason.trim() === '') {
    throw new BooksError(
      'books.correction',
      'a correction needs a reason; say why the entry was wrong',
    );
  }
  if (replacement === undefined) return { body: { corrects, reason }, refs: [corrects] };
  const draft =
    'postings' in replacement
      ? transactionDraft(replacement, chart)
      : statementBalanceDraft(replacement, chart);
  return {
    body: { corrects, reason, replacement: draft.body },
    refs: [corrects, ...draft.refs.filter((r) => r !== corrects)],
  };
}

/** Returns true when `text` is a decimal as records write amounts (`"1250.00"`). */
export function isDecimalText(text: string): boolean {
  return DECIMAL_AMOUNT.test(text);
}
