/**
 * Decryption with X25519 identities as a synchronous push machine: age file in, plaintext
 * out, one sealed chunk held at a time. No plaintext is emitted before its chunk has
 * authenticated; a file that ends without an authenticated final chunk is an error.
 */
import { timingSafeEqual } from 'node:crypto';
import type { Emit } from './encrypt.js';
import { AgeError } from './errors.js';
import { type Header, HeaderParser, headerMac, MAX_HEADER_SIZE } from './header.js';
import { ChunkOpener, NONCE_SIZE, payloadKey, SEALED_CHUNK_SIZE, TAG_SIZE } from './payload.js';
import { parseX25519Stanza, unwrapFileKey, type X25519Identity } from './x25519.js';

const LF = 0x0a;
// A first line longer than this is not the version line: reject binary input early.
const MAX_FIRST_LINE = 64;

/**
 * Returns the file key of a parsed header: unwrapped by one of `identities`, and with the
 * header MAC checked. Throws {@link AgeError}: `age.scrypt-mixed`, `age.passphrase-file`,
 * `age.bad-stanza`, `age.no-identity`, `age.header-mac`.
 */
export function unwrapHeader(header: Header, identities: readonly X25519Identity[]): Buffer {
  const types = header.stanzas.map((s) => s.args[0]!);
  if (types.includes('scrypt')) {
    if (types.length > 1) {
      throw new AgeError(
        'age.scrypt-mixed',
        'invalid age header: an scrypt stanza must be the only stanza of a header',
        { stanzaTypes: types },
      );
    }
    throw new AgeError(
      'age.passphrase-file',
      "this file is encrypted with a passphrase, not to the vault's identities; open it as a key file",
      { stanzaTypes: types },
    );
  }
  let fileKey: Buffer | null = null;
  for (const stanza of header.stanzas) {
    // Stanzas of other types (ssh-ed25519, mlkem768x25519, plugins) are not ours: skip them.
    if (stanza.args[0] !== 'X25519') continue;
    const x25519 = parseX25519Stanza(stanza);
    for (const identity of identities) {
      fileKey = unwrapFileKey(x25519, identity);
      if (fileKey !== null) break;
    }
    if (fileKey !== null) break;
  }
  if (fileKey === null) {
    throw new AgeError(
      'age.no-identity',
      "this file is not encrypted to any of the vault's identities",
      { stanzaTypes: types },
    );
  }
  if (!timingSafeEqual(header.mac, headerMac(fileKey, header.macInput))) {
    fileKey.fill(0);
    throw new AgeError(
      'age.header-mac',
      'the age header MAC does not match: the header was modified after encryption',
      { macInput: Buffer.from(header.macInput).toString('latin1') },
    );
  }
  return fileKey;
}

type State = 'header' | 'nonce' | 'payload' | 'after-final' | 'done';

/**
 * One age file being read: {@link AgeDecryptor.write} it in any slices, then
 * {@link AgeDecryptor.end}; plaintext goes to `emit` chunk by chunk as each authenticates.
 */
export class AgeDecryptor {
  private state: State = 'header';
  private readonly parser = new HeaderParser();
  /** Bytes of the current header line, or of the nonce, read so far. */
  private parts: Buffer[] = [];
  private partsLength = 0;
  private firstLine = true;
  /** Bytes of the file consumed before the payload chunks, for error offsets. */
  private consumed = 0;
  private fileKey: Buffer | null = null;
  private opener: ChunkOpener | null = null;
  // The last full chunk is held until more input shows whether it is the final one. After
  // the final chunk, the same buffer collects what follows it, to say what it is.
  private readonly held = Buffer.allocUnsafe(SEALED_CHUNK_SIZE);
  private used = 0;

  constructor(private readonly identities: readonly X25519Identity[]) {}

  /** Takes more of the age file; emits plaintext as chunks authenticate. Throws {@link AgeError}. */
  write(data: Uint8Array, emit: Emit): void {
    let off = 0;
    while (off < data.length) {
      switch (this.state) {
        case 'header':
          off = this.readHeader(data, off);
          break;
        case 'nonce':
          off = this.readNonce(data, off);
          break;
        case 'payload':
          off = this.readPayload(data, off, emit);
          break;
        case 'after-final':
          off = this.readAfterFinal(data, off);
          break;
        case 'done':
          throw new Error('age: write after end');
      }
    }
  }

  /** Ends the file: emits the final chunk, or throws {@link AgeError} if it is missing or bad. */
  end(emit: Emit): void {
    switch (this.state) {
      case 'header':
      case 'nonce':
        throw new AgeError(
          'age.truncated',
          this.state === 'header'
            ? 'the age file ends inside its header'
            : 'the age file ends inside its payload nonce',
          { offset: this.consumed + this.partsLength },
        );
      case 'payload':
        this.readFinalChunk(emit);
        this.state = 'done';
        return;
      case 'after-final':
        this.afterFinal();
        return;
      case 'done':
        return;
    }
  }

