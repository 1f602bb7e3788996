/**
 * The plain subset of hledger / ledger journals, enough to read a ledger someone presents:
 * transactions (`DATE[=DATE2] [*|!] [(CODE)] DESCRIPTION [; comment]`), their indented
 * postings (`ACCOUNT  AMOUNT [= BALANCE] [; comment]`, the account ending at two spaces or a
 * tab, at most one amount left out), and comments. Directives (`account`, `commodity`, `P`,
 * `include`…) are skipped. Amounts use `.` as decimal mark, `,` or spaces between digit groups,
 * and a commodity before or after the number. Pure: text in, entries out.
 */
import { addDecimals, type DecimalText, negateDecimal, parseAmount } from '../import/decimal.js';
import { quote, StatementError } from '../import/errors.js';
import { isCalendarDate } from '../import/onec.js';

/** One posting of a presented transaction. */
export interface JournalPosting {
  readonly account: string;
  readonly amount: DecimalText;
  readonly commodity: string;
}

/** One transaction of a presented journal. */
export interface JournalTransaction {
  readonly line: number;
  readonly date: string;
  readonly description: string;
  /** `payee | note` descriptions: the payee. */
  readonly payee: string;
  /** The `(CODE)`, or a `ref:` tag. */
  readonly code: string | null;
  readonly postings: readonly JournalPosting[];
  readonly tags: Readonly<Record<string, string>>;
}

const HEADER = /^(\d{4}[-/.]\d{1,2}[-/.]\d{1,2})(?:=\S+)?(?:\s+([*!]))?(?:\s+\(([^)]*)\))?\s*(.*)$/;

function isoDate(text: string, line: number): string {
  const [y, m, d] = text.split(/[-/.]/) as [string, string, string];
  const iso = `${y}-${m.padStart(2, '0')}-${d.padStart(2, '0')}`;
  if (!isCalendarDate(iso))
    throw new StatementError('journal.date', line, `${quote(text)} is not a date`);
  return iso;
}

function splitComment(text: string): { body: string; comment: string } {
  const i = text.indexOf(';');
  return i < 0
    ? { body: text.trimEnd(), comment: '' }
    : { body: text.slice(0, i).trimEnd(), comment: text.slice(i + 1).trim() };
}

function tagsOf(comment: string, into: Record<string, string>): void {
  for (const m of comment.matchAll(/([\p{L}\p{N}_-]+):\s*([^,]*)/gu))
    into[m[1]!.toLowerCase()] = m[2]!.trim();
}

/** Parses an hledger amount: `-1,250.00 KGS`, `KGS -1250`, `$12.50`, `"ab c" 3`. */
export function parseJournalAmount(
  text: string,
  line: number,
): { amount: DecimalText; commodity: string } {
  const t = text.trim();
  const m =
    /^(-?)\s*("[^"]+"|[^\d\s.,+-]*)\s*([+-]?)\s*([\d][\d,. ]*)\s*("[^"]+"|[^\d\s.,+-]*)$/u.exec(t);
  if (m === null) throw new StatementError('journal.amount', line, `${quote(t)} is not an amount`);
  const [, sign1, before, sign2, number, after] = m as unknown as [
    string,
    string,
    string,
    string,
    string,
    string,
  ];
  const commodity = (before || after).replace(/^"|"$/g, '');
  const amount = parseAmount(
    number.replace(/[ ,]/g, ''),
    { decimalSeparator: '.', maxDecimals: 10, signed: false },
    line,
  );
  return { amount: sign1 === '-' || sign2 === '-' ? negateDecimal(amount) : amount, commodity };
}

/**
 * Reads a journal. Returns its transactions; throws StatementError naming the line for a date
 * or amount that does not read, a posting outside a transaction, more than one posting without
 * an amount, or a transaction whose postings do not balance.
 */
export function parseJournal(text: string): JournalTransaction[] {
  const out: JournalTransaction[] = [];
  const rows = text.replace(/^\uFEFF/, '').split(/\r\n|\n|\r/);
  let current: {
    line: number;
    date: string;
    description: string;
    code: string | null;
    postings: Array<{
      account: string;
      amount: DecimalText | null;
      commodity: string;
      line: number;
    }>;
    tags: Record<string, string>;
  } | null = null;
  const finish = () => {
    if (current === null) return;
    const c = current;
    current = null;
    const missing = c.postings.filter((p) => p.amount === null);
    if (missing.length > 1) {
      throw new StatementError(
        'journal.amount',
        missing[1]!.line,
        'a second posting without an amount; at most one may be left out',
      );
    }
    const known = c.postings.filter((p) => p.amount !== null);
    const commodities = new Set(known.map((p) => p.commodity));
    const sums = new Map<string, DecimalText>();
    for (const p of known)
      sums.set(p.commodity, addDecimals(sums.get(p.commodity) ?? '0', p.amount!));
    const postings: JournalPosting[] = c.postings.map((p) => {
      if (p.amount !== null)
        return { account: p.account, amount: p.amount, commodity: p.commodity };
      if (commodities.size > 1)
        throw new StatementError(
          'journal.amount',
          p.line,
          'a posting without an amount in a transaction of several commodities',
        );
      const commodity = [...commodities][0] ?? '';
      const amount = negateDecimal(sums.get(commodity) ?? '0');
      sums.set(commodity, '0');
      return { account: p.account, amount, commodity };
    });
    for (const [commodity, sum] of sums) {
      if (sum !== '0') {
        throw new StatementError(
          'journal.unbalanced',
          c.line,
          `the transaction's postings sum to ${sum}${commodity ? ` ${commodity}` : ''}, not 0`,
        );
      }
    }
    const bar = c.description.indexOf('|');
    const payee =
      bar < 0 ? (c.tags.payee ?? c.tags.counterparty ?? '') : c.description.slice(0, bar).trim();
    const description = bar < 0 ? c.description : c.description.slice(bar + 1).trim();
    out.push({
      line: c.line,
      date: c.date,
      description,
      payee,
      code: c.code ?? c.tags.ref ?? null,
      postings,
      tags: c.tags,
    });
  };
  rows.forEach((raw, i) => {
    const line = i + 1;
    if (raw.trim() === '') {
      finish();
      return;
    }
    const indented = /^[ \t]/.test(raw);
    if (!indented) {
      finish();
      if (/^[;#*%|]/.test(raw)) return;
      const m = HEADER.exec(raw);
      if (m === null) return; // a directive: account, commodity, P, include, alias…
      const { body, comment } = splitComment(m[4] ?? '');
      const tags: Record<string, string> = {};
      tagsOf(comment, tags);
      current = {
        line,
        date: isoDate(m[1]!, line),
        description: body.trim(),
        code: m[3]?.trim() || null,
        postings: [],
        tags,
      };
      return;
    }
    if (current === null) {
      if (/^\s*;/.test(raw)) return;
      throw new StatementError('journal.syntax', line, 'an indented line outside a transaction');
    }
    const { body, comment } = splitComment(raw.trim());
    if (body === '') {
      tagsOf(comment, current.tags);
      return;
    }
    const parts = body.split(/ {2,}|\t/);
    const account = parts[0]!.replace(/^[*!]\s*/, '').trim();
    const rest = parts.slice(1).join('  ').trim().split('=')[0]!.trim();
    if (rest === '') current.postings.push({ account, amount: null, commodity: '', line });
    else {
      const { amount, commodity } = parseJournalAmount(rest.replace(/@.*$/, ''), line);
      current.postings.push({ account, amount, commodity, line });
    }
  });
  finish();
  return out;
}
