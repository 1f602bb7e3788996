/**
 * C2SP signed notes (https://c2sp.org/signed-note), with Ed25519 keys written as the verifier
 * and signer key strings of golang.org/x/mod/sumdb/note, so that keys move between Tamga and
 * the Go ecosystem unchanged.
 *
 *   signed note    = text ‖ "\n" ‖ 1*signature-line      (text ends with "\n")
 *   signature-line = "— " ‖ key name ‖ " " ‖ base64(key ID ‖ signature) ‖ "\n"
 *   key ID         = SHA-256(key name ‖ 0x0A ‖ signature type ‖ public key)[:4], big-endian
 *   verifier key   = name "+" hex8(key ID) "+" base64(signature type ‖ public key)
 *   signer key     = "PRIVATE+KEY+" name "+" hex8(key ID) "+" base64(0x01 ‖ Ed25519 seed)
 *
 * Opening follows Go's `note.Open`: signatures by unknown keys are kept as unverified (identical
 * lines once); the first signature by a known key is verified and later ones by the same key are
 * skipped; a known key whose signature fails rejects the whole note; a note with no verified
 * signature is rejected. Where this module departs from Go it is stricter, never looser:
 * base64 must be canonical (Go ignores non-zero padding bits), signatures must be at least one
 * byte long when written as well as when read, and `signNote` refuses text that `openNote`
 * would reject.
 */
import { ed25519 } from './ed25519.js';
import {
  bytesEqual,
  concatBytes,
  decodeBase64,
  decodeUtf8,
  encodeBase64,
  encodeUtf8,
} from './encoding.js';
import { FormatError, LimitError, VerificationError } from './errors.js';
import { sha256 } from './sha256.js';

/** Signature type of plain Ed25519 note signatures (c2sp.org/signed-note). */
export const SIGNATURE_TYPE_ED25519 = 0x01;

/** The most signature lines a note may carry; Go's `note.Open` has the same limit. */
export const MAX_SIGNATURES = 100;

const SIGNATURE_PREFIX = '— ';
const SEED_SIZE = 32;
const PUBLIC_KEY_SIZE = 32;
const ED25519_SIGNATURE_SIZE = 64;

/** Signs note text with one key. `sign` receives the note text and returns the raw signature. */
export interface Signer {
  readonly name: string;
  /** The key ID as an unsigned 32-bit integer. */
  readonly keyId: number;
  sign(message: Uint8Array): Uint8Array;
}

/**
 * Verifies signatures of one key. `verify` receives the note text and the signature without its
 * key ID, and returns false for a signature that does not verify. It may throw a TamgaError for a
 * signature it can parse but refuses (a cosignature whose timestamp Tamga cannot represent).
 */
export interface Verifier {
  readonly name: string;
  /** The key ID as an unsigned 32-bit integer. */
  readonly keyId: number;
  verify(message: Uint8Array, signature: Uint8Array): boolean;
}

/** An Ed25519 note signer, which can also tell its public key and verifier key string. */
export interface Ed25519Signer extends Signer {
  readonly publicKey: Uint8Array;
  /** The verifier key string `name+hex8+base64(0x01‖pub)` for this key. */
  readonly verifierKey: string;
}

/** An Ed25519 note verifier, built from a verifier key string or a public key. */
export interface Ed25519Verifier extends Verifier {
  readonly publicKey: Uint8Array;
}

/** One signature line of a note: the key name, the key ID, and the signature bytes after it. */
export interface NoteSignature {
  readonly name: string;
  readonly keyId: number;
  readonly signature: Uint8Array;
}

/** A note as written: its text (ending in a newline) and its signature lines, in order. */
export interface Note {
  readonly text: string;
  readonly signatures: readonly NoteSignature[];
}

/** A note whose signatures were checked: those by known keys that verified, and the others. */
export interface OpenedNote {
  readonly text: string;
  readonly verified: readonly NoteSignature[];
  readonly unverified: readonly NoteSignature[];
}

