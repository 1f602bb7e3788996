/**
 * Verifying an evidence bundle offline, with nothing but the bundle, the files beside it and,
 * ideally, keys the verifier already trusts. For each record:
 *
 *   well-formed  parseRecord(record) accepts it
 *   committed    SHA-256("tamga/record/v1\n" ‖ salt ‖ JCS(record)) = commitment
 *   included     RFC 9162 inclusion proof: leaf SHA-256(0x00 ‖ commitment) is entry `index`
 *                of the tree of `checkpoint.size` leaves whose root is `checkpoint.root`
 *   files        each attached file given beside the bundle has the SHA-256 and size recorded
 *
 * and for the checkpoint: signed by the log, cosigned by a quorum of the policy's witnesses.
 *
 * Trust (docs/design.md, "Trust"): the verdict is `verified` only when the verifier pinned both
 * the log key and the witness policy; under keys from the bundle it is at best `unconfirmed`,
 * since anyone can make a bundle consistent with keys of their own.
 * Time (docs/design.md, "Time"): under trusted keys only, a record that verifies existed no
 * later than the earliest valid cosignature by a trusted witness on the checkpoint. With no
 * witness required, nothing but the log vouches, and no time is proven.
 */
import { bytesEqual, decodeBase64, verifyInclusion } from '../log/index.js';
import {
  commitCanonical,
  parseRecord,
  recordCanonicalBytes,
  recordLeafHash,
  type TamgaRecord,
} from '../records/index.js';
import {
  EVIDENCE_FORMAT,
  type EvidenceBundle,
  type EvidenceRecord,
  type LogIdentity,
  logIdentitySchema,
  parseEvidence,
  parseTrusted,
  type WitnessPolicy,
  witnessPolicySchema,
} from './bundle.js';
import { checkCheckpoint, reason } from './checkpoint.js';
import { checkFile, type ProvidedFiles } from './files.js';
import { type Message, message } from './messages.js';
import { bundleFingerprint } from './trust.js';
import type {
  Check,
  CheckpointVerdict,
  EvidenceVerdict,
  FileVerdict,
  Problem,
  RecordVerdict,
  VerdictStatus,
} from './verdict.js';

/** Keys the verifier trusts, which take the place of those the bundle names. */
export interface TrustedKeys {
  readonly log?: LogIdentity;
  readonly witnesses?: WitnessPolicy;
}

/** Options of `verifyEvidence`. */
export interface VerifyOptions {
  /** The attached files found beside the bundle, by the SHA-256 the bundle gives for them. */
  readonly files?: ProvidedFiles;
  /** Keys the verifier trusts; without them, the bundle's own keys are used and the verdict says so. */
  readonly trust?: TrustedKeys;
}

/**
 * Returns the verdict on an evidence bundle, given as JSON text, UTF-8 bytes or a parsed value.
 * Every failed check is a finding in the verdict, never an exception. Throws, as
 * `parseEvidence`, for input that is not a well-formed `tamga-evidence/v1` bundle within the
 * limits; SchemaError `evidence.trust` for malformed trusted keys; and FormatError
 * `evidence.file-digest` for a malformed digest in `options.files`.
 */
