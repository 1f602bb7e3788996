/**
 * Kyrgyz written without the browser's Intl (web/i18n/ky-fallback.ts): the same strings as
 * Node's full ICU writes for `ky`, and web/i18n/format.ts using them when Intl has no Kyrgyz
 * data, as in Debian's Chromium, which formats `ky` as en-US.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import {
  KY_MONTHS,
  kyBytes,
  kyDateTimeUtc,
  kyDateUtc,
  kyList,
  kyLongDate,
  kyNumber,
} from '../../web/i18n/ky-fallback.js';

const NBSP = '\u00a0';
/** 2026-12-07T20:30:08Z, the example. */
const DEC_7 = Date.UTC(2026, 11, 7, 20, 30, 8);

describe('Kyrgyz from the project’s CLDR data', () => {
  it('writes the long date, and the date and time in UTC', () => {
    expect(kyDateTimeUtc(DEC_7)).toBe('2026-ж., 7-декабрь 20:30:08 UTC');
    expect(kyDateUtc(Date.UTC(2024, 1, 15))).toBe('2024-ж., 15-февраль');
    expect(kyDateTimeUtc(Date.UTC(2025, 0, 1, 3, 4, 5))).toBe('2025-ж., 1-январь 03:04:05 UTC');
    expect(KY_MONTHS).toEqual([
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
    ]);
    expect(() => kyLongDate(2026, 13, 1)).toThrow(RangeError);
    expect(() => kyDateTimeUtc(Number.NaN)).toThrow(RangeError);
  });

  it('writes numbers with a no-break space between groups and a decimal comma', () => {
    expect(kyNumber(60000)).toBe(`60${NBSP}000`);
    expect(kyNumber(60000.5)).toBe(`60${NBSP}000,5`);
    expect(kyNumber(-1234567.125)).toBe(`-1${NBSP}234${NBSP}567,125`);
    expect(kyNumber(999)).toBe('999');
    expect(kyNumber(1000)).toBe(`1${NBSP}000`);
    expect(kyNumber(0.0005)).toBe('0,001');
    expect(kyNumber(Number.NaN)).toBe('сан эмес');
    expect(kyBytes(1.5, 'megabyte', 1)).toBe('1,5 МБ');
    expect(kyBytes(386, 'byte', 0)).toBe('386 байт');
  });

  it('joins lists with жана', () => {
    expect(kyList([])).toBe('');
    expect(kyList(['A'])).toBe('A');
    expect(kyList(['A', 'B'])).toBe('A жана B');
    expect(kyList(['A', 'B', 'C', 'D'])).toBe('A, B, C жана D');
  });

  // Node is built with full ICU: what it writes for `ky` is CLDR's own answer.
  const icuHasKy = Intl.DateTimeFormat.supportedLocalesOf(['ky']).length > 0;
  it.skipIf(!icuHasKy)('writes what ICU writes for ky', () => {
    const dateTime = new Intl.DateTimeFormat('ky', {
      year: 'numeric',
      month: 'long',
      day: 'numeric',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
      hourCycle: 'h23',
      timeZone: 'UTC',
      timeZoneName: 'short',
    });
    const date = new Intl.DateTimeFormat('ky', { dateStyle: 'long', timeZone: 'UTC' });
    for (let i = 0; i < 400; i++) {
      // Every month, hours on both sides of noon, years from 1970 to 2100.
      const ms = Date.UTC(1970 + ((i * 7) % 131), i % 12, 1 + ((i * 11) % 28), (i * 5) % 24) + i;
      expect(kyDateTimeUtc(ms)).toBe(dateTime.format(ms));
      expect(kyDateUtc(ms)).toBe(date.format(ms));
    }
    const numbers = new Intl.NumberFormat('ky');
    for (const n of [0, 7, 12.5, 999, 1000, 60000, 123456.789, -42.1, 1e9 + 0.25, 0.3333]) {
      expect(kyNumber(n)).toBe(numbers.format(n));
    }
    const list = new Intl.ListFormat('ky', { style: 'long', type: 'conjunction' });
    for (const items of [['A'], ['A', 'B'], ['A', 'B', 'C'], ['w1', 'w2', 'w3', 'w4']]) {
      expect(kyList(items)).toBe(list.format(items));
    }
    for (const [unit, display, digits] of [
      ['byte', 'long', 0],
      ['kilobyte', 'short', 1],
      ['megabyte', 'short', 1],
      ['gigabyte', 'short', 1],
      ['terabyte', 'short', 1],
    ] as const) {
      const icu = new Intl.NumberFormat('ky', {
        style: 'unit',
        unit,
        unitDisplay: display,
        maximumFractionDigits: digits,
      });
      expect(kyBytes(2.25, unit, digits)).toBe(icu.format(2.25));
    }
  });
});

