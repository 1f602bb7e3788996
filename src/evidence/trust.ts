/**
 * Trust statements, `tamga-trust/v1`: what a union publishes once, before it is needed, so that
 * anyone can later tell its proofs from forgeries without trusting whoever hands them over.
 *
 * A statement names the log (its origin and Ed25519 key) and the witness policy (witness keys
 * and quorum). Its body after the first two lines is a sigsum policy file
 * (https://git.glasklar.is/sigsum/core/sigsum-go/-/blob/main/doc/policy.md), the format
 * `tamga witnesses policy` already writes; only the origin, which a sigsum policy cannot state,
 * is added in front:
 *
 *   tamga-trust/v1
 *   origin union.example/log
 *   # Fingerprint: 04217 55190 31877 02466 90352 18841
 *   log <hex public key> [<url>]
 *   witness <name> <hex public key> [<url>]
 *   group tamga-quorum 2 <name> <name>
 *   quorum tamga-quorum
 *
 * The **fingerprint** is what people compare: on the phone, on paper, in a newspaper. It is the
 * SHA-256 of the statement's canonical form (format line, origin, the log's note verifier key,
 * the witnesses' cosignature verifier keys sorted, the quorum; URLs and comments left out, so a
 * witness that moves keeps the fingerprint), written as six groups of five decimal digits: each
 * group is 5 bytes of the digest read big-endian, modulo 100000, as Signal writes its safety
 * numbers. Six groups carry about 99.6 bits: matching a given fingerprint with keys of one's own
 * costs about 2^99 tries.
 *
 * A bundle's own keys have a fingerprint too (`bundleFingerprint`), computed the same way, so a
 * verifier that has no statement can still show a person what to compare.
 */
import { cosignatureVerifierKey, parseCosignatureVerifierKey } from '../log/cosignature.js';
import { bytesEqual, decodeBase64, encodeBase64, encodeUtf8 } from '../log/encoding.js';
import { FormatError, LimitError } from '../log/errors.js';
import { ed25519VerifierKey, parseVerifierKey } from '../log/note.js';
import { sha256 } from '../log/sha256.js';
import type { LogIdentity, WitnessPolicy } from './bundle.js';
import { flattenPolicy, formatPolicy, MAX_POLICY_CHARS, parsePolicy } from './policy.js';
import type { TrustedKeys } from './verify.js';

/** The first line of every trust statement. */
export const TRUST_FORMAT = 'tamga-trust/v1';

/** The prefix of a statement written on one line (for a QR code or a chat message). */
export const TRUST_COMPACT_PREFIX = 'tamga-trust:';

/** What a union publishes: its log and its witness policy. */
export interface TrustStatement {
  readonly log: LogIdentity;
  readonly witnesses: WitnessPolicy;
  /** Where the log and each witness (by verifier key) can be reached. Not part of the fingerprint. */
  readonly urls?: {
    readonly log?: string;
    readonly witnesses?: ReadonlyMap<string, string>;
  };
}

/** A witness operator's own statement: the key its cosignatures verify under. */
export interface WitnessStatement {
  readonly name: string;
  /** `name+hex8+base64(0x04‖pub)`. */
  readonly verifierKey: string;
}

/**
 * Returns the fingerprint of a log and witness policy: six groups of five digits separated by
 * spaces. Throws as the key parsers for a key that is not a log or cosignature verifier key.
 */
export function trustFingerprint(keys: Pick<TrustStatement, 'log' | 'witnesses'>): string {
  return digits(sha256(encodeUtf8(canonicalTrust(keys))));
}

/**
 * Returns the fingerprint of the keys a bundle carries, as `trustFingerprint` computes it, or
 * null when they do not parse (a bundle that parseEvidence accepted always has one).
 */
export function bundleFingerprint(keys: Pick<TrustStatement, 'log' | 'witnesses'>): string | null {
  try {
    return trustFingerprint(keys);
  } catch {
    return null;
  }
}

/** Returns the fingerprint of a witness's key: what its operator reads out to a union. */
export function witnessFingerprint(verifierKey: string): string {
  const w = parseCosignatureVerifierKey(verifierKey);
  const canonical = `tamga-witness/v1\nwitness ${cosignatureVerifierKey(w.name, w.publicKey)}\n`;
  return digits(sha256(encodeUtf8(canonical)));
}

/** Two fingerprints are the same whatever the spacing a person typed. */
export function sameFingerprint(a: string, b: string): boolean {
  const norm = (s: string) => s.replace(/[\s-]/g, '');
  return norm(a) !== '' && norm(a) === norm(b);
}

/**
 * Returns the statement as a file: format line, origin, a comment with the fingerprint and how
 * to use it, then the sigsum policy. Throws as `formatPolicy` for keys that do not parse.
 */