export function verifyEvidence(bundle: unknown, options: VerifyOptions = {}): EvidenceVerdict {
  const b = parseEvidence(bundle);
  const { log, witnesses, trust, pinned } = chooseKeys(b, options.trust);
  const trusted = pinned.log && pinned.witnesses;

  const cp = checkCheckpoint(b.checkpoint, log, witnesses, trusted);
  const problems: Problem[] = [...cp.problems];
  const records = b.records.map((entry, position) => {
    const verdict = checkRecord(entry, position, cp.checkpoint, options.files);
    problems.push(...recordProblems(verdict));
    return verdict;
  });

  const ok = problems.length === 0 && cp.verdict.ok && records.every((r) => r.ok);
  const status: VerdictStatus = !ok ? 'failed' : trusted ? 'verified' : 'unconfirmed';
  const verified = records.filter((r) => r.ok).length;
  const time = trusted
    ? timeFindings(cp.verdict, witnesses.quorum, verified)
    : { ...NO_TIME, time: [message('time.untrusted')] };
  const fingerprint = bundleFingerprint(b) ?? '';
  return {
    format: EVIDENCE_FORMAT,
    ok,
    status,
    summary:
      status === 'verified'
        ? message('verdict.ok', { records: records.length, origin: log.origin })
        : status === 'unconfirmed'
          ? message('verdict.unconfirmed', { records: records.length, fingerprint })
          : message('verdict.failed', { problems: problems.length }),
    fingerprint,
    trustedFingerprint: trusted ? (bundleFingerprint({ log, witnesses }) ?? '') : null,
    trust,
    checkpoint: cp.verdict,
    records: records.map((r) => ({
      ...r,
      provenNoLaterThan: r.ok ? time.provenNoLaterThan : null,
    })),
    ...time,
    problems,
  };
}

function chooseKeys(
  b: EvidenceBundle,
  trusted: TrustedKeys | undefined,
): {
  log: LogIdentity;
  witnesses: WitnessPolicy;
  trust: Message[];
  pinned: { log: boolean; witnesses: boolean };
} {
  const fingerprint = bundleFingerprint(b) ?? '';
  if (trusted?.log === undefined && trusted?.witnesses === undefined) {
    return {
      log: b.log,
      witnesses: b.witnesses,
      trust: [message('trust.from-bundle', { fingerprint })],
      pinned: { log: false, witnesses: false },
    };
  }
  const trust: Message[] = [];
  let log = b.log;
  if (trusted.log !== undefined) {
    log = parseTrusted(logIdentitySchema, trusted.log, 'the trusted log');
    trust.push(message('trust.pinned-log', { key: log.verifierKey, origin: log.origin }));
    if (log.origin !== b.log.origin || log.verifierKey !== b.log.verifierKey) {
      trust.push(
        message('trust.log-differs', {
          origin: log.origin,
          key: log.verifierKey,
          bundleOrigin: b.log.origin,
          bundleKey: b.log.verifierKey,
        }),
      );
    }
  }
  let witnesses = b.witnesses;
  if (trusted.witnesses !== undefined) {
    witnesses = parseTrusted(witnessPolicySchema, trusted.witnesses, 'the trusted witness policy');
    trust.push(
      message('trust.pinned-witnesses', {
        quorum: witnesses.quorum,
        count: witnesses.verifierKeys.length,
      }),
    );
    if (!samePolicy(witnesses, b.witnesses)) {
      trust.push(
        message('trust.witnesses-differ', {
          bundleQuorum: b.witnesses.quorum,
          bundleCount: b.witnesses.verifierKeys.length,
        }),
      );
    }
  }
  if (trusted.log !== undefined && trusted.witnesses !== undefined) {
    const pinned = bundleFingerprint({ log, witnesses });
    if (pinned !== null) trust.push(message('trust.statement', { fingerprint: pinned }));
  }
  if (trusted.log === undefined) trust.push(message('trust.log-from-bundle', { fingerprint }));
  if (trusted.witnesses === undefined) {
    trust.push(message('trust.witnesses-from-bundle', { fingerprint }));
  }
  return {
    log,
    witnesses,
    trust,
    pinned: { log: trusted.log !== undefined, witnesses: trusted.witnesses !== undefined },
  };
}

function samePolicy(a: WitnessPolicy, b: WitnessPolicy): boolean {
  const keys = new Set(a.verifierKeys);
  return (
    a.quorum === b.quorum &&
    a.verifierKeys.length === b.verifierKeys.length &&
    b.verifierKeys.every((k) => keys.has(k))
  );
}