/** The parts of a verifier key string, with its key ID checked against its name and key. */
export interface VerifierKeyParts {
  readonly name: string;
  readonly keyId: number;
  /** The signature type byte that starts the key data (0x01 Ed25519, 0x04 cosignature/v1). */
  readonly type: number;
  /** The key data after the type byte. */
  readonly publicKey: Uint8Array;
}

// Go's unicode.IsSpace: the Unicode White_Space property (U+0009–U+000D, U+0020, U+0085, U+00A0,
// U+1680, U+2000–U+200A, U+2028, U+2029, U+202F, U+205F, U+3000). Not JS `\s`, which adds U+FEFF
// and leaves out U+0085.
const WHITE_SPACE = /[\t\n\v\f\r \u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]/;
const LONE_SURROGATE = /[\ud800-\udfff]/u;
const HEX8 = /^[0-9a-fA-F]{8}$/;

/** Returns true when `name` may name a key: non-empty, well-formed, no Unicode space, no plus. */
export function isValidKeyName(name: string): boolean {
  return (
    typeof name === 'string' &&
    name !== '' &&
    !LONE_SURROGATE.test(name) &&
    !WHITE_SPACE.test(name) &&
    !name.includes('+')
  );
}

/** Returns the key ID SHA-256(name ‖ 0x0A ‖ typedKey)[:4] as a uint32; `typedKey` starts with its type byte. */
export function computeKeyId(name: string, typedKey: Uint8Array): number {
  const h = sha256(concatBytes(encodeUtf8(name), Uint8Array.of(0x0a), typedKey));
  return ((h[0]! << 24) | (h[1]! << 16) | (h[2]! << 8) | h[3]!) >>> 0;
}

/** Returns a key ID as the eight lowercase hex digits used in key strings and messages. */
export function formatKeyId(keyId: number): string {
  return keyId.toString(16).padStart(8, '0');
}

// ---------------------------------------------------------------------------------------------
// Key strings

/**
 * Returns the parts of a verifier key string `name+hex8+base64(type‖key)` of any signature type.
 * Throws FormatError for a malformed string (`key.malformed`) or a key ID that does not match the
 * name and key (`key.wrong-hash`), in the order Go's `note.NewVerifier` checks them.
 */
export function decodeVerifierKey(vkey: string): VerifierKeyParts {
  const [name, rest] = chop(String(vkey), '+');
  const [hex, b64] = chop(rest, '+');
  const key = decodeKeyData(b64, 'verifier key');
  if (!HEX8.test(hex) || !isValidKeyName(name) || key === null || key.length === 0) {
    throw new FormatError(
      'key.malformed',
      'malformed verifier key: expected <name>+<8 hex digits>+<base64 key>, with a name that has no spaces or plus signs',
    );
  }
  const keyId = Number.parseInt(hex, 16);
  const expected = computeKeyId(name, key);
  if (keyId !== expected) {
    throw new FormatError(
      'key.wrong-hash',
      `verifier key for ${name} has key ID ${hex}, but its name and key give ${formatKeyId(expected)}`,
    );
  }
  return { name, keyId, type: key[0]!, publicKey: key.slice(1) };
}

/** Returns the verifier key string `name+hex8+base64(type‖publicKey)`. Throws FormatError for an invalid name or type. */
export function encodeVerifierKey(name: string, type: number, publicKey: Uint8Array): string {
  checkKeyName(name, 'key');
  if (!Number.isInteger(type) || type < 0 || type > 0xff) {
    throw new FormatError('key.unknown-type', `signature type must be a byte, not ${type}`);
  }
  if (!(publicKey instanceof Uint8Array)) {
    throw new FormatError('key.wrong-length', 'a public key must be given as bytes');
  }
  const key = concatBytes(Uint8Array.of(type), publicKey);
  return `${name}+${formatKeyId(computeKeyId(name, key))}+${encodeBase64(key)}`;
}

/**
 * Returns an Ed25519 verifier from a key string `name+hex8+base64(0x01‖pub)`. Throws FormatError
 * like Go's `note.NewVerifier`: `key.malformed`, `key.wrong-hash`, `key.unknown-type` for any
 * type but 0x01, `key.wrong-length` for a key that is not 32 bytes.
 */
