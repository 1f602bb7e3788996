/**
 * The offline verifier: one HTML file that checks an evidence bundle and its files in the
 * browser, with the same pure code as `tamga check-evidence`, and no network at all.
 */
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { I18nextProvider } from 'react-i18next';
import { z } from 'zod';
import { initialLanguage } from '../i18n/languages.js';
import { verifierResources } from '../i18n/resources-verifier.js';
import { createI18n } from '../i18n/setup.js';
import { Verifier } from './Verifier.js';
import '../shared/base.css';
import './verifier.css';

// The page's Content-Security-Policy forbids eval: zod must not try to compile its parsers.
z.config({ jitless: true });

const lang = initialLanguage();
document.documentElement.lang = lang;
const i18n = createI18n(verifierResources, lang, ['verifier', 'common']);
document.title = i18n.t('verifier:title');
i18n.on('languageChanged', () => {
  document.title = i18n.t('verifier:title');
});

const root = document.getElementById('root');
if (root === null) throw new Error('the page has no #root element');
createRoot(root).render(
  <StrictMode>
    <I18nextProvider i18n={i18n}>
      <Verifier />
    </I18nextProvider>
  </StrictMode>,
);
