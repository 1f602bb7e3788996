/**
 * Writers of camt.053 and CSV statements, for property tests: whatever they write, the parsers
 * must read back as the lines written. (The 1C writer is in src, for the benchmark too.)
 */
import type { CsvMapping } from '../../src/books/import/csv.js';
import { formatFixed, negateDecimal } from '../../src/books/import/decimal.js';

/** A line to write: a signed amount on the statement's account. */
export interface WrittenLine {
  readonly date: string;
  readonly amount: string;
  readonly counterparty: string;
  readonly purpose: string;
  readonly reference: string;
}

const xml = (s: string) =>
  s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

/** A camt.053.001.02 statement of one account; amounts written unsigned with CdtDbtInd. */
export function writeCamt(
  account: string,
  currency: string,
  opening: string,
  closing: string,
  lines: readonly WrittenLine[],
): string {
  const amt = (a: string) => {
    const negative = a.startsWith('-');
    return `<Amt Ccy="${currency}">${formatFixed(negative ? negateDecimal(a) : a, 2)}</Amt><CdtDbtInd>${negative ? 'DBIT' : 'CRDT'}</CdtDbtInd>`;
  };
  const entries = lines.map((l) => {
    const party = l.amount.startsWith('-') ? 'Cdtr' : 'Dbtr';
    return `<Ntry>${amt(l.amount)}<Sts>BOOK</Sts><BookgDt><Dt>${l.date}</Dt></BookgDt><AcctSvcrRef>${xml(l.reference)}</AcctSvcrRef><NtryDtls><TxDtls><RltdPties><${party}><Nm>${xml(l.counterparty)}</Nm></${party}></RltdPties><RmtInf><Ustrd>${xml(l.purpose)}</Ustrd></RmtInf></TxDtls></NtryDtls></Ntry>`;
  });
  const bal = (code: string, a: string) =>
    `<Bal><Tp><CdOrPrtry><Cd>${code}</Cd></CdOrPrtry></Tp>${amt(a)}<Dt><Dt>2024-01-01</Dt></Dt></Bal>`;
  return `<?xml version="1.0" encoding="UTF-8"?>\n<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.053.001.02"><BkToCstmrStmt><Stmt><Id>1</Id><Acct><Id><IBAN>${account}</IBAN></Id><Ccy>${currency}</Ccy></Acct>\n${bal('OPBD', opening)}${bal('CLBD', closing)}\n${entries.join('\n')}\n</Stmt></BkToCstmrStmt></Document>\n`;
}

/** A CSV statement written as `mapping` describes (amount or debit/credit columns). */
export function writeCsv(mapping: CsvMapping, lines: readonly WrittenLine[]): string {
  const d = mapping.delimiter;
  const field = (s: string) =>
    s.includes(d) || s.includes('"') || s.includes('\n') || s.includes('\r') || s.trim() !== s
      ? `"${s.replace(/"/g, '""')}"`
      : s;
  const num = (a: string) => formatFixed(a, 2).replace('.', mapping.decimalSeparator);
  const date = (iso: string) =>
    mapping.dateFormat === 'DD.MM.YYYY'
      ? `${iso.slice(8, 10)}.${iso.slice(5, 7)}.${iso.slice(0, 4)}`
      : iso;
  const pair = mapping.columns.debit !== undefined;
  const header = pair
    ? ['Date', 'Debit', 'Credit', 'Payee', 'Memo', 'Ref']
    : ['Date', 'Amount', 'Payee', 'Memo', 'Ref'];
  const rows = lines.map((l) => {
    const out = l.amount.startsWith('-');
    const money = pair
      ? [out ? num(negateDecimal(l.amount)) : '', out ? '' : num(l.amount)]
      : [num(l.amount)];
    return [date(l.date), ...money, l.counterparty, l.purpose, l.reference].map(field).join(d);
  });
  return `${[header.join(d), ...rows].join('\r\n')}\r\n`;
}