export function parseVerifierKey(vkey: string): Ed25519Verifier {
  const parts = decodeVerifierKey(vkey);
  if (parts.type !== SIGNATURE_TYPE_ED25519) {
    throw new FormatError(
      'key.unknown-type',
      `verifier key for ${parts.name} has signature type 0x${hexByte(parts.type)}; only Ed25519 (0x01) is supported here`,
    );
  }
  if (parts.publicKey.length !== PUBLIC_KEY_SIZE) {
    throw new FormatError(
      'key.wrong-length',
      `verifier key for ${parts.name} holds ${parts.publicKey.length} key bytes; an Ed25519 public key has 32`,
    );
  }
  return ed25519Verifier(parts.name, parts.publicKey);
}

/** Returns the verifier key string for an Ed25519 public key. Throws FormatError for a bad name or key length. */
export function ed25519VerifierKey(name: string, publicKey: Uint8Array): string {
  checkBytes(publicKey, PUBLIC_KEY_SIZE, 'Ed25519 public key', 'key.wrong-length');
  return encodeVerifierKey(name, SIGNATURE_TYPE_ED25519, publicKey);
}

/**
 * Returns an Ed25519 verifier for `publicKey` under `name`, with the key ID of signature type
 * 0x01. Throws FormatError for an invalid name or a key that is not 32 bytes.
 */
export function ed25519Verifier(name: string, publicKey: Uint8Array): Ed25519Verifier {
  checkKeyName(name, 'key');
  checkBytes(publicKey, PUBLIC_KEY_SIZE, 'Ed25519 public key', 'key.wrong-length');
  const pub = publicKey.slice();
  return Object.freeze({
    name,
    keyId: computeKeyId(name, concatBytes(Uint8Array.of(SIGNATURE_TYPE_ED25519), pub)),
    publicKey: pub,
    verify: (message: Uint8Array, signature: Uint8Array) => verifyEd25519(pub, message, signature),
  });
}

/**
 * Returns the signer key string `PRIVATE+KEY+name+hex8+base64(0x01‖seed)` for a 32-byte seed,
 * which the caller draws from a secure random source. Throws FormatError for a bad name or seed.
 */
export function generateSignerKey(name: string, seed: Uint8Array): string {
  checkKeyName(name, 'key');
  checkBytes(seed, SEED_SIZE, 'Ed25519 seed', 'key.wrong-length');
  const pub = ed25519.publicKey(seed);
  const keyId = computeKeyId(name, concatBytes(Uint8Array.of(SIGNATURE_TYPE_ED25519), pub));
  const data = concatBytes(Uint8Array.of(SIGNATURE_TYPE_ED25519), seed);
  return `PRIVATE+KEY+${name}+${formatKeyId(keyId)}+${encodeBase64(data)}`;
}

/** The parts of a signer key string, with its key ID not yet checked (that needs the public key). */
export interface SignerKeyParts {
  readonly name: string;
  readonly keyId: number;
  readonly type: number;
  /** The private key data after the type byte (for Ed25519, the 32-byte seed). */
  readonly privateKey: Uint8Array;
}

/**
 * Returns the parts of a signer key string `PRIVATE+KEY+name+hex8+base64(type‖key)`. Throws
 * FormatError `key.malformed` for anything else. The key ID is checked by the caller, which can
 * derive the public key.
 */
export function decodeSignerKey(skey: string): SignerKeyParts {
  const [priv, r1] = chop(String(skey), '+');
  const [key_, r2] = chop(r1, '+');
  const [name, r3] = chop(r2, '+');
  const [hex, b64] = chop(r3, '+');
  const key = decodeKeyData(b64, 'signer key');
  if (
    priv !== 'PRIVATE' ||
    key_ !== 'KEY' ||
    !HEX8.test(hex) ||
    !isValidKeyName(name) ||
    key === null ||
    key.length === 0
  ) {
    // Never echo the input: it may be a (mangled) private key.
    throw new FormatError(
      'key.malformed',
      'malformed signer key: expected PRIVATE+KEY+<name>+<8 hex digits>+<base64 key>',
    );
  }
  return { name, keyId: Number.parseInt(hex, 16), type: key[0]!, privateKey: key.slice(1) };
}

