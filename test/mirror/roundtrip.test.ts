/**
 * Pull → restore, end to end on loopback: a vault with sealed files (several batches, past the
 * first 256-entry tile, with witnesses that cosign), pulled into a mirror, pulled again after more
 * sealing, served by `serve --mirror` and pulled from there, then restored from the directory and
 * from URLs. The restored vault has the same root, records, salts, checkpoints (cosignatures
 * included) and byte-identical blobs; fsck passes; Debian's `age` decrypts its blobs.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HttpSource } from '../../src/mirror/http-source.js';
import { DirectorySource, MirrorDirectory } from '../../src/mirror/mirror-dir.js';
import { pullMirror } from '../../src/mirror/pull.js';
import { restoreVault } from '../../src/mirror/restore.js';
import { x25519Recipient } from '../../src/vault/age/index.js';
import { fsck } from '../../src/vault/fsck.js';
import { latestCheckpoint } from '../../src/vault/log-store.js';
import { Vault } from '../../src/vault/vault.js';
import { blobFiles, removeTemp, tempDir, withDatabase } from '../vault/helpers.js';
import {
  addTestWitnesses,
  createTestVault,
  type MirrorTestVault,
  PASSPHRASE,
  randomFile,
  type Served,
  sealFolder,
  serveMirror,
  serveVault,
  smallFiles,
  token,
} from './helpers.js';

const ageMissing = spawnSync('age', ['--version']).status !== 0;

/** The rows a restore must reproduce, as comparable text. */
function vaultRows(dir: string) {
  return withDatabase(dir, (db) => ({
    records: db
      .prepare(
        'SELECT idx, id, kind, created, json, hex(salt) s, hex(commitment) c FROM records ORDER BY idx',
      )
      .all(),
    files: db
      .prepare(
        'SELECT record_idx, sha256, name, size FROM record_files ORDER BY record_idx, sha256, name',
      )
      .all(),
    blobs: db.prepare('SELECT sha256, size, stored_size FROM blobs ORDER BY sha256').all(),
    paths: db
      .prepare('SELECT path, size, mtime_ms, sha256, record_id FROM sealed_paths ORDER BY path')
      .all(),
    tiles: db.prepare('SELECT level, idx, width, hex(data) d FROM tiles ORDER BY level, idx').all(),
    checkpoints: db.prepare('SELECT size, note, created FROM checkpoints ORDER BY size').all(),
    cosignatures: db
      .prepare('SELECT size, vkey, timestamp FROM cosignatures ORDER BY size, vkey')
      .all(),
    witnesses: db.prepare('SELECT name, vkey, url FROM witnesses ORDER BY name').all(),
    meta: db.prepare("SELECT key, value FROM meta WHERE key != 'created' ORDER BY key").all(),
  }));
}

