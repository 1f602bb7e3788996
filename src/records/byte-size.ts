/**
 * Sizes of files as Tamga writes them for people, on the command line and in the web app alike:
 * decimal SI units (1 kB = 1000 bytes, 1 MB = 1000 kB, as the units' own names say, and as most
 * file managers count), at most one decimal. The unit is always written, so a size is never read
 * as mebibytes: 1536 KiB is 1.6 MB here, everywhere.
 */

/** The units, as Intl.NumberFormat names them (the web app writes them in each language). */
export const BYTE_UNITS = ['byte', 'kilobyte', 'megabyte', 'gigabyte', 'terabyte'] as const;

/** One of the units. */
export type ByteUnit = (typeof BYTE_UNITS)[number];

/** The English symbols of the units. */
const SYMBOLS: Readonly<Record<ByteUnit, string>> = {
  byte: 'B',
  kilobyte: 'kB',
  megabyte: 'MB',
  gigabyte: 'GB',
  terabyte: 'TB',
};

/**
 * Returns `bytes` in the largest unit in which it is at least 1, as a value rounded to one
 * decimal (whole bytes), and that unit.
 */
export function scaleBytes(bytes: number): { value: number; unit: ByteUnit } {
  let value = Math.max(0, bytes);
  let unit = 0;
  // Rounded first, so that 999,960 bytes is 1 MB rather than 1000 kB.
  while (Math.round(value * 10) / 10 >= 1000 && unit < BYTE_UNITS.length - 1) {
    value /= 1000;
    unit++;
  }
  return {
    value: unit === 0 ? Math.round(value) : Math.round(value * 10) / 10,
    unit: BYTE_UNITS[unit]!,
  };
}

/** Returns `bytes` in English symbols, e.g. `386 B`, `1.5 MB`, `12 GB`. */
export function formatByteSize(bytes: number): string {
  const { value, unit } = scaleBytes(bytes);
  return `${value} ${SYMBOLS[unit]}`;
}