/**
 * Returns an Ed25519 signer from a key string `PRIVATE+KEY+name+hex8+base64(0x01‖seed)`. Throws
 * FormatError like Go's `note.NewSigner`: `key.malformed`, `key.unknown-type`, `key.wrong-length`,
 * and `key.wrong-hash` when the key ID does not match the public key derived from the seed.
 */
export function parseSignerKey(skey: string): Ed25519Signer {
  const parts = decodeSignerKey(skey);
  if (parts.type !== SIGNATURE_TYPE_ED25519) {
    throw new FormatError(
      'key.unknown-type',
      `signer key for ${parts.name} has signature type 0x${hexByte(parts.type)}; only Ed25519 (0x01) is supported here`,
    );
  }
  if (parts.privateKey.length !== SEED_SIZE) {
    throw new FormatError(
      'key.wrong-length',
      `signer key for ${parts.name} holds ${parts.privateKey.length} key bytes; an Ed25519 seed has 32`,
    );
  }
  const signer = ed25519Signer(parts.name, parts.privateKey);
  if (signer.keyId !== parts.keyId) {
    throw new FormatError(
      'key.wrong-hash',
      `signer key for ${parts.name} has key ID ${formatKeyId(parts.keyId)}, but its public key gives ${formatKeyId(signer.keyId)}`,
    );
  }
  return signer;
}

/**
 * Returns an Ed25519 note signer for a 32-byte seed under `name`. The seed is copied and kept only
 * inside the signing closure. Throws FormatError for an invalid name or seed length.
 */
export function ed25519Signer(name: string, seed: Uint8Array): Ed25519Signer {
  checkKeyName(name, 'key');
  const key = ed25519KeyOf(name, SIGNATURE_TYPE_ED25519, seed);
  return Object.freeze({
    name,
    keyId: key.keyId,
    publicKey: key.publicKey,
    verifierKey: key.verifierKey,
    sign: (message: Uint8Array) => ed25519.sign(message, key.secret),
  });
}

/**
 * Returns what a signer of signature `type` keeps of a 32-byte Ed25519 seed: a private copy of
 * the seed, the public key, the key ID and the verifier key string. Throws FormatError for a seed
 * of another length. Shared by note signers (0x01) and witness cosigners (0x04).
 */
export function ed25519KeyOf(
  name: string,
  type: number,
  seed: Uint8Array,
): { secret: Uint8Array; publicKey: Uint8Array; keyId: number; verifierKey: string } {
  checkBytes(seed, SEED_SIZE, 'Ed25519 seed', 'key.wrong-length');
  const secret = seed.slice();
  const publicKey = ed25519.publicKey(secret);
  const keyId = computeKeyId(name, concatBytes(Uint8Array.of(type), publicKey));
  return { secret, publicKey, keyId, verifierKey: encodeVerifierKey(name, type, publicKey) };
}

/** Returns the verifier key string that matches a signer key string. Throws as `parseSignerKey`. */
export function verifierKeyFromSigner(skey: string): string {
  return parseSignerKey(skey).verifierKey;
}

// ---------------------------------------------------------------------------------------------
// Notes

/**
 * Returns the text and every signature line of a signed note, checking syntax only: nothing is
 * verified. Throws FormatError for text that is not UTF-8, holds control characters, lacks the
 * blank line before the signatures or has a malformed signature line, and LimitError for more
 * than 100 signatures.
 */
