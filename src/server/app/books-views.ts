/**
 * The books as the web app shows them: the sealed books read once per change of the log
 * (`BooksReader`), and the views of api-books.ts built from them — accounts with balances,
 * entries as they stand with their versions, reports, the property register. Amounts leave here
 * as decimal strings; no bigint reaches JSON.
 */

import { AccountSuggester } from '../../books/import/rules.js';
import type { Ledger, LedgerEntry } from '../../books/ledger.js';
import { formatAmount, type Posting } from '../../books/model.js';
import type { PropertyItem } from '../../books/property.js';
import type { Report } from '../../books/reports.js';
import {
  DEFAULT_SUSPENSE,
  entryExamples,
  readSealedBooks,
  type SealedBooks,
} from '../../books/sealed-books.js';
import { readLedger, readPropertyRegister } from '../../books/vault-books.js';
import { logSize } from '../../vault/log-store.js';
import type { Vault } from '../../vault/vault.js';
import type {
  BooksAccountsResponse,
  BooksAccountView,
  BooksEntryResponse,
  BooksEntryView,
  BooksMappingsResponse,
  BooksMappingView,
  BooksPostingView,
  BooksReportResponse,
  PropertyItemView,
} from './api-books.js';

/** An entry as it stands: its original, its corrections in log order, the version in force. */
export interface EntryChain {
  /** The original record's id. */
  readonly id: string;
  readonly index: number;
  /** The record whose version is in force. */
  readonly current: string;
  readonly status: 'original' | 'corrected' | 'void';
  /** The version shown: the one in force, or for a void entry the one it voided. */
  readonly shown: LedgerEntry;
  readonly original: LedgerEntry | undefined;
  readonly corrections: ReadonlyArray<{
    readonly record: string;
    readonly index: number;
    readonly replacement: LedgerEntry | undefined;
  }>;
}

interface Memo {
  ledger?: Ledger;
  sealed?: SealedBooks;
  chains?: { list: EntryChain[]; byId: Map<string, EntryChain> };
  suggester?: AccountSuggester;
  property?: PropertyItem[];
}

/**
 * The sealed books of the vault, read lazily and kept until a record that can change them is
 * sealed (a transaction, correction, document or asset; activity records do not). Sealed
 * records never change, so what was read stays right until the log grows.
 */
export class BooksReader {
  private vault: Vault | null = null;
  private size = -1;
  private memo: Memo = {};

  private fresh(vault: Vault): Memo {
    const size = logSize(vault.db);
    if (vault !== this.vault) {
      this.vault = vault;
      this.memo = {};
    } else if (size !== this.size) {
      const touched =
        size < this.size ||
        vault.db
          .prepare(
            "SELECT 1 FROM records WHERE idx >= ? AND kind IN ('transaction', 'correction', 'document', 'asset') LIMIT 1",
          )
          .get(this.size) !== undefined;
      if (touched) this.memo = {};
    }
    this.size = size;
    return this.memo;
  }

  /** The ledger (entries, chart, versions). */
  ledger(vault: Vault): Ledger {
    const m = this.fresh(vault);
    m.ledger ??= readLedger(vault);
    return m.ledger;
  }

  /** The books as import and diff read them (statements, mappings, entries in force). */
  sealed(vault: Vault): SealedBooks {
    const m = this.fresh(vault);
    m.sealed ??= readSealedBooks(vault);
    return m.sealed;
  }

  /** Every entry as it stands, newest date first, and by the id of any of its records. */
  chains(vault: Vault): { list: readonly EntryChain[]; byId: ReadonlyMap<string, EntryChain> } {
    // One snapshot: the chains are built from the ledger of the same memo, never from a ledger
    // read before another process sealed.
    const m = this.fresh(vault);
    m.ledger ??= readLedger(vault);
    m.chains ??= entryChains(m.ledger);
    return m.chains;
  }

  /** What the entry form suggests, learned from the entries sealed so far. */
  suggester(vault: Vault): AccountSuggester {
    const m = this.fresh(vault);
    m.sealed ??= readSealedBooks(vault);
    m.suggester ??= new AccountSuggester(entryExamples(m.sealed));
    return m.suggester;
  }

  /** The property register. */
  property(vault: Vault): readonly PropertyItem[] {
    const m = this.fresh(vault);
    m.property ??= readPropertyRegister(vault).items;
    return m.property;
  }
}

