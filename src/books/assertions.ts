/**
 * Checking statement balances against the books: each assertion says what an account (alone,
 * not its subaccounts) held in one currency at the end of a day.
 */
import type { Ledger, LedgerAssertion } from './ledger.js';
import type { Amount } from './model.js';

/** An assertion and what the books hold at its date. */
export interface AssertionCheck {
  readonly assertion: LedgerAssertion;
  readonly actual: Amount;
  readonly ok: boolean;
}

/** Returns every assertion of `ledger` with the balance the books give at its date, in date order. */
export function checkAssertions(ledger: Ledger): AssertionCheck[] {
  const out: AssertionCheck[] = [];
  const balances = new Map<string, Amount>();
  const entries = ledger.entries;
  let i = 0;
  for (const a of ledger.assertions) {
    while (i < entries.length && (entries[i]?.date ?? '') <= a.date) {
      for (const p of (entries[i] as (typeof entries)[number]).postings) {
        const key = `${p.account}\u0000${p.currency}`;
        balances.set(key, (balances.get(key) ?? 0n) + p.amount);
      }
      i++;
    }
    const actual = balances.get(`${a.account}\u0000${a.currency}`) ?? 0n;
    out.push({ assertion: a, actual, ok: actual === a.amount });
  }
  return out;
}

/**
 * Returns the assertions to export: one per (date, account, currency, amount), and only those
 * the books meet (a failed one would make the exported file fail its tool's check; the caller
 * reports it instead).
 */
export function exportableAssertions(ledger: Ledger): {
  kept: LedgerAssertion[];
  failed: AssertionCheck[];
} {
  const kept: LedgerAssertion[] = [];
  const failed: AssertionCheck[] = [];
  const seen = new Set<string>();
  for (const c of checkAssertions(ledger)) {
    if (!c.ok) {
      failed.push(c);
      continue;
    }
    const a = c.assertion;
    const key = `${a.date}\u0000${a.account}\u0000${a.currency}`;
    if (seen.has(key)) continue;
    seen.add(key);
    kept.push(a);
  }
  return { kept, failed };
}
