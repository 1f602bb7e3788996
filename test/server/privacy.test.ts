/**
 * Nothing private leaves through the public log server. Files with distinctive names, tags,
 * metadata and contents (Latin and Cyrillic) are sealed into a real vault; then every byte the
 * server will give anyone is fetched (landing page, checkpoint, every tile and entry bundle of
 * every checkpointed size, error pages for paths that guess at private things, headers
 * included) and searched for each secret: as UTF-8, UTF-16 (both byte orders), hex, base64 and
 * base64url at every alignment, and JSON \u escapes; the salts, file hashes (the SHA-256 of a
 * file is private too: it confirms a guess of the file) and the keys likewise.
 *
 * A second test pins down why this holds: the server's reads of the database name no private
 * table or column.
 */
import { createHash } from 'node:crypto';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeSignerKey } from '../../src/log/note.js';
import { formatTilePath, tilesForSize } from '../../src/log/tiles.js';
import { buildPublicLogServer } from '../../src/server/public-log.js';
import { sealPaths } from '../../src/vault/seal.js';
import type { Vault } from '../../src/vault/vault.js';
import {
  appendSynthetic,
  containsBytes,
  createVault,
  PASSPHRASE,
  snapshot,
  type TestVault,
} from './fixtures.js';

const FOLDER = 'профком-архив-2019';
const FILES: ReadonlyArray<{ path: string; content: string | Uint8Array }> = [
  {
    path: 'secret-budget-2019.pdf',
    content: '%PDF-1.4 Бюджет профсоюза горняков на 2019 год: членские взносы 4 817 300 сом',
  },
  {
    path: 'Список-членов-профкома.csv',
    content: 'ФИО;телефон\nАсель Джумабаева;+996 555 123 456\nBakyt Osmonov;+996 700 987 654\n',
  },
  {
    path: 'Тайное/протокол-стачкома-14-марта.txt',
    content:
      'Протокол заседания стачечного комитета: забастовка начнётся 2 апреля на руднике Кумтор',
  },
  // Binary content: the bytes themselves are the secret.
  {
    path: 'photos/evidence-raid-0427.jpg',
    content: Uint8Array.from({ length: 300 }, (_, i) => (i * 151 + 7) % 256),
  },
];
const TAGS = ['забастовка-2019', 'strike-fund-ledger'];
const META: Record<string, string> = {
  источникДокумента: 'Офис в Бишкеке, сейф №3',
  caseReference: 'ILO-CFA-3456-confidential',
};
const AUTHOR = 'Айгуль Садыкова, казначей';

/** Content snippets: distinctive phrases of each text file. */
const SNIPPETS = [
  'Бюджет профсоюза горняков',
  'членские взносы 4 817 300 сом',
  'Асель Джумабаева',
  'Bakyt Osmonov;+996 700 987 654',
  'стачечного комитета',
  'руднике Кумтор',
];

const enc = new TextEncoder();
const utf8 = (s: string) => enc.encode(s);

function utf16(s: string, littleEndian: boolean): Uint8Array {
  const out = new Uint8Array(s.length * 2);
  const view = new DataView(out.buffer);
  for (let i = 0; i < s.length; i++) view.setUint16(i * 2, s.charCodeAt(i), littleEndian);
  return out;
}

/**
 * The base64 text of `bytes` as it appears inside a longer base64 string, at each of the three
 * alignments: characters that mix in bits of the neighbours are dropped at both ends.
 */
function base64Inside(bytes: Uint8Array, url: boolean): string[] {
  const out: string[] = [];
  for (let k = 0; k < 3; k++) {
    const padded = Buffer.concat([Buffer.alloc(k), Buffer.from(bytes)]);
    let b = padded.toString(url ? 'base64url' : 'base64').replace(/=+$/, '');
    b = b.slice([0, 2, 3][k]);
    b = b.slice(0, b.length - (padded.length % 3 === 0 ? 0 : 4));
    if (b.length >= 8) out.push(b);
  }
  return out;
}

/** Every encoding of a secret's bytes searched for, each at least 8 bytes long. */
function byteForms(
  label: string,
  bytes: Uint8Array,
  plain = 'bytes',
): Array<{ form: string; needle: Uint8Array }> {
  const hex = Buffer.from(bytes).toString('hex');
  const forms = [
    { form: `${label} ${plain}`, needle: bytes },
    { form: `${label} hex`, needle: utf8(hex) },
    { form: `${label} HEX`, needle: utf8(hex.toUpperCase()) },
    ...base64Inside(bytes, false).map((b) => ({ form: `${label} base64`, needle: utf8(b) })),
    ...base64Inside(bytes, true).map((b) => ({ form: `${label} base64url`, needle: utf8(b) })),
  ];
  return forms.filter((f) => f.needle.length >= 8);
}

