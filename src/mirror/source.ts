/**
 * Where a pull or a restore reads a log from: a server (a vault, or a served mirror) over HTTP,
 * or a mirror directory on disk. Both answer the same questions, so restore has one code path.
 */
import type { Readable } from 'node:stream';
import type { EntryTile, Tile } from '../log/tiles.js';
import type { BlobPage, CheckpointPage, MirrorInfo } from './format.js';

/** A log and its private data, read-only. Untrusted: every answer is checked by the caller. */
export interface MirrorSource {
  /** The URL or directory, for messages. */
  readonly where: string;
  info(): Promise<MirrorInfo>;
  /** The latest checkpoint, as a signed note, or null while the log is empty. */
  latest(): Promise<string | null>;
  /** Checkpoints of sizes above `after`, ascending, one page. */
  checkpoints(after: number): Promise<CheckpointPage>;
  /** A public tile: hash tile or entry bundle, exactly as its C2SP path names it. */
  tile(tile: Tile): Promise<Uint8Array>;
  keyFile(): Promise<Uint8Array>;
  secrets(): Promise<Uint8Array>;
  /** The age-encrypted record bundle of entry tile `tile`. */
  recordBundle(tile: EntryTile): Promise<Uint8Array>;
  /** One page of encrypted files after the opaque cursor `after`. */
  blobs(after: string | null): Promise<BlobPage>;
  /** The encrypted file `name`; the stream fails unless it is exactly `size` bytes. */
  openBlob(name: string, size: number): Promise<Readable>;
  /**
   * The pack (pack.ts) of the files of the page after `after`, from its `skip`th, at most `limit`
   * of them; null when the source serves no packs (a server older than them). Optional: a source
   * without it is read one file at a time.
   */
  openPack?(after: string | null, skip: number, limit: number): Promise<Readable | null>;
  close(): Promise<void>;
}
