/**
 * C2SP transparency log checkpoints (https://c2sp.org/tlog-checkpoint): the signed tree head of a
 * log, written as the text of a signed note.
 *
 *   <origin>\n                 non-empty; "a unique identifier for the log identity"
 *   <tree size>\n              ASCII decimal, no leading zeroes ("0" for the empty tree)
 *   <base64 root hash>\n       the RFC 6962 root at that size
 *   [<extension line>\n]*      opaque, OPTIONAL, each non-empty
 *
 * Sizes are uint64 on the wire; Tamga represents them as safe integers and rejects larger ones
 * with a LimitError (see encoding.ts). Extension lines are kept byte for byte, so that a parsed
 * checkpoint formats back to the text that was signed.
 */
import { checkUint, decodeBase64, encodeBase64, parseDecimal } from './encoding.js';
import { FormatError, VerificationError } from './errors.js';
import { checkHash, type Hash } from './merkle.js';
import {
  checkNoteText,
  type OpenedNote,
  openNote,
  type Signer,
  signNote,
  type Verifier,
} from './note.js';

/** A log's tree head: who (origin), how many leaves (size), and their RFC 6962 root. */
export interface Checkpoint {
  readonly origin: string;
  readonly size: number;
  readonly root: Hash;
  /** Extension lines after the root, without their newlines; usually none. */
  readonly extensions: readonly string[];
}

/** What to format: a checkpoint, whose extension lines may be left out. */
export interface CheckpointFields {
  readonly origin: string;
  readonly size: number;
  readonly root: Hash;
  readonly extensions?: readonly string[];
}

/** A checkpoint together with the note it was read from, its signatures sorted. */
export interface OpenedCheckpoint {
  readonly checkpoint: Checkpoint;
  readonly note: OpenedNote;
}

/** Options for `openCheckpoint`. */
export interface OpenCheckpointOptions {
  /** The origin line to expect; by default the log key's name, as the spec recommends. */
  readonly origin?: string;
  /** Further keys to verify, such as witnesses: their signatures must verify when present. */
  readonly others?: readonly Verifier[];
}

/**
 * Returns the checkpoint written in `text` (a note's text, ending in a newline). Throws
 * FormatError for fewer than three lines, an empty origin, a size that is not canonical decimal,
 * a root that is not 32 bytes of base64, an empty extension line or characters no note may hold,
 * and LimitError for a size above 2^53 − 1.
 */
export function parseCheckpoint(text: string): Checkpoint {
  checkNoteText(text);
  const lines = text.slice(0, -1).split('\n');
  if (lines.length < 3) {
    throw new FormatError(
      'checkpoint.too-few-lines',
      `a checkpoint has at least three lines (origin, tree size, root hash); this text has ${lines.length}`,
    );
  }
  const [origin, sizeLine, rootLine, ...extensions] = lines as [
    string,
    string,
    string,
    ...string[],
  ];
  if (origin === '') {
    throw new FormatError('checkpoint.empty-origin', 'the checkpoint origin line is empty');
  }
  const size = parseDecimal(sizeLine, 'checkpoint tree size');
  const root = decodeBase64(rootLine, 'checkpoint root hash');
  if (root.length !== 32) {
    throw new FormatError(
      'checkpoint.root-length',
      `the checkpoint root hash is ${root.length} bytes; a SHA-256 root has 32`,
    );
  }
  const empty = extensions.indexOf('');
  if (empty >= 0) {
    throw new FormatError(
      'checkpoint.empty-extension',
      `checkpoint line ${empty + 4} is empty; extension lines must not be`,
    );
  }
  return { origin, size, root, extensions };
}

/**
 * Returns the note text of a checkpoint, ending in a newline. Throws FormatError for an empty
 * origin, a line holding a newline or control character, or a root that is not 32 bytes, and
 * LimitError for a size that is not an integer from 0 to 2^53 − 1.
 */
export function formatCheckpoint(checkpoint: CheckpointFields): string {
  const { origin, size, root } = checkpoint;
  const extensions = checkpoint.extensions ?? [];
  if (typeof origin !== 'string' || origin === '') {
    throw new FormatError('checkpoint.empty-origin', 'the checkpoint origin must not be empty');
  }
  checkLine(origin, 'checkpoint origin');
  checkUint(size, 'checkpoint tree size');
  checkHash(root, 'checkpoint root hash');
  for (const [i, line] of extensions.entries()) {
    if (typeof line !== 'string' || line === '') {
      throw new FormatError(
        'checkpoint.empty-extension',
        `checkpoint extension line ${i + 1} is empty; extension lines must not be`,
      );
    }
    checkLine(line, `checkpoint extension line ${i + 1}`);
  }
  const text = `${origin}\n${size}\n${encodeBase64(root)}\n${extensions.map((e) => `${e}\n`).join('')}`;
  checkNoteText(text);
  return text;
}

/** Returns the checkpoint as a note signed by the log's key. Throws as `formatCheckpoint` and `signNote`. */
export function signCheckpoint(checkpoint: CheckpointFields, logSigner: Signer): string {
  return signNote(formatCheckpoint(checkpoint), [logSigner]);
}

/**
 * Returns the checkpoint in a signed note that carries a valid signature by `logVerifier`, and
 * whose origin line is `options.origin` (by default the log key's name). Signatures by `others`
 * are verified too; any other signature is kept as unverified. Throws FormatError or LimitError
 * for a malformed note or checkpoint, and VerificationError for a bad signature by a known key,
 * no log signature (`checkpoint.no-log-signature`) or another origin (`checkpoint.wrong-origin`).
 */
export function openCheckpoint(
  msg: Uint8Array | string,
  logVerifier: Verifier,
  options: OpenCheckpointOptions = {},
): OpenedCheckpoint {
  const expectedOrigin = options.origin ?? logVerifier.name;
  let note: OpenedNote;
  try {
    note = openNote(msg, [logVerifier, ...(options.others ?? [])]);
  } catch (e) {
    if (e instanceof VerificationError && e.code === 'note.no-verified-signature') {
      throw noLogSignature(logVerifier, e.evidence);
    }
    throw e;
  }
  if (!note.verified.some((s) => s.name === logVerifier.name && s.keyId === logVerifier.keyId)) {
    throw noLogSignature(logVerifier, { text: note.text, unverified: note.unverified });
  }
  const checkpoint = parseCheckpoint(note.text);
  if (checkpoint.origin !== expectedOrigin) {
    throw new VerificationError(
      'checkpoint.wrong-origin',
      `the checkpoint is for origin ${JSON.stringify(checkpoint.origin)}, not ${JSON.stringify(expectedOrigin)}`,
      { text: note.text, origin: checkpoint.origin, expected: expectedOrigin },
    );
  }
  return { checkpoint, note };
}

function noLogSignature(
  logVerifier: Verifier,
  evidence: Readonly<Record<string, unknown>>,
): VerificationError {
  const id = logVerifier.keyId.toString(16).padStart(8, '0');
  return new VerificationError(
    'checkpoint.no-log-signature',
    `the checkpoint carries no signature by the log key ${logVerifier.name}+${id}`,
    evidence,
  );
}

function checkLine(line: string, what: string): void {
  if (line.includes('\n')) {
    throw new FormatError('checkpoint.newline', `${what} must not contain a newline`);
  }
}