export function formatTrustStatement(statement: TrustStatement): string {
  const { log, witnesses } = checkStatement(statement);
  const policy = formatPolicy(
    { verifierKey: log.verifierKey, ...(statement.urls?.log ? { url: statement.urls.log } : {}) },
    witnesses,
    statement.urls?.witnesses,
  )
    .split('\n')
    .filter((line) => !line.startsWith('#'))
    .join('\n');
  return [
    TRUST_FORMAT,
    `origin ${log.origin}`,
    `# Fingerprint: ${trustFingerprint(statement)}`,
    '# The trust statement of this log: its key, and the witnesses that must cosign its checkpoints.',
    '# Verify evidence against it: tamga check-evidence --trust FILE BUNDLE',
    '# Publish it unchanged, and the fingerprint, before anyone needs them.',
    policy,
  ].join('\n');
}

/**
 * Returns the statement on one line, for a QR code or a message: `tamga-trust:` and the
 * statement's lines without comments, base64url-encoded.
 */
export function compactTrustStatement(statement: TrustStatement): string {
  const lines = formatTrustStatement(statement)
    .split('\n')
    .filter((l) => l !== '' && !l.startsWith('#'));
  const b64 = encodeBase64(encodeUtf8(`${lines.join('\n')}\n`));
  return `${TRUST_COMPACT_PREFIX}${b64.replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '')}`;
}

/**
 * Returns the statement in `text`: a statement file, or its compact one-line form. Throws
 * FormatError `trust.malformed` naming what is wrong (no format line, no origin, a policy that
 * is not exactly one log and a K-of-N quorum, a fingerprint comment that does not match the
 * keys), and LimitError `trust.too-large`.
 */
