/**
 * The sequencer: the one writer of a vault's log. It appends a batch of sealed records in one
 * SQLite transaction — records, file index, hash tiles and the batch's signed checkpoint — so a
 * batch is either wholly in the vault or not at all. A record is acknowledged when `append`
 * returns; blobs it names must already be durable (the sealing pipeline writes them first).
 * Every append to a vault's log goes through here, so here a restored copy that no one has taken
 * over is refused (src/vault/restored.ts).
 */
import { signCheckpoint } from '../log/checkpoint.js';
import { LimitError } from '../log/errors.js';
import { leafHash, TreeBuilder } from '../log/merkle.js';
import type { Signer } from '../log/note.js';
import { TileWriter } from '../log/tiles.js';
import type { VaultDatabase } from './db.js';
import { logSize, partialTileData, rightEdge } from './log-store.js';
import { assertMayAppend } from './restored.js';
import { indexAppended } from './search/text-index.js';

/** A record ready to be appended: its canonical JSON, salt and commitment, and its files. */
export interface SealedEntry {
  readonly id: string;
  readonly kind: string;
  readonly created: string;
  /** RFC 8785 canonical JSON of the record. */
  readonly json: string;
  readonly salt: Uint8Array;
  /** SHA-256("tamga/record/v1\n" ‖ salt ‖ json): the log entry. */
  readonly commitment: Uint8Array;
  /** The files the record names; `storedSize` when this batch stored the file's blob. */
  readonly files: ReadonlyArray<{
    sha256: string;
    name: string;
    size: number;
    storedSize?: number;
  }>;
  /** For documents sealed from a path: what the path held, to skip it when unchanged. */
  readonly sealedPath?: { path: string; size: number; mtimeMs: number; sha256: string };
}

/** What one append did: where the batch landed, and the checkpoint that covers it. */
export interface AppendResult {
  readonly firstIndex: number;
  readonly size: number;
  readonly checkpoint: string;
}

/** Appends batches to one vault's log. Not safe for two sequencers on one vault at once. */
export class Sequencer {
  private builder: TreeBuilder;
  private writer: TileWriter;
  private readonly insertRecord;
  private readonly insertFile;
  private readonly insertBlob;
  private readonly upsertPath;
  private readonly upsertTile;
  private readonly insertCheckpoint;

  constructor(
    private readonly db: VaultDatabase,
    private readonly origin: string,
    private readonly signer: Signer,
    private readonly clock: () => Date = () => new Date(),
  ) {
    this.insertRecord = db.prepare(
      'INSERT INTO records (idx, id, kind, created, json, salt, commitment) VALUES (?, ?, ?, ?, ?, ?, ?)',
    );
    this.insertFile = db.prepare(
      'INSERT INTO record_files (record_idx, sha256, name, size) VALUES (?, ?, ?, ?)',
    );
    this.insertBlob = db.prepare(
      'INSERT OR IGNORE INTO blobs (sha256, size, stored_size) VALUES (?, ?, ?)',
    );
    this.upsertPath = db.prepare(
      'INSERT INTO sealed_paths (path, size, mtime_ms, sha256, record_id) VALUES (?, ?, ?, ?, ?) ' +
        'ON CONFLICT(path) DO UPDATE SET size = excluded.size, mtime_ms = excluded.mtime_ms, sha256 = excluded.sha256, record_id = excluded.record_id',
    );
    this.upsertTile = db.prepare(
      'INSERT INTO tiles (level, idx, width, data) VALUES (?, ?, ?, ?) ' +
        'ON CONFLICT(level, idx) DO UPDATE SET width = excluded.width, data = excluded.data WHERE excluded.width > tiles.width',
    );
    this.insertCheckpoint = db.prepare(
      'INSERT INTO checkpoints (size, note, created) VALUES (?, ?, ?)',
    );
    ({ builder: this.builder, writer: this.writer } = this.load());
  }

  /** The number of entries in the log. */
  get size(): number {
    return this.builder.size;
  }

  private load(): { builder: TreeBuilder; writer: TileWriter } {
    const size = logSize(this.db);
    return {
      builder: new TreeBuilder(size, rightEdge(this.db, size)),
      writer: new TileWriter(size, partialTileData(this.db, size)),
    };
  }

  /**
   * Appends `entries` in one transaction and signs one checkpoint for the new size. On any
   * error nothing is written and the sequencer reloads its state from the database.
   * `precondition`, when given, runs first inside the (immediate, so exclusive) transaction:
   * it throws when what the entries were built on has changed since, and nothing is written.
   * Throws VaultError `vault.restored-not-taken-over`, writing nothing, while the vault is a
   * restored copy that no one has taken over.
   */
  append(entries: readonly SealedEntry[], precondition?: () => void): AppendResult {
    if (entries.length === 0)
      throw new LimitError('sequencer.empty', 'a batch needs at least one record');
    try {
      return this.db
        .transaction(() => {
          // Read in the write transaction: a take-over by another process counts from its commit.
          assertMayAppend(this.db);
          // Another process may have appended since we loaded: start from what is on disk.
          if (logSize(this.db) !== this.builder.size)
            ({ builder: this.builder, writer: this.writer } = this.load());
          precondition?.();
          const firstIndex = this.builder.size;
          for (const e of entries) {
            const idx = this.builder.size;
            this.insertRecord.run(idx, e.id, e.kind, e.created, e.json, e.salt, e.commitment);
            for (const f of e.files) {
              this.insertFile.run(idx, f.sha256, f.name, f.size);
              if (f.storedSize !== undefined) this.insertBlob.run(f.sha256, f.size, f.storedSize);
            }
            if (e.sealedPath) {
              const p = e.sealedPath;
              this.upsertPath.run(p.path, p.size, p.mtimeMs, p.sha256, e.id);
            }
            this.builder.append(leafHash(e.commitment), this.writer.sink);
          }
          // The search index, derived from the records, in step with them.
          indexAppended(this.db, firstIndex, entries);
          for (const { tile, data } of this.writer.flush()) {
            this.upsertTile.run(tile.level, tile.index, tile.width, data);
          }
          const size = this.builder.size;
          const checkpoint = signCheckpoint(
            { origin: this.origin, size, root: this.builder.root() },
            this.signer,
          );
          this.insertCheckpoint.run(size, checkpoint, this.clock().toISOString());
          return { firstIndex, size, checkpoint };
        })
        .immediate();
    } catch (e) {
      ({ builder: this.builder, writer: this.writer } = this.load());
      throw e;
    }
  }
}
