import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { describe, expect, it } from 'vitest';
import { blobName, parseBlobNameKey } from './blob-names.js';
import { limitStream, prefetch } from './streams.js';

async function drain(chunks: string[], size: number): Promise<string> {
  let out = '';
  await pipeline(
    Readable.from(chunks.map((c) => Buffer.from(c))),
    limitStream(size, 'the file'),
    async (s) => {
      for await (const c of s) out += c.toString();
    },
  );
  return out;
}

describe('limitStream', () => {
  it('passes exactly the size listed', async () => {
    expect(await drain(['ab', 'cd'], 4)).toBe('abcd');
  });
  it('fails on more, or fewer, bytes', async () => {
    await expect(drain(['ab', 'cde'], 4)).rejects.toThrow(/longer than the 4 bytes/);
    await expect(drain(['ab'], 4)).rejects.toThrow(/ended after 2 of the 4 bytes/);
  });
});

describe('prefetch', () => {
  it('yields in order with at most `window` calls ahead', async () => {
    let running = 0;
    let most = 0;
    const out: number[] = [];
    for await (const [, r] of prefetch([5, 1, 4, 2, 3], 2, async (n) => {
      running++;
      most = Math.max(most, running);
      await new Promise((res) => setTimeout(res, n));
      running--;
      return n * 10;
    })) {
      out.push(r);
    }
    expect(out).toEqual([50, 10, 40, 20, 30]);
    expect(most).toBeLessThanOrEqual(2);
  });
});

describe('blob names', () => {
  const sha = 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855';
  it('are stable per key, differ between keys, and are not the hash', () => {
    const k1 = parseBlobNameKey('11'.repeat(32));
    const k2 = parseBlobNameKey('22'.repeat(32));
    expect(blobName(k1, sha)).toBe(blobName(k1, sha));
    expect(blobName(k1, sha)).not.toBe(blobName(k2, sha));
    expect(blobName(k1, sha)).toMatch(/^[0-9a-f]{64}$/);
    expect(blobName(k1, sha)).not.toBe(sha);
  });
  it('need a key', () => {
    expect(() => parseBlobNameKey(undefined)).toThrow(/tamga mirror token/);
  });
});
