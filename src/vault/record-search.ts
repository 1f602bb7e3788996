/**
 * Searching records, for the web app's record list and `tamga ls` alike: the filters of
 * `RecordFilter` (query.ts), a page at a time, with the count of every match, and the sealed file
 * closest by name to one that is not sealed (a tampered copy, a later version).
 *
 * Text is found through the search index (src/vault/search/): word forms of Russian and Kyrgyz
 * meet at their stems, case is folded with Unicode's rules, `key=value` finds a metadata entry.
 * Tags are compared case-folded through `record_tags`. Both indexes are derived from the records
 * and brought up to date before a search that needs them. Without a kind, activity records (the
 * web app's own log of who did what, which has its own screen) are left out. Counts are kept per
 * filter until the log grows: the log is append-only, so a count changes only then.
 */
import type Database from 'better-sqlite3';
import type { TamgaRecord } from '../records/record.js';
import type { VaultDatabase } from './db.js';
import { logSize } from './log-store.js';
import type { RecordFilter } from './query.js';
import { foldCase, ftsQuery, parseQuery } from './search/text.js';
import { syncSearchIndex } from './search/text-index.js';
import type { Vault } from './vault.js';

interface SearchCache {
  readonly statements: Map<string, Database.Statement>;
  readonly counts: Map<string, number>;
  countsAt: number;
}

const caches = new WeakMap<VaultDatabase, SearchCache>();

function cacheOf(db: VaultDatabase): SearchCache {
  let c = caches.get(db);
  if (c === undefined) {
    c = { statements: new Map(), counts: new Map(), countsAt: -1 };
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

/** A record in a list: its log index and the record (no salt: a list discloses nothing). */
export interface ListedRecord {
  readonly index: number;
  readonly record: TamgaRecord;
}

/** A search: the filter, one page, and how the page is ordered. */
export interface RecordSearch extends RecordFilter {
  readonly limit: number;
  readonly offset: number;
  /**
   * `newest` (the default): newest first, by log index, or by date when the filter has dates.
   * `log`: in log order, oldest first, as `tamga ls` lists.
   */
  readonly order?: 'newest' | 'log';
  /** Lists activity records too when no kind is given (default: false). */
  readonly withActivity?: boolean;
}

/** LIKE's pattern for `text` anywhere, its wildcards escaped. */
const likeAnywhere = (text: string) => `%${text.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;

/**
 * The FROM and WHERE of a search, and the log index column `at` to order by. A tag drives the
 * search from the tag index; else dates from the dates' index; else a text query from the
 * full-text index: so that a page of a rare tag, a short period or a rare word is found without
 * walking the log, and a common one stops after a page.
 */
function plan(filter: RecordSearch): {
  from: string;
  at: string;
  sql: string;
  args: Array<string | number>;
} {
  const clauses: string[] = [];
  const args: Array<string | number> = [];
  let from = 'records';
  let at = 'records.idx';
  const terms = filter.text ? parseQuery(filter.text) : [];
  const fts = terms.map(ftsQuery).filter((q): q is string => q !== null);
  if (filter.tag) {
    clauses.push('t.tag = ?');
    args.push(foldCase(filter.tag));
    // Only documents have tags: a tag alone (or with kind document) needs no record read.
    const tagOnly =
      fts.length === 0 &&
      terms.length === 0 &&
      !filter.from &&
      !filter.to &&
      (filter.kind ?? 'document') === 'document';
    if (tagOnly)
      return { from: 'record_tags t', at: 't.record_idx', sql: ' WHERE t.tag = ?', args };
    from = 'record_tags t CROSS JOIN records ON records.idx = t.record_idx';
    at = 't.record_idx';
  } else if (fts.length > 0 && !filter.from && !filter.to) {
    from = 'record_text CROSS JOIN records ON records.idx = record_text.rowid';
    at = 'record_text.rowid';
  }
  if (fts.length > 0) {
    clauses.push(
      at === 'record_text.rowid'
        ? 'record_text MATCH ?'
        : 'records.idx IN (SELECT rowid FROM record_text WHERE record_text MATCH ?)',
    );
    args.push(fts.join(' AND '));
  }
  if (filter.kind) {
    clauses.push('records.kind = ?');
    args.push(filter.kind);
  } else if (filter.withActivity !== true) {
    clauses.push("records.kind != 'activity'");
  }
  if (filter.from) {
    clauses.push('records.created >= ?');
    args.push(filter.from);
  }
  if (filter.to) {
    // A bare date includes the whole day.
    clauses.push('records.created <= ?');
    args.push(/^\d{4}-\d{2}-\d{2}$/.test(filter.to) ? `${filter.to}T23:59:59Z` : filter.to);
  }
  for (const term of terms) {
    if (term.type === 'meta') {
      // records.json, not json: inside json_each, a bare `json` is json_each's own column.
      clauses.push(
        "EXISTS (SELECT 1 FROM json_each(records.json, '$.body.meta') m WHERE unicode_lower(m.key) = ? AND unicode_lower(m.value) = ?)",
      );
      args.push(term.key, term.value);
    } else if (term.type === 'raw') {
      // No word to look up: read the body's text values and the file names, as they are.
      clauses.push(
        "(EXISTS (SELECT 1 FROM json_tree(records.json, '$.body') WHERE type = 'text' AND unicode_lower(value) LIKE ? ESCAPE '\\')" +
          " OR EXISTS (SELECT 1 FROM record_files f WHERE f.record_idx = records.idx AND unicode_lower(f.name) LIKE ? ESCAPE '\\'))",
      );
      args.push(likeAnywhere(term.text), likeAnywhere(term.text));
    }
  }
  return { from, at, sql: clauses.length ? ` WHERE ${clauses.join(' AND ')}` : '', args };
}

/**
 * Returns how many records match `search` and the log indexes of one page of them, in its
 * order. Reads indexes only, no record: a caller that keeps what it rendered (records never
 * change) reads only the records it does not hold (`readRecords`). Throws VaultError
 * `vault.search-index` when a text or tag search needs the index brought up to date and the
 * vault cannot be written here.
 */
export function searchRecordIndexes(
  vault: Vault,
  search: RecordSearch,
): { total: number; indexes: number[] } {
  const db = vault.db;
  if (search.tag || search.text) syncSearchIndex(db);
  const size = logSize(db);
  const w = plan(search);
  const order =
    search.order === 'log'
      ? w.at
      : search.from || search.to
        ? `records.created DESC, ${w.at} DESC`
        : `${w.at} DESC`;
  const c = cacheOf(db);
  if (c.countsAt !== size) {
    c.counts.clear();
    c.countsAt = size;
  }
  const key = JSON.stringify([w.from, w.sql, w.args]);
  let total = c.counts.get(key);
  if (total === undefined) {
    total = (
      statement(db, `SELECT COUNT(*) AS n FROM ${w.from}${w.sql}`).get(...w.args) as { n: number }
    ).n;
    if (c.counts.size >= 1000) c.counts.clear();
    c.counts.set(key, total);
  }
  const indexes = statement(
    db,
    `SELECT ${w.at} FROM ${w.from}${w.sql} ORDER BY ${order} LIMIT ? OFFSET ?`,
  )
    .raw()
    .all(...w.args, search.limit, search.offset)
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
  search: RecordSearch,
): { total: number; items: ListedRecord[] } {
  const { total, indexes } = searchRecordIndexes(vault, search);
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
