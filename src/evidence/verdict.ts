/**
 * The verdict on an evidence bundle: every check made, whether it held, and why, as data. A
 * CLI prints it with `describeVerdict`; a program reads `ok` and the fields; a court file keeps
 * both. Texts are message keys with parameters (messages.ts), never sentences.
 */
import type { EVIDENCE_FORMAT } from './bundle.js';
import type { Message } from './messages.js';

/** One check: whether it held, and what it found. */
export interface Check {
  readonly ok: boolean;
  readonly message: Message;
}

/** What was found for one file attached to a record. */
export interface FileVerdict {
  /** The file's name, as the record gives it. */
  readonly name: string;
  /** The SHA-256 the record gives, 64 lower-case hex digits. */
  readonly sha256: string;
  /** The size in bytes the record gives. */
  readonly size: number;
  /** `not-provided` is not a failure: the record is proven, the file's content was not checked. */
  readonly status: 'match' | 'mismatch' | 'not-provided';
  readonly message: Message;
}

/** What was found for one record of the bundle. */
export interface RecordVerdict {
  /** The record's position in the bundle's `records`, from 0. */
  readonly position: number;
  /** The record's `id` and `kind` as written, or null where they are not strings. */
  readonly id: string | null;
  readonly kind: string | null;
  /** The log entry the bundle says holds the record. */
  readonly index: number;
  /** The record fits the schema of its kind. */
  readonly wellFormed: Check;
  /** SHA-256("tamga/record/v1\n" ‖ salt ‖ JCS(record)) is the commitment the bundle gives. */
  readonly committed: Check;
  /** The commitment is log entry `index` of the checkpoint's tree, by the inclusion proof. */
  readonly included: Check;
  readonly files: readonly FileVerdict[];
  /** Every check held and no file mismatched. */
  readonly ok: boolean;
  /**
   * POSIX seconds no later than which the record existed: the verdict's `provenNoLaterThan`
   * when this record verified, else null.
   */
  readonly provenNoLaterThan: number | null;
}

/** What was found for one witness of the policy. */
export interface WitnessVerdict {
  /** The witness's key name. */
  readonly witness: string;
  /** The witness's cosignature key ID, eight hex digits. */
  readonly keyId: string;
  readonly status: 'cosigned' | 'absent' | 'invalid' | 'unchecked';
  /** POSIX seconds at which the witness cosigned, when it did. */
  readonly timestamp: number | null;
  readonly message: Message;
}

/** A valid cosignature by a witness of the policy. */
export interface CosignatureVerdict {
  readonly witness: string;
  readonly keyId: string;
  /** POSIX seconds. */
  readonly timestamp: number;
}

/** A signature line on the checkpoint by a key that is neither the log's nor a trusted witness's. */
export interface UnknownSigner {
  /** The key name the line gives, which anyone can choose. */
  readonly name: string;
  /** The key ID the line gives, eight hex digits. */
  readonly keyId: string;
  readonly message: Message;
}

/** What was found for the checkpoint. */
export interface CheckpointVerdict {
  /** What the checkpoint says, when it can be read (signed or not). */
  readonly origin: string | null;
  readonly size: number | null;
  /** The root hash, base64. */
  readonly root: string | null;
  /** The log key it was checked against, `name+hex8`. */
  readonly logKey: string;
  readonly read: Check;
  readonly logSignature: Check;
  readonly witnesses: readonly WitnessVerdict[];
  /**
   * The valid cosignatures by witnesses of a policy the verifier trusts, in policy order. Empty
   * when the policy came from the bundle: such cosignatures prove no time.
   */
  readonly cosignatures: readonly CosignatureVerdict[];
  /** Cosignatures by unknown keys: ignored for the quorum and for dating. */
  readonly unknownSigners: readonly UnknownSigner[];
  readonly quorum: {
    readonly required: number;
    readonly valid: number;
    readonly met: boolean;
    readonly message: Message;
  };
  /** The checkpoint is signed by the log, meets the policy, and no known key's signature failed. */
  readonly ok: boolean;
}

/** Which check a problem is about. */
export type CheckName =
  | 'checkpoint'
  | 'log-signature'
  | 'witness'
  | 'quorum'
  | 'well-formed'
  | 'committed'
  | 'included'
  | 'file';

/** One failure: which record (by position, or null for the checkpoint), which check, and why. */
export interface Problem {
  readonly record: number | null;
  readonly id: string | null;
  readonly check: CheckName;
  readonly message: Message;
}

/**
 * The outcome, in one word. `verified`: every check held under keys the verifier trusts (a
 * pinned log key and witness policy); `unconfirmed`: every check held, but under keys that came
 * from the bundle, which anyone can make; `failed`: a check failed.
 */
export type VerdictStatus = 'verified' | 'unconfirmed' | 'failed';

/** The verdict on an evidence bundle. */
export interface EvidenceVerdict {
  readonly format: typeof EVIDENCE_FORMAT;
  /**
   * The checkpoint verified and so did every record, under the keys used. Says nothing of where
   * the keys came from: read `status`.
   */
  readonly ok: boolean;
  readonly status: VerdictStatus;
  /** One line that says so. */
  readonly summary: Message;
  /** The fingerprint of the keys the bundle carries (src/evidence/trust.ts), to compare with the union's. */
  readonly fingerprint: string;
  /** The fingerprint of the trusted keys it was checked under, when both were pinned. */
  readonly trustedFingerprint: string | null;
  /** Where the keys came from: the bundle, or the verifier. */
  readonly trust: readonly Message[];
  readonly checkpoint: CheckpointVerdict;
  readonly records: readonly RecordVerdict[];
  /**
   * POSIX seconds: the earliest valid witness cosignature on the checkpoint, when the checkpoint
   * verified under a trusted policy, the policy needs at least one witness and at least one
   * record verified. The
   * records that verified existed no later than this (docs/design.md, "Time"). Null when no
   * independent time is proven.
   */
  readonly provenNoLaterThan: number | null;
  /** The witness whose cosignature gives `provenNoLaterThan`. */
  readonly provenBy: string | null;
  /**
   * POSIX seconds by which as many witnesses as the quorum had cosigned: the time the policy as
   * a whole vouches for, later than or equal to `provenNoLaterThan`.
   */
  readonly quorumTime: number | null;
  /** What the times mean, in words. */
  readonly time: readonly Message[];
  /** Every failure, in the order checked. Empty when `ok`. */
  readonly problems: readonly Problem[];
}
