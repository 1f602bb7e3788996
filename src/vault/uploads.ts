/**
 * Uploads: files arriving over HTTP in pieces, sealed once whole. Each upload is hashed and
 * encrypted (age, to the vault's recipient) as its bytes arrive, into a temporary blob in
 * blobs/tmp; the plaintext never touches the disk. Sealing ends the age stream, flushes the
 * blob and renames it into place, as `storeBlob` does for a file on disk; the caller then
 * appends the record. An upload that is abandoned, or whose server stops, leaves only a
 * temporary file, which the next `Vault.open` removes: nothing half-sealed.
 *
 * Pieces can follow a dropped connection: the next piece starts at the offset the server
 * holds (every byte received is hashed, encrypted and counted). The hash and encryption state
 * live in memory, so an upload survives a dropped connection but not a restart of the server.
 */
import { createHash, type Hash, randomBytes } from 'node:crypto';
import { type FileHandle, mkdir, open, rename, rm, stat } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { AgeEncryptor } from './age/encrypt.js';
import type { X25519Recipient } from './age/x25519.js';
import type { StoredBlob } from './blobs.js';
import { VaultError } from './errors.js';
import { blobPath, type VaultLayout } from './layout.js';

/** What is known of a file when its upload starts. */
export interface UploadRequest {
  /** The path it is sealed under, already cleaned (see `cleanUploadPath`). */
  readonly path: string;
  /** The path as given, when cleaning changed it. */
  readonly rawPath?: string;
  readonly size: number;
  /** The SHA-256 the browser computed, checked when sealing. */
  readonly sha256?: string;
  readonly lastModified?: number;
  readonly tags: readonly string[];
  readonly meta: Readonly<Record<string, string>>;
  /** The date the document bears, as entered (the record's `documentDate`). */
  readonly documentDate?: string;
  /** Who uploads it: only they may add to it, and they are the record's author. */
  readonly owner: string;
}

/** An upload in progress. */
export interface Upload extends UploadRequest {
  readonly id: string;
  /** Bytes received, hashed and encrypted so far. */
  readonly offset: number;
}

/** Bounds on uploads. */
export interface UploadLimits {
  /** The largest file, in bytes. */
  readonly maxBytes: number;
  /** Uploads open at once; more are refused until some finish or expire. */
  readonly maxOpen: number;
  /** An upload that receives nothing for this long is dropped. */
  readonly idleMs: number;
}

/** Default bounds: 2 GiB files, 1000 open uploads, a day idle. */
export const DEFAULT_UPLOAD_LIMITS: UploadLimits = {
  maxBytes: 2 * 1024 ** 3,
  maxOpen: 1000,
  idleMs: 24 * 60 * 60 * 1000,
};

const FLUSH_BYTES = 1 << 20;
const EMPTY = Buffer.alloc(0);

/** Copies emitted ciphertext into the upload's buffer (the encryptor may reuse its own). */
function keep(u: OpenUpload, b: Buffer): void {
  b.copy(u.pending, u.pendingBytes);
  u.pendingBytes += b.length;
}

/** How long a piece waits for the one before it (a dropped connection) to wind up. */
const BUSY_WAIT_MS = 5000;

interface OpenUpload {
  request: UploadRequest;
  id: string;
  offset: number;
  tmp: string;
  file: FileHandle | null;
  hash: Hash;
  encryptor: AgeEncryptor | null;
  /** Ciphertext not yet written: the first `pendingBytes` of `pending`, copied once. */
  pending: Buffer;
  pendingBytes: number;
  storedSize: number;
  busy: boolean;
  broken: string | null;
  touched: number;
}

/** A sealed-ready upload: the blob stored, as `storeBlob` returns it, and what was uploaded. */
export interface FinishedUpload {
  readonly upload: Upload;
  readonly blob: StoredBlob;
}

// biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are replaced.
const CONTROL = /[\u0000-\u001f\u007f]/g;
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

/**
 * Returns the path a browser-given relative path is sealed under: `\` read as `/`, empty, `.`
 * and `..` names and a leading drive letter dropped, control characters and unpaired
 * surrogates (names that were not UTF-8) replaced by U+FFFD, in Unicode NFC. `lossy` is true
 * when anything but separators changed. Returns `file` for a path with no name left.
 */
export function cleanUploadPath(given: string): { path: string; lossy: boolean } {
  const wellFormed = given.replace(LONE_SURROGATE, '\uFFFD').normalize('NFC');
  const names = wellFormed
    .replace(/\\/g, '/')
    .split('/')
    .filter((n, i) => n !== '' && n !== '.' && n !== '..' && !(i === 0 && /^[A-Za-z]:$/.test(n)))
    .map((n) => n.replace(CONTROL, '\uFFFD'));
  const path = names.length === 0 ? 'file' : names.join('/');
  const plain = given.replace(/\\/g, '/').replace(/^\/+/, '');
  return { path, lossy: path !== plain };
}

