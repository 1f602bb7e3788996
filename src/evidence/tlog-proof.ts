/**
 * C2SP transparency log proofs (https://c2sp.org/tlog-proof, version v1): one log entry's
 * inclusion proof and the checkpoint it leads to, as a small text file that any tlog client can
 * check without knowing Tamga's bundle format.
 *
 *   c2sp.org/tlog-proof@v1\n
 *   [extra <base64 extra data>\n]     OPTIONAL opaque data; "applications MUST NOT implicitly
 *                                     trust" it, and the line is omitted when there is none
 *   index <leaf index>\n              ASCII decimal, no leading zeroes ("0" for the first entry)
 *   [<base64 hash>\n]*                RFC 6962 §2.1.1 inclusion proof, the leaf's sibling first
 *   \n
 *   <checkpoint>                      the signed note issued by the log, verbatim, cosignatures
 *                                     included (c2sp.org/tlog-checkpoint)
 *
 * In Tamga (docs/evidence-bundle.md, "Standard proof files") the log entry is a record's
 * commitment SHA-256("tamga/record/v1\n" ‖ salt ‖ JCS(record)), and `extra` is its preimage,
 * "tamga/record/v1\n" ‖ salt ‖ JCS(record): a verifier computes entry = SHA-256(extra), proves
 * leaf SHA-256(0x00 ‖ entry), and reads the salt and the record out of what it proved. Where
 * this module is stricter than the spec: base64 must be canonical, hashes 32 bytes, at most 64
 * of them, lines end in U+000A alone, and the checkpoint must parse as a signed checkpoint note.
 */
import { concatBytes, decodeUtf8, encodeUtf8, parseDecimal } from '../log/encoding.js';
import {
  bytesEqual,
  type Checkpoint,
  checkCosignatures,
  decodeBase64,
  encodeBase64,
  FormatError,
  type Hash,
  LimitError,
  parseCheckpoint,
  parseCosignatureVerifierKey,
  parseNote,
  parseVerifierKey,
  sha256,
  TamgaError,
  VerificationError,
  verifyInclusion,
  type WitnessCosignature,
} from '../log/index.js';
import {
  canonicalizeBytes,
  commitCanonical,
  isRecordId,
  RECORD_COMMITMENT_DOMAIN,
  RECORD_LIMITS,
  recordCanonicalBytes,
  recordLeafHash,
  SALT_SIZE,
} from '../records/index.js';
import {
  EVIDENCE_LIMITS,
  type EvidenceRecord,
  type LogIdentity,
  logIdentitySchema,
  parseTrusted,
  type WitnessPolicy,
  witnessPolicySchema,
} from './bundle.js';

/** The first line of every proof file, and the version this module reads and writes. */
export const TLOG_PROOF_FORMAT = 'c2sp.org/tlog-proof@v1';

/** The file extension the spec recommends. */
export const TLOG_PROOF_EXTENSION = '.tlog-proof';

/** The folder beside an evidence bundle that holds one proof file per disclosed record. */
export const TLOG_PROOFS_FOLDER = 'proofs';

const DOMAIN = encodeUtf8(RECORD_COMMITMENT_DOMAIN);
const HASH_SIZE = 32;
const SIGNATURE_PREFIX = '\u2014 ';
const MAX_EXTRA_BYTES = DOMAIN.length + SALT_SIZE + RECORD_LIMITS.maxCanonicalBytes;
const base64Length = (bytes: number) => 4 * Math.ceil(bytes / 3);
// Everything before the checkpoint is ASCII; the checkpoint's characters take at most 3 bytes.
const MAX_HEAD_BYTES =
  `${TLOG_PROOF_FORMAT}\n`.length +
  `extra \n`.length +
  base64Length(MAX_EXTRA_BYTES) +
  `index ${Number.MAX_SAFE_INTEGER}\n`.length +
  EVIDENCE_LIMITS.maxProofHashes * (base64Length(HASH_SIZE) + 1) +
  1;

