/**
 * Reading the books as the vault has sealed them, for importing statements and comparing
 * ledgers: the chart (every `accounts` body folded in log order), the entries and statement
 * balances in force (each correction replacing, or removing, the current version of what it
 * corrects), and the statements and CSV mappings sealed as documents.
 *
 * The core ledger (src/books/ledger.ts, when it lands) is the reference reading; this one reads
 * only what import and diff need, in one pass over the log.
 */
import type { BooksBalanceBody, BooksBody, BooksEntryBody } from '../records/books.js';
import { RECORD_LIMITS } from '../records/fields.js';
import type { TamgaRecord } from '../records/record.js';
import type { Vault } from '../vault/vault.js';
import type { BooksDraft } from './drafts.js';
import { type CsvMapping, parseCsvMapping } from './import/csv.js';
import { StatementError } from './import/errors.js';
import type { Example } from './import/rules.js';
import {
  type Account,
  accountsFromBody,
  type StatementBalance,
  statementBalanceFromBody,
  type Transaction,
  transactionFromBody,
} from './model.js';

/** Default account where unmatched lines go (`:<CUR>` is added for a currency other than its own). */
export const DEFAULT_SUSPENSE = 'Assets:Suspense';
/** Default equity account a first statement's opening balance is posted against. */
export const DEFAULT_OPENING = 'Equity:Opening balances';

/** Tag of the `document` records that seal statement files. */
export const STATEMENT_TAG = 'bank-statement';
/** Tag of the `document` records that seal CSV column mappings. */
export const MAPPING_TAG = 'csv-mapping';

/** An entry in force, and the record that put it there (the entry, or its latest correction). */
export interface SealedEntry {
  /** The id of the original entry: what a correction names. */
  readonly id: string;
  /** The record whose body is in force (the entry, or the correction that replaced it). */
  readonly recordId: string;
  readonly index: number;
  readonly tx: Transaction;
}

/** A sealed statement file. */
export interface SealedStatement {
  readonly id: string;
  readonly sha256: string;
  /** The books account each bank account of the statement was imported into. */
  readonly accounts: Readonly<Record<string, string>>;
}

/** The books as sealed. */
export interface SealedBooks {
  readonly chart: Map<string, Account>;
  readonly entries: SealedEntry[];
  readonly balances: Array<{ id: string; balance: StatementBalance }>;
  readonly statements: SealedStatement[];
  /** CSV mappings by name: the latest sealed. */
  readonly mappings: Map<string, { id: string; json: string }>;
}

interface Row {
  idx: number;
  id: string;
  json: string;
}

/** Reads the sealed books of `vault` in one pass over its transaction, correction and document records. */
export function readSealedBooks(vault: Vault): SealedBooks {
  const rows = vault.db
    .prepare(
      "SELECT idx, id, json FROM records WHERE kind IN ('transaction', 'correction', 'document') ORDER BY idx",
    )
    .iterate() as Iterable<Row>;
  const chart = new Map<string, Account>();
  const entries = new Map<string, SealedEntry>();
  const balances = new Map<string, StatementBalance>();
  const rootOf = new Map<string, string>();
  const statements: SealedStatement[] = [];
  const mappings = new Map<string, { id: string; json: string }>();
  for (const row of rows) {
    // Documents are many (scans); only statements and mappings matter here.
    if (row.json.includes('"kind":"document"')) {
      if (!row.json.includes(STATEMENT_TAG) && !row.json.includes(MAPPING_TAG)) continue;
    }
    const record = JSON.parse(row.json) as TamgaRecord;
    if (record.kind === 'document') {
      const meta = record.body.meta;
      if (record.body.tags.includes(STATEMENT_TAG) && record.files[0] !== undefined) {
        const accounts: Record<string, string> = {};
        for (const [k, v] of Object.entries(meta)) {
          if (k.startsWith('account:')) accounts[k.slice(8)] = v;
        }
        statements.push({ id: record.id, sha256: record.files[0].sha256, accounts });
      } else if (record.body.tags.includes(MAPPING_TAG) && meta.name && meta.mapping) {
        mappings.set(meta.name, { id: record.id, json: meta.mapping });
      }
      continue;
    }
    if (record.kind === 'transaction') {
      // Records passed the vault's gate (parseRecord) when sealed: a books body is one. A
      // transaction sealed before the books has no "books" field, and is not ours to read.
      if ((record.body as { books?: unknown }).books === undefined) continue;
      const body = record.body as unknown as BooksBody;
      if (body.type === 'accounts') {
        for (const a of accountsFromBody(body, record.id)) chart.set(a.path, a);
      } else if (body.type === 'entry') {
        entries.set(record.id, {
          id: record.id,
          recordId: record.id,
          index: row.idx,
          tx: transactionFromBody(body, record.refs),
        });
      } else {
        balances.set(record.id, statementBalanceFromBody(body, record.refs));
      }
      continue;
    }
    if (record.kind === 'correction') {
      const corrects = record.body.corrects;
      const root = rootOf.get(corrects) ?? corrects;
      rootOf.set(record.id, root);
      const replacement = (record.body as { replacement?: unknown }).replacement;
      const refs = record.refs.filter((r) => r !== corrects);
      if (replacement === undefined) {
        entries.delete(root);
        balances.delete(root);
        continue;
      }
      const body = replacement as BooksEntryBody | BooksBalanceBody;
      if (body.type === 'entry') {
        entries.set(root, {
          id: root,
          recordId: record.id,
          index: row.idx,
          tx: transactionFromBody(body, refs),
        });
      } else if (body.type === 'balance') balances.set(root, statementBalanceFromBody(body, refs));
    }
  }
  return {
    chart,
    entries: [...entries.values()],
    balances: [...balances.entries()].map(([id, balance]) => ({ id, balance })),
    statements,
    mappings,
  };
}

