/**
 * Reading the ZIP an evidence bundle is downloaded as (evidence.json, README.txt, verifier.html,
 * proofs/, files/, and a books diff's reports), so that a person checks the archive they were
 * sent without unpacking it: in the offline verifier page and in `tamga check-evidence`.
 *
 * ZIP per PKWARE's APPNOTE.TXT: the end of central directory record (§4.3.16, and §4.3.14–15
 * for ZIP64) locates the central directory (§4.3.12), whose entries locate each local header
 * (§4.3.7) and its data. Stored (method 0) and deflated (method 8) entries are read; deflate is
 * undone by the web-standard DecompressionStream (browsers, Node ≥ 20.12). Stored entries are
 * Blobs sliced from the archive, read only when hashed. An archive is untrusted: its entry
 * count, its central directory and the total it inflates to are bounded (`ZIP_LIMITS`), and an
 * entry is inflated only up to the size its central directory gives, never further.
 */
import { FormatError } from '../log/errors.js';
import { EVIDENCE_LIMITS } from './bundle.js';

const EOCD = 0x06054b50;
const ZIP64_LOCATOR = 0x07064b50;
const ZIP64_EOCD = 0x06064b50;
const CENTRAL = 0x02014b50;
const LOCAL = 0x04034b50;
const MAX_COMMENT = 0xffff;

/** What an archive may hold before it is refused. */
export const ZIP_LIMITS = {
  /** Entries: a proof and a file for as many records and files as a bundle holds, and more. */
  maxEntries: EVIDENCE_LIMITS.maxRecords + EVIDENCE_LIMITS.maxFiles + 1024,
  /** The central directory, in bytes: 64 MiB, held in memory while it is read. */
  maxCentralDirectoryBytes: 64 * 1024 * 1024,
  /**
   * What the deflated entries inflate to, all together: 2 GiB, held in memory (Tamga writes
   * its ZIPs stored, which are read from the archive as they are hashed).
   */
  maxInflatedBytes: 2 * 1024 * 1024 * 1024,
} as const;

/**
 * An archive that cannot be read: not a ZIP, truncated, encrypted, compressed otherwise than
 * stored or deflate, or beyond `ZIP_LIMITS`. `message` says which, in English.
 */
export class ZipError extends FormatError {
  constructor(message: string) {
    super('zip.unreadable', message);
  }
}

/** A file of an archive: its `/`-separated path inside it (prefixed when asked) and its bytes. */
export interface ZipMember {
  readonly file: File;
  readonly path: string;
}

/** True when `file`'s name or first bytes say it is a ZIP archive. */
export async function isZip(file: Blob & { readonly name?: string }): Promise<boolean> {
  if (file.name?.toLowerCase().endsWith('.zip')) return true;
  if (file.size < 4) return false;
  const head = new DataView(await file.slice(0, 4).arrayBuffer());
  const magic = head.getUint32(0, true);
  return magic === LOCAL || magic === EOCD;
}

function u64(view: DataView, at: number): number {
  const n = view.getUint32(at, true) + view.getUint32(at + 4, true) * 2 ** 32;
  if (!Number.isSafeInteger(n)) throw new ZipError('a ZIP64 size or offset is beyond 2^53');
  return n;
}

async function view(blob: Blob, start: number, end: number): Promise<DataView> {
  if (start < 0 || end > blob.size || start > end) throw new ZipError('the archive is truncated');
  return new DataView(await blob.slice(start, end).arrayBuffer());
}

/**
 * Resolves to the bytes `raw` inflates to, which must be exactly `size`: inflating stops, and
 * the stream is cancelled, as soon as it yields more.
 */
async function inflate(raw: Blob, size: number, name: string): Promise<Blob> {
  const reader = raw.stream().pipeThrough(new DecompressionStream('deflate-raw')).getReader();
  const parts: Uint8Array[] = [];
  let total = 0;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      total += value.length;
      if (total > size) {
        throw new ZipError(`${name} inflates to more than the ${size} bytes the archive gives`);
      }
      parts.push(value);
    }
  } catch (e) {
    await reader.cancel().catch(() => {});
    if (e instanceof ZipError) throw e;
    throw new ZipError(`${name} is not valid deflate data`);
  }
  if (total !== size) throw new ZipError(`${name} does not have the size the archive gives`);
  return new Blob(parts as BlobPart[]);
}

/**
 * Resolves to the files of the archive `zip` (folders skipped), each path prefixed with
 * `prefix/` when given. Rejects with ZipError for an archive that is not a ZIP, is truncated, is
 * encrypted, uses a compression method other than stored or deflate, or is beyond `ZIP_LIMITS`.
 */
