/**
 * The vault's passphrase-protected key file: a small document (the caller's choice of
 * contents) in a binary age file whose only stanza is the scrypt recipient
 * (https://age-encryption.org/v1, "The scrypt recipient type"). typage does the scrypt work;
 * this module checks the file's shape first, so that a damaged file is reported as damaged
 * rather than as a wrong passphrase wherever the two can be told apart. The reference CLI
 * opens these files with `age -d` and the passphrase.
 */
import { Decrypter, Encrypter } from 'age-encryption';
import { AgeError, KeyFileError } from './errors.js';
import { decodeBase64, parseHeader } from './header.js';
import { ChunkOpener, NONCE_SIZE, payloadKey, SEALED_CHUNK_SIZE, TAG_SIZE } from './payload.js';

/** typage's default scrypt work factor (log2 N), which `age -p` also uses. */
export const DEFAULT_LOG_N = 18;
/** The highest work factor typage will open. */
const MAX_LOG_N = 20;
/** Key files are small documents; anything larger is not one of ours. */
const MAX_KEY_FILE_SIZE = 1 << 20;

/**
 * Returns `plaintext` sealed under `passphrase` as a binary age file with one scrypt stanza,
 * of work factor `logN` (default 18; lower only for tests). Throws {@link KeyFileError}
 * `keyfile.bad-parameter` for an empty passphrase or a work factor outside 1‥20.
 */
export async function sealKeyFile(
  plaintext: Uint8Array,
  passphrase: string,
  options: { logN?: number } = {},
): Promise<Uint8Array> {
  const logN = options.logN ?? DEFAULT_LOG_N;
  if (!Number.isInteger(logN) || logN < 1 || logN > MAX_LOG_N) {
    throw new KeyFileError(
      'keyfile.bad-parameter',
      `the scrypt work factor must be an integer from 1 to ${MAX_LOG_N}, not ${logN}`,
    );
  }
  if (passphrase.length === 0) {
    throw new KeyFileError('keyfile.bad-parameter', 'the key file passphrase must not be empty');
  }
  if (plaintext.length > MAX_KEY_FILE_SIZE - 4096) {
    throw new KeyFileError('keyfile.bad-parameter', 'a key file holds at most about 1 MiB');
  }
  const e = new Encrypter();
  e.setScryptWorkFactor(logN);
  e.setPassphrase(passphrase);
  return await e.encrypt(plaintext);
}

function corrupt(why: string, cause?: unknown): KeyFileError {
  return new KeyFileError(
    'keyfile.corrupt',
    `the vault key file is damaged or is not a key file: ${why}`,
    cause === undefined ? undefined : { cause },
  );
}

/** Checks the header is one well-formed scrypt stanza; returns the header's length. */
function checkShape(bytes: Uint8Array): number {
  if (bytes.length > MAX_KEY_FILE_SIZE) throw corrupt('it is larger than 1 MiB');
  let parsed: ReturnType<typeof parseHeader>;
  try {
    parsed = parseHeader(bytes);
  } catch (e) {
    throw corrupt(e instanceof AgeError ? e.message : 'its header does not parse', e);
  }
  const { stanzas } = parsed.header;
  const s = stanzas[0]!;
  if (stanzas.length !== 1 || s.args[0] !== 'scrypt') {
    throw corrupt('it is not encrypted with a passphrase (it needs exactly one scrypt stanza)');
  }
  const salt = s.args.length === 3 ? decodeBase64(s.args[1]!) : null;
  const logN = s.args[2] ?? '';
  if (salt === null || salt.length !== 16 || !/^[1-9][0-9]*$/.test(logN) || s.body.length !== 32) {
    throw corrupt('its scrypt stanza is malformed');
  }
  if (Number(logN) > MAX_LOG_N) {
    throw corrupt(`its scrypt work factor ${logN} is above the limit of ${MAX_LOG_N}`);
  }
  return parsed.end;
}

/** Opens the payload of a key file with its file key (all in memory: key files are small). */
function openPayload(fileKey: Uint8Array, payload: Uint8Array): Uint8Array {
  if (payload.length < NONCE_SIZE + TAG_SIZE) throw corrupt('it is cut short');
  const opener = new ChunkOpener(payloadKey(fileKey, payload.subarray(0, NONCE_SIZE)));
  const parts: Buffer[] = [];
  let off = NONCE_SIZE;
  for (;;) {
    const rest = payload.length - off;
    const last = rest <= SEALED_CHUNK_SIZE;
    const sealed = payload.subarray(off, off + Math.min(rest, SEALED_CHUNK_SIZE));
    const plaintext = opener.tryOpen(sealed, last);
    if (plaintext === null || (last && plaintext.length === 0 && opener.index > 0)) {
      throw corrupt(`chunk ${opener.index} of its payload does not authenticate`);
    }
    parts.push(plaintext);
    if (last) break;
    opener.advance();
    off += SEALED_CHUNK_SIZE;
  }
  return Uint8Array.from(Buffer.concat(parts));
}

/**
 * Returns the plaintext of a key file made by {@link sealKeyFile} (or `age -p`). Throws
 * {@link KeyFileError}: `keyfile.wrong-passphrase` when the passphrase does not unwrap the
 * file key, `keyfile.corrupt` when the file is not an intact passphrase-protected age file.
 * A modified salt or stanza body cannot be told from a wrong passphrase, and is reported as one.
 */
export async function openKeyFile(bytes: Uint8Array, passphrase: string): Promise<Uint8Array> {
  const headerEnd = checkShape(bytes);
  const d = new Decrypter();
  d.addPassphrase(passphrase);
  let fileKey: Uint8Array;
  try {
    fileKey = await d.decryptHeader(bytes.subarray(0, headerEnd));
  } catch (e) {
    // typage 0.3.1 says "no identity matched any of the file's recipients" when the scrypt
    // stanza does not open, and "invalid header HMAC" when it opens but the MAC is wrong. The
    // shape was checked above, so those are the two failures left.
    if (e instanceof Error && /no identity matched/.test(e.message)) {
      throw new KeyFileError(
        'keyfile.wrong-passphrase',
        'wrong passphrase for the vault key file',
        {
          cause: e,
        },
      );
    }
    throw corrupt(
      e instanceof Error && /HMAC/.test(e.message) ? 'its header MAC does not match' : String(e),
      e,
    );
  }
  try {
    return openPayload(fileKey, bytes.subarray(headerEnd));
  } finally {
    fileKey.fill(0);
  }
}
