/**
 * Hash tiles agree with golang.org/x/mod/sumdb/tlog, both ways, on random trees.
 *
 * Tamga grows a tree from oldSize to size as a store does: it builds to oldSize and flushes its
 * TileWriter, then resumes from what it stored (right edge and partial tiles read back from the
 * tiles) and flushes once or a few times on the way to size. x/mod's NewTiles(8, oldSize, size)
 * with ReadTileData is what a go.sum-style server publishes for the same step.
 *
 * The two sets are not equal by design, and the test pins down how: NewTiles also lists, for the
 * rightmost tile of each level, every partial width from the one at oldSize up to the one at
 * size (so that a client at any intermediate size finds its tile), the old width included even
 * when that level did not grow. Tamga writes each tile once per flush at its width then, as C2SP
 * tlog-tiles asks (a reader that misses an older partial falls back to a wider tile). So: keeping
 * only the widest tile of each (level, index) and leaving out tiles already stored at oldSize,
 * both list the same tiles; every x/mod tile is byte-identical to the Tamga tile of the same path,
 * or, for an intermediate width, to the first hashes of Tamga's widest.
 *
 * Then each side reads the other's tiles: Tamga's SyncTileHashReader over x/mod's tiles gives
 * Go's roots and proofs; Go's TileHashReader accepts Tamga's tiles and gives the same root and
 * proofs, hash for hash, as Go's own stored hashes. (x/mod 0.7.0's TileHashReader checks the
 * right-edge tiles against the root but can skip the check of full tiles below them, so the
 * proofs are compared, not merely accepted.) Entry bundles are not compared: x/mod's NewTiles
 * lists hash tiles only.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { decodeBase64, encodeBase64 } from '../../src/log/encoding.js';
import { type Hash, leafHash, subtrees, TreeBuilder } from '../../src/log/merkle.js';
import { consistencyProofSync, inclusionProofSync } from '../../src/log/proof.js';
import {
  changedTiles,
  formatTilePath,
  type HashTile,
  parseTilePath,
  partialTiles,
  rootFromTilesSync,
  SyncTileHashReader,
  type SyncTileReader,
  TILE_WIDTH,
  type TileData,
  TileWriter,
  tileAt,
} from '../../src/log/tiles.js';
import { askGoPeer, goPeerUnavailable } from './xmod-peer.js';

const unavailable = goPeerUnavailable();
if (unavailable && process.env.CI) throw new Error(`CI needs the Go peer: ${unavailable}`);

/** A small deterministic generator, so a failure can be replayed. */
function random(seed: number): () => number {
  let x = seed >>> 0 || 1;
  return () => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    return (x >>> 0) / 2 ** 32;
  };
}

const MAX_SIZE = 70_000;
const rnd = random(6962);
const int = (below: number) => Math.floor(rnd() * below);

/** [oldSize, size]: edges of tiles and tile levels, then random steps. */
const CASES: Array<[number, number]> = [
  [0, 0],
  [0, 1],
  [1, 1],
  [0, 255],
  [100, 255],
  [0, 256],
  [255, 256],
  [256, 256],
  [256, 257],
  [0, 1000],
  [512, 1000],
  [999, 1000],
  [65_000, 65_536],
  [65_535, 65_836],
  [65_536, 65_836],
  [300, 65_836],
  [65_836, 65_836],
];
for (let k = 0; k < 5; k++) {
  const size = 1 + int(MAX_SIZE);
  CASES.push([k % 2 === 0 ? int(size + 1) : size - int(Math.min(size, 600)), size]);
}

interface GoTile {
  level: number;
  index: number;
  width: number;
  path: string;
  data: string;
}

interface GoAnswer {
  error?: string;
  roots?: string[];
  proofs?: string[][];
  tiles?: GoTile[];
}

/** A tile as both sides name it: the C2SP path, and where it sits. */
interface Located {
  readonly tile: HashTile;
  readonly path: string;
  readonly data: Uint8Array;
}

