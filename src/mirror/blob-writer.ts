/**
 * Encrypted files written into a mirror as a pull receives them, durably and cheaply.
 *
 * Each file is written to a temporary name beside its place in private/blobs/<aa>/ as its bytes
 * arrive (plain synchronous writes: they land in the page cache), then flushed with fdatasync on
 * the thread pool, many files at once, and only then renamed to its name. (Beside, not in one
 * tmp/ folder: new files spread over the 256 folders, as a copy's do, and a rename stays within a
 * folder.) So a file is in place only once its bytes are
 * on disk, which is what lets a later pull trust the files it finds there (by size): a crash
 * never leaves a file of the right size and the wrong bytes. The folders that received files are
 * flushed once, by `finish`, before the pull commits.
 */
import { randomBytes } from 'node:crypto';
import { closeSync, fdatasync, mkdirSync, openSync, renameSync, rmSync, writeSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { syncDirectories } from '../vault/vault.js';
import { MirrorError } from './errors.js';
import type { BlobEntry } from './format.js';
import { blobFile, type MirrorLayout } from './mirror-dir.js';

const AGE_MAGIC = new TextEncoder().encode('age-encryption.org/v1\n');

/**
 * What follows a blob's name in its temporary name. Not `.age`: the mirror lists, serves and
 * counts as held only `<name>.age`; a pull removes temporary files an interrupted one left.
 */
export const TEMPORARY = '.tmp-';

/** Files being flushed at once, at most (each holds a file descriptor). */
const FLUSHING = 64;

/** Writes encrypted files into a mirror; one per pull. */
export class BlobWriter {
  /** A prefix of this pull's temporary names: no random bytes per file. */
  private readonly prefix = randomBytes(4).toString('hex');
  private count = 0;
  private flushing = 0;
  private readonly waiting: Array<() => void> = [];
  private failure: unknown = null;
  private readonly made = new Set<string>();
  private readonly dirs = new Set<string>();

  constructor(
    private readonly layout: MirrorLayout,
    private readonly where: string,
  ) {}

  /** Resolves once another file may be begun; rejects with the first failed flush. */
  async room(): Promise<void> {
    while (this.flushing >= FLUSHING && this.failure === null) {
      await new Promise<void>((r) => this.waiting.push(r));
    }
    if (this.failure !== null) throw this.failure;
  }

  /** Begins the file of `blob`, under a temporary name beside its place. */
  begin(blob: BlobEntry): IncomingBlob {
    if (this.failure !== null) throw this.failure;
    const dst = join(this.layout.dir, blobFile(blob.name));
    const dir = dirname(dst);
    // One of 256 folders: made once a pull, not once a file.
    if (!this.made.has(dir)) {
      mkdirSync(dir, { recursive: true });
      this.made.add(dir);
      // The folders that may have gained a folder: private/blobs/ and private/.
      this.dirs.add(this.layout.blobs).add(dirname(this.layout.blobs));
    }
    const tmp = join(dir, `${blob.name}${TEMPORARY}${this.prefix}-${this.count++}`);
    const fd = openSync(tmp, 'wx', 0o600);
    return new IncomingBlob(this, blob, tmp, dst, fd, this.where);
  }

  /** Flushes `fd`, then renames `tmp` to `dst`: how an IncomingBlob ends. */
  flush(tmp: string, dst: string, fd: number): void {
    this.flushing++;
    fdatasync(fd, (e) => {
      try {
        if (e !== null) throw e;
        closeSync(fd);
        renameSync(tmp, dst);
        this.dirs.add(dirname(dst));
      } catch (err) {
        if (e !== null) closeQuietly(fd);
        rmSync(tmp, { force: true });
        this.failure ??= err;
      }
      this.flushing--;
      for (const wake of this.waiting.splice(0)) wake();
    });
  }

  /** Resolves once every file begun is flushed and in place, whether or not all succeeded. */
  async settle(): Promise<void> {
    while (this.flushing > 0) await new Promise<void>((r) => this.waiting.push(r));
  }

  /**
   * Waits for every file to be flushed and in place, then flushes the folders that received
   * them. Throws the first failure.
   */
  async finish(): Promise<void> {
    await this.settle();
    if (this.failure !== null) throw this.failure;
    await syncDirectories(this.dirs);
  }
}

/** One encrypted file as it arrives: exactly its listed size, and an age file. */
export class IncomingBlob {
  private seen = 0;
  private closed = false;

  constructor(
    private readonly writer: BlobWriter,
    readonly blob: BlobEntry,
    private readonly tmp: string,
    private readonly dst: string,
    private readonly fd: number,
    private readonly where: string,
  ) {}

  /** Writes the next bytes of the file; throws MirrorError past its listed size or if not age. */
  write(bytes: Uint8Array): void {
    const { blob } = this;
    if (bytes.length > blob.size - this.seen) {
      throw new MirrorError(
        'mirror.size',
        `the encrypted file ${blob.name} of ${this.where} is longer than the ${blob.size} bytes it was listed with`,
      );
    }
    if (this.seen < AGE_MAGIC.length) {
      const n = Math.min(bytes.length, AGE_MAGIC.length - this.seen);
      for (let i = 0; i < n; i++) {
        if (bytes[i] !== AGE_MAGIC[this.seen + i]) throw this.notAge();
      }
    }
    let off = 0;
    while (off < bytes.length) off += writeSync(this.fd, bytes, off, bytes.length - off);
    this.seen += bytes.length;
  }

  /** Ends the file: it is flushed and put in place in the background (see BlobWriter.finish). */
  end(): void {
    const { blob } = this;
    if (this.seen !== blob.size) {
      throw new MirrorError(
        'mirror.size',
        `the encrypted file ${blob.name} of ${this.where} ended after ${this.seen} of the ${blob.size} bytes it was listed with`,
      );
    }
    if (this.seen < AGE_MAGIC.length) throw this.notAge();
    this.closed = true;
    this.writer.flush(this.tmp, this.dst, this.fd);
  }

  /** Drops the file, unless it was ended. */
  abort(): void {
    if (this.closed) return;
    this.closed = true;
    closeQuietly(this.fd);
    rmSync(this.tmp, { force: true });
  }

  private notAge(): MirrorError {
    return new MirrorError(
      'mirror.not-age',
      `the encrypted file ${this.blob.name} of ${this.where} is not an age file; refused`,
    );
  }
}

function closeQuietly(fd: number): void {
  try {
    closeSync(fd);
  } catch {
    // already closed, or nothing more to lose
  }
}