/** The bounds of a proof file; a file beyond them is refused before it is read further. */
export const TLOG_PROOF_LIMITS = {
  /** Hashes in the inclusion proof (a tree of 2^53 leaves needs 53). */
  maxProofHashes: EVIDENCE_LIMITS.maxProofHashes,
  /** Extra data: the largest Tamga commitment preimage, domain ‖ salt ‖ 1 MiB of record. */
  maxExtraBytes: MAX_EXTRA_BYTES,
  /** The checkpoint note, in characters, as in an evidence bundle. */
  maxCheckpointLength: EVIDENCE_LIMITS.maxCheckpointLength,
  /** The whole file, in UTF-8 bytes (1,597,710: about 1.5 MiB). */
  maxBytes: MAX_HEAD_BYTES + 3 * EVIDENCE_LIMITS.maxCheckpointLength,
} as const;

const L = TLOG_PROOF_LIMITS;

/** One log entry's proof, as a `c2sp.org/tlog-proof@v1` file holds it. */
export interface TlogProof {
  /** The entry's zero-based index in the log. */
  readonly index: number;
  /** The RFC 6962 inclusion proof of `index` in the checkpoint's tree, 32-byte hashes. */
  readonly proof: readonly Hash[];
  /** The checkpoint as the complete signed note, ending in a newline. */
  readonly checkpoint: string;
  /** Opaque extra data; untrusted until checked. Absent when the file has no `extra` line. */
  readonly extra?: Uint8Array;
}

/** What the extra data of a Tamga proof holds: a record, its salt, and their commitment. */
export interface TlogProofRecord {
  /** The record, as committed. Not checked against the record schema: see `parseRecord`. */
  readonly record: Readonly<Record<string, unknown>>;
  /** The record's 32-byte salt. */
  readonly salt: Uint8Array;
  /** The log entry, SHA-256(extra): what the inclusion proof must prove. */
  readonly commitment: Uint8Array;
}

/** The keys a proof is checked with: always the verifier's own, never read from the proof. */
export interface TlogProofKeys {
  readonly log: LogIdentity;
  readonly witnesses: WitnessPolicy;
}

/** A proof that verified: which entry, the record and salt it discloses, and the checkpoint. */
export interface VerifiedTlogProof extends TlogProofRecord {
  readonly index: number;
  readonly checkpoint: Checkpoint;
  /** The valid cosignatures by the trusted witnesses, with their timestamps. */
  readonly cosignatures: readonly WitnessCosignature[];
}

/**
 * Returns the `c2sp.org/tlog-proof@v1` text of `proof`. An empty `extra` is no extra data, and
 * its line is left out as the spec says. Throws LimitError for an index that is not an integer
 * from 0 to 2^53 − 1, more than 64 hashes or extra data beyond TLOG_PROOF_LIMITS, and
 * FormatError for a hash that is not 32 bytes or a checkpoint that is not a signed checkpoint.
 */
export function formatTlogProof(proof: TlogProof): string {
  const { index, checkpoint, extra } = proof;
  if (!Number.isSafeInteger(index) || index < 0) {
    throw new LimitError(
      'tlog-proof.index',
      `the proof's index must be an integer from 0 to 2^53-1, not ${index}`,
    );
  }
  checkHashCount(proof.proof.length);
  const hashes = proof.proof.map((h, i) => {
    if (!(h instanceof Uint8Array) || h.length !== HASH_SIZE) {
      throw new FormatError(
        'tlog-proof.hash-length',
        `proof hash ${i + 1} is ${h instanceof Uint8Array ? `${h.length} bytes` : typeof h}; an RFC 6962 SHA-256 hash has ${HASH_SIZE}`,
      );
    }
    return `${encodeBase64(h)}\n`;
  });
  let extraLine = '';
  if (extra !== undefined && extra.length > 0) {
    checkExtraSize(extra.length);
    extraLine = `extra ${encodeBase64(extra)}\n`;
  }
  checkCheckpointNote(checkpoint);
  return `${TLOG_PROOF_FORMAT}\n${extraLine}index ${index}\n${hashes.join('')}\n${checkpoint}`;
}

/**
 * Returns the proof in a `c2sp.org/tlog-proof@v1` file, given as text or UTF-8 bytes, once its
 * syntax is checked: nothing is verified. Every accepted file formats back byte for byte.
 * Throws FormatError (`tlog-proof.*`: `format`, `version`, `carriage-return`, `extra`,
 * `no-index`, `index`, `no-blank-line`, `hash`, `hash-length`, `checkpoint`) naming the line
 * that is wrong, and LimitError (`too-large`, `index-too-large`, `extra-too-large`,
 * `too-many-hashes`, `checkpoint-too-large`) for input beyond TLOG_PROOF_LIMITS.
 */