function entryChains(ledger: Ledger): { list: EntryChain[]; byId: Map<string, EntryChain> } {
  const parts = new Map<
    string,
    {
      original?: LedgerEntry;
      corrections: Map<string, { index: number; replacement?: LedgerEntry }>;
    }
  >();
  for (const e of ledger.entries) {
    let p = parts.get(e.chain);
    if (p === undefined) {
      p = { corrections: new Map() };
      parts.set(e.chain, p);
    }
    if (e.kind === 'original') p.original = e;
    else {
      const c = p.corrections.get(e.record) ?? { index: e.index };
      if (e.kind === 'replacement') c.replacement = e;
      p.corrections.set(e.record, c);
    }
  }
  const list: EntryChain[] = [];
  const byId = new Map<string, EntryChain>();
  for (const [id, p] of parts) {
    const corrections = [...p.corrections]
      .map(([record, c]) => ({ record, index: c.index, replacement: c.replacement }))
      .sort((a, b) => a.index - b.index);
    const current = ledger.versions.get(id)?.current ?? id;
    const inForce =
      current === id ? p.original : corrections.find((c) => c.record === current)?.replacement;
    // A void entry shows the version it voided: the latest with postings before it.
    const shown =
      inForce ??
      [p.original, ...corrections.map((c) => c.replacement)]
        .filter((e): e is LedgerEntry => e !== undefined && e.index < indexOf(current, corrections))
        .pop();
    if (shown === undefined) continue;
    const chain: EntryChain = {
      id,
      index: p.original?.index ?? shown.index,
      current,
      status: current === id ? 'original' : inForce === undefined ? 'void' : 'corrected',
      shown,
      original: p.original,
      corrections,
    };
    list.push(chain);
    byId.set(id, chain);
    for (const c of corrections) byId.set(c.record, chain);
  }
  list.sort((a, b) =>
    a.shown.date !== b.shown.date ? (a.shown.date < b.shown.date ? 1 : -1) : b.index - a.index,
  );
  return { list, byId };
}

function indexOf(record: string, corrections: ReadonlyArray<{ record: string; index: number }>) {
  return corrections.find((c) => c.record === record)?.index ?? Number.MAX_SAFE_INTEGER;
}

/** Returns the posting as the API shows it. */
export function postingView(p: Posting): BooksPostingView {
  return {
    account: p.account,
    amount: formatAmount(p.amount, p.currency),
    currency: p.currency,
    ...(p.fund === undefined ? {} : { fund: p.fund }),
  };
}

/** Who sealed a record and when, and a correction's reason. */
interface RecordMeta {
  readonly created: string;
  readonly author: string;
  readonly reason: string | null;
}

function recordMeta(vault: Vault): (id: string) => RecordMeta {
  const get = vault.db.prepare(
    "SELECT created, json_extract(json, '$.author') AS author, json_extract(json, '$.body.reason') AS reason FROM records WHERE id = ?",
  );
  return (id) =>
    (get.get(id) as RecordMeta | undefined) ?? { created: '', author: '', reason: null };
}

/** Returns the views of `chains`, with who sealed each record and when. */
export function entryViews(vault: Vault, chains: readonly EntryChain[]): BooksEntryView[] {
  const meta = recordMeta(vault);
  return chains.map((c) => entryView(c, meta));
}

function entryView(c: EntryChain, meta: (id: string) => RecordMeta): BooksEntryView {
  const original = meta(c.id);
  const e = c.shown;
  const source = e.source ?? c.original?.source;
  return {
    id: c.id,
    current: c.current,
    index: c.index,
    created: original.created,
    author: original.author,
    date: e.date,
    description: e.description,
    ...(e.counterparty === undefined ? {} : { counterparty: e.counterparty }),
    postings: e.postings.map(postingView),
    documents: [...e.documents],
    ...(source === undefined ? {} : { source: { statement: source.statement, line: source.line } }),
    status: c.status,
    corrections: c.corrections.map((k) => {
      const m = meta(k.record);
      return {
        id: k.record,
        created: m.created,
        author: m.author,
        reason: m.reason ?? '',
        void: k.replacement === undefined,
      };
    }),
  };
}

/** Returns the entry with every version, the original first. */
export function entryResponse(vault: Vault, c: EntryChain): BooksEntryResponse {
  const meta = recordMeta(vault);
  const content = (e: LedgerEntry | undefined) =>
    e === undefined
      ? {}
      : {
          date: e.date,
          description: e.description,
          ...(e.counterparty === undefined ? {} : { counterparty: e.counterparty }),
          postings: e.postings.map(postingView),
        };
  const original = meta(c.id);
  return {
    entry: entryView(c, meta),
    versions: [
      {
        record: c.id,
        kind: 'transaction',
        created: original.created,
        author: original.author,
        ...content(c.original),
      },
      ...c.corrections.map((k) => {
        const m = meta(k.record);
        return {
          record: k.record,
          kind: 'correction' as const,
          created: m.created,
          author: m.author,
          reason: m.reason ?? '',
          ...content(k.replacement),
        };
      }),
    ],
  };
}

/** Returns true when `entry`'s shown version matches the list's filters. */
export function entryMatches(
  c: EntryChain,
  filter: {
    from?: string | undefined;
    to?: string | undefined;
    account?: string | undefined;
    text?: string | undefined;
  },
): boolean {
  const e = c.shown;
  if (filter.from !== undefined && e.date < filter.from) return false;
  if (filter.to !== undefined && e.date > filter.to) return false;
  if (filter.account !== undefined) {
    const a = filter.account;
    if (!e.postings.some((p) => p.account === a || p.account.startsWith(`${a}:`))) return false;
  }
  if (filter.text !== undefined) {
    const t = filter.text.toLowerCase();
    const fields = [e.description, e.counterparty ?? '', ...e.postings.map((p) => p.account)];
    if (!fields.some((f) => f.toLowerCase().includes(t))) return false;
  }
  return true;
}

