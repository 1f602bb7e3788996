/**
 * What the private routes serve, behind one narrow interface: a vault (`VaultPrivateStore`) and a
 * mirror directory (`MirrorDirectory`) both implement it, so a mirror can be pulled from, or
 * restored from, exactly as the vault it copies.
 */
import type { EntryTile } from '../log/tiles.js';
import type { BlobFile, BlobPage, CheckpointPage, MirrorInfo } from './format.js';

/** The private data of a log, as the routes under /private/v1 serve it. */
export interface PrivateStore {
  /** True when `token` may read this store. Compares in constant time. */
  authorize(token: string): boolean;
  /** The log's identity and witness policy. */
  info(): MirrorInfo;
  /** The passphrase-protected key file, byte for byte. */
  keyFile(): Promise<Uint8Array>;
  /** The secrets document, age-encrypted to the vault. */
  secrets(): Promise<Uint8Array>;
  /** Checkpoints of sizes above `after`, at most `limit`, up to the latest one published. */
  checkpoints(after: number, limit: number): CheckpointPage;
  /**
   * The record bundle of entry tile `tile`, age-encrypted to the vault, or null when the tree of
   * the latest checkpoint does not hold it (or, for a mirror, holds it at another width).
   */
  recordBundle(tile: EntryTile): Promise<Uint8Array | null>;
  /** A page of encrypted files after the opaque cursor `after`; null for a cursor not its own. */
  blobs(after: string | null, limit: number): Promise<BlobPage | null>;
  /**
   * The files `blobs(after, skip + limit)` lists, without the first `skip`, with their paths; null
   * for a cursor not its own. What a pack holds.
   */
  blobFiles(after: string | null, skip: number, limit: number): Promise<BlobFile[] | null>;
  /** The file of the blob named `name`, and its size, or null when there is none. */
  blob(name: string): Promise<{ path: string; size: number } | null>;
}
