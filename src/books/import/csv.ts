/**
 * Bank statements as CSV, read with a column mapping: which delimiter, decimal separator and
 * date format the bank uses, and which columns hold the date, the amount (or debit and credit),
 * the counterparty, the purpose and the reference. Fields follow RFC 4180: quoted with `"`,
 * a doubled `""` inside; a quoted field may span lines. A mapping is data (`CsvMapping`), so it
 * can be saved in the vault and reused for every statement of that bank.
 */
import { decodeCodePage } from './codepages.js';
import {
  addDecimals,
  type DecimalText,
  minorUnits,
  negateDecimal,
  parseAmount,
} from './decimal.js';
import { quote, type STATEMENT_REASONS, StatementError } from './errors.js';
import { isCalendarDate } from './onec.js';
import type { ParsedStatement, StatementBalance, StatementLine } from './types.js';

/** The date formats a mapping can name. */
export const DATE_FORMATS = [
  'YYYY-MM-DD',
  'DD.MM.YYYY',
  'DD/MM/YYYY',
  'MM/DD/YYYY',
  'DD-MM-YYYY',
  'YYYYMMDD',
] as const;
export type DateFormat = (typeof DATE_FORMATS)[number];

/** A column: its header name (when the file has a header row) or its 1-based position. */
export type Column = string | number;

/** How to read one bank's CSV statements. */
export interface CsvMapping {
  /** `,`, `;`, a tab or `|`. */
  readonly delimiter: string;
  readonly decimalSeparator: '.' | ',';
  /** Characters between digit groups to ignore, such as `" "` or `"'"`; none by default. */
  readonly groupSeparator?: string;
  readonly dateFormat: DateFormat;
  /** `utf-8` (a BOM is skipped) or `windows-1251`. */
  readonly encoding: 'utf-8' | 'windows-1251';
  /** Lines to skip before the header (or before the data, with no header). */
  readonly skipLines?: number;
  /** Whether the first line read is a header naming the columns. */
  readonly header: boolean;
  readonly columns: {
    readonly date: Column;
    /** A signed amount column; or `debit` and `credit` columns (money out and in). */
    readonly amount?: Column;
    readonly debit?: Column;
    readonly credit?: Column;
    readonly counterparty?: Column;
    readonly purpose?: Column;
    readonly reference?: Column;
    readonly currency?: Column;
    readonly valueDate?: Column;
    /** The account's balance after the line: gives the statement's opening and closing balances. */
    readonly balance?: Column;
    /** The bank account of each line, when the file holds several. */
    readonly account?: Column;
  };
  /** The bank account, when no column gives it. */
  readonly account?: string;
  /** The currency, when no column gives it (ISO 4217). */
  readonly currency?: string;
  /** True when amounts are written with money out positive (some card statements). */
  readonly negateAmounts?: boolean;
}

const COLUMN_KEYS = [
  'date',
  'amount',
  'debit',
  'credit',
  'counterparty',
  'purpose',
  'reference',
  'currency',
  'valueDate',
  'balance',
  'account',
] as const;

/**
 * Returns `json` as a CsvMapping. Throws StatementError `csv.mapping` saying what is wrong for
 * anything else, so that a bad mapping is refused before any file is read with it.
 */
