import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Sha256, sha256, sha256Node, sha256Prefixed } from './sha256.js';

const reference = (...parts: Uint8Array[]) => {
  const h = createHash('sha256');
  for (const p of parts) h.update(p);
  return new Uint8Array(h.digest());
};
const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');

describe('sha256', () => {
  it('matches the FIPS 180-2 examples', () => {
    const enc = new TextEncoder();
    expect(hex(sha256(new Uint8Array(0)))).toBe(
      'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855',
    );
    expect(hex(sha256(enc.encode('abc')))).toBe(
      'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad',
    );
    expect(
      hex(sha256(enc.encode('abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq'))),
    ).toBe('248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1');
  });

  it('agrees with node:crypto on every length from 0 to 300 bytes', () => {
    for (let n = 0; n <= 300; n++) {
      const data = Uint8Array.from({ length: n }, (_, i) => (i * 31 + n) & 0xff);
      expect(hex(sha256(data))).toBe(hex(reference(data)));
      expect(hex(sha256Prefixed(0, data))).toBe(hex(reference(Uint8Array.of(0), data)));
    }
  });

  it('gives the same digest however the input is split across updates', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 1000 }), fc.array(fc.nat(1000)), (data, cuts) => {
        const points = [...new Set(cuts.map((c) => c % (data.length + 1)))].sort((a, b) => a - b);
        const h = new Sha256();
        let last = 0;
        for (const p of points) {
          h.update(data.subarray(last, p));
          last = p;
        }
        h.update(data.subarray(last));
        expect(hex(h.digest())).toBe(hex(reference(data)));
      }),
    );
  });

  it('hashes RFC 6962 interior nodes like node:crypto', () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ minLength: 32, maxLength: 32 }),
        fc.uint8Array({ minLength: 32, maxLength: 32 }),
        (l, r) => {
          expect(hex(sha256Node(l, r))).toBe(hex(reference(Uint8Array.of(1), l, r)));
        },
      ),
    );
  });

  it('is the generator output, unchanged', () => {
    const committed = readFileSync(new URL('./sha256-compress.ts', import.meta.url), 'utf8');
    const generated = execFileSync(
      process.execPath,
      ['--import', 'tsx', 'scripts/gen-sha256.ts', '--stdout'],
      { encoding: 'utf8' },
    );
    expect(committed).toBe(generated);
  });
});
