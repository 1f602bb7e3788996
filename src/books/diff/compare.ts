/**
 * Comparing a presented ledger with the sealed books: entries are paired by reference first,
 * then exactly (date, amount, counterparty, purpose), then by best match (same amount and close
 * in date and words); what pairs but differs is *altered*, what is sealed but not presented is
 * *missing*, what is presented but never sealed is *added*. Pure.
 */
import { compareDecimals, type DecimalText } from '../import/decimal.js';
import { normalizeText } from '../import/identity.js';
import { wordsOf } from '../import/rules.js';

/** An entry of the presented ledger, as one movement of money. */
export interface PresentedEntry {
  /** The 1-based line of the presented file. */
  readonly line: number;
  readonly date: string;
  readonly amount: DecimalText;
  readonly counterparty: string;
  readonly purpose: string;
  readonly reference: string | null;
}

/** A sealed entry, as the same kind of movement. */
export interface SealedMovement {
  /** The entry's id (what corrections name). */
  readonly id: string;
  /** The record whose body is in force: the entry, or its latest correction. */
  readonly recordId: string;
  readonly date: string;
  readonly amount: DecimalText;
  readonly currency: string;
  readonly counterparty: string;
  readonly purpose: string;
  /** References the entry is known by (the bank's, the import identity). */
  readonly references: readonly string[];
}

/** The fields an altered entry can differ in. */
export type DiffField = 'amount' | 'date' | 'counterparty' | 'purpose';

/** One difference. */
export type Difference =
  | { readonly kind: 'missing'; readonly sealed: SealedMovement }
  | { readonly kind: 'added'; readonly presented: PresentedEntry }
  | {
      readonly kind: 'altered';
      readonly sealed: SealedMovement;
      readonly presented: PresentedEntry;
      readonly fields: readonly DiffField[];
      readonly matchedBy: 'reference' | 'best match';
    };

/** The outcome of a comparison. */
export interface Comparison {
  readonly matched: number;
  readonly differences: readonly Difference[];
}

function same(a: string, b: string): boolean {
  return normalizeText(a) === normalizeText(b);
}

function fieldsDiffering(s: SealedMovement, p: PresentedEntry): DiffField[] {
  const out: DiffField[] = [];
  if (compareDecimals(s.amount, p.amount) !== 0) out.push('amount');
  if (s.date !== p.date) out.push('date');
  // An empty field in the presented ledger says nothing: it is not an alteration.
  if (p.counterparty !== '' && !same(s.counterparty, p.counterparty)) out.push('counterparty');
  if (p.purpose !== '' && !same(s.purpose, p.purpose)) out.push('purpose');
  return out;
}

function days(a: string, b: string): number {
  return Math.abs(Date.parse(`${a}T00:00:00Z`) - Date.parse(`${b}T00:00:00Z`)) / 86_400_000;
}

function similarity(x: ReadonlySet<string>, y: ReadonlySet<string>): number {
  if (x.size === 0 || y.size === 0) return 0;
  let common = 0;
  for (const w of x) if (y.has(w)) common++;
  return common / (x.size + y.size - common);
}

/** The most days apart two entries can be and still be the same entry. */
const MAX_DAYS_APART = 31;

/**
 * How alike two entries are, or 0 when they cannot be the same entry. `sw` and `pw` are the
 * words of each one's counterparty and purpose.
 */
function score(
  s: SealedMovement,
  sw: ReadonlySet<string>,
  p: PresentedEntry,
  pw: ReadonlySet<string>,
): number {
  const d = days(s.date, p.date);
  const sameAmount = compareDecimals(s.amount, p.amount) === 0;
  const sameSign = s.amount.startsWith('-') === p.amount.startsWith('-');
  if (!sameSign || d > MAX_DAYS_APART) return 0;
  const words = similarity(sw, pw);
  let v = 0;
  if (sameAmount) v += 3;
  if (d <= 7) v += 2 - d * 0.2;
  v += 3 * words;
  // An amount changed needs the words to vouch for it; a date changed needs the amount.
  if (!sameAmount && words < 0.5) return 0;
  return v >= 3.5 ? v : 0;
}

/** `iso` moved by `n` days. */
function shiftDate(iso: string, n: number): string {
  return new Date(Date.parse(`${iso}T00:00:00Z`) + n * 86_400_000).toISOString().slice(0, 10);
}

