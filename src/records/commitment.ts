/**
 * Record commitments (docs/design.md, "Records and commitments"): what the log publishes for a
 * record, 32 bytes that reveal nothing without the record and its salt.
 *
 *   commitment = SHA-256("tamga/record/v1\n" ‖ salt ‖ JCS(record))
 *   salt       = 32 fresh random bytes per record, drawn by the caller
 *   log entry  = the commitment; its RFC 6962 leaf hash is SHA-256(0x00 ‖ commitment)
 *
 * The salt keeps records of guessable content (a transaction of a known amount) from being
 * confirmed by hashing guesses; the domain string keeps a commitment from meaning anything else.
 */
import { concatBytes, encodeUtf8 } from '../log/encoding.js';
import { FormatError } from '../log/errors.js';
import { type Hash, leafHash } from '../log/merkle.js';
import { sha256 } from '../log/sha256.js';
import { parseRecord, recordCanonicalBytes, type TamgaRecord } from './record.js';

/** The domain-separation prefix of a record commitment, version 1. */
export const RECORD_COMMITMENT_DOMAIN = 'tamga/record/v1\n';

/** Bytes of salt in a commitment. */
export const SALT_SIZE = 32;

/** Bytes of a commitment, which is a log entry. */
export const COMMITMENT_SIZE = 32;

const DOMAIN = encodeUtf8(RECORD_COMMITMENT_DOMAIN);

/**
 * Returns the commitment SHA-256("tamga/record/v1\n" ‖ salt ‖ JCS(record)) of a record, which
 * is checked with `parseRecord` first. Throws as `parseRecord` for an invalid record, and
 * FormatError `commitment.salt` unless `salt` is 32 bytes.
 */
export function commitment(record: TamgaRecord, salt: Uint8Array): Uint8Array {
  checkSalt(salt);
  return commitCanonical(recordCanonicalBytes(parseRecord(record)), salt);
}

/**
 * Returns SHA-256("tamga/record/v1\n" ‖ salt ‖ canonical) for a record's canonical JSON bytes,
 * as a verifier recomputes it for whatever record a bundle holds. Throws FormatError
 * `commitment.salt` unless `salt` is 32 bytes.
 */
export function commitCanonical(canonical: Uint8Array, salt: Uint8Array): Uint8Array {
  checkSalt(salt);
  return sha256(concatBytes(DOMAIN, salt, canonical));
}

/**
 * Returns the RFC 6962 leaf hash of a commitment, SHA-256(0x00 ‖ commitment): the hash that
 * inclusion proofs start from. Throws FormatError `commitment.length` unless it is 32 bytes.
 */
export function recordLeafHash(commitment: Uint8Array): Hash {
  if (!(commitment instanceof Uint8Array) || commitment.length !== COMMITMENT_SIZE) {
    throw new FormatError(
      'commitment.length',
      `a record commitment is ${COMMITMENT_SIZE} bytes, got ${describeBytes(commitment)}`,
    );
  }
  return leafHash(commitment);
}

function checkSalt(salt: Uint8Array): void {
  if (!(salt instanceof Uint8Array) || salt.length !== SALT_SIZE) {
    throw new FormatError(
      'commitment.salt',
      `a record's salt is ${SALT_SIZE} fresh random bytes, got ${describeBytes(salt)}`,
    );
  }
}

function describeBytes(b: unknown): string {
  return b instanceof Uint8Array ? `${b.length} bytes` : typeof b;
}
