/**
 * 1C Client-Bank exchange files (the "1CClientBankExchange" format of 1C:Enterprise, versions
 * 1.01–1.03): lines of `Key=Value` in Windows-1251 or DOS cp866 (`Кодировка=Windows|DOS`), CRLF,
 * a header, `СекцияРасчСчет` … `КонецРасчСчет` sections with each account's balances, and
 * `СекцияДокумент=<type>` … `КонецДокумента` sections, one per payment, ending in `КонецФайла`.
 *
 * A payment has no sign: it is money out of the statement's account when the account is the
 * payer's (`ПлательщикСчет`), money in when it is the payee's (`ПолучательСчет`). The file is
 * checked whole before anything is returned: sections closed, dates and amounts valid, and each
 * account's documents adding up to the totals its `СекцияРасчСчет` states.
 */
import { encodeUtf8 } from '../../log/encoding.js';
import { type CodePage, decodeCodePage } from './codepages.js';
import {
  addDecimals,
  compareDecimals,
  type DecimalText,
  minorUnits,
  negateDecimal,
  parseAmount,
  subtractDecimals,
  sumDecimals,
} from './decimal.js';
import { quote, StatementError } from './errors.js';
import type { ParsedStatement, StatementBalance, StatementLine } from './types.js';

/** The first line of every 1C exchange file. */
export const ONEC_MAGIC = '1CClientBankExchange';

/** Options of `parse1C`. */
export interface OneCOptions {
  /** The currency of the statement's accounts (1C files do not say); sets allowed decimals. */
  readonly currency?: string | null;
  /** Refuse files larger than this many bytes (default 512 MiB). */
  readonly maxBytes?: number;
  /**
   * Called for each total the file states that its own figures do not add up to, instead of
   * refusing the file. An import refuses such a file; a diff of a presented file reports them,
   * since a statement altered after the bank issued it is exactly what a diff is for.
   */
  readonly onInconsistency?: (found: OneCInconsistency) => void;
}

/** A total a 1C file states that its own figures do not add up to. */
export interface OneCInconsistency {
  /** The statement's bank account (РасчСчет of its СекцияРасчСчет). */
  readonly account: string;
  /** The line of the stated total. */
  readonly line: number;
  /** The field stating it. */
  readonly field: 'КонечныйОстаток' | 'ВсегоПоступило' | 'ВсегоСписано';
  /** What the file states. */
  readonly declared: DecimalText;
  /** What the file's own figures add up to. */
  readonly computed: DecimalText;
  /** How `computed` was worked out, in English. */
  readonly how: string;
}

const DEFAULT_MAX_BYTES = 512 * 1024 * 1024;

/** Returns true when `bytes` start like a 1C exchange file (after an optional UTF-8 BOM). */
export function looks1C(bytes: Uint8Array): boolean {
  const start = hasBom(bytes) ? 3 : 0;
  for (let i = 0; i < ONEC_MAGIC.length; i++) {
    if (bytes[start + i] !== ONEC_MAGIC.charCodeAt(i)) return false;
  }
  const next = bytes[start + ONEC_MAGIC.length];
  return next === undefined || next === 0x0d || next === 0x0a;
}

function hasBom(bytes: Uint8Array): boolean {
  return bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf;
}

/** The encodings a 1C file may be in, with the value `Кодировка=` gives for each. */
const ENCODINGS: ReadonlyArray<{ page: CodePage | 'utf-8'; declared: readonly string[] }> = [
  { page: 'windows-1251', declared: ['windows'] },
  { page: 'cp866', declared: ['dos'] },
  // Not in the format's description, but written by some newer exporters.
  { page: 'utf-8', declared: ['utf-8', 'utf8'] },
];

const ENCODING_NAMES: Readonly<Record<CodePage | 'utf-8', string>> = {
  'windows-1251': 'Windows-1251 (Кодировка=Windows)',
  cp866: 'DOS cp866 (Кодировка=DOS)',
  'utf-8': 'UTF-8',
};

