/**
 * The vault's side of a diff: the sealed entries of the period as movements of one account (or
 * as whole transactions, for a journal), compared with the presented ledger, and each
 * difference's sealed record with how it is proven (src/vault/query.ts).
 */
import { printable, printableLines } from '../../records/printable.js';
import { formatUtcSeconds } from '../../records/time.js';
import { getRecord, type ProofStatus, proofChecker } from '../../vault/query.js';
import type { Vault } from '../../vault/vault.js';
import type { CsvMapping } from '../import/csv.js';
import { type DecimalText, parseAmount as parseDecimal } from '../import/decimal.js';
import { StatementError } from '../import/errors.js';
import type { OneCInconsistency } from '../import/onec.js';
import { formatAmount, type Transaction } from '../model.js';
import { readSealedBooks } from '../sealed-books.js';
import {
  type Comparison,
  compareLedgers,
  type Difference,
  type SealedMovement,
} from './compare.js';
import { type PresentedFormat, type PresentedLedger, readPresented } from './presented.js';

/** What `diffPresented` compares: the file's format and mapping, the period, the account. */
export interface PresentedDiffOptions {
  readonly format?: PresentedFormat | undefined;
  readonly mapping?: CsvMapping | undefined;
  readonly from?: string | undefined;
  readonly to?: string | undefined;
  /** The books account compared (for a journal, the account whose movements are read). */
  readonly account?: string | undefined;
  /** The most entries of the presented ledger read (StatementError `import.lines` beyond). */
  readonly maxEntries?: number | undefined;
}

/**
 * Reads the presented ledger `bytes` and compares it with the sealed books. Throws
 * StatementError as `readPresented` and `diffWithSealedBooks` do.
 */
export function diffPresented(
  vault: Vault,
  bytes: Uint8Array,
  options: PresentedDiffOptions,
): BooksDiff {
  const { format, mapping, from, to, account, maxEntries } = options;
  const presented = readPresented(bytes, {
    ...(format === undefined ? {} : { format }),
    ...(mapping === undefined ? {} : { mapping }),
    ...(account === undefined ? {} : { account }),
  });
  if (maxEntries !== undefined && presented.entries.length > maxEntries) {
    throw new StatementError(
      'import.lines',
      null,
      `the presented ledger has ${presented.entries.length} entries; at most ${maxEntries} are compared here at once: use \`tamga books diff\` on the command line, or give a shorter period`,
    );
  }
  return diffWithSealedBooks(vault, presented, {
    ...(from === undefined ? {} : { from }),
    ...(to === undefined ? {} : { to }),
    ...(account === undefined ? {} : { account }),
  });
}

/** How a sealed record is proven, in words a court can read, and the facts behind them. */
export interface ProofSummary {
  readonly recordId: string;
  readonly logIndex: number;
  readonly text: string;
  readonly witnessed: boolean;
  /** RFC 3339: the earliest witness cosignature on the checkpoint that dates the record. */
  readonly noLaterThan: string | null;
  readonly witnesses: readonly string[];
  readonly checkpointSize: number | null;
}

/** A diff against the sealed books. */
export interface BooksDiff {
  readonly period: { readonly from: string; readonly to: string };
  /** The books account compared, or null when whole transactions were. */
  readonly account: string | null;
  readonly presentedEntries: number;
  readonly sealedEntries: number;
  readonly comparison: Comparison;
  /** The proof of each sealed record a difference names, by record id. */
  readonly proofs: Readonly<Record<string, ProofSummary>>;
  /** Every sealed record involved: the entries, their corrections, the statements they cite. */
  readonly records: readonly string[];
  /** Totals the presented file states that its own figures do not add up to. */
  readonly inconsistencies: readonly OneCInconsistency[];
}

/** Options of `diffWithSealedBooks`. */
export interface SealedDiffOptions {
  readonly from?: string;
  readonly to?: string;
  /** The books account to compare; else the one the presented statement's bank account was imported into. */
  readonly account?: string;
}

function canonical(amount: bigint, currency: string): DecimalText {
  return parseDecimal(
    formatAmount(amount, currency),
    {
      decimalSeparator: '.',
      maxDecimals: 4,
      signed: true,
    },
    null,
  );
}

