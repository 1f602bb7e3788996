import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { bytesEqual } from './encoding.js';
import { FormatError, LimitError, TamgaError } from './errors.js';
import {
  type Hash,
  joinHashes,
  leafHash,
  type NodeId,
  nodeFromLeafHashes,
  pow2,
  subtrees,
  TreeBuilder,
} from './merkle.js';
import {
  changedTiles,
  entryTileAt,
  formatEntryBundle,
  formatTilePath,
  type HashTile,
  MAX_ENTRY_SIZE,
  parseEntryBundle,
  parseTilePath,
  partialTiles,
  RecentTilesCache,
  rootFromTiles,
  rootFromTilesSync,
  SyncTileHashReader,
  type SyncTileReader,
  type Tile,
  TileHashReader,
  type TileReader,
  TileWriter,
  tileAt,
  tilesForSize,
} from './tiles.js';

/** Returns the error `f` throws; fails the test if it throws nothing. */
function thrown(f: () => unknown): unknown {
  try {
    f();
  } catch (e) {
    return e;
  }
  throw new Error('expected an error, none was thrown');
}

function expectError(f: () => unknown, type: typeof TamgaError, code: string): void {
  const e = thrown(f);
  expect(e).toBeInstanceOf(type);
  expect((e as TamgaError).code).toBe(code);
}

const paths = (tiles: Iterable<Tile>) => [...tiles].map((t) => formatTilePath(t));

// ---------------------------------------------------------------------------------------------