/** The uploads of one vault, held in memory. */
export class UploadStore {
  private readonly open = new Map<string, OpenUpload>();

  constructor(
    private readonly layout: VaultLayout,
    private readonly recipient: X25519Recipient,
    readonly limits: UploadLimits = DEFAULT_UPLOAD_LIMITS,
  ) {}

  /** Starts an upload. Throws VaultError `upload.too-large` or `upload.too-many`. */
  create(request: UploadRequest, now = Date.now()): Upload {
    if (request.size > this.limits.maxBytes) {
      throw new VaultError(
        'upload.too-large',
        `the file is ${request.size} bytes; this server takes files of at most ${this.limits.maxBytes} bytes`,
      );
    }
    this.expire(now);
    if (this.open.size >= this.limits.maxOpen) {
      throw new VaultError(
        'upload.too-many',
        `${this.open.size} uploads are already in progress; finish or cancel some first`,
      );
    }
    const id = randomBytes(16).toString('base64url');
    this.open.set(id, {
      request,
      id,
      offset: 0,
      // The process id first: Vault.open removes temporary blobs of processes no longer alive.
      tmp: join(this.layout.blobsTmp, `${process.pid}-upload-${id}.tmp`),
      file: null,
      hash: createHash('sha256'),
      encryptor: null,
      pending: EMPTY,
      pendingBytes: 0,
      storedSize: 0,
      busy: false,
      broken: null,
      touched: now,
    });
    return this.view(this.open.get(id)!);
  }

  /** Returns upload `id` when `owner` started it, else null. */
  get(id: string, owner: string): Upload | null {
    const u = this.open.get(id);
    return u === undefined || u.request.owner !== owner ? null : this.view(u);
  }

  /**
   * Adds `body`'s bytes at `offset`. Resolves to the new offset, also when the connection
   * drops part way (what arrived is kept). Throws VaultError `upload.missing`, `upload.busy`
   * (a piece is arriving already), `upload.offset` (not where the upload stands),
   * `upload.overflow` (more bytes than announced) or `upload.broken` (a disk error before).
   */
  async write(
    id: string,
    owner: string,
    offset: number,
    body: AsyncIterable<Buffer | Uint8Array>,
  ): Promise<number> {
    const u = await this.take(id, owner);
    try {
      if (offset !== u.offset) {
        throw new VaultError(
          'upload.offset',
          `the upload stands at byte ${u.offset}, not ${offset}; send from byte ${u.offset}`,
        );
      }
      if (u.file === null) {
        await mkdir(this.layout.blobsTmp, { recursive: true });
        u.file = await open(u.tmp, 'wx', 0o600);
        u.encryptor = new AgeEncryptor([this.recipient]);
      }
      const emit = (b: Buffer) => keep(u, b);
      try {
        for await (const chunk of body) {
          if (u.offset + chunk.length > u.request.size) {
            throw new VaultError(
              'upload.overflow',
              `the upload was announced as ${u.request.size} bytes and more arrived; start it again`,
            );
          }
          // Room for what this chunk can emit: itself, a held 64 KiB chunk, tags, the header.
          const room = chunk.length + 70_000 + (chunk.length >>> 12);
          if (u.pendingBytes + room > u.pending.length) {
            await this.flush(u);
            if (room > u.pending.length)
              u.pending = Buffer.allocUnsafe(Math.max(room, FLUSH_BYTES * 2));
          }
          u.hash.update(chunk);
          u.encryptor!.write(chunk, emit);
          u.offset += chunk.length;
          u.touched = Date.now();
          if (u.pendingBytes >= FLUSH_BYTES) await this.flush(u);
        }
      } catch (e) {
        // A dropped connection: keep what arrived. Anything else is the caller's to report.
        if (!isAbort(e)) throw e;
      }
      await this.flush(u);
      // The buffer is for the piece arriving; an upload waiting for its next piece holds none.
      u.pending = EMPTY;
      return u.offset;
    } catch (e) {
      if (e instanceof VaultError && e.code === 'upload.offset') throw e;
      await this.discard(u, describe(e));
      throw e;
    } finally {
      u.busy = false;
    }
  }

