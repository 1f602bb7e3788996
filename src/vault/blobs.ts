/**
 * Encrypted blobs: each file's contents, encrypted with age to the vault's recipient, stored as
 * `blobs/<aa>/<sha256>.age` under the SHA-256 of the plaintext. A blob is written to blobs/tmp,
 * flushed to disk and renamed into place; the caller flushes the folders it renamed into before
 * it acknowledges any record that names the blob.
 */
import { createHash, randomBytes } from 'node:crypto';
import { constants, createReadStream, createWriteStream } from 'node:fs';
import { type FileHandle, link, mkdir, open, rename, rm, stat } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { AgeEncryptor } from './age/encrypt.js';
import { decryptStream } from './age/index.js';
import type { X25519Recipient } from './age/x25519.js';
import { VaultError } from './errors.js';
import { blobPath, type VaultLayout } from './layout.js';

/** A blob written: the plaintext's hash and size, and where it went. */
export interface StoredBlob {
  readonly sha256: string;
  readonly size: number;
  readonly storedSize: number;
  readonly path: string;
  /** False when an identical blob was already stored and this copy was discarded. */
  readonly written: boolean;
  /** True when the blob's folder was created: the parent's entry must be flushed too. */
  readonly createdDir: boolean;
}

const READ_SIZE = 1 << 20;

/**
 * Reads `source` once, hashing and encrypting it, and stores the blob. `expected` is the size
 * and modification time seen when the file was found: when the file no longer matches after
 * reading, it changed while being read, and nothing is stored.
 */
export async function storeBlob(
  layout: VaultLayout,
  recipient: X25519Recipient,
  source: string | Buffer,
  expected: { size: number; mtimeMs: number },
): Promise<StoredBlob | { changed: true }> {
  // O_NONBLOCK: a named pipe swapped in for the file must not block the seal forever; the
  // fstat below then refuses it. On regular files the flag changes nothing.
  const input = await open(source, constants.O_RDONLY | constants.O_NONBLOCK);
  try {
    if (!(await input.stat()).isFile()) return { changed: true };
    const buffer = Buffer.allocUnsafe(READ_SIZE);
    return await writeBlob(
      layout,
      recipient,
      async () => {
        const { bytesRead } = await input.read(buffer, 0, READ_SIZE, null);
        return bytesRead === 0 ? null : buffer.subarray(0, bytesRead);
      },
      async (size) => {
        const after = await input.stat();
        return (
          after.size === expected.size &&
          size === expected.size &&
          after.mtimeMs === expected.mtimeMs
        );
      },
    );
  } finally {
    await input.close();
  }
}

/**
 * Stores `bytes` (a file received whole, such as a statement sent to the web app) as a blob,
 * hashing and encrypting them as `storeBlob` does a file.
 */
export async function storeBlobBytes(
  layout: VaultLayout,
  recipient: X25519Recipient,
  bytes: Uint8Array,
): Promise<StoredBlob> {
  let offset = 0;
  const stored = await writeBlob(
    layout,
    recipient,
    async () => {
      if (offset >= bytes.length) return null;
      const chunk = bytes.subarray(offset, offset + READ_SIZE);
      offset += chunk.length;
      return chunk;
    },
    async () => true,
  );
  if ('changed' in stored) throw new Error('bytes in memory cannot change while stored');
  return stored;
}

/**
 * Hashes and encrypts the chunks `next` yields (null at the end) into a temporary file, flushes
 * it, and renames it into place, or drops it when the same blob is stored already. `unchanged`,
 * given the bytes read, says whether the source stayed as it was; when not, nothing is stored.
 */
