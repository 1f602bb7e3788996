/**
 * The browser's uploader against a fake server that holds uploads by offset, as the API does:
 * files sealed in chunks, a connection dropped mid-file (retried from the offset the server
 * holds), an offset out of step (409), an unchanged file, a file too large, and an upload
 * resumed after the tab was closed.
 */
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { CreateUploadRequest, UploadStatus } from '../../src/server/app/api.js';
import { ApiFailure } from '../../web/app/api.js';
import { CHUNK, type UploadDeps, Uploader } from '../../web/app/upload.js';
import type { PickedFile } from '../../web/shared/collect.js';
import { hashBlob } from '../../web/shared/hash.js';

interface Held {
  id: string;
  path: string;
  size: number;
  bytes: Uint8Array[];
  offset: number;
  sha256?: string;
}

class FakeServer {
  uploads = new Map<string, Held>();
  sealed = new Map<string, string>();
  requests: CreateUploadRequest[] = [];
  puts = 0;
  /** PUT numbers (from 1) whose connection drops after the server stored the bytes. */
  dropAfterStore = new Set<number>();
  /** PUT numbers that fail before reaching the server. */
  dropBefore = new Set<number>();
  private n = 0;

  api: UploadDeps['api'] = {
    createUpload: async (req: CreateUploadRequest) => {
      this.requests.push(req);
      const known = this.sealed.get(req.path);
      if (known !== undefined && known === req.sha256) {
        return {
          status: 'unchanged' as const,
          path: req.path,
          recordId: `R-${req.path}`,
          index: 0,
        };
      }
      const id = `u${++this.n}`;
      const held: Held = { id, path: req.path, size: req.size, bytes: [], offset: 0 };
      if (req.sha256 !== undefined) held.sha256 = req.sha256;
      this.uploads.set(id, held);
      return { status: 'upload' as const, ...this.status(held) };
    },
    uploadStatus: async (id: string) => this.status(this.held(id)),
    uploadBytes: async (id: string, offset: number, bytes: Blob) => {
      const put = ++this.puts;
      if (this.dropBefore.has(put)) throw new ApiFailure(0, 'network', 'connection reset');
      const h = this.held(id);
      if (offset !== h.offset) {
        throw new ApiFailure(409, 'upload.offset', 'wrong offset', { offset: h.offset });
      }
      h.bytes.push(new Uint8Array(await bytes.arrayBuffer()));
      h.offset += bytes.size;
      if (this.dropAfterStore.has(put)) throw new ApiFailure(0, 'network', 'connection reset');
      return this.status(h);
    },
    abandonUpload: async () => ({ ok: true as const }),
    seal: async (id: string) => {
      const h = this.held(id);
      if (h.offset !== h.size) throw new ApiFailure(409, 'upload.incomplete', 'incomplete');
      const all = Buffer.concat(h.bytes);
      const sha256 = createHash('sha256').update(all).digest('hex');
      const earlier = this.sealed.has(h.path) ? { supersedes: `R-${h.path}` } : {};
      this.sealed.set(h.path, sha256);
      this.uploads.delete(id);
      return {
        status: 'sealed' as const,
        ...earlier,
        recordId: `R-${h.path}`,
        index: 0,
        path: h.path,
        sha256,
        size: h.size,
      };
    },
  };

  private held(id: string): Held {
    const h = this.uploads.get(id);
    if (h === undefined) throw new ApiFailure(404, 'upload.missing', 'no such upload');
    return h;
  }

  private status(h: Held): UploadStatus {
    return { id: h.id, path: h.path, size: h.size, offset: h.offset };
  }
}

class MemoryStorage {
  map = new Map<string, string>();
  getItem = (k: string) => this.map.get(k) ?? null;
  setItem = (k: string, v: string) => void this.map.set(k, v);
  removeItem = (k: string) => void this.map.delete(k);
}

function file(path: string, size: number, seed = 1): PickedFile {
  const bytes = new Uint8Array(size).map((_, i) => (i * seed + 7) & 0xff);
  return {
    path,
    file: new File([bytes], path.split('/').pop()!, { lastModified: 1_700_000_000_000 }),
  };
}

function deps(server: FakeServer, storage = new MemoryStorage()): UploadDeps {
  return { api: server.api, hash: hashBlob, storage, sleep: async () => {} };
}

const options = { tags: ['t'], meta: { box: '1' }, maxBytes: 64 * 1024 * 1024 };

