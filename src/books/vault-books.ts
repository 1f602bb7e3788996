/**
 * The books on a vault (I/O): reading the sealed books records into a ledger, and turning
 * drafts into sealed entries that go through the records gate (`parseRecordCanonical`) and are
 * appended in one batch, so that nothing is partially written.
 */
import { randomBytes } from 'node:crypto';
import type { AssetBody } from '../records/bodies.js';
import { commitCanonical } from '../records/commitment.js';
import { newRecordId } from '../records/id.js';
import { parseRecordCanonical, type TamgaRecord } from '../records/record.js';
import type { VaultKeys } from '../vault/keys.js';
import type { SealedEntry } from '../vault/sequencer.js';
import type { Vault } from '../vault/vault.js';
import type { BooksDraft } from './drafts.js';
import { type Ledger, type LedgerInput, type LedgerOptions, loadLedger } from './ledger.js';
import { BooksError, type ChartLookup, parseAmount } from './model.js';
import { type PropertyItem, propertyRegister } from './property.js';

/** Yields the vault's transaction and correction records in log order, parsed but not re-validated. */
export function* booksRecords(vault: Vault, options: LedgerOptions = {}): Generator<LedgerInput> {
  const rows = vault.db
    .prepare(
      "SELECT idx, json FROM records WHERE kind IN ('transaction', 'correction') AND idx < ? ORDER BY idx",
    )
    .iterate(options.upTo ?? Number.MAX_SAFE_INTEGER) as IterableIterator<{
    idx: number;
    json: string;
  }>;
  for (const row of rows) {
    // Sealed records passed parseRecord when they were sealed, so the shape is the schema's.
    yield { index: row.idx, record: JSON.parse(row.json) as TamgaRecord };
  }
}

/**
 * Returns the property register of the vault's `asset` records (and their corrections), and the
 * asset events that name no registered asset (`orphans`).
 */
export function readPropertyRegister(vault: Vault): { items: PropertyItem[]; orphans: string[] } {
  const rows = vault.db
    .prepare("SELECT idx, json FROM records WHERE kind IN ('asset', 'correction') ORDER BY idx")
    .all() as { idx: number; json: string }[];
  return propertyRegister(
    rows.map((r) => ({ index: r.idx, record: JSON.parse(r.json) as TamgaRecord })),
  );
}

/** Returns the ledger of the vault's sealed books (as of log size `upTo` when given). */
export function readLedger(vault: Vault, options: LedgerOptions = {}): Ledger {
  const size = (vault.db.prepare('SELECT COUNT(*) AS n FROM records').get() as { n: number }).n;
  const ledger = loadLedger(booksRecords(vault, options), options);
  return { ...ledger, logSize: Math.min(options.upTo ?? size, size) };
}

export type { BooksDraft } from './drafts.js';

/** Who seals and when; randomness for ids and salts. Tests pass fixed ones. */
export interface SealContext {
  readonly author: string;
  readonly now?: Date;
  readonly random?: (n: number) => Uint8Array;
}

/**
 * Returns the drafts as records and sealed entries, each checked by the records gate. Throws
 * SchemaError naming the draft and field when one does not pass; nothing is written here.
 */
export function booksEntries(
  drafts: readonly BooksDraft[],
  context: SealContext,
): { records: TamgaRecord[]; entries: SealedEntry[] } {
  const now = context.now ?? new Date();
  const random = context.random ?? ((n: number) => new Uint8Array(randomBytes(n)));
  const created = `${now.toISOString().slice(0, 19)}Z`;
  const records: TamgaRecord[] = [];
  const entries: SealedEntry[] = [];
  const decoder = new TextDecoder();
  for (const d of drafts) {
    const { record, canonical } = parseRecordCanonical({
      kind: d.kind,
      id: newRecordId(now.getTime(), random(10)),
      created,
      author: context.author,
      body: d.body,
      files: d.files ?? [],
      refs: [...d.refs],
    });
    const salt = random(32);
    records.push(record);
    entries.push({
      id: record.id,
      kind: record.kind,
      created: record.created,
      json: decoder.decode(canonical),
      salt,
      commitment: commitCanonical(canonical, salt),
      files: record.files.map((f) => ({ sha256: f.sha256, name: f.name, size: f.size })),
    });
  }
  return { records, entries };
}

/**
 * Returns the ids among `ids` that are not records of the vault (of kind `kind` when given),
 * so a transaction cannot name a document that was never sealed.
 */
