/**
 * A streaming ZIP writer, store only (no compression: the files are scans and PDFs, already
 * compressed, and an evidence bundle should open with any unzip). PKWARE APPNOTE.TXT 6.3.x:
 * each entry is a local file header (4.3.7) with general purpose bit 3 set, so the CRC-32 and
 * sizes follow the data in a data descriptor (4.3.9) and nothing is held in memory; bit 11 marks
 * names as UTF-8. Then the central directory (4.3.12) and its end record (4.3.16). ZIP64
 * (4.3.14, 4.3.15, 4.5.3) is used where a size, an offset or the entry count does not fit.
 */
import { crc32 } from 'node:zlib';

/** One file in the archive: its name (`/`-separated) and its bytes, with their size. */
export interface ZipEntry {
  readonly name: string;
  readonly size: number;
  readonly data: Uint8Array | (() => AsyncIterable<Uint8Array>);
  readonly modified?: Date;
}

const MAX32 = 0xffffffff;
const FLAGS = 0x0808; // bit 3: data descriptor; bit 11: UTF-8 names

function dosTime(d: Date): { time: number; date: number } {
  const year = Math.min(Math.max(d.getUTCFullYear(), 1980), 2107);
  return {
    time: (d.getUTCHours() << 11) | (d.getUTCMinutes() << 5) | Math.floor(d.getUTCSeconds() / 2),
    date: ((year - 1980) << 9) | ((d.getUTCMonth() + 1) << 5) | d.getUTCDate(),
  };
}

interface Written {
  name: Buffer;
  crc: number;
  size: number;
  offset: number;
  zip64: boolean;
  time: number;
  date: number;
}

/**
 * Yields the archive of `entries`, in order. Throws Error when an entry's data is not `size`
 * bytes long (the archive is then cut short, never completed wrongly).
 */
