/**
 * What sealing a folder does to a vault: one document record per file, with the path, size,
 * SHA-256, media type, tags and metadata it was sealed with; re-sealing unchanged files is a
 * no-op; a changed file gets one new record that refers to the previous one; equal contents
 * share one blob; an interrupted run (aborted, or killed -9) resumes without duplicates; and
 * every batch ends with one checkpoint that the vault's verifier key opens.
 */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readFileSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { sealCommand } from '../../src/cli/seal.js';
import { openCheckpoint } from '../../src/log/checkpoint.js';
import { bytesEqual } from '../../src/log/encoding.js';
import { rootFromLeafHashes } from '../../src/log/merkle.js';
import { generateSignerKey, parseSignerKey, parseVerifierKey } from '../../src/log/note.js';
import { recordLeafHash } from '../../src/records/commitment.js';
import type { DocumentRecord } from '../../src/records/record.js';
import { decryptBytes } from '../../src/vault/age/index.js';
import { fsck } from '../../src/vault/fsck.js';
import type { VaultKeys } from '../../src/vault/keys.js';
import { blobPath } from '../../src/vault/layout.js';
import { logSize } from '../../src/vault/log-store.js';
import { listRecords } from '../../src/vault/query.js';
import { type SealOptions, sealPaths } from '../../src/vault/seal.js';
import { Vault } from '../../src/vault/vault.js';
import {
  blobFiles,
  capture,
  countRows,
  newVault,
  ORIGIN,
  PASSPHRASE,
  removeTemp,
  tempDir,
  tmpBlobs,
  writeTree,
} from './helpers.js';

const sha256 = (data: string | Uint8Array) => createHash('sha256').update(data).digest('hex');

const documents = (vault: Vault) =>
  listRecords(vault).map((s) => ({ index: s.index, record: s.record as DocumentRecord }));

const checkpointSizes = (vault: Vault) =>
  (vault.db.prepare('SELECT size FROM checkpoints ORDER BY size').all() as { size: number }[]).map(
    (r) => r.size,
  );

let root: string;
let vaultDir: string;
let vault: Vault;
let keys: VaultKeys;
const base: SealOptions = { author: 'Айгерим', batchMillis: 1e9 };

beforeEach(async () => {
  root = tempDir();
  vaultDir = join(root, 'vault');
  ({ vault, keys } = await newVault(vaultDir));
});

afterEach(() => {
  vault.close();
  removeTemp(root);
});