export function parseCsvMapping(json: unknown): CsvMapping {
  const bad = (
    reason: (typeof STATEMENT_REASONS)['csv.mapping'][number],
    message: string,
    params: Readonly<Record<string, string>> = {},
  ): never => {
    throw new StatementError('csv.mapping', null, `the column mapping ${message}`, {
      params: { reason, ...params },
    });
  };
  if (typeof json !== 'object' || json === null || Array.isArray(json))
    bad('not-object', 'is not a JSON object');
  const m = json as Record<string, unknown>;
  const known = new Set([
    'delimiter',
    'decimalSeparator',
    'groupSeparator',
    'dateFormat',
    'encoding',
    'skipLines',
    'header',
    'columns',
    'account',
    'currency',
    'negateAmounts',
  ]);
  for (const k of Object.keys(m))
    if (!known.has(k))
      bad('unknown-field', `has an unknown field ${quote(k)}`, { field: k.slice(0, 60) });
  const delimiter = m.delimiter ?? ',';
  if (typeof delimiter !== 'string' || ![',', ';', '\t', '|'].includes(delimiter)) {
    bad('delimiter', 'delimiter must be ",", ";", "\\t" or "|"');
  }
  const decimalSeparator = m.decimalSeparator ?? '.';
  if (decimalSeparator !== '.' && decimalSeparator !== ',')
    bad('decimal-separator', 'decimalSeparator must be "." or ","');
  const groupSeparator = m.groupSeparator;
  if (
    groupSeparator !== undefined &&
    (typeof groupSeparator !== 'string' ||
      /[0-9]/.test(groupSeparator) ||
      groupSeparator.includes(decimalSeparator as string))
  ) {
    bad(
      'group-separator',
      'groupSeparator must be characters other than digits and the decimal separator',
    );
  }
  const dateFormat = m.dateFormat ?? 'YYYY-MM-DD';
  if (!(DATE_FORMATS as readonly unknown[]).includes(dateFormat)) {
    bad('date-format', `dateFormat must be one of ${DATE_FORMATS.join(', ')}`, {
      formats: DATE_FORMATS.join(', '),
    });
  }
  const encoding = m.encoding ?? 'utf-8';
  if (encoding !== 'utf-8' && encoding !== 'windows-1251')
    bad('encoding', 'encoding must be "utf-8" or "windows-1251"');
  const skipLines = m.skipLines ?? 0;
  if (
    typeof skipLines !== 'number' ||
    !Number.isInteger(skipLines) ||
    skipLines < 0 ||
    skipLines > 1000
  ) {
    bad('skip-lines', 'skipLines must be a whole number from 0 to 1000');
  }
  const header = m.header ?? true;
  if (typeof header !== 'boolean') bad('header', 'header must be true or false');
  const cols = m.columns;
  if (typeof cols !== 'object' || cols === null || Array.isArray(cols))
    bad('no-columns', 'has no columns object');
  const columns: Record<string, Column> = {};
  for (const [k, v] of Object.entries(cols as Record<string, unknown>)) {
    if (!(COLUMN_KEYS as readonly string[]).includes(k))
      bad(
        'unknown-role',
        `names an unknown column role ${quote(k)}; roles: ${COLUMN_KEYS.join(', ')}`,
        {
          role: k.slice(0, 60),
          roles: COLUMN_KEYS.join(', '),
        },
      );
    if (typeof v === 'number') {
      if (!Number.isInteger(v) || v < 1 || v > 1000)
        bad('column-position', `column ${k} must be a position from 1, or a header name`, {
          role: k,
        });
      if (header === false) columns[k] = v;
      else columns[k] = v;
    } else if (typeof v === 'string' && v !== '') {
      if (header === false)
        bad(
          'column-name-no-header',
          `column ${k} is named ${quote(v)}, but the file has no header: give its position from 1`,
          { role: k, column: v.slice(0, 60) },
        );
      columns[k] = v;
    } else
      bad('column-type', `column ${k} must be a header name or a position from 1`, { role: k });
  }
  if (columns.date === undefined) bad('no-date', 'names no date column');
  const hasAmount = columns.amount !== undefined;
  const hasPair = columns.debit !== undefined || columns.credit !== undefined;
  if (hasAmount === hasPair)
    bad('amount-or-pair', 'must name either an amount column, or debit and credit columns');
  if (hasPair && (columns.debit === undefined || columns.credit === undefined))
    bad('half-pair', 'names only one of debit and credit');
  for (const k of ['account', 'currency'] as const) {
    if (m[k] !== undefined && (typeof m[k] !== 'string' || m[k] === ''))
      bad('empty-text', `${k} must be a non-empty string`, { field: k });
  }
  if (m.currency !== undefined && !/^[A-Z]{3}$/.test(m.currency as string))
    bad('currency', 'currency must be an ISO 4217 code such as KGS');
  if (m.negateAmounts !== undefined && typeof m.negateAmounts !== 'boolean')
    bad('negate', 'negateAmounts must be true or false');
  return {
    delimiter: delimiter as string,
    decimalSeparator: decimalSeparator as '.' | ',',
    ...(groupSeparator !== undefined ? { groupSeparator: groupSeparator as string } : {}),
    dateFormat: dateFormat as DateFormat,
    encoding: encoding as 'utf-8' | 'windows-1251',
    skipLines: skipLines as number,
    header: header as boolean,
    columns: columns as unknown as CsvMapping['columns'],
    ...(m.account !== undefined ? { account: m.account as string } : {}),
    ...(m.currency !== undefined ? { currency: m.currency as string } : {}),
    ...(m.negateAmounts === true ? { negateAmounts: true } : {}),
  };
}

