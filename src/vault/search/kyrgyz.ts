/**
 * A conservative Kyrgyz stemmer for search: it removes the commonest inflectional suffixes of
 * nouns, so that мүчөлүк, мүчөлүктөр, мүчөлүктүн and мүчөлүктөрдүн meet at мүчөлүк. It is a short
 * list of endings of our own, not a published algorithm (there is no Snowball stemmer for
 * Kyrgyz); the endings follow the grammar's tables of case, possession and number (for instance
 * the Kyrgyz–Russian and Kyrgyz–English grammars of the Kyrgyz Academy of Sciences tradition).
 *
 * From the end of the word, at most one of each, in this order:
 *
 * 1. a case ending: genitive -нын/-дын/-тын, dative -га/-ка (-на after a possessive),
 *    accusative -ны/-ды/-ты, locative -да/-та (-нда), ablative -дан/-тан (-нан);
 * 2. a possessive ending: third person -сы (after a vowel), first person plural -ыбыз/-быз,
 *    second person polite -ыңыз/-ңыз;
 * 3. the plural -лар/-дар/-тар.
 *
 * Each ending comes in the four or two forms of vowel harmony (-лар -лер -лор -лөр); an ending is
 * removed only when its vowel agrees with the last vowel of what is left, and only when at least
 * three letters, one of them a vowel, are left. So a Russian word rarely loses an ending that
 * merely looks Kyrgyz (республика keeps -ка: и does not take а).
 *
 * Not handled, on purpose: the voicing of a stem's final consonant before a vowel (мүчөлүгү,
 * китеби), first and second person singular possessives (-ым, -ың: too often a stem's own
 * ending), verbs, and derivational suffixes (-лык, -чы), which make other words.
 */

/** Which vowels a suffix may take after a stem whose last vowel is the key. */
const HARMONY: Readonly<Record<string, { low: string; high: string }>> = {
  а: { low: 'а', high: 'ы' },
  ы: { low: 'а', high: 'ы' },
  я: { low: 'а', high: 'ы' },
  о: { low: 'о', high: 'у' },
  ё: { low: 'о', high: 'у' },
  // After у, the low vowel is а (куштар) and, in loanwords, sometimes о.
  у: { low: 'ао', high: 'у' },
  ю: { low: 'ао', high: 'у' },
  е: { low: 'е', high: 'и' },
  и: { low: 'е', high: 'и' },
  э: { low: 'е', high: 'и' },
  ө: { low: 'ө', high: 'ү' },
  ү: { low: 'ө', high: 'ү' },
};

const LOW = ['а', 'о', 'е', 'ө'];
const HIGH = ['ы', 'у', 'и', 'ү'];

/** A suffix and which of its letters is the harmonising vowel, of which height. */
interface Ending {
  readonly text: string;
  readonly vowel: string;
  readonly height: 'low' | 'high';
}

/** Every harmonic form of `pattern`, where V stands for the vowel (in each place it occurs). */
function forms(patterns: readonly string[], height: 'low' | 'high'): Ending[] {
  const vowels = height === 'low' ? LOW : HIGH;
  return patterns.flatMap((p) =>
    vowels.map((v) => ({ text: p.replaceAll('V', v), vowel: v, height })),
  );
}

const CASES = [
  // genitive, accusative
  ...forms(['нVн', 'дVн', 'тVн', 'нV', 'дV', 'тV'], 'high'),
  // ablative, locative, dative
  ...forms(['дVн', 'тVн', 'нVн', 'ндV', 'дV', 'тV', 'гV', 'кV', 'нV'], 'low'),
];
const POSSESSIVES = forms(['сV', 'VбVз', 'бVз', 'VңVз', 'ңVз'], 'high');
const PLURALS = forms(['лVр', 'дVр', 'тVр'], 'low');

const VOWELS = new Set(Object.keys(HARMONY));

function lastVowel(s: string): string | null {
  for (let i = s.length - 1; i >= 0; i--) if (VOWELS.has(s[i]!)) return s[i]!;
  return null;
}

/** `word` less the longest of `endings` that may be removed, or `word` when none may. */
function strip(word: string, endings: readonly Ending[]): string {
  let best = word;
  for (const e of endings) {
    if (!word.endsWith(e.text) || word.length - e.text.length >= best.length) continue;
    const rest = word.slice(0, word.length - e.text.length);
    const v = lastVowel(rest);
    if (rest.length < 3 || v === null) continue;
    if (HARMONY[v]![e.height].includes(e.vowel)) best = rest;
  }
  return best;
}

/** Returns the stem of `word`, a lower-case Kyrgyz word (or any word: see the rules above). */
export function stemKyrgyz(word: string): string {
  return strip(strip(strip(word, CASES), POSSESSIVES), PLURALS);
}