describe('tile paths', () => {
  it.each<[Tile, string]>([
    [{ level: 0, index: 0, width: 256 }, 'tile/0/000'],
    [{ level: 0, index: 0, width: 1 }, 'tile/0/000.p/1'],
    [{ level: 0, index: 999, width: 255 }, 'tile/0/999.p/255'],
    [{ level: 1, index: 1000, width: 256 }, 'tile/1/x001/000'],
    [{ level: 2, index: 1234067, width: 256 }, 'tile/2/x001/x234/067'],
    [{ level: 63, index: 1234067, width: 17 }, 'tile/63/x001/x234/067.p/17'],
    [{ level: 'entries', index: 1234067, width: 256 }, 'tile/entries/x001/x234/067'],
    [{ level: 'entries', index: 1, width: 112 }, 'tile/entries/001.p/112'],
    [
      { level: 0, index: Number.MAX_SAFE_INTEGER, width: 256 },
      'tile/0/x009/x007/x199/x254/x740/991',
    ],
  ])('%o is %s', (tile, path) => {
    expect(formatTilePath(tile)).toBe(path);
    expect(parseTilePath(path)).toEqual(tile);
  });

  it.each([
    'tile/0/01',
    'tile/0/0000',
    'tile/0/1',
    'tile/00/000',
    'tile/01/000',
    'tile/64/000',
    'tile/-1/000',
    'tile/data/000',
    'tile/Entries/000',
    'tile/0/x000/001',
    'tile/0/x000/x001/001',
    'tile/0/001/002',
    'tile/0/x001',
    'tile/0/x001/x002',
    'tile/0/X001/002',
    'tile/0/x1234/000',
    'tile/0/x01/000',
    'tile/0/+01',
    'tile/0/ 01',
    'tile/0/000.p/0',
    'tile/0/000.p/256',
    'tile/0/000.p/300',
    'tile/0/000.p/01',
    'tile/0/000.p/+1',
    'tile/0/000.p/',
    'tile/0/000.p',
    'tile/0/000.p/5/6',
    'tile/0/000.p/5.p/6',
    'tile/0/x001.p/5',
    'tile/0/.p/5',
    'tile/entries/000.p/256',
    'tile/0/000/',
    'tile/0/',
    'tile/0',
    'tile/',
    'tile',
    '',
    '/tile/0/000',
    'tiles/0/000',
    'tile//000',
    'tile/0//000',
    'tile/0/000?x',
  ])('rejects %j', (path) => {
    expectError(() => parseTilePath(path), FormatError, 'tile.path');
  });

  it('rejects an index beyond 2^53 - 1 with LimitError', () => {
    expectError(
      () => parseTilePath('tile/0/x009/x007/x199/x254/x740/992'),
      LimitError,
      'tile.index',
    );
    expectError(() => parseTilePath(`tile/0/${'x999/'.repeat(30)}999`), LimitError, 'tile.index');
    // A malformed path is malformed however large its index.
    expectError(() => parseTilePath(`tile/0/${'x999/'.repeat(30)}99`), FormatError, 'tile.path');
  });

  it.each<[string, unknown]>([
    ['width 0', { level: 0, index: 0, width: 0 }],
    ['width 257', { level: 0, index: 0, width: 257 }],
    ['fractional width', { level: 0, index: 0, width: 1.5 }],
    ['level 64', { level: 64, index: 0, width: 1 }],
    ['level -1', { level: -1, index: 0, width: 1 }],
    ['level "data"', { level: 'data', index: 0, width: 1 }],
    ['negative index', { level: 0, index: -1, width: 1 }],
    ['index 2^53', { level: 0, index: 2 ** 53, width: 1 }],
    ['NaN index', { level: 0, index: Number.NaN, width: 1 }],
    ['null', null],
    ['height 4 in the C2SP layout', { height: 4, level: 0, index: 0, width: 1 }],
  ])('formatTilePath rejects %s with LimitError', (_, tile) => {
    expect(thrown(() => formatTilePath(tile as Tile))).toBeInstanceOf(LimitError);
  });

  const tileArb: fc.Arbitrary<Tile> = fc.oneof(
    fc.record({
      level: fc.integer({ min: 0, max: 63 }),
      index: fc.oneof(fc.nat(5000), fc.maxSafeNat()),
      width: fc.integer({ min: 1, max: 256 }),
    }),
    fc.record({
      level: fc.constant('entries' as const),
      index: fc.oneof(fc.nat(5000), fc.maxSafeNat()),
      width: fc.integer({ min: 1, max: 256 }),
    }),
  );

  it('round-trips every tile', () => {
    fc.assert(
      fc.property(tileArb, (tile) => {
        const path = formatTilePath(tile);
        expect(parseTilePath(path)).toEqual(tile);
        expect(formatTilePath(parseTilePath(path))).toBe(path);
      }),
      { numRuns: 2000 },
    );
  });

  it('round-trips x/mod paths of every height', () => {
    const arb = fc.integer({ min: 1, max: 30 }).chain((height) =>
      fc.record({
        height: fc.constant(height),
        level: fc.oneof(fc.integer({ min: 0, max: 63 }), fc.constant('entries' as const)),
        index: fc.oneof(fc.nat(5000), fc.maxSafeNat()),
        width: fc.integer({ min: 1, max: 2 ** height }),
      }),
    );
    fc.assert(
      fc.property(arb, (tile) => {
        const path = formatTilePath(tile as Tile & { height: number }, { layout: 'x/mod' });
        expect(parseTilePath(path, { layout: 'x/mod' })).toEqual(tile);
      }),
      { numRuns: 1000 },
    );
  });

  it('accepts a path only in its one canonical spelling, and throws only TamgaErrors', () => {
    const piece = fc.constantFrom(
      'tile',
      'entries',
      'data',
      '0',
      '1',
      '8',
      '63',
      '64',
      '000',
      '001',
      '999',
      'x000',
      'x001',
      'x01',
      '.p',
      '5',
      '255',
      '256',
      '00',
      '',
    );
    const pathArb = fc
      .array(fc.tuple(piece, fc.constantFrom('/', '.p/', '', '/x')), { maxLength: 8 })
      .map((parts) => parts.map(([p, sep]) => p + sep).join(''));
    fc.assert(
      fc.property(pathArb, fc.boolean(), (path, xmod) => {
        try {
          if (xmod) {
            const tile = parseTilePath(path, { layout: 'x/mod' });
            expect(formatTilePath(tile, { layout: 'x/mod' })).toBe(path);
          } else {
            expect(formatTilePath(parseTilePath(path))).toBe(path);
          }
        } catch (e) {
          if (!(e instanceof TamgaError)) throw e;
        }
      }),
      { numRuns: 5000 },
    );
  });
});

// ---------------------------------------------------------------------------------------------

