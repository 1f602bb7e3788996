/**
 * Searching records for the web app: the filters of `listRecords` (query.ts), newest first, a
 * page at a time, with the count of every match, and the sealed file closest by name to one
 * that is not sealed (a tampered copy, a later version).
 *
 * Tags are found through `record_tags`, an index derived from the records and brought up to
 * date before each search (a search after a seal indexes the new records only). Counts are kept
 * per filter until the log grows: the log is append-only, so a count changes only then.
 */
import type Database from 'better-sqlite3';
import type { TamgaRecord } from '../records/record.js';
import type { VaultDatabase } from './db.js';
import { logSize } from './log-store.js';
import type { RecordFilter } from './query.js';
import type { Vault } from './vault.js';

const TAG_INDEX_KEY = 'tagIndexSize';

interface SearchCache {
  readonly statements: Map<string, Database.Statement>;
  readonly counts: Map<string, number>;
  countsAt: number;
  indexedTo: number;
}

const caches = new WeakMap<VaultDatabase, SearchCache>();

function cacheOf(db: VaultDatabase): SearchCache {
  let c = caches.get(db);
  if (c === undefined) {
    c = { statements: new Map(), counts: new Map(), countsAt: -1, indexedTo: -1 };
    caches.set(db, c);
  }
  return c;
}

function statement(db: VaultDatabase, sql: string): Database.Statement {
  const c = cacheOf(db);
  let s = c.statements.get(sql);
  if (s === undefined) {
    s = db.prepare(sql);
    if (c.statements.size < 200) c.statements.set(sql, s);
  }
  return s;
}

/**
 * Indexes the tags of the records appended since the last call, up to `size`. Runs in one
 * write transaction per 10,000 records; a read-only database is left as it is.
 */
export function syncTagIndex(db: VaultDatabase, size: number): void {
  const c = cacheOf(db);
  if (c.indexedTo === size || db.readonly) return;
  const read = () =>
    Number(
      (
        statement(db, 'SELECT value FROM meta WHERE key = ?').get(TAG_INDEX_KEY) as
          | { value: string }
          | undefined
      )?.value ?? 0,
    );
  let from = read();
  while (from < size) {
    const to = Math.min(size, from + 10_000);
    db.transaction(() => {
      // Another process may have indexed meanwhile.
      if (read() !== from) return;
      const rows = statement(
        db,
        "SELECT idx, json FROM records WHERE idx >= ? AND idx < ? AND kind = 'document'",
      ).all(from, to) as Array<{ idx: number; json: string }>;
      const insert = statement(
        db,
        'INSERT OR IGNORE INTO record_tags (tag, record_idx) VALUES (?, ?)',
      );
      for (const r of rows) {
        const tags = (JSON.parse(r.json) as { body?: { tags?: unknown } }).body?.tags;
        if (Array.isArray(tags))
          for (const t of tags) if (typeof t === 'string') insert.run(t, r.idx);
      }
      statement(
        db,
        'INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value',
      ).run(TAG_INDEX_KEY, String(to));
    }).immediate();
    from = read();
  }
  c.indexedTo = size;
}

/** A record in a list: its log index and the record (no salt: a list discloses nothing). */
export interface ListedRecord {
  readonly index: number;
  readonly record: TamgaRecord;
}

