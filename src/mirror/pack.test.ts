import { describe, expect, it } from 'vitest';
import { MirrorError } from './errors.js';
import {
  PACK_MAGIC,
  type PackEvent,
  PackReader,
  packEnd,
  packFileHeader,
  packLength,
  packStart,
} from './pack.js';

const NAME_A = 'a'.repeat(64);
const NAME_B = '0123456789abcdef'.repeat(4);

function pack(files: Array<[string, Uint8Array]>, end = true): Uint8Array {
  const parts = [packStart()];
  for (const [name, bytes] of files) parts.push(packFileHeader(name, bytes.length), bytes);
  if (end) parts.push(packEnd());
  return Buffer.concat(parts);
}

/** Reads `bytes` split into chunks of `step` bytes; returns the files and whether it ended. */
function read(bytes: Uint8Array, step: number, bounds = { maxFiles: 10, maxBytes: 1 << 20 }) {
  const reader = new PackReader(bounds, 'the test');
  const files: Array<{ name: string; size: number; bytes: number[] }> = [];
  const events: PackEvent['type'][] = [];
  for (let o = 0; o < bytes.length; o += step) {
    for (const ev of reader.push(bytes.subarray(o, o + step))) {
      events.push(ev.type);
      if (ev.type === 'file') files.push({ name: ev.name, size: ev.size, bytes: [] });
      if (ev.type === 'data') files[files.length - 1]!.bytes.push(...ev.bytes);
    }
  }
  reader.close();
  return { files, events };
}

describe('packs', () => {
  const a = new Uint8Array(300).map((_, i) => i & 0xff);
  const b = new Uint8Array(0);
  const c = new Uint8Array([7]);
  const bytes = pack([
    [NAME_A, a],
    [NAME_B, b],
    [NAME_A, c],
  ]);

  it('frames files as magic, then tag, name, size and bytes, then an end marker', () => {
    expect(Buffer.from(bytes.subarray(0, PACK_MAGIC.length)).toString()).toBe(PACK_MAGIC);
    const h = packFileHeader(NAME_B, 2 ** 32 + 5);
    expect(Buffer.from(h).toString('hex')).toBe(`01${NAME_B}0000000100000005`);
    expect(bytes[bytes.length - 1]).toBe(0);
    expect(bytes.length).toBe(packLength([300, 0, 1]));
    expect(packLength([])).toBe(PACK_MAGIC.length + 1);
  });

  it('reads back what was framed, however the bytes are split', () => {
    for (const step of [1, 2, 7, 41, 64, 1000]) {
      const { files, events } = read(bytes, step);
      expect(
        files.map((f) => [f.name, f.size]),
        `step ${step}`,
      ).toEqual([
        [NAME_A, 300],
        [NAME_B, 0],
        [NAME_A, 1],
      ]);
      expect(Uint8Array.from(files[0]!.bytes)).toEqual(a);
      expect(files[2]!.bytes).toEqual([7]);
      expect(events.filter((e) => e === 'file-end')).toHaveLength(3);
      expect(events[events.length - 1]).toBe('end');
    }
    expect(read(pack([]), 1).files).toEqual([]);
  });

  it('refuses what breaks the format', () => {
    const cases: Array<[string, Uint8Array, RegExp]> = [
      [
        'another magic',
        Buffer.concat([Buffer.from('tamga-mirror-pack/v2\n'), packEnd()]),
        /does not start with a pack/,
      ],
      ['HTML', Buffer.from('<html><body>hello, world</body></html>'), /does not start with a pack/],
      ['an unknown tag', Buffer.concat([packStart(), Uint8Array.of(2)]), /unknown kind 2/],
      ['bytes after the end', Buffer.concat([bytes, Uint8Array.of(0)]), /after its end marker/],
      ['no end marker', pack([[NAME_A, a]], false), /cut short/],
      ['a file cut short', bytes.subarray(0, PACK_MAGIC.length + 41 + 100), /cut short/],
      ['a header cut short', bytes.subarray(0, PACK_MAGIC.length + 20), /cut short/],
      ['nothing', new Uint8Array(0), /cut short/],
    ];
    for (const [what, input, message] of cases) {
      expect(() => read(input, 5), what).toThrow(message);
      expect(() => read(input, 5), what).toThrow(MirrorError);
    }
  });

  it('holds a pack to the files and bytes asked for', () => {
    expect(() => read(bytes, 9, { maxFiles: 2, maxBytes: 1 << 20 })).toThrow(
      /more than the 2 files asked for/,
    );
    expect(() => read(bytes, 9, { maxFiles: 10, maxBytes: 300 })).toThrow(
      /more than the 300 bytes asked for/,
    );
    // A size that claims the whole bound at once is refused before any byte of the file.
    const huge = Buffer.concat([packStart(), packFileHeader(NAME_A, 2 ** 40)]);
    expect(() => read(huge, 1000)).toThrow(/more than the 1048576 bytes/);
    expect(read(bytes, 9, { maxFiles: 3, maxBytes: 301 }).files).toHaveLength(3);
  });

  it('names a file by 64 hex digits only', () => {
    expect(() => packFileHeader('A'.repeat(64), 1)).toThrow(/64 hex digits/);
    expect(() => packFileHeader('a'.repeat(63), 1)).toThrow(/64 hex digits/);
    expect(() => packFileHeader(NAME_A, -1)).toThrow(/file size/);
  });
});