export function parseNote(msg: Uint8Array | string): Note {
  const all = noteString(msg);
  // The text ends at the last blank line: signature lines are never empty.
  const split = all.lastIndexOf('\n\n');
  if (split < 0) {
    throw new FormatError(
      'note.no-signatures',
      'malformed note: no blank line separates the text from signature lines',
    );
  }
  const text = all.slice(0, split + 1);
  const block = all.slice(split + 2);
  if (block === '' || !block.endsWith('\n')) {
    throw new FormatError(
      'note.unterminated',
      block === ''
        ? 'malformed note: the blank line is not followed by any signature line'
        : 'malformed note: the last signature line does not end with a newline',
    );
  }
  const lines = block.slice(0, -1).split('\n');
  const signatures: NoteSignature[] = [];
  for (let i = 0; i < lines.length; i++) {
    signatures.push(parseSignatureLine(lines[i]!, i + 1));
    // Counted as Go counts, after each line parses, so a huge note costs at most 101 lines.
    if (signatures.length > MAX_SIGNATURES) {
      throw new LimitError(
        'note.too-many-signatures',
        `note has more than ${MAX_SIGNATURES} signature lines`,
      );
    }
  }
  return { text, signatures };
}

/**
 * Returns the signed note for `note`: its text, a blank line and its signature lines, in order.
 * Throws FormatError for invalid text, key names or signatures, or no signature, and LimitError
 * for more than 100 signatures.
 */
export function formatNote(note: Note): string {
  checkNoteText(note.text);
  if (note.signatures.length === 0) {
    throw new FormatError('note.no-signatures', 'a signed note needs at least one signature');
  }
  if (note.signatures.length > MAX_SIGNATURES) {
    throw new LimitError(
      'note.too-many-signatures',
      `a note may carry at most ${MAX_SIGNATURES} signatures, not ${note.signatures.length}`,
    );
  }
  let out = `${note.text}\n`;
  for (const s of note.signatures) out += formatSignatureLine(s);
  return out;
}

/**
 * Returns `note` signed by `signers`: existing signatures first (minus any by the same name and
 * key ID as a new signer, as Go's `note.Sign` elides them), then one new line per signer. `note`
 * is note text or a parsed note; existing signatures are carried over, not verified. Throws
 * FormatError for invalid text or signers, and LimitError for more than 100 signatures.
 */
export function signNote(note: string | Note, signers: readonly Signer[]): string {
  const text = typeof note === 'string' ? note : note.text;
  const existing = typeof note === 'string' ? [] : note.signatures;
  checkNoteText(text);
  const message = encodeUtf8(text);
  const fresh: NoteSignature[] = [];
  const replaced = new Set<string>();
  for (const signer of signers) {
    if (!isValidKeyName(signer.name)) {
      throw new FormatError(
        'note.bad-signer',
        `invalid signer name ${JSON.stringify(signer.name)}: names must be non-empty, without spaces or plus signs`,
      );
    }
    checkKeyIdValue(signer.keyId, signer.name);
    const k = keyOf(signer.name, signer.keyId);
    if (replaced.has(k)) {
      throw new FormatError(
        'note.duplicate-signer',
        `two signers use the key ${signer.name}+${formatKeyId(signer.keyId)}`,
      );
    }
    replaced.add(k);
    const signature = signer.sign(message);
    if (!(signature instanceof Uint8Array) || signature.length === 0) {
      throw new FormatError(
        'note.bad-signer',
        `signer ${signer.name}+${formatKeyId(signer.keyId)} returned an empty signature`,
      );
    }
    fresh.push({ name: signer.name, keyId: signer.keyId, signature });
  }
  const kept = existing.filter((s) => !replaced.has(keyOf(s.name, s.keyId)));
  return formatNote({ text, signatures: [...kept, ...fresh] });
}

/**
 * Returns the signed note `msg` with signatures by `signers` added (replacing earlier ones by the
 * same keys). The existing signatures are not verified: open the note first when that matters.
 * Throws as `parseNote` and `signNote`.
 */
export function addSignatures(msg: Uint8Array | string, signers: readonly Signer[]): string {
  return signNote(parseNote(msg), signers);
}

/**
 * Returns the text of a signed note with its signatures sorted into verified (by `verifiers`) and
 * unverified (by unknown keys), with Go's `note.Open` semantics. Throws FormatError or LimitError
 * for a malformed note, and VerificationError when a known key's signature fails
 * (`note.bad-signature`), when two verifiers share a name and key ID that the note uses
 * (`note.ambiguous-verifier`), or when no known key signed (`note.no-verified-signature`).
 */
