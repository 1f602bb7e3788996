/**
 * The CSV column mapping form's logic (web/app/books/csv-mapping.ts) on the KGS sample
 * statement: the first guess, the form as the sample's mapping, the rows as split, the preview
 * the pure parser reads, a sample cut after a whole row, and a saved mapping back in the form.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { encodeCodePage } from '../../src/books/import/codepages.js';
import { parseCsvMapping } from '../../src/books/import/csv.js';
import {
  checkMapping,
  columnChoices,
  decodeSample,
  EMPTY_FORM,
  formOf,
  guessForm,
  type MappingForm,
  mappingJson,
  previewOf,
  sampleOf,
  splitRows,
  withDecimals,
  withHeader,
} from '../../web/app/books/csv-mapping.js';

const SAMPLES = new URL('../books/samples/', import.meta.url);
const csv = new Uint8Array(readFileSync(new URL('statement-kgs.csv', SAMPLES)));
const sampleMapping = JSON.parse(
  readFileSync(new URL('statement-kgs.mapping.json', SAMPLES), 'utf8'),
) as Record<string, unknown>;

/** The form as a treasurer fills it in for the sample. */
const filled: MappingForm = {
  ...EMPTY_FORM,
  skipLines: 1,
  amounts: 'split',
  columns: {
    date: 'Дата',
    valueDate: 'Дата валютирования',
    reference: 'Номер документа',
    counterparty: 'Контрагент',
    purpose: 'Назначение платежа',
    debit: 'Дебет',
    credit: 'Кредит',
    balance: 'Остаток',
  },
  account: '1240020000123456',
  currency: 'kgs',
};

describe('the CSV column mapping form', () => {
  it('guesses the encoding and the delimiter', () => {
    expect(guessForm(csv)).toMatchObject({ encoding: 'utf-8', delimiter: ';' });
    // The title and the header: Russian letters (the Kyrgyz ones have no Windows-1251 byte).
    const text = new TextDecoder().decode(csv).split('\r\n').slice(0, 2).join('\r\n');
    const cp1251 = encodeCodePage(text, 'windows-1251');
    if (!('bytes' in cp1251)) throw new Error('unencodable');
    expect(guessForm(cp1251.bytes)).toMatchObject({ encoding: 'windows-1251', delimiter: ';' });
    expect(decodeSample(cp1251.bytes, 'windows-1251')).toBe(text);
  });

  it('is the sample mapping when filled in as the treasurer would', () => {
    const checked = checkMapping(filled);
    expect(checked.error).toBeUndefined();
    expect(checked.mapping).toEqual(parseCsvMapping(sampleMapping));
    // What is not shown is not sent: no amount column in split mode, no account with a column.
    expect(
      mappingJson({ ...filled, columns: { ...filled.columns, amount: 6 } }).columns,
    ).not.toHaveProperty('amount');
    expect(
      mappingJson({ ...filled, columns: { ...filled.columns, account: 2 } }),
    ).not.toHaveProperty('account');
  });

  it('splits the first rows, and offers columns by header name', () => {
    const split = splitRows(decodeSample(csv, 'utf-8'), filled);
    expect(split.error).toBeNull();
    expect(split.header?.line).toBe(2);
    expect(split.rows.map((r) => r.line)).toEqual([3, 4, 6]);
    expect(split.width).toBe(8);
    const choices = columnChoices(split, filled);
    expect(choices.map((c) => c.column)).toEqual([
      'Дата',
      'Дата валютирования',
      'Номер документа',
      'Контрагент',
      'Назначение платежа',
      'Дебет',
      'Кредит',
      'Остаток',
    ]);
    // Without a header the columns are positions, and the header's names become them.
    const plain = withHeader(filled, false, split);
    expect(plain.columns).toMatchObject({ date: 1, debit: 6, credit: 7, balance: 8 });
    expect(withHeader(plain, true, splitRows(decodeSample(csv, 'utf-8'), plain)).columns).toEqual(
      filled.columns,
    );
    expect(columnChoices(splitRows(decodeSample(csv, 'utf-8'), plain), plain)[3]).toEqual({
      column: 4,
      position: 4,
      sample: 'Контрагент',
    });
  });

  it('previews what the import reads, or says why it does not read, naming the line', () => {
    const ok = previewOf(csv, checkMapping(filled).mapping!);
    expect(ok.statement?.lines.map((l) => [l.line, l.date, l.amount])).toEqual([
      [3, '2024-05-02', '48200'],
      [4, '2024-05-03', '-12000.5'],
      [6, '2024-05-03', '-150'],
    ]);
    expect(ok.statement?.balances.map((b) => [b.kind, b.amount])).toEqual([
      ['opening', '100000'],
      ['closing', '136049.5'],
    ]);
    expect(withDecimals('-12000.5', 'KGS')).toBe('-12000.50');
    expect(withDecimals('100', 'KGS')).toBe('100.00');
    expect(withDecimals('1.5', 'JPY')).toBe('1.5');
    expect(withDecimals('7', 'JPY')).toBe('7');
    const wrongDate = previewOf(
      csv,
      checkMapping({ ...filled, dateFormat: 'YYYY-MM-DD' }).mapping!,
    );
    expect(wrongDate.error).toMatchObject({ code: 'csv.date', line: 3 });
    expect(checkMapping({ ...filled, columns: { date: 'Дата' } }).error?.message).toMatch(
      /must name either an amount column, or debit and credit columns/,
    );
  });

  it('cuts a sample after a whole row, never inside a quoted field', () => {
    // The purpose of line 4 spans two lines: cutting inside it keeps lines 1 to 3 only.
    const inside = new TextEncoder().encode(new TextDecoder().decode(csv).split('(арыз')[0]);
    const cut = sampleOf(inside, false);
    expect(new TextDecoder().decode(cut).endsWith('148 200,00\r\n')).toBe(true);
    expect(sampleOf(inside, true)).toBe(inside);
    expect(
      previewOf(cut, checkMapping(filled).mapping!).statement?.lines.map((l) => l.line),
    ).toEqual([3]);
  });

  it('edits a saved mapping', () => {
    const form = formOf(parseCsvMapping(sampleMapping));
    expect(form).not.toBeNull();
    expect(checkMapping(form!).mapping).toEqual(parseCsvMapping(sampleMapping));
    expect(formOf({ delimiter: ';' })).toBeNull();
  });
});
