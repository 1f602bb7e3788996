/**
 * The language switcher every screen shows: each language named in itself, so that a person
 * who cannot read the current one still finds theirs.
 */
import { useTranslation } from 'react-i18next';
import { LANGUAGES, type Lang, rememberLanguage } from '../i18n/languages.js';
import { useLang } from './use-lang.js';

/** Switches `i18n` to `lang`, remembers it and sets the document's `lang` attribute. */
export function switchLanguage(i18n: { changeLanguage(lang: string): unknown }, lang: Lang): void {
  void i18n.changeLanguage(lang);
  rememberLanguage(lang);
  document.documentElement.lang = lang;
}

export function LanguageSwitcher() {
  const { t, i18n } = useTranslation('common');
  const current = useLang();
  return (
    <nav className="languages" aria-label={t('language.label')}>
      {LANGUAGES.map((lang) => (
        <button
          key={lang}
          type="button"
          lang={lang}
          aria-pressed={lang === current}
          data-lang={lang}
          onClick={() => switchLanguage(i18n, lang)}
        >
          {t(`language.${lang}`)}
        </button>
      ))}
    </nav>
  );
}
