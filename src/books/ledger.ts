/**
 * The ledger: the sealed books records, in log order, turned into dated entries. Corrections
 * reverse and replace; nothing disappears. Each entry keeps the id of the record that posted
 * it, so every figure a report shows can be traced to sealed records.
 *
 * Loading trusts that records passed `parseRecord` when they were sealed (the vault's gate);
 * it re-checks only what that gate cannot (ISO 4217 codes and decimals per currency) and lists
 * what it leaves out in `problems`, never silently.
 */
import type { BooksBalanceBody, BooksBody, BooksEntryBody } from '../records/books.js';
import { Chart } from './chart.js';
import {
  type Account,
  type Assertion,
  BooksError,
  type Posting,
  type Source,
  statementBalanceFromBody,
  transactionFromBody,
} from './model.js';

/** A record as the ledger reads it: its log index, kind, id, refs and body. */
export interface LedgerInput {
  readonly index: number;
  readonly record: {
    readonly kind: string;
    readonly id: string;
    readonly created: string;
    readonly body: unknown;
    readonly refs: readonly string[];
  };
}

/** How an entry came to be: sealed as such, undoing a version, or a correction's replacement. */
export type EntryKind = 'original' | 'reversal' | 'replacement';

/** One dated, balanced entry of the ledger. */
export interface LedgerEntry {
  /** The record that posted it: a `transaction`, or the `correction` for reversals and replacements. */
  readonly record: string;
  /** The log index of that record. */
  readonly index: number;
  readonly kind: EntryKind;
  readonly date: string;
  readonly description: string;
  readonly counterparty?: string;
  readonly postings: readonly Posting[];
  readonly documents: readonly string[];
  readonly source?: Source;
  readonly tags?: readonly string[];
  /** The original transaction record of the chain this entry belongs to. */
  readonly chain: string;
  /** For a reversal: the record whose version it undoes. */
  readonly reverses?: string;
  /** Set when a later correction reversed this entry: that correction's id. */
  reversedBy?: string;
}

/** A statement balance in force: what an account held at the end of `date`. */
export interface LedgerAssertion extends Assertion {
  readonly date: string;
  /** The record that sealed it (a transaction, or a correction's replacement). */
  readonly record: string;
  readonly index: number;
  readonly source?: Source;
}

/** Something in the log the ledger could not use, and why. */
export interface LedgerProblem {
  readonly record: string;
  readonly message: string;
}

/** The loaded books. */
export interface Ledger {
  readonly chart: Chart;
  /** Entries sorted by date, then log index (reversals before the replacement of one correction). */
  readonly entries: readonly LedgerEntry[];
  /** Statement balances in force (those of reversed versions are left out), sorted by date. */
  readonly assertions: readonly LedgerAssertion[];
  readonly problems: readonly LedgerProblem[];
  /**
   * Every version of every entry or statement balance, by record id: the chain's original
   * record and its current version (what a new correction should name).
   */
  readonly versions: ReadonlyMap<string, { readonly original: string; readonly current: string }>;
  /** The log size the ledger was read up to (one past the last index read). */
  readonly logSize: number;
}

/** What `loadLedger` reads. */
export interface LedgerOptions {
  /** Read only records with a log index below this: the books as they stood at that size. */
  readonly upTo?: number;
}

interface Version {
  readonly record: string;
  readonly entry?: LedgerEntry;
  readonly assertions: readonly LedgerAssertion[];
}

interface ChainState {
  readonly original: string;
  current: Version;
}

function isBooks(body: unknown): body is BooksBody {
  return typeof body === 'object' && body !== null && (body as { books?: unknown }).books === 1;
}

/**
 * Returns the ledger of `records` (in log order: transactions and corrections; other kinds are
 * ignored). Never throws for a bad record: it lists it in `problems`.
 */
