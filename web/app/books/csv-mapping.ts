/**
 * The CSV column mapping form's logic, pure: the form's choices as a `CsvMapping` checked by the
 * same `parseCsvMapping` the server and the CLI check it with; a sample of the chosen file, cut
 * after a whole row; its first rows split as the mapping splits them; and the statement the
 * pure `parseCsvStatement` reads from the sample, so the live preview shows what the import
 * will read (src/books/import/csv.ts).
 */
import { decodeCodePage } from '../../../src/books/import/codepages.js';
import {
  type Column,
  type CsvMapping,
  type CsvRow,
  DATE_FORMATS,
  type DateFormat,
  parseCsvMapping,
  parseCsvStatement,
  splitCsv,
} from '../../../src/books/import/csv.js';
import { minorUnits } from '../../../src/books/import/decimal.js';
import { StatementError } from '../../../src/books/import/errors.js';
import type { ParsedStatement } from '../../../src/books/import/types.js';

/** The field separators a mapping can name. */
export const DELIMITERS = [';', ',', '\t', '|'] as const;
export type Delimiter = (typeof DELIMITERS)[number];

/**
 * Digit-group separators offered: none, spaces (a space or a no-break space: banks write
 * either), apostrophes, points, commas.
 */
export const GROUP_SEPARATORS = ['', ' \u00a0', "'", '.', ','] as const;
export type GroupSeparator = (typeof GROUP_SEPARATORS)[number];

export const ENCODINGS = ['utf-8', 'windows-1251'] as const;
export type Encoding = (typeof ENCODINGS)[number];

export { DATE_FORMATS, type DateFormat };

/** The columns a mapping can name, in the order the form asks for them. */
export const COLUMN_ROLES = [
  'date',
  'valueDate',
  'amount',
  'debit',
  'credit',
  'counterparty',
  'purpose',
  'reference',
  'balance',
  'account',
  'currency',
] as const;
export type ColumnRole = (typeof COLUMN_ROLES)[number];

/** What the form holds. Columns are header names or 1-based positions, as in a CsvMapping. */
export interface MappingForm {
  readonly delimiter: Delimiter;
  readonly decimalSeparator: '.' | ',';
  readonly groupSeparator: GroupSeparator;
  readonly dateFormat: DateFormat;
  readonly encoding: Encoding;
  readonly header: boolean;
  readonly skipLines: number;
  /** One signed amount column, or a debit and a credit column. */
  readonly amounts: 'signed' | 'split';
  readonly columns: Readonly<Partial<Record<ColumnRole, Column>>>;
  /** The bank account, when no column gives it. */
  readonly account: string;
  /** The currency, when no column gives it. */
  readonly currency: string;
  readonly negateAmounts: boolean;
}

/** The form before anything is chosen. */
export const EMPTY_FORM: MappingForm = {
  delimiter: ';',
  decimalSeparator: ',',
  groupSeparator: ' \u00a0',
  dateFormat: 'DD.MM.YYYY',
  encoding: 'utf-8',
  header: true,
  skipLines: 0,
  amounts: 'signed',
  columns: {},
  account: '',
  currency: '',
  negateAmounts: false,
};

/** How much of the file the preview reads. */
export const SAMPLE_BYTES = 256 * 1024;

/**
 * Returns the part of the file the preview reads: `head` whole when it is the whole file,
 * else cut after its last line end outside quotes, so no row (a quoted field may span lines)
 * is cut in two. `"` is one byte in UTF-8 and Windows-1251 alike, and RFC 4180 doubles it
 * inside a field, so counting them tells inside from outside.
 */
export function sampleOf(head: Uint8Array, whole: boolean): Uint8Array {
  if (whole) return head;
  let quoted = false;
  let end = 0;
  for (let i = 0; i < head.length; i++) {
    const b = head[i]!;
    if (b === 0x22) quoted = !quoted;
    else if (b === 0x0a && !quoted) end = i + 1;
  }
  return head.subarray(0, end);
}

