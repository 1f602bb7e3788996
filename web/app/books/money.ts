/**
 * The entry form's arithmetic: amounts as people type them (`1 250,50`, `1250.5`) to the books'
 * exact decimal strings, and the balance of a draft per currency and fund, in bigint minor
 * units with src/books/model.ts (pure), never floating point. The server checks the same again
 * (`transactionProblems`) before it seals.
 */
import { formatAmount, isCurrency, parseAmount } from '../../../src/books/model.js';

/** One row of the entry form, as typed: a debit or a credit, not both. */
export interface DraftPosting {
  readonly account: string;
  readonly debit: string;
  readonly credit: string;
  readonly currency: string;
  readonly fund: string;
}

/** What is wrong with a row's amount; the form translates `books.form.problem.<key>`. */
export type PostingProblem = 'both' | 'amount' | 'decimals' | 'currency' | 'zero';

/** A row read: its signed amount in minor units, or what is wrong with it, or nothing typed. */
export type ReadPosting =
  | { readonly state: 'empty' }
  | { readonly state: 'problem'; readonly problem: PostingProblem }
  | { readonly state: 'ok'; readonly amount: bigint };

/**
 * Returns `typed` as the decimal the books take (`"1250.50"` for `1 250,5`), or null when it
 * is not a plain unsigned decimal. Spaces (any), and one comma as the decimal sign, are allowed.
 */
export function normaliseTyped(typed: string): string | null {
  const compact = typed.replace(/[\s\u00a0\u202f']/g, '');
  if (compact === '') return null;
  const point =
    compact.includes(',') && !compact.includes('.') ? compact.replace(',', '.') : compact;
  return /^\d+(?:\.\d+)?$/.test(point) ? point : null;
}

/** Reads one row: debit positive, credit negative, in minor units of its currency. */
export function readPosting(p: DraftPosting): ReadPosting {
  const debit = p.debit.trim();
  const credit = p.credit.trim();
  if (debit === '' && credit === '') return { state: 'empty' };
  if (debit !== '' && credit !== '') return { state: 'problem', problem: 'both' };
  if (!isCurrency(p.currency)) return { state: 'problem', problem: 'currency' };
  const text = normaliseTyped(debit === '' ? credit : debit);
  if (text === null) return { state: 'problem', problem: 'amount' };
  let amount: bigint;
  try {
    amount = parseAmount(text, p.currency);
  } catch {
    // More decimals than the currency has (parseAmount never rounds), or too large.
    return { state: 'problem', problem: /\.\d/.test(text) ? 'decimals' : 'amount' };
  }
  if (amount === 0n) return { state: 'problem', problem: 'zero' };
  return { state: 'ok', amount: debit === '' ? -amount : amount };
}

/** The postings of one currency and fund, which must sum to zero. */
export interface BalanceLine {
  readonly currency: string;
  /** '' for the general fund. */
  readonly fund: string;
  readonly debit: bigint;
  readonly credit: bigint;
}

/** A draft's balance: per currency and fund, and whether it can be sealed as it stands. */
export interface DraftBalance {
  readonly lines: readonly BalanceLine[];
  /** Per row, in order: what is wrong with it, or null. */
  readonly problems: readonly (PostingProblem | null)[];
  /** Rows with an account and an amount. */
  readonly complete: number;
  /** Every line sums to zero, no row has a problem, and at least two rows are complete. */
  readonly balanced: boolean;
}

/** Returns the balance of `rows` per currency and fund. */
export function draftBalance(rows: readonly DraftPosting[]): DraftBalance {
  const sums = new Map<string, { currency: string; fund: string; debit: bigint; credit: bigint }>();
  const problems: (PostingProblem | null)[] = [];
  let complete = 0;
  let incomplete = false;
  for (const row of rows) {
    const read = readPosting(row);
    if (read.state === 'problem') {
      problems.push(read.problem);
      continue;
    }
    problems.push(null);
    if (read.state === 'empty') {
      if (row.account !== '') incomplete = true;
      continue;
    }
    if (row.account === '') {
      incomplete = true;
      continue;
    }
    complete++;
    const fund = row.fund.trim();
    const key = `${row.currency}\u0000${fund}`;
    const s = sums.get(key) ?? { currency: row.currency, fund, debit: 0n, credit: 0n };
    if (read.amount > 0n) s.debit += read.amount;
    else s.credit -= read.amount;
    sums.set(key, s);
  }
  const lines = [...sums.values()].sort((a, b) =>
    a.currency === b.currency ? a.fund.localeCompare(b.fund) : a.currency < b.currency ? -1 : 1,
  );
  const balanced =
    complete >= 2 &&
    !incomplete &&
    problems.every((p) => p === null) &&
    lines.every((l) => l.debit === l.credit);
  return { lines, problems, complete, balanced };
}

/** Returns a row's signed amount as the decimal string the API takes, or null. */
export function postingDecimal(row: DraftPosting): string | null {
  const read = readPosting(row);
  return read.state === 'ok' ? formatAmount(read.amount, row.currency) : null;
}

/** Returns minor units of `currency` as its decimal string; `currency` must be known. */
export function decimalOf(amount: bigint, currency: string): string {
  return isCurrency(currency) ? formatAmount(amount, currency) : amount.toString();
}

/** Splits a signed decimal (as the API gives it) into the debit and credit fields of a row. */
export function toDebitCredit(amount: string): { debit: string; credit: string } {
  return amount.startsWith('-')
    ? { debit: '', credit: amount.slice(1) }
    : { debit: amount.replace(/^\+/, ''), credit: '' };
}