interface XModCase {
  path: string;
  tile: { H: number; L: number; N: number; W: number } | null;
}
const xmod = JSON.parse(
  readFileSync(new URL('../../test/vectors/x-mod-tile-paths.json', import.meta.url), 'utf8'),
) as { cases: XModCase[] };

describe('x/mod tile path vectors (golang.org/x/mod/sumdb/tlog, tilePaths)', () => {
  it.each(xmod.cases.map((c): [string, XModCase] => [c.path, c]))('%s', (_, c) => {
    if (c.tile === null) {
      expectError(() => parseTilePath(c.path, { layout: 'x/mod' }), FormatError, 'tile.path');
      return;
    }
    const { H, L, N, W } = c.tile;
    const tile =
      L === -1
        ? { height: H, level: 'entries' as const, index: N, width: W }
        : { height: H, level: L, index: N, width: W };
    expect(formatTilePath(tile, { layout: 'x/mod' })).toBe(c.path);
    expect(parseTilePath(c.path, { layout: 'x/mod' })).toEqual(tile);
  });

  it('are not C2SP paths', () => {
    for (const c of xmod.cases) {
      if (c.tile !== null && c.tile.H !== 8) {
        expect(() => parseTilePath(c.path)).toThrow(TamgaError);
      }
    }
  });
});

// ---------------------------------------------------------------------------------------------

describe('tiles of a tree size', () => {
  it('size 0 has no tiles', () => {
    expect(paths(tilesForSize(0))).toEqual([]);
    expect(partialTiles(0)).toEqual([]);
    expect(tileAt(0, 0, 0)).toBeNull();
    expect(entryTileAt(0, 0)).toBeNull();
  });

  it.each<[number, string[]]>([
    [1, ['tile/entries/000.p/1', 'tile/0/000.p/1']],
    [255, ['tile/entries/000.p/255', 'tile/0/000.p/255']],
    [256, ['tile/entries/000', 'tile/0/000', 'tile/1/000.p/1']],
    [
      257,
      [
        'tile/entries/000',
        'tile/entries/001.p/1',
        'tile/0/000',
        'tile/0/001.p/1',
        'tile/1/000.p/1',
      ],
    ],
    [512, ['tile/entries/000', 'tile/entries/001', 'tile/0/000', 'tile/0/001', 'tile/1/000.p/2']],
  ])('size %i', (size, want) => {
    expect(paths(tilesForSize(size))).toEqual(want);
  });

  function summary(size: number): Record<string, { full: number; partial: number[] }> {
    const out: Record<string, { full: number; partial: number[] }> = {};
    for (const t of tilesForSize(size)) {
      const s = out[String(t.level)] ?? { full: 0, partial: [] };
      out[String(t.level)] = s;
      if (t.width === 256) s.full++;
      else s.partial.push(t.width);
    }
    return out;
  }

  it('size 65536 is 256 full bundles and level-0 tiles, one full level-1 tile, 1 at level 2', () => {
    expect(summary(65536)).toEqual({
      entries: { full: 256, partial: [] },
      0: { full: 256, partial: [] },
      1: { full: 1, partial: [] },
      2: { full: 0, partial: [1] },
    });
  });

  it('size 65537', () => {
    expect(summary(65537)).toEqual({
      entries: { full: 256, partial: [1] },
      0: { full: 256, partial: [1] },
      1: { full: 1, partial: [] },
      2: { full: 0, partial: [1] },
    });
    expect(partialTiles(65537)).toEqual([
      { level: 0, index: 256, width: 1 },
      { level: 2, index: 0, width: 1 },
    ]);
  });

  it('size 70000 is the example of the spec', () => {
    // "273 full level 0 tiles, one partial level 0 tile of width 112, one full level 1 tile, one
    // partial level 1 tile of width 17, and one partial level 2 tile of width 1"
    expect(summary(70000)).toEqual({
      entries: { full: 273, partial: [112] },
      0: { full: 273, partial: [112] },
      1: { full: 1, partial: [17] },
      2: { full: 0, partial: [1] },
    });
    expect(tileAt(0, 273, 70000)).toEqual({ level: 0, index: 273, width: 112 });
    expect(tileAt(0, 274, 70000)).toBeNull();
    expect(tileAt(1, 1, 70000)).toEqual({ level: 1, index: 1, width: 17 });
    expect(tileAt(3, 0, 70000)).toBeNull();
    expect(entryTileAt(273, 70000)).toEqual({ level: 'entries', index: 273, width: 112 });
  });

  it('size 2^53 - 1 has a partial tile at each of levels 0 to 6', () => {
    const size = Number.MAX_SAFE_INTEGER;
    expect(partialTiles(size).map((t) => [t.level, t.width])).toEqual([
      [0, 255],
      [1, 255],
      [2, 255],
      [3, 255],
      [4, 255],
      [5, 255],
      [6, 31],
    ]);
    expect(tileAt(7, 0, size)).toBeNull();
    expect(tileAt(6, 0, size)).toEqual({ level: 6, index: 0, width: 31 });
    // The generator is lazy: the first tiles of a huge tree come at once.
    const first = tilesForSize(size).next().value;
    expect(first).toEqual({ level: 'entries', index: 0, width: 256 });
    expect(paths(changedTiles(size - 1, size))).toEqual([
      'tile/entries/x035/x184/x372/x088/831.p/255',
      'tile/0/x035/x184/x372/x088/831.p/255',
    ]);
  });

  it('changedTiles(a, b) is what tilesForSize(b) has and tilesForSize(a) lacks', () => {
    fc.assert(
      fc.property(fc.nat(70000), fc.nat(70000), (x, y) => {
        const [a, b] = x <= y ? [x, y] : [y, x];
        const before = new Set(paths(tilesForSize(a)));
        const want = paths(tilesForSize(b)).filter((p) => !before.has(p));
        expect(paths(changedTiles(a, b))).toEqual(want);
      }),
      { numRuns: 200 },
    );
  });

  it('tileAt agrees with tilesForSize, and partialTiles lists its partial hash tiles', () => {
    fc.assert(
      fc.property(fc.nat(200000), (size) => {
        const tiles = [...tilesForSize(size)];
        for (const t of tiles) {
          const at =
            t.level === 'entries' ? entryTileAt(t.index, size) : tileAt(t.level, t.index, size);
          expect(at).toEqual(t);
        }
        expect(partialTiles(size)).toEqual(
          tiles.filter((t): t is HashTile => t.level !== 'entries' && t.width < 256),
        );
      }),
      { numRuns: 100 },
    );
  });

  it('rejects shrinking and unsafe sizes', () => {
    expectError(() => changedTiles(2, 1), LimitError, 'tile.sizes');
    expectError(() => changedTiles(0, 2 ** 53), LimitError, 'uint.range');
    expectError(() => tilesForSize(0.5), LimitError, 'uint.range');
    expectError(() => partialTiles(-1), LimitError, 'uint.range');
    expectError(() => tileAt(64, 0, 1), LimitError, 'tile.level');
    expectError(() => tileAt(0, 0.5, 1), LimitError, 'uint.range');
  });
});