  /**
   * Ends upload `id` once every byte has arrived: ends the age stream, flushes the blob to disk
   * and moves it into place (or drops it when the same contents are already stored). The upload
   * is gone afterwards. Throws VaultError `upload.incomplete` (bytes missing: send them, then
   * seal again) or `upload.hash-mismatch` (the contents are not what the browser hashed).
   */
  async finish(id: string, owner: string): Promise<FinishedUpload> {
    const u = await this.take(id, owner);
    try {
      if (u.offset !== u.request.size) {
        throw new VaultError(
          'upload.incomplete',
          `only ${u.offset} of ${u.request.size} bytes have arrived; send the rest from byte ${u.offset}, then seal`,
        );
      }
      if (u.file === null) {
        await mkdir(this.layout.blobsTmp, { recursive: true });
        u.file = await open(u.tmp, 'wx', 0o600);
        u.encryptor = new AgeEncryptor([this.recipient]);
      }
      await this.flush(u);
      if (u.pending.length < 70_000) u.pending = Buffer.allocUnsafe(70_000);
      u.encryptor!.end((b) => keep(u, b));
      await this.flush(u);
      const sha256 = u.hash.digest('hex');
      if (u.request.sha256 !== undefined && u.request.sha256 !== sha256) {
        await this.discard(u, 'hash mismatch');
        throw new VaultError(
          'upload.hash-mismatch',
          'the bytes that arrived do not hash to the SHA-256 the browser computed; upload the file again',
        );
      }
      await u.file.datasync();
      const written = (await u.file.stat()).size;
      await u.file.close();
      u.file = null;
      if (written !== u.storedSize) {
        throw new VaultError(
          'upload.short-write',
          `the encrypted file was written short (${written} of ${u.storedSize} bytes); upload it again`,
        );
      }
      const path = blobPath(this.layout, sha256);
      const existing = await stat(path).catch(() => null);
      let blob: StoredBlob;
      if (existing !== null) {
        await rm(u.tmp, { force: true });
        blob = {
          sha256,
          size: u.offset,
          storedSize: existing.size,
          path,
          written: false,
          createdDir: false,
        };
      } else {
        let createdDir = false;
        try {
          await rename(u.tmp, path);
        } catch (e) {
          if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
          await mkdir(dirname(path), { recursive: true });
          createdDir = true;
          await rename(u.tmp, path);
        }
        blob = {
          sha256,
          size: u.offset,
          storedSize: u.storedSize,
          path,
          written: true,
          createdDir,
        };
      }
      const upload = this.view(u);
      this.open.delete(u.id);
      return { upload, blob };
    } catch (e) {
      if (e instanceof VaultError && e.code === 'upload.incomplete') throw e;
      await this.discard(u, describe(e));
      throw e;
    } finally {
      u.busy = false;
    }
  }

  /** Abandons upload `id`; returns false when there is none of `owner`'s. */
  async cancel(id: string, owner: string): Promise<boolean> {
    const u = this.open.get(id);
    if (u === undefined || u.request.owner !== owner) return false;
    await this.discard(u, 'cancelled');
    return true;
  }

  /** How many uploads are open. */
  get size(): number {
    return this.open.size;
  }

  /** Abandons every upload (the server is stopping). */
  async close(): Promise<void> {
    await Promise.all([...this.open.values()].map((u) => this.discard(u, 'server stopping')));
  }

  private async take(id: string, owner: string): Promise<OpenUpload> {
    // A piece whose connection just dropped may still be winding up: give it a moment.
    for (let waited = 0; this.open.get(id)?.busy && waited < BUSY_WAIT_MS; waited += 50) {
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    const u = this.open.get(id);
    if (u === undefined || u.request.owner !== owner) {
      throw new VaultError(
        'upload.missing',
        'no such upload: it was finished, cancelled, expired or lost when the server restarted; start the file again',
      );
    }
    if (u.broken !== null) {
      throw new VaultError('upload.broken', `the upload failed (${u.broken}); start it again`);
    }
    if (u.busy) {
      throw new VaultError(
        'upload.busy',
        'another piece of this upload is arriving; wait for it, then ask where the upload stands',
      );
    }
    u.busy = true;
    return u;
  }

  private async flush(u: OpenUpload): Promise<void> {
    if (u.pendingBytes === 0 || u.file === null) return;
    const data = u.pending.subarray(0, u.pendingBytes);
    let off = 0;
    while (off < data.length) {
      const { bytesWritten } = await u.file.write(data, off, data.length - off);
      if (bytesWritten === 0) {
        throw Object.assign(new Error('no space left on the disk'), { code: 'ENOSPC' });
      }
      off += bytesWritten;
    }
    u.storedSize += data.length;
    u.pendingBytes = 0;
  }

  private async discard(u: OpenUpload, why: string): Promise<void> {
    u.broken = why;
    this.open.delete(u.id);
    await u.file?.close().catch(() => undefined);
    u.file = null;
    u.pending = EMPTY;
    await rm(u.tmp, { force: true });
  }

  private expire(now: number): void {
    for (const u of this.open.values()) {
      if (!u.busy && now - u.touched > this.limits.idleMs) void this.discard(u, 'expired');
    }
  }

  private view(u: OpenUpload): Upload {
    return { ...u.request, id: u.id, offset: u.offset };
  }
}

function isAbort(e: unknown): boolean {
  const code = (e as NodeJS.ErrnoException | undefined)?.code;
  return (
    code === 'ECONNRESET' ||
    code === 'ERR_STREAM_PREMATURE_CLOSE' ||
    code === 'ECONNABORTED' ||
    (e as Error | undefined)?.name === 'AbortError' ||
    (e as Error | undefined)?.message === 'aborted'
  );
}

function describe(e: unknown): string {
  const code = (e as NodeJS.ErrnoException | undefined)?.code;
  return code ?? (e instanceof VaultError ? e.code : 'error');
}