/** Keys, at least one of which every 1C statement holds, to tell which encoding wrote them. */
const TELLTALE_KEYS = ['Кодировка=', 'СекцияДокумент=', 'КонецФайла', 'СекцияРасчСчет'];

/**
 * Decodes a 1C file: the encoding its own keys are written in must be the one its `Кодировка`
 * line declares. Returns the text and the encoding, or throws StatementError.
 */
export function decode1C(bytes: Uint8Array): { text: string; page: CodePage | 'utf-8' } {
  if (hasBom(bytes)) return { text: decodeUtf8Strict(bytes.subarray(3)), page: 'utf-8' };
  const head = bytes.subarray(0, Math.min(bytes.length, 64 * 1024));
  const found = ENCODINGS.filter((e) =>
    TELLTALE_KEYS.some((k) => indexOfBytes(head, encodeKey(k, e.page)) >= 0),
  );
  // A file whose Cyrillic keys read in no encoding is not in a 1C encoding at all.
  const written = found[0];
  if (written === undefined) {
    throw new StatementError(
      '1c.encoding',
      2,
      'the 1C file holds none of its keys (Кодировка, СекцияДокумент, КонецФайла) in Windows-1251, DOS cp866 or UTF-8: it is in another encoding or is not a 1C statement. Export it again from the bank client, in Windows or DOS encoding',
    );
  }
  const keyAt = indexOfBytes(head, encodeKey('Кодировка=', written.page));
  let text: string;
  if (written.page === 'utf-8') text = decodeUtf8Strict(bytes);
  else {
    const decoded = decodeCodePage(bytes, written.page);
    if ('badByte' in decoded) {
      throw new StatementError(
        '1c.encoding',
        lineOfOffset(bytes, decoded.badByte),
        `the byte 0x${bytes[decoded.badByte]!.toString(16)} is not a character in ${ENCODING_NAMES[written.page]}: the file is damaged or in another encoding`,
      );
    }
    text = decoded.text;
  }
  if (keyAt >= 0) {
    const line = lineOfOffset(bytes, keyAt);
    const value = (text.split(/\r\n|\n|\r/, line)[line - 1] ?? '').split('=')[1]?.trim() ?? '';
    const declared = ENCODINGS.find((e) => e.declared.includes(value.toLowerCase()));
    if (declared === undefined) {
      throw new StatementError(
        '1c.encoding',
        line,
        `Кодировка=${value} is not an encoding of 1C files; expected Кодировка=Windows or Кодировка=DOS`,
      );
    }
    if (declared.page !== written.page) {
      throw new StatementError(
        '1c.encoding',
        line,
        `the file says Кодировка=${value} (${ENCODING_NAMES[declared.page]}), but it is written in ${ENCODING_NAMES[written.page]}: it was converted without its header, and its text cannot be trusted to read right. Export it again from the bank client`,
      );
    }
  }
  return { text, page: written.page };
}

function decodeUtf8Strict(bytes: Uint8Array): string {
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    let i = 0;
    // Find the first bad sequence, to name its line.
    for (; i < bytes.length; i++) {
      try {
        new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(0, i + 1), {
          stream: true,
        });
      } catch {
        break;
      }
    }
    throw new StatementError(
      '1c.encoding',
      lineOfOffset(bytes, i),
      'the file is not valid UTF-8 here, yet its keys are written in UTF-8: it is damaged, or mixes encodings',
    );
  }
}

function encodeKey(key: string, page: CodePage | 'utf-8'): Uint8Array {
  if (page === 'utf-8') return encodeUtf8(key);
  const out = new Uint8Array(key.length);
  for (let i = 0; i < key.length; i++) {
    const c = key.charCodeAt(i);
    // Cyrillic А–я only (U+0410–U+044F), which is all the keys hold, plus ASCII.
    if (c < 0x80) out[i] = c;
    else if (page === 'windows-1251') out[i] = c - 0x410 + 0xc0;
    else out[i] = c < 0x440 ? c - 0x410 + 0x80 : c - 0x440 + 0xe0;
  }
  return out;
}

