/**
 * Timestamps as records write them: RFC 3339 (§5.6) in UTC, `YYYY-MM-DDTHH:MM:SS[.fraction]Z`,
 * and RFC 3339 full dates `YYYY-MM-DD`. Only the UTC form with upper-case `T` and `Z` is
 * accepted, so that one instant has few spellings and none depends on a time zone.
 *
 * Nothing here reads a clock: these functions check and format times that callers pass in.
 */

const TIMESTAMP = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.\d{1,9})?Z$/;
const FULL_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

/** Returns true when `text` is an RFC 3339 UTC timestamp such as `2025-03-01T09:30:00Z`. */
export function isUtcTimestamp(text: string): boolean {
  const m = TIMESTAMP.exec(text);
  if (m === null) return false;
  const [, y, mo, d, h, mi, s] = m.map(Number) as [number, ...number[]];
  if (!validDate(y!, mo!, d!) || h! > 23 || mi! > 59) return false;
  // RFC 3339 allows a leap second, which in UTC falls at 23:59:60.
  return s! <= 59 || (s === 60 && h === 23 && mi === 59);
}

/** Returns true when `text` is an RFC 3339 full date such as `2025-03-01`. */
export function isFullDate(text: string): boolean {
  const m = FULL_DATE.exec(text);
  return m !== null && validDate(Number(m[1]), Number(m[2]), Number(m[3]));
}

/**
 * Returns POSIX time `seconds` as an RFC 3339 UTC timestamp, `YYYY-MM-DDTHH:MM:SSZ`. Throws
 * RangeError unless `seconds` is an integer from 0 to 2^53 − 1 (callers pass checked values).
 */
export function formatUtcSeconds(seconds: number): string {
  if (!Number.isSafeInteger(seconds) || seconds < 0) {
    throw new RangeError(`formatUtcSeconds: ${seconds} is not an integer from 0 to 2^53-1`);
  }
  const days = Math.floor(seconds / 86400);
  const rest = seconds - days * 86400;
  const [y, m, d] = civilFromDays(days);
  const hh = Math.floor(rest / 3600);
  const mm = Math.floor((rest % 3600) / 60);
  const ss = rest % 60;
  return `${pad(y, 4)}-${pad(m, 2)}-${pad(d, 2)}T${pad(hh, 2)}:${pad(mm, 2)}:${pad(ss, 2)}Z`;
}

const PARTIAL_DATE = /^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?$/;

/**
 * Returns true when `text` is a date as precise as it is known: `YYYY-MM-DD` (an RFC 3339 full
 * date), `YYYY-MM` or `YYYY`, the reduced precisions of ISO 8601 (§5.2.1.2).
 */
export function isPartialDate(text: string): boolean {
  const m = PARTIAL_DATE.exec(text);
  if (m === null) return false;
  if (m[2] === undefined) return true;
  const month = Number(m[2]);
  if (m[3] === undefined) return month >= 1 && month <= 12;
  return validDate(Number(m[1]), month, Number(m[3]));
}

function validDate(y: number, m: number, d: number): boolean {
  return m >= 1 && m <= 12 && d >= 1 && d <= daysInMonth(y, m);
}

function daysInMonth(y: number, m: number): number {
  if (m === 2) return (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0 ? 29 : 28;
  return m === 4 || m === 6 || m === 9 || m === 11 ? 30 : 31;
}

// Howard Hinnant's civil_from_days (http://howardhinnant.github.io/date_algorithms.html), for
// days since 1970-01-01 ≥ 0: eras of 400 years, March-based years so leap days fall last.
function civilFromDays(z: number): [number, number, number] {
  const zz = z + 719468;
  const era = Math.floor(zz / 146097);
  const doe = zz - era * 146097;
  const yoe = Math.floor(
    (doe - Math.floor(doe / 1460) + Math.floor(doe / 36524) - Math.floor(doe / 146096)) / 365,
  );
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const d = doy - Math.floor((153 * mp + 2) / 5) + 1;
  const m = mp < 10 ? mp + 3 : mp - 9;
  const y = yoe + era * 400 + (m <= 2 ? 1 : 0);
  return [y, m, d];
}

function pad(n: number, width: number): string {
  return String(n).padStart(width, '0');
}
