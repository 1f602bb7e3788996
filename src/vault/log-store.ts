/**
 * The vault's log in its database: hash tiles, commitments (the log entries) and checkpoints.
 * Reading is open to anyone holding the database; appending goes through the Sequencer.
 */
import { LimitError } from '../log/errors.js';
import { type Hash, subtrees } from '../log/merkle.js';
import {
  formatEntryBundle,
  type HashTile,
  partialTiles,
  SyncTileHashReader,
  type SyncTileReader,
} from '../log/tiles.js';
import type { VaultDatabase } from './db.js';

/** Returns the number of entries in the log. */
export function logSize(db: VaultDatabase): number {
  const row = db.prepare('SELECT COALESCE(MAX(idx) + 1, 0) AS n FROM records').get() as {
    n: number;
  };
  return row.n;
}

/**
 * A SyncTileReader over the tiles table. A tile of an older tree size is the prefix of the
 * stored one, as C2SP tlog-tiles allows; a tile wider than what is stored does not exist yet.
 */
export function tileReader(db: VaultDatabase): SyncTileReader {
  const select = db.prepare('SELECT width, data FROM tiles WHERE level = ? AND idx = ?');
  return {
    readTiles(tiles: readonly HashTile[]): Uint8Array[] {
      return tiles.map((t) => {
        const row = select.get(t.level, t.index) as { width: number; data: Uint8Array } | undefined;
        if (row === undefined || row.width < t.width) {
          throw new LimitError(
            'tile.missing',
            `tile ${t.level}/${t.index} of width ${t.width} is not in the vault`,
          );
        }
        const data = new Uint8Array(row.data.buffer, row.data.byteOffset, row.data.length);
        return row.width === t.width ? data : data.subarray(0, t.width * 32);
      });
    },
  };
}

/** Returns the right edge of the tree of `size` (the hashes of subtrees(0, size)), from tiles. */
export function rightEdge(db: VaultDatabase, size: number): Hash[] {
  return new SyncTileHashReader(size, tileReader(db)).readHashes(subtrees(0, size));
}

/** Returns the contents of the partial tiles of the tree of `size`, lowest level first. */
export function partialTileData(db: VaultDatabase, size: number): Uint8Array[] {
  return tileReader(db).readTiles(partialTiles(size));
}

/** Returns the C2SP entry bundle `index` of width `width`: the commitments, in log order. */
export function entryBundle(db: VaultDatabase, index: number, width: number): Uint8Array {
  const rows = db
    .prepare('SELECT commitment FROM records WHERE idx >= ? AND idx < ? ORDER BY idx')
    .all(index * 256, index * 256 + width) as Array<{ commitment: Uint8Array }>;
  if (rows.length !== width) {
    throw new LimitError(
      'tile.missing',
      `entry bundle ${index} of width ${width} is not in the vault`,
    );
  }
  return formatEntryBundle(rows.map((r) => r.commitment));
}

/** The latest signed checkpoint, with the cosignatures gathered so far, or null for an empty log. */
export function latestCheckpoint(db: VaultDatabase): { size: number; note: string } | null {
  const row = db.prepare('SELECT size, note FROM checkpoints ORDER BY size DESC LIMIT 1').get() as
    | { size: number; note: string }
    | undefined;
  return row ?? null;
}