function indexOfBytes(hay: Uint8Array, needle: Uint8Array): number {
  outer: for (let i = 0; i + needle.length <= hay.length; i++) {
    for (let j = 0; j < needle.length; j++) if (hay[i + j] !== needle[j]) continue outer;
    return i;
  }
  return -1;
}

function lineOfOffset(bytes: Uint8Array, offset: number): number {
  let line = 1;
  for (let i = 0; i < offset && i < bytes.length; i++) if (bytes[i] === 0x0a) line++;
  return line;
}

/** Fields of a `СекцияДокумент` the parser reads into the line itself. */
const DOCUMENT_FIELDS = new Set([
  'Номер',
  'Дата',
  'Сумма',
  'ПлательщикСчет',
  'ПлательщикРасчСчет',
  'Плательщик',
  'Плательщик1',
  'ПлательщикИНН',
  'ПолучательСчет',
  'ПолучательРасчСчет',
  'Получатель',
  'Получатель1',
  'ПолучательИНН',
  'НазначениеПлатежа',
  'ДатаСписано',
  'ДатаПоступило',
]);

interface Section {
  readonly kind: 'document' | 'account';
  readonly line: number;
  readonly type: string;
  readonly fields: Map<string, { value: string; line: number }>;
}

/**
 * Reads a 1C Client-Bank exchange file. Returns the statement; throws StatementError naming the
 * line for a file that is not 1C, in a wrong or undeclared encoding, cut short, with a section
 * left open, a date or amount that does not read, a payment that is not the statement's
 * account's, or documents that do not add up to the totals the file states.
 */
