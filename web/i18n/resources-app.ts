/** The app's strings: its own, the server's error keys, the verifier's (for bundles), shared. */
import enApp from './locales/en/app.json' with { type: 'json' };
import enCommon from './locales/en/common.json' with { type: 'json' };
import enErrors from './locales/en/errors.json' with { type: 'json' };
import enVerifier from './locales/en/verifier.json' with { type: 'json' };
import kyApp from './locales/ky/app.json' with { type: 'json' };
import kyCommon from './locales/ky/common.json' with { type: 'json' };
import kyErrors from './locales/ky/errors.json' with { type: 'json' };
import kyVerifier from './locales/ky/verifier.json' with { type: 'json' };
import ruApp from './locales/ru/app.json' with { type: 'json' };
import ruCommon from './locales/ru/common.json' with { type: 'json' };
import ruErrors from './locales/ru/errors.json' with { type: 'json' };
import ruVerifier from './locales/ru/verifier.json' with { type: 'json' };

/** Language → namespace → strings, for `createI18n`. */
export const appResources = {
  en: { app: enApp, common: enCommon, errors: enErrors, verifier: enVerifier },
  ru: { app: ruApp, common: ruCommon, errors: ruErrors, verifier: ruVerifier },
  ky: { app: kyApp, common: kyCommon, errors: kyErrors, verifier: kyVerifier },
};
