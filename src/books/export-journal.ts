/**
 * The books as an hledger journal that ledger reads too: `commodity`, `tag` and `account`
 * declarations (so `hledger check -s` and `ledger --pedantic` accept it), one transaction per
 * ledger entry with the sealed record id as its code, and statement balances as `= AMOUNT`
 * assertions on zero postings at the end of their day.
 *
 * hledger and ledger end a description at `;` and an account name at two spaces, so text is
 * written on one line with `;` as `,`; the sealed record, named by the code, holds it exactly.
 */
import { exportableAssertions } from './assertions.js';
import type { Ledger, LedgerAssertion, LedgerEntry } from './ledger.js';
import { ledgerAccounts } from './ledger.js';
import { formatAmount } from './model.js';

/** The journal and what was left out of it. */
export interface ExportResult {
  readonly text: string;
  /** Statement balances the books do not meet, written as comments: `tamga books report` lists them. */
  readonly warnings: readonly string[];
}

// Control characters, and the Unicode line and paragraph separators, end a line.
// biome-ignore lint/suspicious/noControlCharactersInRegex: they are what is replaced.
const CONTROL = /[\u0000-\u001f\u007f\u2028\u2029]+/g;

function oneLine(s: string): string {
  return s.replace(CONTROL, ' ').replace(/;/g, ',').replace(/ {2,}/g, ' ').trim();
}

function tagValue(s: string): string {
  return oneLine(s).replace(/,/g, ' ');
}

/** Returns the currencies used by the ledger, sorted. */
export function ledgerCurrencies(ledger: Ledger): string[] {
  const set = new Set<string>();
  for (const a of ledger.chart.accounts()) set.add(a.currency);
  for (const e of ledger.entries) for (const p of e.postings) set.add(p.currency);
  for (const a of ledger.assertions) set.add(a.currency);
  return [...set].sort();
}

const TAGS = [
  'tamga',
  'kind',
  'reverses',
  'reversed-by',
  'counterparty',
  'documents',
  'statement',
  'line',
  'fund',
];

/** Returns the ledger as an hledger/ledger journal. */
export function exportJournal(ledger: Ledger): ExportResult {
  const out: string[] = [];
  const { kept, failed } = exportableAssertions(ledger);
  out.push(
    '; Tamga books, exported as an hledger journal (ledger reads it too).',
    `; Sealed records up to log size ${ledger.logSize}. A transaction's code is its sealed record:`,
    '; prove it with `tamga show ID` or `tamga evidence ID`.',
    '',
  );
  for (const c of ledgerCurrencies(ledger)) out.push(`commodity ${c}`);
  out.push('');
  for (const t of TAGS) out.push(`tag ${t}`);
  out.push('');
  for (const a of ledgerAccounts(ledger)) out.push(`account ${a}`);
  out.push('');
  const warnings = failed.map(
    (f) =>
      `statement balance of ${f.assertion.account} at the end of ${f.assertion.date} is ${formatAmount(f.assertion.amount, f.assertion.currency)} ${f.assertion.currency}, but the books give ${formatAmount(f.actual, f.assertion.currency)} (record ${f.assertion.record}); left out of the export`,
  );
  for (const w of warnings) out.push(`; NOT MET: ${oneLine(w)}`);
  if (warnings.length > 0) out.push('');

  let ai = 0;
  const flushAssertions = (upTo: string | null) => {
    let date: string | null = null;
    let lines: string[] = [];
    const emit = () => {
      if (date !== null && lines.length > 0) out.push(`${date} * Statement balances`, ...lines, '');
      lines = [];
    };
    while (ai < kept.length && (upTo === null || (kept[ai] as LedgerAssertion).date < upTo)) {
      const a = kept[ai] as LedgerAssertion;
      if (a.date !== date) {
        emit();
        date = a.date;
      }
      const zero = formatAmount(0n, a.currency);
      lines.push(
        `    ${a.account}  ${zero} ${a.currency} = ${formatAmount(a.amount, a.currency)} ${a.currency}  ; tamga: ${a.record}`,
      );
      ai++;
    }
    emit();
  };

  for (const e of ledger.entries) {
    flushAssertions(e.date);
    writeEntry(out, e);
  }
  flushAssertions(null);
  return { text: `${out.join('\n')}\n`, warnings };
}

function writeEntry(out: string[], e: LedgerEntry): void {
  const description = oneLine(e.description) || '(no description)';
  out.push(
    `${e.date} * (${e.record}) ${e.kind === 'reversal' ? `Reversal: ${description}` : description}`,
  );
  if (e.kind !== 'original') out.push(`    ; kind: ${e.kind}`);
  if (e.reverses !== undefined) out.push(`    ; reverses: ${e.reverses}`);
  if (e.reversedBy !== undefined) out.push(`    ; reversed-by: ${e.reversedBy}`);
  if (e.counterparty !== undefined && tagValue(e.counterparty) !== '')
    out.push(`    ; counterparty: ${tagValue(e.counterparty)}`);
  if (e.documents.length > 0) out.push(`    ; documents: ${e.documents.join(' ')}`);
  if (e.source !== undefined)
    out.push(`    ; statement: ${e.source.statement}`, `    ; line: ${e.source.line}`);
  for (const p of e.postings) {
    const fund = p.fund === undefined ? '' : `  ; fund: ${tagValue(p.fund)}`;
    out.push(`    ${p.account}  ${formatAmount(p.amount, p.currency)} ${p.currency}${fund}`);
  }
  out.push('');
}
