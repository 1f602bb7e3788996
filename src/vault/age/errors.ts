/**
 * The errors the age code raises on purpose. Decryption failures on untrusted input are always
 * one of these, never a bare Error from node:crypto: `code` is stable for programs, `message`
 * says what is wrong and what to do for people, and `evidence` says where (chunk index, byte
 * offset, stanza types) so that a caller can log or publish it.
 */
import { TamgaError } from '../../log/errors.js';

/** Stable codes of {@link AgeError}. */
export type AgeErrorCode =
  /** A recipient string is not an `age1…` X25519 recipient. */
  | 'age.bad-recipient'
  /** An identity string is not an `AGE-SECRET-KEY-1…` X25519 identity. */
  | 'age.bad-identity'
  /** Encryption was asked for with no recipient, or decryption with no identity. */
  | 'age.no-keys'
  /** The header does not parse (wrong version, bad line, non-canonical base64, too long). */
  | 'age.header'
  /** An X25519 stanza is malformed, or its ephemeral share is a low-order point. */
  | 'age.bad-stanza'
  /** An scrypt stanza shares the header with other stanzas, which the spec forbids. */
  | 'age.scrypt-mixed'
  /** The file is passphrase-encrypted (a lone scrypt stanza), not encrypted to identities. */
  | 'age.passphrase-file'
  /** None of the given identities unwraps any stanza of the header. */
  | 'age.no-identity'
  /** The header MAC does not match: the header was modified. */
  | 'age.header-mac'
  /** The input ends before the header, the nonce or the final chunk is complete. */
  | 'age.truncated'
  /** A payload chunk does not authenticate: it was modified (or cut inside a chunk). */
  | 'age.tampered'
  /** The final chunk is empty although the payload is not. */
  | 'age.empty-last-chunk'
  /** A valid chunk follows the chunk marked final. */
  | 'age.chunk-after-last'
  /** Bytes that are not a chunk follow the chunk marked final. */
  | 'age.trailing-data';

/** An age file that cannot be made or opened, or a bad key string. */
export class AgeError extends TamgaError {
  declare readonly code: AgeErrorCode;
  /** Where the failure was found: chunk index, byte offset, stanza types, … */
  readonly evidence: Readonly<Record<string, unknown>>;

  constructor(
    code: AgeErrorCode,
    message: string,
    evidence: Readonly<Record<string, unknown>> = {},
    options?: ErrorOptions,
  ) {
    super(code, message, options);
    this.evidence = evidence;
  }
}

/** Stable codes of {@link KeyFileError}. */
export type KeyFileErrorCode =
  /** The passphrase does not open the key file. */
  | 'keyfile.wrong-passphrase'
  /** The bytes are not an intact passphrase-protected age file. */
  | 'keyfile.corrupt'
  /** An empty passphrase, or a scrypt work factor outside what we write and read. */
  | 'keyfile.bad-parameter';

/** A passphrase-protected key file that cannot be sealed or opened. */
export class KeyFileError extends TamgaError {
  declare readonly code: KeyFileErrorCode;

  constructor(code: KeyFileErrorCode, message: string, options?: ErrorOptions) {
    super(code, message, options);
  }
}
