/**
 * The X25519 recipient type of age (https://age-encryption.org/v1, "The X25519 recipient
 * type"), on node:crypto's X25519.
 *
 *     identity  = read(CSPRNG, 32), Bech32 with HRP "AGE-SECRET-KEY-"
 *     recipient = X25519(identity, basepoint), Bech32 with HRP "age"
 *     stanza    = "-> X25519" ephemeral-share, body = ChaCha20-Poly1305(wrap key, file key)
 *     wrap key  = HKDF-SHA-256(ikm = shared secret, salt = ephemeral share || recipient,
 *                              info = "age-encryption.org/v1/X25519")
 */
import {
  createCipheriv,
  createDecipheriv,
  createPrivateKey,
  createPublicKey,
  diffieHellman,
  generateKeyPairSync,
  hkdfSync,
  type KeyObject,
  randomBytes,
} from 'node:crypto';
import { decodeBech32, encodeBech32 } from './bech32.js';
import { AgeError } from './errors.js';
import { decodeBase64, encodeBase64, type Stanza } from './header.js';

const X25519_INFO = 'age-encryption.org/v1/X25519';
const IDENTITY_HRP = 'AGE-SECRET-KEY-';
const RECIPIENT_HRP = 'age';
const FILE_KEY_SIZE = 16;
const ZERO_NONCE = Buffer.alloc(12);

// DER prefixes of PKCS #8 and SPKI X25519 keys (RFC 8410): the 32 key bytes follow.
const PKCS8_PREFIX = Buffer.from('302e020100300506032b656e04220420', 'hex');
const SPKI_PREFIX = Buffer.from('302a300506032b656e032100', 'hex');

/** A recipient ready to wrap file keys: its key object and its 32 bytes (part of the salt). */
export interface X25519Recipient {
  readonly key: KeyObject;
  readonly bytes: Buffer;
}

/** An identity ready to unwrap file keys; `recipient` is its public half. */
export interface X25519Identity {
  readonly key: KeyObject;
  readonly recipient: Buffer;
}

function privateKey(scalar: Uint8Array): KeyObject {
  return createPrivateKey({
    key: Buffer.concat([PKCS8_PREFIX, scalar]),
    format: 'der',
    type: 'pkcs8',
  });
}

function publicKey(point: Uint8Array): KeyObject {
  return createPublicKey({ key: Buffer.concat([SPKI_PREFIX, point]), format: 'der', type: 'spki' });
}

function publicBytes(key: KeyObject): Buffer {
  const pub = key.type === 'public' ? key : createPublicKey(key);
  // JWK export is several times faster than DER in OpenSSL 3, and this runs once per file.
  const { x } = pub.export({ format: 'jwk' });
  if (typeof x !== 'string') throw new AgeError('age.bad-recipient', 'X25519 key export failed');
  return Buffer.from(x, 'base64url');
}

function wrapKey(shared: Buffer, share: Uint8Array, recipient: Uint8Array): Buffer {
  const salt = Buffer.concat([share, recipient]);
  return Buffer.from(hkdfSync('sha256', shared, salt, X25519_INFO, 32));
}

/**
 * Parses an `AGE-SECRET-KEY-1…` identity (uppercase, as age writes it). Throws
 * {@link AgeError} `age.bad-identity` for anything else; the message never echoes the key.
 */
export function parseX25519Identity(s: string): X25519Identity {
  let decoded: { hrp: string; bytes: Uint8Array } | null = null;
  try {
    decoded = decodeBech32(s);
  } catch {
    // Reported below without the key's text.
  }
  if (decoded === null || decoded.hrp !== IDENTITY_HRP || decoded.bytes.length !== 32) {
    throw new AgeError(
      'age.bad-identity',
      'invalid age identity: expected an X25519 secret key "AGE-SECRET-KEY-1…" (uppercase Bech32 of 32 bytes)',
    );
  }
  const key = privateKey(decoded.bytes);
  return { key, recipient: publicBytes(key) };
}

/**
 * Parses an `age1…` X25519 recipient (lowercase). Throws {@link AgeError} `age.bad-recipient`;
 * the message quotes the string only if it cannot be a secret key.
 */
