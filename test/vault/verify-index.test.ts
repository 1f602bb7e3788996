/**
 * `tamga verify` against a forged file index. The file index (`record_files`) is derived from
 * the records: whoever can write `vault.db` can add a row to it. A file is SEALED only when a
 * record whose commitment is in the signed log names it, so each forgery here must leave the
 * forged file NOT SEALED, say that the vault is damaged, and exit with 1; the files really
 * sealed stay SEALED.
 */
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import type Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main.js';
import { leafHash } from '../../src/log/merkle.js';
import { commitCanonical } from '../../src/records/commitment.js';
import { canonicalize } from '../../src/records/jcs.js';
import { proveFileSealed } from '../../src/vault/prove-file.js';
import { sealPaths } from '../../src/vault/seal.js';
import { Vault } from '../../src/vault/vault.js';
import { capture, newVault, removeTemp, tempDir, withDatabase, writeTree } from './helpers.js';

const FORGED = 'протокол собрания: взносы отменены';
const sha = (text: string) => createHash('sha256').update(text).digest('hex');
const size = (text: string) => Buffer.byteLength(text);

let root: string;
let vaultDir: string;
/** The sealed records, in log order. */
let sealed: Array<{ index: number; id: string; path: string; sha256: string }>;

beforeEach(async () => {
  root = tempDir();
  vaultDir = join(root, 'vault');
  const { vault, keys } = await newVault(vaultDir);
  writeTree(root, {
    'docs/a.txt': 'ведомость взносов за январь',
    'docs/b.txt': 'ведомость взносов за февраль',
    'docs/c.txt': 'ведомость взносов за март',
    'forged.txt': FORGED,
  });
  try {
    await sealPaths(vault, keys, [join(root, 'docs')], {
      author: 't',
      batchSize: 2,
      batchMillis: 1e9,
      concurrency: 1,
    });
    sealed = (
      vault.db.prepare('SELECT idx, id, json FROM records ORDER BY idx').all() as Array<{
        idx: number;
        id: string;
        json: string;
      }>
    ).map((r) => {
      const rec = JSON.parse(r.json);
      return { index: r.idx, id: r.id, path: rec.body.path, sha256: rec.files[0].sha256 };
    });
  } finally {
    vault.close();
  }
  expect(sealed).toHaveLength(3);
});

afterEach(() => {
  removeTemp(root);
});

async function verify(...args: string[]) {
  const c = capture(root);
  const code = await main(['verify', '--vault', vaultDir, ...args], c.ctx);
  return { code, out: c.out, err: c.err };
}

/** Rewrites record `idx` to name `forged` instead of its own file, in its JSON and the index. */
function renameFileInRecord(db: Database.Database, idx: number): { json: string; salt: Buffer } {
  const row = db.prepare('SELECT json, salt FROM records WHERE idx = ?').get(idx) as {
    json: string;
    salt: Buffer;
  };
  const record = JSON.parse(row.json);
  record.files[0].sha256 = sha(FORGED);
  record.files[0].size = size(FORGED);
  const json = canonicalize(record);
  db.prepare('UPDATE records SET json = ? WHERE idx = ?').run(json, idx);
  db.prepare('UPDATE record_files SET sha256 = ?, size = ? WHERE record_idx = ?').run(
    sha(FORGED),
    size(FORGED),
    idx,
  );
  return { json, salt: row.salt };
}

function expectForgedRefused(r: { code: number; out: string[] }) {
  expect(r.code).toBe(1);
  expect(r.out[0]).toMatch(
    /^NOT SEALED {2}forged\.txt: no record in this vault holds these contents/,
  );
  expect(r.out.join('\n')).not.toMatch(/SEALED {6}forged\.txt/);
  expect(r.out[1]).toMatch(
    /^ {12}the vault is damaged: the file index names entry \d+ for these contents, but /,
  );
  expect(r.out[1]).toMatch(/; run `tamga fsck`$/);
}