// ---------------------------------------------------------------------------------------------

/** A store of tile contents by path, readable as a TileReader; remembers what it was asked. */
class MemoryTiles implements SyncTileReader {
  readonly tiles = new Map<string, Uint8Array>();
  readonly calls: string[][] = [];

  put(tile: Tile, data: Uint8Array): void {
    this.tiles.set(formatTilePath(tile), data);
  }

  readTiles(tiles: readonly HashTile[]): Uint8Array[] {
    const asked = tiles.map((t) => formatTilePath(t));
    this.calls.push(asked);
    return asked.map((p) => {
      const data = this.tiles.get(p);
      if (data === undefined) throw new Error(`test store has no ${p}`);
      return data;
    });
  }
}

const leafOf = (i: number) => leafHash(new TextEncoder().encode(`leaf ${i}`));

/** Every complete node of the tree, as the builder reports it. */
type Nodes = Hash[][];

/**
 * Grows a tree to each size in `sizes`, a fresh TileWriter per step started from the stored
 * partial tiles (as a store that restarts between batches), storing what each flush returns.
 */
function grow(sizes: readonly number[]): {
  store: MemoryTiles;
  nodes: Nodes;
  roots: Map<number, Hash>;
  leaves: Hash[];
} {
  const store = new MemoryTiles();
  const nodes: Nodes = [];
  const roots = new Map<number, Hash>([[0, new TreeBuilder().root()]]);
  const leaves: Hash[] = [];
  const builder = new TreeBuilder();
  let size = 0;
  for (const next of sizes) {
    const writer = new TileWriter(size, store.readTiles(partialTiles(size)));
    while (builder.size < next) {
      const leaf = leafOf(builder.size);
      leaves.push(leaf);
      builder.append(leaf, (node, hash) => {
        writer.sink(node, hash);
        const level = nodes[node.level] ?? [];
        level[node.index] = hash;
        nodes[node.level] = level;
      });
    }
    const written = writer.flush();
    expect(written.map((t) => formatTilePath(t.tile))).toEqual(
      paths(changedTiles(size, next)).filter((p) => !p.startsWith('tile/entries/')),
    );
    for (const { tile, data } of written) store.put(tile, data);
    expect(writer.size).toBe(next);
    roots.set(next, builder.root());
    size = next;
  }
  return { store, nodes, roots, leaves };
}

