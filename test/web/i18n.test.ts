/**
 * The interface's languages are complete: every namespace has the same keys in English, Russian
 * and Kyrgyz (each with the plural forms its language needs), no empty string, the same
 * placeholders; the evidence verdict catalogs cover every message key of src/evidence; and no
 * user-facing text is written into the JSX instead of going through i18n.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';
import { EN } from '../../src/evidence/messages.js';
import { LANGUAGES as API_LANGUAGES } from '../../src/server/app/api.js';
import { EVIDENCE_CATALOGS, renderEvidenceMessage } from '../../web/i18n/evidence.js';
import { LANGUAGES } from '../../web/i18n/languages.js';

const WEB = new URL('../../web/', import.meta.url).pathname;
const LOCALES = join(WEB, 'i18n/locales');
const PLURAL = /_(zero|one|two|few|many|other)$/;

type Tree = { readonly [key: string]: string | Tree };

function flatten(tree: Tree, prefix = ''): Map<string, string> {
  const out = new Map<string, string>();
  for (const [k, v] of Object.entries(tree)) {
    const key = prefix === '' ? k : `${prefix}.${k}`;
    if (typeof v === 'string') out.set(key, v);
    else for (const [kk, vv] of flatten(v, key)) out.set(kk, vv);
  }
  return out;
}

function load(lang: string, ns: string): Map<string, string> {
  return flatten(JSON.parse(readFileSync(join(LOCALES, lang, `${ns}.json`), 'utf8')) as Tree);
}

/** i18next placeholders, `{{name}}` or `{{name, format}}`. */
function placeholders(text: string, pattern = /\{\{\s*(\w+)[^}]*\}\}/g): string[] {
  return [...text.matchAll(pattern)].map((m) => m[1]!).sort();
}

const namespaces = readdirSync(join(LOCALES, 'en'))
  .filter((f) => f.endsWith('.json'))
  .map((f) => f.replace(/\.json$/, ''));

describe('interface strings', () => {
  it('are in the languages the API names', () => {
    expect([...LANGUAGES]).toEqual([...API_LANGUAGES]);
    for (const lang of LANGUAGES) {
      expect(readdirSync(join(LOCALES, lang)).sort()).toEqual(
        lang === 'en'
          ? readdirSync(join(LOCALES, 'en')).sort()
          : [...readdirSync(join(LOCALES, 'en')), 'evidence.json'].sort(),
      );
    }
  });

  for (const ns of namespaces) {
    it(`${ns}: the same keys, plural forms, placeholders and no empty text in every language`, () => {
      const en = load('en', ns);
      const base = (m: Map<string, string>) =>
        new Set([...m.keys()].map((k) => k.replace(PLURAL, '')));
      for (const lang of LANGUAGES) {
        const strings = load(lang, ns);
        expect([...base(strings)].sort(), `${lang}/${ns}.json keys`).toEqual([...base(en)].sort());
        for (const [key, text] of strings) {
          expect(text.trim(), `${lang}/${ns}.json ${key}`).not.toBe('');
        }
        // Every plural key has each form the language's plural rules use, and no other.
        const forms = new Intl.PluralRules(lang).resolvedOptions().pluralCategories;
        const plural = [...strings.keys()].filter((k) => PLURAL.test(k));
        for (const stem of new Set(plural.map((k) => k.replace(PLURAL, '')))) {
          const have = plural
            .filter((k) => k.replace(PLURAL, '') === stem)
            .map((k) => k.split('_').pop());
          expect(have.sort(), `${lang}/${ns}.json ${stem} plural forms`).toEqual([...forms].sort());
        }
        for (const [key, text] of strings) {
          const enText = en.get(key) ?? en.get(`${key.replace(PLURAL, '')}_other`) ?? '';
          const expected = placeholders(enText).filter((p) => p !== 'count');
          expect(
            placeholders(text).filter((p) => p !== 'count'),
            `${lang}/${ns}.json ${key} placeholders`,
          ).toEqual(expected);
        }
      }
    });
  }
});

