/**
 * The books as a beancount file that `bean-check` accepts: `open` for every account on the
 * earliest date, one transaction per ledger entry with the sealed record id as metadata, and
 * statement balances as `balance` directives dated the day after (beancount checks a balance at
 * the start of its day; Tamga's are at the end). Account names are encoded reversibly
 * (beancount-names.ts).
 */
import { exportableAssertions } from './assertions.js';
import { beancountAccount } from './beancount-names.js';
import type { ExportResult } from './export-journal.js';
import { ledgerCurrencies } from './export-journal.js';
import { type Ledger, type LedgerEntry, ledgerAccounts } from './ledger.js';
import { type AccountType, formatAmount } from './model.js';

// Control characters, and the Unicode line and paragraph separators, end a line.
// biome-ignore lint/suspicious/noControlCharactersInRegex: they are what is replaced.
const CONTROL = /[\u0000-\u001f\u007f\u2028\u2029]+/g;

function quote(s: string): string {
  const flat = s.replace(CONTROL, ' ');
  return `"${flat.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;
}

/** Returns the day after `date` (`YYYY-MM-DD`). */
export function nextDay(date: string): string {
  const d = new Date(`${date}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + 1);
  return d.toISOString().slice(0, 10);
}

/** Returns the ledger as a beancount file, with the beancount name of each account. */
export function exportBeancount(
  ledger: Ledger,
): ExportResult & { readonly names: ReadonlyMap<string, string> } {
  const { kept, failed } = exportableAssertions(ledger);
  const names = new Map<string, string>();
  const typeOf = (path: string): AccountType => ledger.chart.typeOf(path) ?? 'assets';
  const nameOf = (path: string): string => {
    let n = names.get(path);
    if (n === undefined) {
      n = beancountAccount(path, typeOf(path));
      names.set(path, n);
    }
    return n;
  };
  const out: string[] = [
    '; Tamga books, exported for beancount.',
    `; Sealed records up to log size ${ledger.logSize}; tamga-record is the sealed record of each entry:`,
    '; prove it with `tamga show ID`. Account names are encoded: a space is "-", other characters',
    '; are "Ǝ" + hex code point + "Ǝ"; tamga-account on each open names the account as Tamga does.',
    '',
    `option "operating_currency" "KGS"`,
    '',
  ];
  const first = ledger.entries[0]?.date ?? kept[0]?.date ?? '1970-01-01';
  const openDate = first < '1970-01-01' ? first : '1970-01-01';
  for (const c of ledgerCurrencies(ledger)) out.push(`${openDate} commodity ${c}`);
  out.push('');
  for (const a of ledgerAccounts(ledger)) {
    out.push(`${openDate} open ${nameOf(a)}`, `  tamga-account: ${quote(a)}`);
  }
  out.push('');
  for (const f of failed) {
    out.push(
      `; NOT MET: statement balance of ${f.assertion.account} at the end of ${f.assertion.date}: ${formatAmount(f.assertion.amount, f.assertion.currency)} ${f.assertion.currency}, books ${formatAmount(f.actual, f.assertion.currency)} (record ${f.assertion.record})`.replace(
        /[\r\n]+/g,
        ' ',
      ),
    );
  }
  for (const e of ledger.entries) writeEntry(out, e, nameOf);
  for (const a of kept) {
    out.push(
      `${nextDay(a.date)} balance ${nameOf(a.account)}  ${formatAmount(a.amount, a.currency)} ${a.currency}`,
    );
    out.push(`  tamga-record: ${quote(a.record)}`);
  }
  const warnings = failed.map(
    (f) =>
      `statement balance of ${f.assertion.account} at the end of ${f.assertion.date} is ${formatAmount(f.assertion.amount, f.assertion.currency)} ${f.assertion.currency}, but the books give ${formatAmount(f.actual, f.assertion.currency)} (record ${f.assertion.record}); left out of the export`,
  );
  return { text: `${out.join('\n')}\n`, warnings, names };
}

function writeEntry(out: string[], e: LedgerEntry, nameOf: (path: string) => string): void {
  const narration = e.kind === 'reversal' ? `Reversal: ${e.description}` : e.description;
  const payee = e.counterparty === undefined ? '' : `${quote(e.counterparty)} `;
  out.push(`${e.date} * ${payee}${quote(narration)}`);
  out.push(`  tamga-record: ${quote(e.record)}`);
  if (e.kind !== 'original') out.push(`  tamga-kind: ${quote(e.kind)}`);
  if (e.reverses !== undefined) out.push(`  tamga-reverses: ${quote(e.reverses)}`);
  if (e.reversedBy !== undefined) out.push(`  tamga-reversed-by: ${quote(e.reversedBy)}`);
  if (e.documents.length > 0) out.push(`  tamga-documents: ${quote(e.documents.join(' '))}`);
  if (e.source !== undefined)
    out.push(`  tamga-statement: ${quote(`${e.source.statement} line ${e.source.line}`)}`);
  for (const p of e.postings) {
    out.push(`  ${nameOf(p.account)}  ${formatAmount(p.amount, p.currency)} ${p.currency}`);
    if (p.fund !== undefined) out.push(`    fund: ${quote(p.fund)}`);
  }
  out.push('');
}
