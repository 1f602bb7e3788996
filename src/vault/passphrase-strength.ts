/**
 * How hard a vault passphrase is to guess offline, and a strong one to suggest instead.
 *
 * Whoever holds a mirror of the vault holds its age-encrypted key file, and can try passphrases
 * against it with no rate limit (README, "What the passphrase protects"). The estimate is
 * zxcvbn's (zxcvbn-ts, https://github.com/zxcvbn-ts/zxcvbn), with its common and English
 * dictionaries; zxcvbn-ts has no Russian or Kyrgyz dictionary, so `LOCAL_WORDS` below adds
 * the local words an attacker would try first, in Latin and Cyrillic script, as user inputs.
 *
 * Pure and isomorphic: the CLI (`tamga init`), the server's setup route and the web setup
 * screen give the same verdict. Randomness comes from the Web Crypto API, in Node and browsers.
 */
import { ZxcvbnFactory } from '@zxcvbn-ts/core';
import * as common from '@zxcvbn-ts/language-common';
import * as en from '@zxcvbn-ts/language-en';

/**
 * The fewest estimated guesses we accept, as a power of ten. The key file is sealed with age's
 * scrypt recipient at work factor 2^18 (src/vault/keys.ts), about one second per guess per CPU
 * core; 10^12 guesses are then some 30,000 core-years, and half that on average. zxcvbn's own
 * top score, 4, starts at 10^10, which a thousand cores would cover in four months.
 */
export const MIN_GUESSES_LOG10 = 12;

/** Words in a suggested passphrase: 6 × log2(7776) ≈ 77.5 bits from the EFF list. */
export const SUGGESTED_WORDS = 6;

/**
 * Words an attacker who knows Tamga's users would try first, added to each check as user
 * inputs: places, the country, and what its organisations are. Lower case; zxcvbn also tries
 * capitalised, reversed and l33t variants of each.
 */
export const LOCAL_WORDS: readonly string[] = [
  'bishkek',
  'бишкек',
  'osh',
  'ош',
  'kyrgyzstan',
  'kyrgyz',
  'кыргызстан',
  'киргизия',
  'кыргыз',
  'naryn',
  'нарын',
  'karakol',
  'каракол',
  'talas',
  'талас',
  'batken',
  'баткен',
  'jalalabad',
  'джалалабад',
  'manas',
  'манас',
  'issykkul',
  'иссыккуль',
  'ысыккөл',
  'union',
  'tradeunion',
  'профсоюз',
  'профком',
  'кесиптик',
  'союз',
  'tamga',
  'тамга',
  'vault',
  'passphrase',
  'пароль',
  'сыр',
];

/** The verdict on one passphrase. */
export interface PassphraseVerdict {
  /** Strong enough to protect a vault. */
  readonly ok: boolean;
  /** zxcvbn's score, 0 (too guessable) to 4 (very unguessable). */
  readonly score: 0 | 1 | 2 | 3 | 4;
  /** log10 of the estimated guesses an attacker needs. */
  readonly guessesLog10: number;
  /** zxcvbn's warning key (e.g. `commonNames`), or null. */
  readonly warning: string | null;
  /** zxcvbn's suggestion keys (e.g. `addAnotherWord`). */
  readonly suggestions: readonly string[];
}

let zxcvbn: ZxcvbnFactory | undefined;

function factory(): ZxcvbnFactory {
  zxcvbn ??= new ZxcvbnFactory({
    graphs: common.adjacencyGraphs,
    dictionary: { ...common.dictionary, ...en.dictionary },
  });
  return zxcvbn;
}

/**
 * Estimates how guessable `passphrase` is. `context` holds what the attacker also knows about
 * this vault: the organisation, the log origin, the administrator's name; `LOCAL_WORDS` are
 * always added. zxcvbn reads only the first 256 characters, which are plenty.
 */
export function checkPassphrase(
  passphrase: string,
  context: readonly string[] = [],
): PassphraseVerdict {
  const inputs = [...LOCAL_WORDS, ...context.flatMap(contextWords)];
  const r = factory().check(passphrase.normalize('NFC'), inputs);
  return {
    ok: r.guessesLog10 >= MIN_GUESSES_LOG10,
    score: r.score,
    guessesLog10: r.guessesLog10,
    warning: r.feedback.warning,
    suggestions: r.feedback.suggestions,
  };
}

/** A context string and its parts: "union.example/log" also yields "union", "example", "log". */
function contextWords(s: string): string[] {
  const lower = s.normalize('NFC').toLowerCase().trim();
  if (lower === '') return [];
  return [lower, ...lower.split(/[^\p{L}\p{N}]+/u).filter((w) => w.length >= 3)];
}

/**
 * The EFF large wordlist (7776 words, https://www.eff.org/dice, CC BY 3.0 US, © Electronic
 * Frontier Foundation), as @zxcvbn-ts/language-common ships it for its own matcher.
 */
function wordList(): readonly string[] {
  const words = common.dictionary['diceware-common'];
  if (words === undefined || words.length !== 7776)
    throw new Error('expected the 7776-word EFF list in @zxcvbn-ts/language-common');
  return words.map(String);
}

/** A uniformly random index below `n` (n ≤ 2^16), by rejection sampling 32-bit draws. */
function randomBelow(n: number): number {
  const limit = 2 ** 32 - (2 ** 32 % n);
  const buf = new Uint32Array(1);
  for (;;) {
    globalThis.crypto.getRandomValues(buf);
    const x = buf[0]!;
    if (x < limit) return x % n;
  }
}

/**
 * A passphrase of `SUGGESTED_WORDS` random words from the EFF list, separated by spaces. A draw
 * that `checkPassphrase` would refuse (a run of very common words) is drawn again, which costs
 * a negligible share of the 77 bits.
 */
export function suggestPassphrase(): string {
  const words = wordList();
  for (;;) {
    const phrase = Array.from(
      { length: SUGGESTED_WORDS },
      () => words[randomBelow(words.length)]!,
    ).join(' ');
    if (checkPassphrase(phrase).ok) return phrase;
  }
}