/** Returns the sample as text in `encoding`, for splitting into rows (a bad byte shown as `?`). */
export function decodeSample(bytes: Uint8Array, encoding: Encoding): string {
  if (encoding === 'utf-8') return new TextDecoder('utf-8').decode(bytes);
  // Byte 0x98 is no character in Windows-1251: the parser says so; the rows need not.
  const decoded = decodeCodePage(
    bytes.map((b) => (b === 0x98 ? 0x3f : b)),
    'windows-1251',
  );
  return 'text' in decoded ? decoded.text : '';
}

/**
 * Returns a first guess of the form for a file: its encoding (UTF-8 when the sample is valid
 * UTF-8, else Windows-1251) and its delimiter (the one found most often in its first lines);
 * the rest as EMPTY_FORM.
 */
export function guessForm(sample: Uint8Array): MappingForm {
  let encoding: Encoding = 'utf-8';
  try {
    new TextDecoder('utf-8', { fatal: true }).decode(sample);
  } catch {
    encoding = 'windows-1251';
  }
  const firstLines = decodeSample(sample.subarray(0, 8192), encoding)
    .split(/\r\n|\r|\n/)
    .slice(0, 10)
    .join('\n');
  let delimiter: Delimiter = EMPTY_FORM.delimiter;
  let most = 0;
  for (const d of DELIMITERS) {
    const n = firstLines.split(d).length - 1;
    if (n > most) {
      most = n;
      delimiter = d;
    }
  }
  return {
    ...EMPTY_FORM,
    encoding,
    delimiter,
    decimalSeparator: delimiter === ',' ? '.' : EMPTY_FORM.decimalSeparator,
    groupSeparator: delimiter === ',' ? '' : EMPTY_FORM.groupSeparator,
  };
}

/** The JSON the form stands for: what is checked, previewed and saved. */
export function mappingJson(form: MappingForm): Record<string, unknown> {
  const columns: Partial<Record<ColumnRole, Column>> = {};
  for (const role of COLUMN_ROLES) {
    const c = form.columns[role];
    if (c === undefined) continue;
    if (form.amounts === 'signed' && (role === 'debit' || role === 'credit')) continue;
    if (form.amounts === 'split' && role === 'amount') continue;
    columns[role] = c;
  }
  const account = form.account.trim();
  const currency = form.currency.trim().toUpperCase();
  return {
    delimiter: form.delimiter,
    decimalSeparator: form.decimalSeparator,
    ...(form.groupSeparator === '' ? {} : { groupSeparator: form.groupSeparator }),
    dateFormat: form.dateFormat,
    encoding: form.encoding,
    skipLines: form.skipLines,
    header: form.header,
    columns,
    // Asked only while no column gives them: what is not shown is not sent.
    ...(columns.account === undefined && account !== '' ? { account } : {}),
    ...(columns.currency === undefined && currency !== '' ? { currency } : {}),
    ...(form.amounts === 'signed' && form.negateAmounts ? { negateAmounts: true } : {}),
  };
}

/** The mapping of the form, or why `parseCsvMapping` refuses it. */
export type CheckedMapping =
  | { readonly mapping: CsvMapping; readonly error?: undefined }
  | { readonly mapping?: undefined; readonly error: StatementError };

/** Returns the form's mapping as `parseCsvMapping` reads it, or its StatementError. */
export function checkMapping(form: MappingForm): CheckedMapping {
  try {
    return { mapping: parseCsvMapping(mappingJson(form)) };
  } catch (e) {
    if (e instanceof StatementError) return { error: e };
    throw e;
  }
}

/** Returns the form that edits `mapping` (a saved one), or null when it is not a valid mapping. */
export function formOf(json: unknown): MappingForm | null {
  let m: CsvMapping;
  try {
    m = parseCsvMapping(json);
  } catch {
    return null;
  }
  const group = GROUP_SEPARATORS.find((g) => g === (m.groupSeparator ?? ''));
  const delimiter = DELIMITERS.find((d) => d === m.delimiter);
  if (group === undefined || delimiter === undefined) return null;
  const columns: Partial<Record<ColumnRole, Column>> = {};
  for (const role of COLUMN_ROLES) {
    const c = m.columns[role];
    if (c !== undefined) columns[role] = c;
  }
  return {
    delimiter,
    decimalSeparator: m.decimalSeparator,
    groupSeparator: group,
    dateFormat: m.dateFormat,
    encoding: m.encoding,
    header: m.header,
    skipLines: m.skipLines ?? 0,
    amounts: m.columns.amount === undefined ? 'split' : 'signed',
    columns,
    account: m.account ?? '',
    currency: m.currency ?? '',
    negateAmounts: m.negateAmounts === true,
  };
}