export function parse1C(bytes: Uint8Array, options: OneCOptions = {}): ParsedStatement {
  const maxBytes = options.maxBytes ?? DEFAULT_MAX_BYTES;
  if (bytes.length > maxBytes) {
    throw new StatementError(
      '1c.too-large',
      null,
      `the file is ${bytes.length} bytes; statements of at most ${maxBytes} bytes are read. Split it by period`,
      { params: { size: bytes.length, max: maxBytes } },
    );
  }
  if (!looks1C(bytes)) {
    throw new StatementError(
      '1c.not-1c',
      1,
      `this is not a 1C Client-Bank exchange file: it does not start with the line ${ONEC_MAGIC}`,
    );
  }
  const { text, page } = decode1C(bytes);
  const currency = options.currency ?? null;
  const decimals = minorUnits(currency);
  const rows = text.split(/\r\n|\n|\r/);
  const warnings: string[] = [];
  const header = new Map<string, string>();
  const headerAccounts: string[] = [];
  const sections: Section[] = [];
  let open: Section | null = null;
  let ended = 0;

  for (let i = 1; i < rows.length; i++) {
    const lineNo = i + 1;
    const raw = rows[i]!;
    const row = raw.trim();
    if (row === '') continue;
    if (ended > 0) {
      warnings.push(`text after КонецФайла (line ${ended}) was ignored, from line ${lineNo}`);
      break;
    }
    const eq = row.indexOf('=');
    const key = (eq < 0 ? row : row.slice(0, eq)).trim();
    const value = eq < 0 ? '' : row.slice(eq + 1).trim();
    if (key === 'СекцияДокумент' || key === 'СекцияРасчСчет') {
      if (open !== null) throw unclosed(open, lineNo);
      open = {
        kind: key === 'СекцияДокумент' ? 'document' : 'account',
        line: lineNo,
        type: value,
        fields: new Map(),
      };
      continue;
    }
    if (key === 'КонецДокумента' || key === 'КонецРасчСчет') {
      const kind = key === 'КонецДокумента' ? 'document' : 'account';
      if (open === null || open.kind !== kind) {
        throw new StatementError(
          '1c.section',
          lineNo,
          `${key} closes a section that was not opened${open === null ? '' : ` (the open one began at line ${open.line})`}: the file is damaged`,
        );
      }
      sections.push(open);
      open = null;
      continue;
    }
    if (key === 'КонецФайла') {
      if (open !== null) throw unclosed(open, lineNo);
      ended = lineNo;
      continue;
    }
    if (eq < 0) {
      throw new StatementError(
        '1c.syntax',
        lineNo,
        `${quote(row)} is neither Key=Value nor a section line: the file is damaged`,
      );
    }
    if (open !== null) {
      const previous = open.fields.get(key);
      if (previous !== undefined && previous.value !== value) {
        throw new StatementError(
          '1c.duplicate-key',
          lineNo,
          `${key} appears twice in the section that begins at line ${open.line} (first at line ${previous.line}), with different values: the file is damaged or altered`,
        );
      }
      open.fields.set(key, { value, line: lineNo });
    } else if (key === 'РасчСчет') {
      if (value !== '' && !headerAccounts.includes(value)) headerAccounts.push(value);
    } else {
      header.set(key, value);
    }
  }
  let last = rows.length;
  while (last > 1 && rows[last - 1]!.trim() === '') last--;
  if (open !== null) throw unclosed(open, last + 1);
  if (ended === 0) {
    throw new StatementError(
      '1c.truncated',
      last,
      'the file ends without КонецФайла: it was cut short. Export it again',
    );
  }

  const accountSections = sections.filter((s) => s.kind === 'account');
  const accounts = [...headerAccounts];
  for (const s of accountSections) {
    const a = s.fields.get('РасчСчет')?.value ?? '';
    if (a === '') {
      throw new StatementError(
        '1c.missing-field',
        s.line,
        'this СекцияРасчСчет does not say its РасчСчет: the file is damaged',
      );
    }
    if (!accounts.includes(a)) accounts.push(a);
  }
  if (accounts.length === 0) {
    throw new StatementError(
      '1c.no-account',
      1,
      'the file names no bank account (no РасчСчет line): it is an export of payment orders to the bank, not a statement from it. Export the statement (выписка) instead',
    );
  }
  const ours = new Set(accounts);

  const amountOf = (s: Section, key: string, signed: boolean): DecimalText | null => {
    const f = s.fields.get(key);
    if (f === undefined || f.value === '') return null;
    return parseAmount(
      f.value,
      {
        decimalSeparator: f.value.includes(',') && !f.value.includes('.') ? ',' : '.',
        maxDecimals: decimals,
        signed,
        groupSeparators: ' \u00a0',
      },
      f.line,
      key,
    );
  };
  const dateOf = (s: Section, key: string, required: boolean): string | null => {
    const f = s.fields.get(key);
    if (f === undefined || f.value === '') {
      if (!required) return null;
      throw new StatementError(
        '1c.missing-field',
        s.line,
        `the section that begins here has no ${key}: the file is damaged`,
      );
    }
    return parseRuDate(f.value, f.line, key);
  };

  const lines: StatementLine[] = [];
  for (const s of sections) {
    if (s.kind !== 'document') continue;
    const amountField = s.fields.get('Сумма');
    const amount = amountOf(s, 'Сумма', false);
    if (amount === null || amountField === undefined) {
      throw new StatementError(
        '1c.missing-field',
        s.line,
        'this document has no Сумма (amount): the file is damaged',
      );
    }
    if (amount === '0') {
      warnings.push(`the document at line ${s.line} has Сумма=0 and was left out`);
      continue;
    }
    const docDate = dateOf(s, 'Дата', true)!;
    const payer = field(s, 'ПлательщикСчет') || field(s, 'ПлательщикРасчСчет');
    const payee = field(s, 'ПолучательСчет') || field(s, 'ПолучательРасчСчет');
    const fromUs = ours.has(payer);
    const toUs = ours.has(payee);
    if (!fromUs && !toUs) {
      throw new StatementError(
        '1c.not-ours',
        s.line,
        `the document is paid from ${quote(payer)} to ${quote(payee)}, and neither is an account of this statement (${accounts.join(', ')}): the file is damaged, or its documents belong to another statement`,
      );
    }
    if (payer === payee) {
      throw new StatementError(
        '1c.direction',
        s.line,
        `the document is paid from ${quote(payer)} to itself, so whether money came in or went out cannot be told`,
      );
    }
    const number = field(s, 'Номер');
    const meta: Record<string, string> = { Документ: s.type };
    for (const [k, f] of s.fields) {
      if (f.value !== '' && !DOCUMENT_FIELDS.has(k) && !/^НазначениеПлатежа\d+$/.test(k)) {
        meta[k] = f.value;
      }
    }
    if (number !== '') meta.Номер = number;
    meta.Дата = field(s, 'Дата');
    const purpose = purposeOf(s);
    const reference = number !== '' && payer !== '' ? `${payer}/${docDate}/${number}` : null;
    const make = (direction: 'in' | 'out'): StatementLine => {
      const them = direction === 'in' ? 'Плательщик' : 'Получатель';
      const booked =
        dateOf(s, direction === 'in' ? 'ДатаПоступило' : 'ДатаСписано', false) ?? docDate;
      const taxId = field(s, `${them}ИНН`);
      const counterpartyAccount = direction === 'in' ? payer : payee;
      return {
        bankAccount: direction === 'in' ? payee : payer,
        date: booked,
        amount: direction === 'in' ? amount : negateDecimal(amount),
        currency,
        counterparty: partyName(field(s, `${them}1`) || field(s, them), taxId),
        ...(counterpartyAccount !== '' ? { counterpartyAccount } : {}),
        ...(taxId !== '' ? { counterpartyTaxId: taxId } : {}),
        purpose,
        reference,
        line: s.line,
        meta,
      };
    };
    if (fromUs) lines.push(make('out'));
    if (toUs) lines.push(make('in'));
  }

  const balances: StatementBalance[] = [];
  for (const s of accountSections) {
    const account = field(s, 'РасчСчет');
    const from = dateOf(s, 'ДатаНачала', false) ?? parseHeaderDate(header, 'ДатаНачала');
    const to = dateOf(s, 'ДатаКонца', false) ?? parseHeaderDate(header, 'ДатаКонца');
    const opening = amountOf(s, 'НачальныйОстаток', true);
    const closing = amountOf(s, 'КонечныйОстаток', true);
    const totalIn = amountOf(s, 'ВсегоПоступило', false);
    const totalOut = amountOf(s, 'ВсегоСписано', false);
    if (opening !== null && from !== null) {
      balances.push({
        bankAccount: account,
        kind: 'opening',
        date: from,
        amount: opening,
        currency,
        line: s.fields.get('НачальныйОстаток')!.line,
      });
    }
    if (closing !== null && to !== null) {
      balances.push({
        bankAccount: account,
        kind: 'closing',
        date: to,
        amount: closing,
        currency,
        line: s.fields.get('КонечныйОстаток')!.line,
      });
    }
    if (opening !== null && closing !== null && totalIn !== null && totalOut !== null) {
      const expected = subtractDecimals(addDecimals(opening, totalIn), totalOut);
      if (compareDecimals(expected, closing) !== 0 && options.onInconsistency !== undefined) {
        options.onInconsistency({
          account,
          line: s.fields.get('КонечныйОстаток')!.line,
          field: 'КонечныйОстаток',
          declared: closing,
          computed: expected,
          how: `НачальныйОстаток ${opening} + ВсегоПоступило ${totalIn} − ВсегоСписано ${totalOut}`,
        });
      } else if (compareDecimals(expected, closing) !== 0) {
        throw new StatementError(
          '1c.unbalanced',
          s.line,
          `the balances of ${account} do not add up: НачальныйОстаток ${opening} + ВсегоПоступило ${totalIn} − ВсегоСписано ${totalOut} = ${expected}, but КонечныйОстаток is ${closing}. The file is damaged or altered`,
          { params: { account } },
        );
      }
    }
    // The documents of the section's period must add up to the totals the bank states.
    const within = lines.filter(
      (l) =>
        l.bankAccount === account &&
        (from === null || l.date >= from) &&
        (to === null || l.date <= to),
    );
    const sumIn = sumDecimals(within.filter((l) => !l.amount.startsWith('-')).map((l) => l.amount));
    const sumOut = negateDecimal(
      sumDecimals(within.filter((l) => l.amount.startsWith('-')).map((l) => l.amount)),
    );
    for (const [label, stated, sum] of [
      ['ВсегоПоступило', totalIn, sumIn],
      ['ВсегоСписано', totalOut, sumOut],
    ] as const) {
      if (stated === null || compareDecimals(stated, sum) === 0) continue;
      if (options.onInconsistency !== undefined) {
        options.onInconsistency({
          account,
          line: s.fields.get(label)!.line,
          field: label,
          declared: stated,
          computed: sum,
          how: `the sum of the file's ${label === 'ВсегоПоступило' ? 'incoming' : 'outgoing'} documents for ${account} from ${from ?? 'the start'} to ${to ?? 'the end'}`,
        });
      } else {
        throw new StatementError(
          '1c.unbalanced',
          s.fields.get(label)!.line,
          `${label}=${stated} for ${account}, but the file's documents for it add up to ${sum}: documents are missing or altered. Export the whole statement again`,
          { params: { account } },
        );
      }
    }
  }

  const from = parseHeaderDate(header, 'ДатаНачала');
  const to = parseHeaderDate(header, 'ДатаКонца');
  return {
    format: '1c',
    accounts,
    lines,
    balances,
    period: from !== null && to !== null ? { from, to } : null,
    warnings,
    encoding: page,
  };
}

