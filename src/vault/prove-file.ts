/**
 * Is a file sealed in this vault? The one rule `tamga verify` and the web app's verify share
 * (docs/design.md, "Verify a file"). It proves from the records, not from an index.
 *
 * The file index (`record_files`, SHA-256 → record) is derived from the records, and whoever
 * can write `vault.db` can add a row to it. So it only names candidates, a speed-up that is
 * checked: a candidate, log entry N, proves that a file is sealed when
 *
 *   1. the vault holds record N;
 *   2. SHA-256("tamga/record/v1\n" ‖ salt ‖ JCS(record)) is the commitment stored as entry N
 *      (the vault stores each record as its RFC 8785 bytes, hashed here as stored, as fsck
 *      does: a record rewritten in any way, even to an equivalent form, no longer matches);
 *   3. N is below the size of the latest signed checkpoint, and the inclusion proof of that
 *      commitment, read from the hash tiles, folds to the root of a checkpoint whose signature
 *      verifies with the log's key (the earliest witnessed one, else the latest);
 *   4. record.files names a file of this SHA-256 (and of this size, when it is known).
 *
 * A candidate that fails any of these is damage, reported with what failed; it never counts as
 * sealed. The work per candidate is two indexed lookups, a hash of the record, and a proof
 * whose tiles and checkpoints are shared with every other file checked by the same prover.
 * The record's schema is not checked again: a record whose bytes are committed in the signed
 * log was checked when it was sealed (fsck checks it again).
 */
import { bytesEqual, encodeBase64 } from '../log/encoding.js';
import { FormatError } from '../log/errors.js';
import { commitCanonical } from '../records/commitment.js';
import type { FileRef, TamgaRecord } from '../records/record.js';
import { latestCheckpoint } from './log-store.js';
import { type ProofStatus, proofChecker, type StoredRecord } from './query.js';
import type { Vault } from './vault.js';

/** What failed for one candidate the file index named. */
export type IndexDamageKind =
  /** The file index itself cannot be read. */
  | 'index-unreadable'
  /** The index names entry N, but the vault holds no record N. */
  | 'record-missing'
  /** Record N's stored JSON or salt is not a valid record and salt. */
  | 'record-invalid'
  /** Record N and its salt do not give the commitment stored as log entry N. */
  | 'commitment'
  /** No signed checkpoint includes log entry N. */
  | 'no-checkpoint'
  /** The commitment is not entry N of the tree a signed checkpoint covers (or none verifies). */
  | 'not-in-log'
  /** Record N is in the log, but does not name a file of this SHA-256 and size. */
  | 'file-not-named';

/** One candidate that does not prove the file, and why. */
export interface IndexDamage {
  readonly kind: IndexDamageKind;
  /** The log entry the index named; null when the index could not be read. */
  readonly index: number | null;
  /** The id of the record at that entry, when there is a record there. */
  readonly recordId: string | null;
  /** What failed, in English: "the file index names entry 7 for these contents, but …". */
  readonly message: string;
  /** For a commitment that does not match: the stored and the recomputed one, in base64. */
  readonly evidence?: Readonly<Record<string, string>>;
}

/** A record that proves the file: the record (with its recomputed commitment) and its proof. */
export interface ProvenFile {
  readonly stored: StoredRecord;
  /** The file as the record names it. */
  readonly file: FileRef;
  /** The verified inclusion proof, its checkpoint and witnesses. */
  readonly proof: ProofStatus;
}

/**
 * The verdict on one file. `sealed`: at least one record proves it (and `damaged` lists the
 * candidates that did not). `damaged`: the index names records for it, none of which proves it.
 * `not-sealed`: the index names no record for it.
 */
export type FileProof =
  | {
      readonly status: 'sealed';
      readonly sha256: string;
      /** The records that prove the file, oldest first. */
      readonly records: readonly ProvenFile[];
      readonly damaged: readonly IndexDamage[];
    }
  | { readonly status: 'not-sealed'; readonly sha256: string }
  | {
      readonly status: 'damaged';
      readonly sha256: string;
      readonly damaged: readonly IndexDamage[];
    };

