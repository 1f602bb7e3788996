/**
 * POST /api/verify against a damaged vault: a forged file-index row, a record rewritten behind
 * Tamga's back, a checkpoint that no longer verifies, an index that cannot be read. The answer
 * is always a 200 with a verdict per file — `damaged`, with a translatable key for each thing
 * that failed — never `sealed` for a file no record in the log names, never a 500.
 */
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ROUTES, type VerifyResponse, verifyResponse } from '../../src/server/app/api.js';
import { type Caller, call, setUpApp, type TestApp, uploadAndSeal } from './helpers.js';

const sha = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');
const original = Buffer.from('Minutes of the committee, 3 April 2024: dues stay at 1200.');
const forged = Buffer.from('Minutes of the committee, 3 April 2024: dues are abolished.');

let t: TestApp;
let treasurer: Caller;
let sealed: { recordId: string; index: number };

beforeEach(async () => {
  t = await setUpApp();
  treasurer = t.users.treasurer;
  const s = await uploadAndSeal(t.app, treasurer, 'minutes/2024-04.txt', original);
  sealed = { recordId: s.recordId, index: s.index };
});

afterEach(async () => {
  await t.close();
});

/** Changes the app's vault database behind its back, as anyone holding the folder could. */
function tamper(fn: (db: Database.Database) => void): void {
  const db = new Database(join(t.dir, 'vault.db'));
  // better-sqlite3 checks foreign keys by default; whoever edits the file need not.
  db.pragma('foreign_keys = OFF');
  try {
    fn(db);
  } finally {
    db.close();
  }
}

async function verify(files: Array<{ name: string; data: Buffer }>) {
  const res = await call(t.app, t.users.auditor, 'POST', ROUTES.verify, {
    files: files.map((f) => ({ name: f.name, sha256: sha(f.data), size: f.data.length })),
  });
  expect(res.statusCode, res.body).toBe(200);
  expect(res.body).not.toMatch(/\n\s+at /);
  // The answer is what the API says it is: the browser parses it with this schema.
  return verifyResponse.parse(res.json()).results as VerifyResponse['results'];
}

const insertForgedRow = (recordIdx: number) =>
  tamper((db) => {
    db.prepare('INSERT INTO record_files (record_idx, sha256, name, size) VALUES (?, ?, ?, ?)').run(
      recordIdx,
      sha(forged),
      'minutes-2024-04.txt',
      forged.length,
    );
  });

describe('verify on a damaged vault', () => {
  it('a forged index row for an existing record: damaged, not sealed, and no 500', async () => {
    insertForgedRow(sealed.index);
    const [bad, good] = await verify([
      { name: 'minutes-2024-04.txt', data: forged },
      { name: 'minutes-2024-04.txt', data: original },
    ]);
    expect(bad).toMatchObject({
      verdict: 'damaged',
      sha256: sha(forged),
      damaged: [
        {
          key: 'verify.damage.file-not-named',
          index: sealed.index,
          recordId: sealed.recordId,
          message: expect.stringMatching(/does not name a file of this SHA-256 and size/),
        },
      ],
    });
    expect(good).toMatchObject({
      verdict: 'sealed',
      records: [{ recordId: sealed.recordId, index: sealed.index }],
    });
  });

  it('a forged index row for an entry that does not exist', async () => {
    insertForgedRow(9999);
    const [bad] = await verify([{ name: 'minutes-2024-04.txt', data: forged }]);
    expect(bad).toMatchObject({
      verdict: 'damaged',
      damaged: [{ key: 'verify.damage.record-missing', index: 9999, recordId: null }],
    });
  });

  it("a record's JSON rewritten to name the forged file: its commitment does not match", async () => {
    tamper((db) => {
      const row = db.prepare('SELECT json FROM records WHERE idx = ?').get(sealed.index) as {
        json: string;
      };
      const json = row.json
        .replace(sha(original), sha(forged))
        .replace(`"size":${original.length}`, `"size":${forged.length}`);
      expect(json).not.toBe(row.json);
      db.prepare('UPDATE records SET json = ? WHERE idx = ?').run(json, sealed.index);
      db.prepare('UPDATE record_files SET sha256 = ? WHERE record_idx = ?').run(
        sha(forged),
        sealed.index,
      );
    });
    const [bad] = await verify([{ name: 'minutes-2024-04.txt', data: forged }]);
    expect(bad).toMatchObject({
      verdict: 'damaged',
      damaged: [{ key: 'verify.damage.commitment', index: sealed.index }],
    });
  });

  it('a checkpoint that no longer verifies: the sealed file is damaged, not a 500', async () => {
    tamper((db) => {
      db.prepare("UPDATE checkpoints SET note = replace(note, '\n\n', '\nforged\n\n')").run();
    });
    const [r] = await verify([{ name: 'minutes-2024-04.txt', data: original }]);
    expect(r).toMatchObject({
      verdict: 'damaged',
      damaged: [{ key: 'verify.damage.not-in-log', index: sealed.index }],
    });
  });

  it('an index that cannot be read: damaged, not a 500', async () => {
    tamper((db) => {
      db.prepare('DROP TABLE record_files').run();
    });
    const [r] = await verify([{ name: 'minutes-2024-04.txt', data: original }]);
    expect(r).toMatchObject({
      verdict: 'damaged',
      damaged: [{ key: 'verify.damage.index-unreadable', index: null, recordId: null }],
    });
  });
});
