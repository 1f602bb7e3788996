/**
 * Reading a ledger someone presents — a 1C statement export, a camt.053 statement, a CSV read
 * with a mapping, or an hledger journal — as movements of money that can be compared with the
 * sealed books. Pure: bytes in, entries out.
 */

import { parseCamt } from '../import/camt.js';
import { type CsvMapping, parseCsvStatement } from '../import/csv.js';
import { type DecimalText, sumDecimals } from '../import/decimal.js';
import { sniffFormat } from '../import/detect.js';
import { StatementError } from '../import/errors.js';
import { type OneCInconsistency, parse1C } from '../import/onec.js';
import type { PresentedEntry } from './compare.js';
import { type JournalTransaction, parseJournal } from './hledger.js';

/** The formats a presented ledger can be in. */
export type PresentedFormat = '1c' | 'camt' | 'csv' | 'hledger';

/** A presented ledger, read. */
export interface PresentedLedger {
  readonly format: PresentedFormat;
  readonly entries: readonly PresentedEntry[];
  /** The bank accounts a statement is for; empty for a journal. */
  readonly bankAccounts: readonly string[];
  /** For a journal: the accounts it names. */
  readonly accounts: readonly string[];
  /**
   * Totals the file states that its own figures do not add up to (a 1C statement's balances
   * and turnovers): findings about the file, reported with the comparison, never a refusal.
   */
  readonly inconsistencies: readonly OneCInconsistency[];
}

/** Options of `readPresented`. */
export interface PresentedOptions {
  readonly format?: PresentedFormat;
  readonly mapping?: CsvMapping;
  /** For a journal: the account whose movements are compared; else each transaction's size. */
  readonly account?: string;
}

/**
 * Reads a presented ledger. Throws StatementError naming the line for a file that does not read
 * in the format named or told from its bytes.
 */
export function readPresented(bytes: Uint8Array, options: PresentedOptions = {}): PresentedLedger {
  const seen = sniffFormat(bytes);
  const format: PresentedFormat =
    options.format ??
    (seen === '1c' || seen === 'camt' ? seen : options.mapping ? 'csv' : 'hledger');
  if (format === 'hledger') {
    let text: string;
    try {
      text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
    } catch {
      throw new StatementError('journal.encoding', null, 'the journal is not UTF-8 text');
    }
    const txs = parseJournal(text);
    if (txs.length === 0) {
      throw new StatementError(
        'presented.format',
        null,
        'the file holds no journal transaction, and is neither a 1C nor a camt.053 statement; for a CSV ledger, name its mapping with --mapping',
      );
    }
    return {
      format,
      entries: txs
        .map((t) => journalEntry(t, options.account))
        .filter((e): e is PresentedEntry => e !== null),
      bankAccounts: [],
      accounts: [...new Set(txs.flatMap((t) => t.postings.map((p) => p.account)))],
      inconsistencies: [],
    };
  }
  const inconsistencies: OneCInconsistency[] = [];
  const statement =
    format === '1c'
      ? parse1C(bytes, { onInconsistency: (found) => inconsistencies.push(found) })
      : format === 'camt'
        ? parseCamt(bytes)
        : options.mapping
          ? parseCsvStatement(bytes, options.mapping)
          : (() => {
              throw new StatementError(
                'presented.mapping',
                null,
                'a CSV ledger needs its column mapping: --mapping NAME',
              );
            })();
  return {
    format,
    entries: statement.lines.map((l) => ({
      line: l.line,
      date: l.date,
      amount: l.amount,
      counterparty: l.counterparty,
      purpose: l.purpose,
      reference: l.reference,
    })),
    bankAccounts: statement.accounts,
    accounts: [],
    inconsistencies,
  };
}

function journalEntry(t: JournalTransaction, account: string | undefined): PresentedEntry | null {
  let amount: DecimalText;
  if (account !== undefined) {
    const on = t.postings.filter(
      (p) => p.account === account || p.account.startsWith(`${account}:`),
    );
    if (on.length === 0) return null;
    amount = sumDecimals(on.map((p) => p.amount));
  } else {
    amount = sumDecimals(t.postings.filter((p) => !p.amount.startsWith('-')).map((p) => p.amount));
  }
  return {
    line: t.line,
    date: t.date,
    amount,
    counterparty: t.payee,
    purpose: t.description,
    reference: t.code,
  };
}