function where(filter: RecordFilter): { sql: string; args: Array<string | number> } {
  const clauses: string[] = [];
  const args: Array<string | number> = [];
  if (filter.kind) {
    clauses.push('kind = ?');
    args.push(filter.kind);
  }
  if (filter.from) {
    clauses.push('created >= ?');
    args.push(filter.from);
  }
  if (filter.to) {
    clauses.push('created <= ?');
    args.push(/^\d{4}-\d{2}-\d{2}$/.test(filter.to) ? `${filter.to}T23:59:59Z` : filter.to);
  }
  if (filter.tag) {
    // The FROM clause joins record_tags as t (see `from`).
    clauses.push('t.tag = ?');
    args.push(filter.tag);
  }
  if (filter.text) {
    // Reads every record's body: the one filter without an index.
    const like = `%${filter.text.toLowerCase().replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
    clauses.push(
      "(EXISTS (SELECT 1 FROM json_tree(records.json, '$.body') WHERE type = 'text' AND unicode_lower(value) LIKE ? ESCAPE '\\')" +
        " OR EXISTS (SELECT 1 FROM record_files f WHERE f.record_idx = records.idx AND unicode_lower(f.name) LIKE ? ESCAPE '\\'))",
    );
    args.push(like, like);
  }
  return { sql: clauses.length ? ` WHERE ${clauses.join(' AND ')}` : '', args };
}

/**
 * Returns how many records match `filter` and the log indexes of one page of them, newest
 * first: by log index, or by date when the filter has dates (records are appended in time
 * order, nearly always). Reads indexes only, no record: a caller that keeps what it rendered
 * (records never change) reads only the records it does not hold (`readRecords`).
 */
export function searchRecordIndexes(
  vault: Vault,
  filter: RecordFilter & { limit: number; offset: number },
): { total: number; indexes: number[] } {
  const db = vault.db;
  const size = logSize(db);
  if (filter.tag) syncTagIndex(db, size);
  // Only documents have tags: a tag alone (or with kind document) reads only the tag index
  // until the page is known.
  const tagOnly =
    filter.tag &&
    !filter.from &&
    !filter.to &&
    !filter.text &&
    (filter.kind ?? 'document') === 'document';
  const w = tagOnly ? { sql: ' WHERE t.tag = ?', args: [filter.tag as string] } : where(filter);
  // With a tag, walk that tag's index newest first; with dates, the dates' index; else the log.
  const from = filter.tag ? 'record_tags t JOIN records ON records.idx = t.record_idx' : 'records';
  const order = filter.tag
    ? 't.record_idx DESC'
    : filter.from || filter.to
      ? 'created DESC, idx DESC'
      : 'idx DESC';
  const c = cacheOf(db);
  if (c.countsAt !== size) {
    c.counts.clear();
    c.countsAt = size;
  }
  const key = JSON.stringify([w.sql, w.args]);
  let total = c.counts.get(key);
  if (total === undefined) {
    total = (
      statement(db, `SELECT COUNT(*) AS n FROM ${tagOnly ? 'record_tags t' : from}${w.sql}`).get(
        ...w.args,
      ) as { n: number }
    ).n;
    if (c.counts.size >= 1000) c.counts.clear();
    c.counts.set(key, total);
  }
  const indexes = statement(
    db,
    tagOnly
      ? 'SELECT record_idx FROM record_tags t WHERE t.tag = ? ORDER BY record_idx DESC LIMIT ? OFFSET ?'
      : `SELECT records.idx FROM ${from}${w.sql} ORDER BY ${order} LIMIT ? OFFSET ?`,
  )
    .raw()
    .all(...w.args, filter.limit, filter.offset)
    .map((row) => (row as [number])[0]);
  return { total, indexes };
}

/** Returns the records at `indexes`, in that order (those that exist). */
export function readRecords(vault: Vault, indexes: readonly number[]): ListedRecord[] {
  if (indexes.length === 0) return [];
  const rows = statement(
    vault.db,
    'SELECT idx, json FROM records WHERE idx IN (SELECT value FROM json_each(?))',
  ).all(JSON.stringify(indexes)) as Array<{ idx: number; json: string }>;
  const byIndex = new Map(rows.map((r) => [r.idx, r.json]));
  return indexes.flatMap((index) => {
    const json = byIndex.get(index);
    return json === undefined ? [] : [{ index, record: JSON.parse(json) as TamgaRecord }];
  });
}

/** Returns how many records match `filter` and one page of them (see searchRecordIndexes). */
export function searchRecords(
  vault: Vault,
  filter: RecordFilter & { limit: number; offset: number },
): { total: number; items: ListedRecord[] } {
  const { total, indexes } = searchRecordIndexes(vault, filter);
  return { total, items: readRecords(vault, indexes) };
}

/** Returns how many records there are of each kind. */
export function countByKind(vault: Vault): Record<string, number> {
  const rows = vault.db
    .prepare('SELECT kind, COUNT(*) AS n FROM records GROUP BY kind')
    .all() as Array<{ kind: string; n: number }>;
  return Object.fromEntries(rows.map((r) => [r.kind, r.n]));
}

/** A sealed file named like another. */
export interface NamedFile {
  readonly index: number;
  readonly name: string;
  readonly sha256: string;
  readonly size: number;
}

/**
 * Returns the sealed file whose name is closest to `name` and whose contents are not `sha256`:
 * the latest with the same name (ignoring case), else, among names that share the name's stem
 * (before its extension), the one nearest by edit distance. Null when none is close.
 */
export function closestByName(vault: Vault, name: string, sha256: string): NamedFile | null {
  const base = name.split(/[\\/]/).pop() ?? name;
  const same = vault.db
    .prepare(
      'SELECT record_idx AS "index", name, sha256, size FROM record_files WHERE unicode_lower(name) = ? AND sha256 != ? ORDER BY record_idx DESC LIMIT 1',
    )
    .get(base.toLowerCase(), sha256) as NamedFile | undefined;
  if (same !== undefined) return same;
  const stem = base.replace(/\.[^.]{1,10}$/, '').toLowerCase();
  if (stem.length < 3) return null;
  const like = `%${stem.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
  const candidates = vault.db
    .prepare(
      'SELECT record_idx AS "index", name, sha256, size FROM record_files WHERE unicode_lower(name) LIKE ? ESCAPE \'\\\' AND sha256 != ? ORDER BY record_idx DESC LIMIT 50',
    )
    .all(like, sha256) as NamedFile[];
  let best: NamedFile | null = null;
  let bestDistance = Number.POSITIVE_INFINITY;
  for (const c of candidates) {
    const d = editDistance(c.name.toLowerCase(), base.toLowerCase());
    if (d < bestDistance) {
      best = c;
      bestDistance = d;
    }
  }
  return best;
}

/** Levenshtein distance, on names of bounded length. */
function editDistance(a: string, b: string): number {
  const s = a.slice(0, 256);
  const t = b.slice(0, 256);
  let prev = Array.from({ length: t.length + 1 }, (_, j) => j);
  for (let i = 1; i <= s.length; i++) {
    const cur = [i];
    for (let j = 1; j <= t.length; j++) {
      cur.push(
        Math.min(prev[j]! + 1, cur[j - 1]! + 1, prev[j - 1]! + (s[i - 1] === t[j - 1] ? 0 : 1)),
      );
    }
    prev = cur;
  }
  return prev[t.length]!;
}
