/**
 * The identity of a statement line, stable across files: importing a statement that overlaps
 * one already imported must recognise the lines it shares. A line is known by the reference its
 * bank gives it when there is one; else by a hash of its date, amount, counterparty and purpose,
 * numbered by occurrence, so that two identical payments on one day stay two.
 */
import { encodeUtf8 } from '../../log/encoding.js';
import { sha256 } from '../../log/sha256.js';
import type { StatementLine } from './types.js';

/** Returns the identity of each line, in order: `ref:<reference>` or `h:<hash>#<n>`. */
export function lineIdentities(lines: readonly StatementLine[]): string[] {
  const seen = new Map<string, number>();
  return lines.map((l) => {
    const account = normalizeText(l.bankAccount);
    if (l.reference !== null && l.reference !== '') {
      // References are unique per account; an amount guards against a bank reusing one.
      const key = `ref:${account}:${l.reference}:${l.amount}`;
      const n = (seen.get(key) ?? 0) + 1;
      seen.set(key, n);
      return n === 1 ? key : `${key}#${n}`;
    }
    const digest = hex(
      sha256(
        encodeUtf8(
          [account, l.date, l.amount, normalizeText(l.counterparty), normalizeText(l.purpose)].join(
            '\u001f',
          ),
        ),
      ).subarray(0, 12),
    );
    const n = (seen.get(digest) ?? 0) + 1;
    seen.set(digest, n);
    return `h:${account}:${digest}#${n}`;
  });
}

/** Text compared loosely: Unicode NFC, case folded, ё as е, runs of white space as one space. */
export function normalizeText(text: string): string {
  return text.normalize('NFC').toLowerCase().replace(/ё/g, 'е').replace(/\s+/g, ' ').trim();
}

function hex(bytes: Uint8Array): string {
  let s = '';
  for (const b of bytes) s += b.toString(16).padStart(2, '0');
  return s;
}
