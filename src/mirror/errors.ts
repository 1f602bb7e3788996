/**
 * Errors of mirroring and restoring. Each says what is wrong and what to do; a fork carries its
 * evidence (both checkpoints and the proof), as tessera's inconsistency errors do, so that the
 * caller can keep and publish it. None carries a token, a passphrase or a key.
 */
import { TamgaError } from '../log/errors.js';

/** A mirror or restore that cannot go on: a bad server answer, a damaged mirror, a bad option. */
export class MirrorError extends TamgaError {}

/** What a fork is: two signed checkpoints that cannot both be true of one append-only log. */
export interface ForkEvidence {
  /** `same-size`: two roots for one size; `inconsistent`: a tree that does not extend the other. */
  readonly kind: 'same-size' | 'inconsistent';
  /** The checkpoint the mirror holds (or the log's own earlier checkpoint), as a signed note. */
  readonly held: { readonly size: number; readonly note: string };
  /** The checkpoint offered, as a signed note. */
  readonly offered: { readonly size: number; readonly note: string };
  /** The RFC 9162 consistency proof from the smaller to the larger size, when sizes differ. */
  readonly proof: readonly Uint8Array[];
}

/** The log signed two histories; the mirror refused the second and kept both. */
export class ForkError extends TamgaError {
  constructor(
    message: string,
    readonly evidence: ForkEvidence,
    /** Where the evidence was written, once it was. */
    readonly kept: string | null = null,
  ) {
    super('mirror.fork', message);
  }
}
