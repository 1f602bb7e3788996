/**
 * The public log server in-process (Fastify's inject), on real vaults: exact bytes, status codes
 * and headers for the checkpoint, every tile and entry bundle of every checkpointed size, proofs
 * computed from served tiles, and the refusals (malformed paths, 404s, 405, 414).
 */

import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseTrustStatement, trustFingerprint } from '../../src/evidence/trust.js';
import { openCheckpoint } from '../../src/log/checkpoint.js';
import { cosigner } from '../../src/log/cosignature.js';
import { encodeBase64 } from '../../src/log/encoding.js';
import { leafHash } from '../../src/log/merkle.js';
import { addSignatures } from '../../src/log/note.js';
import {
  consistencyProof,
  inclusionProof,
  verifyConsistency,
  verifyInclusion,
} from '../../src/log/proof.js';
import {
  formatEntryBundle,
  formatTilePath,
  parseEntryBundle,
  rootFromTiles,
  TILE_WIDTH,
  TileHashReader,
  tileAt,
  tilesForSize,
} from '../../src/log/tiles.js';
import {
  buildPublicLogServer,
  CACHE_CHECKPOINT,
  CACHE_IMMUTABLE,
  CACHE_PARTIAL,
  MAX_URL_LENGTH,
} from '../../src/server/public-log.js';
import { latestCheckpoint } from '../../src/vault/log-store.js';
import { sealPaths } from '../../src/vault/seal.js';
import {
  appendSynthetic,
  commitments,
  createVault,
  get,
  injectTileReader,
  ORIGIN,
  type Snapshot,
  snapshot,
  type TestVault,
} from './fixtures.js';

const TEXT = 'text/plain; charset=utf-8';
const OCTETS = 'application/octet-stream';
const utf8 = (b: Uint8Array) => new TextDecoder().decode(b);
const b64 = (b: Uint8Array) => encodeBase64(b);

/** Asserts the headers every response carries. */
function expectSecurityHeaders(headers: Record<string, unknown>) {
  expect(headers['x-content-type-options']).toBe('nosniff');
  expect(headers['content-security-policy']).toBe("default-src 'none'; frame-ancestors 'none'");
  expect(headers['access-control-allow-origin']).toBe('*');
}

describe('the public log of an empty vault', () => {
  let v: TestVault;
  let app: FastifyInstance;
  beforeAll(async () => {
    v = await createVault();
    app = buildPublicLogServer(v.reader);
  });
  afterAll(async () => {
    await app.close();
    await v.cleanup();
  });

  it('has a landing page naming the origin and the verifier key', async () => {
    const r = await get(app, '/');
    expect(r.status).toBe(200);
    expect(r.headers['content-type']).toBe(TEXT);
    expectSecurityHeaders(r.headers);
    const text = utf8(r.body);
    expect(text).toContain(`\n  ${ORIGIN}\n`);
    expect(text).toContain(`\n  ${v.reader.info.logVerifierKey}\n`);
    expect(text).toContain('/checkpoint');
    expect(text).toContain('/tile/<L>/<N>[.p/<W>]');
    expect(text).toContain('/tile/entries/<N>[.p/<W>]');
    expect(text).not.toContain(v.reader.info.ageRecipient);
  });

  it('publishes the trust statement at /trust.txt, the vault key and its fingerprint', async () => {
    const r = await get(app, '/trust.txt');
    expect(r.status).toBe(200);
    expectSecurityHeaders(r.headers);
    const statement = parseTrustStatement(utf8(r.body));
    expect(statement.log).toEqual({ origin: ORIGIN, verifierKey: v.reader.info.logVerifierKey });
    expect(utf8(r.body)).toContain(`# Fingerprint: ${trustFingerprint(statement)}`);
    expect(utf8((await get(app, '/')).body)).toContain('/trust.txt');
  });

  it('answers /checkpoint with 404 and a clear text', async () => {
    const r = await get(app, '/checkpoint');
    expect(r.status).toBe(404);
    expect(r.headers['content-type']).toBe(TEXT);
    expect(r.headers['cache-control']).toBe('no-store');
    expectSecurityHeaders(r.headers);
    expect(utf8(r.body)).toBe('not found: the log is empty; no checkpoint has been signed yet\n');
  });

  it('has no tiles and no entry bundles', async () => {
    for (const path of [
      '/tile/0/000.p/1',
      '/tile/0/000',
      '/tile/entries/000.p/1',
      '/tile/1/000.p/1',
    ]) {
      const r = await get(app, path);
      expect(r.status, path).toBe(404);
      expect(utf8(r.body), path).toBe(
        `not found: ${path.slice(1)} is not in the tree of the latest checkpoint (size 0)\n`,
      );
      expect(r.headers['cache-control']).toBe('no-store');
    }
  });
});

