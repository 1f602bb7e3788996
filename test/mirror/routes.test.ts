/**
 * The private routes in-process (Fastify inject): every path answers 401 with a fixed body
 * without a valid token (missing, malformed, unknown, revoked), pages are bounded, record bundles
 * and files are served as the latest checkpoint holds them, and nothing any private route returns
 * holds a file's contents, name or plaintext SHA-256, a salt, or a record's JSON.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { revokeMirrorToken } from '../../src/mirror/tokens.js';
import { blobPath } from '../../src/vault/layout.js';
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
