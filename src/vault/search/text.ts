/**
 * What a record is searched by, and what a search asks: the words of a record in three forms
 * (as written, Russian stems, Kyrgyz stems), and a query parsed into terms that match any of
 * them. The same functions cut and fold the record's text and the query's, so that both sides
 * always meet on the same tokens.
 *
 * - Case is folded with Unicode's rules (String#toLowerCase after NFC), so ОТЧЁТ is отчёт and ҮЙ
 *   is үй; letters are never folded into others: й stays й and ё stays ё in the words as written
 *   (the Russian stemmer alone reads ё as е, as Snowball does).
 * - A token is a run of letters (with their marks) or a run of digits: взносы2019 is взносы and
 *   2019, so a scanner's file name is found by either.
 *
 * A query is terms separated by spaces, all of which must match; "double quotes" keep spaces
 * inside one term. A term matches a record when, as a phrase, its words begin the record's
 * words (receipt-1 finds receipt-1 and receipt-10), or its stems are the record's stems in
 * either language (взносы finds взносов). `key=value` matches a metadata entry exactly (any
 * case). A term with no letter or digit at all (`%`) is looked for as it is, in the names.
 */
import type { TamgaRecord } from '../../records/record.js';
import { stemKyrgyz } from './kyrgyz.js';
import { stemRussian } from './russian.js';

/** Returns `text` case-folded for search: NFC, then Unicode lower case. */
export function foldCase(text: string): string {
  return text.normalize('NFC').toLowerCase();
}

const TOKEN = /\p{N}+|[\p{L}\p{M}]+/gu;

/** Returns the tokens of `text`, case-folded: runs of letters, and runs of digits. */
export function tokens(text: string): string[] {
  return foldCase(text).match(TOKEN) ?? [];
}

/** The three columns of the search index, each a space-separated list of tokens. */
export interface IndexedText {
  /** The tokens as written (folded). */
  readonly words: string;
  /** Their Russian stems (src/vault/search/russian.ts). */
  readonly ru: string;
  /** Their Kyrgyz stems (src/vault/search/kyrgyz.ts). */
  readonly ky: string;
}

function columns(all: readonly string[]): IndexedText {
  return {
    words: all.join(' '),
    ru: all.map(stemRussian).join(' '),
    ky: all.map(stemKyrgyz).join(' '),
  };
}

/** Metadata keys Tamga itself writes (`tamga:rawPath`, base64): not words anyone searches. */
const OWN_META = 'tamga:';

/** Every string value inside `value` (JSON), in order. */
function strings(value: unknown, out: string[]): void {
  if (typeof value === 'string') out.push(value);
  else if (Array.isArray(value)) for (const v of value) strings(v, out);
  else if (typeof value === 'object' && value !== null)
    for (const v of Object.values(value)) strings(v, out);
}

/**
 * Returns the text a record is found by: for a document its path, title, tags, date, and each
 * metadata entry as its key then its value; for other kinds every text value of the body; for
 * all, the names of its files. Not its JSON keys, ids, hashes or author.
 */
export function searchableText(record: TamgaRecord): IndexedText {
  const parts: string[] = [];
  if (record.kind === 'document') {
    const b = record.body;
    parts.push(b.path, b.title ?? '', ...b.tags);
    if (b.documentDate !== undefined) parts.push(b.documentDate);
    for (const [k, v] of Object.entries(b.meta)) if (!k.startsWith(OWN_META)) parts.push(k, v);
  } else {
    strings(record.body, parts);
  }
  for (const f of record.files) parts.push(f.name);
  return columns(parts.flatMap(tokens));
}

/** One term of a query. */
export type QueryTerm =
  /** Words: as a phrase, prefix of the record's words, or the same stems (`exact`: no prefix). */
  | { readonly type: 'words'; readonly tokens: readonly string[]; readonly exact: boolean }
  /** A metadata entry, key and value case-folded, compared whole. */
  | { readonly type: 'meta'; readonly key: string; readonly value: string }
  /** No letter or digit: looked for as it is (case-folded) in the record's text values. */
  | { readonly type: 'raw'; readonly text: string };

/** Splits a query into its terms (see the module's comment). */
export function parseQuery(query: string): QueryTerm[] {
  const terms: QueryTerm[] = [];
  for (const m of query.matchAll(/"([^"]*)"?|(\S+)/g)) {
    const quoted = m[1] !== undefined;
    const text = (quoted ? m[1] : m[2])!.trim();
    if (text === '') continue;
    const eq = text.indexOf('=');
    if (eq > 0 && tokens(text.slice(0, eq)).length > 0) {
      terms.push({
        type: 'meta',
        key: foldCase(text.slice(0, eq).trim()),
        value: foldCase(text.slice(eq + 1).trim()),
      });
      continue;
    }
    const t = tokens(text);
    terms.push(
      t.length === 0
        ? { type: 'raw', text: foldCase(text) }
        : { type: 'words', tokens: t, exact: quoted },
    );
  }
  return terms;
}

const phrase = (ts: readonly string[]) => `"${ts.join(' ')}"`;

/**
 * Returns the FTS5 query of `term` over the index's columns, or null for a term the index cannot
 * narrow (a raw term, or metadata with no word in it). Tokens hold only letters, marks and
 * digits, so they need no quoting inside the phrase.
 */
export function ftsQuery(term: QueryTerm): string | null {
  switch (term.type) {
    case 'words': {
      const words = `words : ${phrase(term.tokens)}${term.exact ? '' : '*'}`;
      const ru = `ru : ${phrase(term.tokens.map(stemRussian))}`;
      const ky = `ky : ${phrase(term.tokens.map(stemKyrgyz))}`;
      return `(${words} OR ${ru} OR ${ky})`;
    }
    case 'meta': {
      // The entry is indexed as its key's words then its value's: the phrase narrows the search
      // to records that hold both, in that order; the exact comparison is made on the record.
      const t = [...tokens(term.key), ...tokens(term.value)];
      return t.length === 0 ? null : `(words : ${phrase(t)})`;
    }
    case 'raw':
      return null;
  }
}