function checkRecord(
  entry: EvidenceRecord,
  position: number,
  checkpoint: { readonly size: number; readonly root: Uint8Array } | null,
  files: ProvidedFiles | undefined,
): RecordVerdict {
  const { record, index } = entry;
  const id = typeof record.id === 'string' ? record.id.slice(0, 64) : null;
  const kind = typeof record.kind === 'string' ? record.kind.slice(0, 64) : null;

  let parsed: TamgaRecord | null = null;
  let wellFormed: Check;
  try {
    parsed = parseRecord(record);
    wellFormed = { ok: true, message: message('record.well-formed', { kind: parsed.kind }) };
  } catch (e) {
    wellFormed = { ok: false, message: message('record.malformed', { reason: reason(e) }) };
  }

  const stated = decodeBase64(entry.commitment);
  let committed: Check;
  try {
    const computed = commitCanonical(recordCanonicalBytes(record), decodeBase64(entry.salt));
    committed = bytesEqual(computed, stated)
      ? { ok: true, message: message('record.committed', { commitment: entry.commitment }) }
      : { ok: false, message: message('record.not-committed', { commitment: entry.commitment }) };
  } catch (e) {
    committed = { ok: false, message: message('record.uncommittable', { reason: reason(e) }) };
  }

  let included: Check;
  if (checkpoint === null) {
    included = { ok: false, message: message('record.inclusion-unchecked') };
  } else {
    try {
      verifyInclusion(
        index,
        checkpoint.size,
        recordLeafHash(stated),
        entry.proof.map((h) => decodeBase64(h)),
        checkpoint.root,
      );
      included = { ok: true, message: message('record.included', { index }) };
    } catch (e) {
      included = {
        ok: false,
        message: message('record.not-included', { index, reason: reason(e) }),
      };
    }
  }

  const fileVerdicts: FileVerdict[] =
    parsed === null ? [] : parsed.files.map((f) => checkFile(f, files));
  const ok =
    wellFormed.ok &&
    committed.ok &&
    included.ok &&
    fileVerdicts.every((f) => f.status !== 'mismatch');
  return {
    position,
    id,
    kind,
    index,
    wellFormed,
    committed,
    included,
    files: fileVerdicts,
    ok,
    provenNoLaterThan: null,
  };
}

function recordProblems(r: RecordVerdict): Problem[] {
  const at = { record: r.position, id: r.id };
  const out: Problem[] = [];
  if (!r.wellFormed.ok) out.push({ ...at, check: 'well-formed', message: r.wellFormed.message });
  if (!r.committed.ok) out.push({ ...at, check: 'committed', message: r.committed.message });
  // When the checkpoint cannot be read, that is the problem; inclusion was not tried.
  if (!r.included.ok && r.included.message.key !== 'record.inclusion-unchecked') {
    out.push({ ...at, check: 'included', message: r.included.message });
  }
  for (const f of r.files) {
    if (f.status === 'mismatch') out.push({ ...at, check: 'file', message: f.message });
  }
  return out;
}

const NO_TIME = { provenNoLaterThan: null, provenBy: null, quorumTime: null } as const;

function timeFindings(
  cp: CheckpointVerdict,
  quorum: number,
  verified: number,
): Pick<EvidenceVerdict, 'provenNoLaterThan' | 'provenBy' | 'quorumTime' | 'time'> {
  const none = NO_TIME;
  if (!cp.ok) return { ...none, time: [message('time.unproven')] };
  if (verified === 0) return { ...none, time: [message('time.no-record')] };
  if (quorum === 0) {
    return {
      ...none,
      time: [message(cp.cosignatures.length === 0 ? 'time.none' : 'time.not-required')],
    };
  }
  // Every valid cosignature by a witness of the policy counts toward the quorum; the earliest
  // bounds the time, and the quorum-th earliest is when the policy as a whole vouched.
  const sorted = [...cp.cosignatures].sort((a, b) => a.timestamp - b.timestamp);
  const first = sorted[0]!;
  const atQuorum = sorted[quorum - 1]!;
  return {
    provenNoLaterThan: first.timestamp,
    provenBy: first.witness,
    quorumTime: atQuorum.timestamp,
    time: [
      message('time.proven', { time: first.timestamp, witness: first.witness }),
      message('time.quorum', { time: atQuorum.timestamp, required: quorum }),
    ],
  };
}