const at = (t: HashTile) => `${t.level}/${t.index}`;

/** Keeps the widest tile of each (level, index). */
function widest(tiles: readonly Located[]): Map<string, Located> {
  const out = new Map<string, Located>();
  for (const t of tiles) {
    const seen = out.get(at(t.tile));
    if (seen === undefined || seen.tile.width < t.tile.width) out.set(at(t.tile), t);
  }
  return out;
}

/** A SyncTileReader over tiles kept by C2SP path, as a store serves them. */
function readerOf(store: ReadonlyMap<string, Uint8Array>): SyncTileReader {
  return {
    readTiles: (tiles) =>
      tiles.map((t) => {
        const data = store.get(formatTilePath(t));
        if (data === undefined) throw new Error(`no tile ${formatTilePath(t)}`);
        return data;
      }),
  };
}

/** Stores tiles by path; a path written twice must hold the same bytes (tiles are immutable). */
function put(store: Map<string, Uint8Array>, tiles: readonly TileData[]): Located[] {
  return tiles.map(({ tile, data }) => {
    const path = formatTilePath(tile);
    const old = store.get(path);
    if (old !== undefined) expect(encodeBase64(data)).toBe(encodeBase64(old));
    store.set(path, data);
    return { tile, path, data };
  });
}

/**
 * Tamga's side of a case: the store after the tree grew to oldSize (`before`) and the tiles
 * written on the way from oldSize to size, by flushes at `cuts` and at the end.
 */
function tamgaTiles(leaves: readonly Hash[], oldSize: number, size: number, cuts: number[]) {
  const store = new Map<string, Uint8Array>();
  const first = new TreeBuilder();
  const firstWriter = new TileWriter();
  for (let i = 0; i < oldSize; i++) first.append(leaves[i]!, firstWriter.sink);
  put(store, firstWriter.flush());
  const before = new Set(store.keys());

  // A new process takes over from the store alone.
  const reader = readerOf(store);
  const edge = new SyncTileHashReader(oldSize, reader).readHashes(subtrees(0, oldSize));
  expect(edge.map(encodeBase64)).toEqual(first.rightEdge().map(encodeBase64));
  const builder = new TreeBuilder(oldSize, edge);
  const writer = new TileWriter(oldSize, reader.readTiles(partialTiles(oldSize)));
  const written: Located[] = [];
  let i = oldSize;
  for (const end of [...cuts, size]) {
    for (; i < end; i++) builder.append(leaves[i]!, writer.sink);
    written.push(...put(store, writer.flush()));
  }
  return { store, before, written, root: builder.root() };
}

/** Go's NewTiles(8, oldSize, size), each tile located by its x/mod path read with Tamga's parser. */
function goTiles(leaves: readonly string[], oldSize: number, size: number): Located[] {
  const a = askGoPeer<GoAnswer>({ op: 'tiles', leaves: leaves.slice(0, size), oldSize, size });
  expect(a.error).toBeUndefined();
  return (a.tiles ?? []).map((t) => {
    const parsed = parseTilePath(t.path, { layout: 'x/mod' });
    expect(parsed).toEqual({ level: t.level, index: t.index, width: t.width, height: 8 });
    expect(formatTilePath(parsed, { layout: 'x/mod' })).toBe(t.path);
    const tile = { level: t.level, index: t.index, width: t.width };
    const data = decodeBase64(t.data);
    expect(data.length).toBe(t.width * 32);
    return { tile, path: formatTilePath(tile), data };
  });
}

