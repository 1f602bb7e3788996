/**
 * The Snowball Russian stemmer, from its published algorithm:
 * https://snowballstem.org/algorithms/russian/stemmer.html (Martin Porter; the Snowball source
 * is `algorithms/russian.sbl` in github.com/snowballstem/snowball). The step and class names
 * below are the algorithm's; the suffix lists are its lists, in Cyrillic.
 *
 * It strips inflectional endings so that the forms of one word meet: взносы, взносов, взносам,
 * взносами → взнос. It takes one lower-case word (callers fold case first) and returns its stem;
 * a word with no Russian vowel is returned as it is (less its ё).
 *
 * Departures from the Snowball program: none in the rules. Snowball's `among` picks the longest
 * listed suffix that lies in the region (RV) and fails outright when that suffix's condition
 * fails, without trying a shorter one; `longest` and the steps below do the same.
 */

/** The vowels of the algorithm: а е и о у ы э ю я (ё is mapped to е first). */
const VOWELS = new Set('аеиоуыэюя');

const PERFECTIVE_GERUND_1 = ['в', 'вши', 'вшись'];
const PERFECTIVE_GERUND_2 = ['ив', 'ивши', 'ившись', 'ыв', 'ывши', 'ывшись'];
// biome-ignore format: the algorithm's list, as published
const ADJECTIVE = [
  'ее', 'ие', 'ые', 'ое', 'ими', 'ыми', 'ей', 'ий', 'ый', 'ой', 'ем', 'им', 'ым', 'ом', 'его',
  'ого', 'ему', 'ому', 'их', 'ых', 'ую', 'юю', 'ая', 'яя', 'ою', 'ею',
];
const PARTICIPLE_1 = ['ем', 'нн', 'вш', 'ющ', 'щ'];
const PARTICIPLE_2 = ['ивш', 'ывш', 'ующ'];
const REFLEXIVE = ['ся', 'сь'];
// biome-ignore format: the algorithm's list, as published
const VERB_1 = [
  'ла', 'на', 'ете', 'йте', 'ли', 'й', 'л', 'ем', 'н', 'ло', 'но', 'ет', 'ют', 'ны', 'ть', 'ешь',
  'нно',
];
// biome-ignore format: the algorithm's list, as published
const VERB_2 = [
  'ила', 'ыла', 'ена', 'ейте', 'уйте', 'ите', 'или', 'ыли', 'ей', 'уй', 'ил', 'ыл', 'им', 'ым',
  'ен', 'ило', 'ыло', 'ено', 'ят', 'ует', 'уют', 'ит', 'ыт', 'ены', 'ить', 'ыть', 'ишь', 'ую', 'ю',
];
// biome-ignore format: the algorithm's list, as published
const NOUN = [
  'а', 'ев', 'ов', 'ие', 'ье', 'е', 'иями', 'ями', 'ами', 'еи', 'ии', 'и', 'ией', 'ей', 'ой', 'ий',
  'й', 'иям', 'ям', 'ием', 'ем', 'ам', 'ом', 'о', 'у', 'ах', 'иях', 'ях', 'ы', 'ь', 'ию', 'ью', 'ю',
  'ия', 'ья', 'я',
];
const SUPERLATIVE = ['ейш', 'ейше'];
const DERIVATIONAL = ['ост', 'ость'];

/** A suffix found: which list it came from, and where it starts. */
interface Found {
  readonly group: number;
  readonly start: number;
}

/**
 * The longest suffix of `word` among `groups` that starts at or after `limit`, with the index
 * of its group; null when none fits.
 */
function longest(word: string, limit: number, ...groups: readonly string[][]): Found | null {
  let best: Found | null = null;
  let bestLength = 0;
  groups.forEach((group, g) => {
    for (const s of group) {
      if (s.length > bestLength && word.length - s.length >= limit && word.endsWith(s)) {
        best = { group: g, start: word.length - s.length };
        bestLength = s.length;
      }
    }
  });
  return best;
}

