/**
 * Packs (docs/mirror.md, "Packs"): many encrypted files in one answer of
 * `GET /private/v1/pack?after=C&skip=K&limit=N`, so that a pull pays one request for a run of
 * small files rather than one each.
 *
 *   pack = "tamga-mirror-pack/v1\n" *file end
 *   file = %x01 name size bytes   name: the 32 bytes the 64 hex digits of the blob name spell
 *                                 size: 8 bytes, big-endian; then exactly size bytes, as stored
 *   end  = %x00
 *
 * The files are those `blobs?after=C&limit=K+N` lists, without the first K, in that order: the
 * longest prefix of them whose sizes add up to at most `MIRROR_LIMITS.maxPackBytes`. A reader
 * knows from the end marker that the pack is whole, and from each header which file follows.
 */
import { MirrorError } from './errors.js';

/** The first line of every pack. */
export const PACK_MAGIC = 'tamga-mirror-pack/v1\n';

const FILE = 0x01;
const END = 0x00;
/** Tag, name and size. */
const HEADER = 1 + 32 + 8;

const MAGIC_BYTES = new TextEncoder().encode(PACK_MAGIC);

/** Returns the frame header of a file of `size` bytes named `name` (64 hex digits). */
export function packFileHeader(name: string, size: number): Uint8Array {
  if (!/^[0-9a-f]{64}$/.test(name)) {
    throw new RangeError(`expected a blob name of 64 hex digits, not ${name.slice(0, 80)}`);
  }
  if (!Number.isSafeInteger(size) || size < 0) {
    throw new RangeError(`expected a file size, not ${size}`);
  }
  const h = new Uint8Array(HEADER);
  h[0] = FILE;
  h.set(Buffer.from(name, 'hex'), 1);
  const view = new DataView(h.buffer);
  view.setUint32(33, Math.floor(size / 2 ** 32));
  view.setUint32(37, size >>> 0);
  return h;
}

/** The opening of a pack. */
export function packStart(): Uint8Array {
  return MAGIC_BYTES.slice();
}

/** The end marker of a pack. */
export function packEnd(): Uint8Array {
  return Uint8Array.of(END);
}

/** Returns the length in bytes of a pack of files of `sizes`. */
export function packLength(sizes: readonly number[]): number {
  let n = MAGIC_BYTES.length + 1;
  for (const s of sizes) n += HEADER + s;
  return n;
}

/** What a pack reader found: a file begins, some of its bytes, it is complete, the pack ends. */
export type PackEvent =
  | { readonly type: 'file'; readonly name: string; readonly size: number }
  | { readonly type: 'data'; readonly bytes: Uint8Array }
  | { readonly type: 'file-end' }
  | { readonly type: 'end' };

/** Bounds a reader holds a pack to. */
export interface PackBounds {
  /** Files at most. */
  readonly maxFiles: number;
  /** The files' bytes at most, headers aside. */
  readonly maxBytes: number;
}

/**
 * Reads a pack as it arrives, chunk by chunk, without copying file bytes. Throws MirrorError
 * ('mirror.bad-pack') at the first byte that breaks the format or the bounds.
 */
export class PackReader {
  private state: 'magic' | 'tag' | 'header' | 'body' | 'done' = 'magic';
  /** Bytes of the magic line or of a header gathered so far. */
  private readonly head = new Uint8Array(Math.max(HEADER, MAGIC_BYTES.length));
  private filled = 0;
  /** Bytes of the current file still to come. */
  private left = 0;
  private files = 0;
  private bytes = 0;

  constructor(
    private readonly bounds: PackBounds,
    private readonly where: string,
  ) {}

  /** True once the end marker was read. */
  get done(): boolean {
    return this.state === 'done';
  }

  /** Yields what `chunk` holds, in order; file bytes are views of `chunk`. */
  *push(chunk: Uint8Array): Generator<PackEvent> {
    let o = 0;
    while (o < chunk.length) {
      switch (this.state) {
        case 'magic': {
          const n = Math.min(MAGIC_BYTES.length - this.filled, chunk.length - o);
          this.head.set(chunk.subarray(o, o + n), this.filled);
          this.filled += n;
          o += n;
          if (this.filled === MAGIC_BYTES.length) {
            for (let i = 0; i < MAGIC_BYTES.length; i++) {
              if (this.head[i] !== MAGIC_BYTES[i]) throw this.bad('does not start with a pack');
            }
            this.state = 'tag';
          }
          break;
        }
        case 'tag': {
          const tag = chunk[o]!;
          if (tag === END) {
            o++;
            this.state = 'done';
            yield { type: 'end' };
          } else if (tag === FILE) {
            if (this.files === this.bounds.maxFiles) {
              throw this.bad(`holds more than the ${this.bounds.maxFiles} files asked for`);
            }
            this.filled = 0;
            this.state = 'header';
          } else {
            throw this.bad(`holds a frame of unknown kind ${tag}`);
          }
          break;
        }
        case 'header': {
          const n = Math.min(HEADER - this.filled, chunk.length - o);
          this.head.set(chunk.subarray(o, o + n), this.filled);
          this.filled += n;
          o += n;
          if (this.filled === HEADER) {
            const view = new DataView(this.head.buffer, 0, HEADER);
            const size = view.getUint32(33) * 2 ** 32 + view.getUint32(37);
            if (size > this.bounds.maxBytes - this.bytes) {
              throw this.bad(`holds more than the ${this.bounds.maxBytes} bytes asked for`);
            }
            this.files++;
            this.bytes += size;
            this.left = size;
            this.state = 'body';
            yield {
              type: 'file',
              name: Buffer.from(this.head.subarray(1, 33)).toString('hex'),
              size,
            };
            if (size === 0) {
              this.state = 'tag';
              yield { type: 'file-end' };
            }
          }
          break;
        }
        case 'body': {
          const n = Math.min(this.left, chunk.length - o);
          const bytes = chunk.subarray(o, o + n);
          o += n;
          this.left -= n;
          yield { type: 'data', bytes };
          if (this.left === 0) {
            this.state = 'tag';
            yield { type: 'file-end' };
          }
          break;
        }
        case 'done':
          throw this.bad('goes on after its end marker');
      }
    }
  }

  /** Throws MirrorError unless the pack was read to its end marker. */
  close(): void {
    if (this.state !== 'done') throw this.bad('was cut short');
  }

  private bad(what: string): MirrorError {
    return new MirrorError('mirror.bad-pack', `a pack from ${this.where} ${what}`);
  }
}
