/**
 * Resuming: a pull cut off half-way (the connection breaks after some files; or the process is
 * killed) leaves the mirror as it was — not yet a mirror on a first pull — and the next pull
 * fetches only what is missing: no entry or record bundle twice, no file twice.
 */
import { spawn } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MirrorError } from '../../src/mirror/errors.js';
import { HttpSource } from '../../src/mirror/http-source.js';
import { MirrorDirectory } from '../../src/mirror/mirror-dir.js';
import { pullMirror } from '../../src/mirror/pull.js';
import type { MirrorSource } from '../../src/mirror/source.js';
import { BIN, removeTemp, tempDir } from '../vault/helpers.js';
import {
  createTestVault,
  type MirrorTestVault,
  randomFile,
  type Served,
  sealFolder,
  serveVault,
  smallFiles,
  token,
} from './helpers.js';

/** Counts calls to a source, and breaks `openBlob` after `breakAfter` files. */
function counting(source: MirrorSource, breakAfter = Number.POSITIVE_INFINITY) {
  const calls = { tile: 0, recordBundle: 0, openBlob: 0 };
  const wrapped = Object.assign(Object.create(source) as MirrorSource, {
    tile: (t: Parameters<MirrorSource['tile']>[0]) => {
      calls.tile++;
      return source.tile(t);
    },
    recordBundle: (t: Parameters<MirrorSource['recordBundle']>[0]) => {
      calls.recordBundle++;
      return source.recordBundle(t);
    },
    openBlob: async (name: string, size: number) => {
      if (calls.openBlob >= breakAfter) {
        throw new MirrorError('mirror.unreachable', 'the connection broke (test)');
      }
      calls.openBlob++;
      return source.openBlob(name, size);
    },
  });
  return { source: wrapped, calls };
}

function blobCount(mirror: string): number {
  const dir = join(mirror, 'private', 'blobs');
  if (!existsSync(dir)) return 0;
  return readdirSync(dir).reduce((n, d) => n + readdirSync(join(dir, d)).length, 0);
}

describe('an interrupted pull resumes', () => {
  let root: string;
  let v: MirrorTestVault;
  let served: Served;
  let tok: string;

  beforeAll(async () => {
    root = tempDir('tamga-mirror-resume-');
    v = await createTestVault(join(root, 'vault'));
    await sealFolder(v, root, 'small', smallFiles(300, 'протокол'));
    const big: Record<string, Uint8Array> = {};
    for (let i = 0; i < 40; i++) big[`scan-${i}.bin`] = randomFile(200_000);
    await sealFolder(v, root, 'big', big);
    served = await serveVault(v.dir);
    tok = token(v);
  });

  afterAll(async () => {
    await served.close();
    v.vault.close();
    removeTemp(root);
  });

  it('after a broken connection, fetching only what is missing', async () => {
    const mirror = join(root, 'mirror-broken');
    const http = new HttpSource(served.url, { token: tok });
    const first = counting(http, 25);
    await expect(
      pullMirror({ source: first.source, into: mirror, concurrency: 1 }),
    ).rejects.toThrow(/connection broke/);
    expect(() => MirrorDirectory.open(mirror)).toThrow(/not a complete mirror/);
    expect(first.calls.recordBundle).toBe(2);
    const held = blobCount(mirror);
    expect(held).toBe(25);

    const second = counting(http);
    const r = await pullMirror({ source: second.source, into: mirror });
    expect(r).toMatchObject({ size: 340, filesHeld: 25, filesFetched: 340 - 25 });
    // Entry and record bundles staged by the first run are not fetched again.
    expect(second.calls).toEqual({ tile: 0, recordBundle: 0, openBlob: 340 - 25 });
    expect(MirrorDirectory.open(mirror).accepted().size).toBe(340);
    await http.close();
  });

  it('after the pulling process is killed', async () => {
    const mirror = join(root, 'mirror-killed');
    const child = spawn(
      process.execPath,
      [BIN, 'mirror', 'pull', served.url, '--into', mirror, '--concurrency', '1'],
      { env: { PATH: process.env.PATH, TAMGA_MIRROR_TOKEN: tok }, stdio: 'ignore' },
    );
    const exited = new Promise<number | null>((r) => child.on('exit', (code) => r(code)));
    // Kill it once some files are in, before it could finish.
    let killed = false;
    for (let i = 0; i < 3000 && !killed; i++) {
      await new Promise((r) => setTimeout(r, 5));
      if (blobCount(mirror) >= 3) {
        child.kill('SIGKILL');
        killed = true;
      }
    }
    const code = await exited;
    if (!killed) throw new Error(`the pull ended (code ${code}) before it could be killed`);
    expect(existsSync(join(mirror, 'checkpoint'))).toBe(false);
    expect(existsSync(join(mirror, '.lock'))).toBe(true);
    const held = blobCount(mirror);
    const http = new HttpSource(served.url, { token: tok });
    const r = await pullMirror({ source: http, into: mirror });
    await http.close();
    expect(r.filesHeld).toBe(held);
    expect(r.filesFetched + r.filesHeld).toBe(340);
    expect(existsSync(join(mirror, 'tmp'))).toBe(false);
  });
});