export function parseTlogProof(input: string | Uint8Array): TlogProof {
  // UTF-8 takes at least one byte per UTF-16 code unit, so a long string is too large for sure.
  if (input.length > L.maxBytes) {
    throw new LimitError(
      'tlog-proof.too-large',
      `the proof file is ${input.length} bytes or more; a Tamga proof file is at most ${L.maxBytes}`,
    );
  }
  const text = typeof input === 'string' ? input : decodeText(input);
  const cr = text.indexOf('\r');
  if (cr >= 0) {
    throw new FormatError(
      'tlog-proof.carriage-return',
      `line ${lineAt(text, cr)} of the proof ends in a carriage return (U+000D): lines end with a newline (U+000A) alone, so save it without Windows (CRLF) line endings`,
    );
  }
  const lines = new LineReader(text);

  const first = lines.next();
  if (first !== TLOG_PROOF_FORMAT) throw firstLineProblem(text, first);

  let line = lines.next();
  let extra: Uint8Array | undefined;
  if (line?.startsWith('extra ')) {
    extra = decodeExtra(line.slice('extra '.length), lines.number);
    line = lines.next();
  }
  if (line === null || !line.startsWith('index ')) {
    throw new FormatError(
      'tlog-proof.no-index',
      line === null
        ? `the proof ends at line ${lines.number}, before its "index <N>" line`
        : `line ${lines.number} of the proof is ${quote(line)}, where "index <N>" belongs`,
    );
  }
  const index = parseIndex(line.slice('index '.length), lines.number);

  // The proof lines end at the first empty line; the checkpoint is everything after it.
  const afterIndex = lines.offset;
  const blank = text.indexOf('\n\n', afterIndex - 1);
  if (blank < 0) {
    throw new FormatError(
      'tlog-proof.no-blank-line',
      'no empty line after the index and proof hashes: the checkpoint must follow one empty line',
    );
  }
  const block = text.slice(afterIndex, blank + 1);
  const checkpoint = text.slice(blank + 2);
  const hashLines = block === '' ? [] : block.slice(0, -1).split('\n');
  let proof: Hash[];
  try {
    checkHashCount(hashLines.length);
    proof = hashLines.map((h, i) => decodeHash(h, lines.number + 1 + i));
  } catch (e) {
    // Without its own empty line, the checkpoint's text reads as proof lines and its signature
    // lines follow the first empty line: say what is missing, not that "origin" is not base64.
    if (checkpoint.startsWith(SIGNATURE_PREFIX)) {
      throw new FormatError(
        'tlog-proof.no-blank-line',
        'no empty line between the proof hashes and the checkpoint: the checkpoint must follow one empty line',
        { cause: e },
      );
    }
    throw e;
  }
  checkCheckpointNote(checkpoint);
  return extra === undefined ? { index, proof, checkpoint } : { index, proof, checkpoint, extra };
}

/**
 * Returns the `c2sp.org/tlog-proof@v1` text proving one record of an evidence bundle against
 * the bundle's checkpoint note, with the record's commitment preimage as extra data. Throws
 * FormatError or LimitError for a malformed entry, and VerificationError
 * `tlog-proof.not-committed` when the record and salt do not give the entry's commitment.
 */
export function tlogProofOfRecord(entry: EvidenceRecord, checkpoint: string): string {
  const salt = decodeBase64(entry.salt, 'salt');
  if (salt.length !== SALT_SIZE) {
    throw new FormatError(
      'tlog-proof.salt',
      `the salt of log entry ${entry.index} is ${salt.length} bytes; a record's salt has ${SALT_SIZE}`,
    );
  }
  const extra = concatBytes(DOMAIN, salt, recordCanonicalBytes(entry.record));
  const stated = decodeBase64(entry.commitment, 'commitment');
  if (!bytesEqual(sha256(extra), stated)) {
    throw new VerificationError(
      'tlog-proof.not-committed',
      `the record and salt of log entry ${entry.index} do not give the commitment the entry states; the entry was altered`,
      { index: entry.index, commitment: entry.commitment },
    );
  }
  return formatTlogProof({
    index: entry.index,
    proof: entry.proof.map((h, i) => decodeBase64(h, `proof hash ${i + 1}`)),
    checkpoint,
    extra,
  });
}