describe('the uploader', () => {
  it('seals many files in chunks, counting every byte', async () => {
    const server = new FakeServer();
    const files = [file('a/1.pdf', 2 * CHUNK + 5), file('a/2.txt', 10), file('a/empty', 0)];
    for (let i = 0; i < 20; i++) files.push(file(`many/${i}.txt`, 100 + i, i));
    const u = new Uploader(files, options, deps(server));
    await u.start();
    const totals = u.totals();
    expect(totals).toMatchObject({ files: 23, sealed: 23, failed: 0, done: 23 });
    expect(totals.sentBytes).toBe(totals.bytes);
    expect(server.sealed.size).toBe(23);
    expect(u.items.every((i) => i.recordId !== null)).toBe(true);
  });

  it('goes on from the offset the server holds after a dropped connection', async () => {
    const server = new FakeServer();
    // The first PUT's bytes arrive but its answer is lost; the second never reaches the server.
    server.dropAfterStore.add(1);
    server.dropBefore.add(2);
    const f = file('big.bin', 3 * CHUNK + 1);
    const u = new Uploader([f], options, deps(server));
    await u.start();
    expect(u.items[0]!.state).toBe('sealed');
    expect(u.items[0]!.retries).toBe(2);
    const expected = createHash('sha256')
      .update(new Uint8Array(await f.file.arrayBuffer()))
      .digest('hex');
    expect(server.sealed.get('big.bin')).toBe(expected);
  });

  it('skips a file already sealed with the same contents at the same path', async () => {
    const server = new FakeServer();
    const f = file('same.txt', 1000);
    await new Uploader([f], options, deps(server)).start();
    const puts = server.puts;
    const again = new Uploader([f], options, deps(server));
    await again.start();
    expect(again.items[0]!.state).toBe('unchanged');
    expect(server.puts).toBe(puts);
  });

  it('refuses a file larger than the server takes, before sending it', async () => {
    const server = new FakeServer();
    const u = new Uploader([file('huge.bin', 2000)], { ...options, maxBytes: 1000 }, deps(server));
    await u.start();
    expect(u.items[0]!.state).toBe('failed');
    expect((u.items[0]!.error as ApiFailure).key).toBe('upload.too-large');
    expect(server.uploads.size).toBe(0);
  });

  it('resumes an upload a closed tab left halfway, when the same file is dropped again', async () => {
    const server = new FakeServer();
    const storage = new MemoryStorage();
    const f = file('resume.bin', 2 * CHUNK + 3);
    const first = new Uploader([f], options, deps(server, storage));
    // The tab closes after the first chunk: every later PUT fails for good.
    for (let n = 2; n < 40; n++) server.dropBefore.add(n);
    await first.start();
    expect(first.items[0]!.state).toBe('failed');
    const held = [...server.uploads.values()][0]!;
    expect(held.offset).toBe(CHUNK);

    server.dropBefore.clear();
    const putsBefore = server.puts;
    const second = new Uploader([f], options, deps(server, storage));
    await second.start();
    expect(second.items[0]!.state).toBe('sealed');
    expect(server.puts - putsBefore).toBe(2); // only what was missing
    expect(storage.map.size).toBe(0);
  });

  it('counts the files a Stop left unsent as stopped, not failed, and sends them later', async () => {
    const server = new FakeServer();
    const files = Array.from({ length: 12 }, (_, i) => file(`stop/${i}.txt`, 100 + i, i));
    // Stopped as the first seal lands: the files in flight finish, the rest are not sent.
    let stop: (() => void) | null = null;
    const seal = server.api.seal;
    server.api = {
      ...server.api,
      seal: async (id) => {
        stop?.();
        stop = null;
        return seal(id);
      },
    };
    const u = new Uploader(files, options, deps(server));
    stop = () => u.cancel();
    await u.start();
    const totals = u.totals();
    expect(totals.stopped).toBeGreaterThan(0);
    expect(totals).toMatchObject({ files: 12, failed: 0, done: 12 });
    expect(totals.sealed + totals.stopped).toBe(12);
    const stopped = u.items.filter((i) => i.state === 'cancelled');
    expect(stopped.every((i) => i.error === null)).toBe(true);
    await u.retryFailed();
    expect(u.totals()).toMatchObject({ sealed: 12, stopped: 0, failed: 0, done: 12 });
  });

  it('says when a changed file is sealed as a new version of an earlier record', async () => {
    const server = new FakeServer();
    await new Uploader([file('minutes.txt', 100, 1)], options, deps(server)).start();
    const changed = new Uploader([file('minutes.txt', 100, 2)], options, deps(server));
    await changed.start();
    expect(changed.items[0]).toMatchObject({ state: 'sealed', supersedes: 'R-minutes.txt' });
    expect(changed.totals().newVersions).toBe(1);
  });

  it('sends the date each document bears: read from its name, else the one entered', async () => {
    const server = new FakeServer();
    const u = new Uploader(
      [file('scan_2016_03_12.pdf', 10), file('Ведомость 03.2017.pdf', 10), file('undated.pdf', 10)],
      { ...options, documentDate: '2015', dateFromName: true },
      deps(server),
    );
    await u.start();
    expect(u.items.map((i) => i.documentDate)).toEqual(['2016-03-12', '2017-03', '2015']);
    expect(Object.fromEntries(server.requests.map((r) => [r.path, r.documentDate]))).toEqual({
      'scan_2016_03_12.pdf': '2016-03-12',
      'Ведомость 03.2017.pdf': '2017-03',
      'undated.pdf': '2015',
    });
  });
});