export function loadLedger(records: Iterable<LedgerInput>, options: LedgerOptions = {}): Ledger {
  const accounts: Account[] = [];
  const entries: LedgerEntry[] = [];
  const problems: LedgerProblem[] = [];
  const chains = new Map<string, ChainState>();
  const live = new Set<LedgerAssertion>();
  let logSize = 0;

  const version = (
    id: string,
    index: number,
    body: BooksEntryBody | BooksBalanceBody,
    refs: readonly string[],
    kind: EntryKind,
    chain: string,
  ): Version => {
    if (body.type === 'entry') {
      const tx = transactionFromBody(body, refs);
      const entry: LedgerEntry = {
        record: id,
        index,
        kind,
        date: tx.date,
        description: tx.description,
        ...(tx.counterparty === undefined ? {} : { counterparty: tx.counterparty }),
        postings: tx.postings,
        documents: tx.documents,
        ...(tx.source === undefined ? {} : { source: tx.source }),
        ...(tx.tags === undefined ? {} : { tags: tx.tags }),
        chain,
      };
      return {
        record: id,
        entry,
        assertions: assertionsOf(tx.assertions ?? [], tx.date, id, index, tx.source),
      };
    }
    const b = statementBalanceFromBody(body, refs);
    return { record: id, assertions: assertionsOf(b.assertions, b.date, id, index, b.source) };
  };

  for (const { index, record } of records) {
    if (options.upTo !== undefined && index >= options.upTo) break;
    logSize = index + 1;
    try {
      if (record.kind === 'transaction') {
        const body = record.body;
        if (!isBooks(body)) {
          problems.push({
            record: record.id,
            message:
              'a transaction sealed before the books (no "books" in its body); not in the figures',
          });
          continue;
        }
        if (body.type === 'accounts') {
          for (const a of body.accounts) {
            accounts.push({
              path: a.path,
              type: a.type,
              currency: a.currency,
              ...(a.fund === undefined ? {} : { fund: a.fund }),
              ...(a.names === undefined ? {} : { names: a.names }),
              ...(a.description === undefined ? {} : { description: a.description }),
              ...(a.member === undefined ? {} : { member: a.member }),
              ...(a.closed === undefined ? {} : { closed: a.closed }),
              ...(a.role === undefined ? {} : { role: a.role }),
              record: record.id,
            });
          }
          continue;
        }
        const v = version(record.id, index, body, record.refs, 'original', record.id);
        if (v.entry !== undefined) entries.push(v.entry);
        for (const a of v.assertions) live.add(a);
        chains.set(record.id, { original: record.id, current: v });
      } else if (record.kind === 'correction') {
        const body = record.body as { corrects?: unknown; replacement?: unknown };
        const corrects = typeof body.corrects === 'string' ? body.corrects : '';
        const chain = chains.get(corrects);
        if (chain === undefined) continue; // corrects something other than a books entry
        if (chain.current.record !== corrects) {
          problems.push({
            record: record.id,
            message: `corrects ${corrects}, which ${chain.current.record} had already corrected; applied to the current version ${chain.current.record}`,
          });
        }
        // Parse the replacement before undoing anything: a bad one leaves the chain as it was.
        const replacement =
          isBooks(body.replacement) && body.replacement.type !== 'accounts'
            ? version(
                record.id,
                index,
                body.replacement,
                record.refs.filter((r) => r !== corrects),
                'replacement',
                chain.original,
              )
            : undefined;
        const old = chain.current;
        if (old.entry !== undefined) {
          old.entry.reversedBy = record.id;
          entries.push({
            record: record.id,
            index,
            kind: 'reversal',
            date: old.entry.date,
            description: old.entry.description,
            ...(old.entry.counterparty === undefined
              ? {}
              : { counterparty: old.entry.counterparty }),
            postings: old.entry.postings.map((p) => ({ ...p, amount: -p.amount })),
            documents: old.entry.documents,
            chain: chain.original,
            reverses: old.record,
          });
        }
        for (const a of old.assertions) live.delete(a);
        const next: Version = replacement ?? { record: record.id, assertions: [] };
        if (next.entry !== undefined) entries.push(next.entry);
        for (const a of next.assertions) live.add(a);
        chain.current = next;
        chains.set(record.id, chain);
      }
    } catch (e) {
      if (!(e instanceof BooksError)) throw e;
      problems.push({ record: record.id, message: `${e.message}; not in the figures` });
    }
  }

  const chart = new Chart(accounts);
  const undeclared = new Set<string>();
  for (const e of entries) {
    for (const p of e.postings) {
      if (chart.account(p.account) === undefined && !undeclared.has(p.account)) {
        undeclared.add(p.account);
        problems.push({
          record: e.record,
          message: `posts to ${p.account}, which the chart does not declare; add it with \`tamga books accounts --add\``,
        });
      }
    }
  }
  entries.sort(byDateThenLog);
  const assertions = [...live].sort((a, b) =>
    a.date < b.date ? -1 : a.date > b.date ? 1 : a.index - b.index,
  );
  const versions = new Map<string, { original: string; current: string }>();
  for (const [id, c] of chains)
    versions.set(id, { original: c.original, current: c.current.record });
  return { chart, entries, assertions, problems, versions, logSize };
}

function assertionsOf(
  list: readonly Assertion[],
  date: string,
  record: string,
  index: number,
  source: Source | undefined,
): LedgerAssertion[] {
  return list.map((a) => ({
    ...a,
    date,
    record,
    index,
    ...(source === undefined ? {} : { source }),
  }));
}

const KIND_ORDER: Readonly<Record<EntryKind, number>> = {
  original: 0,
  reversal: 1,
  replacement: 2,
};

function byDateThenLog(a: LedgerEntry, b: LedgerEntry): number {
  if (a.date !== b.date) return a.date < b.date ? -1 : 1;
  return a.index - b.index || KIND_ORDER[a.kind] - KIND_ORDER[b.kind];
}

/** Returns the accounts the ledger's entries post to, or the chart declares, sorted. */
export function ledgerAccounts(ledger: Ledger): string[] {
  const set = new Set<string>();
  for (const a of ledger.chart.accounts()) set.add(a.path);
  for (const e of ledger.entries) for (const p of e.postings) set.add(p.account);
  for (const a of ledger.assertions) set.add(a.account);
  return [...set].sort();
}