/**
 * Returns the record, salt and commitment that a Tamga proof's extra data discloses: extra is
 * "tamga/record/v1\n" ‖ salt ‖ JCS(record), and the commitment, SHA-256(extra), is the log
 * entry that the proof must prove. Nothing is verified here. Throws FormatError
 * `tlog-proof.no-extra`, `not-a-record` (no Tamga domain), `short-extra`, `record-utf8`,
 * `record-json` or `record-not-canonical` (not RFC 8785, so not how Tamga commits a record),
 * and LimitError `record.too-large` for a record above 1 MiB.
 */
export function recordOfTlogProof(proof: TlogProof): TlogProofRecord {
  const { extra } = proof;
  if (extra === undefined || extra.length === 0) {
    throw new FormatError(
      'tlog-proof.no-extra',
      'the proof carries no extra data, so it discloses no record: a Tamga proof carries the record and its salt as "extra"',
    );
  }
  if (extra.length < DOMAIN.length || !bytesEqual(extra.subarray(0, DOMAIN.length), DOMAIN)) {
    throw new FormatError(
      'tlog-proof.not-a-record',
      `the extra data does not start with ${JSON.stringify(RECORD_COMMITMENT_DOMAIN)}: this proof is not of a Tamga record, or of another version`,
    );
  }
  if (extra.length < DOMAIN.length + SALT_SIZE) {
    throw new FormatError(
      'tlog-proof.short-extra',
      `the extra data holds ${extra.length - DOMAIN.length} bytes after the domain; a record's salt alone is ${SALT_SIZE}`,
    );
  }
  const salt = extra.slice(DOMAIN.length, DOMAIN.length + SALT_SIZE);
  const canonical = extra.subarray(DOMAIN.length + SALT_SIZE);
  if (canonical.length > RECORD_LIMITS.maxCanonicalBytes) {
    throw new LimitError(
      'record.too-large',
      `the record in the extra data is ${canonical.length} bytes; a record's canonical JSON is at most ${RECORD_LIMITS.maxCanonicalBytes} bytes (1 MiB)`,
    );
  }
  let text: string;
  try {
    text = decodeUtf8(canonical, 'the record');
  } catch (e) {
    throw new FormatError(
      'tlog-proof.record-utf8',
      'the record in the extra data is not UTF-8 text',
      { cause: e },
    );
  }
  let record: unknown;
  try {
    record = JSON.parse(text);
  } catch (e) {
    throw new FormatError(
      'tlog-proof.record-json',
      `the record in the extra data is not JSON (${e instanceof Error ? e.message : String(e)})`,
      { cause: e },
    );
  }
  if (typeof record !== 'object' || record === null || Array.isArray(record)) {
    throw new FormatError(
      'tlog-proof.record-json',
      'the record in the extra data is not a JSON object',
    );
  }
  if (!isCanonical(record, canonical)) {
    throw new FormatError(
      'tlog-proof.record-not-canonical',
      'the record in the extra data is not in RFC 8785 canonical form, so it is not a record as Tamga commits one',
    );
  }
  // SHA-256("tamga/record/v1\n" ‖ salt ‖ canonical) is SHA-256(extra): the entry to prove.
  const commitment = commitCanonical(canonical, salt);
  return { record: record as Readonly<Record<string, unknown>>, salt, commitment };
}

/**
 * Returns what a Tamga proof file proves, checked with keys the caller trusts (never keys read
 * from the proof): the checkpoint is signed by `keys.log` under its origin and cosigned by at
 * least `keys.witnesses.quorum` of its witnesses, and leaf SHA-256(0x00 ‖ SHA-256(extra)) is
 * entry `index` of the checkpoint's tree. The record is not checked against the record schema.
 * Throws SchemaError `evidence.trust` for malformed keys; the errors of `parseTlogProof` and
 * `recordOfTlogProof`; the VerificationError of `checkCosignatures` for the checkpoint
 * (`checkpoint.no-log-signature`, `checkpoint.wrong-origin`, `note.bad-signature`,
 * `cosignature.below-quorum`); and VerificationError `tlog-proof.not-included`, with the proof
 * as evidence, when the inclusion proof fails.
 */
