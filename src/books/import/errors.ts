/**
 * Errors of statement import: each names the file's line (1-based) where the problem is and says
 * what to do. A statement that raises one is refused whole: nothing of it is imported.
 */
import { TamgaError } from '../../log/errors.js';

/** A statement (or presented ledger) that cannot be read: wrong format, encoding, syntax, sums. */
export class StatementError extends TamgaError {
  /** The 1-based line of the file where the problem is, when there is one. */
  readonly line: number | null;

  constructor(code: string, line: number | null, message: string, options?: ErrorOptions) {
    super(code, line === null ? message : `line ${line}: ${message}`, options);
    this.line = line;
  }
}

/** Cuts `text` to at most 60 characters, for quoting untrusted input in a message. */
export function quote(text: string): string {
  const cut = text.length > 60 ? `${text.slice(0, 57)}…` : text;
  return JSON.stringify(cut);
}