/** A TileReader that makes any tile from the nodes the builder reported: a second source. */
function tilesFromNodes(nodes: Nodes): SyncTileReader {
  return {
    readTiles: (tiles) =>
      tiles.map((t) => {
        const row = nodes[t.level * 8] ?? [];
        const hashes = row.slice(t.index * 256, t.index * 256 + t.width);
        if (hashes.length !== t.width) throw new Error(`no nodes for ${formatTilePath(t)}`);
        return joinHashes(hashes);
      }),
  };
}

/** Every complete node of a tree of `size` leaves. */
function allNodes(size: number): NodeId[] {
  const out: NodeId[] = [];
  for (let level = 0; pow2(level) <= size; level++) {
    for (let index = 0; (index + 1) * pow2(level) <= size; index++) out.push({ level, index });
  }
  return out;
}

describe('TileWriter and TileHashReader on a tree grown to 70,000 leaves', () => {
  const sizes = [
    1, 2, 3, 7, 8, 255, 256, 257, 300, 511, 512, 513, 4096, 4097, 65535, 65536, 65537, 69999, 70000,
  ];
  const { store, nodes, roots, leaves } = grow(sizes);

  // All 140,000 nodes of the largest tree, and for the other large ones every node above level 7
  // and those of their first and last 2048 leaves: every kind of tile, full and partial.
  it.each([0, ...sizes])('reads the nodes of the tree of size %i from its tiles', (size) => {
    const every = size <= 5000 || size === 70000;
    const want = allNodes(size).filter(
      (n) =>
        every ||
        n.level >= 8 ||
        n.index * pow2(n.level) < 2048 ||
        (n.index + 1) * pow2(n.level) > size - 2048,
    );
    store.calls.length = 0;
    const got = new SyncTileHashReader(size, store).readHashes(want);
    expect(store.calls.length).toBe(size === 0 ? 0 : 1);
    const asked = store.calls[0] ?? [];
    expect(new Set(asked).size).toBe(asked.length);
    const treeTiles = paths(tilesForSize(size)).filter((p) => !p.startsWith('tile/entries/'));
    if (every) {
      // Exactly the tiles of the tree (each holds complete nodes), the partial ones included.
      expect(new Set(asked)).toEqual(new Set(treeTiles));
    } else {
      expect(treeTiles).toEqual(expect.arrayContaining(asked));
    }
    const wrong = want.filter((n, i) => !bytesEqual(got[i]!, nodes[n.level]![n.index]!));
    expect(wrong).toEqual([]);
    expect(rootFromTilesSync(size, store)).toEqual(roots.get(size));
  });

  it('writes the same bytes as tiles made from the nodes the builder reported', () => {
    const made = tilesFromNodes(nodes);
    const wrong = [...store.tiles].filter(
      ([path, data]) => !bytesEqual(made.readTiles([parseTilePath(path) as HashTile])[0]!, data),
    );
    expect(wrong.map(([path]) => path)).toEqual([]);
    expect(store.tiles.size).toBeGreaterThan(250);
  });

  it('agrees with nodes hashed directly from the leaves', () => {
    const size = 70000;
    const reader = new SyncTileHashReader(size, store);
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 16 }).chain((level) =>
          fc.record({
            level: fc.constant(level),
            index: fc.nat(Math.floor(size / pow2(level)) - 1),
          }),
        ),
        (node) => {
          expect(reader.readHashes([node])).toEqual([nodeFromLeafHashes(leaves, node)]);
        },
      ),
      { numRuns: 60 },
    );
  });

  it('computes every root from tiles, asynchronously too', async () => {
    const asyncStore: TileReader = {
      readTiles: async (tiles) => store.readTiles(tiles),
    };
    for (const size of sizes) {
      expect(await rootFromTiles(size, asyncStore)).toEqual(roots.get(size));
    }
    expect(await rootFromTiles(0, asyncStore)).toEqual(roots.get(0));
  });

  it('reads each tile once, in one awaited call per readHashes', async () => {
    let calls = 0;
    const asked: string[] = [];
    const reader = new TileHashReader(70000, {
      readTiles: async (tiles) => {
        calls++;
        asked.push(...tiles.map((t) => formatTilePath(t)));
        return store.readTiles(tiles);
      },
    });
    const want: NodeId[] = [
      { level: 0, index: 69999 },
      { level: 0, index: 69998 },
      { level: 3, index: 5 },
      { level: 7, index: 545 },
      { level: 8, index: 272 },
      { level: 9, index: 3 },
      { level: 12, index: 16 },
      { level: 16, index: 0 },
      ...subtrees(0, 70000),
    ];
    const got = await reader.readHashes(want);
    expect(calls).toBe(1);
    expect(asked).toEqual([
      'tile/0/273.p/112',
      'tile/0/000',
      'tile/0/272',
      'tile/1/001.p/17',
      'tile/1/000',
      'tile/2/000.p/1',
    ]);
    got.forEach((h, i) => {
      expect(h).toEqual(nodes[want[i]!.level]![want[i]!.index]);
    });
  });

  it('uses a cache, and returns copies that do not alias it', () => {
    const cache = new RecentTilesCache(2);
    const reader = new SyncTileHashReader(70000, store, { cache });
    store.calls.length = 0;
    const [a] = reader.readHashes([{ level: 0, index: 5 }]);
    const [b] = reader.readHashes([{ level: 0, index: 5 }]);
    expect(store.calls.length).toBe(1);
    a!.fill(0);
    expect(b).toEqual(nodes[0]![5]);
    expect(reader.readHashes([{ level: 0, index: 5 }])).toEqual([nodes[0]![5]]);
    // Capacity 2: reading two other tiles evicts the first.
    reader.readHashes([
      { level: 0, index: 300 },
      { level: 0, index: 600 },
    ]);
    reader.readHashes([{ level: 0, index: 5 }]);
    expect(store.calls).toEqual([['tile/0/000'], ['tile/0/001', 'tile/0/002'], ['tile/0/000']]);
    // A plain Map is a cache too.
    const map = new Map<string, Uint8Array>();
    new SyncTileHashReader(256, store, { cache: map }).readHashes([{ level: 8, index: 0 }]);
    expect([...map.keys()]).toEqual(['tile/1/000.p/1']);
  });

  it('starts a writer from the tiles of the tree it extends, at any size', () => {
    fc.assert(
      fc.property(fc.nat(69000), fc.nat(1000), (size, more) => {
        const made = tilesFromNodes(nodes);
        const writer = new TileWriter(size, made.readTiles(partialTiles(size)));
        const edge = new SyncTileHashReader(size, made).readHashes(subtrees(0, size));
        const builder = new TreeBuilder(size, edge);
        for (let i = 0; i < more; i++) builder.append(leafOf(size + i), writer.sink);
        const written = writer.flush();
        expect(written.map((t) => formatTilePath(t.tile))).toEqual(
          paths(changedTiles(size, size + more)).filter((p) => !p.startsWith('tile/entries/')),
        );
        const wrong = written.filter(
          ({ tile, data }) => !bytesEqual(data, made.readTiles([tile])[0]!),
        );
        expect(wrong).toEqual([]);
      }),
      { numRuns: 40 },
    );
  });
});

