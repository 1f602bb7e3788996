/**
 * C2SP transparency log cosignatures, v1 for Ed25519 (https://c2sp.org/tlog-cosignature): a
 * witness's timestamped statement that a checkpoint is the largest consistent tree head it has
 * seen for the log, written as one more signature line on the checkpoint note.
 *
 *   key ID    = SHA-256(<name> || "\n" || 0x04 || 32-byte Ed25519 cosigner public key)[:4]
 *   message   = "cosignature/v1\n" || "time " || <timestamp, decimal> || "\n" || checkpoint body
 *   signature = u64 timestamp (big-endian) || ed25519_signature[64]
 *
 * Witness verifier keys are vkeys of signature type 0x04 (`name+hex8+base64(0x04‖pub)`). Like
 * transparency-dev/formats, a plain Ed25519 vkey (type 0x01) is also accepted for a witness and
 * used with the 0x04 key ID; the key ID in the string is checked against the type it names.
 *
 * Timestamps are POSIX seconds, u64 on the wire and at most 2^63 − 1 by the spec. Tamga reads
 * them as safe integers: a larger one is refused with a LimitError. Nothing here reads a clock;
 * the cosigner is handed its timestamp.
 */

import { type OpenedCheckpoint, openCheckpoint, parseCheckpoint } from './checkpoint.js';
import { ed25519 } from './ed25519.js';
import { checkUint, concatBytes, decodeUtf8, encodeBase64, encodeUtf8 } from './encoding.js';
import { FormatError, LimitError, VerificationError } from './errors.js';
import {
  computeKeyId,
  decodeSignerKey,
  decodeVerifierKey,
  ed25519KeyOf,
  formatKeyId,
  isValidKeyName,
  type OpenedNote,
  SIGNATURE_TYPE_ED25519,
  type Signer,
  type Verifier,
} from './note.js';

/** Signature type of Ed25519 cosignature/v1 signatures (c2sp.org/signed-note). */
export const SIGNATURE_TYPE_COSIGNATURE_V1 = 0x04;

const HEADER = 'cosignature/v1\n';
const TIMESTAMP_SIZE = 8;
const ED25519_SIGNATURE_SIZE = 64;
const COSIGNATURE_SIZE = TIMESTAMP_SIZE + ED25519_SIGNATURE_SIZE;

/** A witness's Ed25519 cosigning key. It signs nothing by itself: `signer(t)` fixes the time. */
export interface Cosigner {
  readonly name: string;
  /** The cosignature/v1 key ID (type 0x04). */
  readonly keyId: number;
  readonly publicKey: Uint8Array;
  /** The witness verifier key string `name+hex8+base64(0x04‖pub)`. */
  readonly verifierKey: string;
  /** Returns a note Signer that cosigns a checkpoint at POSIX time `timestamp`. */
  signer(timestamp: number): Signer;
}

/** Verifies cosignature/v1 signatures by one witness. */
export interface CosignatureVerifier extends Verifier {
  readonly publicKey: Uint8Array;
}

/** A verified witness cosignature and the time it states. */
export interface WitnessCosignature {
  readonly name: string;
  readonly keyId: number;
  /** POSIX seconds at which the witness cosigned. */
  readonly timestamp: number;
}

/** A checkpoint that passed the policy check: the log signed it and enough witnesses cosigned. */
export interface WitnessedCheckpoint extends OpenedCheckpoint {
  /** One entry per witness whose cosignature verified, in note order. */
  readonly cosignatures: readonly WitnessCosignature[];
}

/**
 * Returns the message an Ed25519 cosignature/v1 signs: the header line, the time line and the
 * whole checkpoint body. Throws LimitError unless `timestamp` is an integer from 0 to 2^53 − 1.
 */
export function cosignatureMessage(body: Uint8Array | string, timestamp: number): Uint8Array {
  checkUint(timestamp, 'cosignature timestamp');
  const bytes = typeof body === 'string' ? encodeUtf8(body) : body;
  return concatBytes(encodeUtf8(`${HEADER}time ${timestamp}\n`), bytes);
}

/**
 * Returns the timestamp at the start of a cosignature (the signature bytes after the key ID).
 * Throws FormatError unless it is 72 bytes, and LimitError for a time above 2^53 − 1.
 */
export function cosignatureTimestamp(signature: Uint8Array): number {
  if (!(signature instanceof Uint8Array) || signature.length !== COSIGNATURE_SIZE) {
    const got = signature instanceof Uint8Array ? `${signature.length} bytes` : typeof signature;
    throw new FormatError(
      'cosignature.length',
      `an Ed25519 cosignature is 72 bytes (8-byte timestamp, 64-byte signature), got ${got}`,
    );
  }
  return readTimestamp(signature);
}

/**
 * Returns the signer key string `PRIVATE+KEY+name+hex8+base64(0x04‖seed)` of a witness, for a
 * 32-byte seed drawn by the caller. Throws FormatError for an invalid name or seed.
 */
