/**
 * Ed25519 (RFC 8032) for signed notes and cosignatures.
 *
 * The default is @noble/curves, pure TypeScript, so the log core verifies the same way in Node,
 * in a witness and in the browser. It is slow next to native code (about 1 ms to sign here), so
 * a platform with a native implementation may install it with `useEd25519`: the Node parts of
 * Tamga install `node:crypto` (src/platform/node-crypto.ts). Both must give identical
 * signatures, which Ed25519's determinism makes testable.
 */
import { ed25519 as noble } from '@noble/curves/ed25519.js';

/** An Ed25519 implementation. Keys are the 32-byte seed and the 32-byte public key. */
export interface Ed25519 {
  /** Returns the public key of a 32-byte seed. */
  publicKey(seed: Uint8Array): Uint8Array;
  /** Returns the 64-byte signature of `message`. */
  sign(message: Uint8Array, seed: Uint8Array): Uint8Array;
  /** Returns whether `signature` is valid under RFC 8032's strict rules; never throws. */
  verify(signature: Uint8Array, message: Uint8Array, publicKey: Uint8Array): boolean;
}

/** The pure implementation, @noble/curves in RFC 8032 strict mode (as Go's crypto/ed25519). */
export const pureEd25519: Ed25519 = {
  publicKey: (seed) => noble.getPublicKey(seed),
  sign: (message, seed) => noble.sign(message, seed),
  verify: (signature, message, publicKey) => {
    try {
      return noble.verify(signature, message, publicKey, { zip215: false });
    } catch {
      return false;
    }
  },
};

let current: Ed25519 = pureEd25519;

/** Makes `implementation` the one every note and cosignature uses from now on. */
export function useEd25519(implementation: Ed25519): void {
  current = implementation;
}

/** The Ed25519 implementation in use. */
export const ed25519: Ed25519 = {
  publicKey: (seed) => current.publicKey(seed),
  sign: (message, seed) => current.sign(message, seed),
  verify: (signature, message, publicKey) => current.verify(signature, message, publicKey),
};