/**
 * An Intl like Debian Chromium's: it has no Kyrgyz, says so in supportedLocalesOf, and writes
 * `ky` as en-US. Everything else is the real Intl.
 */
function intlWithoutKyrgyz(): typeof Intl {
  const noKy = (locales: unknown) =>
    locales === 'ky' || (Array.isArray(locales) && locales[0] === 'ky') ? 'en-US' : locales;
  const wrap = <C extends { supportedLocalesOf(l: string | string[]): string[] }>(Real: C): C => {
    const Fake = function (this: unknown, locales: unknown, options: unknown) {
      return new (Real as unknown as new (l: unknown, o: unknown) => object)(
        noKy(locales),
        options,
      );
    } as unknown as C;
    Object.defineProperty(Fake, 'supportedLocalesOf', {
      value: (l: string | string[]) =>
        Real.supportedLocalesOf(l).filter((x) => !x.toLowerCase().startsWith('ky')),
    });
    return Fake;
  };
  return {
    ...Intl,
    DateTimeFormat: wrap(Intl.DateTimeFormat),
    NumberFormat: wrap(Intl.NumberFormat),
    ListFormat: wrap(Intl.ListFormat),
    PluralRules: Intl.PluralRules,
  } as typeof Intl;
}

describe('format.ts in a browser without Kyrgyz data', () => {
  afterEach(() => {
    vi.unstubAllGlobals();
    vi.resetModules();
  });

  const load = async () => {
    vi.stubGlobal('Intl', intlWithoutKyrgyz());
    vi.resetModules();
    return import('../../web/i18n/format.js');
  };

  it('still writes Kyrgyz month names, numbers, amounts, sizes and lists', async () => {
    // The stand-in is as bad as the issue says…
    expect(new (intlWithoutKyrgyz().NumberFormat)('ky').format(60000)).toBe('60,000');
    const f = await load();
    expect(f.formatUnixTime(DEC_7 / 1000, 'ky')).toBe('2026-ж., 7-декабрь 20:30:08 UTC');
    expect(f.formatIsoTime('2026-12-07T20:30:08Z', 'ky')).toBe('2026-ж., 7-декабрь 20:30:08 UTC');
    expect(f.formatDate('2024-02-15', 'ky')).toBe('2024-ж., 15-февраль');
    expect(f.formatNumber(60000, 'ky')).toBe(`60${NBSP}000`);
    expect(f.formatDecimal('60000.00', 'ky')).toBe(`60${NBSP}000,00`);
    expect(f.formatDecimal('-1250.5', 'ky')).toBe(`\u22121${NBSP}250,5`);
    // Decimal units, as the command line writes them (src/records/byte-size.ts).
    expect(f.formatBytes(1_500_000, 'ky')).toBe('1,5 МБ');
    expect(f.formatBytes(386, 'ky')).toBe('386 байт');
    expect(f.formatList(['witness A', 'witness B'], 'ky')).toBe('witness A жана witness B');
  });

  it('leaves the languages Intl has to Intl', async () => {
    const f = await load();
    expect(f.formatUnixTime(DEC_7 / 1000, 'ru')).toBe('7 декабря 2026 г. в 20:30:08 UTC');
    expect(f.formatDecimal('60000.00', 'ru')).toBe(`60${NBSP}000,00`);
    expect(f.formatList(['A', 'B'], 'ru')).toBe('A и B');
    expect(f.formatUnixTime(DEC_7 / 1000, 'en')).toBe('December 7, 2026 at 20:30:08 UTC');
    expect(f.formatDecimal('60000.00', 'en')).toBe('60,000.00');
  });
});