export function generateCosignerKey(name: string, seed: Uint8Array): string {
  const c = cosigner(name, seed);
  const data = concatBytes(Uint8Array.of(SIGNATURE_TYPE_COSIGNATURE_V1), seed);
  return `PRIVATE+KEY+${name}+${formatKeyId(c.keyId)}+${encodeBase64(data)}`;
}

/**
 * Returns the cosigner of a signer key string of type 0x04 (or a plain Ed25519 key, type 0x01,
 * reused for cosigning). Throws FormatError: `key.malformed`, `key.unknown-type`,
 * `key.wrong-length`, or `key.wrong-hash` when the key ID does not match the key and its type.
 */
export function parseCosignerKey(skey: string): Cosigner {
  const parts = decodeSignerKey(skey);
  checkType(parts.type, parts.name, 'signer');
  if (parts.privateKey.length !== 32) {
    throw new FormatError(
      'key.wrong-length',
      `signer key for ${parts.name} holds ${parts.privateKey.length} key bytes; an Ed25519 seed has 32`,
    );
  }
  const c = cosigner(parts.name, parts.privateKey);
  const expected = computeKeyId(parts.name, concatBytes(Uint8Array.of(parts.type), c.publicKey));
  if (parts.keyId !== expected) {
    throw new FormatError(
      'key.wrong-hash',
      `signer key for ${parts.name} has key ID ${formatKeyId(parts.keyId)}, but its public key gives ${formatKeyId(expected)}`,
    );
  }
  return c;
}

/**
 * Returns a witness cosigner for a 32-byte Ed25519 seed under `name`. The seed is copied and kept
 * only inside the signing closure. Throws FormatError for an invalid name or seed length.
 */
export function cosigner(name: string, seed: Uint8Array): Cosigner {
  checkName(name);
  const { secret, publicKey, keyId, verifierKey } = ed25519KeyOf(
    name,
    SIGNATURE_TYPE_COSIGNATURE_V1,
    seed,
  );
  return Object.freeze({
    name,
    keyId,
    publicKey,
    verifierKey,
    signer(timestamp: number): Signer {
      checkUint(timestamp, 'cosignature timestamp');
      return Object.freeze({
        name,
        keyId,
        sign(body: Uint8Array): Uint8Array {
          // A witness states something about a checkpoint: refuse to cosign any other text.
          parseCheckpoint(decodeUtf8(body, 'checkpoint'));
          const sig = ed25519.sign(cosignatureMessage(body, timestamp), secret);
          return concatBytes(timestampBytes(timestamp), sig);
        },
      });
    },
  });
}

/**
 * Returns a cosignature verifier from a witness verifier key string of type 0x04 (or 0x01, see
 * above). Throws FormatError: `key.malformed`, `key.wrong-hash`, `key.unknown-type` and
 * `key.wrong-length`, as `parseVerifierKey` does.
 */
export function parseCosignatureVerifierKey(vkey: string): CosignatureVerifier {
  const parts = decodeVerifierKey(vkey);
  checkType(parts.type, parts.name, 'verifier');
  if (parts.publicKey.length !== 32) {
    throw new FormatError(
      'key.wrong-length',
      `verifier key for ${parts.name} holds ${parts.publicKey.length} key bytes; an Ed25519 public key has 32`,
    );
  }
  return cosignatureVerifier(parts.name, parts.publicKey);
}

/**
 * Returns the cosignature/v1 verifier of a witness's Ed25519 public key. `verify` returns false
 * for a signature that is not 72 bytes or does not verify, and throws LimitError for a valid-length
 * signature whose timestamp is above 2^53 − 1. Throws FormatError for a bad name or key length.
 */
export function cosignatureVerifier(name: string, publicKey: Uint8Array): CosignatureVerifier {
  checkName(name);
  checkPublicKey(publicKey);
  const pub = publicKey.slice();
  return Object.freeze({
    name,
    keyId: computeKeyId(name, concatBytes(Uint8Array.of(SIGNATURE_TYPE_COSIGNATURE_V1), pub)),
    publicKey: pub,
    verify(body: Uint8Array, signature: Uint8Array): boolean {
      if (!(signature instanceof Uint8Array) || signature.length !== COSIGNATURE_SIZE) return false;
      const timestamp = readTimestamp(signature);
      try {
        return ed25519.verify(
          signature.subarray(TIMESTAMP_SIZE),
          cosignatureMessage(body, timestamp),
          pub,
        );
      } catch {
        return false;
      }
    },
  });
}

/** Returns the witness verifier key string `name+hex8+base64(0x04‖pub)`. Throws FormatError for a bad name or key. */
export function cosignatureVerifierKey(name: string, publicKey: Uint8Array): string {
  checkName(name);
  checkPublicKey(publicKey);
  return encodeWitnessKey(name, publicKey);
}

/**
 * Returns the checkpoint in `msg` when it carries a valid signature by the log and valid
 * cosignatures by at least `quorum` distinct witnesses, with each witness's timestamp. Throws
 * LimitError for a quorum larger than the list of witnesses, FormatError for two witnesses with
 * one public key (they would count twice), the errors of `openCheckpoint` (any signature by a
 * known key that fails rejects the note), and VerificationError `cosignature.below-quorum`, with
 * the checkpoint and the witnesses that did cosign as evidence, when too few did.
 */