export async function readZip(zip: Blob, prefix = ''): Promise<ZipMember[]> {
  const tailStart = Math.max(0, zip.size - (22 + MAX_COMMENT));
  const tail = await view(zip, tailStart, zip.size);
  let eocd = -1;
  for (let i = tail.byteLength - 22; i >= 0; i--) {
    if (tail.getUint32(i, true) === EOCD) {
      eocd = i;
      break;
    }
  }
  if (eocd < 0) throw new ZipError('no end of central directory: not a ZIP archive');
  let entries = tail.getUint16(eocd + 10, true);
  let cdSize = tail.getUint32(eocd + 12, true);
  let cdOffset = tail.getUint32(eocd + 16, true);
  if (entries === 0xffff || cdSize === 0xffffffff || cdOffset === 0xffffffff) {
    const at = eocd - 20;
    if (at < 0 || tail.getUint32(at, true) !== ZIP64_LOCATOR) {
      throw new ZipError('a ZIP64 archive without its locator');
    }
    const z64at = u64(tail, at + 8);
    const z64 = await view(zip, z64at, z64at + 56);
    if (z64.getUint32(0, true) !== ZIP64_EOCD) throw new ZipError('a broken ZIP64 record');
    entries = u64(z64, 32);
    cdSize = u64(z64, 40);
    cdOffset = u64(z64, 48);
  }
  if (entries > ZIP_LIMITS.maxEntries) {
    throw new ZipError(
      `the archive holds ${entries} entries; an evidence bundle's holds at most ${ZIP_LIMITS.maxEntries}`,
    );
  }
  if (cdSize > ZIP_LIMITS.maxCentralDirectoryBytes) {
    throw new ZipError(`the archive's central directory is larger than any evidence bundle's`);
  }
  const cd = await view(zip, cdOffset, cdOffset + cdSize);
  const utf8 = new TextDecoder('utf-8');
  const out: ZipMember[] = [];
  let inflated = 0;
  let p = 0;
  for (let n = 0; n < entries; n++) {
    if (p + 46 > cd.byteLength || cd.getUint32(p, true) !== CENTRAL) {
      throw new ZipError('a broken central directory');
    }
    const flags = cd.getUint16(p + 8, true);
    const method = cd.getUint16(p + 10, true);
    let compressed = cd.getUint32(p + 20, true);
    let size = cd.getUint32(p + 24, true);
    const nameLength = cd.getUint16(p + 28, true);
    const extraLength = cd.getUint16(p + 30, true);
    const commentLength = cd.getUint16(p + 32, true);
    let local = cd.getUint32(p + 42, true);
    if (p + 46 + nameLength + extraLength + commentLength > cd.byteLength) {
      throw new ZipError('a broken central directory');
    }
    const name = utf8.decode(new Uint8Array(cd.buffer, cd.byteOffset + p + 46, nameLength));
    // §4.5.3: the ZIP64 extra field holds, in order, those of the sizes and offset that are
    // 0xFFFFFFFF in the fixed fields.
    let e = p + 46 + nameLength;
    const extraEnd = e + extraLength;
    while (e + 4 <= extraEnd) {
      const id = cd.getUint16(e, true);
      const len = cd.getUint16(e + 2, true);
      if (id === 0x0001) {
        let q = e + 4;
        const field = () => {
          if (q + 8 > e + 4 + len || q + 8 > extraEnd) throw new ZipError('a broken ZIP64 field');
          const v = u64(cd, q);
          q += 8;
          return v;
        };
        if (size === 0xffffffff) size = field();
        if (compressed === 0xffffffff) compressed = field();
        if (local === 0xffffffff) local = field();
      }
      e += 4 + len;
    }
    p = extraEnd + commentLength;
    if (name.endsWith('/')) continue;
    if ((flags & 1) !== 0) throw new ZipError(`${name} is encrypted`);
    if (method !== 0 && method !== 8) {
      throw new ZipError(
        `${name} uses compression method ${method}; only stored and deflate are read`,
      );
    }
    const lh = await view(zip, local, local + 30);
    if (lh.getUint32(0, true) !== LOCAL) throw new ZipError(`a broken local header for ${name}`);
    const start = local + 30 + lh.getUint16(26, true) + lh.getUint16(28, true);
    if (start + compressed > zip.size) throw new ZipError('the archive is truncated');
    const raw = zip.slice(start, start + compressed);
    let data: Blob;
    if (method === 0) {
      if (compressed !== size) {
        throw new ZipError(`${name} does not have the size the archive gives`);
      }
      data = raw;
    } else {
      inflated += size;
      if (inflated > ZIP_LIMITS.maxInflatedBytes) {
        throw new ZipError(
          `the archive inflates to more than ${ZIP_LIMITS.maxInflatedBytes} bytes; unpack it, then check the folder`,
        );
      }
      data = await inflate(raw, size, name);
    }
    const base = name.slice(name.lastIndexOf('/') + 1);
    out.push({ file: new File([data], base), path: prefix === '' ? name : `${prefix}/${name}` });
  }
  return out;
}
