/**
 * One i18next instance per page, initialised synchronously from resources bundled into the page
 * (no backend: the offline verifier may not fetch, and the app has no reason to).
 */
import i18next, { type i18n, type Resource } from 'i18next';
import { LANGUAGES, type Lang } from './languages.js';

/** Returns a ready i18next instance in `lang` over `resources` (language → namespace → keys). */
export function createI18n(resources: Resource, lang: Lang, namespaces: readonly string[]): i18n {
  const instance = i18next.createInstance();
  void instance.init({
    resources,
    lng: lang,
    fallbackLng: 'en',
    supportedLngs: [...LANGUAGES],
    ns: [...namespaces],
    defaultNS: namespaces[0] ?? 'common',
    initAsync: false,
    returnNull: false,
    // React escapes what it renders; escaping here too would show `&amp;`.
    interpolation: { escapeValue: false },
  });
  return instance;
}