describe('TileWriter', () => {
  it('streams full tiles out when flushed often', () => {
    const writer = new TileWriter();
    const builder = new TreeBuilder();
    const flushed: string[] = [];
    for (let i = 0; i < 1000; i++) {
      builder.append(leafOf(i), writer.sink);
      if (i % 100 === 99) {
        flushed.push(...writer.flush().map((t) => formatTilePath(t.tile)));
      }
    }
    const full = flushed.filter((p) => !p.includes('.p/'));
    expect(full).toEqual(['tile/0/000', 'tile/0/001', 'tile/0/002']);
    expect(flushed).toContain('tile/0/003.p/232');
    expect(flushed).toContain('tile/1/000.p/3');
    expect(writer.flush()).toEqual([]);
  });

  it('rejects partial tiles that do not match the tree', () => {
    expectError(() => new TileWriter(257, []), LimitError, 'tile.partials');
    expectError(
      () => new TileWriter(257, [new Uint8Array(32), new Uint8Array(31)]),
      FormatError,
      'tile.length',
    );
    expectError(() => new TileWriter(1, [new Uint8Array(64)]), FormatError, 'tile.length');
  });

  it('rejects nodes out of order', () => {
    const writer = new TileWriter();
    const h = leafOf(0);
    writer.sink({ level: 0, index: 0 }, h);
    expectError(() => writer.sink({ level: 0, index: 2 }, h), LimitError, 'tile.writer-order');
    expectError(() => writer.sink({ level: 8, index: 1 }, h), LimitError, 'tile.writer-order');
    expectError(
      () => writer.sink({ level: 0, index: 1 }, h.subarray(1)),
      FormatError,
      'hash.length',
    );
    // Nodes between tile levels are not stored, and not checked.
    writer.sink({ level: 3, index: 99 }, h);
  });
});

