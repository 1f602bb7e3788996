/**
 * What every statement parser returns: the lines of a bank statement (one movement of money on
 * one bank account each) and the balances the statement states. Amounts are canonical decimal
 * strings (decimal.ts), positive for money in and negative for money out.
 */
import type { DecimalText } from './decimal.js';

/** The statement formats Tamga reads. */
export type StatementFormat = '1c' | 'camt' | 'csv';

/** One movement of money on a bank account, as the statement gives it. */
export interface StatementLine {
  /** The bank account as the statement names it (an IBAN, a 20-digit or 16-digit account). */
  readonly bankAccount: string;
  /** The booking date, YYYY-MM-DD. */
  readonly date: string;
  /** The value date, when the statement gives one that differs. */
  readonly valueDate?: string;
  /** Signed: positive when money came in, negative when it went out. Never zero. */
  readonly amount: DecimalText;
  /** ISO 4217 code; null when the statement does not say (1C files: the account's currency). */
  readonly currency: string | null;
  /** The other party's name; `''` when the statement does not give one. */
  readonly counterparty: string;
  /** The other party's account, when given. */
  readonly counterpartyAccount?: string;
  /** The other party's tax number (ИНН), when given. */
  readonly counterpartyTaxId?: string;
  /** What the payment is for (назначение платежа, remittance information). */
  readonly purpose: string;
  /** A reference the bank gives this line alone, when the format has one; else null. */
  readonly reference: string | null;
  /** The 1-based line of the file where this entry starts. */
  readonly line: number;
  /** Everything else the statement says of the line (document number, budget fields…). */
  readonly meta: Readonly<Record<string, string>>;
}

/** A balance the statement states for one of its accounts. */
export interface StatementBalance {
  readonly bankAccount: string;
  /** `opening`: at the start of `date`, before its lines; `closing`: at its end. */
  readonly kind: 'opening' | 'closing';
  readonly date: string;
  readonly amount: DecimalText;
  readonly currency: string | null;
  readonly line: number;
}

/** A whole statement file, read and checked. */
export interface ParsedStatement {
  readonly format: StatementFormat;
  /** The bank accounts the statement is for, in the order it names them. */
  readonly accounts: readonly string[];
  readonly lines: readonly StatementLine[];
  readonly balances: readonly StatementBalance[];
  /** The period the statement covers, when it says. */
  readonly period: { readonly from: string; readonly to: string } | null;
  /** Things worth telling the person importing, that do not stop the import. */
  readonly warnings: readonly string[];
  /** The character encoding the file was read in. */
  readonly encoding: string;
}
