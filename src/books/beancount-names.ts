/**
 * Account names for beancount, encoded reversibly.
 *
 * Beancount 2.3 (Debian's `beancount` package; `beancount/core/account.py`) accepts an account
 * whose root is one of its five type names (`Assets`, `Liabilities`, `Equity`, `Income`,
 * `Expenses`) and whose other components match `[\p{Lu}\p{Nd}][\p{L}\p{Nd}\-]*`, with `\p{L}`
 * taken from an old Unicode table. So `Assets:Банк:Оптима` is fine as it is, but a space, a
 * lower-case first letter (`банк`) or punctuation is not. The encoding, per component:
 *
 * - a space becomes `-` (so `Membership dues` reads `Membership-dues`);
 * - ASCII letters and digits, Latin letters (U+00C0–U+024F) and Cyrillic letters
 *   (U+0400–U+04FF) stay, except a first character that is not upper-case or a digit;
 * - anything else (including `-`, the escape letter `Ǝ` and a lower-case first letter) becomes
 *   `Ǝ` + its code point in upper-case hex + `Ǝ` (`-` is `Ǝ2DƎ`, `банк` is `Ǝ431Ǝанк`);
 * - an account whose root is not its type's beancount root, or that is a root alone, gets that
 *   root in front, and its own first component starts with the empty escape `ƎƎ` to say so
 *   (`Активы:Банк` of type assets is `Assets:ƎƎАктивы:Банк`, `Assets` is `Assets:ƎƎAssets`).
 *
 * `Ǝ` (U+018E) is an upper-case Latin letter, so an escaped first character still starts the
 * component with a capital as beancount requires. Decoding reverses each step exactly.
 */
import type { AccountType } from './model.js';

const ESCAPE = 'Ǝ';

/** The beancount root of each account type. */
export const BEANCOUNT_ROOTS: Readonly<Record<AccountType, string>> = {
  assets: 'Assets',
  liabilities: 'Liabilities',
  equity: 'Equity',
  income: 'Income',
  expenses: 'Expenses',
};

function isSafeLetterOrDigit(cp: number): boolean {
  return (
    (cp >= 0x30 && cp <= 0x39) ||
    (cp >= 0x41 && cp <= 0x5a) ||
    (cp >= 0x61 && cp <= 0x7a) ||
    (cp >= 0xc0 && cp <= 0x24f && cp !== 0xd7 && cp !== 0xf7 && cp !== 0x18e) ||
    (cp >= 0x400 && cp <= 0x481) ||
    (cp >= 0x48a && cp <= 0x4ff)
  );
}

const UPPER_OR_DIGIT = /^[\p{Lu}\p{Nd}]$/u;

/** Returns one account-path component encoded for beancount. */
export function encodeComponent(component: string): string {
  let out = '';
  let first = true;
  for (const ch of component) {
    const cp = ch.codePointAt(0) as number;
    if (ch === ' ') out += '-';
    else if (isSafeLetterOrDigit(cp) && (!first || UPPER_OR_DIGIT.test(ch))) out += ch;
    else out += `${ESCAPE}${cp.toString(16).toUpperCase()}${ESCAPE}`;
    first = false;
  }
  return out;
}

/** Returns the component `encodeComponent` encoded. Throws RangeError for a malformed escape. */
export function decodeComponent(encoded: string): string {
  let out = '';
  const chars = [...encoded];
  for (let i = 0; i < chars.length; i++) {
    const ch = chars[i] as string;
    if (ch === '-') out += ' ';
    else if (ch === ESCAPE) {
      const end = chars.indexOf(ESCAPE, i + 1);
      if (end < 0)
        throw new RangeError(`unterminated escape in beancount account component ${encoded}`);
      const hex = chars.slice(i + 1, end).join('');
      if (hex !== '') {
        if (!/^[0-9A-F]{1,6}$/.test(hex)) throw new RangeError(`bad escape ${hex} in ${encoded}`);
        out += String.fromCodePoint(Number.parseInt(hex, 16));
      }
      i = end;
    } else out += ch;
  }
  return out;
}

/** Returns the beancount name of account `path` of type `type`. */
export function beancountAccount(path: string, type: AccountType): string {
  const parts = path.split(':');
  const root = BEANCOUNT_ROOTS[type];
  if (parts[0] === root && parts.length > 1)
    return [root, ...parts.slice(1).map(encodeComponent)].join(':');
  return [
    root,
    ...parts.map((p, i) =>
      i === 0 ? `${ESCAPE}${ESCAPE}${encodeComponent(p)}` : encodeComponent(p),
    ),
  ].join(':');
}

/** Returns the account path a beancount name written by `beancountAccount` stands for. */
export function accountFromBeancount(name: string): string {
  const parts = name.split(':');
  const second = parts[1];
  if (second?.startsWith(`${ESCAPE}${ESCAPE}`)) {
    return parts.slice(1).map(decodeComponent).join(':');
  }
  return [parts[0] ?? '', ...parts.slice(1).map(decodeComponent)].join(':');
}