export function openNote(msg: Uint8Array | string, verifiers: readonly Verifier[]): OpenedNote {
  const note = parseNote(msg);
  const message = encodeUtf8(note.text);

  const known = new Map<string, Verifier[]>();
  for (const v of verifiers) {
    const k = keyOf(v.name, v.keyId);
    const list = known.get(k);
    if (list) list.push(v);
    else known.set(k, [v]);
  }

  const verified: NoteSignature[] = [];
  const unverified: NoteSignature[] = [];
  const seen = new Set<string>();
  for (const sig of note.signatures) {
    const k = keyOf(sig.name, sig.keyId);
    const list = known.get(k);
    if (list === undefined) {
      // Unknown key: keep each distinct line once.
      if (!unverified.some((u) => sameSignature(u, sig))) unverified.push(sig);
      continue;
    }
    if (list.length > 1) {
      throw new VerificationError(
        'note.ambiguous-verifier',
        `${list.length} verifiers share the key ${sig.name}+${formatKeyId(sig.keyId)}; the list of trusted keys is wrong`,
        { name: sig.name, keyId: sig.keyId },
      );
    }
    // Only the first signature by a known key counts; later ones are dropped unchecked.
    if (seen.has(k)) continue;
    seen.add(k);
    if (!list[0]!.verify(message, sig.signature)) {
      throw new VerificationError(
        'note.bad-signature',
        `the signature by ${sig.name}+${formatKeyId(sig.keyId)} does not verify: the note was altered or forged`,
        { text: note.text, name: sig.name, keyId: sig.keyId, signature: sig.signature },
      );
    }
    verified.push(sig);
  }
  if (verified.length === 0) {
    throw new VerificationError(
      'note.no-verified-signature',
      `the note has no signature by a trusted key (${unverified.length} by unknown keys: ${describe(unverified)})`,
      { text: note.text, unverified },
    );
  }
  return { text: note.text, verified, unverified };
}

/** Throws FormatError unless `text` can be signed: well-formed, no control characters but newline, ending in newline. */
export function checkNoteText(text: string): void {
  if (typeof text !== 'string' || text === '' || !text.endsWith('\n')) {
    throw new FormatError('note.text-unterminated', 'note text must end with a newline');
  }
  checkNoteChars(text, 'note text');
}

// ---------------------------------------------------------------------------------------------
// Internals

function verifyEd25519(publicKey: Uint8Array, message: Uint8Array, signature: Uint8Array): boolean {
  if (!(signature instanceof Uint8Array) || signature.length !== ED25519_SIGNATURE_SIZE) {
    return false;
  }
  try {
    // RFC 8032 strict decoding, as Go's crypto/ed25519 rejects non-canonical R and S.
    return ed25519.verify(signature, message, publicKey);
  } catch {
    return false;
  }
}

function noteString(msg: Uint8Array | string): string {
  let text: string;
  if (msg instanceof Uint8Array) {
    text = decodeUtf8(msg, 'note');
  } else if (typeof msg === 'string') {
    text = msg;
  } else {
    throw new FormatError('note.type', 'a note must be given as bytes or a string');
  }
  checkNoteChars(text, 'note');
  return text;
}

function checkNoteChars(text: string, what: string): void {
  if (LONE_SURROGATE.test(text)) {
    throw new FormatError('utf8.invalid', `${what} is not valid UTF-8 (it holds a lone surrogate)`);
  }
  // ASCII control characters other than newline are not allowed anywhere in a note.
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x20 && c !== 0x0a) {
      throw new FormatError(
        'note.control-character',
        `${what} holds the control character U+00${c.toString(16).padStart(2, '0')} at offset ${i}; only newline is allowed`,
      );
    }
  }
}