/** The first index in `sorted` (ascending) whose value is not below `value`. */
function lowerBound(sorted: readonly string[], value: string): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (sorted[mid]! < value) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** Compares `presented` with `sealed` (both for the same period and account). */
export function compareLedgers(
  sealed: readonly SealedMovement[],
  presented: readonly PresentedEntry[],
): Comparison {
  const differences: Difference[] = [];
  const freeSealed = new Set(sealed.map((_, i) => i));
  const freePresented = new Set(presented.map((_, i) => i));
  let matched = 0;
  const pair = (si: number, pi: number, by: 'reference' | 'best match' | 'exact') => {
    freeSealed.delete(si);
    freePresented.delete(pi);
    const s = sealed[si]!;
    const p = presented[pi]!;
    const fields = fieldsDiffering(s, p);
    if (fields.length === 0) matched++;
    else
      differences.push({
        kind: 'altered',
        sealed: s,
        presented: p,
        fields,
        matchedBy: by === 'reference' ? 'reference' : 'best match',
      });
  };
  // 1. By reference.
  const byRef = new Map<string, number>();
  sealed.forEach((s, i) => {
    for (const r of s.references) if (r !== '' && !byRef.has(r)) byRef.set(r, i);
  });
  presented.forEach((p, pi) => {
    if (p.reference === null || p.reference === '') return;
    const si = byRef.get(p.reference);
    if (si !== undefined && freeSealed.has(si)) pair(si, pi, 'reference');
  });
  // 2. Exactly equal.
  const exact = new Map<string, number[]>();
  const key = (date: string, amount: string, cp: string, purpose: string) =>
    [date, amount, normalizeText(cp), normalizeText(purpose)].join('\u0000');
  for (const si of freeSealed) {
    const s = sealed[si]!;
    const k = key(s.date, s.amount, s.counterparty, s.purpose);
    const list = exact.get(k) ?? [];
    list.push(si);
    exact.set(k, list);
  }
  for (const pi of [...freePresented]) {
    const p = presented[pi]!;
    const list = exact.get(key(p.date, p.amount, p.counterparty, p.purpose));
    const si = list?.shift();
    if (si !== undefined) pair(si, pi, 'exact');
  }
  // 3. Best match, greedily by score. Candidates are the sealed entries within 31 days, found
  // by binary search over the dates, so the work grows with the entries near each one rather
  // than with every pair.
  const byDate = [...freeSealed].sort((a, b) => (sealed[a]!.date < sealed[b]!.date ? -1 : 1));
  const dates = byDate.map((si) => sealed[si]!.date);
  const sealedWords = new Map<number, Set<string>>();
  const wordsOfSealed = (si: number) => {
    let w = sealedWords.get(si);
    if (w === undefined) {
      w = new Set(wordsOf(`${sealed[si]!.counterparty} ${sealed[si]!.purpose}`));
      sealedWords.set(si, w);
    }
    return w;
  };
  const candidates: Array<{ si: number; pi: number; v: number }> = [];
  for (const pi of freePresented) {
    const p = presented[pi]!;
    const pw = new Set(wordsOf(`${p.counterparty} ${p.purpose}`));
    const last = shiftDate(p.date, MAX_DAYS_APART);
    for (let i = lowerBound(dates, shiftDate(p.date, -MAX_DAYS_APART)); i < byDate.length; i++) {
      if (dates[i]! > last) break;
      const si = byDate[i]!;
      const v = score(sealed[si]!, wordsOfSealed(si), p, pw);
      if (v > 0) candidates.push({ si, pi, v });
    }
  }
  candidates.sort((a, b) => b.v - a.v || a.pi - b.pi || a.si - b.si);
  for (const c of candidates) {
    if (freeSealed.has(c.si) && freePresented.has(c.pi)) pair(c.si, c.pi, 'best match');
  }
  for (const si of freeSealed) differences.push({ kind: 'missing', sealed: sealed[si]! });
  for (const pi of freePresented) differences.push({ kind: 'added', presented: presented[pi]! });
  const order = (d: Difference) => ('sealed' in d ? d.sealed.date : d.presented.date);
  differences.sort((a, b) => (order(a) < order(b) ? -1 : order(a) > order(b) ? 1 : 0));
  return { matched, differences };
}