export function parseX25519Recipient(s: string): X25519Recipient {
  let why = 'expected "age1…", lowercase Bech32 of 32 bytes';
  try {
    const { hrp, bytes } = decodeBech32(s);
    if (hrp === RECIPIENT_HRP && bytes.length === 32) {
      return { key: publicKey(bytes), bytes: Buffer.from(bytes) };
    }
  } catch (e) {
    if (e instanceof AgeError) why = e.message;
    else throw e;
  }
  if (!/^age1[a-z0-9]{0,100}$/i.test(s)) {
    const secret = s.toUpperCase().startsWith('AGE-SECRET-KEY-');
    throw new AgeError(
      'age.bad-recipient',
      secret
        ? 'invalid age recipient: this is a secret key (an identity); give its "age1…" recipient'
        : `invalid age recipient: ${why}`,
    );
  }
  throw new AgeError('age.bad-recipient', `invalid age recipient ${JSON.stringify(s)}: ${why}`);
}

/** Returns a new X25519 identity and its recipient, as age key strings. */
export function generateX25519Identity(): { identity: string; recipient: string } {
  const scalar = randomBytes(32);
  const recipient = publicBytes(privateKey(scalar));
  return {
    identity: encodeBech32(IDENTITY_HRP.toLowerCase(), scalar).toUpperCase(),
    recipient: encodeBech32(RECIPIENT_HRP, recipient),
  };
}

/** Returns the `age1…` recipient of an `AGE-SECRET-KEY-1…` identity; throws `age.bad-identity`. */
export function x25519Recipient(identity: string): string {
  return encodeBech32(RECIPIENT_HRP, parseX25519Identity(identity).recipient);
}

/** Wraps a 16-byte file key for one recipient, with a fresh ephemeral key. */
export function wrapFileKey(fileKey: Uint8Array, recipient: X25519Recipient): Stanza {
  const ephemeral = generateKeyPairSync('x25519');
  const share = publicBytes(ephemeral.publicKey);
  const shared = diffieHellman({ privateKey: ephemeral.privateKey, publicKey: recipient.key });
  const cipher = createCipheriv(
    'chacha20-poly1305',
    wrapKey(shared, share, recipient.bytes),
    ZERO_NONCE,
    {
      authTagLength: 16,
    },
  );
  const body = Buffer.concat([cipher.update(fileKey), cipher.final(), cipher.getAuthTag()]);
  return { args: ['X25519', encodeBase64(share)], body };
}

/**
 * Checks an X25519 stanza's shape and returns its ephemeral share and body. Throws
 * {@link AgeError} `age.bad-stanza` as the spec requires: not exactly two arguments, a share
 * that is not canonical base64 of 32 bytes, or a body that is not 32 bytes.
 */
export function parseX25519Stanza(stanza: Stanza): { share: Buffer; body: Uint8Array } {
  const share = stanza.args.length === 2 ? decodeBase64(stanza.args[1]!) : null;
  if (share === null || share.length !== 32 || stanza.body.length !== 32) {
    throw new AgeError(
      'age.bad-stanza',
      'invalid X25519 stanza: expected one 32-byte ephemeral share and a 32-byte body',
    );
  }
  return { share, body: stanza.body };
}

/**
 * Unwraps the file key from a checked X25519 stanza. Returns null when the stanza is not for
 * `identity` (the AEAD does not open); throws {@link AgeError} `age.bad-stanza` when the
 * shared secret is all zeros (a low-order share), which the spec says must abort.
 */
export function unwrapFileKey(
  stanza: { share: Buffer; body: Uint8Array },
  identity: X25519Identity,
): Buffer | null {
  let shared: Buffer;
  try {
    // OpenSSL refuses an all-zero X25519 output, so a low-order share throws here.
    shared = diffieHellman({ privateKey: identity.key, publicKey: publicKey(stanza.share) });
  } catch (e) {
    throw new AgeError(
      'age.bad-stanza',
      'invalid X25519 stanza: the ephemeral share is a low-order point',
      {},
      { cause: e },
    );
  }
  if (shared.every((b) => b === 0)) {
    throw new AgeError(
      'age.bad-stanza',
      'invalid X25519 stanza: the ephemeral share is a low-order point',
    );
  }
  const key = wrapKey(shared, stanza.share, identity.recipient);
  const decipher = createDecipheriv('chacha20-poly1305', key, ZERO_NONCE, { authTagLength: 16 });
  decipher.setAuthTag(stanza.body.subarray(FILE_KEY_SIZE));
  const fileKey = decipher.update(stanza.body.subarray(0, FILE_KEY_SIZE));
  try {
    decipher.final();
  } catch {
    return null;
  }
  return fileKey;
}