function parseSignatureLine(line: string, n: number): NoteSignature {
  if (!line.startsWith(SIGNATURE_PREFIX)) {
    throw new FormatError(
      'note.bad-signature-line',
      `signature line ${n} does not start with an em dash (U+2014) and a space`,
    );
  }
  const [name, b64] = chop(line.slice(SIGNATURE_PREFIX.length), ' ');
  if (!isValidKeyName(name)) {
    throw new FormatError(
      'note.bad-key-name',
      `signature line ${n} has an invalid key name ${JSON.stringify(truncate(name))}`,
    );
  }
  if (b64 === '') {
    throw new FormatError('note.bad-signature-line', `signature line ${n} has no signature`);
  }
  const raw = decodeBase64(b64, `signature on line ${n}`);
  if (raw.length < 5) {
    throw new FormatError(
      'note.short-signature',
      `signature on line ${n} is ${raw.length} bytes; it needs a 4-byte key ID and at least one signature byte`,
    );
  }
  const keyId = ((raw[0]! << 24) | (raw[1]! << 16) | (raw[2]! << 8) | raw[3]!) >>> 0;
  return { name, keyId, signature: raw.slice(4) };
}

function formatSignatureLine(s: NoteSignature): string {
  if (!isValidKeyName(s.name)) {
    throw new FormatError(
      'note.bad-key-name',
      `invalid key name ${JSON.stringify(truncate(String(s.name)))} in a signature`,
    );
  }
  checkKeyIdValue(s.keyId, s.name);
  if (!(s.signature instanceof Uint8Array) || s.signature.length === 0) {
    throw new FormatError(
      'note.short-signature',
      `signature by ${s.name}+${formatKeyId(s.keyId)} is empty`,
    );
  }
  const id = Uint8Array.of(
    s.keyId >>> 24,
    (s.keyId >>> 16) & 0xff,
    (s.keyId >>> 8) & 0xff,
    s.keyId & 0xff,
  );
  return `${SIGNATURE_PREFIX}${s.name} ${encodeBase64(concatBytes(id, s.signature))}\n`;
}

function checkKeyIdValue(keyId: number, name: string): void {
  if (!Number.isInteger(keyId) || keyId < 0 || keyId > 0xffffffff) {
    throw new FormatError(
      'note.bad-key-id',
      `key ID of ${name} must be an unsigned 32-bit integer, not ${keyId}`,
    );
  }
}

function checkKeyName(name: string, what: string): void {
  if (!isValidKeyName(name)) {
    throw new FormatError(
      'key.bad-name',
      `invalid ${what} name ${JSON.stringify(truncate(String(name)))}: names must be non-empty, well-formed, without spaces or plus signs`,
    );
  }
}

function checkBytes(bytes: Uint8Array, size: number, what: string, code: string): void {
  if (!(bytes instanceof Uint8Array) || bytes.length !== size) {
    const got = bytes instanceof Uint8Array ? `${bytes.length} bytes` : typeof bytes;
    throw new FormatError(code, `${what} must be ${size} bytes, got ${got}`);
  }
}

/** Decodes the base64 part of a key string, or returns null: callers report one malformed-key error. */
function decodeKeyData(b64: string, what: string): Uint8Array | null {
  try {
    return decodeBase64(b64, what);
  } catch {
    return null;
  }
}

/** Go's `chop`: the text before the first `sep` and after it, or all of `s` and "". */
function chop(s: string, sep: string): [string, string] {
  const i = s.indexOf(sep);
  return i < 0 ? [s, ''] : [s.slice(0, i), s.slice(i + sep.length)];
}

function keyOf(name: string, keyId: number): string {
  return `${name}\n${keyId}`;
}

function sameSignature(a: NoteSignature, b: NoteSignature): boolean {
  return a.name === b.name && a.keyId === b.keyId && bytesEqual(a.signature, b.signature);
}

function describe(sigs: readonly NoteSignature[]): string {
  if (sigs.length === 0) return 'none';
  return sigs.map((s) => `${s.name}+${formatKeyId(s.keyId)}`).join(', ');
}

function hexByte(b: number): string {
  return b.toString(16).padStart(2, '0');
}

function truncate(text: string): string {
  return text.length > 60 ? `${text.slice(0, 60)}…` : text;
}