describe('sealing a folder', () => {
  const files = {
    'a.pdf': '%PDF-1.4 minutes of the meeting',
    'sub/b.csv': 'date,amount\n2024-01-02,100\n',
    'sub/deeper/c.jpg': new Uint8Array([0xff, 0xd8, 0xff, 0xe0, 1, 2, 3]),
    README: 'no extension',
  };

  it('creates one document record per file with its path, size, SHA-256, media type, tags and meta', async () => {
    const docs = join(root, 'scans');
    writeTree(docs, files);
    const summary = await sealPaths(vault, keys, [docs], {
      ...base,
      tags: ['2024', 'касса'],
      meta: { office: 'Бишкек', box: '7' },
    });
    expect(summary.sealed).toBe(4);
    expect(summary.unchanged).toBe(0);
    expect(summary.failed).toEqual([]);
    expect(summary.checkpoint?.size).toBe(4);

    const byPath = new Map(documents(vault).map((d) => [d.record.body.path, d.record]));
    // An absolute folder is recorded under its own name, names '/'-separated below it.
    expect([...byPath.keys()].sort()).toEqual([
      'scans/README',
      'scans/a.pdf',
      'scans/sub/b.csv',
      'scans/sub/deeper/c.jpg',
    ]);
    const media: Record<string, string> = {
      'a.pdf': 'application/pdf',
      'sub/b.csv': 'text/csv',
      'sub/deeper/c.jpg': 'image/jpeg',
      README: 'application/octet-stream',
    };
    for (const [name, data] of Object.entries(files)) {
      const r = byPath.get(`scans/${name}`)!;
      const bytes = typeof data === 'string' ? new TextEncoder().encode(data) : data;
      expect(r.kind).toBe('document');
      expect(r.author).toBe('Айгерим');
      expect(r.refs).toEqual([]);
      expect(r.body.tags).toEqual(['2024', 'касса']);
      expect(r.body.meta).toEqual({ office: 'Бишкек', box: '7' });
      expect(r.files).toEqual([
        {
          sha256: sha256(bytes),
          size: bytes.length,
          name: name.split('/').pop(),
          mediaType: media[name],
        },
      ]);
      // The blob under that hash decrypts to the file.
      const blob = readFileSync(blobPath(vault.layout, sha256(bytes)));
      expect(Buffer.from(decryptBytes(blob, [keys.ageIdentity])).equals(Buffer.from(bytes))).toBe(
        true,
      );
    }
    expect(blobFiles(vaultDir)).toHaveLength(4);
    expect(tmpBlobs(vaultDir)).toEqual([]);
  });

  it('records tags and --meta given on the command line (a value may hold "=")', async () => {
    const docs = join(root, 'in');
    writeTree(docs, { 'x.txt': 'x' });
    const c = capture(root);
    const summary = await sealCommand(
      [docs],
      { vault: vaultDir, tag: ['t1', 't2'], meta: ['source=office=2', 'empty='], quiet: true },
      c.ctx,
    );
    expect(summary.sealed).toBe(1);
    const [doc] = documents(vault);
    expect(doc!.record.body.tags).toEqual(['t1', 't2']);
    expect(doc!.record.body.meta).toEqual({ source: 'office=2', empty: '' });
    expect(c.err.join('\n')).toMatch(/Sealed 1 file .*; 0 unchanged, skipped; 0 failed\./);
  });

  it('seals a single file given directly under its own name', async () => {
    writeTree(root, { 'one.txt': 'one' });
    await sealPaths(vault, keys, [join(root, 'one.txt')], base);
    expect(documents(vault).map((d) => d.record.body.path)).toEqual(['one.txt']);
  });

  it('re-sealing an unchanged folder is a no-op: nothing sealed, no entry, no checkpoint', async () => {
    const docs = join(root, 'docs');
    writeTree(docs, files);
    await sealPaths(vault, keys, [docs], base);
    const size = logSize(vault.db);
    const checkpoints = checkpointSizes(vault);
    const blobs = blobFiles(vaultDir);

    const again = await sealPaths(vault, keys, [docs], base);
    expect(again).toMatchObject({ sealed: 0, unchanged: 4, failed: [], deduplicated: 0 });
    expect(logSize(vault.db)).toBe(size);
    expect(checkpointSizes(vault)).toEqual(checkpoints);
    expect(blobFiles(vaultDir)).toEqual(blobs);
  });

  it('a file touched but not changed is still unchanged', async () => {
    const docs = join(root, 'docs');
    writeTree(docs, { 'a.txt': 'same' });
    await sealPaths(vault, keys, [docs], base);
    const later = new Date(Date.now() + 60_000);
    utimesSync(join(docs, 'a.txt'), later, later);
    const again = await sealPaths(vault, keys, [docs], base);
    expect(again).toMatchObject({ sealed: 0, unchanged: 1 });
    expect(logSize(vault.db)).toBe(1);
  });

  it('a changed file gets exactly one new record, whose refs name the previous record of its path', async () => {
    const docs = join(root, 'docs');
    writeTree(docs, files);
    await sealPaths(vault, keys, [docs], base);
    const before = documents(vault);
    const previous = before.find((d) => d.record.body.path === 'docs/sub/b.csv')!;

    writeFileSync(join(docs, 'sub/b.csv'), 'date,amount\n2024-01-02,1000\n');
    const again = await sealPaths(vault, keys, [docs], base);
    expect(again).toMatchObject({ sealed: 1, unchanged: 3, failed: [] });

    const after = documents(vault);
    expect(after).toHaveLength(5);
    const added = after[4]!.record;
    expect(added.body.path).toBe('docs/sub/b.csv');
    expect(added.refs).toEqual([previous.record.id]);
    expect(added.files[0]!.sha256).toBe(sha256('date,amount\n2024-01-02,1000\n'));
    expect(added.id).not.toBe(previous.record.id);
    // The old record is still there, unchanged: nothing is edited in place.
    expect(after.slice(0, 4)).toEqual(before);

    // A third version refers to the second, not the first.
    writeFileSync(join(docs, 'sub/b.csv'), 'v3');
    await sealPaths(vault, keys, [docs], base);
    expect(documents(vault)[5]!.record.refs).toEqual([added.id]);
  });

  it('identical contents at two paths make two records and one blob', async () => {
    const docs = join(root, 'docs');
    writeTree(docs, { 'copy-1.pdf': 'the same scan', 'other/copy-2.pdf': 'the same scan' });
    const summary = await sealPaths(vault, keys, [docs], { ...base, concurrency: 1 });
    expect(summary.sealed).toBe(2);
    expect(summary.deduplicated).toBe(1);
    const docsSealed = documents(vault);
    expect(docsSealed.map((d) => d.record.body.path).sort()).toEqual([
      'docs/copy-1.pdf',
      'docs/other/copy-2.pdf',
    ]);
    expect(new Set(docsSealed.map((d) => d.record.files[0]!.sha256))).toEqual(
      new Set([sha256('the same scan')]),
    );
    expect(blobFiles(vaultDir)).toEqual([
      `${sha256('the same scan').slice(0, 2)}/${sha256('the same scan')}.age`,
    ]);
    expect(countRows(vaultDir, 'blobs')).toBe(1);
    expect(countRows(vaultDir, 'record_files')).toBe(2);
  });

  it('identical contents sealed concurrently still leave one blob file and one blobs row', async () => {
    const docs = join(root, 'docs');
    const same: Record<string, string> = {};
    for (let i = 0; i < 8; i++) same[`f${i}.txt`] = 'duplicate';
    writeTree(docs, same);
    const summary = await sealPaths(vault, keys, [docs], { ...base, concurrency: 4 });
    expect(summary.sealed).toBe(8);
    expect(blobFiles(vaultDir)).toHaveLength(1);
    expect(countRows(vaultDir, 'blobs')).toBe(1);
    expect((await fsck(vault, { keys })).ok).toBe(true);
  });
});