export interface FileProofOptions {
  /** The file's size in bytes: a record must name the hash with this size. */
  readonly size?: number;
  /** Stop once this many records prove the file (they are taken oldest first). */
  readonly limit?: number;
}

/** Proves files against one vault; see `fileProver`. */
export type FileProver = (sha256: string, options?: FileProofOptions) => FileProof;

interface RecordRow {
  idx: number;
  id: string;
  json: string;
  salt: Uint8Array;
  commitment: Uint8Array;
}

const SHA256_HEX = /^[0-9a-f]{64}$/;
const utf8 = new TextEncoder();

/**
 * Returns a function that proves whether a file, given by its SHA-256 (lowercase hex), is sealed
 * in `vault`, by the rule at the top of this file. Checkpoints and tiles are read and checked
 * once per prover, so one prover serves a whole `verify` run. The function never throws for a
 * damaged vault — what fails is in the verdict — and throws FormatError `file.sha256` for a
 * hash that is not 64 lowercase hex digits, or `file.size` for a size that is not a whole number.
 */
export function fileProver(vault: Vault): FileProver {
  const db = vault.db;
  // Prepared, and the checker built, on first use: a vault whose tables cannot be read yields
  // damage in the verdict rather than an exception here.
  let candidates: ((sha256: string) => number[]) | undefined;
  let readRecord: ((idx: number) => RecordRow | undefined) | undefined;
  let latestSize: number | undefined;
  let checkProof: ((stored: StoredRecord) => ProofStatus) | undefined;

  const prove = (
    sha256: string,
    idx: number,
    size: number | undefined,
  ): ProvenFile | IndexDamage => {
    const named = `the file index names entry ${idx} for these contents, but`;
    let row: RecordRow | undefined;
    try {
      readRecord ??= recordReader(db);
      row = readRecord(idx);
    } catch (e) {
      return damage(
        'record-invalid',
        idx,
        null,
        `${named} record ${idx} cannot be read (${why(e)})`,
      );
    }
    if (row === undefined)
      return damage('record-missing', idx, null, `${named} the vault holds no record ${idx}`);

    // 1 and 2: the record as committed, SHA-256("tamga/record/v1\n" ‖ salt ‖ JCS(record)).
    let stored: StoredRecord;
    try {
      const record = parseStored(row.json);
      const salt = new Uint8Array(row.salt);
      const recomputed = commitCanonical(utf8.encode(row.json), salt);
      const entry = new Uint8Array(row.commitment);
      if (!bytesEqual(recomputed, entry)) {
        return {
          ...damage(
            'commitment',
            idx,
            row.id,
            `${named} record ${row.id} and its salt do not give the commitment stored as log entry ${idx}: the record or its salt was changed after sealing`,
          ),
          evidence: { stored: encodeBase64(entry), recomputed: encodeBase64(recomputed) },
        };
      }
      stored = { index: idx, record, salt, commitment: recomputed };
    } catch (e) {
      return damage(
        'record-invalid',
        idx,
        row.id,
        `${named} record ${row.id} is not a valid record and salt (${why(e)})`,
      );
    }

    // 3: in the tree a signed checkpoint covers.
    let proof: ProofStatus;
    try {
      latestSize ??= latestCheckpoint(db)?.size ?? 0;
      if (idx >= latestSize) {
        return damage(
          'no-checkpoint',
          idx,
          row.id,
          `${named} no signed checkpoint includes log entry ${idx} (the latest covers ${latestSize} entries)`,
        );
      }
      checkProof ??= proofChecker(vault);
      proof = checkProof(stored);
    } catch (e) {
      return damage(
        'not-in-log',
        idx,
        row.id,
        `${named} record ${row.id} is not log entry ${idx} under the log's signed checkpoint (${why(e)})`,
      );
    }

    if (!proof.verified) {
      return damage(
        'no-checkpoint',
        idx,
        row.id,
        `${named} no signed checkpoint includes log entry ${idx}`,
      );
    }

    // 4: the record names this file.
    const file = stored.record.files.find(
      (f) => f.sha256 === sha256 && (size === undefined || f.size === size),
    );
    if (file === undefined) {
      return damage(
        'file-not-named',
        idx,
        row.id,
        `${named} record ${row.id} does not name a file of this SHA-256 and size`,
      );
    }
    return { stored, file, proof };
  };

  return (sha256, options = {}) => {
    if (typeof sha256 !== 'string' || !SHA256_HEX.test(sha256))
      throw new FormatError('file.sha256', 'expected a SHA-256 as 64 lowercase hex digits');
    const { size, limit = Number.POSITIVE_INFINITY } = options;
    if (size !== undefined && !(Number.isSafeInteger(size) && size >= 0))
      throw new FormatError('file.size', `expected a file size in whole bytes, not ${size}`);

    let indexes: number[];
    try {
      candidates ??= candidateReader(db);
      indexes = candidates(sha256);
    } catch (e) {
      return {
        status: 'damaged',
        sha256,
        damaged: [
          damage(
            'index-unreadable',
            null,
            null,
            `the vault's file index cannot be read (${why(e)})`,
          ),
        ],
      };
    }
    if (indexes.length === 0) return { status: 'not-sealed', sha256 };

    const records: ProvenFile[] = [];
    const damaged: IndexDamage[] = [];
    for (const idx of indexes) {
      if (records.length >= limit) break;
      const r = prove(sha256, idx, size);
      if ('kind' in r) damaged.push(r);
      else records.push(r);
    }
    return records.length > 0
      ? { status: 'sealed', sha256, records, damaged }
      : { status: 'damaged', sha256, damaged };
  };
}