/** True when the letter before `at` is а or я and lies in RV (at or after `limit`). */
function afterAOrYa(word: string, at: number, limit: number): boolean {
  return at - 1 >= limit && (word[at - 1] === 'а' || word[at - 1] === 'я');
}

/**
 * RV: the region after the first vowel. R2: the region after the first non-vowel following a
 * vowel, applied twice (R1, then R2 within R1). Each is given as the index where it starts, or
 * the word's length when it is empty.
 */
function regions(word: string): { rv: number; r2: number } {
  const n = word.length;
  const isVowel = (i: number) => VOWELS.has(word[i]!);
  let i = 0;
  while (i < n && !isVowel(i)) i++;
  if (i === n) return { rv: n, r2: n };
  const rv = i + 1;
  // R1 and R2: past a vowel, then past the non-vowel that follows it; twice.
  let at = rv;
  for (let round = 0; round < 2; round++) {
    if (round === 1) {
      while (at < n && !isVowel(at)) at++;
      if (at === n) return { rv, r2: n };
      at++;
    }
    while (at < n && isVowel(at)) at++;
    if (at === n) return { rv, r2: n };
    at++;
  }
  return { rv, r2: at };
}

/** Step 1's classes: each returns the word with its ending removed, or null when it has none. */
function perfectiveGerund(word: string, rv: number): string | null {
  const f = longest(word, rv, PERFECTIVE_GERUND_1, PERFECTIVE_GERUND_2);
  if (f === null) return null;
  // Group 1 endings must follow а or я.
  if (f.group === 0 && !afterAOrYa(word, f.start, rv)) return null;
  return word.slice(0, f.start);
}

function adjectival(word: string, rv: number): string | null {
  const adjective = longest(word, rv, ADJECTIVE);
  if (adjective === null) return null;
  const rest = word.slice(0, adjective.start);
  // An ADJECTIVE ending, optionally preceded by a PARTICIPLE ending.
  const participle = longest(rest, rv, PARTICIPLE_1, PARTICIPLE_2);
  if (participle === null) return rest;
  if (participle.group === 0 && !afterAOrYa(rest, participle.start, rv)) return rest;
  return rest.slice(0, participle.start);
}

function verb(word: string, rv: number): string | null {
  const f = longest(word, rv, VERB_1, VERB_2);
  if (f === null) return null;
  if (f.group === 0 && !afterAOrYa(word, f.start, rv)) return null;
  return word.slice(0, f.start);
}

function removeAny(word: string, rv: number, list: string[]): string | null {
  const f = longest(word, rv, list);
  return f === null ? null : word.slice(0, f.start);
}

/**
 * Returns the Snowball stem of `word`, a lower-case Russian word. Words with characters other
 * than Cyrillic letters are stemmed all the same, on their Cyrillic ending.
 */
export function stemRussian(word: string): string {
  let w = word.replaceAll('ё', 'е');
  const { rv, r2 } = regions(w);
  // Step 1.
  const gerund = perfectiveGerund(w, rv);
  if (gerund !== null) {
    w = gerund;
  } else {
    w = removeAny(w, rv, REFLEXIVE) ?? w;
    w = adjectival(w, rv) ?? verb(w, rv) ?? removeAny(w, rv, NOUN) ?? w;
  }
  // Step 2: if the word ends with и, remove it.
  if (w.length - 1 >= rv && w.endsWith('и')) w = w.slice(0, -1);
  // Step 3: a DERIVATIONAL ending that lies wholly in R2.
  const d = longest(w, rv, DERIVATIONAL);
  if (d !== null && d.start >= r2) w = w.slice(0, d.start);
  // Step 4: undouble н; or remove a SUPERLATIVE ending, then undouble н; or remove ь.
  const t = longest(w, rv, SUPERLATIVE, ['н'], ['ь']);
  if (t !== null) {
    if (t.group === 0) {
      w = w.slice(0, t.start);
      if (w.length - 2 >= rv && w.endsWith('нн')) w = w.slice(0, -1);
    } else if (t.group === 1) {
      if (w.length - 2 >= rv && w.endsWith('нн')) w = w.slice(0, -1);
    } else {
      w = w.slice(0, -1);
    }
  }
  return w;
}
