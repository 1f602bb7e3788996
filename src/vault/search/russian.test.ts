/**
 * The Snowball Russian stemmer: the published vocabulary's sample (test/vectors/snowball-russian.json,
 * one test per word), and the word forms a union's records are searched by.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { stemRussian } from './russian.js';

const vectors = JSON.parse(
  readFileSync(new URL('../../../test/vectors/snowball-russian.json', import.meta.url), 'utf8'),
) as { pairs: Array<[string, string]> };

describe('stemRussian, on the Snowball vocabulary', () => {
  it('has the sample', () => {
    expect(vectors.pairs.length).toBeGreaterThan(900);
  });

  it.each(vectors.pairs)('%s → %s', (word, stem) => {
    expect(stemRussian(word)).toBe(stem);
  });
});

describe('stemRussian, on the words of a union’s records', () => {
  it.each([
    [['взносы', 'взносов', 'взносам', 'взносами', 'взносах', 'взнос', 'взноса'], 'взнос'],
    [['профсоюз', 'профсоюза', 'профсоюзу', 'профсоюзом', 'профсоюзе', 'профсоюзы'], 'профсоюз'],
    [['протокол', 'протокола', 'протоколы', 'протоколов', 'протоколам'], 'протокол'],
    [['собрание', 'собрания', 'собранию', 'собраний', 'собраниях'], 'собран'],
    [['отчёт', 'отчет', 'отчёта', 'отчетов'], 'отчет'],
  ])('%j all stem to %s', (words, stem) => {
    for (const w of words) expect([w, stemRussian(w)]).toEqual([w, stem]);
  });

  it('keeps й: it is a letter of its own, not и', () => {
    expect(stemRussian('йод')).toBe('йод');
    expect(stemRussian('иод')).toBe('иод');
  });

  it('leaves words without a Russian vowel, and numbers, as they are', () => {
    for (const w of ['2016', 'pdf', 'вз', 'мрт']) expect(stemRussian(w)).toBe(w);
  });
});
