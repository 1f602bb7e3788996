/**
 * Every error code the server can send is worded in English, Russian and Kyrgyz
 * (web/i18n/locales/<lang>/errors.json), so that no translated screen shows an English sentence.
 *
 * How the codes are collected, without running every failure: the modules the web server loads
 * (the relative imports of src/server/app/index.ts, followed) are searched for the errors whose
 * code toApiError (src/server/app/errors.ts) sends as it is: `new AppError(status, 'code'`,
 * `new BooksError('code'`, `new StatementError('code'`, `new VaultError('code'`,
 * `new MirrorError('code'` and the XML reader's `fail('code'`. To those are added the
 * FormatError and LimitError codes of REQUEST_FORMAT_CODES (any other is answered
 * `server.failed`), the keys errors.ts writes itself (`answer('key'`), and each `reason` of
 * STATEMENT_REASONS, which is worded as the i18next context of its code (`csv.mapping_no-date`).
 */
import { readFileSync } from 'node:fs';
import { dirname, join, normalize } from 'node:path';
import i18next from 'i18next';
import { describe, expect, it } from 'vitest';
import { STATEMENT_REASONS, StatementError } from '../../src/books/import/errors.js';
import { FormatError, LimitError } from '../../src/log/errors.js';
import { AppError, REQUEST_FORMAT_CODES, toApiError } from '../../src/server/app/errors.js';
import { errorText } from '../../web/app/error-text.js';
import { LANGUAGES } from '../../web/i18n/languages.js';

const ROOT = new URL('../../', import.meta.url).pathname;
const LOCALES = join(ROOT, 'web/i18n/locales');

/** The .ts files the web server loads, from src/server/app/index.ts. */
function serverModules(): Map<string, string> {
  const seen = new Map<string, string>();
  const todo = ['src/server/app/index.ts'];
  while (todo.length > 0) {
    const file = todo.pop()!;
    if (seen.has(file)) continue;
    const text = readFileSync(join(ROOT, file), 'utf8');
    seen.set(file, text);
    for (const m of text.matchAll(/(?:from|import)\s*\(?\s*'(\.{1,2}\/[^']+)\.js'/g)) {
      todo.push(`${normalize(join(dirname(file), m[1]!))}.ts`);
    }
  }
  return seen;
}

const SENT_AS_IS =
  /new (?:AppError|BooksError|StatementError|VaultError|MirrorError)\(\s*(?:\d+\s*,\s*)?'([^']+)'/g;
const XML_FAIL = /\bfail\(\s*'([^']+)'/g;

