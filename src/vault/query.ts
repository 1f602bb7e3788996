/**
 * Reading a vault: records by id, by file hash, by filter; and what proves each record — its
 * log entry, the latest checkpoint that includes it, an inclusion proof, and the witnesses.
 */
import { openCheckpoint } from '../log/checkpoint.js';
import { witnessCosignatures } from '../log/cosignature.js';
import type { Hash } from '../log/merkle.js';
import { openNote } from '../log/note.js';
import { inclusionProofSync, verifyInclusion } from '../log/proof.js';
import { RecentTilesCache, SyncTileHashReader } from '../log/tiles.js';
import { recordLeafHash } from '../records/commitment.js';
import type { TamgaRecord } from '../records/record.js';
import { latestCheckpoint, tileReader } from './log-store.js';
import { searchRecordIndexes } from './record-search.js';
import type { Vault } from './vault.js';
import { earliestWitnessedCheckpoint, quorum, witnessVerifiers } from './witnesses.js';

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

/**
 * Returns the records the file index names for SHA-256 `sha256` (lowercase hex), oldest first.
 * The index is derived and not checked here: to prove that a file is sealed, use `fileProver`
 * (src/vault/prove-file.ts).
 */
export function recordsByFileHash(vault: Vault, sha256: string): StoredRecord[] {
  const rows = vault.db
    .prepare(
      'SELECT r.idx, r.json, r.salt, r.commitment FROM records r JOIN record_files f ON f.record_idx = r.idx WHERE f.sha256 = ? GROUP BY r.idx ORDER BY r.idx',
    )
    .all(sha256) as RecordRow[];
  return rows.map(fromRow);
}

/**
 * What `tamga ls` and the web app's record list filter on (src/vault/record-search.ts). Every
 * field narrows the list.
 */
export interface RecordFilter {
  /** Records of this kind only. Without it a search lists every kind but `activity`. */
  readonly kind?: string;
  /** A document tag, in any case. */
  readonly tag?: string;
  /** Inclusive, compared with `created` (RFC 3339 or a date). */
  readonly from?: string;
  readonly to?: string;
  /**
   * Words in the record's names, paths, titles, tags, metadata and texts, in any case and any
   * Russian or Kyrgyz word form; `key=value` for a metadata entry (src/vault/search/text.ts).
   */
  readonly text?: string;
  readonly limit?: number;
  readonly offset?: number;
}

/**
 * Returns the records matching `filter`, of every kind (activity too) when it names none, in log
 * order. Throws as `searchRecordIndexes` does.
 */
export function listRecords(vault: Vault, filter: RecordFilter = {}): StoredRecord[] {
  const { indexes } = searchRecordIndexes(vault, {
    ...filter,
    limit: filter.limit ?? -1,
    offset: filter.offset ?? 0,
    order: 'log',
    withActivity: true,
  });
  if (indexes.length === 0) return [];
  const rows = vault.db
    .prepare(
      'SELECT idx, json, salt, commitment FROM records WHERE idx IN (SELECT value FROM json_each(?)) ORDER BY idx',
    )
    .all(JSON.stringify(indexes)) as RecordRow[];
  return rows.map(fromRow);
}

/** How a record is proven: the checkpoint that includes it and the proof to that checkpoint. */
export interface ProofStatus {
  readonly index: number;
  /**
   * The earliest checkpoint that includes the record and meets the witness quorum; when none
   * does yet, the latest checkpoint. Null while no signed checkpoint includes the record.
   */
  readonly checkpoint: { readonly size: number; readonly root: Hash; readonly note: string } | null;
  readonly proof: readonly Hash[];
  /** True when the proof was checked against the checkpoint's signed root. */
  readonly verified: boolean;
  /** The listed witnesses' verified cosignatures on that checkpoint, earliest first. */
  readonly witnesses: ReadonlyArray<{ name: string; timestamp: number }>;
  /** How many cosignatures the vault's policy needs. */
  readonly quorum: number;
  /** True when `witnesses` meets the quorum (and at least one witness cosigned). */
  readonly witnessed: boolean;
}

/**
 * Returns a function giving the proof status of records: each against the earliest checkpoint
 * that includes it and meets the witness quorum (the checkpoint whose cosignatures date it), else
 * against the latest. Checkpoints, their signatures and tiles are read and checked once per
 * checkpoint: for `verify` over thousands of files, the work is shared, not redone per file.
 * Throws VerificationError when a stored checkpoint or cosignature does not verify.
 */
export function proofChecker(vault: Vault): (stored: StoredRecord) => ProofStatus {
  const k = quorum(vault.db);
  const verifiers = witnessVerifiers(vault.db);
  const latest = latestCheckpoint(vault.db);
  const opened = new Map<
    number,
    {
      checkpoint: { size: number; root: Hash; note: string };
      hashes: SyncTileHashReader;
      witnesses: Array<{ name: string; timestamp: number }>;
    }
  >();
  const tiles = tileReader(vault.db);
  const cache = new RecentTilesCache(1024);
  const open = (size: number, note: string) => {
    let o = opened.get(size);
    if (o === undefined) {
      const { checkpoint } = openCheckpoint(note, vault.logVerifier());
      // The cosignatures were checked when stored; they are checked again here, as a verifier would.
      const witnesses =
        verifiers.length === 0
          ? []
          : witnessCosignatures(openNote(note, [vault.logVerifier(), ...verifiers]), verifiers)
              .map((c) => ({ name: c.name, timestamp: c.timestamp }))
              .sort((a, b) => a.timestamp - b.timestamp || a.name.localeCompare(b.name));
      o = {
        checkpoint: { size: checkpoint.size, root: checkpoint.root, note },
        hashes: new SyncTileHashReader(checkpoint.size, tiles, { cache }),
        witnesses,
      };
      opened.set(size, o);
    }
    return o;
  };
  return (stored) => {
    const witnessed = earliestWitnessedCheckpoint(vault.db, stored.index);
    const chosen = witnessed ?? (latest !== null && latest.size > stored.index ? latest : null);
    if (chosen === null) {
      return {
        index: stored.index,
        checkpoint: null,
        proof: [],
        verified: false,
        witnesses: [],
        quorum: k,
        witnessed: false,
      };
    }
    const { checkpoint, hashes, witnesses } = open(chosen.size, chosen.note);
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
      checkpoint,
      proof,
      verified: true,
      witnesses,
      quorum: k,
      witnessed: witnesses.length > 0 && witnesses.length >= k,
    };
  };
}

/** Returns the proof status of one record (see `proofChecker`). */
export function proofStatus(vault: Vault, stored: StoredRecord): ProofStatus {
  return proofChecker(vault)(stored);
}
