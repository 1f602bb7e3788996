/**
 * `tamga fsck`: check that a vault agrees with itself, and with what it cannot rewrite. Every
 * commitment is recomputed from its private record and salt; the tree and every stored tile from
 * the commitments; every signed checkpoint against the tree of its size; every blob is decrypted
 * and hashed. A database rewritten whole agrees with itself, so the log key it names is compared
 * with the key file and trust statements (fsck-keys.ts), and its size with what witnesses and
 * mirrors hold (fsck-rollback.ts). Each problem is reported with the record it touches, each
 * check with what it compared and what could not be compared; nothing is repaired.
 */
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { openCheckpoint } from '../log/checkpoint.js';
import { bytesEqual, encodeBase64 } from '../log/encoding.js';
import { TamgaError } from '../log/errors.js';
import { TreeBuilder } from '../log/merkle.js';
import { TileWriter } from '../log/tiles.js';
import { commitCanonical, recordLeafHash } from '../records/commitment.js';
import { canonicalize } from '../records/jcs.js';
import { parseRecord } from '../records/record.js';
import { decryptStream } from './age/index.js';
import { checkLogKey, type TrustSource } from './fsck-keys.js';
import { type AskWitness, checkRollback } from './fsck-rollback.js';
import type { VaultKeys } from './keys.js';
import { blobPath } from './layout.js';
import type { Vault } from './vault.js';

export type { TrustSource } from './fsck-keys.js';
export type { AskWitness, WitnessToAsk } from './fsck-rollback.js';

/** One thing wrong, and the record it touches when there is one. */
export interface FsckProblem {
  readonly kind: 'record' | 'commitment' | 'tile' | 'checkpoint' | 'blob' | FsckCheck['kind'];
  readonly message: string;
  readonly index?: number;
  readonly recordId?: string;
}

/** How a check against a rewritten or rolled-back vault came out. */
export type FsckCheckStatus = 'ok' | 'failed' | 'not-checked';

/** The database's log origin and key compared with one source that says what they are. */
export interface FsckKeyCheck {
  readonly kind: 'log-key';
  /** `keys.age`, `trust.txt`, `--trust FILE`, `pinned`, or `published` (none given). */
  readonly source: string;
  readonly status: FsckCheckStatus;
  /** One line for a person: what was found, or what was not checked and how to check it. */
  readonly message: string;
  readonly evidence: {
    readonly databaseOrigin: string;
    readonly databaseKey: string;
    /** What the source names; absent when it was not read. */
    readonly origin?: string;
    readonly key?: string;
    /** For a key other than the database's: how many of the stored checkpoints verify under it. */
    readonly checkpointsVerified?: number;
    readonly checkpoints?: number;
    readonly databaseAgeRecipient?: string;
    readonly ageRecipient?: string;
  };
}

/** The vault's log size compared with what a witness or a mirror holds, or is recorded to. */
export interface FsckRollbackCheck {
  readonly kind: 'rollback';
  /** `witness NAME`, `witness NAME (asked now)`, `cosignatures`, `mirror LABEL`, or a group. */
  readonly source: string;
  readonly status: FsckCheckStatus;
  readonly message: string;
  readonly evidence: {
    /** The size of the vault's latest checkpoint. */
    readonly vaultSize: number;
    /** The size the source holds, or is recorded to hold. */
    readonly size?: number;
    /** The cosignature's timestamp or the pull's time, ISO 8601. */
    readonly time?: string;
    /**
     * Where `size` comes from: the vault's own tables, which a thorough rollback rewrites too,
     * or the witness asked now.
     */
    readonly from?: 'vault-database' | 'asked-now';
  };
}

/** A check against tampering with the whole vault. */
export type FsckCheck = FsckKeyCheck | FsckRollbackCheck;

/** What fsck found. `ok` is true when there is no problem; warnings do not count. */
export interface FsckReport {
  readonly ok: boolean;
  readonly records: number;
  readonly checkpoints: number;
  readonly blobs: number;
  /** Key and rollback problems first (each also a failed check), then the vault's own. */
  readonly problems: readonly FsckProblem[];
  readonly warnings: readonly string[];
  /** The key and rollback checks: ok, failed, or not checked and why. */
  readonly checks: readonly FsckCheck[];
}

export interface FsckOptions {
  /** Decrypt and hash every blob, and compare the key file's log key (needs the passphrase). */
  readonly keys?: VaultKeys;
  /** Trust statements to compare the log key with: `--trust FILE`, the one pinned. */
  readonly statements?: readonly TrustSource[];
  /** Asks each witness what it holds now (`--online`); without it, they are not asked. */
  readonly askWitness?: AskWitness;
  readonly onProgress?: (phase: string, done: number, total: number) => void;
}