/** Every code the server can send, with one file that raises it. */
function serverCodes(): Map<string, string> {
  const codes = new Map<string, string>();
  for (const [file, text] of serverModules()) {
    for (const m of text.matchAll(SENT_AS_IS)) codes.set(m[1]!, file);
    if (file.endsWith('/xml.ts')) for (const m of text.matchAll(XML_FAIL)) codes.set(m[1]!, file);
  }
  for (const code of REQUEST_FORMAT_CODES) codes.set(code, 'REQUEST_FORMAT_CODES');
  const handler = readFileSync(join(ROOT, 'src/server/app/errors.ts'), 'utf8');
  for (const m of handler.matchAll(/answer\(\s*'([^']+)'|code: '([^']+)'/g)) {
    codes.set((m[1] ?? m[2])!, 'src/server/app/errors.ts');
  }
  return codes;
}

type Tree = { readonly [key: string]: string | Tree };

function lookup(tree: Tree, key: string): string | undefined {
  let at: string | Tree | undefined = tree;
  for (const part of key.split('.')) {
    if (typeof at !== 'object') return undefined;
    at = at[part];
  }
  return typeof at === 'string' ? at : undefined;
}

const errors = Object.fromEntries(
  LANGUAGES.map((lang) => [
    lang,
    JSON.parse(readFileSync(join(LOCALES, lang, 'errors.json'), 'utf8')) as Tree,
  ]),
) as Record<(typeof LANGUAGES)[number], Tree>;

describe('error codes', () => {
  const codes = serverCodes();

  it('are found where the server raises them', () => {
    // The collection works: the codes the issue names are among them.
    for (const code of ['key.malformed', 'import.account', 'csv.mapping', 'books.mapping']) {
      expect(codes.has(code), code).toBe(true);
    }
    expect(codes.size).toBeGreaterThan(140);
  });

  for (const lang of LANGUAGES) {
    it(`each has ${lang} text`, () => {
      const missing = [...codes]
        .filter(([code]) => lookup(errors[lang], code) === undefined)
        .map(([code, file]) => `${code} (${file})`);
      expect(missing).toEqual([]);
    });

    it(`each reason has ${lang} text of its own`, () => {
      const missing: string[] = [];
      for (const [code, reasons] of Object.entries(STATEMENT_REASONS)) {
        for (const reason of reasons) {
          if (lookup(errors[lang], `${code}_${reason}`) === undefined) {
            missing.push(`${code}_${reason}`);
          }
        }
      }
      expect(missing).toEqual([]);
    });
  }

  it('have no reason that STATEMENT_REASONS does not list', () => {
    const listed = new Set(Object.values(STATEMENT_REASONS).flat() as string[]);
    const found = new Set<string>();
    for (const [file, text] of serverModules()) {
      if (!file.startsWith('src/books/')) continue;
      for (const m of text.matchAll(/params: \{ reason: '([^']+)'/g)) found.add(m[1]!);
      if (file.endsWith('/csv.ts'))
        for (const m of text.matchAll(/\bbad\(\s*'([^']+)'/g)) found.add(m[1]!);
    }
    expect([...found].filter((r) => !listed.has(r))).toEqual([]);
  });
});

describe('error answers', () => {
  it('carry the precise code and its params', () => {
    const statement = new StatementError('csv.mapping', null, 'the column mapping names no date', {
      params: { reason: 'no-date' },
    });
    expect(toApiError(statement)).toEqual({
      status: 400,
      body: {
        key: 'books.statement',
        code: 'csv.mapping',
        message: 'the column mapping names no date',
        params: { code: 'csv.mapping', reason: 'no-date' },
      },
    });
    const wrapped = new AppError(400, 'books.mapping', statement.message, {
      ...statement.params,
      code: statement.code,
    });
    expect(toApiError(wrapped).body).toMatchObject({ key: 'books.mapping', code: 'csv.mapping' });
    expect(toApiError(new FormatError('key.malformed', 'malformed verifier key'))).toMatchObject({
      status: 400,
      body: { key: 'key.malformed', code: 'key.malformed' },
    });
  });

  it('say the vault’s data failed a check, with its code, for any other format error', () => {
    expect(toApiError(new LimitError('tile.width', 'a tile of 300 hashes'))).toMatchObject({
      status: 500,
      body: { code: 'server.failed', params: { failed: 'tile.width' } },
    });
  });
});

describe('error text in the reader’s language', () => {
  const resources = Object.fromEntries(LANGUAGES.map((l) => [l, { errors: errors[l] }]));
  const i18n = i18next.createInstance();
  void i18n.init({
    resources,
    lng: 'en',
    fallbackLng: 'en',
    ns: ['errors'],
    defaultNS: 'errors',
    initAsync: false,
    interpolation: { escapeValue: false },
  });
  const say = (lang: string, e: Parameters<typeof errorText>[1]) =>
    errorText(i18n.cloneInstance({ lng: lang }), e);

  it('words the issue’s examples without their English', () => {
    const noDate = {
      code: 'csv.mapping',
      key: 'books.statement',
      params: { reason: 'no-date' },
      message: 'the column mapping names no date column',
    };
    const account = {
      code: 'import.account',
      key: 'books.statement',
      params: { reason: 'never-imported', bankAccount: '1240020000123456' },
      message:
        'the statement is for the bank account 1240020000123456, which was never imported: name its books account with --account PATH (such as Assets:Bank:KGS)',
    };
    const key = {
      code: 'key.malformed',
      key: 'key.malformed',
      params: {},
      message: 'malformed verifier key: expected <name>+<8 hex digits>+<base64 key>',
    };
    for (const lang of ['ru', 'ky']) {
      for (const e of [noDate, account, key]) {
        const text = say(lang, e);
        expect(text, `${lang} ${e.code}`).not.toMatch(/malformed|--account|names no date/);
        expect(text, `${lang} ${e.code}`).toMatch(/[а-яё]/i);
      }
      expect(say(lang, account)).toContain('1240020000123456');
    }
    expect(say('en', account)).not.toContain('--account');
    expect(say('en', noDate)).toContain('date');
  });

  it('names the line of the file', () => {
    const e = { code: 'csv.currency', params: { line: 7, value: 'XX' }, message: '' };
    expect(say('ru', e)).toMatch(/^Строка 7: /);
    expect(say('ky', e)).toMatch(/^7-сап: /);
  });

  it('falls back to the group, then to a generic sentence quoting the English', () => {
    const unknownInGroup = {
      code: 'csv.not-a-code',
      key: 'books.statement',
      params: {},
      message: 'line 3: something new',
    };
    expect(say('ru', unknownInGroup)).toContain('line 3: something new');
    const unknown = { code: 'no.such', key: 'no.such', params: {}, message: 'it broke' };
    expect(say('ky', unknown)).toContain('it broke');
    expect(say('ky', unknown)).not.toBe('it broke');
  });
});
