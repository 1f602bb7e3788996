/**
 * The search index: `record_text` (SQLite FTS5, contentless: each record's words as written,
 * their Russian stems and their Kyrgyz stems, by log index) and `record_tags` (each document's
 * tags, case-folded). Both are derived from the records and can be rebuilt from them at any time;
 * meta `searchIndexSize` says how many records they cover.
 *
 * The sequencer indexes each batch in the transaction that appends it (`indexAppended`), so a
 * record is found as soon as it is acknowledged. Records that arrived another way (a vault
 * restored from a mirror, one upgraded from schema 3) are indexed by the next search
 * (`syncSearchIndex`), once, in transactions of 10,000 records.
 */
import Database from 'better-sqlite3';
import type { TamgaRecord } from '../../records/record.js';
import type { VaultDatabase } from '../db.js';
import { VaultError } from '../errors.js';
import { logSize } from '../log-store.js';
import { foldCase, searchableText } from './text.js';

/** The meta key that says how many records the index covers. */
export const SEARCH_INDEX_KEY = 'searchIndexSize';

const CHUNK = 10_000;

interface Statements {
  readonly readSize: Database.Statement;
  readonly writeSize: Database.Statement;
  readonly insertText: Database.Statement;
  readonly insertTag: Database.Statement;
  readonly records: Database.Statement;
}

const prepared = new WeakMap<VaultDatabase, Statements>();

function statements(db: VaultDatabase): Statements {
  let s = prepared.get(db);
  if (s === undefined) {
    s = {
      readSize: db.prepare('SELECT value FROM meta WHERE key = ?'),
      writeSize: db.prepare(
        'INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value',
      ),
      insertText: db.prepare('INSERT INTO record_text (rowid, words, ru, ky) VALUES (?, ?, ?, ?)'),
      insertTag: db.prepare('INSERT OR IGNORE INTO record_tags (tag, record_idx) VALUES (?, ?)'),
      records: db.prepare('SELECT idx, json FROM records WHERE idx >= ? AND idx < ? ORDER BY idx'),
    };
    prepared.set(db, s);
  }
  return s;
}

/** How many records the index covers (from the first). */
export function indexedSize(db: VaultDatabase): number {
  const row = statements(db).readSize.get(SEARCH_INDEX_KEY) as { value: string } | undefined;
  return row === undefined ? 0 : Number(row.value);
}

/** Indexes the record at `index` whose canonical JSON is `json`. */
function indexOne(s: Statements, index: number, json: string): void {
  let record: TamgaRecord;
  try {
    record = JSON.parse(json) as TamgaRecord;
  } catch {
    // Not JSON: nothing to find it by (fsck reports the record itself).
    s.insertText.run(index, '', '', '');
    return;
  }
  let text = { words: '', ru: '', ky: '' };
  try {
    text = searchableText(record);
  } catch {
    // A record of a shape the code does not know (a damaged vault): indexed as empty.
  }
  s.insertText.run(index, text.words, text.ru, text.ky);
  const tags = record.kind === 'document' ? (record.body as { tags?: unknown }).tags : undefined;
  if (Array.isArray(tags)) {
    for (const t of tags) if (typeof t === 'string') s.insertTag.run(foldCase(t), index);
  }
}

/**
 * Indexes a batch the sequencer is appending at `firstIndex`, inside its transaction. Does
 * nothing when the index does not end where the batch begins: the next search catches up.
 */
export function indexAppended(
  db: VaultDatabase,
  firstIndex: number,
  entries: ReadonlyArray<{ readonly json: string }>,
): void {
  if (indexedSize(db) !== firstIndex) return;
  const s = statements(db);
  entries.forEach((e, i) => {
    indexOne(s, firstIndex + i, e.json);
  });
  s.writeSize.run(SEARCH_INDEX_KEY, String(firstIndex + entries.length));
}

/** Indexes records up to `size` on `db`, a connection that may write. */
function catchUp(db: VaultDatabase, size: number): void {
  const s = statements(db);
  for (;;) {
    const done = db
      .transaction(() => {
        // Read inside the write transaction: another process may have indexed meanwhile.
        const from = indexedSize(db);
        const now = logSize(db);
        if (from > now) {
          // The log is shorter than what was indexed (a database rolled back by hand): the
          // rows past its end name records that are gone.
          db.prepare('DELETE FROM record_text WHERE rowid >= ?').run(now);
          db.prepare('DELETE FROM record_tags WHERE record_idx >= ?').run(now);
          s.writeSize.run(SEARCH_INDEX_KEY, String(now));
          return false;
        }
        if (from >= Math.min(size, now)) return true;
        const to = Math.min(now, from + CHUNK);
        for (const r of s.records.all(from, to) as Array<{ idx: number; json: string }>) {
          indexOne(s, r.idx, r.json);
        }
        s.writeSize.run(SEARCH_INDEX_KEY, String(to));
        return false;
      })
      .immediate();
    if (done) return;
  }
}

/**
 * Brings the index up to the log's size. On a read-only connection the work is done on a
 * connection of its own, as a schema upgrade is. Throws VaultError `vault.search-index` when the
 * index lacks records and the vault cannot be written here.
 */
export function syncSearchIndex(db: VaultDatabase): void {
  const size = logSize(db);
  if (indexedSize(db) === size) return;
  if (!db.readonly) {
    catchUp(db, size);
    return;
  }
  let writer: VaultDatabase | null = null;
  try {
    writer = new Database(db.name, { fileMustExist: true });
    writer.pragma('busy_timeout = 10000');
    catchUp(writer, size);
  } catch (e) {
    throw new VaultError(
      'vault.search-index',
      `the search index covers ${indexedSize(db)} of the ${size} records and cannot be brought up to date here (${(e as Error).message}); run the search once where the vault may be written`,
      { cause: e },
    );
  } finally {
    writer?.close();
  }
}
