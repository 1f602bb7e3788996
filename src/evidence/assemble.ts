/**
 * Assembling an evidence bundle from parts a vault already holds: records with their salts,
 * indexes and inclusion proofs, one cosigned checkpoint, and the keys and policy to check them
 * with. Pure: the caller reads the store, the clock and the files; this only puts them together,
 * and refuses to hand out a bundle that does not verify.
 */
import { encodeBase64, FormatError, VerificationError } from '../log/index.js';
import {
  commitment,
  parseRecord,
  SALT_SIZE,
  SchemaError,
  type TamgaRecord,
} from '../records/index.js';
import {
  EVIDENCE_FORMAT,
  type EvidenceBundle,
  type EvidenceFile,
  type EvidenceRecord,
  type LogIdentity,
  type WitnessPolicy,
} from './bundle.js';
import { renderMessage } from './messages.js';
import { verifyEvidence } from './verify.js';

/** One record to disclose: the record, its salt, its log entry and its inclusion proof. */
export interface DisclosedRecord {
  readonly record: TamgaRecord;
  /** The record's 32-byte salt, as sealed. */
  readonly salt: Uint8Array;
  /** Its leaf index in the log. */
  readonly index: number;
  /** Its inclusion proof in the tree of the checkpoint's size. */
  readonly proof: readonly Uint8Array[];
}

/** Everything a bundle is made of. */
export interface EvidenceParts {
  /** When the bundle is assembled, an RFC 3339 UTC timestamp from the caller's clock. */
  readonly created: string;
  /** What assembles it, such as `tamga 0.1.0`. */
  readonly generator: string;
  readonly log: LogIdentity;
  readonly witnesses: WitnessPolicy;
  /** The checkpoint note, signed by the log and cosigned by the witnesses. */
  readonly checkpoint: string;
  readonly records: readonly DisclosedRecord[];
  /** Attached files that will travel beside the bundle, and where. */
  readonly files?: readonly EvidenceFile[];
}

/**
 * Returns the evidence bundle made of `parts`, ready for `formatEvidence`. Throws SchemaError
 * `evidence.record` for a record that `parseRecord` refuses (naming it and the field),
 * FormatError `evidence.salt` or `evidence.proof` for a salt or proof hash of the wrong length,
 * the errors of `parseEvidence` for parts that make a malformed bundle, and VerificationError
 * `evidence.does-not-verify`, with the verdict as evidence, when the bundle would not verify
 * with its own keys.
 */
export function assembleEvidence(parts: EvidenceParts): EvidenceBundle {
  const records: EvidenceRecord[] = parts.records.map((r, i) => {
    try {
      parseRecord(r.record);
    } catch (e) {
      if (e instanceof SchemaError) {
        throw new SchemaError(
          'evidence.record',
          `records[${i}] (log entry ${r.index})`,
          e.issues.map((issue) => ({ ...issue, path: `record.${issue.path}` })),
        );
      }
      throw e;
    }
    if (!(r.salt instanceof Uint8Array) || r.salt.length !== SALT_SIZE) {
      throw new FormatError(
        'evidence.salt',
        `records[${i}] (log entry ${r.index}) has a salt of ${r.salt instanceof Uint8Array ? r.salt.length : 0} bytes; pass the ${SALT_SIZE}-byte salt it was sealed with`,
      );
    }
    return {
      index: r.index,
      commitment: encodeBase64(commitment(r.record, r.salt)),
      salt: encodeBase64(r.salt),
      proof: r.proof.map((h, j) => {
        if (!(h instanceof Uint8Array) || h.length !== 32) {
          throw new FormatError(
            'evidence.proof',
            `records[${i}].proof[${j}] is not a 32-byte hash; pass the proof that inclusionProof returns`,
          );
        }
        return encodeBase64(h);
      }),
      record: r.record,
    };
  });
  const bundle: EvidenceBundle = {
    format: EVIDENCE_FORMAT,
    created: parts.created,
    generator: parts.generator,
    log: { origin: parts.log.origin, verifierKey: parts.log.verifierKey },
    witnesses: { quorum: parts.witnesses.quorum, verifierKeys: [...parts.witnesses.verifierKeys] },
    checkpoint: parts.checkpoint,
    records,
    files: (parts.files ?? []).map((f) => ({ sha256: f.sha256, path: f.path })),
  };
  const verdict = verifyEvidence(bundle);
  if (!verdict.ok) {
    const first = verdict.problems[0];
    throw new VerificationError(
      'evidence.does-not-verify',
      `the assembled bundle does not verify${first === undefined ? '' : `: ${renderMessage(first.message)}`}`,
      { verdict },
    );
  }
  return bundle;
}