/** Checks the vault; resolves to the report. Rejects only when the vault cannot be read at all. */
export async function fsck(vault: Vault, options: FsckOptions = {}): Promise<FsckReport> {
  const problems: FsckProblem[] = [];
  const warnings: string[] = [];
  const db = vault.db;
  const total = (db.prepare('SELECT COUNT(*) AS n FROM records').get() as { n: number }).n;

  // Checkpoints, by size, to compare with the tree as it is rebuilt.
  const checkpoints = new Map<number, string>();
  for (const row of db.prepare('SELECT size, note FROM checkpoints').iterate() as Iterable<{
    size: number;
    note: string;
  }>) {
    checkpoints.set(row.size, row.note);
  }
  const verifier = vault.logVerifier();
  const checkCheckpoint = (size: number, root: Uint8Array) => {
    const note = checkpoints.get(size);
    if (note === undefined) return;
    try {
      const { checkpoint } = openCheckpoint(note, verifier);
      if (checkpoint.size !== size)
        problems.push({
          kind: 'checkpoint',
          message: `the checkpoint stored for size ${size} says size ${checkpoint.size}`,
        });
      else if (!bytesEqual(checkpoint.root, root)) {
        problems.push({
          kind: 'checkpoint',
          message: `the checkpoint of size ${size} has root ${encodeBase64(checkpoint.root)}, but the records give ${encodeBase64(root)}`,
        });
      }
    } catch (e) {
      problems.push({
        kind: 'checkpoint',
        message: `the checkpoint of size ${size} does not verify with the log's key: ${(e as Error).message}`,
      });
    }
  };

  // The file index must say what the records themselves say: `tamga verify` trusts it.
  const indexed = new Map<number, string[]>();
  for (const row of db
    .prepare('SELECT record_idx, sha256, name, size FROM record_files')
    .iterate() as Iterable<{
    record_idx: number;
    sha256: string;
    name: string;
    size: number;
  }>) {
    const list = indexed.get(row.record_idx) ?? [];
    list.push(`${row.sha256} ${row.size} ${row.name}`);
    indexed.set(row.record_idx, list);
  }

  // Records → commitments → tree and tiles.
  const builder = new TreeBuilder();
  const writer = new TileWriter();
  const computedTiles = new Map<string, Uint8Array>();
  let expected = 0;
  for (const row of db
    .prepare('SELECT idx, id, json, salt, commitment FROM records ORDER BY idx')
    .iterate() as Iterable<{
    idx: number;
    id: string;
    json: string;
    salt: Uint8Array;
    commitment: Uint8Array;
  }>) {
    if (row.idx !== expected) {
      problems.push({
        kind: 'record',
        index: expected,
        message: `log entries ${expected}…${row.idx - 1} are missing`,
      });
      expected = row.idx;
    }
    const where = { index: row.idx, recordId: row.id };
    try {
      const record = parseRecord(JSON.parse(row.json));
      if (canonicalize(record) !== row.json)
        problems.push({
          kind: 'record',
          ...where,
          message: 'the stored record is not in canonical form',
        });
      if (record.id !== row.id)
        problems.push({
          kind: 'record',
          ...where,
          message: `the record's id ${record.id} differs from its index row`,
        });
      const want = record.files.map((f) => `${f.sha256} ${f.size} ${f.name}`).sort();
      const have = (indexed.get(row.idx) ?? []).sort();
      if (want.join('\n') !== have.join('\n')) {
        problems.push({
          kind: 'record',
          ...where,
          message: "the vault's file index disagrees with the files the record names",
        });
      }
    } catch (e) {
      problems.push({
        kind: 'record',
        ...where,
        message: `the stored record is not a valid record: ${(e as Error).message}`,
      });
    }
    indexed.delete(row.idx);
    const recomputed = commitCanonical(
      new TextEncoder().encode(row.json),
      new Uint8Array(row.salt),
    );
    if (!bytesEqual(recomputed, row.commitment)) {
      problems.push({
        kind: 'commitment',
        ...where,
        message:
          'the commitment does not match the record and salt: the record or its salt was changed after sealing',
      });
    }
    // The tree is built from the stored commitments: those are what was published.
    builder.append(recordLeafHash(new Uint8Array(row.commitment)), writer.sink);
    expected++;
    if (expected % 4096 === 0) {
      for (const { tile, data } of writer.flush())
        computedTiles.set(`${tile.level}/${tile.index}`, data);
      options.onProgress?.('records', expected, total);
    }
    if (checkpoints.has(builder.size)) checkCheckpoint(builder.size, builder.root());
  }
  for (const { tile, data } of writer.flush())
    computedTiles.set(`${tile.level}/${tile.index}`, data);
  options.onProgress?.('records', expected, total);
  for (const idx of indexed.keys()) {
    problems.push({
      kind: 'record',
      index: idx,
      message: 'the file index names a record that does not exist',
    });
  }

  const latest = db.prepare('SELECT MAX(size) AS size FROM checkpoints').get() as {
    size: number | null;
  };
  if (expected > 0 && latest.size !== expected) {
    problems.push({
      kind: 'checkpoint',
      message: `the log holds ${expected} entries but the latest checkpoint covers ${latest.size ?? 0}`,
    });
  }
  for (const size of checkpoints.keys()) {
    if (size > expected)
      problems.push({
        kind: 'checkpoint',
        message: `a checkpoint of size ${size} exists, but the log holds only ${expected} entries`,
      });
  }

  // Stored tiles against recomputed ones.
  const storedTiles = db.prepare('SELECT level, idx, width, data FROM tiles').all() as Array<{
    level: number;
    idx: number;
    width: number;
    data: Uint8Array;
  }>;
  for (const t of storedTiles) {
    const want = computedTiles.get(`${t.level}/${t.idx}`);
    if (
      want === undefined ||
      want.length !== t.width * 32 ||
      !bytesEqual(want, new Uint8Array(t.data))
    ) {
      problems.push({
        kind: 'tile',
        message: `hash tile ${t.level}/${t.idx} (width ${t.width}) does not match the tree computed from the records`,
      });
    }
  }
  if (storedTiles.length !== computedTiles.size) {
    problems.push({
      kind: 'tile',
      message: `${computedTiles.size} hash tiles expected, ${storedTiles.length} stored`,
    });
  }

  // Blobs: every file a record names is stored, and decrypts to its hash.
  const files = db
    .prepare(
      'SELECT f.sha256, f.size, MIN(r.idx) AS idx, r.id FROM record_files f JOIN records r ON r.idx = f.record_idx GROUP BY f.sha256',
    )
    .all() as Array<{ sha256: string; size: number; idx: number; id: string }>;
  let done = 0;
  for (const f of files) {
    const where = { index: f.idx, recordId: f.id };
    const path = blobPath(vault.layout, f.sha256);
    const s = await stat(path).catch(() => null);
    if (s === null) {
      problems.push({
        kind: 'blob',
        ...where,
        message: `the encrypted file ${f.sha256} is missing from the vault`,
      });
    } else if (options.keys) {
      const check = await checkBlob(path, options.keys.ageIdentity);
      if ('error' in check)
        problems.push({
          kind: 'blob',
          ...where,
          message: `the encrypted file ${f.sha256} does not decrypt: ${check.error}`,
        });
      else if (check.sha256 !== f.sha256 || check.size !== f.size) {
        problems.push({
          kind: 'blob',
          ...where,
          message: `the encrypted file ${f.sha256} decrypts to different contents (SHA-256 ${check.sha256}, ${check.size} bytes)`,
        });
      }
    }
    options.onProgress?.('blobs', ++done, files.length);
  }
  if (!options.keys)
    warnings.push(
      'blobs were checked for presence only: give the passphrase to decrypt and hash them',
    );

  // Unreferenced blobs are harmless leftovers of an interrupted seal.
  const referenced = new Set(files.map((f) => f.sha256));
  let orphans = 0;
  for (const dir of await readdir(vault.layout.blobs).catch(() => [] as string[])) {
    if (!/^[0-9a-f]{2}$/.test(dir)) continue;
    for (const name of await readdir(join(vault.layout.blobs, dir))) {
      if (!referenced.has(name.replace(/\.age$/, ''))) orphans++;
    }
  }
  if (orphans > 0)
    warnings.push(
      `${orphans} encrypted file${orphans === 1 ? ' is' : 's are'} not named by any record (left by an interrupted seal; sealing the same file again reuses it)`,
    );

  // Against what the database cannot rewrite: the key file, statements, witnesses, mirrors.
  const keyChecks = await checkLogKey(vault, {
    ...(options.keys ? { keys: options.keys } : {}),
    ...(options.statements ? { statements: options.statements } : {}),
    checkpoints,
  });
  const rollbackChecks = await checkRollback(vault, {
    ...(options.askWitness ? { askWitness: options.askWitness } : {}),
    statements: keyChecks.statements,
  });
  const checks: FsckCheck[] = [...keyChecks.checks, ...rollbackChecks];
  const failed: FsckProblem[] = checks
    .filter((c) => c.status === 'failed')
    .map((c) => ({ kind: c.kind, message: c.message }));

  return {
    ok: problems.length === 0 && failed.length === 0,
    records: expected,
    checkpoints: checkpoints.size,
    blobs: files.length,
    problems: [...failed, ...problems],
    warnings: [...warnings, ...keyChecks.warnings],
    checks,
  };
}

async function checkBlob(
  path: string,
  identity: string,
): Promise<{ sha256: string; size: number } | { error: string }> {
  const hash = createHash('sha256');
  let size = 0;
  try {
    await pipeline(
      createReadStream(path, { highWaterMark: 1 << 20 }),
      decryptStream([identity]),
      new Writable({
        write(chunk: Buffer, _enc, done) {
          hash.update(chunk);
          size += chunk.length;
          done();
        },
      }),
    );
    return { sha256: hash.digest('hex'), size };
  } catch (e) {
    if (e instanceof TamgaError || e instanceof Error) return { error: e.message };
    throw e;
  }
}
