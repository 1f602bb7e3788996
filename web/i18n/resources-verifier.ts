/** The offline verifier's strings: its own, the shared ones, in every language. */
import enCommon from './locales/en/common.json' with { type: 'json' };
import enVerifier from './locales/en/verifier.json' with { type: 'json' };
import kyCommon from './locales/ky/common.json' with { type: 'json' };
import kyVerifier from './locales/ky/verifier.json' with { type: 'json' };
import ruCommon from './locales/ru/common.json' with { type: 'json' };
import ruVerifier from './locales/ru/verifier.json' with { type: 'json' };

/** Language → namespace → strings, for `createI18n`. */
export const verifierResources = {
  en: { common: enCommon, verifier: enVerifier },
  ru: { common: ruCommon, verifier: ruVerifier },
  ky: { common: kyCommon, verifier: kyVerifier },
};
