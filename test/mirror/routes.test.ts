/**
 * The private routes in-process (Fastify inject): every path answers 401 with a fixed body
 * without a valid token (missing, malformed, unknown, revoked), pages are bounded, record bundles
 * and files are served as the latest checkpoint holds them, packs are framed and bounded, and
 * nothing any private route returns
 * holds a file's contents, name or plaintext SHA-256, a salt, or a record's JSON.
 */
import { createHash } from 'node:crypto';
import { readFileSync, truncateSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MIRROR_LIMITS } from '../../src/mirror/format.js';
import { HttpSource } from '../../src/mirror/http-source.js';
import { PackReader, packLength } from '../../src/mirror/pack.js';
import type { PrivateStore } from '../../src/mirror/private-store.js';
import { listMirrorTokens, revokeMirrorToken } from '../../src/mirror/tokens.js';
import { vaultPrivateStore } from '../../src/mirror/vault-store.js';
import { privateRoutes } from '../../src/server/private-routes.js';
import { buildPublicLogServer, listen } from '../../src/server/public-log.js';
import { blobPath } from '../../src/vault/layout.js';
import { latestCheckpoint } from '../../src/vault/log-store.js';
import { containsBytes } from '../server/fixtures.js';
import { removeTemp, tempDir } from '../vault/helpers.js';
import {
  addTestWitnesses,
  createTestVault,
  type MirrorTestVault,
  type Served,
  sealFolder,
  serveVault,
  smallFiles,
  token,
} from './helpers.js';

const SECRET_FILES: Record<string, string> = {
  'Список-членов-профкома.csv': 'ФИО;телефон\nАсель Джумабаева;+996 555 123 456\n',
  'strike-plan-kumtor.txt': 'Забастовка начнётся 2 апреля на руднике Кумтор',
};