/** One row of fields, with the 1-based line it starts on. */
export interface CsvRow {
  readonly line: number;
  readonly fields: string[];
}

/**
 * Splits CSV text into rows (RFC 4180 with any delimiter; CRLF, LF or CR line ends). Blank lines
 * are dropped. Throws StatementError `csv.syntax` for a quote left open or text after a closing quote.
 */
export function splitCsv(text: string, delimiter: string, maxFields = 1000): CsvRow[] {
  const rows: CsvRow[] = [];
  let fields: string[] = [];
  let field = '';
  let quoted = false;
  let line = 1;
  let rowLine = 1;
  let i = text.charCodeAt(0) === 0xfeff ? 1 : 0;
  const n = text.length;
  const endField = () => {
    fields.push(field);
    field = '';
    quoted = false;
    if (fields.length > maxFields) {
      throw new StatementError('csv.syntax', rowLine, `more than ${maxFields} fields in a row`, {
        params: { max: maxFields },
      });
    }
  };
  const endRow = () => {
    const blank = fields.length === 0 && field === '' && !quoted;
    endField();
    if (!blank) rows.push({ line: rowLine, fields });
    fields = [];
  };
  while (i < n) {
    const c = text[i]!;
    if (c === '"' && field === '' && !quoted) {
      const start = line;
      quoted = true;
      i++;
      for (;;) {
        if (i >= n) {
          throw new StatementError(
            'csv.syntax',
            start,
            'a quoted field is never closed: the file is cut short or has a stray "',
          );
        }
        const d = text[i]!;
        if (d === '"') {
          if (text[i + 1] === '"') {
            field += '"';
            i += 2;
            continue;
          }
          i++;
          break;
        }
        if (d === '\n') line++;
        field += d;
        i++;
      }
      const next = text[i];
      if (next !== undefined && next !== delimiter && next !== '\r' && next !== '\n') {
        throw new StatementError(
          'csv.syntax',
          line,
          `text after a closing quote: ${quote(text.slice(i, i + 20))}`,
        );
      }
      continue;
    }
    if (c === delimiter) {
      endField();
      i++;
      continue;
    }
    if (c === '\r' || c === '\n') {
      endRow();
      if (c === '\r' && text[i + 1] === '\n') i++;
      i++;
      line++;
      rowLine = line;
      continue;
    }
    field += c;
    i++;
  }
  if (field !== '' || quoted || fields.length > 0) endRow();
  return rows;
}

/** Parses a date written in `format` to YYYY-MM-DD; throws StatementError naming `line`. */
export function parseDateIn(text: string, format: DateFormat, line: number, what: string): string {
  const t = text.trim();
  const m =
    format === 'YYYY-MM-DD'
      ? /^(\d{4})-(\d{1,2})-(\d{1,2})$/.exec(t)
      : format === 'YYYYMMDD'
        ? /^(\d{4})(\d{2})(\d{2})$/.exec(t)
        : /^(\d{1,2})[./-](\d{1,2})[./-](\d{4})$/.exec(t);
  let iso: string | null = null;
  if (m !== null) {
    const [a, b, c] = [m[1]!, m[2]!, m[3]!];
    const pad = (s: string) => s.padStart(2, '0');
    const sep = format.charAt(2);
    if (
      (format === 'DD.MM.YYYY' ||
        format === 'DD/MM/YYYY' ||
        format === 'DD-MM-YYYY' ||
        format === 'MM/DD/YYYY') &&
      !t.includes(sep)
    ) {
      iso = null;
    } else if (format === 'YYYY-MM-DD' || format === 'YYYYMMDD') iso = `${a}-${pad(b)}-${pad(c)}`;
    else if (format === 'MM/DD/YYYY') iso = `${c}-${pad(a)}-${pad(b)}`;
    else iso = `${c}-${pad(b)}-${pad(a)}`;
  }
  if (iso === null || !isCalendarDate(iso)) {
    throw new StatementError(
      'csv.date',
      line,
      `the ${what} ${quote(t)} is not a date written ${format}`,
      { params: { value: t.slice(0, 60), format } },
    );
  }
  return iso;
}

