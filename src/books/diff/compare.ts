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

/** The day number of `iso` (days since 1970-01-01). */
function dayNumber(iso: string): number {
  return Date.parse(`${iso}T00:00:00Z`) / 86_400_000;
}

function similarity(x: ReadonlySet<string>, y: ReadonlySet<string>): number {
  if (x.size === 0 || y.size === 0) return 0;
  let common = 0;
  for (const w of x) if (y.has(w)) common++;
  return common / (x.size + y.size - common);
}

/** The most days apart two entries of the same amount can be and still be the same entry. */
const MAX_DAYS_APART = 31;
/**
 * The most days apart two entries of different amounts can be: `score` gives a changed amount
 * at most 3 for the words, so it needs the date's 0.5 or more (2 − 0.2·d ≥ 0.5).
 */
const MAX_DAYS_CHANGED_AMOUNT = 7;
/** The least word similarity (Jaccard) that lets a changed amount pair. */
const MIN_WORDS_CHANGED_AMOUNT = 0.5;

/** An entry as the best match reads it: its day, sign and words, worked out once. */
interface Facts {
  readonly day: number;
  readonly amount: DecimalText;
  readonly negative: boolean;
  readonly words: ReadonlySet<string>;
}

function factsOf(e: {
  date: string;
  amount: DecimalText;
  counterparty: string;
  purpose: string;
}): Facts {
  return {
    day: dayNumber(e.date),
    amount: e.amount,
    negative: e.amount.startsWith('-'),
    words: new Set(wordsOf(`${e.counterparty} ${e.purpose}`)),
  };
}

/**
 * How alike two entries are, or 0 when they cannot be the same entry. Amounts are canonical
 * decimals, so equal amounts are equal strings.
 */
function score(s: Facts, p: Facts): number {
  const d = Math.abs(s.day - p.day);
  const sameAmount = s.amount === p.amount;
  if (s.negative !== p.negative || d > MAX_DAYS_APART) return 0;
  const words = similarity(s.words, p.words);
  let v = 0;
  if (sameAmount) v += 3;
  if (d <= MAX_DAYS_CHANGED_AMOUNT) v += 2 - d * 0.2;
  v += 3 * words;
  // An amount changed needs the words to vouch for it; a date changed needs the amount.
  if (!sameAmount && words < MIN_WORDS_CHANGED_AMOUNT) return 0;
  return v >= 3.5 ? v : 0;
}

/** Lists of sealed entries (indices) under a key, each sorted by day, to scan a window of days. */
class DayIndex {
  private readonly lists = new Map<string, number[]>();

  constructor(private readonly days: ArrayLike<number>) {}

  /** Adds `si`; call in order of day. */
  add(key: string, si: number): void {
    const list = this.lists.get(key);
    if (list === undefined) this.lists.set(key, [si]);
    else list.push(si);
  }

  /** How many entries are under `key`. */
  count(key: string): number {
    return this.lists.get(key)?.length ?? 0;
  }

  /** Calls `f` with each entry under `key` from day `from` to day `to`. */
  each(key: string, from: number, to: number, f: (si: number) => void): void {
    const list = this.lists.get(key);
    if (list === undefined) return;
    let lo = 0;
    let hi = list.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.days[list[mid]!]! < from) lo = mid + 1;
      else hi = mid;
    }
    for (let i = lo; i < list.length && this.days[list[i]!]! <= to; i++) f(list[i]!);
  }
}

/**
 * The pairs of a free sealed and a free presented entry that `score` does not rule out, with
 * their scores. `score` pairs entries of the same amount up to 31 days apart, and of different
 * amounts only up to 7 days apart with at least half their words in common (Jaccard ≥ 0.5). So
 * the candidates come from two indexes: by amount, and by word. A presented entry of n words can
 * share half its words with a sealed one only if that one holds at least one of any
 * n − ⌈n/2⌉ + 1 of them (pigeonhole): its rarest ones are looked up. With `exhaustive`, every
 * pair is scored instead (for tests that the indexes miss nothing).
 */
function candidatePairs(
  sealed: readonly SealedMovement[],
  freeSealed: ReadonlySet<number>,
  presented: readonly PresentedEntry[],
  freePresented: ReadonlySet<number>,
  exhaustive: boolean,
): Array<{ si: number; pi: number; v: number }> {
  const facts: Facts[] = [];
  for (const si of freeSealed) facts[si] = factsOf(sealed[si]!);
  const out: Array<{ si: number; pi: number; v: number }> = [];
  const consider = (si: number, pi: number, p: Facts) => {
    const v = score(facts[si]!, p);
    if (v > 0) out.push({ si, pi, v });
  };
  if (exhaustive) {
    for (const pi of freePresented) {
      const p = factsOf(presented[pi]!);
      for (const si of freeSealed) consider(si, pi, p);
    }
    return out;
  }
  const days = new Float64Array(sealed.length);
  for (const si of freeSealed) days[si] = facts[si]!.day;
  const byAmount = new DayIndex(days);
  const byWord = new DayIndex(days);
  for (const si of [...freeSealed].sort((a, b) => days[a]! - days[b]!)) {
    byAmount.add(facts[si]!.amount, si);
    for (const w of facts[si]!.words) byWord.add(w, si);
  }
  const seen = new Int32Array(sealed.length).fill(-1);
  for (const pi of freePresented) {
    const p = factsOf(presented[pi]!);
    const once = (si: number) => {
      if (seen[si] === pi) return;
      seen[si] = pi;
      consider(si, pi, p);
    };
    byAmount.each(p.amount, p.day - MAX_DAYS_APART, p.day + MAX_DAYS_APART, once);
    const n = p.words.size;
    if (n === 0) continue;
    const rarest = [...p.words]
      .sort((a, b) => byWord.count(a) - byWord.count(b))
      .slice(0, n - Math.ceil(n * MIN_WORDS_CHANGED_AMOUNT) + 1);
    for (const w of rarest) {
      byWord.each(w, p.day - MAX_DAYS_CHANGED_AMOUNT, p.day + MAX_DAYS_CHANGED_AMOUNT, once);
    }
  }
  return out;
}

/**
 * Compares `presented` with `sealed` (both for the same period and account). `exhaustive`
 * scores every unpaired pair for the best match instead of looking candidates up (tests).
 */
export function compareLedgers(
  sealed: readonly SealedMovement[],
  presented: readonly PresentedEntry[],
  options: { readonly exhaustive?: boolean } = {},
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
  // 3. Best match, greedily by score.
  const candidates = candidatePairs(
    sealed,
    freeSealed,
    presented,
    freePresented,
    options.exhaustive === true,
  );
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
