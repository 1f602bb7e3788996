/**
 * SHA-256 (FIPS 180-4) in pure TypeScript, tuned for the small inputs of Merkle trees.
 *
 * The log core must run unchanged in Node, in a witness and in the browser, and it hashes
 * millions of 33- and 65-byte messages. WebCrypto is asynchronous and `node:crypto` costs about
 * 1.3 µs a call in overhead alone; the unrolled compression function in sha256-compress.ts does a
 * whole RFC 6962 node hash in about 0.6 µs. Correctness is checked against `node:crypto` on
 * random inputs of every length in sha256.test.ts.
 */
import { compress } from './sha256-compress.js';

// FIPS 180-4 §5.3.3: initial hash value H(0).
const IV = new Int32Array([
  0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19,
]);

/** Incremental SHA-256. Feed bytes with `update`, then call `digest` once. */
export class Sha256 {
  private readonly state = new Int32Array(IV);
  private readonly words = new Int32Array(16);
  private readonly block = new Uint8Array(64);
  private blockLength = 0;
  private length = 0;
  private finished = false;

  /** Adds `data` to the message. Throws if `digest` was already called. */
  update(data: Uint8Array): this {
    if (this.finished) throw new Error('Sha256: update after digest');
    this.length += data.length;
    let offset = 0;
    if (this.blockLength > 0) {
      const take = Math.min(64 - this.blockLength, data.length);
      this.block.set(data.subarray(0, take), this.blockLength);
      this.blockLength += take;
      offset = take;
      if (this.blockLength < 64) return this;
      this.compressBlock(this.block, 0);
      this.blockLength = 0;
    }
    for (; offset + 64 <= data.length; offset += 64) this.compressBlock(data, offset);
    if (offset < data.length) {
      this.block.set(data.subarray(offset), 0);
      this.blockLength = data.length - offset;
    }
    return this;
  }

  /** Returns the 32-byte hash of everything passed to `update`. */
  digest(): Uint8Array {
    if (this.finished) throw new Error('Sha256: digest called twice');
    this.finished = true;
    // FIPS 180-4 §5.1.1: append 0x80, zeros, then the message length in bits as 64-bit big-endian.
    const block = this.block;
    block[this.blockLength] = 0x80;
    block.fill(0, this.blockLength + 1);
    if (this.blockLength >= 56) {
      this.compressBlock(block, 0);
      block.fill(0);
    }
    const bits = this.length * 8;
    const view = new DataView(block.buffer, block.byteOffset, 64);
    view.setUint32(56, Math.floor(bits / 0x1_0000_0000));
    view.setUint32(60, bits >>> 0);
    this.compressBlock(block, 0);
    return stateToBytes(this.state);
  }

  private compressBlock(data: Uint8Array, offset: number): void {
    const w = this.words;
    for (let i = 0; i < 16; i++, offset += 4) {
      w[i] =
        (data[offset]! << 24) |
        (data[offset + 1]! << 16) |
        (data[offset + 2]! << 8) |
        data[offset + 3]!;
    }
    compress(this.state, w);
  }
}

/** Returns SHA-256 of `data`. */
export function sha256(data: Uint8Array): Uint8Array {
  return new Sha256().update(data).digest();
}

// Scratch space for the fixed-shape Merkle hashes below. They are synchronous and never
// re-entered, so sharing one state and one schedule is safe.
const scratchState = new Int32Array(8);
const scratchWords = new Int32Array(16);

/**
 * Returns SHA-256(0x01 ‖ left ‖ right) for two 32-byte hashes, the RFC 6962 interior node hash.
 * The 65-byte message fills exactly two blocks, so the padding is written directly.
 */
export function sha256Node(left: Uint8Array, right: Uint8Array): Uint8Array {
  const h = scratchState;
  const w = scratchWords;
  h.set(IV);
  // Block 1: 0x01, left[0..31], right[0..30]. Every word straddles the one-byte prefix.
  w[0] = 0x01000000 | (left[0]! << 16) | (left[1]! << 8) | left[2]!;
  for (let i = 1, o = 3; i < 8; i++, o += 4) {
    w[i] = (left[o]! << 24) | (left[o + 1]! << 16) | (left[o + 2]! << 8) | left[o + 3]!;
  }
  w[8] = (left[31]! << 24) | (right[0]! << 16) | (right[1]! << 8) | right[2]!;
  for (let i = 9, o = 3; i < 16; i++, o += 4) {
    w[i] = (right[o]! << 24) | (right[o + 1]! << 16) | (right[o + 2]! << 8) | right[o + 3]!;
  }
  compress(h, w);
  // Block 2: right[31], 0x80, zeros, and the length 65 * 8 = 520 bits.
  w[0] = (right[31]! << 24) | 0x00800000;
  w.fill(0, 1, 15);
  w[15] = 520;
  compress(h, w);
  return stateToBytes(h);
}

/** Returns SHA-256(prefix ‖ data) for one prefix byte, the RFC 6962 leaf hash when prefix is 0. */
export function sha256Prefixed(prefix: number, data: Uint8Array): Uint8Array {
  if (data.length > 54) {
    return new Sha256().update(Uint8Array.of(prefix)).update(data).digest();
  }
  // Up to 55 bytes of message fit one block with its padding: the common case of leaf hashes
  // over 32-byte commitments.
  const block = new Uint8Array(64);
  block[0] = prefix;
  block.set(data, 1);
  block[data.length + 1] = 0x80;
  const bits = (data.length + 1) * 8;
  block[62] = bits >>> 8;
  block[63] = bits & 0xff;
  const w = scratchWords;
  for (let i = 0, o = 0; i < 16; i++, o += 4) {
    w[i] = (block[o]! << 24) | (block[o + 1]! << 16) | (block[o + 2]! << 8) | block[o + 3]!;
  }
  const h = scratchState;
  h.set(IV);
  compress(h, w);
  return stateToBytes(h);
}

function stateToBytes(h: Int32Array): Uint8Array {
  const out = new Uint8Array(32);
  for (let i = 0, o = 0; i < 8; i++, o += 4) {
    const v = h[i]!;
    out[o] = v >>> 24;
    out[o + 1] = v >>> 16;
    out[o + 2] = v >>> 8;
    out[o + 3] = v;
  }
  return out;
}
