/**
 * An error said in the reader's language from its code and params (src/server/app/errors.ts
 * sends them with every error; a StatementError raised in the browser carries them too):
 * `errors:<code>`, with the `reason` param as its i18next context (`csv.mapping_no-date`), and
 * the line of the file before it when there is one. A code with no text falls back to the text
 * of its group (`key`), which may quote the English message, then to a translated sentence that
 * quotes it; the English is shown only then.
 */
import type { i18n } from 'i18next';

/** What an error says: its code, the group it belongs to, its params and its English text. */
export interface ErrorWords {
  readonly code: string;
  readonly key?: string;
  readonly params: Readonly<Record<string, string | number>>;
  readonly message: string;
  readonly status?: number;
}

/**
 * Returns the sentence for `e` in `i18n`'s language. `withLine: false` leaves the line out, for
 * a caller that shows it already.
 */
export function errorText(
  i18n: Pick<i18n, 't' | 'exists'>,
  e: ErrorWords,
  options: { withLine?: boolean } = {},
): string {
  const { reason, line } = e.params;
  const values = {
    ns: 'errors',
    ...e.params,
    message: e.message,
    ...(typeof reason === 'string' ? { context: reason } : {}),
  };
  if (i18n.exists(e.code, { ns: 'errors' })) {
    const text = i18n.t(e.code, values);
    return typeof line === 'number' && options.withLine !== false
      ? i18n.t('atLine', { ns: 'errors', line, text })
      : text;
  }
  if (e.key !== undefined && e.key !== e.code && i18n.exists(e.key, { ns: 'errors' })) {
    return i18n.t(e.key, values);
  }
  return i18n.t('unknown', { ns: 'errors', message: e.message, status: e.status ?? 0 });
}