describe('evidence verdict messages', () => {
  const pattern = /\{(\w+)(?::\w+)?\}/g;
  for (const lang of LANGUAGES) {
    it(`${lang}: every message key of src/evidence, with its placeholders`, () => {
      const catalog = EVIDENCE_CATALOGS[lang];
      expect(Object.keys(catalog).sort()).toEqual(Object.keys(EN).sort());
      for (const [key, text] of Object.entries(EN)) {
        const translated = catalog[key as keyof typeof EN];
        expect(translated.trim(), `${lang} ${key}`).not.toBe('');
        expect(placeholders(translated, pattern), `${lang} ${key}`).toEqual(
          placeholders(text, pattern),
        );
        // The `:utc` format stays on the same placeholders.
        expect(translated.match(/\{\w+:utc\}/g) ?? [], `${lang} ${key}`).toEqual(
          text.match(/\{\w+:utc\}/g) ?? [],
        );
      }
    });
  }

  it('are rendered with numbers and times in the language', () => {
    const m = { key: 'time.proven', params: { time: 1741176000, witness: 'w1.example' } } as const;
    expect(renderEvidenceMessage(m, 'en')).toBe(
      'The records that verified existed no later than March 5, 2025 at 12:00:00 UTC: the witness w1.example cosigned, at that time, a checkpoint that includes them.',
    );
    expect(renderEvidenceMessage(m, 'ru')).toContain('не позднее 5 марта 2025 г. в 12:00:00 UTC');
    expect(renderEvidenceMessage(m, 'ky')).toMatch(/эң кечинде .*2025.*12:00:00 UTC/);
    const size = {
      key: 'checkpoint.read',
      params: { origin: 'o', size: 1234567, root: 'r' },
    } as const;
    expect(renderEvidenceMessage(size, 'ru')).toContain('1\u00a0234\u00a0567');
    const kind = { key: 'record.well-formed', params: { kind: 'document' } } as const;
    expect(renderEvidenceMessage(kind, 'ru', (k) => (k === 'document' ? 'Документ' : k))).toBe(
      'Запись соответствует схеме записи вида «Документ».',
    );
  });
});

function tsxFiles(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (name === 'dist' || name === 'node_modules') continue;
    if (statSync(path).isDirectory()) out.push(...tsxFiles(path));
    else if (name.endsWith('.tsx')) out.push(path);
  }
  return out;
}

/** Attributes a person reads or hears. */
const TEXT_ATTRIBUTES = new Set(['aria-label', 'title', 'placeholder', 'alt', 'aria-description']);
/** Letters, in any script: text with none (a ✓, a `·`, digits) is not language. */
const LETTER = /\p{L}/u;

function sourceFiles(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (name === 'dist' || name === 'build' || name === 'node_modules') continue;
    if (statSync(path).isDirectory()) out.push(...sourceFiles(path));
    else if (/\.tsx?$/.test(name) && !name.endsWith('.config.ts')) out.push(path);
  }
  return out;
}

describe('the code', () => {
  it('asks only for keys that exist in English', () => {
    const known = new Set<string>();
    for (const ns of namespaces) {
      for (const key of load('en', ns).keys()) {
        const stem = key.replace(PLURAL, '');
        known.add(`${ns}:${stem}`);
        known.add(stem);
      }
    }
    const missing: string[] = [];
    for (const file of sourceFiles(WEB)) {
      const text = readFileSync(file, 'utf8');
      for (const m of text.matchAll(/\bt\(\s*'([^'$]+)'/g)) {
        if (!known.has(m[1]!)) missing.push(`${relative(WEB, file)}: ${m[1]}`);
      }
    }
    expect(missing).toEqual([]);
  });
});

describe('the JSX', () => {
  it('holds no user-facing text that bypasses i18n', () => {
    const found: string[] = [];
    for (const file of tsxFiles(WEB)) {
      const source = ts.createSourceFile(
        file,
        readFileSync(file, 'utf8'),
        ts.ScriptTarget.Latest,
        true,
        ts.ScriptKind.TSX,
      );
      const where = (n: ts.Node) =>
        `${relative(WEB, file)}:${source.getLineAndCharacterOfPosition(n.getStart()).line + 1}`;
      const visit = (node: ts.Node) => {
        if (ts.isJsxText(node) && LETTER.test(node.text)) {
          found.push(`${where(node)} text ${JSON.stringify(node.text.trim())}`);
        }
        if (
          ts.isJsxAttribute(node) &&
          TEXT_ATTRIBUTES.has(node.name.getText(source)) &&
          node.initializer !== undefined &&
          ts.isStringLiteral(node.initializer) &&
          LETTER.test(node.initializer.text)
        ) {
          found.push(
            `${where(node)} ${node.name.getText(source)}=${node.initializer.getText(source)}`,
          );
        }
        // A string literal as a child expression: {'Save'}.
        if (
          ts.isJsxExpression(node) &&
          node.expression !== undefined &&
          (ts.isStringLiteral(node.expression) ||
            ts.isNoSubstitutionTemplateLiteral(node.expression)) &&
          ts.isJsxElement(node.parent) &&
          LETTER.test(node.expression.text)
        ) {
          found.push(`${where(node)} {${node.expression.getText(source)}}`);
        }
        ts.forEachChild(node, visit);
      };
      visit(source);
    }
    expect(found).toEqual([]);
  });
});
