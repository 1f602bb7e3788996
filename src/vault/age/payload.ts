/**
 * The age payload (https://age-encryption.org/v1, "Payload"): a 16-byte nonce, then the
 * plaintext in 64 KiB chunks, each sealed with ChaCha20-Poly1305 (node:crypto) under
 *
 *     payload key = HKDF-SHA-256(ikm = file key, salt = nonce, info = "payload")
 *     chunk nonce = 11-byte big-endian chunk counter || 0x01 for the final chunk, else 0x00
 *
 * The final chunk may be full; it is empty only when the whole payload is.
 */
import { createCipheriv, createDecipheriv, hkdfSync } from 'node:crypto';

export const CHUNK_SIZE = 64 * 1024;
export const TAG_SIZE = 16;
export const SEALED_CHUNK_SIZE = CHUNK_SIZE + TAG_SIZE;
export const NONCE_SIZE = 16;

/** Returns the payload key for a file key and payload nonce. */
export function payloadKey(fileKey: Uint8Array, nonce: Uint8Array): Buffer {
  return Buffer.from(hkdfSync('sha256', fileKey, nonce, 'payload', 32));
}

/** The STREAM chunk nonce: a counter in bytes 0‥10 and the final-chunk flag in byte 11. */
class ChunkNonce {
  readonly bytes = Buffer.alloc(12);
  /** How many chunks came before this one. */
  index = 0;

  next(): void {
    // Overflow needs 2^88 chunks; the counter is kept for exactness, not as a limit.
    for (let i = 10; i >= 0; i--) {
      this.bytes[i] = (this.bytes[i]! + 1) & 0xff;
      if (this.bytes[i] !== 0) break;
    }
    this.index++;
  }

  flagged(last: boolean): Buffer {
    this.bytes[11] = last ? 1 : 0;
    return this.bytes;
  }
}

/** Seals chunks in order. Each call returns the ciphertext and its tag, to be written in turn. */
export class ChunkSealer {
  private readonly nonce = new ChunkNonce();
  private done = false;

  constructor(private readonly key: Buffer) {}

  /** Seals the next chunk (at most 64 KiB; empty only as the sole, final chunk). */
  seal(plaintext: Uint8Array, last: boolean): [Buffer, Buffer] {
    // Invariant held by the callers, checked again because breaking it would leak plaintext
    // structure or produce files no reader accepts.
    if (this.done || plaintext.length > CHUNK_SIZE)
      throw new Error('age: chunk sealed out of order');
    const cipher = createCipheriv('chacha20-poly1305', this.key, this.nonce.flagged(last), {
      authTagLength: TAG_SIZE,
    });
    const ciphertext = cipher.update(plaintext);
    cipher.final();
    this.nonce.next();
    this.done = last;
    return [ciphertext, cipher.getAuthTag()];
  }
}

/** Opens chunks in order; trying a chunk as final or not does not move on to the next. */
export class ChunkOpener {
  private readonly nonce = new ChunkNonce();

  constructor(private readonly key: Buffer) {}

  /** The index of the next chunk to open. */
  get index(): number {
    return this.nonce.index;
  }

  /** Returns the plaintext of the next chunk if it authenticates with this flag, else null. */
  tryOpen(sealed: Uint8Array, last: boolean): Buffer | null {
    if (sealed.length < TAG_SIZE) return null;
    const split = sealed.length - TAG_SIZE;
    const decipher = createDecipheriv('chacha20-poly1305', this.key, this.nonce.flagged(last), {
      authTagLength: TAG_SIZE,
    });
    decipher.setAuthTag(sealed.subarray(split));
    const plaintext = decipher.update(sealed.subarray(0, split));
    try {
      decipher.final();
    } catch {
      return null;
    }
    return plaintext;
  }

  /** Moves on to the next chunk. */
  advance(): void {
    this.nonce.next();
  }
}