/** Proves one file (see `fileProver`); to check many, make one prover and reuse it. */
export function proveFileSealed(
  vault: Vault,
  sha256: string,
  options: FileProofOptions = {},
): FileProof {
  return fileProver(vault)(sha256, options);
}

/** The log entries the file index names for a hash, each once, in log order. */
function candidateReader(db: Vault['db']): (sha256: string) => number[] {
  const select = db
    .prepare('SELECT DISTINCT record_idx FROM record_files WHERE sha256 = ? ORDER BY record_idx')
    .pluck();
  return (sha256) => {
    const out: number[] = [];
    for (const v of select.all(sha256) as unknown[]) {
      // The table is STRICT, but what is read back is checked as what it claims to be.
      if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < 0)
        throw new FormatError(
          'index.entry',
          `the file index holds an entry that is not a log index: ${String(v)}`,
        );
      out.push(v);
    }
    return out;
  };
}

/**
 * Parses a stored record's JSON, checking only the fields verify reads (`id`, `kind`, `files`);
 * throws FormatError `record.stored` for anything else.
 */
function parseStored(json: string): TamgaRecord {
  const r = JSON.parse(json) as unknown;
  const files = (r as { files?: unknown } | null)?.files;
  if (
    typeof r !== 'object' ||
    r === null ||
    typeof (r as { id?: unknown }).id !== 'string' ||
    typeof (r as { kind?: unknown }).kind !== 'string' ||
    !Array.isArray(files) ||
    !files.every(
      (f: unknown) =>
        typeof (f as { sha256?: unknown } | null)?.sha256 === 'string' &&
        typeof (f as { size?: unknown }).size === 'number' &&
        typeof (f as { name?: unknown }).name === 'string',
    )
  ) {
    throw new FormatError('record.stored', 'the stored JSON is not a record with files');
  }
  return r as TamgaRecord;
}

/** Reads the stored record at a log index. */
function recordReader(db: Vault['db']): (idx: number) => RecordRow | undefined {
  const select = db.prepare('SELECT idx, id, json, salt, commitment FROM records WHERE idx = ?');
  return (idx) => select.get(idx) as RecordRow | undefined;
}

function damage(
  kind: IndexDamageKind,
  index: number | null,
  recordId: string | null,
  message: string,
): IndexDamage {
  return { kind, index, recordId, message };
}

function why(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}
