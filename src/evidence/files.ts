/**
 * Checking the files attached to disclosed records against what travels beside the bundle.
 * A record names each file by SHA-256 and size; the caller hands over, for a digest the record
 * names, either the file's bytes (hashed here) or the digest and size it computed itself (a CLI
 * streams large files through node:crypto, which this pure module cannot use).
 */
import { FormatError, sha256 } from '../log/index.js';
import type { FileRef } from '../records/index.js';
import { message } from './messages.js';
import type { FileVerdict } from './verdict.js';

/** A file's digest and size, as computed by the caller. */
export interface FileDigest {
  /** 64 lower-case hex digits. */
  readonly sha256: string;
  readonly size: number;
}

/**
 * Files handed to the verifier, keyed by the SHA-256 (lower-case hex) that the bundle gives
 * for them, with the bytes found or their digest.
 */
export type ProvidedFiles = ReadonlyMap<string, Uint8Array | FileDigest>;

const SHA256_HEX = /^[0-9a-f]{64}$/;

/**
 * Returns the verdict on one attached file: `match` when the file given has the digest and size
 * the record names, `mismatch` when not, `not-provided` when none was given. Throws FormatError
 * `evidence.file-digest` when the caller's digest is not 64 lower-case hex digits and a size.
 */
export function checkFile(file: FileRef, provided: ProvidedFiles | undefined): FileVerdict {
  const base = { name: file.name, sha256: file.sha256, size: file.size };
  const given = provided?.get(file.sha256);
  if (given === undefined) {
    return {
      ...base,
      status: 'not-provided',
      message: message('file.not-provided', { name: file.name, sha256: file.sha256 }),
    };
  }
  const actual = given instanceof Uint8Array ? digestOf(given) : checkDigest(given, file.sha256);
  const matches = actual.sha256 === file.sha256 && actual.size === file.size;
  return {
    ...base,
    status: matches ? 'match' : 'mismatch',
    message: matches
      ? message('file.match', base)
      : message('file.mismatch', {
          ...base,
          actualSha256: actual.sha256,
          actualSize: actual.size,
        }),
  };
}

/** Returns the SHA-256 (lower-case hex) and size of `bytes`. */
export function digestOf(bytes: Uint8Array): FileDigest {
  return { sha256: toHex(sha256(bytes)), size: bytes.length };
}

function checkDigest(d: FileDigest, key: string): FileDigest {
  if (
    typeof d !== 'object' ||
    d === null ||
    typeof d.sha256 !== 'string' ||
    !SHA256_HEX.test(d.sha256) ||
    !Number.isSafeInteger(d.size) ||
    d.size < 0
  ) {
    throw new FormatError(
      'evidence.file-digest',
      `the digest given for file ${key} is not { sha256: 64 lower-case hex digits, size: bytes }`,
    );
  }
  return d;
}

function toHex(bytes: Uint8Array): string {
  let out = '';
  for (const b of bytes) out += b.toString(16).padStart(2, '0');
  return out;
}
