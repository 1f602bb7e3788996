import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { FormatError } from '../log/errors.js';
import {
  commitCanonical,
  commitment,
  RECORD_COMMITMENT_DOMAIN,
  recordLeafHash,
} from './commitment.js';
import { SchemaError } from './errors.js';
import { canonicalize } from './jcs.js';
import type { TamgaRecord } from './record.js';

interface Kat {
  name: string;
  record: TamgaRecord;
  saltHex: string;
  canonical: string;
  commitmentHex: string;
  leafHashHex: string;
}
const vectors = JSON.parse(
  readFileSync(new URL('../../test/vectors/tamga-records.json', import.meta.url), 'utf8'),
) as { commitments: Kat[] };

const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');
const fromHex = (s: string) => new Uint8Array(Buffer.from(s, 'hex'));

describe('record commitments', () => {
  it('uses the domain string of the design, literally', () => {
    expect(RECORD_COMMITMENT_DOMAIN).toBe('tamga/record/v1\n');
  });

  it('is SHA-256(domain ‖ salt ‖ JCS(record)), by hand with node:crypto', () => {
    const { record } = vectors.commitments[0]!;
    const salt = new Uint8Array(32).map((_, i) => 0xa0 + i);
    const expected = createHash('sha256')
      .update('tamga/record/v1\n', 'utf8')
      .update(salt)
      .update(canonicalize(record), 'utf8')
      .digest();
    expect(hex(commitment(record, salt))).toBe(expected.toString('hex'));
    expect(hex(recordLeafHash(commitment(record, salt)))).toBe(
      createHash('sha256').update(Uint8Array.of(0)).update(expected).digest('hex'),
    );
  });

  it.each(vectors.commitments)('matches the known answer for $name', (kat) => {
    expect(canonicalize(kat.record)).toBe(kat.canonical);
    const c = commitment(kat.record, fromHex(kat.saltHex));
    expect(hex(c)).toBe(kat.commitmentHex);
    expect(hex(recordLeafHash(c))).toBe(kat.leafHashHex);
    expect(
      hex(commitCanonical(new TextEncoder().encode(kat.canonical), fromHex(kat.saltHex))),
    ).toBe(kat.commitmentHex);
  });

  it('changes with every bit of the salt', () => {
    const { record, saltHex } = vectors.commitments[0]!;
    const salt = fromHex(saltHex);
    const base = hex(commitment(record, salt));
    const seen = new Set([base]);
    for (let bit = 0; bit < 256; bit++) {
      const s = salt.slice();
      s[bit >> 3]! ^= 1 << (bit & 7);
      seen.add(hex(commitment(record, s)));
    }
    expect(seen.size).toBe(257);
  });

  it('does not depend on member order, and does depend on content', () => {
    const { record, saltHex } = vectors.commitments[0]!;
    const salt = fromHex(saltHex);
    const reordered = Object.fromEntries(Object.entries(record).reverse()) as TamgaRecord;
    expect(hex(commitment(reordered, salt))).toBe(hex(commitment(record, salt)));
    fc.assert(
      fc.property(fc.string({ minLength: 1, maxLength: 50 }), (author) => {
        fc.pre(author !== record.author);
        const other = { ...record, author } as TamgaRecord;
        expect(hex(commitment(other, salt))).not.toBe(hex(commitment(record, salt)));
      }),
    );
  });

  it('refuses a salt that is not 32 bytes, and an invalid record', () => {
    const { record } = vectors.commitments[0]!;
    for (const n of [0, 16, 31, 33]) {
      const e = (() => {
        try {
          commitment(record, new Uint8Array(n));
        } catch (err) {
          return err;
        }
      })();
      expect(e).toBeInstanceOf(FormatError);
      expect((e as FormatError).code).toBe('commitment.salt');
    }
    const bad = { ...record, kind: 'memo' } as unknown as TamgaRecord;
    expect(() => commitment(bad, new Uint8Array(32))).toThrow(SchemaError);
    expect(() => recordLeafHash(new Uint8Array(31))).toThrow(FormatError);
  });
});
