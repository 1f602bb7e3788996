/** The Tamga web app: React, i18next in English, Russian and Kyrgyz, the JSON API. */
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { I18nextProvider } from 'react-i18next';
import { z } from 'zod';
import { initialLanguage } from '../i18n/languages.js';
import { appResources } from '../i18n/resources-app.js';
import { createI18n } from '../i18n/setup.js';
import { App } from './App.js';
import '../shared/base.css';
import './app.css';

// The server's Content-Security-Policy may forbid eval: zod must not compile its parsers.
z.config({ jitless: true });

const lang = initialLanguage();
document.documentElement.lang = lang;
const i18n = createI18n(appResources, lang, ['app', 'common', 'errors', 'verifier']);
const title = () => {
  document.title = i18n.t('app:appName');
};
title();
i18n.on('languageChanged', title);

const root = document.getElementById('root');
if (root === null) throw new Error('the page has no #root element');
createRoot(root).render(
  <StrictMode>
    <I18nextProvider i18n={i18n}>
      <App />
    </I18nextProvider>
  </StrictMode>,
);
