/**
 * The evidence verdict's messages (src/evidence/messages.ts) in every interface language. The
 * English catalog is the one the CLI prints; Russian and Kyrgyz are JSON catalogs keyed the same
 * way, which the type below holds to the same keys. Placeholders are filled here rather than by
 * i18next because the catalogs share the CLI's `{name}` and `{name:utc}` syntax; numbers and
 * times are written per language.
 */
import { EN, type Message, type MessageKey } from '../../src/evidence/messages.js';
import { formatNumber, formatUnixTime } from './format.js';
import type { Lang } from './languages.js';
import ky from './locales/ky/evidence.json' with { type: 'json' };
import ru from './locales/ru/evidence.json' with { type: 'json' };

/** Every verdict message, in every language. */
export const EVIDENCE_CATALOGS: Readonly<Record<Lang, Readonly<Record<MessageKey, string>>>> = {
  en: EN,
  ru,
  ky,
};

/**
 * Returns the text of a verdict message in `lang`, its placeholders filled. `kindLabel` names a
 * record kind (`document`) in the language; without it the kind is written as the record has it.
 */
export function renderEvidenceMessage(
  msg: Message,
  lang: Lang,
  kindLabel: (kind: string) => string = (kind) => kind,
): string {
  const template = EVIDENCE_CATALOGS[lang][msg.key];
  return template.replace(/\{(\w+)(?::(\w+))?\}/g, (whole, name: string, format?: string) => {
    const value = msg.params[name];
    if (value === undefined) return whole;
    if (typeof value !== 'number') return name === 'kind' ? kindLabel(value) : value;
    if (format === 'utc' && Number.isSafeInteger(value) && value >= 0) {
      return formatUnixTime(value, lang);
    }
    return formatNumber(value, lang);
  });
}
