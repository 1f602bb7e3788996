/**
 * The English the vault stored (witness errors and alarms, activity details) is read back as
 * keys and params (web/app/stored-words.ts): each sentence the writers write is known, each key
 * has English, Russian and Kyrgyz text, and the writers still write the sentences the readers
 * know (a changed sentence there fails here, not silently on a Kyrgyz screen).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  activityWords,
  alarmWords,
  type StoredWords,
  witnessErrorWords,
} from '../../web/app/stored-words.js';
import { LANGUAGES } from '../../web/i18n/languages.js';

const ROOT = new URL('../../', import.meta.url).pathname;
const source = (file: string) => readFileSync(join(ROOT, file), 'utf8');

/** What src/witness/client.ts writes, with the values of one case. */
const ALARMS: Array<[string, StoredWords]> = [
  [
    "witness w1.example says it cosigned a checkpoint of size 12, but this vault's log has 9 entries: someone signed a checkpoint with this vault's key that the vault does not hold, or the vault was restored from an older copy",
    {
      key: 'alarm.witness-ahead',
      params: { witness: 'w1.example', witnessSize: 12, vaultSize: 9 },
    },
  ],
  [
    'witness w1.example REFUSED the checkpoint of size 9 (409): it cosigned another checkpoint of that size (conflict (x))',
    { key: 'alarm.fork', params: { witness: 'w1.example', size: 9, answer: 'conflict (x)' } },
  ],
  [
    "witness w1.example REFUSED the checkpoint of size 9 (422): it holds a history that is not this vault's (inconsistent)",
    { key: 'alarm.refused', params: { witness: 'w1.example', size: 9, answer: 'inconsistent' } },
  ],
  [
    'witness w1.example answered 200 without a valid cosignature by its key',
    { key: 'alarm.bad-cosignature', params: { witness: 'w1.example' } },
  ],
  [
    'witness w1.example answered 200 without a valid cosignature by its key: bad signature',
    {
      key: 'alarm.bad-cosignature-because',
      params: { witness: 'w1.example', detail: 'bad signature' },
    },
  ],
];

const WITNESS_ERRORS: Array<[string, StoredWords]> = [
  [
    'cannot reach https://w1.example: fetch failed',
    { key: 'witness.unreachable', params: { url: 'https://w1.example', detail: 'fetch failed' } },
  ],
  ['the witness answered 409 with a malformed size', { key: 'witness.bad-size', params: {} }],
  [
    'the witness keeps reporting other sizes (last 7)',
    { key: 'witness.other-sizes', params: { size: 7 } },
  ],
  [
    'the witness does not know this log (404); its operator must run: tamga witness add-log --dir DIR o+1+A',
    {
      key: 'witness.unknown-log',
      params: { command: 'tamga witness add-log --dir DIR o+1+A' },
    },
  ],
  [
    'the witness does not trust this log’s key (403); its operator must run: tamga witness add-log --dir DIR o+1+A',
    {
      key: 'witness.untrusted-key',
      params: { command: 'tamga witness add-log --dir DIR o+1+A' },
    },
  ],
  [
    'the witness answered 500: out of disk',
    { key: 'witness.status', params: { status: 500, answer: 'out of disk' } },
  ],
  [
    'ALARM 3: witness w1.example answered 200 without a valid cosignature by its key',
    { key: 'alarm.bad-cosignature', params: { witness: 'w1.example', alarm: '3' } },
  ],
];

/** What the routes of src/server/app note, by action. */
const ACTIVITY: Array<[string, string, StoredWords | null]> = [
  [
    'user.create',
    'alice (treasurer)',
    { key: 'activity.user-create', params: { name: 'alice', role: 'treasurer' } },
  ],
  [
    'user.update',
    'bob: role auditor, disabled, password reset',
    {
      key: 'activity.user-update',
      params: { name: 'bob', changes: 'role auditor, disabled, password reset' },
    },
  ],
  [
    'records.seal',
    '2 files, 2048 bytes: a.pdf, b.pdf',
    { key: 'activity.records-seal', params: { files: 2, bytes: 2048, paths: 'a.pdf, b.pdf' } },
  ],
  [
    'evidence.export',
    '3 records with 1 files: r1 r2 r3',
    { key: 'activity.evidence-files', params: { records: 3, files: 1, ids: 'r1 r2 r3' } },
  ],
  [
    'evidence.export',
    '3 records: r1 r2 r3',
    { key: 'activity.evidence', params: { records: 3, ids: 'r1 r2 r3' } },
  ],
  [
    'evidence.export',
    'books diff of march.journal: 4 differences, 2 records: r1 r2',
    {
      key: 'activity.books-diff',
      params: { name: 'march.journal', differences: 4, records: 2, ids: 'r1 r2' },
    },
  ],
  [
    'books.import',
    'may.csv: 12 lines, 3 already in the books, 0 balance mismatches; statement r9',
    {
      key: 'activity.books-import',
      params: { name: 'may.csv', lines: 12, duplicates: 3, mismatches: 0, statement: 'r9' },
    },
  ],
  [
    'books.accounts',
    'the starting union chart (48 accounts): r1',
    { key: 'activity.starting-chart', params: { accounts: 48, ids: 'r1' } },
  ],
  [
    'books.accounts',
    'account Assets:Bank:RUB: r1',
    { key: 'activity.account', params: { account: 'Assets:Bank:RUB', ids: 'r1' } },
  ],
  [
    'books.mapping',
    'CSV column mapping Demir Bank: r1',
    { key: 'activity.mapping', params: { name: 'Demir Bank', ids: 'r1' } },
  ],
  [
    'books.correction',
    'void of e1: r2',
    { key: 'activity.void', params: { entry: 'e1', ids: 'r2' } },
  ],
  [
    'books.correction',
    'correction of e1: r2',
    { key: 'activity.correction', params: { entry: 'e1', ids: 'r2' } },
  ],
  [
    'books.property',
    'transfer of Sanatorium: r3',
    { key: 'activity.property-transfer', params: { name: 'Sanatorium', ids: 'r3' } },
  ],
  ['books.entry', 'Dues for January: r1', null],
  ['witness.add', 'w1.example https://w1.example', null],
];