export function verifyTlogProof(
  input: string | Uint8Array,
  keys: TlogProofKeys,
): VerifiedTlogProof {
  const log = parseTrusted(logIdentitySchema, keys.log, 'the trusted log');
  const witnesses = parseTrusted(witnessPolicySchema, keys.witnesses, 'the trusted witness policy');
  const proof = parseTlogProof(input);
  const disclosed = recordOfTlogProof(proof);
  const witnessed = checkCosignatures(
    proof.checkpoint,
    parseVerifierKey(log.verifierKey),
    witnesses.verifierKeys.map((k) => parseCosignatureVerifierKey(k)),
    witnesses.quorum,
    { origin: log.origin },
  );
  const { checkpoint } = witnessed;
  try {
    verifyInclusion(
      proof.index,
      checkpoint.size,
      recordLeafHash(disclosed.commitment),
      proof.proof,
      checkpoint.root,
    );
  } catch (e) {
    if (!(e instanceof TamgaError)) throw e;
    const id =
      typeof disclosed.record.id === 'string' ? ` ${disclosed.record.id.slice(0, 64)}` : '';
    throw new VerificationError(
      'tlog-proof.not-included',
      `record${id} is not proven to be log entry ${proof.index} of the checkpoint of size ${checkpoint.size}: ${e.message}`,
      {
        index: proof.index,
        size: checkpoint.size,
        root: checkpoint.root,
        commitment: disclosed.commitment,
        proof: proof.proof,
      },
      { cause: e },
    );
  }
  return { ...disclosed, index: proof.index, checkpoint, cosignatures: witnessed.cosignatures };
}

/**
 * Returns where a record's proof file sits beside an evidence bundle: `proofs/<id>.tlog-proof`.
 * Throws FormatError `tlog-proof.record-id` unless `recordId` is a record id, which keeps the
 * path inside the bundle's folder.
 */
export function tlogProofPath(recordId: string): string {
  if (!isRecordId(recordId)) {
    throw new FormatError(
      'tlog-proof.record-id',
      `${quote(String(recordId))} is not a record id, so it cannot name a proof file`,
    );
  }
  return `${TLOG_PROOFS_FOLDER}/${recordId}${TLOG_PROOF_EXTENSION}`;
}

/** True for a path, relative to a bundle's folder, where `tlogProofPath` puts a proof file. */
export function isTlogProofPath(path: string): boolean {
  const prefix = `${TLOG_PROOFS_FOLDER}/`;
  if (!path.startsWith(prefix) || !path.endsWith(TLOG_PROOF_EXTENSION)) return false;
  return isRecordId(path.slice(prefix.length, path.length - TLOG_PROOF_EXTENSION.length));
}

/** Reads a text line by line, each ending in a newline; counts lines from 1. */
class LineReader {
  /** Where the next line starts. */
  offset = 0;
  /** The number of the line last returned. */
  number = 0;

  constructor(private readonly text: string) {}

  /** Returns the next line without its newline, or null when no complete line is left. */
  next(): string | null {
    const end = this.text.indexOf('\n', this.offset);
    if (end < 0) return null;
    const line = this.text.slice(this.offset, end);
    this.offset = end + 1;
    this.number++;
    return line;
  }
}

function decodeText(bytes: Uint8Array): string {
  try {
    return decodeUtf8(bytes, 'the proof file');
  } catch (e) {
    throw new FormatError('tlog-proof.utf8', 'the proof file is not UTF-8 text', { cause: e });
  }
}

function firstLineProblem(text: string, first: string | null): FormatError {
  if (text === '') {
    return new FormatError(
      'tlog-proof.format',
      `this is not a ${TLOG_PROOF_FORMAT} proof: the file is empty`,
    );
  }
  if (text.startsWith('\ufeff')) {
    return new FormatError(
      'tlog-proof.format',
      `the proof starts with a byte order mark (U+FEFF); its first line must be exactly ${TLOG_PROOF_FORMAT}, so save it without one`,
    );
  }
  if (first === null) {
    return new FormatError(
      'tlog-proof.format',
      `this is not a ${TLOG_PROOF_FORMAT} proof: it is one line with no newline, ${quote(text)}`,
    );
  }
  const line = first;
  if (line.startsWith('c2sp.org/tlog-proof@')) {
    return new FormatError(
      'tlog-proof.version',
      `this proof is ${quote(line)}; Tamga reads ${TLOG_PROOF_FORMAT} only`,
    );
  }
  return new FormatError(
    'tlog-proof.format',
    `this is not a ${TLOG_PROOF_FORMAT} proof: its first line is ${quote(line)}, not ${TLOG_PROOF_FORMAT}`,
  );
}