export async function* zipStream(entries: Iterable<ZipEntry>): AsyncGenerator<Uint8Array> {
  const written: Written[] = [];
  let offset = 0;
  for (const e of entries) {
    const name = Buffer.from(e.name, 'utf8');
    const zip64 = e.size >= MAX32;
    const { time, date } = dosTime(e.modified ?? new Date());
    const extra = zip64 ? Buffer.alloc(20) : Buffer.alloc(0);
    if (zip64) {
      extra.writeUInt16LE(0x0001, 0);
      extra.writeUInt16LE(16, 2); // sizes are in the data descriptor; zero here
    }
    const header = Buffer.alloc(30);
    header.writeUInt32LE(0x04034b50, 0);
    header.writeUInt16LE(zip64 ? 45 : 20, 4);
    header.writeUInt16LE(FLAGS, 6);
    header.writeUInt16LE(0, 8); // stored
    header.writeUInt16LE(time, 10);
    header.writeUInt16LE(date, 12);
    header.writeUInt32LE(0, 14);
    header.writeUInt32LE(zip64 ? MAX32 : 0, 18);
    header.writeUInt32LE(zip64 ? MAX32 : 0, 22);
    header.writeUInt16LE(name.length, 26);
    header.writeUInt16LE(extra.length, 28);
    const start = offset;
    yield header;
    yield name;
    if (extra.length) yield extra;
    offset += header.length + name.length + extra.length;

    let crc = 0;
    let size = 0;
    const chunks = typeof e.data === 'function' ? e.data() : [e.data];
    for await (const chunk of chunks) {
      crc = crc32(chunk, crc);
      size += chunk.length;
      yield chunk;
    }
    if (size !== e.size) {
      throw new Error(`zip: ${e.name} was ${size} bytes, not the ${e.size} announced`);
    }
    offset += size;
    const descriptor = Buffer.alloc(zip64 ? 24 : 16);
    descriptor.writeUInt32LE(0x08074b50, 0);
    descriptor.writeUInt32LE(crc >>> 0, 4);
    if (zip64) {
      descriptor.writeBigUInt64LE(BigInt(size), 8);
      descriptor.writeBigUInt64LE(BigInt(size), 16);
    } else {
      descriptor.writeUInt32LE(size, 8);
      descriptor.writeUInt32LE(size, 12);
    }
    yield descriptor;
    offset += descriptor.length;
    written.push({ name, crc: crc >>> 0, size, offset: start, zip64, time, date });
  }

  const cdStart = offset;
  for (const w of written) {
    const bigSize = w.size >= MAX32;
    const bigOffset = w.offset >= MAX32;
    const fields: bigint[] = [];
    if (bigSize) fields.push(BigInt(w.size), BigInt(w.size));
    if (bigOffset) fields.push(BigInt(w.offset));
    const extra = Buffer.alloc(fields.length ? 4 + 8 * fields.length : 0);
    if (fields.length) {
      extra.writeUInt16LE(0x0001, 0);
      extra.writeUInt16LE(8 * fields.length, 2);
      fields.forEach((f, i) => {
        extra.writeBigUInt64LE(f, 4 + 8 * i);
      });
    }
    const h = Buffer.alloc(46);
    h.writeUInt32LE(0x02014b50, 0);
    h.writeUInt16LE((3 << 8) | 45, 4); // made by: UNIX, 4.5
    h.writeUInt16LE(w.zip64 || bigOffset ? 45 : 20, 6);
    h.writeUInt16LE(FLAGS, 8);
    h.writeUInt16LE(0, 10);
    h.writeUInt16LE(w.time, 12);
    h.writeUInt16LE(w.date, 14);
    h.writeUInt32LE(w.crc, 16);
    h.writeUInt32LE(bigSize ? MAX32 : w.size, 20);
    h.writeUInt32LE(bigSize ? MAX32 : w.size, 24);
    h.writeUInt16LE(w.name.length, 28);
    h.writeUInt16LE(extra.length, 30);
    h.writeUInt16LE(0, 32); // comment
    h.writeUInt16LE(0, 34); // disk
    h.writeUInt16LE(0, 36); // internal attributes
    h.writeUInt32LE((0o100644 << 16) >>> 0, 38); // a regular file, rw-r--r--
    h.writeUInt32LE(bigOffset ? MAX32 : w.offset, 42);
    yield h;
    yield w.name;
    if (extra.length) yield extra;
    offset += h.length + w.name.length + extra.length;
  }
  const cdSize = offset - cdStart;
  const needs64 = written.length >= 0xffff || cdStart >= MAX32 || cdSize >= MAX32;
  if (needs64) {
    const rec = Buffer.alloc(56);
    rec.writeUInt32LE(0x06064b50, 0);
    rec.writeBigUInt64LE(44n, 4);
    rec.writeUInt16LE((3 << 8) | 45, 12);
    rec.writeUInt16LE(45, 14);
    rec.writeUInt32LE(0, 16);
    rec.writeUInt32LE(0, 20);
    rec.writeBigUInt64LE(BigInt(written.length), 24);
    rec.writeBigUInt64LE(BigInt(written.length), 32);
    rec.writeBigUInt64LE(BigInt(cdSize), 40);
    rec.writeBigUInt64LE(BigInt(cdStart), 48);
    const locator = Buffer.alloc(20);
    locator.writeUInt32LE(0x07064b50, 0);
    locator.writeUInt32LE(0, 4);
    locator.writeBigUInt64LE(BigInt(offset), 8);
    locator.writeUInt32LE(1, 16);
    yield rec;
    yield locator;
  }
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(0, 4);
  end.writeUInt16LE(0, 6);
  end.writeUInt16LE(needs64 ? 0xffff : written.length, 8);
  end.writeUInt16LE(needs64 ? 0xffff : written.length, 10);
  end.writeUInt32LE(needs64 ? MAX32 : cdSize, 12);
  end.writeUInt32LE(needs64 ? MAX32 : cdStart, 16);
  end.writeUInt16LE(0, 20);
  yield end;
}
