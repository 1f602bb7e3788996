/**
 * Errors of statement import: each names the file's line (1-based) where the problem is and says
 * what to do. A statement that raises one is refused whole: nothing of it is imported.
 *
 * The message is English, for the command line and the logs; `code` and `params` let another
 * language say the same (the web app's errors.json has a text for every code, and for every
 * `reason` of STATEMENT_REASONS).
 */
import { TamgaError } from '../../log/errors.js';

/** What a statement error's text may name: short values, never the file's contents at length. */
export type StatementErrorParams = Readonly<Record<string, string | number>>;

/**
 * The codes that are raised for several different problems, each with a `reason` param that
 * tells which: the web app words each reason on its own.
 */
export const STATEMENT_REASONS = {
  'csv.mapping': [
    'not-json',
    'not-object',
    'unknown-field',
    'delimiter',
    'decimal-separator',
    'group-separator',
    'date-format',
    'encoding',
    'skip-lines',
    'header',
    'no-columns',
    'unknown-role',
    'column-position',
    'column-type',
    'column-name-no-header',
    'no-date',
    'amount-or-pair',
    'half-pair',
    'empty-text',
    'currency',
    'negate',
    'no-account',
  ],
  'import.account': ['not-one', 'several', 'never-imported', 'not-in-chart', 'wrong-type'],
} as const satisfies Readonly<Record<string, readonly string[]>>;

/** A statement (or presented ledger) that cannot be read: wrong format, encoding, syntax, sums. */
export class StatementError extends TamgaError {
  /** The 1-based line of the file where the problem is, when there is one. */
  readonly line: number | null;
  /** What the message names (values, column names, limits), to word it in another language. */
  readonly params: StatementErrorParams;

  constructor(
    code: string,
    line: number | null,
    message: string,
    options?: ErrorOptions & { readonly params?: StatementErrorParams },
  ) {
    super(code, line === null ? message : `line ${line}: ${message}`, options);
    this.line = line;
    this.params = options?.params ?? {};
  }
}

/** Cuts `text` to at most 60 characters, for quoting untrusted input in a message. */
export function quote(text: string): string {
  const cut = text.length > 60 ? `${text.slice(0, 57)}…` : text;
  return JSON.stringify(cut);
}
