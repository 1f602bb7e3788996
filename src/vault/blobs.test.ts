/** storeBlob: one read that hashes and encrypts a file into blobs/<aa>/<sha256>.age. */
import { createHash } from 'node:crypto';
import {
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { decryptBytes, generateX25519Identity } from './age/index.js';
import { parseX25519Recipient } from './age/x25519.js';
import { storeBlob } from './blobs.js';
import { blobPath, type VaultLayout, vaultLayout } from './layout.js';

let dir: string;
let layout: VaultLayout;
const age = generateX25519Identity();
const recipient = parseX25519Recipient(age.recipient);

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'tamga-blobs-'));
  layout = vaultLayout(join(dir, 'vault'));
  mkdirSync(layout.blobsTmp, { recursive: true });
});

afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

function source(name: string, data: Uint8Array | string) {
  const path = join(dir, name);
  writeFileSync(path, data);
  const s = statSync(path);
  return { path, expected: { size: s.size, mtimeMs: s.mtimeMs } };
}

describe('storeBlob', () => {
  it.each([0, 1, 65536, 65537, 1_200_000])(
    'stores %i bytes under their SHA-256, decryptable with the identity',
    async (size) => {
      const data = Uint8Array.from({ length: size }, (_, i) => (i * 7) & 0xff);
      const { path, expected } = source('in.bin', data);
      const stored = await storeBlob(layout, recipient, path, expected);
      if ('changed' in stored) throw new Error('unexpected change');
      const sha256 = createHash('sha256').update(data).digest('hex');
      expect(stored).toEqual({
        sha256,
        size,
        storedSize: statSync(blobPath(layout, sha256)).size,
        path: blobPath(layout, sha256),
        written: true,
        createdDir: expect.any(Boolean),
      });
      const plain = decryptBytes(readFileSync(stored.path), [age.identity]);
      expect(Buffer.from(plain).equals(Buffer.from(data))).toBe(true);
      expect(readdirSync(layout.blobsTmp)).toEqual([]);
    },
  );

  it('keeps the first copy of contents already stored, and says it wrote nothing', async () => {
    const a = source('a.txt', 'same');
    const b = source('b.txt', 'same');
    const first = await storeBlob(layout, recipient, a.path, a.expected);
    const before = readFileSync(
      blobPath(layout, createHash('sha256').update('same').digest('hex')),
    );
    const second = await storeBlob(layout, recipient, b.path, b.expected);
    expect(first).toMatchObject({ written: true });
    expect(second).toMatchObject({ written: false, path: (first as { path: string }).path });
    expect(readFileSync((first as { path: string }).path).equals(before)).toBe(true);
    expect(readdirSync(layout.blobsTmp)).toEqual([]);
  });

  it('stores nothing when the file no longer matches what the walk saw', async () => {
    const { path, expected } = source('in.txt', 'now longer than it was');
    for (const stale of [
      { ...expected, size: expected.size - 1 },
      { ...expected, mtimeMs: expected.mtimeMs - 1000 },
    ]) {
      expect(await storeBlob(layout, recipient, path, stale)).toEqual({ changed: true });
    }
    expect(readdirSync(layout.blobs).sort()).toEqual(['tmp']);
    expect(readdirSync(layout.blobsTmp)).toEqual([]);
  });

  it('rejects with the file system error for a missing source, leaving nothing behind', async () => {
    await expect(
      storeBlob(layout, recipient, join(dir, 'missing'), { size: 1, mtimeMs: 0 }),
    ).rejects.toMatchObject({ code: 'ENOENT' });
    expect(readdirSync(layout.blobsTmp)).toEqual([]);
  });

  // Regression test for a bug fixed after it was found by this test.
  it('stores into a blob folder that was removed since an earlier store', async () => {
    const a = source('a.txt', 'first life');
    const first = await storeBlob(layout, recipient, a.path, a.expected);
    if ('changed' in first) throw new Error('unexpected change');
    rmSync(join(first.path, '..'), { recursive: true });
    const again = await storeBlob(layout, recipient, a.path, a.expected);
    expect(again).toMatchObject({ written: true, path: first.path });
  });
});
