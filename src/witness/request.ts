/**
 * The body of a C2SP tlog-witness add-checkpoint request (https://c2sp.org/tlog-witness):
 *
 *   old <size>\n                  "old", one space, ASCII decimal without leading zeroes
 *   <base64 hash>\n               consistency proof lines, zero to 63
 *   \n                            an empty line
 *   <checkpoint signed note>      c2sp.org/tlog-checkpoint, one or more signatures
 *
 * Parsing checks syntax only: which keys signed, and whether the proof verifies, is for the
 * witness to decide against its state. Every failure here is a 400 Bad Request.
 */
import { type Checkpoint, parseCheckpoint } from '../log/checkpoint.js';
import { decodeBase64, decodeUtf8, parseDecimal } from '../log/encoding.js';
import { TamgaError } from '../log/errors.js';
import type { Hash } from '../log/merkle.js';
import { type Note, parseNote } from '../log/note.js';
import { WitnessRefusal } from './errors.js';

/** "The client MUST NOT send more than 63 consistency proof lines." */
export const MAX_PROOF_LINES = 63;

/** A parsed add-checkpoint request. */
export interface AddCheckpointRequest {
  /** The size of the checkpoint the client believes the witness last cosigned (0: none). */
  readonly oldSize: number;
  /** The RFC 6962 consistency proof from `oldSize` to the checkpoint's size. */
  readonly proof: readonly Hash[];
  /** The signed note as sent, its signatures not yet verified. */
  readonly signedNote: string;
  /** The parse of `signedNote`. */
  readonly note: Note;
  /** The checkpoint in the note's text. */
  readonly checkpoint: Checkpoint;
}

const OLD_PREFIX = 'old ';

/**
 * Returns the request in `body`. Throws WitnessRefusal with status 400 for a body that is not
 * UTF-8, has no empty line, a malformed old size line, more than 63 proof lines, a proof line
 * that is not the base64 of 32 bytes, a malformed signed note or a text that is not a checkpoint.
 */
export function parseAddCheckpoint(body: Uint8Array): AddCheckpointRequest {
  const text = attempt('witness.body-utf8', () => decodeUtf8(body, 'the request body'));
  // Neither the old size line nor a proof line is ever empty, so the first empty line is the one
  // that ends them.
  const split = text.indexOf('\n\n');
  if (split < 0) {
    throw bad(
      'witness.body-no-blank-line',
      'malformed request: expected "old <size>", the consistency proof lines, an empty line and the checkpoint',
    );
  }
  const lines = text.slice(0, split).split('\n');
  const oldLine = lines[0]!;
  if (!oldLine.startsWith(OLD_PREFIX)) {
    throw bad('witness.body-old-line', 'malformed request: the first line must be "old <size>"');
  }
  const oldSize = attempt('witness.body-old-size', () =>
    parseDecimal(oldLine.slice(OLD_PREFIX.length), 'the old size'),
  );
  const proofLines = lines.slice(1);
  if (proofLines.length > MAX_PROOF_LINES) {
    throw bad(
      'witness.body-proof-too-long',
      `malformed request: ${proofLines.length} consistency proof lines; at most ${MAX_PROOF_LINES} are allowed`,
    );
  }
  const proof = proofLines.map((line, i) => {
    const hash = attempt('witness.body-proof-hash', () =>
      decodeBase64(line, `consistency proof line ${i + 1}`),
    );
    if (hash.length !== 32) {
      throw bad(
        'witness.body-proof-hash',
        `malformed request: consistency proof line ${i + 1} holds ${hash.length} bytes; a SHA-256 hash has 32`,
      );
    }
    return hash;
  });
  const signedNote = text.slice(split + 2);
  const note = attempt('witness.body-note', () => parseNote(signedNote));
  const checkpoint = attempt('witness.body-checkpoint', () => parseCheckpoint(note.text));
  return { oldSize, proof, signedNote, note, checkpoint };
}

function bad(code: string, message: string, cause?: unknown): WitnessRefusal {
  return new WitnessRefusal(400, code, message, cause === undefined ? {} : { cause });
}

/** Runs a parser of the log core, turning its FormatError or LimitError into a 400. */
function attempt<T>(code: string, parse: () => T): T {
  try {
    return parse();
  } catch (e) {
    if (e instanceof TamgaError) throw bad(code, `malformed request: ${e.message}`, e);
    throw e;
  }
}
