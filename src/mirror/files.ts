/**
 * Durable file writes for mirrors and restores, and the tiles a mirror holds read back as a
 * TileReader. Writes go to a temporary name, are flushed, then renamed: a file is whole or absent.
 * Directory entries are flushed in batches by the caller (`syncDirectories`), before it commits.
 */
import { randomBytes } from 'node:crypto';
import { closeSync, existsSync, fdatasyncSync, openSync, readFileSync, writeSync } from 'node:fs';
import { mkdir, open, rename, rm } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { formatTilePath, type HashTile, type SyncTileReader, tileAt } from '../log/tiles.js';
import { MirrorError } from './errors.js';

/** Writes `data` to `file` through a flushed temporary file and a rename; makes the folder. */
export async function writeDurable(file: string, data: Uint8Array | string): Promise<void> {
  await mkdir(dirname(file), { recursive: true });
  const tmp = `${file}.tmp-${randomBytes(4).toString('hex')}`;
  const handle = await open(tmp, 'wx', 0o600);
  try {
    await handle.writeFile(data);
    await handle.datasync();
  } catch (e) {
    await handle.close();
    await rm(tmp, { force: true });
    throw e;
  }
  await handle.close();
  await rename(tmp, file);
}

/** Appends `text` to `file` and flushes it; the file is created if missing. */
export function appendDurable(file: string, text: string): void {
  const fd = openSync(file, 'a', 0o600);
  try {
    const bytes = Buffer.from(text, 'utf8');
    let off = 0;
    while (off < bytes.length) off += writeSync(fd, bytes, off, bytes.length - off);
    fdatasyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

/**
 * The hash tiles of the tree of `size` leaves, read from folders that hold C2SP tile paths
 * (the first folder that has a tile wins). A tile of that tree is stored at the width the tree
 * gives it; a narrower tile is served as its prefix, as the log itself does.
 */
export class LocalTiles implements SyncTileReader {
  constructor(
    readonly size: number,
    private readonly roots: readonly string[],
  ) {}

  readTiles(tiles: readonly HashTile[]): Uint8Array[] {
    return tiles.map((t) => {
      const now = tileAt(t.level, t.index, this.size);
      if (now === null || now.width < t.width) {
        throw new MirrorError(
          'mirror.damaged',
          `hash tile ${t.level}/${t.index} is not in the tree of size ${this.size}`,
        );
      }
      const path = formatTilePath(now);
      for (const root of this.roots) {
        const file = join(root, path);
        if (existsSync(file)) {
          const data = readFileSync(file);
          if (data.length !== now.width * 32) {
            throw new MirrorError(
              'mirror.damaged',
              `${file} holds ${data.length} bytes, not ${now.width * 32}`,
            );
          }
          return new Uint8Array(data.buffer, data.byteOffset, t.width * 32);
        }
      }
      throw new MirrorError(
        'mirror.damaged',
        `the mirror lacks ${path} of its tree of size ${this.size}: pull again`,
      );
    });
  }
}