describe('the public log of a growing vault', () => {
  let v: TestVault;
  let app: FastifyInstance;
  let latest: Snapshot;
  let scratch: string;

  beforeAll(async () => {
    v = await createVault();
    // Built before anything is sealed, on the read-only handle: every batch below is seen.
    app = buildPublicLogServer(v.reader);
    scratch = await mkdtemp(join(tmpdir(), 'tamga-server-files-'));
    await mkdir(join(scratch, 'box'));
    await writeFile(join(scratch, 'box', 'minutes-2019.txt'), 'minutes of the meeting');
    await writeFile(join(scratch, 'box', 'budget.csv'), 'dues,1234\n');
    await writeFile(join(scratch, 'box', 'letter.txt'), 'to the ministry');
    const sealed = await sealPaths(v.writer, v.keys, [join(scratch, 'box')], {
      author: 'Test Sealer',
    });
    expect(sealed.sealed).toBe(3);
    snapshot(v);
    // Sizes 3, 253, 256 (a full tile 0 and a level-1 tile of width 1), 300, 65 600 (256 full
    // level-0 tiles, one full level-1 tile and no partial one, a level-2 tile), 66 600.
    for (const n of [250, 3, 44, 65_300, 1000]) latest = appendSynthetic(v, n);
    expect(v.history.map((s) => s.size)).toEqual([3, 253, 256, 300, 65_600, 66_600]);
  });
  afterAll(async () => {
    await app.close();
    await v.cleanup();
    await rm(scratch, { recursive: true, force: true });
  });

  it('serves the latest checkpoint note byte for byte, signed by the log', async () => {
    const r = await get(app, '/checkpoint');
    expect(r.status).toBe(200);
    expect(r.headers['content-type']).toBe(TEXT);
    expect(r.headers['cache-control']).toBe(CACHE_CHECKPOINT);
    expectSecurityHeaders(r.headers);
    expect(utf8(r.body)).toBe(latestCheckpoint(v.writer.db)!.note);
    expect(utf8(r.body)).toBe(latest.note);
    const { checkpoint } = openCheckpoint(utf8(r.body), v.reader.logVerifier());
    expect(checkpoint.origin).toBe(ORIGIN);
    expect(checkpoint.size).toBe(66_600);
  });

  it('serves every tile and entry bundle of the latest tree, byte-equal to the vault', async () => {
    let hashTiles = 0;
    let bundles = 0;
    for (const t of tilesForSize(latest.size)) {
      const path = `/${formatTilePath(t)}`;
      const r = await get(app, path);
      expect(r.status, path).toBe(200);
      expect(r.headers['content-type'], path).toBe(OCTETS);
      expect(r.headers['cache-control'], path).toBe(
        t.width === TILE_WIDTH ? CACHE_IMMUTABLE : CACHE_PARTIAL,
      );
      expect(r.headers['content-length'], path).toBe(String(r.body.length));
      expectSecurityHeaders(r.headers);
      if (t.level === 'entries') {
        bundles++;
        const want = commitments(v.writer, t.index * 256, t.index * 256 + t.width);
        expect(b64(r.body), path).toBe(b64(formatEntryBundle(want)));
      } else {
        hashTiles++;
        const stored = latest.tiles.get(`${t.level}/${t.index}`)!;
        expect(stored.width, path).toBe(t.width);
        expect(b64(r.body), path).toBe(b64(stored.data));
      }
    }
    // 66 600 = 260·256 + 40: 261 level-0 tiles (the last of width 40), two level-1 tiles (the
    // second of width 4), one level-2 tile of width 1; 261 entry bundles.
    expect([hashTiles, bundles]).toEqual([264, 261]);
  });

  it('serves every older checkpoint tree as it was: tiles byte-equal, same root', async () => {
    for (const old of v.history) {
      const fetched = new Map<string, Uint8Array>();
      for (const t of tilesForSize(old.size)) {
        if (t.level === 'entries') continue;
        const path = `/${formatTilePath(t)}`;
        const r = await get(app, path);
        expect(r.status, `${path} at size ${old.size}`).toBe(200);
        const then = old.tiles.get(`${t.level}/${t.index}`)!;
        expect(then.width, path).toBe(t.width);
        expect(b64(r.body), `${path} at size ${old.size}`).toBe(b64(then.data));
        fetched.set(path, r.body);
      }
      const { checkpoint } = openCheckpoint(old.note, v.reader.logVerifier());
      const root = await rootFromTiles(old.size, injectTileReader(app));
      expect(b64(root), `root at size ${old.size}`).toBe(b64(checkpoint.root));
    }
  });

  it('computes inclusion and consistency proofs from served tiles that verify', async () => {
    const roots = v.history.map((s) => openCheckpoint(s.note, v.reader.logVerifier()).checkpoint);
    const top = roots[roots.length - 1]!;
    const reader = new TileHashReader(top.size, injectTileReader(app));
    const all = commitments(v.writer, 0, top.size);
    for (const i of [0, 1, 2, 3, 255, 256, 299, 65_535, 65_536, 65_599, 65_600, 66_599]) {
      const proof = await inclusionProof(i, top.size, reader);
      verifyInclusion(i, top.size, leafHash(all[i]!), proof, top.root);
      // And in every older tree that holds it, from that tree's tiles.
      for (const old of roots.slice(0, -1).filter((c) => c.size > i)) {
        const oldReader = new TileHashReader(old.size, injectTileReader(app));
        verifyInclusion(
          i,
          old.size,
          leafHash(all[i]!),
          await inclusionProof(i, old.size, oldReader),
          old.root,
        );
      }
    }
    for (let k = 1; k < roots.length; k++) {
      const [m, n] = [roots[k - 1]!, roots[k]!];
      const proof = await consistencyProof(
        m.size,
        n.size,
        new TileHashReader(n.size, injectTileReader(app)),
      );
      verifyConsistency(m.size, n.size, m.root, n.root, proof);
      const first = roots[0]!;
      const fromFirst = await consistencyProof(
        first.size,
        n.size,
        new TileHashReader(n.size, injectTileReader(app)),
      );
      verifyConsistency(first.size, n.size, first.root, n.root, fromFirst);
    }
  });

  it('serves entry bundles whose entries are the commitments and hash to the level-0 tiles', async () => {
    for (const t of tilesForSize(latest.size)) {
      if (t.level !== 'entries') continue;
      const bundle = await get(app, `/${formatTilePath(t)}`);
      const tile = await get(
        app,
        `/${formatTilePath({ level: 0, index: t.index, width: t.width })}`,
      );
      const entries = parseEntryBundle(bundle.body, t.width);
      const want = commitments(v.writer, t.index * 256, t.index * 256 + t.width);
      expect(entries.map(b64)).toEqual(want.map(b64));
      entries.forEach((e, i) => {
        expect(e.length).toBe(32);
        expect(b64(leafHash(e))).toBe(b64(tile.body.subarray(i * 32, (i + 1) * 32)));
      });
    }
  });

  it('serves a partial tile that has since become full as what it held: the full tile’s prefix', async () => {
    const full = await get(app, '/tile/0/000');
    for (const w of [1, 3, 253, 255]) {
      const r = await get(app, `/tile/0/000.p/${w}`);
      expect(r.status).toBe(200);
      expect(r.headers['cache-control']).toBe(CACHE_PARTIAL);
      expect(r.body.length).toBe(w * 32);
      expect(b64(r.body)).toBe(b64(full.body.subarray(0, w * 32)));
      const entries = await get(app, `/tile/entries/000.p/${w}`);
      expect(entries.status).toBe(200);
      expect(parseEntryBundle(entries.body, w).map(b64)).toEqual(
        commitments(v.writer, 0, w).map(b64),
      );
    }
    // The same one level up: level 1 tile 0 has been full since size 65 536.
    const fullOne = await get(app, '/tile/1/000');
    const partialOne = await get(app, '/tile/1/000.p/5');
    expect(partialOne.status).toBe(200);
    expect(b64(partialOne.body)).toBe(b64(fullOne.body.subarray(0, 5 * 32)));
    // The right edge at an older width (66 600 = 260·256 + 40) is its prefix too.
    const edge = await get(app, '/tile/0/260.p/40');
    const older = await get(app, '/tile/0/260.p/17');
    expect(older.status).toBe(200);
    expect(b64(older.body)).toBe(b64(edge.body.subarray(0, 17 * 32)));
  });

  it('answers 404 for tiles and bundles beyond the tree', async () => {
    const beyond = [
      '/tile/0/260.p/41', // one hash wider than the right edge
      '/tile/0/260', // the right edge is not full
      '/tile/0/261.p/1',
      '/tile/0/x001/000',
      '/tile/1/001.p/5', // level 1 holds a full tile and one of width 4
      '/tile/1/001',
      '/tile/1/002.p/1',
      '/tile/2/000.p/2',
      '/tile/2/000',
      '/tile/3/000.p/1',
      '/tile/63/000.p/1',
      '/tile/entries/260.p/41',
      '/tile/entries/260',
      '/tile/entries/261.p/1',
      '/tile/entries/x999/999',
    ];
    for (const path of beyond) {
      const r = await get(app, path);
      expect(r.status, path).toBe(404);
      expect(r.headers['content-type'], path).toBe(TEXT);
      expect(r.headers['cache-control'], path).toBe('no-store');
      expectSecurityHeaders(r.headers);
      expect(utf8(r.body), path).toBe(
        `not found: ${path.slice(1)} is not in the tree of the latest checkpoint (size 66600)\n`,
      );
    }
    // An index no log can reach (2^53) is not a tile either.
    const far = await get(app, '/tile/0/x009/x007/x199/x254/x740/992');
    expect(far.status).toBe(404);
    expect(utf8(far.body)).toBe(
      'not found: that tile index is beyond any tree this log can reach\n',
    );
  });

  it('answers 400 with a clear text for malformed tile paths', async () => {
    const malformed = [
      '/tile/',
      '/tile/0',
      '/tile/0/',
      '/tile/0/0',
      '/tile/0/00',
      '/tile/0/0000',
      '/tile/0/000/',
      '/tile/0/x000/001', // leading zero group
      '/tile/0/001/002', // a group without its x
      '/tile/0/x001',
      '/tile/00/000',
      '/tile/01/000',
      '/tile/64/000',
      '/tile/-1/000',
      '/tile/0/-01',
      '/tile/0/000.p/0',
      '/tile/0/000.p/256',
      '/tile/0/000.p/01',
      '/tile/0/000.p/',
      '/tile/0/000.p',
      '/tile/0/000.P/5',
      '/tile/0/000.p/5/',
      '/tile/0/%30%30%30', // percent-encoded digits: one spelling per tile
      '/tile/8/0/000', // x/mod's layout
      '/tile/8/data/000',
      '/tile/data/000',
      '/tile/Entries/000',
      '/tile/entries/',
      '/tile/entries/000.json',
      '/tile//0/000',
    ];
    for (const path of malformed) {
      const r = await get(app, path);
      expect(r.status, path).toBe(400);
      expect(r.headers['content-type'], path).toBe(TEXT);
      expect(r.headers['cache-control'], path).toBe('no-store');
      expectSecurityHeaders(r.headers);
      expect(utf8(r.body), path).toMatch(
        /^malformed tile path: tiles are at \/tile\/<L>\/<N>\[\.p\/<W>\] /,
      );
    }
  });

  it('answers 404 for every other path', async () => {
    const paths = [
      '/checkpoint/',
      '/Checkpoint',
      '/checkpoint.txt',
      '//checkpoint',
      '/tile',
      '/tiles/0/000',
      '/index.html',
      '/favicon.ico',
      '/robots.txt',
      '/vault.db',
      '/keys.age',
      '/blobs/',
      '/records',
      '/api/records',
      '/../vault.db',
      '/.git/config',
      '/%2e%2e/vault.db',
    ];
    for (const path of paths) {
      const r = await get(app, path);
      expect(r.status, path).toBe(404);
      expect(r.headers['content-type'], path).toBe(TEXT);
      expectSecurityHeaders(r.headers);
      expect(utf8(r.body), path).toBe(
        'not found: this server publishes only /checkpoint, /tile/<L>/<N>[.p/<W>] and /tile/entries/<N>[.p/<W>]; see / for more\n',
      );
    }
  });

  it('answers 400 for a path that does not percent-decode', async () => {
    const r = await get(app, '/tile/0/%zz');
    expect(r.status).toBe(400);
    expect(r.headers['content-type']).toBe(TEXT);
    expectSecurityHeaders(r.headers);
    expect(utf8(r.body)).toMatch(/^bad request: the path is not a valid URL path/);
  });

  it('answers 405 to every method but GET and HEAD, before reading any body', async () => {
    for (const method of ['POST', 'PUT', 'DELETE', 'PATCH', 'OPTIONS'] as const) {
      for (const url of ['/', '/checkpoint', '/tile/0/000', '/nothing']) {
        const r = await app.inject({
          method,
          url,
          payload: '{"not": "json',
          headers: { 'content-type': 'application/json' },
        });
        expect(r.statusCode, `${method} ${url}`).toBe(405);
        expect(r.headers.allow).toBe('GET, HEAD');
        expect(r.headers['content-type']).toBe(TEXT);
        expectSecurityHeaders(r.headers);
        expect(r.body).toBe('method not allowed: this log is read-only; use GET or HEAD\n');
      }
    }
  });

  it('answers HEAD with the headers of GET and no body', async () => {
    for (const path of [
      '/',
      '/checkpoint',
      '/tile/0/000',
      '/tile/entries/260.p/40',
      '/tile/9/000',
    ]) {
      const g = await app.inject({ method: 'GET', url: path });
      const h = await app.inject({ method: 'HEAD', url: path });
      expect(h.statusCode, path).toBe(g.statusCode);
      expect(h.rawPayload.length, path).toBe(0);
      for (const name of [
        'content-type',
        'content-length',
        'cache-control',
        'x-content-type-options',
      ]) {
        expect(h.headers[name], `${path} ${name}`).toBe(g.headers[name]);
      }
    }
  });

  it('answers 414 to overlong URLs', async () => {
    const long = `/tile/0/${'x001/'.repeat(120)}000`;
    expect(long.length).toBeGreaterThan(MAX_URL_LENGTH);
    for (const url of [long, `/checkpoint?${'a'.repeat(MAX_URL_LENGTH)}`]) {
      const r = await get(app, url);
      expect(r.status).toBe(414);
      expectSecurityHeaders(r.headers);
      expect(utf8(r.body)).toBe(
        `URI too long: this server answers paths of at most ${MAX_URL_LENGTH} characters\n`,
      );
    }
  });

  it('ignores a query string, as a static server would', async () => {
    const r = await get(app, '/checkpoint?cache-buster=1');
    expect(r.status).toBe(200);
    expect(utf8(r.body)).toBe(latest.note);
    const t = await get(app, '/tile/0/000?x=y');
    expect(b64(t.body)).toBe(b64(latest.tiles.get('0/0')!.data));
  });
});

