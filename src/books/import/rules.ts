/**
 * Suggesting the account a statement line belongs to, learned from the choices already sealed:
 * every earlier entry that moved money between a bank account and one other account is an
 * example of which account that counterparty and those words went to.
 *
 * Two rules, in order. A counterparty seen before whose payments went to one account at least
 * two times in three goes there again. Otherwise the words of the counterparty and purpose vote:
 * each word votes for the accounts its examples went to, in proportion, weighted by how rare
 * the word is (inverse document frequency), so "взносы" counts for more than "за". A line whose
 * best account wins too weakly gets no suggestion, and goes to suspense.
 */
import { normalizeText } from './identity.js';

/** One earlier choice: money in or out, its counterparty and text, and the account it went to. */
export interface Example {
  readonly direction: 'in' | 'out';
  readonly counterparty: string;
  readonly text: string;
  readonly account: string;
}

/** A suggested account, with how sure and why. */
export interface Suggestion {
  readonly account: string;
  /** From 0 to 1: the share of the evidence that points to this account. */
  readonly confidence: number;
  /** `counterparty` (seen before) or `words` (purpose and name). */
  readonly reason: 'counterparty' | 'words';
}

/** Words that say nothing about where money goes. */
const STOP = new Set([
  'за',
  'по',
  'от',
  'на',
  'в',
  'и',
  'с',
  'г',
  'года',
  'год',
  'без',
  'ндс',
  'не',
  'облагается',
  'сумма',
  'the',
  'for',
  'of',
  'and',
  'to',
  'no',
  'vat',
]);

/** The words of a text that can vote: letters (and digits mixed with letters), 2+ characters. */
export function wordsOf(text: string): string[] {
  const out = new Set<string>();
  for (const w of normalizeText(text).split(/[^\p{L}\p{N}]+/u)) {
    if (w.length < 2 || STOP.has(w) || /^\p{N}+$/u.test(w)) continue;
    out.add(w);
    if (out.size >= 64) break;
  }
  return [...out];
}

interface Tally {
  total: number;
  byAccount: Map<string, number>;
}

function tally(map: Map<string, Tally>, key: string, account: string): void {
  let t = map.get(key);
  if (t === undefined) {
    t = { total: 0, byAccount: new Map() };
    map.set(key, t);
  }
  t.total++;
  t.byAccount.set(account, (t.byAccount.get(account) ?? 0) + 1);
}

/** Suggests accounts from examples; build once per import, ask once per line. */
export class AccountSuggester {
  private readonly parties = new Map<string, Tally>();
  private readonly words = new Map<string, Tally>();
  private readonly examples: Record<'in' | 'out', number> = { in: 0, out: 0 };

  constructor(examples: Iterable<Example>) {
    for (const e of examples) this.learn(e);
  }

  /** Adds one more choice (the lines of this import learn from each other too). */
  learn(e: Example): void {
    this.examples[e.direction]++;
    const party = normalizeText(e.counterparty);
    if (party !== '') tally(this.parties, `${e.direction}\u0000${party}`, e.account);
    for (const w of wordsOf(`${e.counterparty} ${e.text}`)) {
      tally(this.words, `${e.direction}\u0000${w}`, e.account);
    }
  }

  /**
   * Returns the account a line most likely belongs to, or null when nothing points to one.
   * Only accounts `usable` accepts are suggested (open, in the line's currency); the others
   * still count in the total, so they weaken the vote rather than hand it to the next best.
   */
  suggest(
    direction: 'in' | 'out',
    counterparty: string,
    text: string,
    usable: (account: string) => boolean = () => true,
  ): Suggestion | null {
    const party = this.partyTally(direction, counterparty);
    if (party !== undefined) {
      const [account, n] = best(party.byAccount, usable);
      if (n > 0 && n / party.total >= 2 / 3)
        return { account, confidence: n / party.total, reason: 'counterparty' };
    }
    const { scores, total } = this.wordScores(direction, counterparty, text);
    if (total === 0) return null;
    const [account, score] = best(scores, usable);
    const confidence = score / total;
    // A weak or split vote is no suggestion: suspense is better than a confident mistake.
    if (score < 0.5 || confidence < 0.6) return null;
    return { account, confidence, reason: 'words' };
  }

  /**
   * Returns up to `max` accounts for a line someone is entering, best first: the accounts the
   * counterparty's payments went to, by share, then the accounts its words vote for. Unlike
   * `suggest`, weak candidates are listed too: a person chooses among them.
   */
  candidates(
    direction: 'in' | 'out',
    counterparty: string,
    text: string,
    max: number,
  ): Suggestion[] {
    const out: Suggestion[] = [];
    const seen = new Set<string>();
    const add = (ranked: Array<[string, number]>, total: number, reason: Suggestion['reason']) => {
      ranked.sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1));
      for (const [account, n] of ranked) {
        if (out.length >= max || seen.has(account)) continue;
        seen.add(account);
        out.push({ account, confidence: n / total, reason });
      }
    };
    const party = this.partyTally(direction, counterparty);
    if (party !== undefined) add([...party.byAccount], party.total, 'counterparty');
    const { scores, total } = this.wordScores(direction, counterparty, text);
    if (total > 0) add([...scores], total, 'words');
    return out;
  }

  private partyTally(direction: 'in' | 'out', counterparty: string): Tally | undefined {
    const party = normalizeText(counterparty);
    return party === '' ? undefined : this.parties.get(`${direction}\u0000${party}`);
  }

  /** Each account's vote from the words, weighted by how rare each word is, and their sum. */
  private wordScores(
    direction: 'in' | 'out',
    counterparty: string,
    text: string,
  ): { scores: Map<string, number>; total: number } {
    const scores = new Map<string, number>();
    let total = 0;
    const n = this.examples[direction];
    if (n === 0) return { scores, total };
    for (const w of wordsOf(`${counterparty} ${text}`)) {
      const t = this.words.get(`${direction}\u0000${w}`);
      if (t === undefined) continue;
      const idf = Math.log(1 + n / t.total);
      for (const [account, k] of t.byAccount) {
        const vote = (idf * k) / t.total;
        scores.set(account, (scores.get(account) ?? 0) + vote);
        total += vote;
      }
    }
    return { scores, total };
  }
}

/** The key with the highest value among those `usable` accepts (ties: the first by name). */
function best(m: Map<string, number>, usable: (key: string) => boolean): [string, number] {
  let top: [string, number] = ['', -1];
  for (const [k, v] of m) {
    if ((v > top[1] || (v === top[1] && k < top[0])) && usable(k)) top = [k, v];
  }
  return top;
}
