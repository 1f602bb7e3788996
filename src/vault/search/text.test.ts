/** Tokens, case folding, a record's searchable text, and how a query is parsed. */
import { describe, expect, it } from 'vitest';
import type { TamgaRecord } from '../../records/record.js';
import { foldCase, ftsQuery, parseQuery, searchableText, tokens } from './text.js';

const doc = (body: Record<string, unknown>, name = 'scan.pdf'): TamgaRecord =>
  ({
    kind: 'document',
    id: '01JNQ0V1W8ZK3M5P7R9T2X4Y6A',
    created: '2025-03-01T09:30:00Z',
    author: 'treasurer',
    body: { path: '', tags: [], meta: {}, ...body },
    files: [{ sha256: '0'.repeat(64), size: 1, name, mediaType: 'application/pdf' }],
    refs: [],
  }) as TamgaRecord;

describe('tokens and case', () => {
  it('folds Cyrillic and Kyrgyz letters by Unicode’s rules, and never one letter into another', () => {
    expect(foldCase('ОТЧЁТ ЙОД ҮЙ ӨРДӨӨ ҢА')).toBe('отчёт йод үй өрдөө ңа');
    expect(tokens('ОТЧЁТ-й')).toEqual(['отчёт', 'й']);
  });

  it('composes decomposed letters first (NFC), so й typed as и + breve is й', () => {
    expect(tokens('и\u0306од')).toEqual(['йод']);
  });

  it('cuts at anything but letters and digits, and between letters and digits', () => {
    expect(tokens('Взносы2019_03.PDF')).toEqual(['взносы', '2019', '03', 'pdf']);
    expect(tokens('box=12; коробка №7')).toEqual(['box', '12', 'коробка', '7']);
    expect(tokens('%  _ \\')).toEqual([]);
  });
});

describe('searchableText', () => {
  it('holds a document’s path, title, tags, date, metadata keys and values, and file names', () => {
    const t = searchableText(
      doc(
        {
          path: 'архив/Взносы за март.pdf',
          title: 'Ведомость',
          tags: ['Архив'],
          documentDate: '2016-03',
          meta: { коробка: '12', 'tamga:rawPath': 'QUJD' },
        },
        'Взносы за март.pdf',
      ),
    );
    expect(t.words).toBe(
      'архив взносы за март pdf ведомость архив 2016 03 коробка 12 взносы за март pdf',
    );
    // Tamga's own metadata (base64 of a raw path) is not words.
    expect(t.words).not.toContain('quj');
    expect(t.ru.split(' ')).toContain('взнос');
    expect(t.words.split(' ')).toHaveLength(t.ru.split(' ').length);
    expect(t.words.split(' ')).toHaveLength(t.ky.split(' ').length);
  });

  it('holds every text value of another kind’s body, not its keys', () => {
    const incident = {
      ...doc({}),
      kind: 'incident',
      body: { date: '2024-03-12', place: 'Бишкек', description: 'Обыск', category: 'search' },
      files: [],
    } as TamgaRecord;
    expect(searchableText(incident).words).toBe('2024 03 12 бишкек обыск search');
  });
});

describe('parseQuery and ftsQuery', () => {
  it('splits on spaces; quotes keep a phrase; key=value is metadata; punctuation is raw', () => {
    expect(parseQuery('Взносы "общее собрание" Коробка=12 % ')).toEqual([
      { type: 'words', tokens: ['взносы'], exact: false },
      { type: 'words', tokens: ['общее', 'собрание'], exact: true },
      { type: 'meta', key: 'коробка', value: '12' },
      { type: 'raw', text: '%' },
    ]);
    expect(parseQuery('"office=Бишкек центр"')).toEqual([
      { type: 'meta', key: 'office', value: 'бишкек центр' },
    ]);
    expect(parseQuery('   ')).toEqual([]);
  });

  it('matches words as a prefix phrase, or by either language’s stems', () => {
    expect(ftsQuery({ type: 'words', tokens: ['receipt', '1'], exact: false })).toBe(
      '(words : "receipt 1"* OR ru : "receipt 1" OR ky : "receipt 1")',
    );
    expect(ftsQuery({ type: 'words', tokens: ['взносы'], exact: true })).toBe(
      '(words : "взносы" OR ru : "взнос" OR ky : "взносы")',
    );
    expect(ftsQuery({ type: 'meta', key: 'коробка', value: '12' })).toBe('(words : "коробка 12")');
    expect(ftsQuery({ type: 'raw', text: '%' })).toBeNull();
  });
});
