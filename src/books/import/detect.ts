/**
 * Telling statement formats apart by their first bytes, and reading a statement in the format
 * it is (or the one the person importing names). A file of another format is refused with what
 * it looks like, never read as garbage.
 */
import { looksXml, parseCamt } from './camt.js';
import { type CsvMapping, parseCsvStatement } from './csv.js';
import { StatementError } from './errors.js';
import { looks1C, parse1C } from './onec.js';
import type { ParsedStatement, StatementFormat } from './types.js';

/** What a file looks like: a statement format, or something else named for the message. */
export function sniffFormat(
  bytes: Uint8Array,
): StatementFormat | 'unknown' | 'pdf' | 'zip' | 'ole' {
  if (looks1C(bytes)) return '1c';
  if (looksXml(bytes)) return 'camt';
  if (bytes[0] === 0x25 && bytes[1] === 0x50 && bytes[2] === 0x44 && bytes[3] === 0x46)
    return 'pdf';
  if (bytes[0] === 0x50 && bytes[1] === 0x4b) return 'zip';
  if (bytes[0] === 0xd0 && bytes[1] === 0xcf && bytes[2] === 0x11 && bytes[3] === 0xe0)
    return 'ole';
  return 'unknown';
}

const FOREIGN: Readonly<Record<string, string>> = {
  pdf: 'a PDF document',
  zip: 'a ZIP archive (or an .xlsx/.docx file)',
  ole: 'an old Excel or Word file (.xls, .doc)',
};

/** Options of `parseStatement`. */
export interface ParseStatementOptions {
  /** The format, when the person importing names it; else it is told from the bytes. */
  readonly format?: StatementFormat;
  /** The mapping CSV files are read with. */
  readonly mapping?: CsvMapping;
  /** The currency of the account, for 1C files (which do not say). */
  readonly currency?: string | null;
}

/**
 * Reads a statement file. Returns the parsed statement; throws StatementError when the file is
 * of another format than the one named, of no statement format, a CSV without a mapping, or
 * malformed (see parse1C, parseCamt, parseCsvStatement).
 */
export function parseStatement(
  bytes: Uint8Array,
  options: ParseStatementOptions = {},
): ParsedStatement {
  const seen = sniffFormat(bytes);
  const format = options.format ?? (seen === 'unknown' ? 'csv' : seen);
  if (seen in FOREIGN) {
    throw new StatementError(
      'statement.format',
      null,
      `the file is ${FOREIGN[seen]}, not a bank statement Tamga reads (1C Client-Bank exchange, camt.053 XML, or CSV). Seal it as a document with \`tamga seal\`, and ask the bank for an export`,
    );
  }
  if (format !== seen && !(format === 'csv' && seen === 'unknown')) {
    const what =
      seen === '1c'
        ? 'a 1C Client-Bank exchange file'
        : seen === 'camt'
          ? 'an XML file'
          : 'neither 1C nor XML';
    throw new StatementError(
      'statement.format',
      1,
      `--format ${format} was given, but the file is ${what}${seen === 'unknown' ? '' : `; import it with --format ${seen}`}`,
    );
  }
  if (format === '1c') return parse1C(bytes, { currency: options.currency ?? null });
  if (format === 'camt') return parseCamt(bytes);
  if (options.mapping === undefined) {
    throw new StatementError(
      'statement.mapping',
      null,
      'the file is neither a 1C exchange file nor camt.053 XML; if it is a CSV statement, name its column mapping with --mapping NAME (see `tamga books mapping --help`)',
    );
  }
  return parseCsvStatement(bytes, options.mapping);
}