/** Returns the CSV mapping saved as `name`, or null when none is. Throws StatementError for a bad one. */
export function savedMapping(
  books: Pick<SealedBooks, 'mappings'>,
  name: string,
): CsvMapping | null {
  const saved = books.mappings.get(name);
  return saved === undefined ? null : parseCsvMapping(JSON.parse(saved.json));
}

/**
 * Returns the draft of the `document` record that saves `mapping` as `name`, as `savedMapping`
 * reads it back: tagged MAPPING_TAG, the name and the mapping's JSON in its meta. The CLI's
 * import and the web app's mapping route both seal this. Throws StatementError `csv.mapping`
 * when the mapping's JSON is longer than a document's meta value may be.
 */
export function mappingDocumentDraft(
  name: string,
  mapping: CsvMapping,
): BooksDraft & { readonly kind: 'document' } {
  const json = JSON.stringify(mapping);
  if (json.length > RECORD_LIMITS.maxPath) {
    throw new StatementError(
      'csv.mapping',
      null,
      `the column mapping is ${json.length} characters of JSON; at most ${RECORD_LIMITS.maxPath} can be saved: shorten the column names (or give positions)`,
    );
  }
  return {
    kind: 'document',
    body: {
      path: '',
      title: `CSV column mapping ${name}`,
      tags: [MAPPING_TAG],
      meta: { name, mapping: json },
    },
    refs: [],
  };
}

/** True when the latest mapping saved as `name` is `mapping` already: saving it again adds nothing. */
export function isSavedMapping(
  books: Pick<SealedBooks, 'mappings'>,
  name: string,
  mapping: CsvMapping,
): boolean {
  return books.mappings.get(name)?.json === JSON.stringify(mapping);
}

/** The balance of each account at the end of each day it moved: for `balanceAt` lookups. */
export class BalanceIndex {
  private readonly days = new Map<string, { dates: string[]; sums: bigint[] }>();

  constructor(entries: Iterable<{ tx: Transaction }>) {
    const moves = new Map<string, Map<string, bigint>>();
    for (const { tx } of entries) {
      for (const p of tx.postings) {
        let m = moves.get(p.account);
        if (m === undefined) {
          m = new Map();
          moves.set(p.account, m);
        }
        m.set(tx.date, (m.get(tx.date) ?? 0n) + p.amount);
      }
    }
    for (const [account, m] of moves) {
      const dates = [...m.keys()].sort();
      let sum = 0n;
      const sums = dates.map((d) => {
        sum += m.get(d)!;
        return sum;
      });
      this.days.set(account, { dates, sums });
    }
  }

  /** True when the account has any posting. */
  has(account: string): boolean {
    return this.days.has(account);
  }

  /** The account's balance at the end of `date` (its own postings, not its subaccounts'). */
  at(account: string, date: string): bigint {
    const d = this.days.get(account);
    if (d === undefined) return 0n;
    let lo = 0;
    let hi = d.dates.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (d.dates[mid]! <= date) lo = mid + 1;
      else hi = mid;
    }
    return lo === 0 ? 0n : d.sums[lo - 1]!;
  }
}

/**
 * The earlier choices of accounts: each entry of exactly two postings, one of them on a bank
 * account (one an imported statement was posted to), the other not suspense nor opening equity.
 */
export function examplesOf(
  entries: Iterable<{ tx: Transaction }>,
  bankAccounts: ReadonlySet<string>,
  excluded: (account: string) => boolean,
): Example[] {
  const out: Example[] = [];
  for (const { tx } of entries) {
    if (tx.postings.length !== 2) continue;
    const [a, b] = tx.postings as [
      Transaction['postings'][number],
      Transaction['postings'][number],
    ];
    const bank = bankAccounts.has(a.account) ? a : bankAccounts.has(b.account) ? b : null;
    if (bank === null) continue;
    const other = bank === a ? b : a;
    if (bankAccounts.has(other.account) || excluded(other.account)) continue;
    out.push({
      direction: bank.amount < 0n ? 'out' : 'in',
      counterparty: tx.counterparty ?? '',
      text: tx.description,
      account: other.account,
    });
  }
  return out;
}

/**
 * The earlier choices the entry form's suggestions learn from: entries between a money account
 * (one a statement was imported into, or an open asset account of the chart) and one other
 * account, leaving out suspense and opening balances (by role, or the import's defaults).
 */
export function entryExamples(books: SealedBooks): Example[] {
  const holding = new Set<string>();
  const money = new Set<string>();
  for (const s of books.statements) for (const p of Object.values(s.accounts)) money.add(p);
  for (const a of books.chart.values()) {
    if (a.role === 'suspense' || a.role === 'opening-balances') holding.add(a.path);
    else if (a.type === 'assets' && a.closed !== true) money.add(a.path);
  }
  const excluded = (account: string) =>
    holding.has(account) ||
    [DEFAULT_SUSPENSE, DEFAULT_OPENING].some((d) => account === d || account.startsWith(`${d}:`));
  return examplesOf(books.entries, money, excluded);
}