/** The proofs asked in a case: inclusion [index, n] and consistency [m, n], n ∈ {oldSize, size}. */
function proofQueries(oldSize: number, size: number) {
  const inclusion: Array<[number, number]> = [];
  const consistency: Array<[number, number]> = [];
  for (const n of new Set([oldSize, size])) {
    if (n === 0) continue;
    inclusion.push([0, n], [n - 1, n], [int(n), n], [int(n), n]);
    consistency.push([n, n], [1, n], [1 + int(n), n], [1 + int(n), n]);
  }
  if (oldSize > 0) consistency.push([oldSize, size]);
  return { inclusion, consistency };
}
const QUERIES = CASES.map(([oldSize, size]) => proofQueries(oldSize, size));
const CUTS = CASES.map(([oldSize, size]) => {
  const count = int(4);
  const cuts = Array.from({ length: count }, () => oldSize + int(size - oldSize + 1));
  return cuts.sort((a, b) => a - b);
});

describe.skipIf(unavailable !== null)('tiles interoperate with golang.org/x/mod/sumdb/tlog', () => {
  const data: Uint8Array[] = [];
  const leaves: Hash[] = [];
  const b64: string[] = [];
  let roots: string[] = [];
  let goProofs: string[][][] = [];

  beforeAll(() => {
    const r = random(1);
    for (let i = 0; i < MAX_SIZE; i++) {
      const d = Uint8Array.from({ length: Math.floor(r() * 48) }, () => Math.floor(r() * 256));
      data.push(d);
      leaves.push(leafHash(d));
      b64.push(encodeBase64(d));
    }
    // Go's roots of every size, and its proofs for every case, from its stored hashes.
    const a = askGoPeer<GoAnswer>({
      op: 'tree',
      leaves: b64,
      inclusion: QUERIES.flatMap((q) => q.inclusion),
      consistency: QUERIES.flatMap((q) => q.consistency),
    });
    expect(a.error).toBeUndefined();
    roots = a.roots!;
    const all = a.proofs!;
    const inclusions = QUERIES.reduce((n, q) => n + q.inclusion.length, 0);
    let i = 0;
    let c = inclusions;
    goProofs = QUERIES.map((q) => [
      ...q.inclusion.map(() => all[i++] ?? []),
      ...q.consistency.map(() => all[c++] ?? []),
    ]);
  });

  CASES.forEach(([oldSize, size], k) => {
    const cuts = CUTS[k]!;
    it(`agrees on the tiles from ${oldSize} to ${size} leaves (flushes at ${[...cuts, size].join(', ')})`, () => {
      const ours = tamgaTiles(leaves, oldSize, size, cuts);
      expect(encodeBase64(ours.root)).toBe(roots[size]);
      if (cuts.length === 0) {
        // One flush writes exactly the hash tiles of changedTiles, in that order.
        const changed = [...changedTiles(oldSize, size)].filter((t) => t.level !== 'entries');
        expect(ours.written.map((t) => t.tile)).toEqual(changed);
      }

      const theirs = goTiles(b64, oldSize, size);
      // Byte-identical where both have a path; an intermediate x/mod width is a prefix of ours.
      const ourWidest = widest([...ours.store].map(([path, d]) => ({ ...locate(path), data: d })));
      for (const t of theirs) {
        const same = ours.store.get(t.path);
        if (same !== undefined) {
          expect(encodeBase64(t.data), t.path).toBe(encodeBase64(same));
          continue;
        }
        const wide = ourWidest.get(at(t.tile));
        expect(wide, `${t.path} is not a tile Tamga knows`).toBeDefined();
        expect(t.tile.width).toBeLessThan(wide!.tile.width);
        expect(encodeBase64(t.data), t.path).toBe(
          encodeBase64(wide!.data.subarray(0, t.data.length)),
        );
      }
      // The same tiles, once older partial widths and tiles stored before oldSize are left out.
      const theirsNew = [...widest(theirs).values()].filter((t) => !ours.before.has(t.path));
      const oursNew = [...widest(ours.written).values()];
      const byPath = (a: Located, b: Located) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0);
      expect(theirsNew.sort(byPath).map((t) => t.path)).toEqual(
        oursNew.sort(byPath).map((t) => t.path),
      );
      theirsNew.forEach((t, i) => {
        expect(encodeBase64(t.data), t.path).toBe(encodeBase64(oursNew[i]!.data));
      });
      // What x/mod lists beyond that: narrower partial widths of each level's rightmost tile,
      // and that tile as it stood at oldSize when the level did not grow.
      const listed = new Set(theirsNew.map((t) => t.path));
      const widestTheirs = widest(theirs);
      for (const t of theirs.filter((t) => !listed.has(t.path))) {
        const count = Math.floor(size / 256 ** (t.tile.level as number));
        expect(t.tile.index, t.path).toBe(Math.floor(count / TILE_WIDTH));
        expect(t.tile.width, t.path).toBeLessThan(TILE_WIDTH);
        const newest = widestTheirs.get(at(t.tile))!;
        expect(t.tile.width < newest.tile.width || ours.before.has(t.path), t.path).toBe(true);
      }

      // Tamga reads x/mod's tiles, as published at oldSize and then at size.
      const published = new Map<string, Uint8Array>();
      for (const t of [...goTiles(b64, 0, oldSize), ...theirs]) {
        const seen = published.get(t.path);
        if (seen !== undefined) expect(encodeBase64(t.data)).toBe(encodeBase64(seen));
        published.set(t.path, t.data);
      }
      const fromGo = readerOf(published);
      expect(encodeBase64(rootFromTilesSync(size, fromGo))).toBe(roots[size]);
      expect(encodeBase64(rootFromTilesSync(oldSize, fromGo))).toBe(roots[oldSize]);
      const q = QUERIES[k]!;
      const expected = goProofs[k]!;
      if (size > 0) {
        const hashes = new SyncTileHashReader(size, fromGo);
        const proofs = [
          ...q.inclusion.map(([i, n]) => inclusionProofSync(i, n, hashes)),
          ...q.consistency.map(([m, n]) => consistencyProofSync(m, n, hashes)),
        ];
        expect(proofs.map((p) => p.map(encodeBase64))).toEqual(expected);
      }

      // Go reads Tamga's tiles through tlog.TileHashReader, for the root and proofs.
      if (size > 0) {
        const tiles = [...ours.store].map(([path, d]) => ({
          path: formatTilePath({ ...locate(path).tile, height: 8 }, { layout: 'x/mod' }),
          data: encodeBase64(d),
        }));
        const go = askGoPeer<GoAnswer>({
          op: 'tileproofs',
          tiles,
          size,
          root: roots[size],
          inclusion: q.inclusion,
          consistency: q.consistency,
        });
        expect(go.error).toBeUndefined();
        expect(go.roots).toEqual([roots[size]]);
        expect(go.proofs ?? []).toEqual(expected);

        // A wrong tile on the right edge does not pass: Go checks those against the root. (Not
        // every full tile below the edge: its check of them starts at index len(stx) of its
        // tile list, where it should start after the distinct right-edge tiles.)
        let top = 0;
        while (Math.floor(size / 256 ** (top + 1)) > 0) top++;
        const edge = formatTilePath({ ...tileAt(top, 0, size)!, height: 8 }, { layout: 'x/mod' });
        const forged = tiles.map((t) => {
          if (t.path !== edge) return t;
          const bytes = decodeBase64(t.data);
          bytes[0] = bytes[0]! ^ 1;
          return { ...t, data: encodeBase64(bytes) };
        });
        expect(forged).not.toEqual(tiles);
        const refused = askGoPeer<GoAnswer>({
          op: 'tileproofs',
          tiles: forged,
          size,
          root: roots[size],
          inclusion: [[0, size]],
        });
        expect(refused.error).toBeDefined();
      }
    });
  });
});

/** Locates a C2SP hash tile path. */
function locate(path: string): { tile: HashTile; path: string } {
  const tile = parseTilePath(path);
  if (tile.level === 'entries') throw new Error(`unexpected entry bundle ${path}`);
  return { tile, path };
}