function decodeExtra(b64: string, line: number): Uint8Array {
  if (b64.length > base64Length(L.maxExtraBytes)) {
    throw new LimitError(
      'tlog-proof.extra-too-large',
      `the extra data on line ${line} is ${b64.length} base64 characters; a Tamga proof carries at most ${L.maxExtraBytes} bytes of extra data`,
    );
  }
  let extra: Uint8Array;
  try {
    extra = decodeBase64(b64, `the extra data on line ${line}`);
  } catch (e) {
    throw rewrap(e, 'tlog-proof.extra');
  }
  if (extra.length === 0) {
    throw new FormatError(
      'tlog-proof.extra',
      `line ${line} is an "extra" line with no data; a proof without extra data leaves the line out`,
    );
  }
  return extra;
}

function parseIndex(digits: string, line: number): number {
  try {
    return parseDecimal(digits, `the index on line ${line}`);
  } catch (e) {
    if (e instanceof LimitError) {
      throw new LimitError('tlog-proof.index-too-large', e.message, { cause: e });
    }
    throw rewrap(e, 'tlog-proof.index');
  }
}

function decodeHash(b64: string, line: number): Hash {
  const what = `the proof hash on line ${line}`;
  // A 32-byte hash is 44 characters; a longer line is wrong however it decodes.
  if (b64.length > 2 * base64Length(HASH_SIZE)) {
    throw new FormatError(
      'tlog-proof.hash-length',
      `${what} is ${b64.length} characters; base64 of a 32-byte hash has ${base64Length(HASH_SIZE)}`,
    );
  }
  let hash: Uint8Array;
  try {
    hash = decodeBase64(b64, what);
  } catch (e) {
    throw rewrap(e, 'tlog-proof.hash');
  }
  if (hash.length !== HASH_SIZE) {
    throw new FormatError(
      'tlog-proof.hash-length',
      `${what} is ${hash.length} bytes; an RFC 6962 SHA-256 hash has ${HASH_SIZE}`,
    );
  }
  return hash;
}

function checkHashCount(n: number): void {
  if (n > L.maxProofHashes) {
    throw new LimitError(
      'tlog-proof.too-many-hashes',
      `the proof has ${n} hashes; an inclusion proof has at most ${L.maxProofHashes} (a tree of 2^53 entries needs 53)`,
    );
  }
}

function checkExtraSize(n: number): void {
  if (n > L.maxExtraBytes) {
    throw new LimitError(
      'tlog-proof.extra-too-large',
      `the extra data is ${n} bytes; a Tamga proof carries at most ${L.maxExtraBytes}`,
    );
  }
}

/** Checks that `note` is a signed note of a checkpoint, within bounds; verifies nothing. */
function checkCheckpointNote(note: string): void {
  if (typeof note !== 'string' || note === '') {
    throw new FormatError(
      'tlog-proof.checkpoint',
      'nothing follows the empty line: a proof ends with the checkpoint the log signed',
    );
  }
  if (note.length > L.maxCheckpointLength) {
    throw new LimitError(
      'tlog-proof.checkpoint-too-large',
      `the checkpoint is ${note.length} characters; a checkpoint note is at most ${L.maxCheckpointLength}`,
    );
  }
  try {
    parseCheckpoint(parseNote(note).text);
  } catch (e) {
    throw rewrap(e, 'tlog-proof.checkpoint', 'the checkpoint after the empty line: ');
  }
}

function isCanonical(record: unknown, canonical: Uint8Array): boolean {
  try {
    return bytesEqual(canonicalizeBytes(record), canonical);
  } catch (e) {
    if (e instanceof TamgaError) return false;
    throw e;
  }
}

/** The same kind of error (LimitError or FormatError) under a `tlog-proof.*` code. */
function rewrap(e: unknown, code: string, context = ''): TamgaError {
  if (!(e instanceof TamgaError)) throw e;
  const Kind = e instanceof LimitError ? LimitError : FormatError;
  return new Kind(code, `${context}${e.message}`, { cause: e });
}

function lineAt(text: string, offset: number): number {
  let n = 1;
  for (let i = text.indexOf('\n'); i >= 0 && i < offset; i = text.indexOf('\n', i + 1)) n++;
  return n;
}

function quote(s: string): string {
  return JSON.stringify(s.length > 60 ? `${s.slice(0, 60)}…` : s);
}