export function checkCosignatures(
  msg: Uint8Array | string,
  logVerifier: Verifier,
  witnesses: readonly CosignatureVerifier[],
  quorum: number,
  options: { readonly origin?: string } = {},
): WitnessedCheckpoint {
  checkUint(quorum, 'witness quorum');
  if (quorum > witnesses.length) {
    throw new LimitError(
      'cosignature.quorum-unreachable',
      `a quorum of ${quorum} cannot be met by ${witnesses.length} witnesses`,
    );
  }
  const keys = new Set<string>();
  for (const w of witnesses) {
    const k = encodeBase64(w.publicKey);
    if (keys.has(k)) {
      throw new FormatError(
        'cosignature.duplicate-witness',
        `witness ${w.name} shares its public key with another witness in the list; each witness counts once`,
      );
    }
    keys.add(k);
  }
  const opened = openCheckpoint(msg, logVerifier, {
    ...(options.origin === undefined ? {} : { origin: options.origin }),
    others: witnesses,
  });
  const cosignatures = witnessCosignatures(opened.note, witnesses);
  if (cosignatures.length < quorum) {
    throw new VerificationError(
      'cosignature.below-quorum',
      `the checkpoint has ${cosignatures.length} valid witness cosignatures, and the policy needs ${quorum}`,
      {
        text: opened.note.text,
        checkpoint: opened.checkpoint,
        cosignatures,
        quorum,
        unverified: opened.note.unverified,
      },
    );
  }
  return { ...opened, cosignatures };
}

/**
 * Returns the witness cosignatures among a note's verified signatures: those by `witnesses`, with
 * their timestamps. Throws as `cosignatureTimestamp` if a listed verifier accepted a signature that
 * is not a 72-byte cosignature.
 */
export function witnessCosignatures(
  note: OpenedNote,
  witnesses: readonly CosignatureVerifier[],
): WitnessCosignature[] {
  const out: WitnessCosignature[] = [];
  for (const sig of note.verified) {
    if (!witnesses.some((w) => w.name === sig.name && w.keyId === sig.keyId)) continue;
    out.push({ name: sig.name, keyId: sig.keyId, timestamp: cosignatureTimestamp(sig.signature) });
  }
  return out;
}

function encodeWitnessKey(name: string, publicKey: Uint8Array): string {
  const typed = concatBytes(Uint8Array.of(SIGNATURE_TYPE_COSIGNATURE_V1), publicKey);
  return `${name}+${formatKeyId(computeKeyId(name, typed))}+${encodeBase64(typed)}`;
}

function readTimestamp(signature: Uint8Array): number {
  const hi =
    ((signature[0]! << 24) | (signature[1]! << 16) | (signature[2]! << 8) | signature[3]!) >>> 0;
  const lo =
    ((signature[4]! << 24) | (signature[5]! << 16) | (signature[6]! << 8) | signature[7]!) >>> 0;
  // 2^53 − 1 has 21 bits in the high word.
  if (hi >= 0x200000) {
    throw new LimitError(
      'cosignature.timestamp-too-large',
      `cosignature timestamp 0x${hi.toString(16)}${lo.toString(16).padStart(8, '0')} is above 2^53-1, the largest Tamga can represent`,
    );
  }
  return hi * 0x100000000 + lo;
}

function timestampBytes(timestamp: number): Uint8Array {
  const out = new Uint8Array(TIMESTAMP_SIZE);
  const hi = Math.floor(timestamp / 0x100000000);
  const lo = timestamp >>> 0;
  out[0] = hi >>> 24;
  out[1] = (hi >>> 16) & 0xff;
  out[2] = (hi >>> 8) & 0xff;
  out[3] = hi & 0xff;
  out[4] = lo >>> 24;
  out[5] = (lo >>> 16) & 0xff;
  out[6] = (lo >>> 8) & 0xff;
  out[7] = lo & 0xff;
  return out;
}

function checkType(type: number, name: string, what: string): void {
  if (type !== SIGNATURE_TYPE_COSIGNATURE_V1 && type !== SIGNATURE_TYPE_ED25519) {
    throw new FormatError(
      'key.unknown-type',
      `${what} key for ${name} has signature type 0x${type.toString(16).padStart(2, '0')}; a witness key is Ed25519 cosignature/v1 (0x04) or Ed25519 (0x01)`,
    );
  }
}

function checkPublicKey(publicKey: Uint8Array): void {
  if (!(publicKey instanceof Uint8Array) || publicKey.length !== 32) {
    throw new FormatError('key.wrong-length', 'an Ed25519 public key must be 32 bytes');
  }
}

function checkName(name: string): void {
  if (!isValidKeyName(name)) {
    throw new FormatError(
      'key.bad-name',
      `invalid witness name ${JSON.stringify(String(name))}: names must be non-empty, without spaces or plus signs`,
    );
  }
}
