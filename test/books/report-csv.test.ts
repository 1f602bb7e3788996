/**
 * CSV cells a spreadsheet would run as formulas are written as text (OWASP "CSV Injection"),
 * leading spaces and full-width signs included; plain numbers stay numbers.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { spreadsheetText } from '../../src/books/report-output.js';

describe('spreadsheetText', () => {
  it('puts an apostrophe before a cell that would start a formula', () => {
    for (const cell of [
      '=1+1',
      '+1',
      '-1+2',
      '-x',
      '@SUM(A1:A9)',
      '\t1',
      '\rx',
      ' =cmd|"/C calc"!A0',
      '  +1',
      '\t=1',
      '\n=1',
      '\u00a0=1',
      '\u3000＝1',
      '＝1+1',
      '＋1',
      '－2',
      '＠SUM(A1)',
      '\u200b=1',
      '\ufeff@x',
      '-',
    ]) {
      expect(spreadsheetText(cell), JSON.stringify(cell)).toBe(`'${cell}`);
    }
  });

  it('leaves text and plain numbers as they are', () => {
    for (const cell of [
      '',
      '-120.00',
      '120.00',
      '-5',
      '0',
      'Salaries',
      'a=b',
      'ООО «Завод»',
      'Мүчөлүк төгүмдөр — апрель',
      "'=already text",
      ' plain',
    ]) {
      expect(spreadsheetText(cell), JSON.stringify(cell)).toBe(cell);
    }
  });

  it('only ever adds one apostrophe, and leaves nothing a formula but plain numbers', () => {
    const start = fc.constantFrom('', ' ', '\t', '\r', '\n', '\u00a0', '\u3000', '\u200b');
    const sign = fc.constantFrom('', '=', '+', '-', '@', '＝', '＋', '－', '＠', '1', 'a');
    fc.assert(
      fc.property(fc.array(start, { maxLength: 3 }), sign, fc.string(), (s, c, rest) => {
        const cell = `${s.join('')}${c}${rest}`;
        const safe = spreadsheetText(cell);
        expect([cell, `'${cell}`]).toContain(safe);
        if (!/^-?\d+(?:\.\d+)?$/.test(cell)) {
          expect(safe).not.toMatch(/^(?:[\t\r]|[\s\p{Cf}]*[=+\-@＝＋－＠])/u);
        }
      }),
      { numRuns: 2000 },
    );
  });
});