describe('TileHashReader rejects what does not fit', () => {
  const size = 300;
  const good = grow([size]).store;
  const returning = (f: (tiles: readonly HashTile[]) => unknown[]): SyncTileReader => ({
    readTiles: (tiles: readonly HashTile[]) => f(tiles) as Uint8Array[],
  });
  const node = [{ level: 0, index: 299 }];

  it.each<[string, (tiles: readonly HashTile[]) => unknown[], string]>([
    ['a short tile', (t) => good.readTiles(t).map((d) => d.subarray(1)), 'tile.length'],
    [
      'a long tile',
      (t) => good.readTiles(t).map((d) => new Uint8Array(d.length + 32)),
      'tile.length',
    ],
    ['an empty tile', (t) => t.map(() => new Uint8Array(0)), 'tile.length'],
    ['the full tile for a partial one', () => [new Uint8Array(8192)], 'tile.length'],
    ['a string', (t) => t.map(() => 'abc'), 'tile.length'],
    ['too few tiles', () => [], 'tile.read-count'],
    ['too many tiles', (t) => [...good.readTiles(t), new Uint8Array(32)], 'tile.read-count'],
  ])('%s', async (_, f, code) => {
    expectError(
      () => new SyncTileHashReader(size, returning(f)).readHashes(node),
      FormatError,
      code,
    );
    const reader = new TileHashReader(size, { readTiles: async (t) => f(t) as Uint8Array[] });
    const e = await reader.readHashes(node).catch((err: unknown) => err);
    expect(e).toBeInstanceOf(FormatError);
    expect((e as FormatError).code).toBe(code);
  });

  it('names the tile and both lengths', () => {
    const e = thrown(() =>
      new SyncTileHashReader(
        size,
        returning(() => [new Uint8Array(100)]),
      ).readHashes(node),
    );
    expect((e as Error).message).toBe(
      'tile tile/0/001.p/44 must be 1408 bytes (44 hashes of 32 bytes), got 100 bytes',
    );
  });

  it('rejects a wrong tile found in the cache', () => {
    const cache = new Map([['tile/0/001.p/44', new Uint8Array(5)]]);
    expectError(
      () => new SyncTileHashReader(size, good, { cache }).readHashes(node),
      FormatError,
      'tile.length',
    );
  });

  it('rejects an asynchronous reader on the sync path', () => {
    const reader = { readTiles: async () => [] } as unknown as SyncTileReader;
    expectError(
      () => new SyncTileHashReader(size, reader).readHashes(node),
      FormatError,
      'tile.reader-async',
    );
  });

  it.each<[string, NodeId, string]>([
    ['a leaf beyond the tree', { level: 0, index: 300 }, 'tile.node-missing'],
    ['an incomplete subtree', { level: 3, index: 37 }, 'tile.node-missing'],
    ['a subtree wider than the tree', { level: 9, index: 0 }, 'tile.node-missing'],
    ['a negative level', { level: -1, index: 0 }, 'tile.node'],
    ['level 53', { level: 53, index: 0 }, 'tile.node'],
    ['a fractional index', { level: 0, index: 0.5 }, 'uint.range'],
  ])('rejects %s', (_, n, code) => {
    expectError(() => new SyncTileHashReader(size, good).readHashes([n]), LimitError, code);
  });

  it('reads the last complete node before the edge', () => {
    expect(new SyncTileHashReader(size, good).readHashes([{ level: 3, index: 36 }])).toHaveLength(
      1,
    );
  });
});

