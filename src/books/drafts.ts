/**
 * From what people write to books records ready to seal, the same for the CLI and the web app:
 * a transaction (or statement balances) given as JSON, with decimal strings and the account's
 * currency and fund by default; accounts added or changed; a correction of an entry's current
 * version. Each draft is checked against the chart; nothing here reads or writes a vault.
 *
 * Errors are BooksError: `books.input` for input of the wrong shape (an amount that is not a
 * decimal string), `books.invalid` for a transaction the books refuse, `books.accounts` for
 * accounts, `books.unknown-entry` and `books.superseded` for corrections. Each carries every
 * problem found in `problems`.
 */
import type { TamgaRecord } from '../records/record.js';
import { accountChangeProblems } from './chart.js';
import type { Ledger } from './ledger.js';
import {
  type Account,
  type AccountRole,
  type AccountType,
  type Assertion,
  accountsBody,
  BooksError,
  type ChartLookup,
  correctionDraft,
  DEFAULT_CURRENCY,
  type Posting,
  parseAmount,
  type StatementBalance,
  statementBalanceDraft,
  type Transaction,
  transactionDraft,
} from './model.js';

/**
 * A books record to seal: its kind, body and refs (ids, time and author are filled in). A
 * `document` draft is a saved CSV column mapping (sealed-books.ts, `mappingDocumentDraft`).
 */
export interface BooksDraft {
  readonly kind: 'transaction' | 'correction' | 'asset' | 'document';
  readonly body: unknown;
  readonly refs: readonly string[];
  readonly files?: TamgaRecord['files'];
}

// --- Entries ------------------------------------------------------------------------------------

type JsonObject = Readonly<Record<string, unknown>>;

function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Returns the transaction (or, with no postings but balances, the statement balances) that a
 * JSON entry describes: `{date, description, counterparty, postings: [{account, amount,
 * currency, fund, memo}], assertions: [{account, amount, currency}], documents, tags, meta}`.
 * Amounts are decimal strings in the currency, which defaults to the account's (then KGS); a
 * posting's fund defaults to its account's. Does not check balance or accounts (`entryDraft`
 * does). Throws BooksError `books.input` listing every amount or shape problem.
 */
export function entryFromJson(value: unknown, chart: ChartLookup): Transaction | StatementBalance {
  if (!isObject(value)) {
    throw new BooksError(
      'books.input',
      'the transaction must be a JSON object with date, description and postings',
    );
  }
  const problems: string[] = [];
  const amountOf = (text: unknown, currency: string, where: string): bigint => {
    if (typeof text !== 'string') {
      problems.push(
        `${where}: write the amount as a string such as "1250.00" (JSON numbers are not exact)`,
      );
      return 0n;
    }
    try {
      return parseAmount(text, currency);
    } catch (e) {
      if (!(e instanceof BooksError)) throw e;
      problems.push(`${where}: ${e.message}`);
      return 0n;
    }
  };
  const str = (o: JsonObject, key: string) =>
    typeof o[key] === 'string' ? (o[key] as string) : undefined;
  const documents = Array.isArray(value.documents) ? value.documents.map(String) : [];
  const assertions: Assertion[] = (Array.isArray(value.assertions) ? value.assertions : []).map(
    (a: unknown, i: number) => {
      const x = isObject(a) ? a : {};
      const account = String(x.account ?? '');
      const currency = str(x, 'currency') ?? chart.account(account)?.currency ?? DEFAULT_CURRENCY;
      return { account, amount: amountOf(x.amount, currency, `balance ${i + 1}`), currency };
    },
  );
  const given = Array.isArray(value.postings) ? value.postings : [];
  if (given.length === 0 && assertions.length === 0) {
    throw new BooksError('books.input', 'the transaction has no postings');
  }
  const postings: Posting[] = given.map((p: unknown, i: number) => {
    const x = isObject(p) ? p : {};
    const account = String(x.account ?? '');
    const declared = chart.account(account);
    const currency = str(x, 'currency') ?? declared?.currency ?? DEFAULT_CURRENCY;
    const fund = str(x, 'fund') ?? declared?.fund;
    const memo = str(x, 'memo');
    return {
      account,
      amount: amountOf(x.amount, currency, `posting ${i + 1}`),
      currency,
      ...(fund === undefined ? {} : { fund }),
      ...(memo === undefined ? {} : { memo }),
    };
  });
  if (problems.length > 0) {
    throw new BooksError('books.input', problems.join('; '), { problems });
  }
  const description = str(value, 'description');
  if (postings.length === 0) {
    return {
      date: String(value.date ?? ''),
      ...(description === undefined ? {} : { description }),
      assertions,
      documents,
    };
  }
  const counterparty = str(value, 'counterparty');
  return {
    date: String(value.date ?? ''),
    description: String(value.description ?? ''),
    ...(counterparty === undefined ? {} : { counterparty }),
    postings,
    ...(assertions.length > 0 ? { assertions } : {}),
    documents,
    ...(Array.isArray(value.tags) ? { tags: value.tags.map(String) } : {}),
    ...(isObject(value.meta) ? { meta: value.meta as Readonly<Record<string, string>> } : {}),
  };
}

