/**
 * Exact decimal amounts as statements write them. Parsers keep amounts as canonical decimal
 * strings (`-1234.5`, `0.07`, `100`: optional minus, no leading zeros, no trailing fraction
 * zeros), so that equal amounts are equal strings; arithmetic goes through bigint, never floats.
 */
import { quote, StatementError } from './errors.js';

/** A canonical decimal string: `-?(0|[1-9][0-9]*)(\.[0-9]*[1-9])?`, never `-0`. */
export type DecimalText = string;

const CANONICAL = /^-?(0|[1-9][0-9]*)(\.[0-9]*[1-9])?$/;

/** Returns true when `text` is a canonical decimal string. */
export function isDecimalText(text: string): boolean {
  return CANONICAL.test(text) && text !== '-0';
}

/** How a file writes amounts. */
export interface AmountSyntax {
  /** `.` or `,`. */
  readonly decimalSeparator: '.' | ',';
  /** Characters to ignore between digits (a space, a no-break space, an apostrophe…). */
  readonly groupSeparators?: string;
  /** Most digits after the separator (2 for KGS, RUB, EUR…). */
  readonly maxDecimals: number;
  /** Whether a leading `-` (or a trailing one, or parentheses) is allowed. */
  readonly signed: boolean;
}

const POINT = /^([0-9]+)(?:\.([0-9]*))?$/;
const COMMA = /^([0-9]+)(?:,([0-9]*))?$/;

/**
 * Returns `raw` as a canonical decimal. Throws StatementError `amount.syntax` naming `line` when
 * it is not a number in `syntax`, and `amount.decimals` when it has more decimals than allowed.
 */
export function parseAmount(
  raw: string,
  syntax: AmountSyntax,
  line: number | null,
  what = 'amount',
): DecimalText {
  let text = raw.trim();
  if (syntax.groupSeparators) {
    for (const g of syntax.groupSeparators) text = text.split(g).join('');
  }
  let negative = false;
  if (syntax.signed) {
    if (text.startsWith('(') && text.endsWith(')')) {
      negative = true;
      text = text.slice(1, -1).trim();
    } else if (text.startsWith('-') || text.startsWith('\u2212')) {
      negative = true;
      text = text.slice(1).trim();
    } else if (text.endsWith('-')) {
      negative = true;
      text = text.slice(0, -1).trim();
    } else if (text.startsWith('+')) {
      text = text.slice(1).trim();
    }
  }
  const m = (syntax.decimalSeparator === '.' ? POINT : COMMA).exec(text);
  if (m === null) {
    throw new StatementError(
      'amount.syntax',
      line,
      `the ${what} ${quote(raw)} is not a number written with "${syntax.decimalSeparator}" as decimal separator${syntax.signed ? '' : ' and no sign'}`,
      { params: { value: raw.slice(0, 60), separator: syntax.decimalSeparator } },
    );
  }
  const whole = m[1]!;
  const fraction = (m[2] ?? '').replace(/0+$/, '');
  if (fraction.length > syntax.maxDecimals) {
    throw new StatementError(
      'amount.decimals',
      line,
      `the ${what} ${quote(raw)} has ${m[2]!.length} digits after the decimal separator; this currency has ${syntax.maxDecimals}. Check the file: amounts are never rounded on import`,
      { params: { value: raw.slice(0, 60), digits: syntax.maxDecimals } },
    );
  }
  return fromParts(negative, whole, fraction);
}

function fromParts(negative: boolean, whole: string, fraction: string): DecimalText {
  const w = whole.replace(/^0+(?=[0-9])/, '');
  const body = fraction === '' ? w : `${w}.${fraction}`;
  return negative && body !== '0' ? `-${body}` : body;
}

/** The scaled integer of a canonical decimal at `scale` fraction digits. */
export function toScaled(d: DecimalText, scale: number): bigint {
  const negative = d.startsWith('-');
  const [whole, fraction = ''] = (negative ? d.slice(1) : d).split('.') as [string, string?];
  if (fraction.length > scale) {
    throw new RangeError(`${d} has more than ${scale} decimals`);
  }
  const n = BigInt(whole + fraction.padEnd(scale, '0'));
  return negative ? -n : n;
}

/** The canonical decimal of a scaled integer. */
export function fromScaled(n: bigint, scale: number): DecimalText {
  const negative = n < 0n;
  const digits = (negative ? -n : n).toString().padStart(scale + 1, '0');
  const whole = digits.slice(0, digits.length - scale);
  const fraction = digits.slice(digits.length - scale).replace(/0+$/, '');
  return fromParts(negative, whole, fraction);
}

/** Fraction digits of a canonical decimal. */
export function decimalsOf(d: DecimalText): number {
  const dot = d.indexOf('.');
  return dot < 0 ? 0 : d.length - dot - 1;
}

/** Returns the exact sum of canonical decimals. */
export function addDecimals(...values: readonly DecimalText[]): DecimalText {
  return sumDecimals(values);
}

/** Returns the exact sum of a list of canonical decimals (of any length: no argument spread). */
export function sumDecimals(values: readonly DecimalText[]): DecimalText {
  let scale = 0;
  for (const v of values) scale = Math.max(scale, decimalsOf(v));
  let sum = 0n;
  for (const v of values) sum += toScaled(v, scale);
  return fromScaled(sum, scale);
}

/** Returns `-d`. */
export function negateDecimal(d: DecimalText): DecimalText {
  if (d === '0') return d;
  return d.startsWith('-') ? d.slice(1) : `-${d}`;
}

/** Returns `a − b`. */
export function subtractDecimals(a: DecimalText, b: DecimalText): DecimalText {
  return addDecimals(a, negateDecimal(b));
}

/** Compares two canonical decimals: negative, zero or positive. */
export function compareDecimals(a: DecimalText, b: DecimalText): number {
  const scale = Math.max(decimalsOf(a), decimalsOf(b));
  const d = toScaled(a, scale) - toScaled(b, scale);
  return d < 0n ? -1 : d > 0n ? 1 : 0;
}

/** `d` written with exactly `decimals` fraction digits and `.` (for writers and reports). */
export function formatFixed(d: DecimalText, decimals: number): string {
  const n = toScaled(d, Math.max(decimals, decimalsOf(d)));
  const scale = Math.max(decimals, decimalsOf(d));
  const negative = n < 0n;
  const digits = (negative ? -n : n).toString().padStart(scale + 1, '0');
  const whole = digits.slice(0, digits.length - scale);
  const fraction = digits.slice(digits.length - scale);
  return `${negative ? '-' : ''}${whole}${scale > 0 ? `.${fraction}` : ''}`;
}

/** ISO 4217 minor units of currencies whose minor unit is not 2. */
const MINOR_UNITS: Readonly<Record<string, number>> = {
  BHD: 3,
  BIF: 0,
  CLP: 0,
  DJF: 0,
  GNF: 0,
  IQD: 3,
  ISK: 0,
  JOD: 3,
  JPY: 0,
  KMF: 0,
  KRW: 0,
  KWD: 3,
  LYD: 3,
  OMR: 3,
  PYG: 0,
  RWF: 0,
  TND: 3,
  UGX: 0,
  UYI: 0,
  VND: 0,
  VUV: 0,
  XAF: 0,
  XOF: 0,
  XPF: 0,
};

/** The number of decimals amounts in `currency` may have (ISO 4217; 2 when unknown). */
export function minorUnits(currency: string | null): number {
  return currency === null ? 2 : (MINOR_UNITS[currency] ?? 2);
}