// ---------------------------------------------------------------------------------------------

describe('entry bundles', () => {
  it('is big-endian uint16 length-prefixed entries', () => {
    const bundle = formatEntryBundle([new Uint8Array([1, 2, 3]), new Uint8Array(0)]);
    expect([...bundle]).toEqual([0, 3, 1, 2, 3, 0, 0]);
    expect(parseEntryBundle(bundle, 2)).toEqual([new Uint8Array([1, 2, 3]), new Uint8Array(0)]);
    const big = formatEntryBundle([new Uint8Array(MAX_ENTRY_SIZE).fill(7)]);
    expect([...big.subarray(0, 3)]).toEqual([0xff, 0xff, 7]);
    expect(parseEntryBundle(big, 1)[0]).toHaveLength(MAX_ENTRY_SIZE);
  });

  const entriesArb = fc.array(fc.uint8Array({ maxLength: 300 }), { minLength: 1, maxLength: 256 });

  it('round-trips', () => {
    fc.assert(
      fc.property(entriesArb, (entries) => {
        const bundle = formatEntryBundle(entries);
        expect(parseEntryBundle(bundle, entries.length)).toEqual(entries);
      }),
      { numRuns: 300 },
    );
  });

  it('rejects every truncation, and any other count', () => {
    fc.assert(
      fc.property(entriesArb, fc.nat(), fc.integer({ min: 1, max: 256 }), (entries, cut, w) => {
        const bundle = formatEntryBundle(entries);
        const short = bundle.subarray(0, cut % bundle.length);
        const e = thrown(() => parseEntryBundle(short, entries.length));
        expect(e).toBeInstanceOf(FormatError);
        expect(['entries.truncated', 'entries.count']).toContain((e as FormatError).code);
        if (w !== entries.length) {
          expectError(() => parseEntryBundle(bundle, w), FormatError, 'entries.count');
        }
      }),
      { numRuns: 300 },
    );
  });

  it.each<[string, number[], number, string]>([
    ['a lone length byte', [0], 1, 'entries.truncated'],
    ['a short entry', [0, 5, 1, 2], 1, 'entries.truncated'],
    ['a truncated second prefix', [0, 1, 9, 0], 2, 'entries.truncated'],
    ['an empty bundle', [], 1, 'entries.count'],
    ['one entry too many', [0, 0, 0, 0], 1, 'entries.count'],
    ['one entry too few', [0, 0], 2, 'entries.count'],
  ])('rejects %s', (_, bytes, width, code) => {
    expectError(() => parseEntryBundle(new Uint8Array(bytes), width), FormatError, code);
  });

  it('rejects widths and entries it cannot hold', () => {
    expectError(() => parseEntryBundle(new Uint8Array(2), 0), LimitError, 'entries.width');
    expectError(() => parseEntryBundle(new Uint8Array(2), 257), LimitError, 'entries.width');
    expectError(() => formatEntryBundle([]), LimitError, 'entries.width');
    expectError(
      () => formatEntryBundle(Array.from({ length: 257 }, () => new Uint8Array(0))),
      LimitError,
      'entries.width',
    );
    expectError(
      () => formatEntryBundle([new Uint8Array(MAX_ENTRY_SIZE + 1)]),
      LimitError,
      'entries.entry-size',
    );
    expectError(
      () => formatEntryBundle(['x' as unknown as Uint8Array]),
      FormatError,
      'entries.type',
    );
  });
});