describe('private routes', () => {
  let root: string;
  let v: MirrorTestVault;
  let served: Served;
  let tok: string;
  const bodies: Array<{ path: string; body: Buffer }> = [];

  const get = async (url: string, auth: string | null = `Bearer ${tok}`) => {
    const r = await served.app.inject({
      method: 'GET',
      url,
      headers: auth === null ? {} : { authorization: auth },
    });
    if (r.statusCode === 200) bodies.push({ path: url, body: r.rawPayload });
    return r;
  };

  beforeAll(async () => {
    root = tempDir('tamga-mirror-routes-');
    v = await createTestVault(join(root, 'vault'));
    const witnesses = addTestWitnesses(v);
    await sealFolder(v, root, 'секретный-архив', SECRET_FILES);
    witnesses.cosign();
    await sealFolder(v, root, 'receipts', smallFiles(5, 'квитанция взносов'));
    tok = token(v, 'route-test');
    served = await serveVault(v.dir);
  });

  afterAll(async () => {
    await served.close();
    v.vault.close();
    removeTemp(root);
  });

  const PATHS = [
    '/private/v1/info',
    '/private/v1/keys.age',
    '/private/v1/secrets.age',
    '/private/v1/checkpoints',
    '/private/v1/blobs',
    '/private/v1/records/000.p/7',
    '/private/v1/blob/00',
    '/private/v1/pack',
    '/private/v1/pack?limit=2',
    '/private/v1/nothing-here',
    '/private',
    '/private/v2/info',
  ];

  it('answers 401 to every private path without a valid token, echoing nothing', async () => {
    const attempts = [
      null,
      'Bearer',
      'Basic dXNlcjpwYXNz',
      `Bearer ${tok}x`,
      `Bearer  ${tok}`,
      `bearer ${tok}`,
      'Bearer tmt1_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA',
      `Bearer ${'a'.repeat(5000)}`,
    ];
    const seen = new Set<string>();
    for (const path of PATHS) {
      for (const auth of attempts) {
        const r = await get(path, auth);
        expect(r.statusCode, `${path} with ${auth?.slice(0, 20)}`).toBe(401);
        expect(r.headers['www-authenticate']).toBe('Bearer realm="tamga-mirror"');
        expect(r.headers['cache-control']).toBe('no-store');
        seen.add(r.body);
      }
    }
    expect(seen.size).toBe(1);
    expect([...seen][0]).not.toContain('tmt1_');
  });

  it('serves the info, key file and secrets to a valid token', async () => {
    const info = await get('/private/v1/info');
    expect(info.statusCode).toBe(200);
    expect(info.json()).toMatchObject({
      format: 'tamga-mirror/v1',
      origin: v.vault.info.origin,
      logVerifierKey: v.vault.info.logVerifierKey,
      ageRecipient: v.vault.info.ageRecipient,
      policy: { quorum: 2 },
    });
    expect(info.json().policy.witnesses).toHaveLength(2);
    const keys = await get('/private/v1/keys.age');
    expect(keys.rawPayload.equals(readFileSync(v.vault.layout.keyFile))).toBe(true);
    const secrets = await get('/private/v1/secrets.age');
    expect(secrets.rawPayload.subarray(0, 22).toString()).toBe('age-encryption.org/v1\n');
    // Asking for the info starts a pull: the vault notes when, and at what size, per token.
    const [entry] = listMirrorTokens(v.vault.db).filter((t) => t.label === 'route-test');
    expect(Date.parse(entry!.lastPull!)).toBeGreaterThan(Date.now() - 60_000);
    expect(entry!.lastPullSize).toBe(latestCheckpoint(v.vault.db)!.size);
  });

  it('pages checkpoints within bounds', async () => {
    const page = await get('/private/v1/checkpoints?after=0&limit=1');
    expect(page.json()).toMatchObject({ next: 2 });
    expect(page.json().checkpoints).toHaveLength(1);
    const rest = await get('/private/v1/checkpoints?after=2');
    expect(rest.json()).toMatchObject({ next: null });
    expect(rest.json().checkpoints.map((c: { size: number }) => c.size)).toEqual([7]);
    for (const q of [
      'limit=0',
      'limit=257',
      'after=-1',
      'after=abc',
      'after=01',
      'after=99999999999999999',
      'limit=1.5',
    ]) {
      expect((await get(`/private/v1/checkpoints?${q}`)).statusCode, q).toBe(400);
    }
  });

  it('pages the encrypted files by opaque names, and serves each as stored', async () => {
    const names: string[] = [];
    let after: string | null = null;
    let pages = 0;
    do {
      const r = await get(`/private/v1/blobs?limit=2${after === null ? '' : `&after=${after}`}`);
      expect(r.statusCode).toBe(200);
      const page = r.json() as {
        blobs: Array<{ name: string; size: number }>;
        next: string | null;
      };
      expect(page.blobs.length).toBeLessThanOrEqual(2);
      names.push(...page.blobs.map((b) => b.name));
      after = page.next;
      pages++;
    } while (after !== null && pages < 10);
    const blobs = v.vault.db.prepare('SELECT sha256, stored_size FROM blobs').all() as Array<{
      sha256: string;
      stored_size: number;
    }>;
    expect(names).toHaveLength(blobs.length);
    for (const b of blobs) expect(names).not.toContain(b.sha256);
    for (const q of ['limit=0', 'limit=1001', 'after=', 'after=xyz', `after=${'9'.repeat(200)}`]) {
      expect((await get(`/private/v1/blobs?${q}`)).statusCode, q).toBe(400);
    }
    const one = await get(`/private/v1/blob/${names[0]}`);
    expect(one.statusCode).toBe(200);
    const stored = blobs.map((b) => readFileSync(blobPath(v.vault.layout, b.sha256)));
    expect(stored.some((s) => s.equals(one.rawPayload))).toBe(true);
    expect(Number(one.headers['content-length'])).toBe(one.rawPayload.length);
    // A plaintext hash is not a name.
    expect((await get(`/private/v1/blob/${blobs[0]!.sha256}`)).statusCode).toBe(404);
    expect((await get('/private/v1/blob/../../keys.age')).statusCode).toBe(404);
  });

  it('serves packs: the files of a page, framed, in listing order, as stored', async () => {
    const listing = (await get('/private/v1/blobs')).json() as {
      blobs: Array<{ name: string; size: number }>;
    };
    expect(listing.blobs.length).toBeGreaterThan(5);
    const unpack = (body: Uint8Array) => {
      const reader = new PackReader({ maxFiles: 1000, maxBytes: 1 << 30 }, 'the test');
      const files: Array<{ name: string; size: number; bytes: Buffer[] }> = [];
      for (const ev of reader.push(body)) {
        if (ev.type === 'file') files.push({ name: ev.name, size: ev.size, bytes: [] });
        if (ev.type === 'data') files[files.length - 1]!.bytes.push(Buffer.from(ev.bytes));
      }
      reader.close();
      return files.map((f) => ({ name: f.name, size: f.size, body: Buffer.concat(f.bytes) }));
    };
    const all = await get(`/private/v1/pack?limit=${listing.blobs.length}`);
    expect(all.statusCode).toBe(200);
    expect(all.headers['content-type']).toBe('application/octet-stream');
    expect(all.headers['cache-control']).toBe('no-store');
    expect(Number(all.headers['content-length'])).toBe(all.rawPayload.length);
    expect(all.rawPayload.length).toBe(packLength(listing.blobs.map((b) => b.size)));
    const files = unpack(all.rawPayload);
    expect(files.map((f) => ({ name: f.name, size: f.size }))).toEqual(listing.blobs);
    for (const f of files) {
      expect(f.body.equals((await get(`/private/v1/blob/${f.name}`)).rawPayload)).toBe(true);
    }
    // skip and limit select within the page; after is the cursor of the page.
    const some = unpack((await get('/private/v1/pack?skip=2&limit=3')).rawPayload);
    expect(some.map((f) => f.name)).toEqual(listing.blobs.slice(2, 5).map((b) => b.name));
    const first = (await get('/private/v1/blobs?limit=2')).json() as { next: string };
    const after = unpack((await get(`/private/v1/pack?after=${first.next}&limit=2`)).rawPayload);
    expect(after.map((f) => f.name)).toEqual(listing.blobs.slice(2, 4).map((b) => b.name));
    const past = unpack((await get('/private/v1/pack?skip=999&limit=1')).rawPayload);
    expect(past).toEqual([]);
    for (const q of [
      '',
      'limit=0',
      'limit=1001',
      'skip=1000&limit=1',
      'skip=990&limit=11',
      'skip=-1&limit=1',
      'skip=01&limit=1',
      'limit=1.5',
      'after=&limit=1',
      'after=xyz&limit=1',
      `after=${'9'.repeat(200)}&limit=1`,
    ]) {
      expect((await get(`/private/v1/pack?${q}`)).statusCode, q).toBe(400);
    }
  });

  it('holds a pack to its bound in bytes, whole files only', async () => {
    // Three files of 30 MiB (sparse): only two fit in the 64 MiB of a pack.
    const big = Array.from({ length: 3 }, (_, i) => {
      const path = join(root, `big-${i}.age`);
      writeFileSync(path, 'age-encryption.org/v1\n');
      truncateSync(path, 30 << 20);
      return { name: String(i).repeat(64), size: 30 << 20, path };
    });
    const store = Object.assign(Object.create(vaultPrivateStore(v.vault)) as PrivateStore, {
      blobFiles: async () => big,
    });
    const app = buildPublicLogServer(v.vault, { privateRoutes: privateRoutes(store) });
    const r = await app.inject({
      method: 'GET',
      url: '/private/v1/pack?limit=3',
      headers: { authorization: `Bearer ${tok}` },
    });
    expect(r.statusCode).toBe(200);
    expect(MIRROR_LIMITS.maxPackBytes).toBe(64 << 20);
    expect(r.rawPayload.length).toBe(packLength([30 << 20, 30 << 20]));
    const reader = new PackReader({ maxFiles: 3, maxBytes: 90 << 20 }, 'the test');
    const names = [...reader.push(r.rawPayload)].flatMap((e) =>
      e.type === 'file' ? [e.name] : [],
    );
    reader.close();
    expect(names).toEqual(big.slice(0, 2).map((b) => b.name));
    await app.close();
  });

  it('cuts a pack off when a file is not as listed', async () => {
    const path = join(root, 'short.age');
    writeFileSync(path, 'age-encryption.org/v1\nshort');
    const store = Object.assign(Object.create(vaultPrivateStore(v.vault)) as PrivateStore, {
      blobFiles: async () => [{ name: 'c'.repeat(64), size: 1000, path }],
    });
    const app = buildPublicLogServer(v.vault, { privateRoutes: privateRoutes(store) });
    const url = await listen(app, { host: '127.0.0.1', port: 0 });
    const http = new HttpSource(url, { token: tok });
    const pack = await http.openPack(null, 0, 1);
    const reader = new PackReader({ maxFiles: 1, maxBytes: 1000 }, 'the test');
    await expect(
      (async () => {
        for await (const chunk of pack! as AsyncIterable<Buffer>) [...reader.push(chunk)];
        reader.close();
      })(),
    ).rejects.toThrow();
    await http.close();
    await app.close();
  });

  it('serves record bundles the latest checkpoint holds, encrypted', async () => {
    const r = await get('/private/v1/records/000.p/7');
    expect(r.statusCode).toBe(200);
    expect(r.rawPayload.subarray(0, 22).toString()).toBe('age-encryption.org/v1\n');
    expect((await get('/private/v1/records/000.p/3')).statusCode).toBe(200);
    expect((await get('/private/v1/records/000.p/8')).statusCode).toBe(404);
    expect((await get('/private/v1/records/000')).statusCode).toBe(404);
    expect((await get('/private/v1/records/x')).statusCode).toBe(400);
    expect((await get('/private/v1/records/000.p/0')).statusCode).toBe(400);
  });

  it('refuses other methods, and unknown private paths', async () => {
    const post = await served.app.inject({
      method: 'POST',
      url: '/private/v1/info',
      headers: { authorization: `Bearer ${tok}` },
    });
    expect(post.statusCode).toBe(405);
    expect((await get('/private/v1/nothing-here')).statusCode).toBe(404);
    expect((await get('/private/v2/info')).statusCode).toBe(404);
  });

  it('holds no private plaintext in any answer', () => {
    expect(bodies.length).toBeGreaterThan(10);
    const secrets: Uint8Array[] = [];
    const enc = new TextEncoder();
    for (const [name, content] of Object.entries(SECRET_FILES)) {
      secrets.push(enc.encode(name), enc.encode(content.slice(0, 20)));
      const sha = createHash('sha256').update(content).digest();
      secrets.push(enc.encode(sha.toString('hex')), enc.encode(sha.toString('base64')));
    }
    const records = v.vault.db.prepare('SELECT id, json, salt FROM records').all() as Array<{
      id: string;
      json: string;
      salt: Buffer;
    }>;
    for (const r of records) {
      secrets.push(
        enc.encode(r.id),
        enc.encode(r.json.slice(0, 40)),
        r.salt,
        enc.encode(r.salt.toString('base64')),
        enc.encode(r.salt.toString('hex')),
      );
    }
    for (const f of v.vault.db.prepare('SELECT sha256 FROM record_files').all() as Array<{
      sha256: string;
    }>) {
      secrets.push(enc.encode(f.sha256), Buffer.from(f.sha256, 'hex'));
    }
    secrets.push(
      enc.encode('квитанция'),
      enc.encode('секретный-архив'),
      enc.encode(v.keys.ageIdentity),
      enc.encode(v.keys.logSignerKey),
    );
    for (const { path, body } of bodies) {
      for (const s of secrets) {
        expect(
          containsBytes(body, s),
          `${path} holds ${Buffer.from(s).toString('utf8').slice(0, 30)}`,
        ).toBe(false);
      }
    }
  });

  it('refuses a token as soon as it is revoked', async () => {
    expect((await get('/private/v1/info')).statusCode).toBe(200);
    revokeMirrorToken(v.vault.db, 'route-test');
    expect((await get('/private/v1/info')).statusCode).toBe(401);
  });
});