/** The first rows of the sample as the form splits them: the header (when there is one) first. */
export interface SplitRows {
  readonly header: CsvRow | null;
  readonly rows: readonly CsvRow[];
  /** How many fields the widest row shown has. */
  readonly width: number;
  /** Why the sample does not split (an open quote), else null. */
  readonly error: StatementError | null;
}

/** Returns the first `max` data rows of `text` (and its header) as the form splits them. */
export function splitRows(text: string, form: MappingForm, max = 8): SplitRows {
  let all: CsvRow[];
  try {
    all = splitCsv(text, form.delimiter);
  } catch (e) {
    if (!(e instanceof StatementError)) throw e;
    return { header: null, rows: [], width: 0, error: e };
  }
  const kept = all.filter((r) => r.line > form.skipLines);
  const header = form.header ? (kept[0] ?? null) : null;
  const rows = kept.slice(form.header ? 1 : 0, (form.header ? 1 : 0) + max);
  const width = Math.max(0, ...[header, ...rows].map((r) => r?.fields.length ?? 0));
  return { header, rows, width, error: null };
}

/** A column the form offers: its value in a mapping, its position and what it holds. */
export interface ColumnChoice {
  readonly column: Column;
  readonly position: number;
  /** The header's name, or (with no header) the first row's value. */
  readonly sample: string;
}

/**
 * Returns the columns to choose from: by header name when the file has a header and the name is
 * there once, else by position (from 1).
 */
export function columnChoices(split: SplitRows, form: MappingForm): ColumnChoice[] {
  const names = split.header?.fields.map((f) => f.trim()) ?? [];
  const out: ColumnChoice[] = [];
  for (let i = 0; i < split.width; i++) {
    const name = names[i] ?? '';
    const unique = name !== '' && names.indexOf(name) === names.lastIndexOf(name);
    out.push({
      column: form.header && unique ? name : i + 1,
      position: i + 1,
      sample: form.header ? name : (split.rows[0]?.fields[i]?.trim() ?? ''),
    });
  }
  return out;
}

/**
 * Returns `form` with a header, or without: columns named by the header become positions when
 * the header goes, and positions become names when it comes (for names found once).
 */
export function withHeader(form: MappingForm, header: boolean, split: SplitRows): MappingForm {
  // The row that is the header, or would be: the first row read either way.
  const first = split.header ?? split.rows[0] ?? null;
  const names = first?.fields.map((f) => f.trim()) ?? [];
  const columns: Partial<Record<ColumnRole, Column>> = {};
  for (const role of COLUMN_ROLES) {
    const c = form.columns[role];
    if (c === undefined) continue;
    if (!header && typeof c === 'string') {
      const i = names.indexOf(c);
      if (i >= 0) columns[role] = i + 1;
    } else if (header && typeof c === 'number') {
      const name = names[c - 1] ?? '';
      columns[role] = name !== '' && names.indexOf(name) === names.lastIndexOf(name) ? name : c;
    } else columns[role] = c;
  }
  return { ...form, header, columns };
}

/** What the preview shows: the statement read from the sample, or why it does not read. */
export type Preview =
  | { readonly statement: ParsedStatement; readonly error?: undefined }
  | { readonly statement?: undefined; readonly error: StatementError };

/** Returns the statement `parseCsvStatement` reads from `sample` with `mapping`, or its error. */
export function previewOf(sample: Uint8Array, mapping: CsvMapping): Preview {
  try {
    return { statement: parseCsvStatement(sample, mapping) };
  } catch (e) {
    if (e instanceof StatementError) return { error: e };
    throw e;
  }
}

/** Returns a statement's canonical decimal (`-12000.5`) with its currency's decimals (`-12000.50`). */
export function withDecimals(amount: string, currency: string | null): string {
  const digits = minorUnits(currency);
  const [whole, fraction = ''] = amount.split('.');
  if (fraction.length >= digits) return amount;
  return `${whole}${digits === 0 ? '' : `.${fraction.padEnd(digits, '0')}`}`;
}
