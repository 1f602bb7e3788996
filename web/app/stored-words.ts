/**
 * English the vault stored, read back as keys and params to say it in the reader's language:
 * why a witness was not reached or refused (written by src/witness/client.ts into the
 * witnesses and alarms tables), and the details of the activity log (written by the routes of
 * src/server/app; sealed as they are, so never rewritten). Each reader knows the sentences those
 * files write; text it does not know is shown as stored. The keys are under `app:stored`.
 */
import { useCallback, useMemo } from 'react';
import { useTranslation } from 'react-i18next';
import { ASSET_EVENTS } from '../../src/records/bodies.js';
import type { Notice } from '../../src/server/app/api.js';
import { ROLES } from '../../src/server/app/api.js';
import { formatBytes, formatIsoTime, formatNumber } from '../i18n/format.js';
import { useLang } from '../shared/use-lang.js';

/** A sentence as a key under `app:stored` and its params. */
export interface StoredWords {
  readonly key: string;
  readonly params: Readonly<Record<string, string | number>>;
}

const words = (key: string, params: Record<string, string | number> = {}): StoredWords => ({
  key,
  params,
});

/**
 * Returns the words of an alarm's message (src/witness/client.ts `alarm`), or null for text it
 * does not know. The witness's own answer, quoted in it, stays as the witness wrote it.
 */
export function alarmWords(message: string): StoredWords | null {
  let m =
    /^witness (.+?) says it cosigned a checkpoint of size (\d+), but this vault's log has (\d+) entries: /.exec(
      message,
    );
  if (m !== null) {
    return words('alarm.witness-ahead', {
      witness: m[1]!,
      witnessSize: Number(m[2]),
      vaultSize: Number(m[3]),
    });
  }
  m = /^witness (.+?) REFUSED the checkpoint of size (\d+) \((409|422)\): .*? \(([\s\S]*)\)$/.exec(
    message,
  );
  if (m !== null) {
    return words(m[3] === '409' ? 'alarm.fork' : 'alarm.refused', {
      witness: m[1]!,
      size: Number(m[2]),
      answer: m[4]!,
    });
  }
  m = /^witness (.+?) answered 200 without a valid cosignature by its key(?:: ([\s\S]*))?$/.exec(
    message,
  );
  if (m !== null) {
    return m[2] === undefined
      ? words('alarm.bad-cosignature', { witness: m[1]! })
      : words('alarm.bad-cosignature-because', { witness: m[1]!, detail: m[2] });
  }
  return null;
}

/**
 * Returns the words of a witness's last error (src/witness/client.ts `failed` and `alarm`), or
 * null for text it does not know. A network error's own words (from the runtime) are kept.
 */
export function witnessErrorWords(text: string): StoredWords | null {
  let m = /^ALARM (\d+): ([\s\S]*)$/.exec(text);
  if (m !== null) {
    const alarm = alarmWords(m[2]!);
    return alarm === null ? null : { key: alarm.key, params: { ...alarm.params, alarm: m[1]! } };
  }
  m = /^cannot reach (\S+): ([\s\S]*)$/.exec(text);
  if (m !== null) return words('witness.unreachable', { url: m[1]!, detail: m[2]! });
  if (text === 'the witness answered 409 with a malformed size') return words('witness.bad-size');
  m = /^the witness keeps reporting other sizes \(last (\d+)\)$/.exec(text);
  if (m !== null) return words('witness.other-sizes', { size: Number(m[1]) });
  m =
    /^the witness does not (know this log|trust this log’s key) \((?:403|404)\); its operator must run: (.+)$/.exec(
      text,
    );
  if (m !== null) {
    return words(m[1] === 'know this log' ? 'witness.unknown-log' : 'witness.untrusted-key', {
      command: m[2]!,
    });
  }
  m = /^the witness answered (\d+): ([\s\S]*)$/.exec(text);
  if (m !== null) return words('witness.status', { status: Number(m[1]), answer: m[2]! });
  return null;
}

const ROLE = `(${ROLES.join('|')})`;
const CHANGE = `(?:role ${ROLE}|disabled|enabled|password reset)`;
/** Record ids as the routes list them after the last `: ` (no colon in an id). */
const IDS = '([^:]*)';

/**
 * Returns the words of an activity entry's details, written by the route that noted `action`, or
 * null when they are plain data (a name, a number) or text it does not know.
 */