function field(s: Section, key: string): string {
  return s.fields.get(key)?.value ?? '';
}

/** The purpose: `НазначениеПлатежа`, else its parts `НазначениеПлатежа1`…`6` (format 1.01). */
function purposeOf(s: Section): string {
  const whole = field(s, 'НазначениеПлатежа');
  if (whole !== '') return whole;
  const parts: string[] = [];
  for (let i = 1; i <= 9; i++) {
    const p = field(s, `НазначениеПлатежа${i}`);
    if (p !== '') parts.push(p);
  }
  return parts.join(' ');
}

/** A party's name without the `ИНН 1234567890 ` that `Плательщик=` often starts with. */
function partyName(name: string, taxId: string): string {
  const m = /^ИНН\s+(\d+)\s+(.*)$/.exec(name);
  if (m !== null && (taxId === '' || m[1] === taxId)) return m[2]!.trim();
  return name;
}

function parseHeaderDate(header: Map<string, string>, key: string): string | null {
  const v = header.get(key);
  return v === undefined || v === '' ? null : parseRuDate(v, null, key);
}

/** Parses `DD.MM.YYYY` to `YYYY-MM-DD`. Throws StatementError naming `line` otherwise. */
export function parseRuDate(text: string, line: number | null, what: string): string {
  const m = /^(\d{2})\.(\d{2})\.(\d{4})$/.exec(text);
  const iso = m === null ? null : `${m[3]}-${m[2]}-${m[1]}`;
  if (iso === null || !isCalendarDate(iso)) {
    throw new StatementError(
      '1c.date',
      line,
      `${what}=${quote(text)} is not a date written DD.MM.YYYY`,
      { params: { value: text.slice(0, 60) } },
    );
  }
  return iso;
}

/** True when `iso` (YYYY-MM-DD) is a day of the calendar. */
export function isCalendarDate(iso: string): boolean {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(iso);
  if (m === null) return false;
  const y = Number(m[1]);
  const mo = Number(m[2]);
  const d = Number(m[3]);
  if (y < 1900 || mo < 1 || mo > 12 || d < 1) return false;
  const days = [
    31,
    y % 4 === 0 && (y % 100 !== 0 || y % 400 === 0) ? 29 : 28,
    31,
    30,
    31,
    30,
    31,
    31,
    30,
    31,
    30,
    31,
  ];
  return d <= days[mo - 1]!;
}

function unclosed(s: Section, at: number): StatementError {
  const closer = s.kind === 'document' ? 'КонецДокумента' : 'КонецРасчСчет';
  return new StatementError(
    '1c.section',
    s.line,
    `the section that begins here is not closed by ${closer} before line ${at}: the file is damaged or cut short`,
  );
}