  private readHeader(data: Uint8Array, off: number): number {
    const lf = data.indexOf(LF, off);
    const stop = lf < 0 ? data.length : lf;
    this.parts.push(Buffer.from(data.subarray(off, stop)));
    this.partsLength += stop - off;
    if (this.consumed + this.partsLength > MAX_HEADER_SIZE) {
      throw new AgeError('age.header', 'invalid age header: longer than 1 MiB');
    }
    if (lf < 0 && !(this.firstLine && this.partsLength > MAX_FIRST_LINE)) return stop;
    const line = Buffer.concat(this.parts).toString('latin1');
    this.consumed += this.partsLength + 1;
    this.parts = [];
    this.partsLength = 0;
    this.firstLine = false;
    const header = this.parser.line(line);
    if (header !== null) {
      this.fileKey = unwrapHeader(header, this.identities);
      this.state = 'nonce';
    }
    return stop + 1;
  }

  private readNonce(data: Uint8Array, off: number): number {
    const n = Math.min(NONCE_SIZE - this.partsLength, data.length - off);
    this.parts.push(Buffer.from(data.subarray(off, off + n)));
    this.partsLength += n;
    if (this.partsLength === NONCE_SIZE) {
      this.opener = new ChunkOpener(payloadKey(this.fileKey!, Buffer.concat(this.parts)));
      this.fileKey!.fill(0);
      this.fileKey = null;
      this.consumed += NONCE_SIZE;
      this.parts = [];
      this.partsLength = 0;
      this.state = 'payload';
    }
    return off + n;
  }

  private readPayload(data: Uint8Array, off: number, emit: Emit): number {
    if (this.used === SEALED_CHUNK_SIZE) {
      // More input follows, so the held chunk is not the last of the file.
      this.openMiddleChunk(this.held, emit);
      this.used = 0;
      return off;
    }
    // Whole chunks with input after them need no copy.
    while (this.used === 0 && this.state === 'payload' && data.length - off > SEALED_CHUNK_SIZE) {
      this.openMiddleChunk(data.subarray(off, off + SEALED_CHUNK_SIZE), emit);
      off += SEALED_CHUNK_SIZE;
    }
    if (this.state !== 'payload') return off;
    const n = Math.min(SEALED_CHUNK_SIZE - this.used, data.length - off);
    this.held.set(data.subarray(off, off + n), this.used);
    this.used += n;
    return off + n;
  }

  /** Opens a full chunk that has input after it. */
  private openMiddleChunk(sealed: Uint8Array, emit: Emit): void {
    const opener = this.opener!;
    const plaintext = opener.tryOpen(sealed, false);
    if (plaintext !== null) {
      opener.advance();
      emit(plaintext);
      return;
    }
    if (opener.tryOpen(sealed, true) === null) throw this.tampered();
    // A full final chunk with input after it: collect what follows, to say what it is.
    opener.advance();
    this.state = 'after-final';
    this.used = 0;
  }

  private readFinalChunk(emit: Emit): void {
    const opener = this.opener!;
    const sealed = this.held.subarray(0, this.used);
    if (sealed.length < TAG_SIZE) {
      throw new AgeError(
        'age.truncated',
        sealed.length === 0 && opener.index === 0
          ? 'the age file ends before its payload: there is no final chunk'
          : 'the age file ends inside its final chunk',
        { chunk: opener.index, offset: this.chunkOffset(opener.index) + sealed.length },
      );
    }
    const plaintext = opener.tryOpen(sealed, true);
    if (plaintext === null) {
      if (opener.tryOpen(sealed, false) !== null) {
        throw new AgeError(
          'age.truncated',
          `the age file was cut short: chunk ${opener.index} authenticates but is not the final chunk`,
          { chunk: opener.index, offset: this.chunkOffset(opener.index + 1) },
        );
      }
      throw this.tampered();
    }
    if (plaintext.length === 0 && opener.index > 0) {
      throw new AgeError(
        'age.empty-last-chunk',
        'invalid age payload: the final chunk is empty but the payload is not',
        { chunk: opener.index, offset: this.chunkOffset(opener.index) },
      );
    }
    this.held.fill(0);
    emit(plaintext);
  }

  private readAfterFinal(data: Uint8Array, off: number): number {
    const n = Math.min(SEALED_CHUNK_SIZE - this.used, data.length - off);
    this.held.set(data.subarray(off, off + n), this.used);
    this.used += n;
    if (this.used === SEALED_CHUNK_SIZE) this.afterFinal();
    return off + n;
  }

  /** Throws for the bytes collected after a full final chunk: a whole chunk, or other data. */
  private afterFinal(): never {
    const opener = this.opener!;
    const after = this.held.subarray(0, this.used);
    const evidence = {
      finalChunk: opener.index - 1,
      offset: this.chunkOffset(opener.index),
    };
    if (opener.tryOpen(after, false) !== null || opener.tryOpen(after, true) !== null) {
      throw new AgeError(
        'age.chunk-after-last',
        `invalid age payload: chunk ${opener.index} follows the chunk marked final`,
        evidence,
      );
    }
    throw new AgeError(
      'age.trailing-data',
      'invalid age file: data follows the final chunk of the payload',
      evidence,
    );
  }

  private tampered(): AgeError {
    const index = this.opener!.index;
    return new AgeError(
      'age.tampered',
      `chunk ${index} of the age payload does not authenticate: the file was modified, or cut inside this chunk`,
      { chunk: index, offset: this.chunkOffset(index) },
    );
  }

  /** The file offset at which sealed chunk `index` starts. */
  private chunkOffset(index: number): number {
    return this.consumed + index * SEALED_CHUNK_SIZE;
  }
}
