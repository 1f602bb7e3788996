/**
 * age v1 encryption for bulk files in Node (https://age-encryption.org/v1): X25519 recipients,
 * ChaCha20-Poly1305 and HKDF from node:crypto (OpenSSL), so files encrypt and decrypt at
 * native speed. Output is a standard age file: the reference `age` CLI and typage read it, and
 * it reads theirs. Memory use is one 64 KiB chunk per stream, whatever the file size.
 *
 * Passphrase-protected files (the scrypt recipient) are the key file's business: keyfile.ts.
 */
import { randomBytes } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { rename, rm } from 'node:fs/promises';
import { Transform, type TransformCallback } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { AgeDecryptor } from './decrypt.js';
import { AgeEncryptor, type Emit } from './encrypt.js';
import { AgeError } from './errors.js';
import { SEALED_CHUNK_SIZE } from './payload.js';
import {
  parseX25519Identity,
  parseX25519Recipient,
  type X25519Identity,
  type X25519Recipient,
} from './x25519.js';

export { generateX25519Identity, x25519Recipient } from './x25519.js';

const FILE_BUFFER = 1 << 20;

function recipientKeys(recipients: readonly string[]): X25519Recipient[] {
  if (recipients.length === 0) {
    throw new AgeError('age.no-keys', 'age encryption needs at least one recipient');
  }
  return recipients.map(parseX25519Recipient);
}

function identityKeys(identities: readonly string[]): X25519Identity[] {
  if (identities.length === 0) {
    throw new AgeError('age.no-keys', 'age decryption needs at least one identity');
  }
  return identities.map(parseX25519Identity);
}

interface PushMachine {
  write(data: Uint8Array, emit: Emit): void;
  end(emit: Emit): void;
}

function transformOf(machine: PushMachine): Transform {
  return new Transform({
    // One sealed chunk either side: enough to keep OpenSSL busy, small enough to bound memory.
    writableHighWaterMark: SEALED_CHUNK_SIZE,
    readableHighWaterMark: SEALED_CHUNK_SIZE,
    transform(this: Transform, chunk: Buffer, _encoding: BufferEncoding, done: TransformCallback) {
      try {
        machine.write(chunk, (b) => this.push(b));
      } catch (e) {
        done(e as Error);
        return;
      }
      done();
    },
    flush(this: Transform, done: TransformCallback) {
      try {
        machine.end((b) => this.push(b));
      } catch (e) {
        done(e as Error);
        return;
      }
      done();
    },
  });
}

/**
 * Returns a Transform that turns plaintext into an age file encrypted to `recipients`
 * (`age1…` X25519 recipients). Throws {@link AgeError} (`age.bad-recipient`, `age.no-keys`)
 * at once for bad recipients.
 */
export function encryptStream(recipients: readonly string[]): Transform {
  return transformOf(new AgeEncryptor(recipientKeys(recipients)));
}

/**
 * Returns a Transform that turns an age file into its plaintext, with any of `identities`
 * (`AGE-SECRET-KEY-1…`). It emits plaintext only after each chunk authenticates, and fails
 * with an {@link AgeError} on a header that is not for these identities (`age.no-identity`),
 * a modified header (`age.header-mac`), a file cut short (`age.truncated`), a modified chunk
 * (`age.tampered`), or anything after the final chunk (`age.chunk-after-last`,
 * `age.trailing-data`). A consumer must treat output before an error as untrustworthy: it is
 * authentic, but incomplete. Throws at once for bad identities.
 */
export function decryptStream(identities: readonly string[]): Transform {
  return transformOf(new AgeDecryptor(identityKeys(identities)));
}

function collect(machine: PushMachine, input: Uint8Array): Uint8Array {
  const parts: Buffer[] = [];
  const emit = (b: Buffer) => parts.push(b);
  machine.write(input, emit);
  machine.end(emit);
  // A fresh array, not a Buffer that may share Node's pool with other data.
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let off = 0;
  for (const p of parts) {
    out.set(p, off);
    off += p.length;
  }
  return out;
}

/** Returns `plaintext` encrypted to `recipients`; throws like {@link encryptStream}. */
export function encryptBytes(plaintext: Uint8Array, recipients: readonly string[]): Uint8Array {
  return collect(new AgeEncryptor(recipientKeys(recipients)), plaintext);
}

/** Returns the plaintext of an age file; throws {@link AgeError} as {@link decryptStream} fails. */
export function decryptBytes(ciphertext: Uint8Array, identities: readonly string[]): Uint8Array {
  return collect(new AgeDecryptor(identityKeys(identities)), ciphertext);
}

/**
 * Streams `src` through `transform` into `dst`, by way of a temporary file beside it that is
 * flushed to disk and renamed over `dst` only on success, so `dst` is never a partial file.
 */
async function transformFile(src: string, dst: string, transform: Transform): Promise<void> {
  const partial = `${dst}.${randomBytes(6).toString('hex')}.partial`;
  try {
    await pipeline(
      createReadStream(src, { highWaterMark: FILE_BUFFER }),
      transform,
      createWriteStream(partial, { flags: 'wx', flush: true, highWaterMark: FILE_BUFFER }),
    );
    await rename(partial, dst);
  } catch (e) {
    await rm(partial, { force: true });
    throw e;
  }
}

/**
 * Encrypts file `src` to `recipients` into `dst` (replaced atomically). Rejects with
 * {@link AgeError} for bad recipients, or with the file system's error.
 */
export async function encryptFile(
  src: string,
  dst: string,
  recipients: readonly string[],
): Promise<void> {
  await transformFile(src, dst, encryptStream(recipients));
}

/**
 * Decrypts age file `src` with `identities` into `dst`. `dst` appears only once the whole file
 * has authenticated; on failure it is left untouched and the promise rejects with the
 * {@link AgeError} of {@link decryptStream}, or the file system's error.
 */
export async function decryptFile(
  src: string,
  dst: string,
  identities: readonly string[],
): Promise<void> {
  await transformFile(src, dst, decryptStream(identities));
}