export function activityWords(action: string, details: string): StoredWords | null {
  let m: RegExpExecArray | null;
  switch (action) {
    case 'user.create':
      m = new RegExp(`^([\\s\\S]*) \\(${ROLE}\\)$`).exec(details);
      return m === null ? null : words('activity.user-create', { name: m[1]!, role: m[2]! });
    case 'user.update':
      m = new RegExp(`^([\\s\\S]*): (${CHANGE}(?:, ${CHANGE})*)$`).exec(details);
      return m === null ? null : words('activity.user-update', { name: m[1]!, changes: m[2]! });
    case 'records.seal':
      m = /^(\d+) files?, (\d+) bytes: ([\s\S]*)$/.exec(details);
      return m === null
        ? null
        : words('activity.records-seal', {
            files: Number(m[1]),
            bytes: Number(m[2]),
            paths: m[3]!,
          });
    case 'evidence.export':
      m = /^books diff of ([\s\S]*): (\d+) differences, (\d+) records: ([\s\S]*)$/.exec(details);
      if (m !== null) {
        return words('activity.books-diff', {
          name: m[1]!,
          differences: Number(m[2]),
          records: Number(m[3]),
          ids: m[4]!,
        });
      }
      m = /^(\d+) records(?: with (\d+) files)?: ([\s\S]*)$/.exec(details);
      if (m === null) return null;
      return m[2] === undefined
        ? words('activity.evidence', { records: Number(m[1]), ids: m[3]! })
        : words('activity.evidence-files', {
            records: Number(m[1]),
            files: Number(m[2]),
            ids: m[3]!,
          });
    case 'books.import':
      m =
        /^([\s\S]*): (\d+) lines, (\d+) already in the books, (\d+) balance mismatches; statement (\S+)$/.exec(
          details,
        );
      return m === null
        ? null
        : words('activity.books-import', {
            name: m[1]!,
            lines: Number(m[2]),
            duplicates: Number(m[3]),
            mismatches: Number(m[4]),
            statement: m[5]!,
          });
    case 'books.accounts':
      m = new RegExp(`^the starting union chart \\((\\d+) accounts\\): ${IDS}$`).exec(details);
      if (m !== null) {
        return words('activity.starting-chart', { accounts: Number(m[1]), ids: m[2]! });
      }
      m = new RegExp(`^account ([\\s\\S]*): ${IDS}$`).exec(details);
      return m === null ? null : words('activity.account', { account: m[1]!, ids: m[2]! });
    case 'books.mapping':
      m = new RegExp(`^CSV column mapping ([\\s\\S]*): ${IDS}$`).exec(details);
      return m === null ? null : words('activity.mapping', { name: m[1]!, ids: m[2]! });
    case 'books.correction':
      m = new RegExp(`^(void|correction) of (\\S+): ${IDS}$`).exec(details);
      return m === null
        ? null
        : words(m[1] === 'void' ? 'activity.void' : 'activity.correction', {
            entry: m[2]!,
            ids: m[3]!,
          });
    case 'books.property':
      m = new RegExp(`^(${ASSET_EVENTS.join('|')}) of ([\\s\\S]*): ${IDS}$`).exec(details);
      return m === null ? null : words(`activity.property-${m[1]}`, { name: m[2]!, ids: m[3]! });
    default:
      return null;
  }
}

/**
 * Returns functions that say stored English in the page's language: a witness's last error, an
 * alarm's message, a notice's params (their quoted errors and times translated), and an
 * activity entry's details. Text none of the readers knows is returned as stored.
 */
export function useStoredText() {
  const { t } = useTranslation('app');
  const lang = useLang();
  const say = useCallback(
    (w: StoredWords | null, stored: string): string => {
      if (w === null) return stored;
      const p: Record<string, string | number> = { ...w.params };
      for (const [k, v] of Object.entries(p)) {
        if (typeof v === 'number' && k !== 'status') p[k] = formatNumber(v, lang);
      }
      if (typeof w.params.bytes === 'number') p.bytes = formatBytes(w.params.bytes, lang);
      if (typeof w.params.role === 'string') p.role = t(`role.${w.params.role}`);
      if (typeof w.params.changes === 'string') {
        p.changes = w.params.changes
          .split(', ')
          .map((c) =>
            c.startsWith('role ')
              ? t('stored.change.role', { role: t(`role.${c.slice(5)}`) })
              : t(`stored.change.${c === 'password reset' ? 'password' : c}`),
          )
          .join(', ');
      }
      return t(`stored.${w.key}`, p);
    },
    [t, lang],
  );
  return useMemo(
    () => ({
      witnessError: (text: string) => say(witnessErrorWords(text), text),
      alarm: (message: string) => say(alarmWords(message), message),
      activity: (action: string, details: string) => say(activityWords(action, details), details),
      /** The params of a notice, with its quoted witness errors and its times in the language. */
      noticeParams: (n: Notice): Record<string, string | number> => {
        const p: Record<string, string | number> = { ...n.params };
        if (typeof p.detail === 'string') p.detail = say(alarmWords(p.detail), p.detail);
        if (typeof p.reason === 'string') p.reason = say(alarmWords(p.reason), p.reason);
        if (typeof p.error === 'string') p.error = say(witnessErrorWords(p.error), p.error);
        if (typeof p.kind === 'string')
          p.kind = t(`stored.kind.${p.kind}`, { defaultValue: p.kind });
        if (typeof p.since === 'string') p.since = formatIsoTime(p.since, lang);
        return p;
      },
    }),
    [say, t, lang],
  );
}