async function writeBlob(
  layout: VaultLayout,
  recipient: X25519Recipient,
  next: () => Promise<Uint8Array | null>,
  unchanged: (size: number) => Promise<boolean>,
): Promise<StoredBlob | { changed: true }> {
  const tmp = join(layout.blobsTmp, `${process.pid}-${randomBytes(8).toString('hex')}.tmp`);
  let output: FileHandle | undefined;
  try {
    output = await open(tmp, 'wx', 0o600);
    const hash = createHash('sha256');
    const encryptor = new AgeEncryptor([recipient]);
    let pending: Buffer[] = [];
    let pendingBytes = 0;
    let storedSize = 0;
    let size = 0;
    const out = output;
    const flush = async () => {
      if (pendingBytes === 0) return;
      const data = pending.length === 1 ? pending[0]! : Buffer.concat(pending, pendingBytes);
      pending = [];
      pendingBytes = 0;
      // A write may be short (a nearly full disk): loop until every byte is written.
      let offset = 0;
      while (offset < data.length) {
        const { bytesWritten } = await out.write(data, offset, data.length - offset);
        if (bytesWritten === 0)
          throw Object.assign(new Error('no space left on the disk'), { code: 'ENOSPC' });
        offset += bytesWritten;
      }
    };
    const emit = (b: Buffer) => {
      // The encryptor may reuse its buffers: copy what we keep.
      pending.push(Buffer.from(b));
      pendingBytes += b.length;
      storedSize += b.length;
    };
    for (let chunk = await next(); chunk !== null; chunk = await next()) {
      size += chunk.length;
      hash.update(chunk);
      encryptor.write(chunk, emit);
      if (pendingBytes >= READ_SIZE) await flush();
    }
    encryptor.end(emit);
    await flush();
    if (!(await unchanged(size))) {
      await output.close();
      output = undefined;
      await rm(tmp, { force: true });
      return { changed: true };
    }
    await output.datasync();
    const written = (await output.stat()).size;
    await output.close();
    if (written !== storedSize) {
      throw Object.assign(
        new Error(`the encrypted file was written short (${written} of ${storedSize} bytes)`),
        { code: 'EIO' },
      );
    }
    output = undefined;
    const sha256 = hash.digest('hex');
    const path = blobPath(layout, sha256);
    const existing = await stat(path).catch(() => null);
    if (existing !== null) {
      await rm(tmp, { force: true });
      return { sha256, size, storedSize: existing.size, path, written: false, createdDir: false };
    }
    let createdDir = false;
    try {
      await rename(tmp, path);
    } catch (e) {
      // The blob's folder (one of 256) does not exist yet: make it once, then retry.
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
      await mkdir(dirname(path), { recursive: true });
      createdDir = true;
      await rename(tmp, path);
    }
    return { sha256, size, storedSize, path, written: true, createdDir };
  } catch (e) {
    await output?.close().catch(() => undefined);
    await rm(tmp, { force: true });
    throw e;
  }
}

/**
 * Decrypts the blob of `sha256` into `dst`, which appears only once the whole blob has
 * authenticated and its plaintext hashes to `sha256` (age proves the blob is the vault's; the
 * hash proves it is the one the record names). Refuses to replace an existing `dst`.
 */
export async function decryptBlobTo(
  layout: VaultLayout,
  sha256: string,
  identity: string,
  dst: string,
): Promise<void> {
  const hash = createHash('sha256');
  const tee = new Transform({
    transform(chunk: Buffer, _encoding, done) {
      hash.update(chunk);
      done(null, chunk);
    },
  });
  const partial = `${dst}.${randomBytes(4).toString('hex')}.partial`;
  try {
    await pipeline(
      createReadStream(blobPath(layout, sha256)),
      decryptStream([identity]),
      tee,
      createWriteStream(partial, { flags: 'wx' }),
    );
    if (hash.digest('hex') !== sha256) {
      throw new VaultError(
        'blob.mismatch',
        `the stored file ${sha256} does not match its record; run \`tamga fsck\``,
      );
    }
    // link + unlink instead of rename: never replaces a file that appeared meanwhile.
    await link(partial, dst);
  } finally {
    await rm(partial, { force: true });
  }
}
