/**
 * SHA-256 of files in the browser. Files up to WEBCRYPTO_LIMIT are hashed by WebCrypto in one
 * call (native and fast, but not incremental: the whole file is in memory once). Larger files,
 * and pages where WebCrypto is missing, are read in CHUNK slices through the log core's
 * incremental SHA-256 (src/log/sha256.ts), so memory stays bounded whatever the size.
 */
import type { FileDigest } from '../../src/evidence/files.js';
import { Sha256 } from '../../src/log/sha256.js';

/** Files up to this size go to WebCrypto whole: 64 MiB. */
export const WEBCRYPTO_LIMIT = 64 * 1024 * 1024;
/** Larger files are read in slices of 4 MiB. */
export const CHUNK = 4 * 1024 * 1024;

/** Called with the bytes hashed so far. */
export type HashProgress = (bytes: number) => void;

/** Returns the lower-case hex of `bytes`. */
export function toHex(bytes: Uint8Array): string {
  let out = '';
  for (const b of bytes) out += b.toString(16).padStart(2, '0');
  return out;
}

/** Resolves to the SHA-256 (lower-case hex) and size of `blob`; rejects when it cannot be read. */
export async function hashBlob(blob: Blob, onProgress?: HashProgress): Promise<FileDigest> {
  const subtle = globalThis.crypto?.subtle;
  if (subtle !== undefined && blob.size <= WEBCRYPTO_LIMIT) {
    const digest = await subtle.digest('SHA-256', await blob.arrayBuffer());
    onProgress?.(blob.size);
    return { sha256: toHex(new Uint8Array(digest)), size: blob.size };
  }
  const hash = new Sha256();
  for (let offset = 0; offset < blob.size; offset += CHUNK) {
    const slice = blob.slice(offset, Math.min(offset + CHUNK, blob.size));
    hash.update(new Uint8Array(await slice.arrayBuffer()));
    onProgress?.(Math.min(offset + CHUNK, blob.size));
  }
  return { sha256: toHex(hash.digest()), size: blob.size };
}