function movementOf(
  id: string,
  recordId: string,
  tx: Transaction,
  account: string | null,
): SealedMovement | null {
  const on =
    account === null
      ? tx.postings.filter((p) => p.amount > 0n)
      : tx.postings.filter((p) => p.account === account);
  if (on.length === 0) return null;
  const currency = on[0]!.currency;
  const sum = on.filter((p) => p.currency === currency).reduce((a, p) => a + p.amount, 0n);
  const references: string[] = [];
  if (tx.source?.ref !== undefined) references.push(tx.source.ref);
  if (tx.meta?.reference !== undefined) references.push(tx.meta.reference);
  return {
    id,
    recordId,
    date: tx.date,
    amount: canonical(sum, currency),
    currency,
    counterparty: tx.counterparty ?? '',
    purpose: tx.description,
    references,
  };
}

/**
 * Compares the presented ledger with the sealed books of the same period. Throws StatementError
 * when the account to compare cannot be told, or is not in the chart.
 */
export function diffWithSealedBooks(
  vault: Vault,
  presented: PresentedLedger,
  options: SealedDiffOptions,
): BooksDiff {
  const books = readSealedBooks(vault);
  let account: string | null = options.account ?? null;
  if (account === null && presented.bankAccounts.length > 0) {
    for (const number of presented.bankAccounts) {
      for (const s of books.statements) account ??= s.accounts[number] ?? null;
    }
    if (account === null) {
      throw new StatementError(
        'diff.account',
        null,
        `the presented statement is for ${presented.bankAccounts.join(', ')}, which no imported statement names: say which books account to compare with --account PATH`,
      );
    }
  }
  if (account !== null && !books.chart.has(account)) {
    throw new StatementError(
      'diff.account',
      null,
      `the books account ${account} is not in the chart`,
    );
  }
  const dates = presented.entries.map((e) => e.date).sort();
  const from = options.from ?? dates[0];
  const to = options.to ?? dates[dates.length - 1];
  if (from === undefined || to === undefined) {
    throw new StatementError(
      'diff.period',
      null,
      'the presented ledger holds no entry; give the period with --from and --to',
    );
  }
  const sealed: SealedMovement[] = [];
  for (const e of books.entries) {
    if (e.tx.date < from || e.tx.date > to) continue;
    // Opening balances are not movements a presented ledger lists.
    if (e.tx.tags?.includes('opening-balance')) continue;
    const m = movementOf(e.id, e.recordId, e.tx, account);
    if (m !== null) sealed.push(m);
  }
  const inPeriod = presented.entries.filter((p) => p.date >= from && p.date <= to);
  const comparison = compareLedgers(sealed, inPeriod);
  const involved = new Set<string>();
  const sources = new Map(books.entries.map((e) => [e.id, e.tx.source?.statement]));
  for (const d of comparison.differences) {
    if (d.kind === 'added') continue;
    involved.add(d.sealed.id);
    involved.add(d.sealed.recordId);
    const statement = sources.get(d.sealed.id);
    if (statement !== undefined) involved.add(statement);
  }
  const check = proofChecker(vault);
  const proofs: Record<string, ProofSummary> = {};
  for (const id of involved) {
    const stored = getRecord(vault, id);
    if (stored === null) continue;
    proofs[id] = describeProof(id, check(stored));
  }
  return {
    period: { from, to },
    account,
    presentedEntries: inPeriod.length,
    sealedEntries: sealed.length,
    comparison,
    proofs,
    records: [...involved].sort(),
    inconsistencies: presented.inconsistencies,
  };
}

function describeProof(recordId: string, s: ProofStatus): ProofSummary {
  const witnesses = s.witnesses.map((w) => w.name);
  const first = s.witnesses[0];
  const noLaterThan = s.witnessed && first !== undefined ? formatUtcSeconds(first.timestamp) : null;
  let text: string;
  if (s.checkpoint === null) {
    text = `log entry ${s.index}, not yet in a signed checkpoint`;
  } else if (noLaterThan !== null) {
    text = `proven to exist no later than ${noLaterThan}, by witnesses ${witnesses.join(', ')} (log entry ${s.index}, checkpoint of size ${s.checkpoint.size})`;
  } else {
    text = `in the log as entry ${s.index}, under the vault's signed checkpoint of size ${s.checkpoint.size}; not yet cosigned by ${s.quorum === 0 ? 'any witness' : `the ${s.quorum} witnesses the policy needs`}, so its time is not yet proven`;
  }
  return {
    recordId,
    logIndex: s.index,
    text,
    witnessed: noLaterThan !== null,
    noLaterThan,
    witnesses,
    checkpointSize: s.checkpoint?.size ?? null,
  };
}