describe('batches and checkpoints', () => {
  it('signs one checkpoint per batch, and the latest verifies with the vault verifier key', async () => {
    const docs = join(root, 'docs');
    writeTree(docs, { '1': 'a', '2': 'b', '3': 'c', '4': 'd', '5': 'e' });
    const summary = await sealPaths(vault, keys, [docs], { ...base, batchSize: 2, concurrency: 1 });
    expect(summary.sealed).toBe(5);
    expect(checkpointSizes(vault)).toEqual([2, 4, 5]);

    const commitments = (
      vault.db.prepare('SELECT commitment FROM records ORDER BY idx').all() as {
        commitment: Uint8Array;
      }[]
    ).map((r) => recordLeafHash(new Uint8Array(r.commitment)));
    for (const row of vault.db.prepare('SELECT size, note FROM checkpoints').all() as {
      size: number;
      note: string;
    }[]) {
      // The verifier key as `tamga init` prints it, not the vault object's own verifier.
      const { checkpoint } = openCheckpoint(row.note, parseVerifierKey(vault.info.logVerifierKey));
      expect(checkpoint.origin).toBe(ORIGIN);
      expect(checkpoint.size).toBe(row.size);
      expect(bytesEqual(checkpoint.root, rootFromLeafHashes(commitments.slice(0, row.size)))).toBe(
        true,
      );
    }
    expect(summary.checkpoint?.note).toBe(
      (vault.db.prepare('SELECT note FROM checkpoints WHERE size = 5').get() as { note: string })
        .note,
    );
    // Another key of the same name does not open it.
    const stranger = parseSignerKey(generateSignerKey(ORIGIN, new Uint8Array(32).fill(7)));
    expect(() =>
      openCheckpoint(summary.checkpoint!.note, parseVerifierKey(stranger.verifierKey)),
    ).toThrow();
  });

  it('a batch is also closed by time (batchMillis 0: one checkpoint per record)', async () => {
    const docs = join(root, 'docs');
    writeTree(docs, { '1': 'a', '2': 'b', '3': 'c' });
    await sealPaths(vault, keys, [docs], { ...base, batchMillis: 0, concurrency: 1 });
    expect(checkpointSizes(vault)).toEqual([1, 2, 3]);
  });
});

