/** Dates read from scans' file names, and what is not taken for one. */
import { describe, expect, it } from 'vitest';
import { dateInName } from './document-date.js';
import { isPartialDate } from './time.js';

describe('dateInName', () => {
  it.each([
    ['2016-03-12 протокол.pdf', '2016-03-12'],
    ['scans/2009/2016_03_12.pdf', '2016-03-12'],
    ['Ведомость 2016.03.12.tif', '2016-03-12'],
    ['scan_20160312_0001.pdf', '2016-03-12'],
    ['протокол от 12.03.2016.pdf', '2016-03-12'],
    ['взносы 2016-03.xlsx', '2016-03'],
    ['взносы_03.2016.xlsx', '2016-03'],
    ['1999_12 отчёт.pdf', '1999-12'],
    // The first full date wins over an earlier month.
    ['2015-01 копия от 2016-03-12.pdf', '2016-03-12'],
  ])('%s → %s', (name, date) => {
    expect(dateInName(name)).toBe(date);
  });

  it.each([
    'IMG_1987.jpg', // a picture's number, not a year
    'отчёт за 2016 год.pdf', // a bare year is not read
    'box-12_page-03.pdf',
    'scan_2016031.pdf', // seven digits
    'scan_201603120.pdf', // nine digits
    '2016-02-30.pdf', // no such day
    '2016-13.pdf', // no such month
    '1850-03-12.pdf', // outside 1900–2099
    '31.02.2016.pdf', // no such day, and not February either
  ])('%s → no date', (name) => {
    expect(dateInName(name)).toBeNull();
  });

  it('reads only the last name of a path', () => {
    expect(dateInName('2016-03-12/scan.pdf')).toBeNull();
  });
});

describe('isPartialDate', () => {
  it.each(['2016', '2016-03', '2016-03-12', '2024-02-29', '0000'])('accepts %s', (d) => {
    expect(isPartialDate(d)).toBe(true);
  });

  it.each(['16', '2016-3', '2016-00', '2016-13', '2023-02-29', '2016-03-12T00:00:00Z', ' 2016'])(
    'refuses %s',
    (d) => {
      expect(isPartialDate(d)).toBe(false);
    },
  );
});