describe('verify proves from the records, not from the file index', () => {
  it('the vault as sealed: the sealed files are SEALED, the other NOT SEALED', async () => {
    const r = await verify('docs', 'forged.txt');
    expect(r.code).toBe(1);
    expect(r.out).toHaveLength(4);
    expect(r.out.slice(0, 3).every((l) => /^SEALED {6}docs\/[abc]\.txt: record /.test(l))).toBe(
      true,
    );
    expect(r.out[3]).toBe('NOT SEALED  forged.txt: no record in this vault holds these contents');
  });

  it('an index row names a never-sealed file for an existing record', async () => {
    withDatabase(vaultDir, (db) => {
      db.prepare(
        'INSERT INTO record_files (record_idx, sha256, name, size) VALUES (?, ?, ?, ?)',
      ).run(1, sha(FORGED), 'forged.txt', size(FORGED));
    });
    const r = await verify('forged.txt');
    expectForgedRefused(r);
    expect(r.out[1]).toContain(`entry 1 for these contents, but record ${sealed[1]!.id}`);
    expect(r.out[1]).toContain('does not name a file of this SHA-256 and size');

    // The files really sealed, including the one the forged row points at, still verify.
    const good = await verify('docs');
    expect(good.code).toBe(0);
    expect(good.out).toHaveLength(3);

    const json = await verify('--json', 'forged.txt');
    expect(json.code).toBe(1);
    const verdict = JSON.parse(json.out[0]!);
    expect(verdict).toMatchObject({
      path: 'forged.txt',
      status: 'not-sealed',
      sha256: sha(FORGED),
      damaged: [{ kind: 'file-not-named', index: 1, recordId: sealed[1]!.id }],
    });
  });

  it('an index row names an entry that does not exist', async () => {
    withDatabase(vaultDir, (db) => {
      // better-sqlite3 checks foreign keys by default; an attacker simply turns that off.
      db.pragma('foreign_keys = OFF');
      db.prepare(
        'INSERT INTO record_files (record_idx, sha256, name, size) VALUES (?, ?, ?, ?)',
      ).run(99, sha(FORGED), 'forged.txt', size(FORGED));
    });
    const r = await verify('forged.txt');
    expectForgedRefused(r);
    expect(r.out[1]).toContain('entry 99 for these contents, but the vault holds no record 99');
  });

  it("a record's JSON rewritten to name the file: its commitment no longer matches", async () => {
    withDatabase(vaultDir, (db) => renameFileInRecord(db, 0));
    const r = await verify('forged.txt');
    expectForgedRefused(r);
    expect(r.out[1]).toContain(
      `record ${sealed[0]!.id} and its salt do not give the commitment stored as log entry 0`,
    );
  });

  it('a record rewritten with its commitment and hash tile recomputed: not under the signed root', async () => {
    withDatabase(vaultDir, (db) => {
      const { json, salt } = renameFileInRecord(db, 2);
      const commitment = commitCanonical(new TextEncoder().encode(json), new Uint8Array(salt));
      db.prepare('UPDATE records SET commitment = ? WHERE idx = 2').run(commitment);
      const tile = db.prepare('SELECT data FROM tiles WHERE level = 0 AND idx = 0').get() as {
        data: Buffer;
      };
      const data = Buffer.from(tile.data);
      data.set(leafHash(commitment), 2 * 32);
      db.prepare('UPDATE tiles SET data = ? WHERE level = 0 AND idx = 0').run(data);
    });
    const r = await verify('forged.txt');
    expectForgedRefused(r);
    expect(r.out[1]).toContain(
      `record ${sealed[2]!.id} is not log entry 2 under the log's signed checkpoint`,
    );
  });

  it('a sealed file the index also names for another record: SEALED by its own, and the damage said', async () => {
    withDatabase(vaultDir, (db) => {
      db.prepare(
        'INSERT INTO record_files (record_idx, sha256, name, size) VALUES (?, ?, ?, ?)',
      ).run(0, sealed[1]!.sha256, 'b.txt', size('ведомость взносов за февраль'));
    });
    const r = await verify('docs/b.txt');
    expect(r.code).toBe(0);
    expect(r.out).toEqual([
      expect.stringMatching(
        new RegExp(
          `^SEALED {6}docs/b\\.txt: record ${sealed[1]!.id} \\(entry 1, sealed as docs/b\\.txt\\); `,
        ),
      ),
      `            the vault is damaged: the file index names entry 0 for these contents, but record ${sealed[0]!.id} does not name a file of this SHA-256 and size; run \`tamga fsck\``,
    ]);
  });

  it('the vault rule says why, for each record the index names', async () => {
    withDatabase(vaultDir, (db) => {
      db.pragma('foreign_keys = OFF');
      const insert = db.prepare(
        'INSERT INTO record_files (record_idx, sha256, name, size) VALUES (?, ?, ?, ?)',
      );
      insert.run(0, sha(FORGED), 'forged.txt', size(FORGED));
      insert.run(2, sha(FORGED), 'forged.txt', size(FORGED));
      insert.run(7, sha(FORGED), 'forged.txt', size(FORGED));
      db.prepare("UPDATE records SET json = '{' WHERE idx = 2").run();
    });
    const vault = await Vault.open(vaultDir, { readonly: true });
    try {
      const proof = proveFileSealed(vault, sha(FORGED), { size: size(FORGED) });
      expect(proof).toMatchObject({
        status: 'damaged',
        damaged: [
          { kind: 'file-not-named', index: 0, recordId: sealed[0]!.id },
          { kind: 'record-invalid', index: 2, recordId: sealed[2]!.id },
          { kind: 'record-missing', index: 7, recordId: null },
        ],
      });
      const good = proveFileSealed(vault, sealed[0]!.sha256);
      expect(good.status).toBe('sealed');
      if (good.status === 'sealed') {
        expect(good.records.map((p) => p.stored.record.id)).toEqual([sealed[0]!.id]);
        expect(good.records[0]!.proof.verified).toBe(true);
      }
      expect(proveFileSealed(vault, sealed[0]!.sha256, { size: 1 }).status).toBe('damaged');
      expect(proveFileSealed(vault, '0'.repeat(64))).toEqual({
        status: 'not-sealed',
        sha256: '0'.repeat(64),
      });
    } finally {
      vault.close();
    }
  });
});
