/**
 * Rebuilding a vault from a copy (`tamga restore`): a new vault directory holding existing keys
 * and meta, and a log importer that appends records under the checkpoints the log signed back
 * then, with their cosignatures, instead of signing new ones. Each checkpoint's root is checked
 * against the tree rebuilt from the records, so a vault built here agrees with what the log
 * published, or is not built.
 */
import { mkdir, readdir } from 'node:fs/promises';
import { bytesEqual, encodeBase64 } from '../log/encoding.js';
import { LimitError } from '../log/errors.js';
import { leafHash, TreeBuilder } from '../log/merkle.js';
import { TileWriter } from '../log/tiles.js';
import { openDatabase, type VaultDatabase } from './db.js';
import { IntegrityError, VaultError } from './errors.js';
import { vaultLayout } from './layout.js';
import { Vault, writeFileDurably } from './vault.js';

/** The meta keys a vault cannot be without. */
const REQUIRED_META = ['origin', 'logVerifierKey', 'ageRecipient', 'created'] as const;

/**
 * Creates a vault in `dir` (which must not exist, or be empty) with the key file `keyFile` and
 * the meta rows `meta`, and opens it. The caller has checked that the keys match the meta.
 * Throws VaultError when the directory holds anything or meta lacks a required key.
 */
export async function createImportedVault(
  dir: string,
  keyFile: Uint8Array,
  meta: Readonly<Record<string, string>>,
  /** Names that may already be in `dir` (a restore's own marker). */
  allow: readonly string[] = [],
): Promise<Vault> {
  for (const k of REQUIRED_META) {
    if (typeof meta[k] !== 'string' || meta[k] === '') {
      throw new VaultError('vault.import-meta', `the vault to restore does not say its ${k}`);
    }
  }
  const existing = (await readdir(dir).catch(() => [] as string[])).filter(
    (n) => !allow.includes(n),
  );
  if (existing.length > 0) {
    throw new VaultError('vault.exists', `cannot restore a vault into ${dir}: it is not empty`);
  }
  const layout = vaultLayout(dir);
  await mkdir(layout.blobsTmp, { recursive: true, mode: 0o700 });
  await writeFileDurably(layout.keyFile, keyFile);
  const db = openDatabase(layout.database, { create: true });
  try {
    const put = db.prepare('INSERT INTO meta (key, value) VALUES (?, ?)');
    db.transaction(() => {
      put.run('format', 'tamga-vault/v1');
      for (const [k, v] of Object.entries(meta)) if (k !== 'format') put.run(k, v);
    })();
  } finally {
    db.close();
  }
  return Vault.open(dir);
}

/** A record to import, checked by the caller against the published commitment. */
export interface ImportedRecord {
  readonly idx: number;
  readonly id: string;
  readonly kind: string;
  readonly created: string;
  readonly json: string;
  readonly salt: Uint8Array;
  readonly commitment: Uint8Array;
  readonly files: ReadonlyArray<{ sha256: string; name: string; size: number }>;
  readonly paths: ReadonlyArray<{ path: string; size: number; mtimeMs: number; sha256: string }>;
}

/** A signed checkpoint to import: the note as the log published it, its size and root. */
export interface ImportedCheckpoint {
  readonly size: number;
  readonly root: Uint8Array;
  readonly note: string;
  readonly created: string;
}

/**
 * Appends records to an empty vault's log in order, writing hash tiles as it goes and each
 * checkpoint when the tree reaches its size. Not for a vault that has a sequencer running.
 */
export class LogImporter {
  private readonly builder = new TreeBuilder();
  private readonly writer = new TileWriter();
  private readonly insertRecord;
  private readonly insertFile;
  private readonly insertPath;
  private readonly upsertTile;
  private readonly insertCheckpoint;
  private readonly insertBlob;