function decodeCsv(bytes: Uint8Array, encoding: CsvMapping['encoding']): string {
  if (encoding === 'utf-8') {
    try {
      return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
    } catch {
      let line = 1;
      let i = 0;
      for (; i < bytes.length; i++) {
        try {
          new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(0, i + 1), {
            stream: true,
          });
        } catch {
          break;
        }
        if (bytes[i] === 0x0a) line++;
      }
      throw new StatementError(
        'csv.encoding',
        line,
        'the file is not valid UTF-8 here: save it as UTF-8, or set "encoding": "windows-1251" in the mapping',
      );
    }
  }
  const decoded = decodeCodePage(bytes, 'windows-1251');
  if ('badByte' in decoded) {
    let line = 1;
    for (let i = 0; i < decoded.badByte; i++) if (bytes[i] === 0x0a) line++;
    throw new StatementError(
      'csv.encoding',
      line,
      'the byte 0x98 is not a character in Windows-1251: the file is in another encoding',
    );
  }
  return decoded.text;
}

/**
 * Reads a CSV statement with `mapping`. Returns the lines and, with a balance column, the
 * opening and closing balance of each account; throws StatementError naming the line for a
 * missing column, a date or amount that does not read, a row with both debit and credit, or a
 * running balance that does not follow from the amounts.
 */