describe('an interrupted run', () => {
  const many: Record<string, string> = {};
  for (let i = 0; i < 12; i++)
    many[`f${String(i).padStart(2, '0')}.txt`] = `contents ${i} `.repeat(50);

  function expectEachPathOnce(paths: string[]) {
    const recorded = documents(vault).map((d) => d.record.body.path);
    expect(recorded.slice().sort()).toEqual(paths.slice().sort());
  }

  it('stopped by its AbortSignal, then run again, seals the rest without duplicates', async () => {
    const docs = join(root, 'docs');
    writeTree(docs, many);
    const stop = new AbortController();
    const first = await sealPaths(vault, keys, [docs], {
      ...base,
      batchSize: 2,
      concurrency: 1,
      signal: stop.signal,
      onSealed: (e) => {
        if (e.status === 'sealed') stop.abort();
      },
    });
    expect(first.sealed).toBe(2);
    expect(first.failed).toEqual([]);
    expect(logSize(vault.db)).toBe(2);
    expect((await fsck(vault, { keys })).ok).toBe(true);

    const second = await sealPaths(vault, keys, [docs], base);
    expect(second).toMatchObject({ sealed: 10, unchanged: 2, failed: [] });
    expectEachPathOnce(Object.keys(many).map((n) => `docs/${n}`));
    expect(blobFiles(vaultDir)).toHaveLength(12);
    expect(countRows(vaultDir, 'blobs')).toBe(12);
    expect((await fsck(vault, { keys })).ok).toBe(true);
  });

  it('killed with SIGKILL after its first batch, then run again, seals the rest without duplicates', async () => {
    const docs = join(root, 'docs');
    writeTree(docs, many);
    vault.close();
    const child = spawnSync(
      process.execPath,
      ['--import', 'tsx', new URL('./seal-child.ts', import.meta.url).pathname, vaultDir, docs],
      { encoding: 'utf8' },
    );
    expect(child.signal, child.stderr).toBe('SIGKILL');
    expect(child.stdout).not.toContain('finished');

    // Opening for writing clears the dead writer's half-written blobs.
    vault = await Vault.open(vaultDir);
    expect(tmpBlobs(vaultDir)).toEqual([]);
    // The first batch (2 records, or a few more that joined it before it committed) is kept.
    const sealedBefore = logSize(vault.db);
    expect(sealedBefore).toBeGreaterThanOrEqual(2);
    expect(sealedBefore).toBeLessThan(12);
    const report = await fsck(vault, { keys });
    expect(report.problems).toEqual([]);

    const second = await sealPaths(vault, keys, [docs], base);
    expect(second).toMatchObject({
      sealed: 12 - sealedBefore,
      unchanged: sealedBefore,
      failed: [],
    });
    expectEachPathOnce(Object.keys(many).map((n) => `docs/${n}`));
    expect(blobFiles(vaultDir)).toHaveLength(12);
    expect(countRows(vaultDir, 'blobs')).toBe(12);
    const after = await fsck(vault, { keys: await vault.unlock(PASSPHRASE) });
    expect(after.problems).toEqual([]);
    expect(after.warnings.filter((w) => /not named by any record/.test(w))).toEqual([]);
  });
});