/** The difference's lines of the plain report. */
function describeDifference(
  d: Difference,
  proofs: Readonly<Record<string, ProofSummary>>,
  n: number,
): string[] {
  const sealedLines = (s: SealedMovement) => [
    `   Sealed record: ${s.recordId}${s.recordId === s.id ? '' : ` (the correction in force of entry ${s.id})`}`,
    `   Sealed:    ${s.date}  ${s.amount} ${s.currency}  ${s.counterparty || '—'}  «${s.purpose}»`,
    `   Proof:     ${proofs[s.recordId]?.text ?? 'not found in the log'}`,
  ];
  if (d.kind === 'missing') {
    return [
      `${n}. MISSING from the presented ledger: an entry the books sealed is not in it.`,
      ...sealedLines(d.sealed),
    ];
  }
  const p = d.presented;
  const presentedLine = `   Presented: ${p.date}  ${p.amount}  ${p.counterparty || '—'}  «${p.purpose}»  (line ${p.line})`;
  if (d.kind === 'added') {
    return [
      `${n}. ADDED in the presented ledger: no sealed entry corresponds to it.`,
      presentedLine,
    ];
  }
  return [
    `${n}. ALTERED: ${d.fields.join(', ')} differ (matched by ${d.matchedBy}).`,
    ...sealedLines(d.sealed),
    presentedLine,
  ];
}

/** The plain-text report: what was compared, and each difference with its sealed record and proof. */
export function formatDiffReport(diff: BooksDiff, presentedName: string, origin: string): string[] {
  const c = diff.comparison;
  const count = (k: Difference['kind']) => c.differences.filter((d) => d.kind === k).length;
  const lines = [
    'COMPARISON OF A PRESENTED LEDGER WITH THE SEALED BOOKS',
    '',
    `Presented ledger: ${presentedName}`,
    `Sealed books:     the Tamga log ${origin}`,
    `Period:           ${diff.period.from} to ${diff.period.to}`,
    `Compared:         ${diff.account === null ? 'whole transactions (the sum of their debits)' : `movements of the account ${diff.account}`}`,
    `Entries:          ${diff.presentedEntries} presented, ${diff.sealedEntries} sealed; ${c.matched} identical`,
    `Differences:      ${count('missing')} missing, ${count('added')} added, ${count('altered')} altered`,
    '',
  ];
  if (diff.inconsistencies.length > 0) {
    lines.push(
      `The presented file does not add up: ${diff.inconsistencies.length} total${diff.inconsistencies.length === 1 ? '' : 's'} it states differ${diff.inconsistencies.length === 1 ? 's' : ''} from its own figures.`,
    );
    for (const f of diff.inconsistencies) {
      lines.push(
        `   ${f.field} of ${f.account} (line ${f.line}): the file states ${f.declared}; its figures add up to ${f.computed} (${f.how}).`,
      );
    }
    lines.push('');
  }
  if (c.differences.length === 0) {
    lines.push('The presented ledger agrees with the sealed books for this period.');
  }
  c.differences.forEach((d, i) => {
    lines.push(...describeDifference(d, diff.proofs, i + 1), '');
  });
  lines.push(
    'How to check: each sealed record above can be disclosed in an evidence bundle (tamga books diff -o DIR,',
    'or tamga evidence ID -o DIR) and checked by anyone, offline, against the trust statement of the log',
    `${origin} that the union published (its website, print, or a person there you trust; tamga trust prints`,
    'it): tamga check-evidence --trust trust.txt BUNDLE, or the offline verifier page with the statement',
    "pasted. Checked without it, a bundle is only UNCONFIRMED: its keys could be anyone's. A record's time is",
    'proven only by cosignatures of the witnesses the statement names: "no later than" is the earliest time',
    'one of them cosigned a checkpoint that includes it.',
  );
  return lines;
}

/**
 * A diff's reports, as `tamga books diff` prints them and `-o` writes them. The presented
 * ledger's text (names, purposes, the file's name) is someone else's, and the reports are read
 * in a terminal (`cat diff-report.txt`): both are inert (src/records/printable.ts).
 */
export interface DiffReports {
  /** The plain report's lines (formatDiffReport), each made `printable`. */
  readonly lines: readonly string[];
  /** diff-report.txt: the lines, each ended by a newline. */
  readonly text: string;
  /** diff-report.json: the presented ledger's name and the whole diff, indented, inert. */
  readonly json: string;
}

/** Returns the reports of `diff` against the presented ledger `presentedName`. */
export function diffReports(diff: BooksDiff, presentedName: string, origin: string): DiffReports {
  const lines = formatDiffReport(diff, presentedName, origin).map(printable);
  return {
    lines,
    text: `${lines.join('\n')}\n`,
    json: printableLines(JSON.stringify({ presented: presentedName, ...diff }, null, 2)),
  };
}
