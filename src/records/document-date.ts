/**
 * The date a document bears, read from its file's name, as scans are often named: 2016-03-12,
 * 2016_03_12, 20160312, 12.03.2016, 2016-03 or 03.2016. The result is a document record's
 * `documentDate` (bodies.ts): the document's own claim, never a proven time.
 *
 * Read conservatively, so that a page or box number is not taken for a date: years from 1900 to
 * 2099 only, separated parts or exactly eight digits, a real calendar date, digits not run on
 * from other digits, and no bare year (IMG_1987 is more likely a picture's number than a year).
 * The first full date in the name wins; failing one, the first month.
 */
import { isPartialDate } from './time.js';

const YEAR = '(19\\d{2}|20\\d{2})';
const MM = '(0[1-9]|1[0-2])';
const DD = '(0[1-9]|[12]\\d|3[01])';
const SEP = '[-_. ]';
/** Digits not run on from others before (?<!\d) or after (?!\d). */
const bounded = (body: string) => new RegExp(`(?<!\\d)${body}(?!\\d)`);

const FULL: ReadonlyArray<{ re: RegExp; ymd: [number, number, number] }> = [
  // 2016-03-12, 2016_03_12, 2016.03.12
  { re: bounded(`${YEAR}${SEP}${MM}${SEP}${DD}`), ymd: [1, 2, 3] },
  // 20160312
  { re: bounded(`${YEAR}${MM}${DD}`), ymd: [1, 2, 3] },
  // 12.03.2016, as dates are written in Russian and Kyrgyz
  { re: bounded(`${DD}${SEP}${MM}${SEP}${YEAR}`), ymd: [3, 2, 1] },
];

/** A month not part of a longer run of numbers (2016-02-30 is no date, not February). */
const monthOnly = (body: string) => new RegExp(`(?<!\\d${SEP}?)${body}(?!${SEP}?\\d)`);

const MONTH: ReadonlyArray<{ re: RegExp; ym: [number, number] }> = [
  // 2016-03
  { re: monthOnly(`${YEAR}${SEP}${MM}`), ym: [1, 2] },
  // 03.2016
  { re: monthOnly(`${MM}${SEP}${YEAR}`), ym: [2, 1] },
];

/**
 * Returns the date in the file name `name` (a path's last name is read), `YYYY-MM-DD` or
 * `YYYY-MM`, or null when it holds none (see the module's comment for what is read).
 */
export function dateInName(name: string): string | null {
  const base = name.split(/[\\/]/).pop() ?? name;
  let best: { at: number; date: string } | null = null;
  for (const { re, ymd } of FULL) {
    const m = re.exec(base);
    if (m === null || (best !== null && best.at <= m.index)) continue;
    const date = `${m[ymd[0]]}-${m[ymd[1]]}-${m[ymd[2]]}`;
    if (isPartialDate(date)) best = { at: m.index, date };
  }
  if (best !== null) return best.date;
  for (const { re, ym } of MONTH) {
    const m = re.exec(base);
    if (m === null || (best !== null && best.at <= m.index)) continue;
    best = { at: m.index, date: `${m[ym[0]]}-${m[ym[1]]}` };
  }
  return best?.date ?? null;
}
