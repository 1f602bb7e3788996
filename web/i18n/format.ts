/**
 * Numbers, sizes and times written the way each language writes them, with Intl. Times are
 * shown in UTC and say so: a court file compares times across countries, and the witnesses'
 * timestamps are UTC seconds.
 *
 * A browser's Intl may lack a language: Debian's Chromium has no Kyrgyz data and writes `ky`
 * as en-US. Then Kyrgyz is written from the project's own copy of CLDR's data (ky-fallback.ts).
 * Russian and English are in every build's ICU, so they have no such copy.
 */

import { scaleBytes } from '../../src/records/byte-size.js';
import {
  KY_NUMBER_SYMBOLS,
  kyBytes,
  kyDateTimeUtc,
  kyDateUtc,
  kyList,
  kyNumber,
} from './ky-fallback.js';
import type { Lang } from './languages.js';

type IntlService = 'DateTimeFormat' | 'NumberFormat' | 'ListFormat';

const ownData = new Map<string, boolean>();

/**
 * True when Intl's `service` has `lang`'s own data: it says it supports `lang`, and a formatter
 * made for `lang` resolves to it rather than to the default locale.
 */
function intlHas(service: IntlService, lang: Lang): boolean {
  const key = `${service} ${lang}`;
  let has = ownData.get(key);
  if (has === undefined) {
    let resolved: string;
    let supported: readonly string[];
    switch (service) {
      case 'DateTimeFormat':
        supported = Intl.DateTimeFormat.supportedLocalesOf([lang]);
        resolved = new Intl.DateTimeFormat(lang).resolvedOptions().locale;
        break;
      case 'NumberFormat':
        supported = Intl.NumberFormat.supportedLocalesOf([lang]);
        resolved = new Intl.NumberFormat(lang).resolvedOptions().locale;
        break;
      case 'ListFormat':
        supported = Intl.ListFormat.supportedLocalesOf([lang]);
        resolved = new Intl.ListFormat(lang).resolvedOptions().locale;
        break;
    }
    has = supported.length > 0 && resolved.toLowerCase().split('-')[0] === lang;
    ownData.set(key, has);
  }
  return has;
}

/** True when `lang` is Kyrgyz and Intl's `service` cannot write it. */
const kyrgyzByHand = (service: IntlService, lang: Lang) => lang === 'ky' && !intlHas(service, lang);

const numberFormats = new Map<Lang, Intl.NumberFormat>();

/** Returns `n` with the language's digit grouping, e.g. `12 345` in Russian. */
export function formatNumber(n: number, lang: Lang): string {
  if (kyrgyzByHand('NumberFormat', lang)) return kyNumber(n);
  let f = numberFormats.get(lang);
  if (f === undefined) {
    f = new Intl.NumberFormat(lang);
    numberFormats.set(lang, f);
  }
  return f.format(n);
}

/**
 * Returns a size in bytes in decimal units, as the command line writes it too
 * (src/records/byte-size.ts): `1,5 МБ` is 1,500,000 bytes.
 */
export function formatBytes(bytes: number, lang: Lang): string {
  const { value, unit } = scaleBytes(bytes);
  if (kyrgyzByHand('NumberFormat', lang)) {
    return kyBytes(value, unit, unit === 'byte' ? 0 : 1);
  }
  return new Intl.NumberFormat(lang, {
    style: 'unit',
    unit,
    // CLDR's short form of a plain byte count is "386 byte" in English: spell bytes out.
    unitDisplay: unit === 'byte' ? 'long' : 'short',
    maximumFractionDigits: unit === 'byte' ? 0 : 1,
  }).format(value);
}

const DATE_TIME: Intl.DateTimeFormatOptions = {
  year: 'numeric',
  month: 'long',
  day: 'numeric',
  hour: '2-digit',
  minute: '2-digit',
  second: '2-digit',
  // 24-hour everywhere: 12:00:00 UTC, never 12:00:00 PM, which a reader may misread.
  hourCycle: 'h23',
  timeZone: 'UTC',
  timeZoneName: 'short',
};

/** Returns a POSIX time in seconds as a date and time in UTC, e.g. `5 March 2025, 12:00:00 UTC`. */
export function formatUnixTime(seconds: number, lang: Lang): string {
  if (kyrgyzByHand('DateTimeFormat', lang)) return kyDateTimeUtc(seconds * 1000);
  return new Intl.DateTimeFormat(lang, DATE_TIME).format(new Date(seconds * 1000));
}

/**
 * Returns an RFC 3339 time (or a full date) as a date and time in UTC; a date alone stays a
 * date. Text that is not a time is returned as it is.
 */
export function formatIsoTime(iso: string, lang: Lang): string {
  const ms = Date.parse(iso);
  if (Number.isNaN(ms)) return iso;
  const dateOnly = /^\d{4}-\d{2}-\d{2}$/.test(iso);
  if (kyrgyzByHand('DateTimeFormat', lang)) return dateOnly ? kyDateUtc(ms) : kyDateTimeUtc(ms);
  if (dateOnly) {
    return new Intl.DateTimeFormat(lang, { dateStyle: 'long', timeZone: 'UTC' }).format(ms);
  }
  return new Intl.DateTimeFormat(lang, DATE_TIME).format(ms);
}

/**
 * Returns a calendar date (`YYYY-MM-DD`, as the books carry dates) as the language writes
 * dates, e.g. `15 February 2024`, `15 февраля 2024 г.`. Text that is not such a date is
 * returned as it is.
 */
export function formatDate(date: string, lang: Lang): string {
  return /^\d{4}-\d{2}-\d{2}$/.test(date) ? formatIsoTime(date, lang) : date;
}

/** Returns names joined as the language lists them, e.g. `A, B и C`. */
export function formatList(items: readonly string[], lang: Lang): string {
  if (kyrgyzByHand('ListFormat', lang)) return kyList(items);
  return new Intl.ListFormat(lang, { style: 'long', type: 'conjunction' }).format(items);
}

const separators = new Map<Lang, { group: string; decimal: string }>();

/**
 * Returns a decimal string (`"-1250.5"`, as the books carry amounts) with the language's digit
 * grouping and decimal sign, digit for digit: no rounding, no float. Text that is not a plain
 * decimal is returned as it is.
 */
export function formatDecimal(text: string, lang: Lang): string {
  const m = /^([+-]?)(\d+)(?:\.(\d+))?$/.exec(text);
  if (m === null) return text;
  let s = separators.get(lang);
  if (s === undefined && kyrgyzByHand('NumberFormat', lang)) {
    s = { group: KY_NUMBER_SYMBOLS.group, decimal: KY_NUMBER_SYMBOLS.decimal };
    separators.set(lang, s);
  }
  if (s === undefined) {
    const parts = new Intl.NumberFormat(lang).formatToParts(12345.6);
    s = {
      group: parts.find((p) => p.type === 'group')?.value ?? ',',
      decimal: parts.find((p) => p.type === 'decimal')?.value ?? '.',
    };
    separators.set(lang, s);
  }
  const [, sign = '', int = '0', frac] = m;
  const grouped = int.replace(/\B(?=(\d{3})+(?!\d))/g, s.group);
  // A true minus sign reads better than a hyphen in a column of figures.
  return `${sign === '-' ? '\u2212' : ''}${grouped}${frac === undefined ? '' : `${s.decimal}${frac}`}`;
}