export function missingRecords(vault: Vault, ids: readonly string[], kind?: string): string[] {
  const get = vault.db.prepare('SELECT kind FROM records WHERE id = ?');
  return ids.filter((id) => {
    const row = get.get(id) as { kind: string } | undefined;
    return row === undefined || (kind !== undefined && row.kind !== kind);
  });
}

/** What a property record says: an `asset` body, its description optional. */
export type PropertyChange = Omit<AssetBody, 'description'> & {
  readonly description?: string | undefined;
};

/**
 * Returns the draft of the `asset` record of `change`: a registration (no `asset`), or an event
 * of a registered asset (valuation, transfer, disposal, update). The records it names go into
 * its refs. Throws BooksError `books.property` when the asset is not a registered one, the event
 * lacks what it records, or the account or valuation does not fit the books, and
 * `books.missing-record` when a named document is not sealed.
 */
export function propertyDraft(
  vault: Vault,
  chart: ChartLookup,
  change: PropertyChange,
): BooksDraft {
  const refuse = (message: string) => new BooksError('books.property', message);
  if (change.asset === undefined) {
    if (change.event !== undefined && change.event !== 'register') {
      throw refuse(`a ${change.event} is of a registered asset: name the asset`);
    }
  } else {
    const row = vault.db
      .prepare("SELECT kind, json_extract(json, '$.body.asset') AS asset FROM records WHERE id = ?")
      .get(change.asset) as { kind: string; asset: string | null } | undefined;
    if (row === undefined || row.kind !== 'asset' || row.asset !== null) {
      throw refuse(`${change.asset} is not the record that registered an asset`);
    }
    if (change.event === undefined || change.event === 'register') {
      throw refuse(
        'the asset is registered already: say which event this is (valuation, transfer, disposal or update)',
      );
    }
  }
  if (change.event === 'transfer' && change.transfer === undefined) {
    throw refuse('a transfer says to whom and by what decision');
  }
  if (change.event === 'valuation' && change.valuation === undefined) {
    throw refuse('a valuation gives the amount');
  }
  if (change.valuation !== undefined)
    parseAmount(change.valuation.amount, change.valuation.currency);
  if (change.account !== undefined) {
    const a = chart.account(change.account);
    if (a === undefined || a.closed === true) {
      throw refuse(`the account ${change.account} is not an open account of the chart`);
    }
  }
  const named = [
    ...(change.titleDocuments ?? []),
    ...[change.transfer?.decisionRecord, change.transfer?.agreement].filter(
      (id): id is string => id !== undefined,
    ),
  ];
  const missing = missingRecords(vault, [...new Set(named)]);
  if (missing.length > 0) {
    throw new BooksError(
      'books.missing-record',
      `${missing.join(', ')} ${missing.length === 1 ? 'is' : 'are'} not sealed in this vault; seal the title documents, decision and agreement first (\`tamga seal FILE\`), then name their record ids`,
    );
  }
  const { description, ...rest } = change;
  const body: AssetBody = { ...rest, description: description ?? '' };
  const refs = [...(change.asset === undefined ? [] : [change.asset]), ...named];
  return { kind: 'asset', body, refs: [...new Set(refs)] };
}

/**
 * Seals `drafts` in one batch (one SQLite transaction and one checkpoint): all or nothing.
 * Returns the sealed records and the log index of the first. Throws SchemaError for a draft
 * the records gate refuses, BooksError when a named document is not in the vault.
 */
export function sealBooks(
  vault: Vault,
  keys: VaultKeys,
  drafts: readonly BooksDraft[],
  context: SealContext,
): { records: TamgaRecord[]; firstIndex: number } {
  if (drafts.length === 0) return { records: [], firstIndex: -1 };
  const { records, entries } = booksEntries(drafts, context);
  const ownIds = new Set(records.map((r) => r.id));
  const missing = missingRecords(
    vault,
    [...new Set(records.flatMap((r) => r.refs))].filter((id) => !ownIds.has(id)),
  );
  if (missing.length > 0) {
    throw new BooksError(
      'books.missing-record',
      `${missing.join(', ')} ${missing.length === 1 ? 'is' : 'are'} not sealed in this vault; seal the documents first (\`tamga seal FILE\`), then name their record ids`,
    );
  }
  const result = vault.sequencer(keys).append(entries);
  return { records, firstIndex: result.firstIndex };
}