function stringForms(label: string, s: string): Array<{ form: string; needle: Uint8Array }> {
  const escaped = s.replace(
    /[^\x20-\x7e]/g,
    (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );
  return [
    ...byteForms(label, utf8(s), 'UTF-8'),
    { form: `${label} UTF-16LE`, needle: utf16(s, true) },
    { form: `${label} UTF-16BE`, needle: utf16(s, false) },
    { form: `${label} \\u-escaped`, needle: utf8(escaped) },
    { form: `${label} percent-encoded`, needle: utf8(encodeURIComponent(s)) },
  ].filter((f) => f.needle.length >= 8);
}

/** One public response: where it came from, and every byte of it, headers included. */
interface Fetched {
  readonly what: string;
  readonly bytes: Uint8Array;
}

describe('the public log server reveals nothing private', () => {
  let v: TestVault;
  let app: FastifyInstance;
  let scratch: string;
  const secrets: Array<{ form: string; needle: Uint8Array }> = [];
  const corpus: Fetched[] = [];

  const fetchAll = async (method: 'GET' | 'HEAD' | 'POST', url: string) => {
    const r = await app.inject({ method, url });
    const head = Object.entries(r.headers)
      .map(([k, val]) => `${k}: ${String(val)}\n`)
      .join('');
    corpus.push({
      what: `${method} ${url} → ${r.statusCode}`,
      bytes: Buffer.concat([Buffer.from(`HTTP ${r.statusCode}\n${head}\n`), r.rawPayload]),
    });
    return r;
  };

  beforeAll(async () => {
    v = await createVault();
    scratch = await mkdtemp(join(tmpdir(), 'tamga-privacy-'));
    const root = join(scratch, FOLDER);
    for (const f of FILES) {
      await mkdir(join(root, f.path, '..'), { recursive: true });
      await writeFile(join(root, f.path), f.content);
    }
    const summary = await sealPaths(v.writer, v.keys, [root], {
      author: AUTHOR,
      tags: TAGS,
      meta: META,
    });
    expect(summary.sealed).toBe(FILES.length);
    snapshot(v);
    // More records, so that the secrets' entries sit in a full tile and a full bundle too.
    appendSynthetic(v, 300);
    app = buildPublicLogServer(v.reader);

    // What the vault holds privately about the sealed files.
    const records = v.writer.db
      .prepare('SELECT id, json, salt FROM records WHERE idx < ? ORDER BY idx')
      .all(FILES.length) as Array<{ id: string; json: string; salt: Buffer }>;
    const files = v.writer.db.prepare('SELECT sha256, name FROM record_files').all() as Array<{
      sha256: string;
      name: string;
    }>;
    const paths = v.writer.db.prepare('SELECT path FROM sealed_paths').all() as Array<{
      path: string;
    }>;
    // The secrets are where we think they are: in the records the vault keeps.
    const allJson = records.map((r) => r.json).join('\n');
    for (const s of [...TAGS, ...Object.keys(META), ...Object.values(META), AUTHOR]) {
      expect(allJson).toContain(s);
    }
    expect(paths.map((p) => p.path).sort()).toEqual(FILES.map((f) => `${FOLDER}/${f.path}`).sort());

    const strings: Array<[string, string]> = [
      ['folder', FOLDER],
      ...FILES.flatMap(
        (f): Array<[string, string]> => [
          ['path', f.path],
          ['record path', `${FOLDER}/${f.path}`],
          ['file name', f.path.split('/').pop()!],
        ],
      ),
      ...TAGS.map((t): [string, string] => ['tag', t]),
      ...Object.entries(META).flatMap(
        ([k, val]): Array<[string, string]> => [
          ['meta key', k],
          ['meta value', val],
        ],
      ),
      ['author', AUTHOR],
      ...SNIPPETS.map((s): [string, string] => ['content', s]),
      ...records.flatMap(
        (r): Array<[string, string]> => [
          ['record id', r.id],
          ['record json', r.json],
        ],
      ),
      ...files.map((f): [string, string] => ['file name (record_files)', f.name]),
      ['passphrase', PASSPHRASE],
      ['log signer key', v.keys.logSignerKey],
      ['age identity', v.keys.ageIdentity],
    ];
    for (const [label, s] of strings) {
      expect(utf8(s).length, `${label} ${s}`).toBeGreaterThanOrEqual(8);
      secrets.push(...stringForms(`${label} ${JSON.stringify(s)}`, s));
    }
    const bytes: Array<[string, Uint8Array]> = [
      ...records.map((r): [string, Uint8Array] => [`salt of ${r.id}`, new Uint8Array(r.salt)]),
      ...files.map((f): [string, Uint8Array] => [
        `SHA-256 of ${f.name}`,
        new Uint8Array(Buffer.from(f.sha256, 'hex')),
      ]),
      ...FILES.map((f): [string, Uint8Array] => [
        `contents of ${f.path}`,
        typeof f.content === 'string' ? utf8(f.content) : f.content,
      ]),
      ['log signing seed', decodeSignerKey(v.keys.logSignerKey).privateKey],
    ];
    // The file hashes in the records are those of the files.
    for (const f of FILES) {
      const sha = createHash('sha256').update(f.content).digest('hex');
      expect(files.map((x) => x.sha256)).toContain(sha);
    }
    for (const [label, b] of bytes) secrets.push(...byteForms(label, b));
    // The hex of each file hash, as text, in both cases, is covered by byteForms; and as a
    // string (what the records table stores) by stringForms of its hex:
    for (const f of files) secrets.push(...stringForms(`sha256 text of ${f.name}`, f.sha256));
  });
  afterAll(async () => {
    await app?.close();
    await v?.cleanup();
    await rm(scratch, { recursive: true, force: true });
  });

  it('fetches every public byte and finds no secret in any encoding', async () => {
    await fetchAll('GET', '/');
    await fetchAll('GET', '/checkpoint');
    await fetchAll('HEAD', '/checkpoint');
    const sizes = v.history.map((s) => s.size);
    expect(sizes).toEqual([FILES.length, FILES.length + 300]);
    let tiles = 0;
    for (const size of sizes) {
      for (const t of tilesForSize(size)) {
        const r = await fetchAll('GET', `/${formatTilePath(t)}`);
        expect(r.statusCode).toBe(200);
        tiles++;
      }
    }
    expect(tiles).toBeGreaterThan(5);

    // Error pages, for paths that guess at private things.
    const records = v.writer.db.prepare('SELECT id FROM records WHERE idx < 4').all() as Array<{
      id: string;
    }>;
    const files = v.writer.db.prepare('SELECT sha256, name FROM record_files').all() as Array<{
      sha256: string;
      name: string;
    }>;
    const guesses = [
      '/vault.db',
      '/keys.age',
      '/blobs/',
      '/meta',
      '/records',
      '/tile/entries/000.json',
      '/tile/0/999',
      '/tile/0/000.p/999',
      '/tile/9/000',
      '/checkpoint/',
      '/tile/0/%zz',
      `/${'x'.repeat(600)}`,
      ...records.flatMap((r) => [`/records/${r.id}`, `/record/${r.id}`, `/checkpoint?id=${r.id}`]),
      ...files.flatMap((f) => [
        `/blobs/${f.sha256.slice(0, 2)}/${f.sha256}.age`,
        `/files/${f.sha256}`,
        `/${encodeURIComponent(f.name)}`,
        `/tile/entries/${encodeURIComponent(f.name)}`,
      ]),
      `/${encodeURIComponent(FOLDER)}/`,
    ];
    for (const url of guesses) {
      const r = await fetchAll('GET', url);
      expect([200, 400, 404, 414], url).toContain(r.statusCode);
      await fetchAll('POST', url);
    }

    const found: string[] = [];
    for (const item of corpus) {
      for (const s of secrets) {
        if (containsBytes(item.bytes, s.needle)) found.push(`${s.form} in ${item.what}`);
      }
    }
    expect(found).toEqual([]);
    expect(secrets.length).toBeGreaterThan(200);
  });

  it('finds a secret when one is there: the search itself works', () => {
    // The search would see a tag in UTF-16, a salt in base64 at an odd offset, and a hash in hex.
    const tag = TAGS[0]!;
    const salt = secrets.find((s) => s.form.startsWith('salt of') && s.form.endsWith(' bytes'))!;
    const planted = [
      Buffer.concat([Buffer.from('xx'), Buffer.from(tag, 'utf16le')]),
      Buffer.from(`y${Buffer.concat([Buffer.from('z'), salt.needle]).toString('base64')}`),
      Buffer.from(`sha=${createHash('sha256').update(FILES[0]!.content).digest('hex')}`),
    ];
    for (const p of planted) {
      expect(secrets.some((s) => containsBytes(new Uint8Array(p), s.needle))).toBe(true);
    }
  });

  it('reads no private table or column: only checkpoints, tiles and commitments', async () => {
    const statements: string[] = [];
    const db = new Proxy(v.reader.db, {
      get(target, key) {
        const value = Reflect.get(target, key, target) as unknown;
        if (key === 'prepare') {
          return (sql: string) => {
            statements.push(sql);
            return target.prepare(sql);
          };
        }
        return typeof value === 'function' ? value.bind(target) : value;
      },
    });
    const spied = buildPublicLogServer({ db, info: v.reader.info } as unknown as Vault);
    for (const url of [
      '/',
      '/checkpoint',
      '/tile/0/000',
      '/tile/0/001.p/47',
      '/tile/entries/000',
      '/tile/entries/001.p/47',
      '/tile/1/000.p/1',
      '/nothing',
    ]) {
      const r = await spied.inject({ method: 'GET', url });
      expect(r.statusCode, url).toBeLessThan(500);
    }
    await spied.close();
    expect(statements.length).toBeGreaterThan(0);
    const allowed = [
      'SELECT size, note FROM checkpoints ORDER BY size DESC LIMIT 1',
      'SELECT width, data FROM tiles WHERE level = ? AND idx = ?',
      'SELECT commitment FROM records WHERE idx >= ? AND idx < ? ORDER BY idx',
    ];
    for (const sql of statements) expect(allowed, sql).toContain(sql);
  });
});
