/** The conservative Kyrgyz stemmer: the forms that must meet, and the endings it must leave. */
import { describe, expect, it } from 'vitest';
import { stemKyrgyz } from './kyrgyz.js';

describe('stemKyrgyz', () => {
  it.each([
    [
      // membership; memberships; of the membership; of the memberships; to, in, from it
      [
        'мүчөлүк',
        'мүчөлүктөр',
        'мүчөлүктүн',
        'мүчөлүктөрдүн',
        'мүчөлүккө',
        'мүчөлүктө',
        'мүчөлүктөн',
      ],
      'мүчөлүк',
    ],
    // fee, fees, the fee (acc.), its fee, of the fees
    [['акы', 'акылар', 'акыны', 'акысы', 'акылардын'], 'акы'],
    // tax, taxes, the tax (acc.)
    [['салык', 'салыктар', 'салыкты', 'салыкта'], 'салык'],
    // meeting, meetings, at the meeting
    [['жыйналыш', 'жыйналыштар', 'жыйналышта', 'жыйналыштын'], 'жыйналыш'],
    // a trade union (a loanword) and its case forms
    [['профсоюз', 'профсоюздун', 'профсоюзга', 'профсоюздар'], 'профсоюз'],
    // documents, of the documents, the documents (acc.)
    [['документ', 'документтер', 'документтердин', 'документтерди'], 'документ'],
    // our members' (possessive first person plural, then genitive), the members
    [['мүчөлөрүбүздүн', 'мүчөлөр', 'мүчө'], 'мүчө'],
  ])('%j all stem to %s', (words, stem) => {
    for (const w of words) expect([w, stemKyrgyz(w)]).toEqual([w, stem]);
  });

  it('removes an ending only when its vowel agrees with the word’s last vowel', () => {
    // и takes е, not а: a Russian word that merely ends like a Kyrgyz dative keeps it.
    expect(stemKyrgyz('республика')).toBe('республика');
    expect(stemKyrgyz('машина')).toBe('машина');
    // а takes а: куш + тар.
    expect(stemKyrgyz('куштар')).toBe('куш');
  });

  it('leaves at least three letters, one a vowel', () => {
    // апта (a week) is not ап + та; иштер stays whole rather than become иш.
    expect(stemKyrgyz('апта')).toBe('апта');
    expect(stemKyrgyz('аптанын')).toBe('апта');
    expect(stemKyrgyz('иштер')).toBe('иштер');
  });

  it('leaves numbers and Latin words as they are', () => {
    for (const w of ['2016', 'protocol', 'tar']) expect(stemKyrgyz(w)).toBe(w);
  });
});