export function parseCsvStatement(
  bytes: Uint8Array,
  mapping: CsvMapping,
  options: { maxBytes?: number } = {},
): ParsedStatement {
  const maxBytes = options.maxBytes ?? 256 * 1024 * 1024;
  if (bytes.length > maxBytes) {
    throw new StatementError(
      'csv.too-large',
      null,
      `the file is ${bytes.length} bytes; CSV statements of at most ${maxBytes} bytes are read`,
      { params: { size: bytes.length, max: maxBytes } },
    );
  }
  const text = decodeCsv(bytes, mapping.encoding);
  let rows = splitCsv(text, mapping.delimiter);
  const skip = mapping.skipLines ?? 0;
  rows = rows.filter((r) => r.line > skip);
  let headerNames: string[] | null = null;
  if (mapping.header) {
    const h = rows.shift();
    if (h === undefined) throw new StatementError('csv.empty', null, 'the file has no header row');
    headerNames = h.fields.map((f) => f.trim());
  }
  const index = (role: string, col: Column | undefined): number | null => {
    if (col === undefined) return null;
    if (typeof col === 'number') return col - 1;
    const i = headerNames?.indexOf(col) ?? -1;
    if (i < 0) {
      throw new StatementError(
        'csv.column',
        skip + 1,
        `the header has no column ${quote(col)} for the ${role}; its columns are ${headerNames?.map((n) => quote(n)).join(', ')}. Fix the mapping`,
        { params: { column: String(col).slice(0, 60) } },
      );
    }
    return i;
  };
  const c = mapping.columns;
  const at = {
    date: index('date', c.date)!,
    amount: index('amount', c.amount),
    debit: index('debit', c.debit),
    credit: index('credit', c.credit),
    counterparty: index('counterparty', c.counterparty),
    purpose: index('purpose', c.purpose),
    reference: index('reference', c.reference),
    currency: index('currency', c.currency),
    valueDate: index('value date', c.valueDate),
    balance: index('balance', c.balance),
    account: index('account', c.account),
  };
  if (at.account === null && mapping.account === undefined) {
    throw new StatementError(
      'csv.mapping',
      null,
      'the mapping names no account column and no account: say which bank account the statement is for',
      { params: { reason: 'no-account' } },
    );
  }
  const lines: StatementLine[] = [];
  const running = new Map<
    string,
    {
      first: StatementLine;
      firstBalance: DecimalText;
      last: StatementLine;
      lastBalance: DecimalText;
    }
  >();
  const balanceRows: Array<{ line: StatementLine; balance: DecimalText }> = [];
  for (const row of rows) {
    const get = (i: number | null, role: string, required: boolean): string => {
      if (i === null) return '';
      const v = row.fields[i];
      if (v === undefined) {
        if (!required) return '';
        throw new StatementError(
          'csv.columns',
          row.line,
          `the row has ${row.fields.length} fields, and no ${role} (column ${i + 1})`,
          { params: { fields: row.fields.length, position: i + 1 } },
        );
      }
      return v.trim();
    };
    const currency = get(at.currency, 'currency', true) || mapping.currency || null;
    if (currency !== null && !/^[A-Z]{3}$/.test(currency)) {
      throw new StatementError(
        'csv.currency',
        row.line,
        `${quote(currency)} is not an ISO 4217 currency code`,
        { params: { value: currency.slice(0, 60) } },
      );
    }
    const syntax = {
      decimalSeparator: mapping.decimalSeparator,
      groupSeparators: mapping.groupSeparator ?? '',
      maxDecimals: minorUnits(currency),
      signed: true,
    };
    let amount: DecimalText;
    if (at.amount !== null) {
      const raw = get(at.amount, 'amount', true);
      if (raw === '') throw new StatementError('csv.amount', row.line, 'the amount is empty');
      amount = parseAmount(raw, syntax, row.line);
      if (mapping.negateAmounts) amount = negateDecimal(amount);
    } else {
      const debit = get(at.debit, 'debit', false);
      const credit = get(at.credit, 'credit', false);
      const d =
        debit === '' ? '0' : parseAmount(debit, { ...syntax, signed: false }, row.line, 'debit');
      const k =
        credit === '' ? '0' : parseAmount(credit, { ...syntax, signed: false }, row.line, 'credit');
      if (d !== '0' && k !== '0') {
        throw new StatementError(
          'csv.amount',
          row.line,
          `the row has both a debit (${debit}) and a credit (${credit}); a statement line moves money one way`,
        );
      }
      amount = d !== '0' ? negateDecimal(d) : k;
    }
    const date = parseDateIn(get(at.date, 'date', true), mapping.dateFormat, row.line, 'date');
    const rawValueDate = get(at.valueDate, 'value date', false);
    const valueDate =
      rawValueDate === ''
        ? null
        : parseDateIn(rawValueDate, mapping.dateFormat, row.line, 'value date');
    const bankAccount = get(at.account, 'account', true) || mapping.account!;
    const reference = get(at.reference, 'reference', false);
    const line: StatementLine = {
      bankAccount,
      date,
      ...(valueDate !== null && valueDate !== date ? { valueDate } : {}),
      amount,
      currency,
      counterparty: get(at.counterparty, 'counterparty', false),
      purpose: get(at.purpose, 'purpose', false).replace(/\s+/g, ' '),
      reference: reference === '' ? null : reference,
      line: row.line,
      meta: {},
    };
    const rawBalance = get(at.balance, 'balance', false);
    if (rawBalance !== '') {
      const balance = parseAmount(rawBalance, syntax, row.line, 'balance');
      balanceRows.push({ line, balance });
    }
    if (amount === '0') continue;
    lines.push(line);
  }
  const balances: StatementBalance[] = [];
  if (balanceRows.length > 0) {
    // Banks list newest first as often as oldest first: order by date, keeping file order within
    // a day in the direction the file runs.
    const newestFirst =
      balanceRows.length > 1 &&
      balanceRows[0]!.line.date > balanceRows[balanceRows.length - 1]!.line.date;
    const ordered = newestFirst ? [...balanceRows].reverse() : balanceRows;
    for (const { line, balance } of ordered) {
      const r = running.get(line.bankAccount);
      if (r === undefined) {
        running.set(line.bankAccount, {
          first: line,
          firstBalance: balance,
          last: line,
          lastBalance: balance,
        });
        continue;
      }
      const expected = addDecimals(r.lastBalance, line.amount);
      if (expected !== balance) {
        throw new StatementError(
          'csv.unbalanced',
          line.line,
          `the balance ${balance} does not follow from the line before it (${r.lastBalance}) and this line's amount ${line.amount}, which give ${expected}: a line is missing or altered`,
          { params: { balance, previous: r.lastBalance, amount: line.amount, expected } },
        );
      }
      r.last = line;
      r.lastBalance = balance;
    }
    for (const [account, r] of running) {
      balances.push(
        {
          bankAccount: account,
          kind: 'opening',
          date: r.first.date,
          amount: addDecimals(r.firstBalance, negateDecimal(r.first.amount)),
          currency: r.first.currency,
          line: r.first.line,
        },
        {
          bankAccount: account,
          kind: 'closing',
          date: r.last.date,
          amount: r.lastBalance,
          currency: r.last.currency,
          line: r.last.line,
        },
      );
    }
  }
  const accounts = [...new Set(lines.map((l) => l.bankAccount))];
  if (accounts.length === 0 && mapping.account !== undefined) accounts.push(mapping.account);
  const dates = lines.map((l) => l.date).sort();
  return {
    format: 'csv',
    accounts,
    lines,
    balances,
    period: dates.length > 0 ? { from: dates[0]!, to: dates[dates.length - 1]! } : null,
    warnings: [],
    encoding: mapping.encoding,
  };
}