describe('the public log while a vault grows', () => {
  let v: TestVault;
  let app: FastifyInstance;
  beforeAll(async () => {
    v = await createVault();
    app = buildPublicLogServer(v.reader);
  });
  afterAll(async () => {
    await app.close();
    await v.cleanup();
  });

  it('serves each batch as soon as its checkpoint is committed, on a read-only handle', async () => {
    expect((await get(app, '/checkpoint')).status).toBe(404);
    for (const n of [1, 254, 1, 1]) {
      const s = appendSynthetic(v, n);
      const r = await get(app, '/checkpoint');
      expect(r.status).toBe(200);
      expect(utf8(r.body)).toBe(s.note);
      for (const t of tilesForSize(s.size)) {
        if (t.level === 'entries') continue;
        const path = `/${formatTilePath(t)}`;
        const served = await get(app, path);
        expect(served.status, path).toBe(200);
        expect(b64(served.body), path).toBe(b64(s.tiles.get(`${t.level}/${t.index}`)!.data));
      }
      // The tile the next record will grow is not there yet.
      const next = `/${formatTilePath(tileAt(0, Math.floor(s.size / 256), s.size + 1)!)}`;
      expect((await get(app, next)).status, next).toBe(404);
    }
  });

  it('serves cosignatures added to the checkpoint after it was signed', async () => {
    const witness = cosigner('witness.test.example', new Uint8Array(32).fill(7));
    const cp = latestCheckpoint(v.writer.db)!;
    const cosigned = addSignatures(cp.note, [witness.signer(1_700_000_000)]);
    v.writer.db.prepare('UPDATE checkpoints SET note = ? WHERE size = ?').run(cosigned, cp.size);
    const r = await get(app, '/checkpoint');
    expect(utf8(r.body)).toBe(cosigned);
    expect(utf8(r.body)).toContain('— witness.test.example ');
  });
  it('answers 500 with a fixed text when the vault lacks a tile its checkpoint covers', async () => {
    const size = latestCheckpoint(v.writer.db)!.size;
    expect(size).toBe(257);
    v.writer.db.prepare('DELETE FROM tiles WHERE level = 0 AND idx = 1').run();
    const r = await get(app, '/tile/0/001.p/1');
    expect(r.status).toBe(500);
    expect(r.headers['content-type']).toBe(TEXT);
    expect(r.headers['cache-control']).toBe('no-store');
    expectSecurityHeaders(r.headers);
    expect(utf8(r.body)).toBe('internal error: the log cannot be read right now\n');
  });
});

describe('request logging', () => {
  it('logs requests, when asked, without the bodies served', async () => {
    const v = await createVault();
    try {
      appendSynthetic(v, 3);
      const lines: string[] = [];
      const app = buildPublicLogServer(v.reader, {
        log: { stream: { write: (l) => lines.push(l) } },
      });
      await app.inject({ method: 'GET', url: '/checkpoint' });
      await app.inject({ method: 'GET', url: '/tile/0/000.p/3' });
      await app.close();
      const logged = lines.map((l) => JSON.parse(l) as Record<string, unknown>);
      expect(
        logged.some((l) => (l.req as { url?: string } | undefined)?.url === '/checkpoint'),
      ).toBe(true);
      expect(
        logged.some((l) => (l.res as { statusCode?: number } | undefined)?.statusCode === 200),
      ).toBe(true);
      expect(lines.join('')).not.toContain(latestCheckpoint(v.reader.db)!.note.split('\n')[2]!);
    } finally {
      await v.cleanup();
    }
  });
});