/**
 * Returns the draft of a transaction (or statement balances) checked against `chart`: balanced
 * per currency and fund, every account declared, open and in the posting's currency. Throws
 * BooksError `books.invalid` listing every problem.
 */
export function entryDraft(entry: Transaction | StatementBalance, chart: ChartLookup): BooksDraft {
  const d =
    'postings' in entry ? transactionDraft(entry, chart) : statementBalanceDraft(entry, chart);
  return { kind: 'transaction', body: d.body, refs: d.refs };
}

/** How `correctionOf` treats an id that is not the current version of its entry. */
export type CorrectedVersion = 'required' | 'followed';

/**
 * Returns the draft of a correction of the entry `id` names (an entry, or any correction of
 * one): it reverses the current version and, when `replacement` is given, posts it. With
 * `version` `required` (the CLI's), `id` must be the current version; `followed` corrects the
 * current version of the entry `id` belongs to. A replacement that names no source keeps the
 * statement line the corrected version was imported from. Throws BooksError `books.unknown-entry` when `id`
 * is no books entry of `ledger`, `books.superseded` when a newer version must be named, and as
 * `correctionDraft`.
 */
export function correctionOf(
  ledger: Pick<Ledger, 'versions' | 'chart' | 'entries'>,
  id: string,
  reason: string,
  replacement: Transaction | StatementBalance | undefined,
  version: CorrectedVersion,
): BooksDraft {
  const wanted = id.toUpperCase();
  const found = ledger.versions.get(wanted);
  if (found === undefined) {
    throw new BooksError(
      'books.unknown-entry',
      `${id} is not a sealed books transaction or correction in this vault`,
    );
  }
  if (version === 'required' && found.current !== wanted) {
    throw new BooksError(
      'books.superseded',
      `${id} was already corrected; correct its current version ${found.current} instead`,
    );
  }
  // A replacement of an imported line is still that line: it keeps the statement line it came
  // from, so importing an overlapping statement again knows the line.
  const source = ledger.entries.find(
    (e) => e.record === found.current && e.kind !== 'reversal',
  )?.source;
  const kept =
    replacement !== undefined && replacement.source === undefined && source !== undefined
      ? { ...replacement, source }
      : replacement;
  const d = correctionDraft(found.current, reason, kept, ledger.chart);
  return { kind: 'correction', body: d.body, refs: d.refs };
}

// --- Accounts -----------------------------------------------------------------------------------

/** An account to add or change: what is given replaces, what is left out stays as it was. */
export interface AccountChange {
  readonly path: string;
  readonly type: AccountType;
  readonly currency?: string | undefined;
  readonly fund?: string | undefined;
  /** Names by language, merged into the account's names. */
  readonly names?: Readonly<Partial<Record<string, string>>> | undefined;
  readonly description?: string | undefined;
  readonly member?: string | undefined;
  readonly role?: AccountRole | undefined;
  readonly closed?: boolean | undefined;
}

/**
 * Returns the account `change` makes of `old` (undefined for a new account): given fields
 * replace, names are merged by language, the currency defaults to the old one, then KGS.
 */
export function changedAccount(old: Account | undefined, change: AccountChange): Account {
  const { record: _record, ...base } = old ?? {};
  const names: Record<string, string> = { ...(old?.names ?? {}) };
  for (const [language, name] of Object.entries(change.names ?? {})) {
    if (name !== undefined) names[language] = name;
  }
  return {
    ...base,
    path: change.path,
    type: change.type,
    currency: change.currency ?? old?.currency ?? DEFAULT_CURRENCY,
    ...(change.fund === undefined ? {} : { fund: change.fund }),
    ...(Object.keys(names).length === 0 ? {} : { names }),
    ...(change.description === undefined ? {} : { description: change.description }),
    ...(change.member === undefined ? {} : { member: change.member }),
    ...(change.role === undefined ? {} : { role: change.role }),
    ...(change.closed === undefined ? {} : { closed: change.closed }),
  };
}

/**
 * Returns the draft of an `accounts` record adding or changing `accounts` in the ledger's chart.
 * The type and currency of an account that has postings may not change. Throws BooksError
 * `books.accounts` listing every problem (see `accountChangeProblems`).
 */
export function accountsDraft(
  ledger: Pick<Ledger, 'chart' | 'entries'>,
  accounts: readonly Account[],
): BooksDraft {
  const chart = ledger.chart;
  const clean = accounts.map(({ record: _record, ...a }) => a);
  const problems = accountChangeProblems(chart, clean);
  const changing = new Set(
    clean
      .filter((a) => {
        const old = chart.account(a.path);
        return old !== undefined && (old.type !== a.type || old.currency !== a.currency);
      })
      .map((a) => a.path),
  );
  if (changing.size > 0) {
    const posted = new Set<string>();
    for (const e of ledger.entries) {
      for (const p of e.postings) if (changing.has(p.account)) posted.add(p.account);
    }
    for (const path of posted) {
      const old = chart.account(path)!;
      problems.push(
        `account ${JSON.stringify(path)} has postings: its type (${old.type}) and currency (${old.currency}) cannot change`,
      );
    }
  }
  if (problems.length > 0) {
    throw new BooksError('books.accounts', `the accounts are not valid: ${problems.join('; ')}`, {
      problems,
    });
  }
  return { kind: 'transaction', body: accountsBody(clean), refs: [] };
}