type Tree = { readonly [key: string]: string | Tree };
const app = Object.fromEntries(
  LANGUAGES.map((l) => [
    l,
    JSON.parse(readFileSync(join(ROOT, 'web/i18n/locales', l, 'app.json'), 'utf8')) as Tree,
  ]),
);
function lookup(tree: Tree, key: string): string | undefined {
  let at: string | Tree | undefined = tree;
  for (const part of key.split('.')) at = typeof at === 'object' ? at[part] : undefined;
  return typeof at === 'string' ? at : undefined;
}

describe('stored English read back', () => {
  it('knows each alarm src/witness/client.ts raises', () => {
    for (const [text, expected] of ALARMS) expect(alarmWords(text), text).toEqual(expected);
    expect(alarmWords('something new')).toBeNull();
  });

  it('knows each error src/witness/client.ts records', () => {
    for (const [text, expected] of WITNESS_ERRORS) {
      expect(witnessErrorWords(text), text).toEqual(expected);
    }
    expect(witnessErrorWords('something new')).toBeNull();
  });

  it('knows the activity details the routes note, and leaves plain data alone', () => {
    for (const [action, details, expected] of ACTIVITY) {
      expect(activityWords(action, details), `${action} ${details}`).toEqual(expected);
    }
  });

  it('has text in every language for each key it reads back', () => {
    const keys = new Set<string>([
      ...[...ALARMS, ...WITNESS_ERRORS].map(([, w]) => w.key),
      ...ACTIVITY.flatMap(([, , w]) => (w === null ? [] : [w.key])),
      ...['register', 'valuation', 'transfer', 'disposal', 'update'].map(
        (e) => `activity.property-${e}`,
      ),
      ...['fork', 'refused', 'witness-ahead', 'bad-cosignature'].map((k) => `kind.${k}`),
      ...['role', 'disabled', 'enabled', 'password'].map((c) => `change.${c}`),
    ]);
    for (const lang of LANGUAGES) {
      const missing = [...keys].filter((k) => lookup(app[lang]!, `stored.${k}`) === undefined);
      expect(missing, lang).toEqual([]);
    }
  });

  // The writers' template literals, with #{…} standing for ${…}.
  const written = (fragment: string) => fragment.replaceAll('#{', `$${'{'}`);

  it('matches what the writers still write', () => {
    const client = source('src/witness/client.ts');
    for (const fragment of [
      'says it cosigned a checkpoint of size #{oldSize}, but this vault',
      'REFUSED the checkpoint of size #{latest.size} (409): it cosigned another checkpoint of that size (',
      "REFUSED the checkpoint of size #{latest.size} (422): it holds a history that is not this vault's (",
      'answered 200 without a valid cosignature by its key',
      '`cannot reach #{w.url}: ',
      "'the witness answered 409 with a malformed size'",
      '`the witness keeps reporting other sizes (last #{size})`',
      "know this log' : 'trust this log’s key'} (#{reply.status}); its operator must run: ",
      '`the witness answered #{reply.status}: ',
    ]) {
      expect(client, fragment).toContain(written(fragment));
    }
    const routes = ['admin', 'books', 'books-import', 'evidence', 'uploads']
      .map((r) => source(`src/server/app/routes-${r}.ts`))
      .join('\n');
    for (const fragment of [
      '`#{user.name} (#{user.role})`',
      '`role #{body.role}`',
      "'password reset'",
      '} bytes: #{t.paths.join',
      "records#{body.withFiles ? ` with #{zip.files} files` : ''}: ",
      'books diff of #{query.name}: #{diff.comparison.differences.length} differences, ',
      'lines, #{result.plan.duplicates.length} already in the books, #{mismatches} balance mismatches; statement ',
      '`the starting union chart (#{missing.length} accounts)`',
      '`account #{body.path}`',
      '`CSV column mapping #{body.name}`',
      "`#{replacement === undefined ? 'void' : 'correction'} of #{chain.id}`",
      "`#{(draft.body as AssetBody).event ?? 'register'} of ",
      "`#{details}: #{records.map((r) => r.id).join(' ')}`",
    ]) {
      expect(routes, fragment).toContain(written(fragment));
    }
  });
});