export function parseTrustStatement(text: string): TrustStatement {
  if (text.length > MAX_POLICY_CHARS) {
    throw new LimitError(
      'trust.too-large',
      `a trust statement is at most ${MAX_POLICY_CHARS} characters`,
    );
  }
  let body = text.replace(/^\uFEFF/, '').trim();
  if (body.startsWith(TRUST_COMPACT_PREFIX)) body = expandCompact(body);
  const lines = body.split('\n').map((l) => l.replace(/\r$/, ''));
  const bad = (why: string) => new FormatError('trust.malformed', `not a trust statement: ${why}`);
  if (lines[0]?.trim() !== TRUST_FORMAT) {
    throw bad(`the first line must be ${TRUST_FORMAT}`);
  }
  const origins = lines.filter((l) => /^origin\s/.test(l.trim()));
  if (origins.length !== 1) throw bad('it needs exactly one line "origin <log origin>"');
  const origin = origins[0]!.trim().slice('origin'.length).trim();
  if (origin === '' || /\s/.test(origin)) throw bad('the origin line names no origin');
  const stated = lines
    .map((l) => /^#\s*Fingerprint:\s*([0-9 ]+)$/.exec(l.trim())?.[1])
    .find((f) => f !== undefined);
  const policyText = lines
    .slice(1)
    .filter((l) => !/^origin\s/.test(l.trim()))
    .join('\n');
  const policy = parsePolicy(policyText);
  if (policy.logs.length !== 1) {
    throw bad(
      `it names ${policy.logs.length} logs with "log" lines; a statement names exactly one`,
    );
  }
  const logLine = policy.logs[0]!;
  let verifierKey: string;
  try {
    verifierKey = ed25519VerifierKey(origin, logLine.publicKey);
  } catch (e) {
    throw bad(`the origin ${origin} cannot name a note key (${(e as Error).message})`);
  }
  const witnesses = flattenPolicy(policy);
  const urls = new Map<string, string>();
  for (const w of policy.witnesses) {
    if (w.url !== null) urls.set(cosignatureVerifierKey(w.name, w.publicKey), w.url);
  }
  const statement: TrustStatement = {
    log: { origin, verifierKey },
    witnesses,
    urls: { ...(logLine.url !== null ? { log: logLine.url } : {}), witnesses: urls },
  };
  if (stated !== undefined && !sameFingerprint(stated, trustFingerprint(statement))) {
    throw bad(
      `its fingerprint comment says ${stated.trim()}, but its keys give ${trustFingerprint(statement)}: the file was altered`,
    );
  }
  return statement;
}

/** What a person gives to say which keys they trust: each may be absent or empty. */
export interface TrustInput {
  /** A trust statement, as a file's text or its one-line form. */
  readonly statement?: string;
  /** The log's note verifier key. */
  readonly logKey?: string;
  /** A sigsum policy file's text. */
  readonly policy?: string;
}

/**
 * Returns the keys to verify a bundle naming the log `bundleLog` with, from what a person gave:
 * a trust statement, or a log key and/or a policy; undefined when nothing was given. A policy
 * names its log by public key alone: without a log key, the bundle's log key is taken if the
 * policy lists it, else the policy's first log key under the bundle's origin (which then fails).
 * Throws FormatError for a statement, key or policy that does not parse, and when a statement
 * is given together with a key or policy.
 */
export function trustedKeysFrom(
  input: TrustInput,
  bundleLog: LogIdentity,
): TrustedKeys | undefined {
  const given = (s: string | undefined) => (s !== undefined && s.trim() !== '' ? s.trim() : null);
  const statementText = given(input.statement);
  const logKey = given(input.logKey);
  const policyText = given(input.policy);
  if (statementText !== null) {
    if (logKey !== null || policyText !== null) {
      throw new FormatError(
        'trust.ambiguous',
        'give either a trust statement, or a log key and a policy, not both',
      );
    }
    const statement = parseTrustStatement(statementText);
    return { log: statement.log, witnesses: statement.witnesses };
  }
  if (logKey === null && policyText === null) return undefined;
  let log: LogIdentity | undefined;
  if (logKey !== null) log = { origin: parseVerifierKey(logKey).name, verifierKey: logKey };
  let witnesses: WitnessPolicy | undefined;
  if (policyText !== null) {
    const policy = parsePolicy(policyText);
    witnesses = flattenPolicy(policy);
    if (log === undefined && policy.logs.length > 0) {
      let bundlePub: Uint8Array | null = null;
      try {
        bundlePub = parseVerifierKey(bundleLog.verifierKey).publicKey;
      } catch {
        bundlePub = null;
      }
      const listed = policy.logs.some(
        (l) => bundlePub !== null && bytesEqual(l.publicKey, bundlePub),
      );
      log = listed
        ? bundleLog
        : {
            origin: bundleLog.origin,
            verifierKey: ed25519VerifierKey(bundleLog.origin, policy.logs[0]!.publicKey),
          };
    }
  }
  return { ...(log ? { log } : {}), ...(witnesses ? { witnesses } : {}) };
}

/** Returns the sigsum policy part of a statement (what `--policy` takes). */
export function statementPolicy(statement: TrustStatement): string {
  return formatPolicy(
    {
      verifierKey: statement.log.verifierKey,
      ...(statement.urls?.log ? { url: statement.urls.log } : {}),
    },
    statement.witnesses,
    statement.urls?.witnesses,
  );
}

/** Returns the witness operator's statement as text: key, sigsum line, fingerprint. */
export function formatWitnessStatement(w: WitnessStatement): string {
  const parsed = parseCosignatureVerifierKey(w.verifierKey);
  return [
    `witness ${parsed.name}`,
    `key ${w.verifierKey}`,
    `# sigsum policy line: witness ${parsed.name} ${hex(parsed.publicKey)}`,
    `# Fingerprint: ${witnessFingerprint(w.verifierKey)}`,
    '',
  ].join('\n');
}

function canonicalTrust(keys: Pick<TrustStatement, 'log' | 'witnesses'>): string {
  // Parsed and re-encoded, so that two spellings of one key give one fingerprint.
  const log = parseVerifierKey(keys.log.verifierKey);
  const witnesses = keys.witnesses.verifierKeys
    .map((k) => {
      const w = parseCosignatureVerifierKey(k);
      return cosignatureVerifierKey(w.name, w.publicKey);
    })
    .sort();
  return [
    TRUST_FORMAT,
    `origin ${keys.log.origin}`,
    `log ${ed25519VerifierKey(log.name, log.publicKey)}`,
    ...witnesses.map((k) => `witness ${k}`),
    `quorum ${keys.witnesses.quorum}`,
    '',
  ].join('\n');
}

function checkStatement(s: TrustStatement): TrustStatement {
  const log = parseVerifierKey(s.log.verifierKey);
  if (log.name !== s.log.origin) {
    throw new FormatError(
      'trust.malformed',
      `the log key is named ${log.name}, not after the origin ${s.log.origin}; a trust statement names the log by its origin`,
    );
  }
  return s;
}

function digits(digest: Uint8Array): string {
  const groups: string[] = [];
  for (let g = 0; g < 6; g++) {
    let n = 0;
    for (let i = 0; i < 5; i++) n = n * 256 + digest[g * 5 + i]!;
    groups.push(String(n % 100000).padStart(5, '0'));
  }
  return groups.join(' ');
}

function expandCompact(line: string): string {
  const b64url = line.slice(TRUST_COMPACT_PREFIX.length).trim();
  if (!/^[A-Za-z0-9_-]*$/.test(b64url)) {
    throw new FormatError(
      'trust.malformed',
      'not a trust statement: the one-line form is not base64url',
    );
  }
  const padded = b64url.replace(/-/g, '+').replace(/_/g, '/');
  const bytes = decodeBase64(padded + '='.repeat((4 - (padded.length % 4)) % 4), 'trust statement');
  return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
}

function hex(bytes: Uint8Array): string {
  let s = '';
  for (const b of bytes) s += b.toString(16).padStart(2, '0');
  return s;
}
