/**
 * fsck against an adversary who holds the whole vault directory and makes the database agree
 * with itself, so that every check of fsck.test.ts passes:
 *
 * - a rollback: the newest batches deleted (records, file index, tiles, checkpoints,
 *   cosignatures), caught by what the witness table and mirror pulls recorded; then those tables
 *   rewritten too, which offline fsck cannot see and says so, and `--online` catches from the
 *   witness's own answer (409 with its size, or 422 when the vault was sealed again past it);
 * - a re-signed vault: every checkpoint signed again with a fresh key (or another vault's
 *   database copied in), caught by trust.txt, then with trust.txt rewritten too by the published
 *   statement (`--trust`, or pinned), by the key file with the passphrase, and by the witness;
 * - the honest vault, which passes all of these.
 */
import { randomBytes } from 'node:crypto';
import { cpSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main.js';
import { formatTrustStatement } from '../../src/evidence/trust.js';
import { generateSignerKey, parseNote, parseSignerKey, signNote } from '../../src/log/note.js';
import { issueMirrorToken, noteMirrorPull } from '../../src/mirror/tokens.js';
import type { FsckCheck, FsckReport } from '../../src/vault/fsck.js';
import type { VaultKeys } from '../../src/vault/keys.js';
import { blobPath } from '../../src/vault/layout.js';
import { latestCheckpoint } from '../../src/vault/log-store.js';
import { sealPaths } from '../../src/vault/seal.js';
import { refreshTrustFile, vaultStatement } from '../../src/vault/trust-file.js';
import { Vault } from '../../src/vault/vault.js';
import { addWitness, getWitness, setQuorum } from '../../src/vault/witnesses.js';
import { gatherCosignatures } from '../../src/witness/client.js';
import { listenWitness } from '../../src/witness/commands.js';
import { buildWitnessServer } from '../../src/witness/server.js';
import { Witness } from '../../src/witness/witness.js';
import {
  capture,
  newVault,
  ORIGIN,
  PASSPHRASE,
  removeTemp,
  tempDir,
  withDatabase,
  writeTree,
} from './helpers.js';

const WITNESS = 'w1.fsck-attack.example/w';

let root: string;
let vaultDir: string;
let vault: Vault;
let keys: VaultKeys;
let witness: { witness: Witness; app: FastifyInstance; url: string };
let published: string;
let batches = 0;

/** Seals `n` new files in one batch and has the witness cosign the new checkpoint. */
async function sealBatch(n: number, cosign = true): Promise<void> {
  const dir = join(root, `batch${++batches}`);
  const files: Record<string, string> = {};
  for (let i = 0; i < n; i++) files[`f${i}.txt`] = `протокол собрания ${batches}.${i}`;
  writeTree(dir, files);
  await sealPaths(vault, keys, [dir], { author: 't', concurrency: 1 });
  if (cosign) {
    const outcomes = await gatherCosignatures(vault);
    expect(outcomes.map((o) => o.status)).toEqual(['cosigned']);
  }
}

beforeEach(async () => {
  root = tempDir('tamga-fsck-attack-');
  vaultDir = join(root, 'vault');
  ({ vault, keys } = await newVault(vaultDir));
  const w = await Witness.init(join(root, 'witness'), WITNESS);
  w.addLog(vault.info.logVerifierKey);
  const app = buildWitnessServer(w);
  witness = { witness: w, app, url: await listenWitness(app, '127.0.0.1', 0) };
  addWitness(vault.db, { name: WITNESS, vkey: w.verifierKey, url: witness.url });
  setQuorum(vault.db, 1);
  await refreshTrustFile(vault);
  // What the union published, before any attack: its log key, and the witness with its URL.
  published = join(root, 'published.txt');
  writeFileSync(published, formatTrustStatement(vaultStatement(vault)));
  await sealBatch(2);
  await sealBatch(2);
  const { entry } = issueMirrorToken(vault.db, 'partner-abroad');
  noteMirrorPull(vault.layout.database, entry.id, 4, new Date('2024-03-01T10:00:00Z'));
  expect(getWitness(vault.db, WITNESS)!.cosignedSize).toBe(4);
  vault.close();
});

afterEach(async () => {
  vault.close();
  await witness.app.close();
  await witness.witness.close();
  removeTemp(root);
});

interface Run {
  readonly code: number;
  readonly out: string[];
  readonly err: string[];
  readonly report: FsckReport;
}

/** Runs `tamga fsck` in-process, as text and as JSON; without the passphrase unless `keyed`. */
async function fsck(args: readonly string[] = [], keyed = false): Promise<Run> {
  const env = {
    TAMGA_TRUST_DIR: join(root, 'trust-store'),
    ...(keyed ? { TAMGA_PASSPHRASE: PASSPHRASE } : {}),
  };
  const all = ['fsck', '--vault', vaultDir, ...(keyed ? [] : ['--no-blobs']), ...args];
  const text = capture(root, env);
  const code = await main(all, text.ctx);
  const json = capture(root, env);
  expect(await main([...all, '--json'], json.ctx)).toBe(code);
  return { code, out: text.out, err: text.err, report: JSON.parse(json.out[0]!) as FsckReport };
}

function check(report: FsckReport, source: string): FsckCheck {
  const found = report.checks.find((c) => c.source === source);
  if (found === undefined) throw new Error(`no check of ${source}: ${JSON.stringify(report)}`);
  return found;
}

/** The newest records deleted down to `cut`, and everything made consistent again. */
function rollBackTo(cut: number): void {
  withDatabase(vaultDir, (db) => {
    const removed = db
      .prepare('SELECT f.sha256 FROM record_files f WHERE f.record_idx >= ?')
      .all(cut) as Array<{ sha256: string }>;
    db.transaction(() => {
      db.prepare(
        'DELETE FROM sealed_paths WHERE record_id IN (SELECT id FROM records WHERE idx >= ?)',
      ).run(cut);
      db.prepare('DELETE FROM record_files WHERE record_idx >= ?').run(cut);
      db.prepare('DELETE FROM record_tags WHERE record_idx >= ?').run(cut);
      db.prepare('DELETE FROM records WHERE idx >= ?').run(cut);
      db.prepare('DELETE FROM cosignatures WHERE size > ?').run(cut);
      db.prepare('DELETE FROM checkpoints WHERE size > ?').run(cut);
      // Fewer than 256 entries: one hash tile, cut back to its width at the cut.
      db.prepare(
        'UPDATE tiles SET width = ?, data = substr(data, 1, ?) WHERE level = 0 AND idx = 0',
      ).run(cut, cut * 32);
      for (const { sha256 } of removed) {
        db.prepare('DELETE FROM blobs WHERE sha256 = ?').run(sha256);
      }
    })();
    for (const { sha256 } of removed) rmSync(blobPath(vault.layout, sha256), { force: true });
  });
}

/** What a thorough attacker adds: the witness and mirror records made to fit the cut. */
function rewriteRecordsOfOthers(cut: number): void {
  withDatabase(vaultDir, (db) => {
    const { timestamp } = db
      .prepare('SELECT timestamp FROM cosignatures WHERE size = ?')
      .get(cut) as { timestamp: number };
    db.prepare('UPDATE witnesses SET cosigned_size = ?, cosigned_time = ?').run(cut, timestamp);
    db.prepare('UPDATE mirror_pulls SET size = ?').run(cut);
  });
}

describe('a rollback: the newest batch deleted from vault.db', () => {
  it('fails with ROLLBACK, from what the witness table and the mirror pulls recorded', async () => {
    rollBackTo(2);
    const { code, out, report } = await fsck();
    expect(code).toBe(1);
    // The database agrees with itself: only the rollback checks see anything.
    expect(report.records).toBe(2);
    expect(report.problems.map((p) => p.kind)).toEqual(['rollback', 'rollback']);
    expect(out[0]).toMatch(
      new RegExp(
        `^PROBLEM rollback: ROLLBACK: the vault holds 2 records but witness ${WITNESS} cosigned a checkpoint of size 4 \\(on \\d{4}-\\d\\d-\\d\\dT[0-9:]+Z\\): the newest records were removed, or this is an old copy$`,
      ),
    );
    expect(out[1]).toBe(
      'PROBLEM rollback: ROLLBACK: the vault holds 2 records but mirror partner-abroad pulled a log of size 4 (on 2024-03-01T10:00:00.000Z): the newest records were removed, or this is an old copy',
    );
    expect(out.at(-1)).toBe('FAILED: 2 problems in 2 records.');
    expect(check(report, `witness ${WITNESS}`)).toMatchObject({
      kind: 'rollback',
      status: 'failed',
      evidence: { vaultSize: 2, size: 4, from: 'vault-database' },
    });
    expect(check(report, 'mirror partner-abroad')).toMatchObject({
      status: 'failed',
      evidence: { vaultSize: 2, size: 4, time: '2024-03-01T10:00:00.000Z' },
    });
  });

  it('with the witness and mirror records rewritten too: offline fsck cannot tell, and says so; --online catches it', async () => {
    rollBackTo(2);
    rewriteRecordsOfOthers(2);
    const offline = await fsck();
    expect(offline.code).toBe(0);
    expect(offline.err).toContain(
      "not checked: what the witnesses hold now (run with --online); the sizes above are the vault's own records, which whoever rolls it back can rewrite too",
    );
    expect(check(offline.report, 'witnesses (asked now)').status).toBe('not-checked');

    const online = await fsck(['--online']);
    expect(online.code).toBe(1);
    expect(online.out[0]).toBe(
      `PROBLEM rollback: ROLLBACK: the vault holds 2 records but witness ${WITNESS} cosigned a checkpoint of size 4 (it says so now): the newest records were removed, or this is an old copy`,
    );
    expect(check(online.report, `witness ${WITNESS} (asked now)`)).toMatchObject({
      status: 'failed',
      evidence: { vaultSize: 2, size: 4, from: 'asked-now' },
    });
    // fsck only read: the vault's records of the witness are as the attacker left them.
    withDatabase(vaultDir, (db) => {
      expect(db.prepare('SELECT cosigned_size FROM witnesses').get()).toEqual({
        cosigned_size: 2,
      });
    });
  });

  it('with the witness removed from the vault: a note offline, and --online asks it at the URL trust.txt gives', async () => {
    rollBackTo(2);
    withDatabase(vaultDir, (db) => {
      db.prepare('DELETE FROM witnesses').run();
      db.prepare("UPDATE meta SET value = '0' WHERE key = 'witnessQuorum'").run();
      db.prepare('DELETE FROM mirror_pulls').run();
    });
    const offline = await fsck();
    expect(offline.code).toBe(0);
    expect(offline.err).toContain(
      'note: trust.txt states another witness policy (1 witness, quorum 1) than the database (0 witnesses, quorum 0): if the change was yours, `tamga trust` brings it up to date; if not, witnesses were removed behind your back',
    );
    const online = await fsck(['--online']);
    expect(online.code).toBe(1);
    expect(online.out[0]).toMatch(
      /^PROBLEM rollback: ROLLBACK: the vault holds 2 records but witness /,
    );
  });

  it('rolled back and sealed again past what the witness holds: --online gets the refusal (422)', async () => {
    rollBackTo(2);
    rewriteRecordsOfOthers(2);
    vault = await Vault.open(vaultDir);
    await sealBatch(3, false);
    expect(latestCheckpoint(vault.db)!.size).toBe(5);
    vault.close();
    expect((await fsck()).code).toBe(0);
    const online = await fsck(['--online']);
    expect(online.code).toBe(1);
    expect(check(online.report, `witness ${WITNESS} (asked now)`)).toMatchObject({
      status: 'failed',
      message: expect.stringMatching(
        /refused the vault's checkpoint of size 5 \(422: .*\): it cosigned a history the vault's does not extend/,
      ),
    });
  });
});

/** Every checkpoint signed again with a fresh key for the same origin; resolves to its key. */
function resign(): string {
  const signer = parseSignerKey(generateSignerKey(ORIGIN, randomBytes(32)));
  withDatabase(vaultDir, (db) => {
    const rows = db.prepare('SELECT size, note FROM checkpoints').all() as Array<{
      size: number;
      note: string;
    }>;
    for (const { size, note } of rows) {
      db.prepare('UPDATE checkpoints SET note = ? WHERE size = ?').run(
        signNote(parseNote(note).text, [signer]),
        size,
      );
    }
    db.prepare("UPDATE meta SET value = ? WHERE key = 'logVerifierKey'").run(signer.verifierKey);
  });
  return signer.verifierKey;
}

/** What the attacker writes to trust.txt: the same statement under their key. */
function rewriteTrustFile(key: string): void {
  writeFileSync(
    join(vaultDir, 'trust.txt'),
    formatTrustStatement({
      log: { origin: ORIGIN, verifierKey: key },
      witnesses: { quorum: 1, verifierKeys: [witness.witness.verifierKey] },
    }),
  );
}

describe('a re-signed vault', () => {
  it('without the passphrase: trust.txt names another key', async () => {
    const original = vault.info.logVerifierKey;
    const forged = resign();
    const { code, out, err, report } = await fsck();
    expect(code).toBe(1);
    expect(report.problems).toEqual([
      {
        kind: 'log-key',
        message: `the vault database names log key ${forged}; the trust statement (trust.txt beside vault.db) names ${original}: the vault was re-signed or replaced (0 of the database's 2 checkpoints verify under ${original})`,
      },
    ]);
    expect(out[0]).toBe(`PROBLEM log-key: ${report.problems[0]!.message}`);
    expect(err).toContain(
      'not checked: the key file keys.age (no passphrase; run fsck without --no-blobs to check it)',
    );
    expect(check(report, 'trust.txt')).toMatchObject({
      status: 'failed',
      evidence: {
        databaseKey: forged,
        key: original,
        databaseOrigin: ORIGIN,
        origin: ORIGIN,
        checkpointsVerified: 0,
        checkpoints: 2,
      },
    });
  });

  it('with trust.txt rewritten too: --trust with the published statement fails it, and so does the pinned one', async () => {
    const original = vault.info.logVerifierKey;
    const forged = resign();
    rewriteTrustFile(forged);
    const alone = await fsck();
    expect(alone.code).toBe(0);
    expect(alone.err).toContain(
      'not checked against a published statement (give --trust FILE or pin one with tamga trust add)',
    );

    const given = await fsck(['--trust', published]);
    expect(given.code).toBe(1);
    expect(given.out[0]).toBe(
      `PROBLEM log-key: the vault database names log key ${forged}; the trust statement (--trust ${published}) names ${original}: the vault was re-signed or replaced (0 of the database's 2 checkpoints verify under ${original})`,
    );

    const pin = capture(root, { TAMGA_TRUST_DIR: join(root, 'trust-store') });
    expect(await main(['trust', 'add', published], pin.ctx)).toBe(0);
    const pinned = await fsck();
    expect(pinned.code).toBe(1);
    expect(check(pinned.report, 'pinned')).toMatchObject({
      status: 'failed',
      evidence: { databaseKey: forged, key: original },
    });
  });

  it('with the passphrase: the key file names another key', async () => {
    const original = vault.info.logVerifierKey;
    const forged = resign();
    rewriteTrustFile(forged);
    const { code, report } = await fsck([], true);
    expect(code).toBe(1);
    expect(report.problems).toEqual([
      {
        kind: 'log-key',
        message: `the vault database names log key ${forged}; the key file keys.age names ${original}: the vault was re-signed or replaced (0 of the database's 2 checkpoints verify under ${original})`,
      },
    ]);
  });

  it('--online: the witness does not accept the new key', async () => {
    const forged = resign();
    rewriteTrustFile(forged);
    const { code, report } = await fsck(['--online']);
    expect(code).toBe(1);
    expect(check(report, `witness ${WITNESS} (asked now)`)).toMatchObject({
      status: 'failed',
      message: expect.stringMatching(/does not accept the vault's log key \(403/),
    });
  });

  it("another vault's database (same origin, fresh key) copied over vault.db", async () => {
    const other = await Vault.init(join(root, 'other'), {
      origin: ORIGIN,
      passphrase: 'the raiders',
      logN: 10,
    });
    writeTree(join(root, 'forged'), { 'ledger.csv': 'подделка' });
    await sealPaths(other, await other.unlock('the raiders'), [join(root, 'forged')], {
      author: 'x',
    });
    other.close();
    cpSync(join(root, 'other', 'vault.db'), join(vaultDir, 'vault.db'));
    cpSync(join(root, 'other', 'blobs'), join(vaultDir, 'blobs'), { recursive: true });
    const { code, report } = await fsck();
    expect(code).toBe(1);
    expect(report.problems.map((p) => p.kind)).toEqual(['log-key']);
    expect(check(report, 'trust.txt').status).toBe('failed');
  });
});

describe('the honest vault', () => {
  it('passes every check, with the published statement, pinned, the passphrase and --online', async () => {
    const pin = capture(root, { TAMGA_TRUST_DIR: join(root, 'trust-store') });
    expect(await main(['trust', 'add', published], pin.ctx)).toBe(0);
    const { code, out, err, report } = await fsck(['--trust', published, '--online'], true);
    expect(code).toBe(0);
    expect(out).toEqual([
      'OK: 4 records, 2 checkpoints and 4 encrypted files checked; no problem found.',
    ]);
    expect(report.problems).toEqual([]);
    expect(report.checks.map((c) => [c.source, c.status])).toEqual([
      ['keys.age', 'ok'],
      ['trust.txt', 'ok'],
      [`--trust ${published}`, 'ok'],
      ['pinned', 'ok'],
      [`witness ${WITNESS}`, 'ok'],
      ['cosignatures', 'ok'],
      ['mirror partner-abroad', 'ok'],
      [`witness ${WITNESS} (asked now)`, 'ok'],
    ]);
    expect(err).toContain(
      `checked: witness ${WITNESS}, asked now, holds the vault's checkpoint of size 4`,
    );
  });

  it('without the passphrase, says plainly what it did not check', async () => {
    const { code, err, report } = await fsck();
    expect(code).toBe(0);
    expect(report.checks.filter((c) => c.status === 'not-checked').map((c) => c.source)).toEqual([
      'keys.age',
      'published',
      'witnesses (asked now)',
    ]);
    expect(err).toEqual(
      expect.arrayContaining([
        'not checked: the key file keys.age (no passphrase; run fsck without --no-blobs to check it)',
        'not checked against a published statement (give --trust FILE or pin one with tamga trust add)',
      ]),
    );
  });

  it('--online with a witness behind: it extends what it holds, and that is not a rollback', async () => {
    vault = await Vault.open(vaultDir);
    await sealBatch(1, false);
    vault.close();
    const { code, err, report } = await fsck(['--online']);
    expect(code).toBe(0);
    // The first run (text) moved the witness to 5, as a sync would; the second (JSON) found it there.
    expect(err).toContain(
      `checked: witness ${WITNESS}, asked now, held size 4 and cosigned the vault's checkpoint of size 5 as its extension`,
    );
    expect(check(report, `witness ${WITNESS} (asked now)`)).toMatchObject({
      status: 'ok',
      evidence: { vaultSize: 5, size: 5, from: 'asked-now' },
    });
  });

  it('a vault made before trust statements: said, not a failure', async () => {
    rmSync(join(vaultDir, 'trust.txt'));
    const { code, err, report } = await fsck();
    expect(code).toBe(0);
    expect(check(report, 'trust.txt').status).toBe('not-checked');
    expect(err.join('\n')).toMatch(/^not checked: trust\.txt \(this vault has none: /m);
  });

  it('a trust.txt that is not a statement fails', async () => {
    writeFileSync(join(vaultDir, 'trust.txt'), `${readFileSync(published, 'utf8')}witness x`);
    const { code, report } = await fsck();
    expect(code).toBe(1);
    expect(check(report, 'trust.txt').status).toBe('failed');
  });
});
