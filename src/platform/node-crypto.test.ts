import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { pureEd25519 } from '../log/ed25519.js';
import { nodeEd25519 } from './node-crypto.js';

describe('node:crypto Ed25519', () => {
  it('derives the same public keys and signatures as the pure implementation', () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ minLength: 32, maxLength: 32 }),
        fc.uint8Array({ maxLength: 300 }),
        (seed, message) => {
          const pub = pureEd25519.publicKey(seed);
          expect(nodeEd25519.publicKey(seed)).toEqual(pub);
          const sig = pureEd25519.sign(message, seed);
          expect(nodeEd25519.sign(message, seed)).toEqual(sig);
          expect(nodeEd25519.verify(sig, message, pub)).toBe(true);
        },
      ),
      { numRuns: 50 },
    );
  });

  it('agrees with the pure implementation on tampered signatures, messages and keys', () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ minLength: 32, maxLength: 32 }),
        fc.uint8Array({ minLength: 1, maxLength: 100 }),
        fc.nat(64 * 8 - 1),
        (seed, message, bit) => {
          const pub = pureEd25519.publicKey(seed);
          const sig = pureEd25519.sign(message, seed);
          const badSig = sig.slice();
          badSig[bit >> 3]! ^= 1 << (bit & 7);
          const badMsg = message.slice();
          badMsg[0]! ^= 1;
          const badPub = pub.slice();
          badPub[bit % 32]! ^= 1 << (bit & 7);
          for (const [s, m, p] of [
            [badSig, message, pub],
            [sig, badMsg, pub],
            [sig, message, badPub],
          ] as const) {
            expect(nodeEd25519.verify(s, m, p)).toBe(pureEd25519.verify(s, m, p));
            expect(nodeEd25519.verify(s, m, p)).toBe(false);
          }
        },
      ),
      { numRuns: 50 },
    );
  });

  it('refuses signatures and keys of the wrong length without throwing', () => {
    const seed = new Uint8Array(32).fill(1);
    const pub = nodeEd25519.publicKey(seed);
    const sig = nodeEd25519.sign(Uint8Array.of(1), seed);
    expect(nodeEd25519.verify(sig.subarray(1), Uint8Array.of(1), pub)).toBe(false);
    expect(nodeEd25519.verify(sig, Uint8Array.of(1), pub.subarray(1))).toBe(false);
  });
});
