/**
 * Property tests: random statement lines, written as a 1C file (both code pages), a camt.053
 * statement and CSV (both column styles), are read back as written.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { addDecimals, fromScaled } from '../../src/books/import/decimal.js';
import {
  parse1C,
  parseCamt,
  parseCsvMapping,
  parseCsvStatement,
} from '../../src/books/import/index.js';
import { write1C } from '../../src/books/import/onec-write.js';
import { type WrittenLine, writeCamt, writeCsv } from './statement-writers.js';

const ACCOUNT = '40703810000000000001';
// Characters both code pages of 1C files can write (cp866 has no « »); camt and CSV get more.
const LETTERS = 'abcXYZабвгдеёжзийАБВЁЮЯ0123456789.,"№()-/=';
const MORE = `${LETTERS}«»ңөүҢӨҮ;&<>'`;

const textOf = (chars: string) =>
  fc
    .array(fc.string({ unit: fc.constantFrom(...chars), minLength: 1, maxLength: 8 }), {
      minLength: 1,
      maxLength: 5,
    })
    .map((w) => w.join(' '));
const text = textOf(LETTERS);
const date = fc
  .date({
    min: new Date('2020-01-01T00:00:00Z'),
    max: new Date('2030-12-31T00:00:00Z'),
    noInvalidDate: true,
  })
  .map((d) => d.toISOString().slice(0, 10));
const amount = fc
  .bigInt({ min: -(10n ** 12n), max: 10n ** 12n })
  .filter((n) => n !== 0n)
  .map((n) => fromScaled(n, 2));
const line = fc.record({
  date,
  amount,
  counterparty: text,
  purpose: text,
  reference: fc.stringMatching(/^[A-Z0-9]{1,12}$/),
});
const lines = fc.array(line, { minLength: 0, maxLength: 30 });
const richLines = fc.array(
  fc.record({
    date,
    amount,
    counterparty: textOf(MORE),
    purpose: textOf(MORE),
    reference: fc.stringMatching(/^[A-Z0-9]{1,12}$/),
  }),
  { maxLength: 30 },
);
const opening = fc.bigInt({ min: -(10n ** 9n), max: 10n ** 12n }).map((n) => fromScaled(n, 2));

const sorted = (ls: WrittenLine[]) =>
  [...ls].sort((a, b) => (a.date < b.date ? -1 : a.date > b.date ? 1 : 0));
const closingOf = (open: string, ls: readonly WrittenLine[]) =>
  addDecimals(open, ...ls.map((l) => l.amount));

describe('statement parsers read back what the writers wrote', () => {
  it('1C, in Windows-1251 and DOS cp866', () => {
    fc.assert(
      fc.property(
        lines,
        opening,
        fc.constantFrom('Windows', 'DOS') as fc.Arbitrary<'Windows' | 'DOS'>,
        (ls, open, enc) => {
          const ordered = sorted(ls);
          const bytes = write1C(
            {
              from: '2020-01-01',
              to: '2030-12-31',
              sections: [
                {
                  account: ACCOUNT,
                  from: '2020-01-01',
                  to: '2030-12-31',
                  opening: open,
                  closing: closingOf(open, ordered),
                },
              ],
              payments: ordered.map((l, i) => ({
                bankAccount: ACCOUNT,
                date: l.date,
                amount: l.amount,
                number: String(i + 1),
                counterparty: l.counterparty,
                counterpartyAccount: `4070281000000000${String(i).padStart(4, '0')}`,
                purpose: l.purpose,
              })),
            },
            enc,
          );
          const s = parse1C(bytes);
          expect(s.encoding).toBe(enc === 'Windows' ? 'windows-1251' : 'cp866');
          expect(
            s.lines.map((l) => ({
              date: l.date,
              amount: l.amount,
              counterparty: l.counterparty,
              purpose: l.purpose,
            })),
          ).toEqual(ordered.map(({ reference: _r, ...rest }) => rest));
          expect(s.balances.map((b) => b.amount)).toEqual([open, closingOf(open, ordered)]);
        },
      ),
      { numRuns: 150 },
    );
  });

  it('camt.053', () => {
    fc.assert(
      fc.property(richLines, opening, (ls, open) => {
        const s = parseCamt(
          new TextEncoder().encode(writeCamt('KG00TEST', 'KGS', open, closingOf(open, ls), ls)),
        );
        expect(
          s.lines.map((l) => ({
            date: l.date,
            amount: l.amount,
            counterparty: l.counterparty,
            purpose: l.purpose,
            reference: l.reference,
          })),
        ).toEqual(ls);
        expect(s.balances.map((b) => b.amount)).toEqual([open, closingOf(open, ls)]);
      }),
      { numRuns: 150 },
    );
  });

  it('CSV, with an amount column or debit and credit columns', () => {
    fc.assert(
      fc.property(
        richLines,
        fc.constantFrom(',', ';', '\t'),
        fc.constantFrom('.', ',') as fc.Arbitrary<'.' | ','>,
        fc.boolean(),
        (ls, delimiter, decimalSeparator, pair) => {
          const mapping = parseCsvMapping({
            delimiter,
            decimalSeparator,
            dateFormat: 'DD.MM.YYYY',
            header: true,
            account: 'KG01',
            currency: 'KGS',
            columns: pair
              ? {
                  date: 'Date',
                  debit: 'Debit',
                  credit: 'Credit',
                  counterparty: 'Payee',
                  purpose: 'Memo',
                  reference: 'Ref',
                }
              : {
                  date: 'Date',
                  amount: 'Amount',
                  counterparty: 'Payee',
                  purpose: 'Memo',
                  reference: 'Ref',
                },
          });
          const s = parseCsvStatement(new TextEncoder().encode(writeCsv(mapping, ls)), mapping);
          expect(
            s.lines.map((l) => ({
              date: l.date,
              amount: l.amount,
              counterparty: l.counterparty,
              purpose: l.purpose,
              reference: l.reference,
            })),
          ).toEqual(ls);
        },
      ),
      { numRuns: 150 },
    );
  });
});
