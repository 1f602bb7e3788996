/**
 * Files that change under a running seal, between the walk that finds them and the read that
 * seals them. To hit that window every time, `open` from node:fs/promises is wrapped: when the
 * sealing pipeline opens a chosen file, a hook first changes it (deletes it, appends to it,
 * moves its mtime, puts a folder or a named pipe in its place), then the real `open` runs.
 *
 * (Tests run as root, so chmod 000 cannot make a file unreadable here; these races, FIFOs and
 * folders in a file's place are how a read fails instead.)
 */
import { execFileSync } from 'node:child_process';
import {
  appendFileSync,
  closeSync,
  constants,
  mkdirSync,
  openSync,
  rmSync,
  utimesSync,
} from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { fsck } from '../../src/vault/fsck.js';
import type { VaultKeys } from '../../src/vault/keys.js';
import { logSize } from '../../src/vault/log-store.js';
import { listRecords } from '../../src/vault/query.js';
import { sealPaths } from '../../src/vault/seal.js';
import type { Vault } from '../../src/vault/vault.js';
import * as helpers from './helpers.js';

const hooks = vi.hoisted(() => ({ beforeOpen: new Map<string, () => void>() }));

vi.mock('node:fs/promises', async (importOriginal) => {
  const actual = await importOriginal<typeof import('node:fs/promises')>();
  const open: typeof actual.open = (path, ...rest) => {
    const hook = typeof path === 'string' ? hooks.beforeOpen.get(path) : undefined;
    if (hook) {
      hooks.beforeOpen.delete(path as string);
      hook();
    }
    return actual.open(path, ...rest);
  };
  return { ...actual, default: { ...actual, open }, open };
});

let root: string;
let docs: string;
let vaultDir: string;
let vault: Vault;
let keys: VaultKeys;

beforeEach(async () => {
  root = helpers.tempDir();
  docs = join(root, 'docs');
  vaultDir = join(root, 'vault');
  ({ vault, keys } = await helpers.newVault(vaultDir));
  helpers.writeTree(docs, {
    'a.txt': 'first file',
    'b.txt': 'x'.repeat(300_000),
    'c.txt': 'third file',
  });
});

afterEach(() => {
  hooks.beforeOpen.clear();
  vault.close();
  helpers.removeTemp(root);
});

async function sealWith(name: string, hook: () => void) {
  hooks.beforeOpen.set(join(docs, name), hook);
  const summary = await sealPaths(vault, keys, [docs], {
    author: 'test',
    batchMillis: 1e9,
    concurrency: 1,
  });
  expect(hooks.beforeOpen.size, 'the hook ran').toBe(0);
  return summary;
}

/** The vault holds the two other files, nothing half-sealed, and fsck finds no problem. */
async function expectIntact(failedName: string) {
  const paths = listRecords(vault).map((s) => (s.record.body as { path: string }).path);
  expect(paths.sort()).toEqual(
    ['docs/a.txt', 'docs/b.txt', 'docs/c.txt'].filter((p) => p !== `docs/${failedName}`),
  );
  expect(helpers.tmpBlobs(vaultDir)).toEqual([]);
  const report = await fsck(vault, { keys });
  expect(report.problems).toEqual([]);
  expect(report.ok).toBe(true);
}

describe('a file that changes between the walk and the read', () => {
  it('vanished: reported as failed ("no such file or folder"), the others sealed', async () => {
    const summary = await sealWith('b.txt', () => rmSync(join(docs, 'b.txt')));
    expect(summary.sealed).toBe(2);
    expect(summary.failed).toEqual([{ path: 'docs/b.txt', reason: 'no such file or folder' }]);
    await expectIntact('b.txt');
  });

  it('appended to: reported as changed while being read, not sealed', async () => {
    const summary = await sealWith('b.txt', () => appendFileSync(join(docs, 'b.txt'), 'more'));
    expect(summary.sealed).toBe(2);
    expect(summary.failed).toHaveLength(1);
    expect(summary.failed[0]!.path).toBe('docs/b.txt');
    expect(summary.failed[0]!.reason).toMatch(/changed while it was being read/);
    await expectIntact('b.txt');
    // No blob of either version was kept.
    expect(helpers.blobFiles(vaultDir)).toHaveLength(2);
  });

  it('rewritten in place with the same size (only its mtime moves): not sealed', async () => {
    const summary = await sealWith('c.txt', () => {
      const later = new Date(Date.now() + 5_000);
      utimesSync(join(docs, 'c.txt'), later, later);
    });
    expect(summary.failed.map((f) => f.path)).toEqual(['docs/c.txt']);
    expect(summary.failed[0]!.reason).toMatch(/changed while it was being read/);
    await expectIntact('c.txt');
  });

  it('a folder put in its place: reported as failed, the vault intact', async () => {
    const summary = await sealWith('a.txt', () => {
      rmSync(join(docs, 'a.txt'));
      mkdirSync(join(docs, 'a.txt'));
    });
    expect(summary.sealed).toBe(2);
    expect(summary.failed.map((f) => f.path)).toEqual(['docs/a.txt']);
    expect(summary.failed[0]!.reason).not.toBe('');
    await expectIntact('a.txt');
  });

  it('a re-run after the failure seals the file once it is stable', async () => {
    await sealWith('b.txt', () => appendFileSync(join(docs, 'b.txt'), 'more'));
    expect(logSize(vault.db)).toBe(2);
    const again = await sealPaths(vault, keys, [docs], { author: 'test', batchMillis: 1e9 });
    expect(again).toMatchObject({ sealed: 1, unchanged: 2, failed: [] });
    expect((await fsck(vault, { keys })).ok).toBe(true);
  });

  // Regression test for a bug fixed after it was found by this test.
  it('a named pipe put in its place: the seal does not hang, the path is reported as failed', async () => {
    const fifo = join(docs, 'c.txt');
    hooks.beforeOpen.set(fifo, () => {
      rmSync(fifo);
      execFileSync('mkfifo', [fifo]);
    });
    const sealing = sealPaths(vault, keys, [docs], {
      author: 'test',
      batchMillis: 1e9,
      concurrency: 1,
    });
    let timer: NodeJS.Timeout | undefined;
    const outcome = await Promise.race([
      sealing.then((s) => ({ finished: true as const, summary: s })),
      new Promise<{ finished: false }>((resolve) => {
        timer = setTimeout(() => resolve({ finished: false }), 3000);
      }),
    ]);
    clearTimeout(timer);
    if (!outcome.finished) {
      // Release the blocked open (a writer appears and goes), so the run can end.
      closeSync(openSync(fifo, constants.O_WRONLY | constants.O_NONBLOCK));
      await sealing;
    }
    expect(outcome.finished, 'sealPaths returned within 3 s').toBe(true);
    if (outcome.finished) {
      expect(outcome.summary.failed.map((f) => f.path)).toEqual(['docs/c.txt']);
      await expectIntact('c.txt');
    }
  });
});