describe('mirror pull and restore', () => {
  let root: string;
  let v: MirrorTestVault;
  let served: Served;
  let tok: string;
  let mirrorDir: string;
  let witnesses: ReturnType<typeof addTestWitnesses>;

  beforeAll(async () => {
    root = tempDir('tamga-mirror-test-');
    v = await createTestVault(join(root, 'vault'));
    witnesses = addTestWitnesses(v);
    await sealFolder(v, root, 'docs', {
      'устав.txt': 'Устав профсоюза, редакция 2023 г.',
      'scan.bin': randomFile(3 * 65536 + 17),
      'empty.bin': new Uint8Array(0),
      'copy-of-устав.txt': 'Устав профсоюза, редакция 2023 г.',
    });
    witnesses.cosign();
    await sealFolder(v, root, 'many', smallFiles(260, 'receipt'));
    witnesses.cosign();
    served = await serveVault(v.dir);
    tok = token(v, 'partner-abroad');
    mirrorDir = join(root, 'mirror');
  });

  afterAll(async () => {
    await served.close();
    v.vault.close();
    removeTemp(root);
  });

  it('pulls a verified mirror, then only what is new', async () => {
    const source = new HttpSource(served.url, { token: tok });
    const first = await pullMirror({ source, into: mirrorDir });
    expect(first.previousSize).toBe(0);
    expect(first.size).toBe(264);
    expect(first.witnessed).toMatchObject({ quorum: 2, met: true });
    expect(first.filesFetched).toBe(263);

    const again = await pullMirror({ source, into: mirrorDir });
    expect(again).toMatchObject({ previousSize: 264, size: 264, filesFetched: 0, filesHeld: 263 });

    await sealFolder(v, root, 'more', { ...smallFiles(3, 'more'), 'big.bin': randomFile(200_000) });
    const third = await pullMirror({ source, into: mirrorDir });
    expect(third).toMatchObject({ previousSize: 264, size: 268, filesFetched: 4, filesHeld: 263 });
    // Not cosigned yet: reported, not refused.
    expect(third.witnessed).toMatchObject({ met: false, cosigners: [] });
    witnesses.cosign();
    const fourth = await pullMirror({ source, into: mirrorDir });
    expect(fourth.witnessed.met).toBe(true);
    expect(fourth.checkpoints).toBe(1);
    await source.close();

    const mirror = MirrorDirectory.open(mirrorDir);
    expect(mirror.accepted().note).toBe(latestCheckpoint(v.vault.db)!.note);
    expect(existsSync(join(mirrorDir, 'staging'))).toBe(false);
  });

  it('refuses a wrong token, and a wrong pinned key', async () => {
    const bad = new HttpSource(served.url, {
      token: 'tmt1_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA',
    });
    await expect(pullMirror({ source: bad, into: join(root, 'm-bad') })).rejects.toThrow(
      /refused the mirror token \(HTTP 401\)/,
    );
    await bad.close();
    const good = new HttpSource(served.url, { token: tok });
    await expect(
      pullMirror({
        source: good,
        into: join(root, 'm-vkey'),
        vkey: 'other.example/log+01234567+AAAA',
      }),
    ).rejects.toThrow(/not the key given with --vkey/);
    await good.close();
  });

  it('restores from the mirror directory: same root, records, checkpoints and blobs', async () => {
    const target = join(root, 'restored');
    const report = await restoreVault({
      source: new DirectorySource(MirrorDirectory.open(mirrorDir)),
      vault: target,
      passphrase: async () => PASSPHRASE,
    });
    expect(report).toMatchObject({ size: 268, files: 267, quorum: 2 });
    const a = vaultRows(v.dir);
    const b = vaultRows(target);
    expect(b.records).toEqual(a.records);
    expect(b.files).toEqual(a.files);
    expect(b.blobs).toEqual(a.blobs);
    expect(b.paths).toEqual(a.paths);
    expect(b.tiles).toEqual(a.tiles);
    expect(b.checkpoints.map((c) => (c as { note: string }).note)).toEqual(
      a.checkpoints.map((c) => (c as { note: string }).note),
    );
    expect(b.cosignatures).toEqual(a.cosignatures);
    expect(b.witnesses).toEqual(a.witnesses);
    // The original's meta, and the marks of a restored copy: read-only until taken over.
    const marks = new Set(['restoredFrom', 'restoredAt']);
    expect(b.meta.filter((m) => !marks.has((m as { key: string }).key))).toEqual(a.meta);
    expect(b.meta).toContainEqual({ key: 'restoredFrom', value: mirrorDir });
    expect(blobFiles(target)).toEqual(blobFiles(v.dir));
    for (const f of blobFiles(v.dir)) {
      expect(
        readFileSync(join(target, 'blobs', f)).equals(readFileSync(join(v.dir, 'blobs', f))),
      ).toBe(true);
    }
    expect(
      readFileSync(join(target, 'keys.age')).equals(readFileSync(join(v.dir, 'keys.age'))),
    ).toBe(true);
    const restored = await Vault.open(target);
    try {
      const check = await fsck(restored, { keys: await restored.unlock(PASSPHRASE) });
      expect(check.problems).toEqual([]);
      expect(check.warnings).toEqual([]);
    } finally {
      restored.close();
    }
    expect(existsSync(`${target}.partial`)).toBe(false);
  });

  it.skipIf(ageMissing)('restored blobs decrypt with the reference age CLI', async () => {
    const target = join(root, 'restored');
    const identity = join(root, 'identity.txt');
    writeFileSync(
      identity,
      `# public key: ${x25519Recipient(v.keys.ageIdentity)}\n${v.keys.ageIdentity}\n`,
      { mode: 0o600 },
    );
    const files = blobFiles(target);
    expect(files.length).toBeGreaterThan(0);
    for (const f of files.slice(0, 5)) {
      const r = spawnSync('age', ['-d', '-i', identity, join(target, 'blobs', f)]);
      expect(r.status).toBe(0);
      const sha = (await import('node:crypto')).createHash('sha256').update(r.stdout).digest('hex');
      expect(f).toBe(`${sha.slice(0, 2)}/${sha}.age`);
    }
  });

  it('refuses to restore into a non-empty directory, or with a wrong passphrase, leaving nothing', async () => {
    const source = new DirectorySource(MirrorDirectory.open(mirrorDir));
    await expect(
      restoreVault({ source, vault: join(root, 'restored'), passphrase: async () => PASSPHRASE }),
    ).rejects.toThrow(/not empty/);
    const target = join(root, 'wrong-pass');
    await expect(
      restoreVault({ source, vault: target, passphrase: async () => 'not the passphrase' }),
    ).rejects.toThrow(/wrong passphrase/);
    expect(existsSync(target)).toBe(false);
    expect(existsSync(`${target}.partial`)).toBe(false);
  });

  it('serves the mirror: pulled from, and restored from, like the vault', async () => {
    const mirrorToken = 'tmt1_served-mirror-token-for-tests-0123456789ab';
    const m = await serveMirror(mirrorDir, mirrorToken);
    try {
      const second = join(root, 'mirror-of-mirror');
      const source = new HttpSource(m.url, { token: mirrorToken });
      const r = await pullMirror({ source, into: second });
      expect(r).toMatchObject({ size: 268, filesFetched: 267 });
      const target = join(root, 'restored-from-served-mirror');
      const report = await restoreVault({
        source,
        vault: target,
        passphrase: async () => PASSPHRASE,
      });
      expect(report.size).toBe(268);
      await source.close();
      expect(vaultRows(target).records).toEqual(vaultRows(v.dir).records);
    } finally {
      await m.close();
    }
  });

  it('restores from the vault itself over HTTP', async () => {
    const source = new HttpSource(served.url, { token: tok });
    const target = join(root, 'restored-from-vault');
    const report = await restoreVault({
      source,
      vault: target,
      passphrase: async () => PASSPHRASE,
    });
    await source.close();
    expect(report.size).toBe(latestCheckpoint(v.vault.db)!.size);
    expect(vaultRows(target).blobs).toEqual(vaultRows(v.dir).blobs);
  });
});