/** Returns the chart with each account's balance, and what the accounts screen needs. */
export function accountsResponse(ledger: Ledger, sealed: SealedBooks): BooksAccountsResponse {
  // Own postings per account and currency: the balance of an account adds its subaccounts'.
  const own = new Map<string, Map<string, { sum: bigint; count: number }>>();
  for (const e of ledger.entries) {
    for (const p of e.postings) {
      let byCurrency = own.get(p.account);
      if (byCurrency === undefined) {
        byCurrency = new Map();
        own.set(p.account, byCurrency);
      }
      const s = byCurrency.get(p.currency) ?? { sum: 0n, count: 0 };
      s.sum += p.amount;
      s.count++;
      byCurrency.set(p.currency, s);
    }
  }
  const accounts: BooksAccountView[] = ledger.chart.accounts().map((a) => {
    let balance = 0n;
    for (const [path, byCurrency] of own) {
      if (path === a.path || path.startsWith(`${a.path}:`)) {
        balance += byCurrency.get(a.currency)?.sum ?? 0n;
      }
    }
    let postings = 0;
    for (const s of own.get(a.path)?.values() ?? []) postings += s.count;
    return {
      path: a.path,
      type: a.type,
      currency: a.currency,
      ...(a.fund === undefined ? {} : { fund: a.fund }),
      names: { ...(a.names ?? {}) },
      ...(a.description === undefined ? {} : { description: a.description }),
      ...(a.member === undefined ? {} : { member: a.member }),
      ...(a.role === undefined ? {} : { role: a.role }),
      closed: a.closed === true,
      ...(a.record === undefined ? {} : { record: a.record }),
      balance: formatAmount(balance, a.currency),
      postings,
    };
  });
  const bankAccounts = new Set<string>();
  for (const s of sealed.statements) for (const p of Object.values(s.accounts)) bankAccounts.add(p);
  return {
    accounts,
    bankAccounts: [...bankAccounts].sort(),
    mappings: [...sealed.mappings.keys()].sort(),
    suspense: DEFAULT_SUSPENSE,
    problems: ledger.problems.map((p) => ({ record: p.record, message: p.message })),
  };
}

/**
 * Returns the saved CSV column mappings, the latest of each name, sorted by name. A sealed
 * mapping whose JSON is not an object (sealed by hand, never by Tamga) is left out.
 */
export function mappingsResponse(sealed: SealedBooks): BooksMappingsResponse {
  const mappings: BooksMappingView[] = [];
  // In the order of booksAccountsResponse.mappings (UTF-16 code units).
  const names = [...sealed.mappings.keys()].sort();
  for (const name of names) {
    const { id, json } = sealed.mappings.get(name)!;
    let mapping: unknown;
    try {
      mapping = JSON.parse(json);
    } catch {
      continue;
    }
    if (typeof mapping !== 'object' || mapping === null || Array.isArray(mapping)) continue;
    mappings.push({ name, record: id, mapping: mapping as Record<string, unknown> });
  }
  return { mappings };
}

/** Returns the report as the API shows it. */
export function reportView(report: Report): BooksReportResponse {
  return {
    kind: report.kind,
    ...(report.from === undefined ? {} : { from: report.from }),
    ...(report.to === undefined ? {} : { to: report.to }),
    columns: report.columns.map((c) => ({
      key: c.key,
      title: c.title,
      ...(c.amount === undefined ? {} : { amount: c.amount }),
    })),
    rows: report.rows.map((r) => ({
      values: { ...r.values },
      records: [...r.records],
      ...(r.total === undefined ? {} : { total: r.total }),
    })),
    notes: [...report.notes],
  };
}

function valuationView(v: PropertyItem['valuation']) {
  return v === undefined
    ? {}
    : {
        valuation: {
          amount: formatAmount(v.amount, v.currency),
          currency: v.currency,
          ...(v.basis === undefined ? {} : { basis: v.basis }),
        },
      };
}

/** Returns an asset and its history as the API shows it. */
export function propertyItemView(it: PropertyItem): PropertyItemView {
  return {
    record: it.record,
    name: it.name,
    category: it.category,
    ...(it.location === undefined ? {} : { location: it.location }),
    ...(it.registration === undefined ? {} : { registration: it.registration }),
    ...(it.account === undefined ? {} : { account: it.account }),
    ...valuationView(it.valuation),
    ...(it.transferredTo === undefined ? {} : { transferredTo: it.transferredTo }),
    disposed: it.disposed,
    titleDocuments: [...it.titleDocuments],
    events: it.events.map((e) => ({
      record: e.record,
      event: e.event,
      ...(e.date === undefined ? {} : { date: e.date }),
      description: e.description,
      ...valuationView(e.valuation),
      ...(e.transfer === undefined ? {} : { transfer: { ...e.transfer } }),
      documents: [...e.documents],
    })),
    corrections: it.corrections.map((c) => ({ ...c })),
  };
}
