/**
 * fsck against tampering done behind Tamga's back, straight in the database with better-sqlite3
 * or in the blobs folder: a record's JSON, a salt, a commitment, a hash tile, a checkpoint note,
 * a deleted blob, a blob replaced by another valid age file to the same recipient. Each must
 * make the report not ok, with a problem that names the record (or the tile, or the
 * checkpoint), and `tamga fsck` exit with 1.
 */
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main.js';
import { encryptBytes } from '../../src/vault/age/index.js';
import { type FsckProblem, fsck } from '../../src/vault/fsck.js';
import type { VaultKeys } from '../../src/vault/keys.js';
import { blobPath } from '../../src/vault/layout.js';
import { sealPaths } from '../../src/vault/seal.js';
import { Vault } from '../../src/vault/vault.js';
import {
  capture,
  cliAsync,
  newVault,
  removeTemp,
  tempDir,
  withDatabase,
  writeTree,
} from './helpers.js';

let root: string;
let vaultDir: string;
let vault: Vault;
let keys: VaultKeys;
/** The sealed records, in log order. */
let sealed: Array<{ index: number; id: string; path: string; sha256: string }>;

beforeEach(async () => {
  root = tempDir();
  vaultDir = join(root, 'vault');
  ({ vault, keys } = await newVault(vaultDir));
  writeTree(root, {
    'docs/a.txt': 'ведомость взносов за январь',
    'docs/b.txt': 'ведомость взносов за февраль',
    'docs/c.txt': 'ведомость взносов за март',
  });
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
  expect(sealed).toHaveLength(3);
  expect((await fsck(vault, { keys })).ok).toBe(true);
  vault.close();
});

afterEach(() => {
  vault.close();
  removeTemp(root);
});

/** Tampers with the closed vault's database, then runs fsck (API and CLI) on it. */
async function tamperAndCheck(tamper: (db: Database.Database) => void) {
  withDatabase(vaultDir, tamper);
  return check();
}

async function check() {
  vault = await Vault.open(vaultDir, { readonly: true });
  const report = await fsck(vault, { keys });
  const c = capture(root);
  const code = await main(['fsck', '--vault', vaultDir], c.ctx);
  return { report, code, out: c.out };
}

const flip = (bytes: Uint8Array, at = 0) => {
  const copy = Buffer.from(bytes);
  copy[at]! ^= 0x01;
  return copy;
};

function expectRecordProblem(
  problems: readonly FsckProblem[],
  kind: FsckProblem['kind'],
  i: number,
) {
  expect(problems).toContainEqual(
    expect.objectContaining({ kind, index: sealed[i]!.index, recordId: sealed[i]!.id }),
  );
}

