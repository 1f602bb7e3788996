/**
 * The checkpoint half of verifying a bundle: is the checkpoint signed by the log, and cosigned
 * by enough of the policy's witnesses (c2sp.org/tlog-checkpoint, c2sp.org/tlog-cosignature)?
 *
 * The log core's `checkCosignatures` answers yes or throws at the first failure. A report needs
 * every finding, so each signature is checked on its own first, and `checkCosignatures` then
 * has the last word: the checkpoint passes only if it passes there too.
 */
import {
  type Checkpoint,
  type CosignatureVerifier,
  checkCosignatures,
  encodeBase64,
  type Note,
  openCheckpoint,
  openNote,
  parseCheckpoint,
  parseCosignatureVerifierKey,
  parseNote,
  parseVerifierKey,
  TamgaError,
  type Verifier,
  witnessCosignatures,
} from '../log/index.js';
import type { LogIdentity, WitnessPolicy } from './bundle.js';
import { type Message, message } from './messages.js';
import type {
  CheckpointVerdict,
  CosignatureVerdict,
  Problem,
  UnknownSigner,
  WitnessVerdict,
} from './verdict.js';

/** The checkpoint's verdict, the checkpoint when it can be read, and the problems found. */
export interface CheckpointFindings {
  readonly verdict: CheckpointVerdict;
  readonly checkpoint: Checkpoint | null;
  readonly problems: readonly Problem[];
}

/**
 * Returns what can be said of the signed checkpoint note `text` for the log `log` under the
 * witness policy `policy`. Failures are findings, not exceptions; throws only for keys that do
 * not parse (which parseEvidence and the trust options have checked already).
 */
export function checkCheckpoint(
  text: string,
  log: LogIdentity,
  policy: WitnessPolicy,
  trusted = true,
): CheckpointFindings {
  const logVerifier = parseVerifierKey(log.verifierKey);
  const witnesses = policy.verifierKeys.map(parseCosignatureVerifierKey);
  const logKey = keyName(logVerifier);
  const problems: Problem[] = [];
  const problem = (check: Problem['check'], msg: Message) =>
    problems.push({ record: null, id: null, check, message: msg });

  let checkpoint: Checkpoint | null = null;
  let read: Message;
  try {
    checkpoint = parseCheckpoint(parseNote(text).text);
    read = message('checkpoint.read', {
      origin: checkpoint.origin,
      size: checkpoint.size,
      root: encodeBase64(checkpoint.root),
    });
  } catch (e) {
    read = message('checkpoint.unreadable', { reason: reason(e) });
    problem('checkpoint', read);
  }

  let logSignature: Message;
  let logOk = false;
  try {
    openCheckpoint(text, logVerifier, { origin: log.origin });
    logOk = true;
    logSignature = message('log-signature.ok', { key: logKey });
  } catch (e) {
    logSignature = message('log-signature.failed', { key: logKey, reason: reason(e) });
    if (checkpoint !== null) problem('log-signature', logSignature);
  }

  const found = witnesses.map((w) => checkWitness(text, w, checkpoint !== null, trusted));
  for (const f of found) if (f.status === 'invalid') problem('witness', f.message);
  // Times only from witnesses the verifier trusts: a key the bundle chose can say any time.
  const cosignatures: CosignatureVerdict[] = trusted
    ? found
        .filter((f) => f.status === 'cosigned')
        .map((f) => ({ witness: f.witness, keyId: f.keyId, timestamp: f.timestamp! }))
    : [];
  const unknownSigners = unknownSignatures(text, logVerifier, witnesses);

  const required = policy.quorum;
  const valid = found.filter((f) => f.status === 'cosigned').length;
  const met = checkpoint !== null && valid >= required;
  const counts = { valid, count: witnesses.length, required };
  const quorumMessage = message(
    met ? (required === 0 ? 'quorum.not-needed' : 'quorum.met') : 'quorum.not-met',
    counts,
  );
  if (!met && checkpoint !== null) problem('quorum', quorumMessage);

  let ok = checkpoint !== null && logOk && met && !found.some((f) => f.status === 'invalid');
  if (ok) {
    try {
      checkCosignatures(text, logVerifier, witnesses, required, { origin: log.origin });
    } catch (e) {
      ok = false;
      problem('checkpoint', message('checkpoint.policy-failed', { reason: reason(e) }));
    }
  }

  return {
    checkpoint,
    problems,
    verdict: {
      origin: checkpoint?.origin ?? null,
      size: checkpoint?.size ?? null,
      root: checkpoint === null ? null : encodeBase64(checkpoint.root),
      logKey,
      read: { ok: checkpoint !== null, message: read },
      logSignature: { ok: logOk, message: logSignature },
      witnesses: found,
      cosignatures,
      unknownSigners,
      quorum: { required, valid, met, message: quorumMessage },
      ok,
    },
  };
}

/**
 * Returns the signature lines of the note that are neither the log's nor a listed witness's:
 * cosignatures by keys the verifier does not know, which count for nothing.
 */
function unknownSignatures(
  text: string,
  log: Verifier,
  witnesses: readonly CosignatureVerifier[],
): UnknownSigner[] {
  let note: Note;
  try {
    note = parseNote(text);
  } catch {
    return [];
  }
  const known = [log, ...witnesses];
  const out: UnknownSigner[] = [];
  for (const s of note.signatures) {
    if (known.some((k) => k.name === s.name && k.keyId === s.keyId)) continue;
    const keyId = hex8(s.keyId);
    if (out.some((u) => u.name === s.name && u.keyId === keyId)) continue;
    out.push({
      name: s.name,
      keyId,
      message: message('witness.unknown', { witness: s.name, keyId }),
    });
  }
  return out;
}

function checkWitness(
  text: string,
  w: CosignatureVerifier,
  readable: boolean,
  trusted: boolean,
): WitnessVerdict {
  const base = { witness: w.name, keyId: hex8(w.keyId) };
  if (!readable) {
    return {
      ...base,
      status: 'unchecked',
      timestamp: null,
      message: message('witness.unchecked', { witness: w.name }),
    };
  }
  try {
    // Opened with this witness's key alone, the note verifies exactly its cosignature.
    const [cosignature] = witnessCosignatures(openNote(text, [w]), [w]);
    if (cosignature !== undefined) {
      return trusted
        ? {
            ...base,
            status: 'cosigned',
            timestamp: cosignature.timestamp,
            message: message('witness.cosigned', { witness: w.name, time: cosignature.timestamp }),
          }
        : {
            ...base,
            status: 'cosigned',
            timestamp: null,
            message: message('witness.cosigned-untrusted', { witness: w.name }),
          };
    }
  } catch (e) {
    if (!(e instanceof TamgaError)) throw e;
    if (e.code !== 'note.no-verified-signature') {
      return {
        ...base,
        status: 'invalid',
        timestamp: null,
        message: message('witness.invalid', { witness: w.name, reason: e.message }),
      };
    }
  }
  return {
    ...base,
    status: 'absent',
    timestamp: null,
    message: message('witness.absent', { witness: w.name }),
  };
}

/** Returns the message of a TamgaError; anything else is a bug and is thrown on. */
export function reason(e: unknown): string {
  if (e instanceof TamgaError) return e.message;
  throw e;
}

function keyName(v: Verifier): string {
  return `${v.name}+${hex8(v.keyId)}`;
}

function hex8(n: number): string {
  return n.toString(16).padStart(8, '0');
}
