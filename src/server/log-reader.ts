/**
 * What the public log server reads from a vault: the latest checkpoint, hash tiles and entry
 * bundles (C2SP tlog-tiles), always as of the latest signed checkpoint.
 *
 * These are the only reads the server makes, and they touch three columns: `checkpoints.note`,
 * `tiles.data` and `records.commitment` (through src/vault/log-store.ts). Record JSON, salts,
 * file names and hashes, paths and blobs are never selected, so no route can serve them.
 *
 * Nothing is published beyond the latest checkpoint: a tile or bundle is served only when the
 * tree of that checkpoint holds it, so a reader never sees an entry no signature covers.
 */
import { entryTileAt, type Tile, tileAt } from '../log/tiles.js';
import type { VaultDatabase } from '../vault/db.js';
import { entryBundle, latestCheckpoint, tileReader } from '../vault/log-store.js';

/** The latest signed checkpoint: its tree size and the note, with the cosignatures gathered. */
export interface PublishedCheckpoint {
  readonly size: number;
  readonly note: string;
}

/** A tile looked up: its contents, or why there are none: the latest tree does not hold it. */
export type TileLookup =
  | { readonly found: true; readonly data: Uint8Array }
  | { readonly found: false; readonly size: number };

/** Reads the public part of a vault's log. Each call is one consistent read transaction. */
export class PublicLogReader {
  private readonly readCheckpoint: () => PublishedCheckpoint | null;
  private readonly readTile: (tile: Tile) => TileLookup;

  constructor(db: VaultDatabase) {
    const tiles = tileReader(db);
    // The checkpoint and the tile are read in one transaction: the sequencer writes a batch's
    // tiles and its checkpoint in one, so what is read together belongs together.
    this.readCheckpoint = db.transaction(() => latestCheckpoint(db));
    this.readTile = db.transaction((tile: Tile): TileLookup => {
      const size = latestCheckpoint(db)?.size ?? 0;
      if (!holds(size, tile)) return { found: false, size };
      const data =
        tile.level === 'entries'
          ? entryBundle(db, tile.index, tile.width)
          : tiles.readTiles([tile])[0]!;
      return { found: true, data };
    });
  }

  /** Returns the latest checkpoint, or null while the log is empty. */
  checkpoint(): PublishedCheckpoint | null {
    return this.readCheckpoint();
  }

  /**
   * Returns the contents of `tile` in the tree of the latest checkpoint, or `found: false` when
   * that tree does not hold it (yet). A partial tile whose full tile now exists is returned as it
   * was: its width's first hashes (or entries) of the full one, which is what it held. Throws
   * LimitError when the vault lacks a tile its checkpoint covers: a damaged vault.
   */
  tile(tile: Tile): TileLookup {
    return this.readTile(tile);
  }
}

/**
 * True when the tree of `size` leaves holds `tile`: a full tile once its 256 hashes exist, a
 * partial one of width W once its level has W hashes past the tile's start, partial or full.
 */
function holds(size: number, tile: Tile): boolean {
  const now =
    tile.level === 'entries' ? entryTileAt(tile.index, size) : tileAt(tile.level, tile.index, size);
  return now !== null && now.width >= tile.width;
}
