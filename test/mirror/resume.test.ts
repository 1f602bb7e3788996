/**
 * Resuming: a pull cut off half-way (the connection breaks after some files, or in the middle of
 * a pack; or the process is killed) leaves the mirror as it was — not yet a mirror on a first
 * pull — and the next pull fetches only what is missing: no entry or record bundle twice, no file
 * twice. A server without packs, or one that lists its files otherwise than the pull did, is read
 * one file at a time.
 */
import { spawn } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { Transform } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MirrorError } from '../../src/mirror/errors.js';
import { HttpSource } from '../../src/mirror/http-source.js';
import { MirrorDirectory } from '../../src/mirror/mirror-dir.js';
import { pullMirror } from '../../src/mirror/pull.js';
import type { MirrorSource } from '../../src/mirror/source.js';
import { BIN, removeTemp, tempDir } from '../vault/helpers.js';
import {
  createTestVault,
  fingerprint,
  type MirrorTestVault,
  randomFile,
  type Served,
  sealFolder,
  serveVault,
  smallFiles,
  token,
} from './helpers.js';

/**
 * Counts calls to a source; breaks `openBlob` after `breakAfter` files, and each pack after
 * `cutPackAfter` bytes; without `packs`, the source serves none.
 */
function counting(
  source: MirrorSource,
  opts: { breakAfter?: number; cutPackAfter?: number; packs?: boolean } = {},
) {
  const breakAfter = opts.breakAfter ?? Number.POSITIVE_INFINITY;
  const calls = { tile: 0, recordBundle: 0, openBlob: 0, openPack: 0, packed: 0 };
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
    openPack:
      opts.packs === false
        ? undefined
        : async (after: string | null, skip: number, limit: number) => {
            calls.openPack++;
            calls.packed += limit;
            const pack = await source.openPack!(after, skip, limit);
            return pack === null || opts.cutPackAfter === undefined
              ? pack
              : pack.pipe(cutAfter(opts.cutPackAfter));
          },
  });
  return { source: wrapped, calls };
}

/** Passes `n` bytes, then fails as a connection reset by the server would. */
function cutAfter(n: number): Transform {
  let left = n;
  return new Transform({
    transform(chunk: Buffer, _encoding, done) {
      if (chunk.length < left) {
        left -= chunk.length;
        done(null, chunk);
        return;
      }
      this.push(chunk.subarray(0, left));
      left = 0;
      done(Object.assign(new Error('aborted'), { code: 'ECONNRESET' }));
    },
  });
}

/** The encrypted files of a mirror, by path → SHA-256. */
function blobsOf(mirror: string): Record<string, string> {
  return fingerprint(join(mirror, 'private', 'blobs'));
}

/** The files in a mirror's private/blobs/ folders: whole ones (.age), or all. */
function blobCount(mirror: string, all = false): number {
  const dir = join(mirror, 'private', 'blobs');
  if (!existsSync(dir)) return 0;
  return readdirSync(dir).reduce(
    (n, d) => n + readdirSync(join(dir, d)).filter((f) => all || f.endsWith('.age')).length,
    0,
  );
}

