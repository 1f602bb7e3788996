/**
 * A small ZIP reader for the tests, independent of the writer: finds the end of central
 * directory record (and the ZIP64 one), walks the central directory, and reads each stored
 * entry through its local header, checking its CRC-32 (PKWARE APPNOTE 4.3).
 */
import { crc32 } from 'node:zlib';

export function readZip(zip: Buffer): Map<string, Buffer> {
  let eocd = -1;
  for (let i = zip.length - 22; i >= Math.max(0, zip.length - 22 - 65535); i--) {
    if (zip.readUInt32LE(i) === 0x06054b50) {
      eocd = i;
      break;
    }
  }
  if (eocd === -1) throw new Error('zip: no end of central directory record');
  let count = zip.readUInt16LE(eocd + 10);
  let cdOffset = zip.readUInt32LE(eocd + 16);
  if (cdOffset === 0xffffffff || count === 0xffff) {
    const locator = eocd - 20;
    if (zip.readUInt32LE(locator) !== 0x07064b50) throw new Error('zip: no ZIP64 locator');
    const rec = Number(zip.readBigUInt64LE(locator + 8));
    if (zip.readUInt32LE(rec) !== 0x06064b50) throw new Error('zip: no ZIP64 end record');
    count = Number(zip.readBigUInt64LE(rec + 32));
    cdOffset = Number(zip.readBigUInt64LE(rec + 48));
  }
  const out = new Map<string, Buffer>();
  let p = cdOffset;
  for (let n = 0; n < count; n++) {
    if (zip.readUInt32LE(p) !== 0x02014b50) throw new Error(`zip: bad central header at ${p}`);
    const method = zip.readUInt16LE(p + 10);
    const crc = zip.readUInt32LE(p + 16);
    let size = zip.readUInt32LE(p + 24);
    const nameLen = zip.readUInt16LE(p + 28);
    const extraLen = zip.readUInt16LE(p + 30);
    const commentLen = zip.readUInt16LE(p + 32);
    let local = zip.readUInt32LE(p + 42);
    const name = zip.subarray(p + 46, p + 46 + nameLen).toString('utf8');
    const extra = zip.subarray(p + 46 + nameLen, p + 46 + nameLen + extraLen);
    if (extra.length >= 4 && extra.readUInt16LE(0) === 1) {
      let q = 4;
      if (size === 0xffffffff) {
        size = Number(extra.readBigUInt64LE(q));
        q += 16;
      }
      if (local === 0xffffffff) local = Number(extra.readBigUInt64LE(q));
    }
    if (method !== 0) throw new Error(`zip: ${name} is compressed (method ${method})`);
    if (zip.readUInt32LE(local) !== 0x04034b50) throw new Error(`zip: bad local header of ${name}`);
    const start = local + 30 + zip.readUInt16LE(local + 26) + zip.readUInt16LE(local + 28);
    const data = zip.subarray(start, start + size);
    if (crc32(data) >>> 0 !== crc) throw new Error(`zip: CRC-32 of ${name} does not match`);
    out.set(name, Buffer.from(data));
    p += 46 + nameLen + extraLen + commentLen;
  }
  return out;
}