describe('fsck finds tampering', () => {
  it("a record's JSON changed (still a valid, canonical record)", async () => {
    const { report, code, out } = await tamperAndCheck((db) => {
      const { json } = db.prepare('SELECT json FROM records WHERE idx = 1').get() as {
        json: string;
      };
      const changed = json.replace(sealed[1]!.path, 'docs/b-renamed.txt');
      expect(changed).not.toBe(json);
      db.prepare('UPDATE records SET json = ? WHERE idx = 1').run(changed);
    });
    expect(report.ok).toBe(false);
    expectRecordProblem(report.problems, 'commitment', 1);
    expect(report.problems.find((p) => p.kind === 'commitment')!.message).toMatch(
      /the record or its salt was changed after sealing/,
    );
    expect(code).toBe(1);
    expect(out).toContain(
      `PROBLEM commitment (entry 1, record ${sealed[1]!.id}): the commitment does not match the record and salt: the record or its salt was changed after sealing`,
    );
    expect(out.at(-1)).toMatch(/^FAILED: 1 problem in 3 records\.$/);
  });

  it("a record's JSON rewritten out of canonical form", async () => {
    const { report, code } = await tamperAndCheck((db) => {
      const { json } = db.prepare('SELECT json FROM records WHERE idx = 0').get() as {
        json: string;
      };
      db.prepare('UPDATE records SET json = ? WHERE idx = 0').run(
        JSON.stringify(JSON.parse(json), null, 1),
      );
    });
    expectRecordProblem(report.problems, 'record', 0);
    expectRecordProblem(report.problems, 'commitment', 0);
    expect(code).toBe(1);
  });

  it('a salt changed', async () => {
    const { report, code } = await tamperAndCheck((db) => {
      const { salt } = db.prepare('SELECT salt FROM records WHERE idx = 2').get() as {
        salt: Buffer;
      };
      db.prepare('UPDATE records SET salt = ? WHERE idx = 2').run(flip(salt, 31));
    });
    expect(report.ok).toBe(false);
    expect(report.problems).toHaveLength(1);
    expectRecordProblem(report.problems, 'commitment', 2);
    expect(code).toBe(1);
  });

  it('a commitment changed: the record, the tree, its tile and its checkpoint disagree', async () => {
    const { report, code } = await tamperAndCheck((db) => {
      const { commitment } = db.prepare('SELECT commitment FROM records WHERE idx = 0').get() as {
        commitment: Buffer;
      };
      db.prepare('UPDATE records SET commitment = ? WHERE idx = 0').run(flip(commitment));
    });
    expect(report.ok).toBe(false);
    expectRecordProblem(report.problems, 'commitment', 0);
    expect(report.problems.filter((p) => p.kind === 'checkpoint').map((p) => p.message)).toEqual([
      expect.stringMatching(/^the checkpoint of size 2 has root .*, but the records give /),
      expect.stringMatching(/^the checkpoint of size 3 has root .*, but the records give /),
    ]);
    expect(report.problems).toContainEqual(
      expect.objectContaining({ kind: 'tile', message: expect.stringMatching(/^hash tile 0\/0/) }),
    );
    expect(code).toBe(1);
  });

  it("a hash tile's bytes changed", async () => {
    const { report, code, out } = await tamperAndCheck((db) => {
      const { data } = db.prepare('SELECT data FROM tiles WHERE level = 0 AND idx = 0').get() as {
        data: Buffer;
      };
      db.prepare('UPDATE tiles SET data = ? WHERE level = 0 AND idx = 0').run(flip(data, 40));
    });
    expect(report.ok).toBe(false);
    expect(report.problems).toEqual([
      {
        kind: 'tile',
        message: 'hash tile 0/0 (width 3) does not match the tree computed from the records',
      },
    ]);
    expect(code).toBe(1);
    expect(out[0]).toBe(
      'PROBLEM tile: hash tile 0/0 (width 3) does not match the tree computed from the records',
    );
  });

  it('a checkpoint note changed', async () => {
    const { report, code } = await tamperAndCheck((db) => {
      const { note } = db.prepare('SELECT note FROM checkpoints WHERE size = 2').get() as {
        note: string;
      };
      const lines = note.split('\n');
      lines[2] = Buffer.from(flip(Buffer.from(lines[2]!, 'base64'))).toString('base64');
      db.prepare('UPDATE checkpoints SET note = ? WHERE size = 2').run(lines.join('\n'));
    });
    expect(report.ok).toBe(false);
    expect(report.problems).toEqual([
      {
        kind: 'checkpoint',
        message: expect.stringMatching(
          /^the checkpoint of size 2 does not verify with the log's key: /,
        ),
      },
    ]);
    expect(code).toBe(1);
  });

  it('the latest checkpoint deleted, or the last record deleted', async () => {
    const first = await tamperAndCheck((db) => {
      db.prepare('DELETE FROM checkpoints WHERE size = 3').run();
    });
    expect(first.report.problems).toEqual([
      {
        kind: 'checkpoint',
        message: 'the log holds 3 entries but the latest checkpoint covers 2',
      },
    ]);
    expect(first.code).toBe(1);
    vault.close();
    const second = await tamperAndCheck((db) => {
      db.prepare('DELETE FROM record_files WHERE record_idx = 2').run();
      db.prepare('DELETE FROM records WHERE idx = 2').run();
    });
    expect(second.report.ok).toBe(false);
    expect(second.report.records).toBe(2);
    expect(second.code).toBe(1);
  });

  it('a blob deleted', async () => {
    rmSync(blobPath(vault.layout, sealed[1]!.sha256));
    const { report, code, out } = await check();
    expect(report.ok).toBe(false);
    expect(report.problems).toEqual([
      {
        kind: 'blob',
        index: sealed[1]!.index,
        recordId: sealed[1]!.id,
        message: `the encrypted file ${sealed[1]!.sha256} is missing from the vault`,
      },
    ]);
    expect(code).toBe(1);
    expect(out[0]).toBe(
      `PROBLEM blob (entry 1, record ${sealed[1]!.id}): the encrypted file ${sealed[1]!.sha256} is missing from the vault`,
    );
    // Without the passphrase (--no-blobs) a missing blob is still found.
    const c = capture(root, {});
    expect(await main(['fsck', '--vault', vaultDir, '--no-blobs'], c.ctx)).toBe(1);
  });

  it('a blob replaced by another valid age file to the same recipient', async () => {
    const forged = encryptBytes(new TextEncoder().encode('поддельная ведомость'), [
      vault.info.ageRecipient,
    ]);
    writeFileSync(blobPath(vault.layout, sealed[0]!.sha256), forged);
    const { report, code } = await check();
    expect(report.ok).toBe(false);
    expect(report.problems).toEqual([
      expect.objectContaining({
        kind: 'blob',
        index: sealed[0]!.index,
        recordId: sealed[0]!.id,
        message: expect.stringMatching(
          new RegExp(`^the encrypted file ${sealed[0]!.sha256} decrypts to different contents`),
        ),
      }),
    ]);
    expect(code).toBe(1);
    // --no-blobs only sees that the file is there, and says so.
    const c = capture(root, {});
    expect(await main(['fsck', '--vault', vaultDir, '--no-blobs'], c.ctx)).toBe(0);
    expect(c.err.join('\n')).toMatch(/blobs were checked for presence only/);
  });

  it('a blob with one ciphertext byte changed does not decrypt', async () => {
    const path = blobPath(vault.layout, sealed[2]!.sha256);
    const bytes = readFileSync(path);
    bytes[bytes.length - 20]! ^= 0x80;
    writeFileSync(path, bytes);
    const { report, code } = await check();
    expect(report.problems).toEqual([
      expect.objectContaining({
        kind: 'blob',
        recordId: sealed[2]!.id,
        message: expect.stringMatching(/does not decrypt: /),
      }),
    ]);
    expect(code).toBe(1);
  });

  it('in a real process: exit 1 and the problem on standard output', async () => {
    withDatabase(vaultDir, (db) => {
      const { salt } = db.prepare('SELECT salt FROM records WHERE idx = 0').get() as {
        salt: Buffer;
      };
      db.prepare('UPDATE records SET salt = ? WHERE idx = 0').run(flip(salt));
    });
    const [text, json] = await Promise.all([
      cliAsync(['fsck', '--vault', vaultDir]),
      cliAsync(['fsck', '--vault', vaultDir, '--json']),
    ]);
    expect(text.status).toBe(1);
    expect(text.stdout).toContain(`PROBLEM commitment (entry 0, record ${sealed[0]!.id})`);
    expect(json.status).toBe(1);
    expect(JSON.parse(json.stdout)).toMatchObject({
      ok: false,
      problems: [{ kind: 'commitment', index: 0, recordId: sealed[0]!.id }],
    });
  });

  // Regression test for a bug fixed after it was found by this test.
  it('the file index (record_files) disagreeing with the records is a problem', async () => {
    const { report, code } = await tamperAndCheck((db) => {
      const { size } = db.prepare('SELECT size FROM record_files WHERE record_idx = 1').get() as {
        size: number;
      };
      db.prepare('UPDATE record_files SET sha256 = ?, size = ? WHERE record_idx = 0').run(
        sealed[1]!.sha256,
        size,
      );
    });
    // What the tampering once bought: b.txt verifying as record 0, sealed as a.txt. Verify
    // proves from the records: b.txt is record 1 only, and the index row of record 0 is damage.
    const c = capture(root);
    await main(['verify', '--vault', vaultDir, '--json', join(root, 'docs', 'b.txt')], c.ctx);
    const verdict = JSON.parse(c.out[0]!);
    expect(verdict.records.map((r: { id: string }) => r.id)).toEqual([sealed[1]!.id]);
    expect(verdict.damaged).toEqual([
      expect.objectContaining({ kind: 'file-not-named', index: 0, recordId: sealed[0]!.id }),
    ]);
    expect(report.ok).toBe(false);
    expect(report.problems).toContainEqual(
      expect.objectContaining({ index: 0, recordId: sealed[0]!.id }),
    );
    expect(code).toBe(1);
  });
});

describe('reading a tampered file out of the vault', () => {
  // Regression test for a bug fixed after it was found by this test.
  it('get refuses a blob that decrypts to contents other than the record names', async () => {
    writeFileSync(
      blobPath(vault.layout, sealed[0]!.sha256),
      encryptBytes(new TextEncoder().encode('forged'), [vault.info.ageRecipient]),
    );
    const out = join(root, 'restored.txt');
    const c = capture(root);
    const code = await main(['get', '--vault', vaultDir, sealed[0]!.id, '--out', out], c.ctx);
    expect(code).toBe(1);
    expect(() => readFileSync(out)).toThrow();
  });

  it('evidence --with-files refuses such a blob', async () => {
    writeFileSync(
      blobPath(vault.layout, sealed[0]!.sha256),
      encryptBytes(new TextEncoder().encode('forged'), [vault.info.ageRecipient]),
    );
    const c = capture(root);
    const code = await main(
      ['evidence', '--vault', vaultDir, sealed[0]!.id, '-o', join(root, 'ev'), '--with-files'],
      c.ctx,
    );
    expect(code).toBe(1);
    expect(c.err.join('\n')).toMatch(/does not match its record; run `tamga fsck`/);
  });
});
