/**
 * The errors the log core raises on purpose. Every failure on untrusted input is one of these,
 * never a bare TypeError: `code` is stable for programs, `message` says what is wrong for people.
 */

/** Base of every error Tamga raises on purpose. */
export class TamgaError extends Error {
  /** A stable, dotted identifier such as `note.bad-signature-line`. */
  readonly code: string;

  constructor(code: string, message: string, options?: ErrorOptions) {
    super(message, options);
    this.code = code;
    this.name = new.target.name;
  }
}

/** Input that does not parse: bad base64, wrong lengths, bad text, missing lines. */
export class FormatError extends TamgaError {}

/** A number or index outside what the operation allows, or what Tamga can represent. */
export class LimitError extends TamgaError {}

/**
 * A proof, signature or policy check that failed. `evidence` holds what was checked, so that a
 * caller can keep or publish it (a root mismatch is what tampering looks like).
 */
export class VerificationError extends TamgaError {
  readonly evidence: Readonly<Record<string, unknown>>;

  constructor(
    code: string,
    message: string,
    evidence: Readonly<Record<string, unknown>> = {},
    options?: ErrorOptions,
  ) {
    super(code, message, options);
    this.evidence = evidence;
  }
}