describe('an interrupted pull resumes', () => {
  let root: string;
  let v: MirrorTestVault;
  let served: Served;
  let tok: string;
  /** A mirror pulled in one go, to compare the resumed ones with. */
  let fullMirror: string;

  beforeAll(async () => {
    root = tempDir('tamga-mirror-resume-');
    v = await createTestVault(join(root, 'vault'));
    await sealFolder(v, root, 'small', smallFiles(300, 'протокол'));
    const big: Record<string, Uint8Array> = {};
    for (let i = 0; i < 40; i++) big[`scan-${i}.bin`] = randomFile(200_000);
    await sealFolder(v, root, 'big', big);
    served = await serveVault(v.dir);
    tok = token(v);
    fullMirror = join(root, 'mirror-full');
    const http = new HttpSource(served.url, { token: tok });
    await pullMirror({ source: http, into: fullMirror });
    await http.close();
  });

  afterAll(async () => {
    await served.close();
    v.vault.close();
    removeTemp(root);
  });

  it('after a broken connection, fetching only what is missing', async () => {
    const mirror = join(root, 'mirror-broken');
    const http = new HttpSource(served.url, { token: tok });
    const first = counting(http, { breakAfter: 25, packs: false });
    await expect(
      pullMirror({ source: first.source, into: mirror, concurrency: 1 }),
    ).rejects.toThrow(/connection broke/);
    expect(() => MirrorDirectory.open(mirror)).toThrow(/not a complete mirror/);
    expect(first.calls.recordBundle).toBe(2);
    const held = blobCount(mirror);
    expect(held).toBe(25);

    const second = counting(http, { packs: false });
    const r = await pullMirror({ source: second.source, into: mirror });
    expect(r).toMatchObject({ size: 340, filesHeld: 25, filesFetched: 340 - 25 });
    // Entry and record bundles staged by the first run are not fetched again.
    expect(second.calls).toMatchObject({ tile: 0, recordBundle: 0, openBlob: 340 - 25 });
    expect(MirrorDirectory.open(mirror).accepted().size).toBe(340);
    await http.close();
  });

  it('after a pack cut short, fetching only what is missing', async () => {
    const mirror = join(root, 'mirror-cut-pack');
    const http = new HttpSource(served.url, { token: tok });
    // The 300 small files and a few of the 200 kB ones, then the connection breaks.
    const first = counting(http, { cutPackAfter: 1_000_000 });
    await expect(
      pullMirror({ source: first.source, into: mirror, concurrency: 1 }),
    ).rejects.toThrow(/broke while sending files.*it resumes/);
    expect(() => MirrorDirectory.open(mirror).accepted()).toThrow(/not a complete mirror/);
    expect(first.calls).toMatchObject({ openPack: 1, packed: 340, openBlob: 0 });
    const held = blobCount(mirror);
    expect(held).toBeGreaterThan(300);
    expect(held).toBeLessThan(340);
    // No file cut short was put in place; none is left half-written outside tmp/.
    const second = counting(http);
    const r = await pullMirror({ source: second.source, into: mirror });
    expect(r).toMatchObject({ size: 340, filesHeld: held, filesFetched: 340 - held });
    expect(second.calls).toMatchObject({ tile: 0, recordBundle: 0, openPack: 1 });
    expect(second.calls.packed + second.calls.openBlob).toBe(340 - held);
    expect(blobsOf(mirror)).toEqual(blobsOf(fullMirror));
    await http.close();
  });

  it('from a server without packs, and from one whose listing changed', async () => {
    const http = new HttpSource(served.url, { token: tok });
    // A server older than packs answers 404: the files are fetched one by one.
    const old = await serveVault(v.dir, { packs: false });
    const oldHttp = new HttpSource(old.url, { token: tok });
    const r = await pullMirror({ source: oldHttp, into: join(root, 'mirror-old-server') });
    expect(r.filesFetched).toBe(340);
    expect(blobsOf(join(root, 'mirror-old-server'))).toEqual(blobsOf(fullMirror));
    await oldHttp.close();
    await old.close();
    // A pack that does not hold the files the pull listed, in order: the rest one by one.
    const shifted = Object.assign(Object.create(http) as MirrorSource, {
      openPack: (after: string | null, skip: number, limit: number) =>
        http.openPack(after, skip + 1, limit),
    });
    const s = await pullMirror({ source: shifted, into: join(root, 'mirror-shifted') });
    expect(s.filesFetched).toBe(340);
    expect(blobsOf(join(root, 'mirror-shifted'))).toEqual(blobsOf(fullMirror));
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
    // Files the killed pull was writing are gone: none but whole ones are left.
    expect(blobCount(mirror, true)).toBe(340);
  });
});
