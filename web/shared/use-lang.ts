/** The page's current interface language, as a typed value, for Intl formatting. */
import { useTranslation } from 'react-i18next';
import { isLang, type Lang } from '../i18n/languages.js';

/** Returns the current language of the page's i18next instance. */
export function useLang(): Lang {
  const { i18n } = useTranslation();
  const lang = i18n.resolvedLanguage ?? i18n.language;
  return isLang(lang) ? lang : 'en';
}
