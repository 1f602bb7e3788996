/**
 * Encryption to X25519 recipients as a synchronous push machine: bytes in, age file out, one
 * 64 KiB chunk held at a time. The stream, file and in-memory APIs all drive this one class.
 */
import { randomBytes } from 'node:crypto';
import { encodeHeader } from './header.js';
import { CHUNK_SIZE, ChunkSealer, NONCE_SIZE, payloadKey } from './payload.js';
import { wrapFileKey, type X25519Recipient } from './x25519.js';

/** Receives output bytes in order; it may keep them. */
export type Emit = (bytes: Buffer) => void;

/**
 * One age file being written: {@link AgeEncryptor.write} plaintext in any slices, then
 * {@link AgeEncryptor.end}; output goes to `emit` as soon as it is final.
 */
export class AgeEncryptor {
  private readonly prefix: Buffer;
  private readonly sealer: ChunkSealer;
  // The last full chunk is held until more input shows it is not the final one.
  private readonly held = Buffer.allocUnsafe(CHUNK_SIZE);
  private used = 0;
  private started = false;
  private ended = false;

  /** Draws a fresh file key and nonce and wraps the key for every recipient (at least one). */
  constructor(recipients: readonly X25519Recipient[]) {
    const fileKey = randomBytes(16);
    const stanzas = recipients.map((r) => wrapFileKey(fileKey, r));
    const nonce = randomBytes(NONCE_SIZE);
    this.prefix = Buffer.concat([encodeHeader(stanzas, fileKey), nonce]);
    this.sealer = new ChunkSealer(payloadKey(fileKey, nonce));
    fileKey.fill(0);
  }

  /** Takes more plaintext; emits the header first, then every chunk known not to be final. */
  write(data: Uint8Array, emit: Emit): void {
    this.start(emit);
    let off = 0;
    while (off < data.length) {
      if (this.used === CHUNK_SIZE) {
        this.emitChunk(this.held, false, emit);
        this.used = 0;
      }
      // Whole chunks with input after them need no copy.
      while (this.used === 0 && data.length - off > CHUNK_SIZE) {
        this.emitChunk(data.subarray(off, off + CHUNK_SIZE), false, emit);
        off += CHUNK_SIZE;
      }
      const n = Math.min(CHUNK_SIZE - this.used, data.length - off);
      this.held.set(data.subarray(off, off + n), this.used);
      this.used += n;
      off += n;
    }
  }

  /** Ends the plaintext: emits the final chunk (empty only if the plaintext was). */
  end(emit: Emit): void {
    if (this.ended) return;
    this.start(emit);
    this.emitChunk(this.held.subarray(0, this.used), true, emit);
    this.held.fill(0);
    this.ended = true;
  }

  private start(emit: Emit): void {
    if (this.ended) throw new Error('age: write after end');
    if (this.started) return;
    emit(this.prefix);
    this.started = true;
  }

  private emitChunk(plaintext: Uint8Array, last: boolean, emit: Emit): void {
    const [ciphertext, tag] = this.sealer.seal(plaintext, last);
    emit(ciphertext);
    emit(tag);
  }
}
