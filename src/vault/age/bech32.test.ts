import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodeBech32, encodeBech32 } from './bech32.js';
import { generateX25519Identity, x25519Recipient } from './x25519.js';

describe('Bech32 (BIP 173)', () => {
  // Valid and invalid strings from BIP 173's test vectors.
  it.each([
    'A12UEL5L',
    'a12uel5l',
    'an83characterlonghumanreadablepartthatcontainsthenumber1andtheexcludedcharactersbio1tt5tgs',
    'abcdef1qpzry9x8gf2tvdw0s3jn54khce6mua7lmqqqxw',
    '11qqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqc8247j',
    'split1checkupstagehandshakeupstreamerranterredcaperred2y9e3w',
    '?1ezyfcl',
  ])('accepts the BIP 173 valid string %s', (s) => {
    expect(() => decodeBech32(s)).not.toThrow();
  });

  it.each([
    ['pzry9x0s0muk', 'no separator'],
    ['1pzry9x0s0muk', 'empty prefix'],
    ['x1b4n0q5v', 'invalid data character'],
    ['li1dgmt3', 'too short checksum'],
    ['A1G7SGD8', 'checksum calculated with uppercase prefix'],
    ['10a06t8', 'empty prefix'],
    ['1qzzfhee', 'empty prefix'],
    ['a12UEL5L', 'mixed case'],
  ])('refuses the BIP 173 invalid string %s (%s)', (s) => {
    expect(() => decodeBech32(s)).toThrow(/invalid Bech32/);
  });

  it('round-trips any bytes under any prefix, without the 90-character limit', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 200 }), (bytes) => {
        const s = encodeBech32('age', bytes);
        expect(decodeBech32(s)).toEqual({ hrp: 'age', bytes });
        expect(decodeBech32(s.toUpperCase()).bytes).toEqual(bytes);
      }),
    );
  });

  it('refuses non-zero padding bits', () => {
    // 'l' is 31: as the only data symbol before the checksum its 5 bits cannot be padding.
    const words = encodeBech32('age', new Uint8Array([0xff]));
    expect(decodeBech32(words).bytes).toEqual(new Uint8Array([0xff]));
    expect(() => decodeBech32('age1lqqqqqqqqq')).toThrow(/invalid Bech32/);
  });
});

describe('age X25519 key strings', () => {
  it('derives the recipient of the spec’s example identity', () => {
    // https://age-encryption.org/v1, "The X25519 recipient type".
    expect(
      x25519Recipient('AGE-SECRET-KEY-1GFPYYSJZGFPYYSJZGFPYYSJZGFPYYSJZGFPYYSJZGFPYYSJZGFPQ4EGAEX'),
    ).toBe('age1zvkyg2lqzraa2lnjvqej32nkuu0ues2s82hzrye869xeexvn73equnujwj');
  });

  it('generates identities whose recipient it derives again', () => {
    const { identity, recipient } = generateX25519Identity();
    expect(identity).toMatch(/^AGE-SECRET-KEY-1[02-9AC-HJ-NP-Z]{58}$/);
    expect(recipient).toMatch(/^age1[02-9ac-hj-np-z]{58}$/);
    expect(x25519Recipient(identity)).toBe(recipient);
  });

  it('refuses a lowercase identity, a recipient as identity, and a bad checksum, without echoing the key', () => {
    const { identity, recipient } = generateX25519Identity();
    const broken = identity.slice(0, -1) + (identity.endsWith('Q') ? 'P' : 'Q');
    for (const bad of [identity.toLowerCase(), recipient, broken, '']) {
      let error: unknown;
      try {
        x25519Recipient(bad);
      } catch (e) {
        error = e;
      }
      expect(error).toMatchObject({ code: 'age.bad-identity' });
      expect((error as Error).message).not.toContain(identity.slice(16, 40));
    }
  });
});
