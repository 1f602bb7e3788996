/**
 * Reading a vault: records by id, by file hash, by filter; and what proves each record — its
 * log entry, the latest checkpoint that includes it, an inclusion proof, and the witnesses.
 */
import { openCheckpoint } from '../log/checkpoint.js';
import type { Hash } from '../log/merkle.js';
import { inclusionProofSync, verifyInclusion } from '../log/proof.js';
import { RecentTilesCache, SyncTileHashReader } from '../log/tiles.js';
import { recordLeafHash } from '../records/commitment.js';
import type { TamgaRecord } from '../records/record.js';
import { latestCheckpoint, tileReader } from './log-store.js';
import type { Vault } from './vault.js';

/** A record as stored: its log index, the record, and its salt. */
export interface StoredRecord {
  readonly index: number;
  readonly record: TamgaRecord;
  readonly salt: Uint8Array;
  readonly commitment: Uint8Array;
}

interface RecordRow {
  idx: number;
  json: string;
  salt: Uint8Array;
  commitment: Uint8Array;
}

function fromRow(row: RecordRow): StoredRecord {
  return {
    index: row.idx,
    record: JSON.parse(row.json) as TamgaRecord,
    salt: new Uint8Array(row.salt),
    commitment: new Uint8Array(row.commitment),
  };
}

/** Returns the record with `id` (or log index, given as a number), or null. */
export function getRecord(vault: Vault, idOrIndex: string): StoredRecord | null {
  const row = /^\d+$/.test(idOrIndex)
    ? vault.db
        .prepare('SELECT idx, json, salt, commitment FROM records WHERE idx = ?')
        .get(Number(idOrIndex))
    : vault.db
        .prepare('SELECT idx, json, salt, commitment FROM records WHERE id = ?')
        .get(idOrIndex.toUpperCase());
  return row === undefined ? null : fromRow(row as RecordRow);
}

/** Returns the records that name a file with SHA-256 `sha256` (lowercase hex), oldest first. */
export function recordsByFileHash(vault: Vault, sha256: string): StoredRecord[] {
  const rows = vault.db
    .prepare(
      'SELECT r.idx, r.json, r.salt, r.commitment FROM records r JOIN record_files f ON f.record_idx = r.idx WHERE f.sha256 = ? GROUP BY r.idx ORDER BY r.idx',
    )
    .all(sha256) as RecordRow[];
  return rows.map(fromRow);
}

/** What `tamga ls` filters on. Every field narrows the list. */
export interface RecordFilter {
  readonly kind?: string;
  readonly tag?: string;
  /** Inclusive, compared with `created` (RFC 3339 or a date). */
  readonly from?: string;
  readonly to?: string;
  /** Case-insensitive text in the record's names, paths, titles, tags or metadata. */
  readonly text?: string;
  readonly limit?: number;
  readonly offset?: number;
}

/** Returns the records matching `filter`, in log order. */
export function listRecords(vault: Vault, filter: RecordFilter = {}): StoredRecord[] {
  const where: string[] = [];
  const args: Array<string | number> = [];
  if (filter.kind) {
    where.push('kind = ?');
    args.push(filter.kind);
  }
  if (filter.from) {
    where.push('created >= ?');
    args.push(filter.from);
  }
  if (filter.to) {
    // A bare date includes the whole day.
    where.push('created <= ?');
    args.push(/^\d{4}-\d{2}-\d{2}$/.test(filter.to) ? `${filter.to}T23:59:59Z` : filter.to);
  }
  if (filter.tag) {
    // records.json, not json: inside json_each, a bare `json` is json_each's own column.
    where.push("EXISTS (SELECT 1 FROM json_each(records.json, '$.body.tags') WHERE value = ?)");
    args.push(filter.tag);
  }
  if (filter.text) {
    // Text values of the body (path, title, tags, metadata, descriptions) and file names; not
    // the record's keys, ids or hashes. Escape LIKE's wildcards.
    const like = `%${filter.text.toLowerCase().replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
    where.push(
      "(EXISTS (SELECT 1 FROM json_tree(records.json, '$.body') WHERE type = 'text' AND unicode_lower(value) LIKE ? ESCAPE '\\')" +
        " OR EXISTS (SELECT 1 FROM record_files f WHERE f.record_idx = records.idx AND unicode_lower(f.name) LIKE ? ESCAPE '\\'))",
    );
    args.push(like, like);
  }
  const sql = `SELECT idx, json, salt, commitment FROM records${where.length ? ` WHERE ${where.join(' AND ')}` : ''} ORDER BY idx LIMIT ? OFFSET ?`;
  args.push(filter.limit ?? -1, filter.offset ?? 0);
  return (vault.db.prepare(sql).all(...args) as RecordRow[]).map(fromRow);
}

/** How a record is proven: the checkpoint that includes it and the proof to that checkpoint. */
export interface ProofStatus {
  readonly index: number;
  readonly checkpoint: { readonly size: number; readonly root: Hash; readonly note: string } | null;
  readonly proof: readonly Hash[];
  /** True when the proof was checked against the checkpoint's signed root. */
  readonly verified: boolean;
  /** Witness cosignatures on that checkpoint, earliest first. */
  readonly witnesses: ReadonlyArray<{ name: string; timestamp: number }>;
}

/**
 * Returns a function giving the proof status of records against the latest checkpoint, which
 * it reads and checks once: for `verify` over thousands of files, the signature check and the
 * tiles are shared, not redone per file.
 */
export function proofChecker(vault: Vault): (stored: StoredRecord) => ProofStatus {
  const latest = latestCheckpoint(vault.db);
  if (latest === null) {
    return (stored) => ({
      index: stored.index,
      checkpoint: null,
      proof: [],
      verified: false,
      witnesses: [],
    });
  }
  const { checkpoint } = openCheckpoint(latest.note, vault.logVerifier());
  const hashes = new SyncTileHashReader(checkpoint.size, tileReader(vault.db), {
    cache: new RecentTilesCache(1024),
  });
  return (stored) => {
    if (checkpoint.size <= stored.index) {
      return { index: stored.index, checkpoint: null, proof: [], verified: false, witnesses: [] };
    }
    const proof = inclusionProofSync(stored.index, checkpoint.size, hashes);
    verifyInclusion(
      stored.index,
      checkpoint.size,
      recordLeafHash(stored.commitment),
      proof,
      checkpoint.root,
    );
    return {
      index: stored.index,
      checkpoint: { size: checkpoint.size, root: checkpoint.root, note: latest.note },
      proof,
      verified: true,
      witnesses: [],
    };
  };
}

/** Returns the proof status of one record, checked against the latest checkpoint. */
export function proofStatus(vault: Vault, stored: StoredRecord): ProofStatus {
  return proofChecker(vault)(stored);
}
