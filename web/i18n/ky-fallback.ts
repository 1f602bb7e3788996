/**
 * Kyrgyz dates, numbers, sizes and lists written from the project's own copy of CLDR's data,
 * for browsers whose Intl has no `ky`: Debian's Chromium ships ICU without Kyrgyz and formats
 * it as en-US ("December 7, 2026", "60,000.00", "A and B"). Each piece cites where it comes
 * from in unicode-org/cldr common/main/ky.xml (CLDR 48, as in ICU 78); values marked ↑↑↑
 * there inherit from common/main/root.xml. Node's full ICU writes the same strings: the unit
 * tests compare the two.
 *
 * Only what format.ts asks for is here: the long date, the date and time in UTC with seconds
 * and 24-hour clock, decimal numbers, byte sizes, and the "and" list.
 */

/**
 * `<calendar type="gregorian"><months><monthContext type="format"><monthWidth type="wide">`:
 * the month names used inside a date. Kyrgyz dates put the month last, in the nominative, so
 * the stand-alone names differ only by their capital letter (Январь …).
 */
export const KY_MONTHS = [
  'январь',
  'февраль',
  'март',
  'апрель',
  'май',
  'июнь',
  'июль',
  'август',
  'сентябрь',
  'октябрь',
  'ноябрь',
  'декабрь',
] as const;

/**
 * `<numbers><symbols numberSystem="latn">`: decimal `,`, group U+00A0 (no-break space), minus
 * `-`, NaN `сан эмес`; the pattern `#,##0.###` groups by three, from 1 000 up.
 */
export const KY_NUMBER_SYMBOLS = { decimal: ',', group: '\u00a0', minus: '-', nan: 'сан эмес' };

/** `<dateFormatLength type="long">`: `y-'ж'., d-MMMM`, e.g. `2026-ж., 7-декабрь`. */
export function kyLongDate(year: number, month: number, day: number): string {
  const name = KY_MONTHS[month - 1];
  if (name === undefined) throw new RangeError(`expected a month from 1 to 12, not ${month}`);
  return `${year}-ж., ${day}-${name}`;
}

const pad2 = (n: number) => String(n).padStart(2, '0');

/**
 * Returns the instant `ms` (milliseconds since the epoch) as a date and time in UTC, e.g.
 * `2026-ж., 7-декабрь 20:30:08 UTC`: the long date, then the time as `HH:mm:ss z` joined by
 * root's `<dateTimeFormatLength type="long">` pattern `{1} {0}` (ky.xml inherits both).
 * Throws RangeError for a time Date cannot hold.
 */
export function kyDateTimeUtc(ms: number): string {
  const d = new Date(ms);
  if (Number.isNaN(d.getTime())) throw new RangeError(`expected a time, not ${ms}`);
  const date = kyLongDate(d.getUTCFullYear(), d.getUTCMonth() + 1, d.getUTCDate());
  const time = `${pad2(d.getUTCHours())}:${pad2(d.getUTCMinutes())}:${pad2(d.getUTCSeconds())}`;
  return `${date} ${time} UTC`;
}

/** Returns a calendar date (`YYYY-MM-DD`, read as UTC) as the long date. */
export function kyDateUtc(ms: number): string {
  const d = new Date(ms);
  if (Number.isNaN(d.getTime())) throw new RangeError(`expected a time, not ${ms}`);
  return kyLongDate(d.getUTCFullYear(), d.getUTCMonth() + 1, d.getUTCDate());
}

/** Groups the digits of a whole number by three with the Kyrgyz group separator. */
export function kyGroupDigits(digits: string): string {
  return digits.replace(/\B(?=(\d{3})+(?!\d))/g, KY_NUMBER_SYMBOLS.group);
}

// Digits are rounded by Intl in a locale every build has, so that rounding is the same as
// Intl's own (half away from zero); only the symbols and the grouping are Kyrgyz.
const plainDigits = new Map<number, Intl.NumberFormat>();

/**
 * Returns `n` as Kyrgyz writes numbers, with at most `maxFractionDigits` decimals (3, as
 * Intl.NumberFormat's default), e.g. `60 000,5` (U+00A0 between the groups).
 */
export function kyNumber(n: number, maxFractionDigits = 3): string {
  if (Number.isNaN(n)) return KY_NUMBER_SYMBOLS.nan;
  let f = plainDigits.get(maxFractionDigits);
  if (f === undefined) {
    f = new Intl.NumberFormat('en-US', {
      useGrouping: false,
      maximumFractionDigits: maxFractionDigits,
    });
    plainDigits.set(maxFractionDigits, f);
  }
  const plain = f.format(n); // "-60000.5", "∞"
  const m = /^(-?)(\d+)(?:\.(\d+))?$/.exec(plain);
  if (m === null) return plain.replace('-', KY_NUMBER_SYMBOLS.minus);
  const [, sign = '', int = '0', frac] = m;
  const grouped = kyGroupDigits(int);
  return `${sign === '' ? '' : KY_NUMBER_SYMBOLS.minus}${grouped}${frac === undefined ? '' : `${KY_NUMBER_SYMBOLS.decimal}${frac}`}`;
}

/**
 * `<units><unitLength type="short">` for digital-kilobyte … terabyte (`{0} кБ`, `{0} МБ`,
 * `{0} ГБ`, `{0} ТБ`) and `<unitLength type="long">` for digital-byte (`{0} байт`, the same
 * for one and other).
 */
const KY_BYTE_UNITS = {
  byte: 'байт',
  kilobyte: 'кБ',
  megabyte: 'МБ',
  gigabyte: 'ГБ',
  terabyte: 'ТБ',
} as const;

/** Returns `value` in `unit` as Kyrgyz writes a size, e.g. `1,5 МБ`, `386 байт`. */
export function kyBytes(
  value: number,
  unit: keyof typeof KY_BYTE_UNITS,
  maxFractionDigits: number,
) {
  return `${kyNumber(value, maxFractionDigits)} ${KY_BYTE_UNITS[unit]}`;
}

/**
 * `<listPatterns><listPattern>` (standard, the conjunction): `end` and `2` are
 * `{0} жана {1}`; `start` and `middle` inherit root's `{0}, {1}`. So `A жана B`,
 * `A, B жана C`.
 */
export function kyList(items: readonly string[]): string {
  if (items.length === 0) return '';
  if (items.length === 1) return items[0]!;
  return `${items.slice(0, -1).join(', ')} жана ${items[items.length - 1]}`;
}
