/**
 * The entry form's arithmetic (web/app/books/money.ts): amounts as people type them, the live
 * balance per currency and fund in exact minor units, and amounts written digit for digit and
 * dates in each language (web/i18n/format.ts formatDecimal, formatDate).
 */
import { describe, expect, it } from 'vitest';
import { treeOrder } from '../../web/app/books/chart.js';
import {
  type DraftPosting,
  draftBalance,
  normaliseTyped,
  postingDecimal,
  readPosting,
  toDebitCredit,
} from '../../web/app/books/money.js';
import { formatDate, formatDecimal } from '../../web/i18n/format.js';

const row = (p: Partial<DraftPosting>): DraftPosting => ({
  account: 'Assets:Bank:KGS',
  debit: '',
  credit: '',
  currency: 'KGS',
  fund: '',
  ...p,
});

describe('typed amounts', () => {
  it('take spaces, a decimal comma or point, and nothing else', () => {
    expect(normaliseTyped('1 250,5')).toBe('1250.5');
    expect(normaliseTyped('1\u00a0250.50')).toBe('1250.50');
    expect(normaliseTyped('12')).toBe('12');
    expect(normaliseTyped('')).toBeNull();
    expect(normaliseTyped('1,250.50')).toBeNull();
    expect(normaliseTyped('-5')).toBeNull();
    expect(normaliseTyped('1e3')).toBeNull();
  });

  it('are a debit (positive) or a credit (negative), never both, never rounded', () => {
    expect(readPosting(row({ debit: '0.1' }))).toEqual({ state: 'ok', amount: 10n });
    expect(readPosting(row({ credit: '1 000,01' }))).toEqual({ state: 'ok', amount: -100001n });
    expect(readPosting(row({ debit: '1', credit: '1' }))).toEqual({
      state: 'problem',
      problem: 'both',
    });
    expect(readPosting(row({ debit: '1.005' }))).toEqual({ state: 'problem', problem: 'decimals' });
    expect(readPosting(row({ debit: '1.500' }))).toEqual({ state: 'ok', amount: 150n });
    expect(readPosting(row({ debit: '5', currency: 'JPY' }))).toEqual({ state: 'ok', amount: 5n });
    expect(readPosting(row({ debit: '0' }))).toEqual({ state: 'problem', problem: 'zero' });
    expect(readPosting(row({ debit: '1', currency: 'XXQ' }))).toEqual({
      state: 'problem',
      problem: 'currency',
    });
    expect(postingDecimal(row({ credit: '0,5' }))).toBe('-0.50');
    expect(toDebitCredit('-0.50')).toEqual({ debit: '', credit: '0.50' });
    expect(toDebitCredit('12.00')).toEqual({ debit: '12.00', credit: '' });
  });
});

describe('the live balance', () => {
  it('balances per currency and per fund, exactly', () => {
    // 0.1 + 0.2 = 0.3, which floating point gets wrong.
    const b = draftBalance([
      row({ debit: '0.1' }),
      row({ debit: '0.2' }),
      row({ account: 'Income:Other', credit: '0.3' }),
    ]);
    expect(b.balanced).toBe(true);
    expect(b.lines).toEqual([{ currency: 'KGS', fund: '', debit: 30n, credit: 30n }]);

    const funds = draftBalance([
      row({ debit: '100' }),
      row({ account: 'Expenses:Strike support', credit: '100', fund: 'strike' }),
    ]);
    expect(funds.balanced).toBe(false);
    expect(funds.lines.map((l) => [l.fund, l.debit - l.credit])).toEqual([
      ['', 10000n],
      ['strike', -10000n],
    ]);
  });

  it('is not ready with fewer than two lines, an account without an amount, or a problem', () => {
    expect(draftBalance([row({ debit: '1' }), row({ account: '' })]).balanced).toBe(false);
    expect(
      draftBalance([row({ debit: '1' }), row({ credit: '1' }), row({ account: 'Income:Other' })])
        .balanced,
    ).toBe(false);
    expect(
      draftBalance([row({ debit: '1' }), row({ credit: '1' }), row({ account: '' })]).balanced,
    ).toBe(true);
    const bad = draftBalance([row({ debit: '1' }), row({ credit: '1', debit: '1' })]);
    expect(bad.problems).toEqual([null, 'both']);
    expect(bad.balanced).toBe(false);
  });
});

describe('amounts in each language', () => {
  it('are grouped and signed as the language writes them, digit for digit', () => {
    expect(formatDecimal('1234567.50', 'en')).toBe('1,234,567.50');
    expect(formatDecimal('-1234567.50', 'ru')).toBe('\u22121\u00a0234\u00a0567,50');
    expect(formatDecimal('12345678901234567.89', 'en')).toBe('12,345,678,901,234,567.89');
    expect(formatDecimal('0.5', 'ky')).toMatch(/^0[.,]5$/);
    expect(formatDecimal('not a number', 'en')).toBe('not a number');
  });
});

describe('dates in each language', () => {
  it('are written as the language writes a date, the day never shifted by a time zone', () => {
    expect(formatDate('2024-02-15', 'en')).toBe('February 15, 2024');
    expect(formatDate('2024-02-15', 'ru')).toBe('15 февраля 2024 г.');
    expect(formatDate('2024-12-31', 'ky')).toMatch(/2024.*31/);
    expect(formatDate('2024-01-01', 'en')).toBe('January 1, 2024');
  });

  it('leave text that is not a YYYY-MM-DD date as it is', () => {
    for (const text of ['', '15.02.2024', '2024-02-15T10:00:00Z', 'March 5', '…']) {
      expect(formatDate(text, 'en')).toBe(text);
    }
  });
});

describe('the chart as a tree', () => {
  it('puts each parent right before its children', () => {
    const paths = ['Assets:Bank account', 'Assets:Bank:KGS', 'Assets', 'Assets:Bank', 'Income'];
    expect(treeOrder(paths.map((path) => ({ path }))).map((a) => a.path)).toEqual([
      'Assets',
      'Assets:Bank',
      'Assets:Bank:KGS',
      'Assets:Bank account',
      'Income',
    ]);
  });
});