  /** Throws VaultError unless the vault's log is empty. */
  constructor(
    private readonly db: VaultDatabase,
    private readonly checkpoints: ReadonlyMap<number, ImportedCheckpoint>,
  ) {
    const n = (db.prepare('SELECT COUNT(*) AS n FROM records').get() as { n: number }).n;
    if (n !== 0)
      throw new VaultError(
        'vault.import-not-empty',
        'records can be imported only into an empty vault',
      );
    this.insertRecord = db.prepare(
      'INSERT INTO records (idx, id, kind, created, json, salt, commitment) VALUES (?, ?, ?, ?, ?, ?, ?)',
    );
    this.insertFile = db.prepare(
      'INSERT INTO record_files (record_idx, sha256, name, size) VALUES (?, ?, ?, ?)',
    );
    this.insertPath = db.prepare(
      'INSERT INTO sealed_paths (path, size, mtime_ms, sha256, record_id) VALUES (?, ?, ?, ?, ?) ' +
        'ON CONFLICT(path) DO UPDATE SET size = excluded.size, mtime_ms = excluded.mtime_ms, sha256 = excluded.sha256, record_id = excluded.record_id',
    );
    this.upsertTile = db.prepare(
      'INSERT INTO tiles (level, idx, width, data) VALUES (?, ?, ?, ?) ' +
        'ON CONFLICT(level, idx) DO UPDATE SET width = excluded.width, data = excluded.data',
    );
    this.insertCheckpoint = db.prepare(
      'INSERT INTO checkpoints (size, note, created) VALUES (?, ?, ?)',
    );
    this.insertBlob = db.prepare(
      'INSERT OR IGNORE INTO blobs (sha256, size, stored_size) VALUES (?, ?, ?)',
    );
  }

  /** The number of records imported. */
  get size(): number {
    return this.builder.size;
  }

  /**
   * Appends `records` (the next in log order) in one transaction, with the tiles they fill and
   * every checkpoint they reach. Throws IntegrityError, writing nothing, when a record is out of
   * order or a checkpoint's root differs from the rebuilt tree's.
   */
  append(records: readonly ImportedRecord[]): void {
    this.db.transaction(() => {
      for (const r of records) {
        if (r.idx !== this.builder.size) {
          throw new IntegrityError(
            'import.order',
            `record ${r.idx} came where record ${this.builder.size} was expected`,
          );
        }
        this.insertRecord.run(r.idx, r.id, r.kind, r.created, r.json, r.salt, r.commitment);
        for (const f of r.files) this.insertFile.run(r.idx, f.sha256, f.name, f.size);
        for (const p of r.paths) this.insertPath.run(p.path, p.size, p.mtimeMs, p.sha256, r.id);
        this.builder.append(leafHash(r.commitment), this.writer.sink);
        const cp = this.checkpoints.get(this.builder.size);
        if (cp !== undefined) {
          const root = this.builder.root();
          if (!bytesEqual(root, cp.root)) {
            throw new IntegrityError(
              'import.root',
              `the checkpoint of size ${cp.size} has root ${encodeBase64(cp.root)}, but the records give ${encodeBase64(root)}: the copy does not hold what the log published`,
            );
          }
          this.insertCheckpoint.run(cp.size, cp.note, cp.created);
        }
      }
      for (const { tile, data } of this.writer.flush()) {
        this.upsertTile.run(tile.level, tile.index, tile.width, data);
      }
    })();
  }

  /** Records an encrypted file stored in the vault's blobs folder. */
  addBlob(sha256: string, size: number, storedSize: number): void {
    this.insertBlob.run(sha256, size, storedSize);
  }

  /** Throws LimitError unless every checkpoint was reached: the copy lacks records. */
  finish(): void {
    const missing = [...this.checkpoints.keys()].filter((s) => s > this.builder.size);
    if (missing.length > 0) {
      throw new LimitError(
        'import.short',
        `the copy holds ${this.builder.size} records, but the log signed a checkpoint of size ${Math.max(...missing)}`,
      );
    }
  }
}
