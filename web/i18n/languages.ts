/**
 * The interface languages, and which one a person gets: the one they chose last (kept in
 * localStorage), else the first of the browser's languages we have, else English. The same list
 * as the API's `LANGUAGES` (src/server/app/api.ts); a test keeps them equal.
 */

/** The interface languages, in the order the switcher shows them. */
export const LANGUAGES = ['en', 'ru', 'ky'] as const;
/** One of the interface languages. */
export type Lang = (typeof LANGUAGES)[number];

const STORAGE_KEY = 'tamga.language';

/** True when `value` is one of LANGUAGES. */
export function isLang(value: unknown): value is Lang {
  return typeof value === 'string' && (LANGUAGES as readonly string[]).includes(value);
}

/**
 * Returns the language to start in. Reads localStorage, which a browser may refuse (private
 * mode, a file:// page with storage disabled): then the browser's languages decide.
 */
export function initialLanguage(): Lang {
  try {
    const stored = globalThis.localStorage?.getItem(STORAGE_KEY);
    if (isLang(stored)) return stored;
  } catch {
    // Storage refused: fall through to the browser's languages.
  }
  const preferred = globalThis.navigator?.languages ?? [];
  for (const tag of preferred) {
    const base = tag.toLowerCase().split('-')[0];
    if (isLang(base)) return base;
  }
  return 'en';
}

/** Remembers the chosen language for the next visit, when the browser allows storage. */
export function rememberLanguage(lang: Lang): void {
  try {
    globalThis.localStorage?.setItem(STORAGE_KEY, lang);
  } catch {
    // Not remembered; the choice still holds for this page.
  }
}
