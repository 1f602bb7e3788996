/**
 * What the public log server serves, fetched over a real socket, verifies in Go's
 * golang.org/x/mod/sumdb/{note,tlog}, an implementation we did not write: Go opens the served
 * checkpoint with the vault's verifier key (and ignores the witness cosignature it has no key
 * for), and reads the served tiles through tlog.TileHashReader, which checks them against the
 * checkpoint's root, to the same tree hash and the same proofs, hash for hash, as Tamga computes
 * from the same tiles. Older checkpoints' trees are read too, from partial tiles served as
 * prefixes of the tiles that have grown since.
 */
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseCheckpoint } from '../../src/log/checkpoint.js';
import { cosigner } from '../../src/log/cosignature.js';
import { decodeBase64, encodeBase64 } from '../../src/log/encoding.js';
import { addSignatures } from '../../src/log/note.js';
import { consistencyProof, inclusionProof } from '../../src/log/proof.js';
import {
  formatTilePath,
  type HashTile,
  TileHashReader,
  type TileReader,
  tilesForSize,
} from '../../src/log/tiles.js';
import { buildPublicLogServer, listen } from '../../src/server/public-log.js';
import { latestCheckpoint } from '../../src/vault/log-store.js';
import { askGoPeer, goPeerUnavailable } from '../interop/xmod-peer.js';
import { appendSynthetic, createVault, ORIGIN, type TestVault } from './fixtures.js';

const unavailable = goPeerUnavailable();
if (unavailable && process.env.CI) throw new Error(`CI needs the Go peer: ${unavailable}`);

interface GoAnswer {
  error?: string;
  text?: string;
  verified?: string[];
  roots?: string[];
  proofs?: string[][];
}

/** GETs `path` under `base`; fails on anything but a 200. */
async function fetchBytes(base: string, path: string): Promise<Uint8Array> {
  const r = await fetch(new URL(path, base));
  if (r.status !== 200) throw new Error(`GET ${path}: ${r.status}`);
  return new Uint8Array(await r.arrayBuffer());
}

/** A TileReader over HTTP, as a remote client reads the log. */
function httpTileReader(base: string): TileReader {
  return {
    readTiles: (tiles: readonly HashTile[]) =>
      Promise.all(tiles.map((t) => fetchBytes(base, formatTilePath(t)))),
  };
}

describe.skipIf(unavailable !== null)('the served log verifies in golang.org/x/mod', () => {
  let v: TestVault;
  let app: FastifyInstance;
  let base: string;
  let witnessed: string;

  beforeAll(async () => {
    v = await createVault();
    // Sizes 1, 301 and 65 601: partial tiles at every level, and tiles that became full since.
    for (const n of [1, 300, 65_300]) appendSynthetic(v, n);
    // A witness cosigns the latest checkpoint: Go has no key for it and must pass over it.
    const cp = latestCheckpoint(v.writer.db)!;
    const witness = cosigner('witness.test.example', new Uint8Array(32).fill(9));
    witnessed = addSignatures(cp.note, [witness.signer(1_750_000_000)]);
    v.writer.db.prepare('UPDATE checkpoints SET note = ? WHERE size = ?').run(witnessed, cp.size);
    app = buildPublicLogServer(v.reader);
    base = await listen(app, { host: '127.0.0.1', port: 0 });
    expect(base).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/$/);
  });
  afterAll(async () => {
    await app?.close();
    await v?.cleanup();
  });

  it('serves a checkpoint that Go opens with the vault’s verifier key', async () => {
    const r = await fetch(new URL('checkpoint', base));
    expect(r.status).toBe(200);
    expect(r.headers.get('content-type')).toBe('text/plain; charset=utf-8');
    const note = await r.text();
    expect(note).toBe(witnessed);
    const go = askGoPeer<GoAnswer>({ op: 'verify', vkeys: [v.reader.info.logVerifierKey], note });
    expect(go.error).toBeUndefined();
    expect(go.verified).toEqual([ORIGIN]);
    expect(go.text).toBe(note.slice(0, note.indexOf('\n\n') + 1));
    expect(parseCheckpoint(go.text!).size).toBe(65_601);

    // A key of another log does not open it.
    const other = askGoPeer<{ vkey: string }>({ op: 'generate', name: ORIGIN });
    const refused = askGoPeer<GoAnswer>({ op: 'verify', vkeys: [other.vkey], note });
    expect(refused.error).toBeDefined();
  });

  it('serves tiles from which Go computes each checkpoint’s root and Tamga’s proofs', async () => {
    const notes = (
      v.writer.db.prepare('SELECT note FROM checkpoints ORDER BY size').all() as Array<{
        note: string;
      }>
    ).map((r) => r.note);
    expect(notes.length).toBe(3);
    for (const note of notes) {
      // Go opens each checkpoint; the tree it names is then read from served tiles only.
      const opened = askGoPeer<GoAnswer>({
        op: 'verify',
        vkeys: [v.reader.info.logVerifierKey],
        note,
      });
      expect(opened.error).toBeUndefined();
      const { size, root } = parseCheckpoint(opened.text!);
      const tiles = [];
      for (const t of tilesForSize(size)) {
        if (t.level === 'entries') continue;
        const data = await fetchBytes(base, formatTilePath(t));
        tiles.push({
          level: t.level,
          index: t.index,
          width: t.width,
          path: formatTilePath({ ...t, height: 8 }, { layout: 'x/mod' }),
          data: encodeBase64(data),
        });
      }
      const inclusion: Array<[number, number]> = [
        [0, size],
        [size - 1, size],
        [Math.floor(size / 2), size],
        [Math.floor(size / 3), size],
      ];
      const consistency: Array<[number, number]> = [
        [size, size],
        [1, size],
        ...notes
          .map((n) => parseCheckpoint(n.slice(0, n.indexOf('\n\n') + 1)).size)
          .filter((m) => m < size)
          .map((m): [number, number] => [m, size]),
      ];
      const go = askGoPeer<GoAnswer>({
        op: 'tileproofs',
        tiles,
        size,
        root: encodeBase64(root),
        inclusion,
        consistency,
      });
      expect(go.error, `size ${size}`).toBeUndefined();
      expect(go.roots).toEqual([encodeBase64(root)]);

      const reader = new TileHashReader(size, httpTileReader(base));
      const ours = [
        ...(await Promise.all(inclusion.map(([i, n]) => inclusionProof(i, n, reader)))),
        ...(await Promise.all(consistency.map(([m, n]) => consistencyProof(m, n, reader)))),
      ];
      expect(go.proofs ?? [], `size ${size}`).toEqual(ours.map((p) => p.map(encodeBase64)));

      // Go checks the served tiles against the root: with another root it refuses them.
      const wrong = decodeBase64(encodeBase64(root));
      wrong[0] = wrong[0]! ^ 1;
      const refused = askGoPeer<GoAnswer>({
        op: 'tileproofs',
        tiles,
        size,
        root: encodeBase64(wrong),
        inclusion: [[0, size]],
      });
      expect(refused.error, `size ${size}`).toBeDefined();
    }
  });
});
