/**
 * C2SP tlog-tiles (https://c2sp.org/tlog-tiles): the Merkle tree served as static "tiles".
 *
 *   <prefix>/tile/<L>/<N>[.p/<W>]        hash tiles, 256 hashes wide
 *   <prefix>/tile/entries/<N>[.p/<W>]    entry bundles, 256 entries wide
 *
 * "the n-th tile at level l [...] is the sequence of the following Merkle Tree Hashes, with i from
 * 0 to 255: MTH(D[(n * 256 + i) * 256**l : (n * 256 + i + 1) * 256**l])". In NodeId terms, tile
 * (L, N) holds nodes (8L, 256N + i); the nodes at the seven levels between two tile levels are
 * folded from the hashes of the tile below. A tile with fewer than 256 hashes is *partial*; it
 * sits on the right edge of the tree and is superseded, never changed, as the tree grows.
 *
 * Paths follow the spec; golang.org/x/mod/sumdb/tlog's older layout, which also names the tile
 * height (`tile/<H>/<L>/<N>`, `tile/<H>/data/<N>`), is available with `{ layout: 'x/mod' }`.
 */
import { checkUint, concatBytes } from './encoding.js';
import { FormatError, LimitError } from './errors.js';
import {
  checkHash,
  foldSubtrees,
  HASH_SIZE,
  type Hash,
  type HashReader,
  joinHashes,
  MAX_LEVEL,
  type NodeId,
  type NodeSink,
  nodeHash,
  pow2,
  type SyncHashReader,
  subtrees,
} from './merkle.js';

/** The height of a C2SP tile: each tile level spans 8 tree levels. */
export const TILE_HEIGHT = 8;

/** The number of hashes in a full C2SP tile, and of entries in a full entry bundle. */
export const TILE_WIDTH = 256;

/** The largest tile level the spec allows in a path ("between 0 and 63"). */
export const MAX_TILE_LEVEL = 63;

/** The largest tile height of x/mod's layout. */
export const MAX_XMOD_TILE_HEIGHT = 30;

/** The largest entry an entry bundle can hold: its length is a big-endian uint16. */
export const MAX_ENTRY_SIZE = 65535;

/** A hash tile: `width` hashes of tree level 8·level, the first being node (8·level, 256·index). */
export interface HashTile {
  readonly level: number;
  readonly index: number;
  readonly width: number;
}

/** An entry bundle: entries [256·index, 256·index + width) of the log. */
export interface EntryTile {
  readonly level: 'entries';
  readonly index: number;
  readonly width: number;
}

/** Any resource under `tile/`: a hash tile or an entry bundle. */
export type Tile = HashTile | EntryTile;

/** A tile of x/mod's layout, whose path names its height (1 to 30; 2^height hashes when full). */
export type TileWithHeight = Tile & { readonly height: number };

/** How tile paths are spelled: C2SP tlog-tiles (the default), or x/mod's layout with heights. */
export interface TilePathOptions {
  readonly layout?: 'c2sp' | 'x/mod';
}

/** A tile and its contents, as a store writes it. */
export interface TileData {
  readonly tile: HashTile;
  readonly data: Uint8Array;
}

/**
 * Reads hash tiles from storage or a server. Returns the contents of each tile asked, in order,
 * each exactly width·32 bytes. (A server may have replaced a partial tile with the full one, as
 * the spec allows; a reader that falls back to the full tile must return its first width·32 bytes.)
 */
export interface TileReader {
  readTiles(tiles: readonly HashTile[]): Uint8Array[] | Promise<Uint8Array[]>;
}

/** A TileReader that answers synchronously, for in-memory and SQLite stores. */
export interface SyncTileReader extends TileReader {
  readTiles(tiles: readonly HashTile[]): Uint8Array[];
}

/** Tile contents kept between reads, keyed by C2SP tile path. A `Map` will do. */
export interface TileCache {
  get(path: string): Uint8Array | undefined;
  set(path: string, data: Uint8Array): void;
}

// ---------------------------------------------------------------------------------------------
// Paths

/** Returns the path of `tile`, `tile/<L>/<N>[.p/<W>]`. Throws LimitError on invalid coordinates. */
export function formatTilePath(tile: Tile, options?: { readonly layout?: 'c2sp' }): string;
/** Returns x/mod's path of `tile`, `tile/<H>/<L>/<N>[.p/<W>]`. Throws LimitError when invalid. */
export function formatTilePath(tile: TileWithHeight, options: { readonly layout: 'x/mod' }): string;
export function formatTilePath(tile: Tile | TileWithHeight, options: TilePathOptions = {}): string {
  checkObject(tile);
  const xmod = options.layout === 'x/mod';
  const height = xmod ? heightOf(tile) : TILE_HEIGHT;
  if (!xmod && 'height' in tile && tile.height !== TILE_HEIGHT) {
    throw new LimitError(
      'tile.height',
      `C2SP tiles have height ${TILE_HEIGHT}, not ${tile.height}; use the x/mod layout`,
    );
  }
  checkTile(tile, height);
  const level = tile.level === 'entries' ? (xmod ? 'data' : 'entries') : String(tile.level);
  const prefix = xmod ? `tile/${height}/${level}/` : `tile/${level}/`;
  const partial = tile.width === pow2(height) ? '' : `.p/${tile.width}`;
  return prefix + formatTileIndex(tile.index) + partial;
}

/**
 * Parses a tile path relative to the log prefix, `tile/<L>/<N>[.p/<W>]` or
 * `tile/entries/<N>[.p/<W>]`, accepting only the one canonical spelling of each tile. Throws
 * FormatError on anything else, LimitError when N is beyond 2^53 − 1.
 */
export function parseTilePath(path: string, options?: { readonly layout?: 'c2sp' }): Tile;
/**
 * Parses x/mod's `tile/<H>/<L>/<N>[.p/<W>]` or `tile/<H>/data/<N>[.p/<W>]`. Throws FormatError
 * when malformed, LimitError when N is beyond 2^53 − 1.
 */
export function parseTilePath(path: string, options: { readonly layout: 'x/mod' }): TileWithHeight;
export function parseTilePath(path: string, options: TilePathOptions = {}): Tile | TileWithHeight {
  if (typeof path !== 'string') {
    throw new FormatError('tile.path', `a tile path must be a string, not ${typeof path}`);
  }
  const xmod = options.layout === 'x/mod';
  const bad = (why: string) =>
    new FormatError('tile.path', `malformed tile path ${JSON.stringify(truncate(path))}: ${why}`);
  const f = path.split('/');
  if (f[0] !== 'tile') throw bad('it must start with "tile/"');
  let height = TILE_HEIGHT;
  let i = 1;
  if (xmod) {
    const h = f[i++] ?? '';
    if (!/^[1-9][0-9]?$/.test(h) || Number(h) > MAX_XMOD_TILE_HEIGHT) {
      throw bad(`the height must be a decimal from 1 to ${MAX_XMOD_TILE_HEIGHT}`);
    }
    height = Number(h);
  }
  const l = f[i++] ?? '';
  let level: number | 'entries';
  if (l === (xmod ? 'data' : 'entries')) {
    level = 'entries';
  } else if (/^(0|[1-9][0-9]?)$/.test(l) && Number(l) <= MAX_TILE_LEVEL) {
    level = Number(l);
  } else {
    throw bad(
      `the level must be ${xmod ? '"data"' : '"entries"'} or a decimal from 0 to ${MAX_TILE_LEVEL} without leading zeros`,
    );
  }
  const groups = f.slice(i);
  const full = pow2(height);
  let width = full;
  if (groups.length >= 2 && groups[groups.length - 2]!.endsWith('.p')) {
    const w = groups.pop()!;
    groups[groups.length - 1] = groups[groups.length - 1]!.slice(0, -'.p'.length);
    if (!/^[1-9][0-9]*$/.test(w) || w.length > 10 || Number(w) >= full) {
      throw bad(`a partial tile's width must be a decimal from 1 to ${full - 1}`);
    }
    width = Number(w);
  }
  if (groups.length === 0) throw bad('the tile index is missing');
  groups.forEach((group, g) => {
    const last = g === groups.length - 1;
    if (!(last ? /^[0-9]{3}$/ : /^x[0-9]{3}$/).test(group)) {
      throw bad(
        `index element ${JSON.stringify(truncate(group))} must be three digits, prefixed with "x" unless it is the last`,
      );
    }
    if (g === 0 && !last && group === 'x000') throw bad('the index has a leading zero group');
  });
  let index = 0;
  for (const group of groups) {
    index = index * 1000 + Number(group.startsWith('x') ? group.slice(1) : group);
    if (!Number.isSafeInteger(index)) {
      throw new LimitError(
        'tile.index',
        `tile path ${JSON.stringify(truncate(path))} names an index beyond 2^53-1, which no Tamga log reaches`,
      );
    }
  }
  const tile: Tile = level === 'entries' ? { level, index, width } : { level, index, width };
  return xmod ? { ...tile, height } : tile;
}

/** Returns N spelled as 3-digit path elements, all but the last prefixed with "x": `x001/x234/067`. */
function formatTileIndex(index: number): string {
  let n = index;
  let out = String(n % 1000).padStart(3, '0');
  while (n >= 1000) {
    n = Math.floor(n / 1000);
    out = `x${String(n % 1000).padStart(3, '0')}/${out}`;
  }
  return out;
}

function heightOf(tile: Tile | TileWithHeight): number {
  const h = 'height' in tile ? tile.height : undefined;
  if (!Number.isInteger(h) || h! < 1 || h! > MAX_XMOD_TILE_HEIGHT) {
    throw new LimitError(
      'tile.height',
      `an x/mod tile height must be an integer from 1 to ${MAX_XMOD_TILE_HEIGHT}, not ${h}`,
    );
  }
  return h!;
}

function checkObject(tile: unknown): void {
  if (typeof tile !== 'object' || tile === null) {
    throw new LimitError('tile.coordinates', `a tile must be an object, not ${tile}`);
  }
}

function checkTile(tile: Tile, height = TILE_HEIGHT): void {
  checkObject(tile);
  if (
    tile.level !== 'entries' &&
    (!Number.isInteger(tile.level) || tile.level < 0 || tile.level > MAX_TILE_LEVEL)
  ) {
    throw new LimitError(
      'tile.level',
      `a tile level must be "entries" or an integer from 0 to ${MAX_TILE_LEVEL}, not ${tile.level}`,
    );
  }
  checkUint(tile.index, 'tile index');
  const full = pow2(height);
  if (!Number.isInteger(tile.width) || tile.width < 1 || tile.width > full) {
    throw new LimitError(
      'tile.width',
      `a tile width must be an integer from 1 to ${full}, not ${tile.width}`,
    );
  }
}

function checkHashTile(tile: Tile): asserts tile is HashTile {
  checkTile(tile);
  if (tile.level === 'entries') {
    throw new LimitError('tile.level', 'expected a hash tile, got an entry bundle');
  }
}

// ---------------------------------------------------------------------------------------------
// Which tiles a tree has

/** The number of hashes at tree level 8·level in a tree of `size` leaves. */
function hashesAtTileLevel(level: number, size: number): number {
  return Math.floor(size / pow2(TILE_HEIGHT * level));
}

/**
 * Returns hash tile (level, index) as it stands in a tree of `size` leaves, full or partial, or
 * null when the tree has no hash in it yet. Throws LimitError on invalid coordinates or size.
 */
export function tileAt(level: number, index: number, size: number): HashTile | null {
  checkHashTile({ level, index, width: 1 });
  checkUint(size, 'tree size');
  const width = Math.min(TILE_WIDTH, hashesAtTileLevel(level, size) - index * TILE_WIDTH);
  return width > 0 ? { level, index, width } : null;
}

/** Returns entry bundle `index` as it stands in a log of `size` entries, or null when empty. */
export function entryTileAt(index: number, size: number): EntryTile | null {
  const t = tileAt(0, index, size);
  return t === null ? null : { level: 'entries', index, width: t.width };
}

/**
 * Returns the partial hash tiles of a tree of `size` leaves, lowest level first: the right edge
 * that a writer must keep to extend the tree. Throws LimitError unless size is a safe integer.
 */
export function partialTiles(size: number): HashTile[] {
  checkUint(size, 'tree size');
  const out: HashTile[] = [];
  for (let level = 0; hashesAtTileLevel(level, size) > 0; level++) {
    const count = hashesAtTileLevel(level, size);
    const width = count % TILE_WIDTH;
    if (width > 0) out.push({ level, index: Math.floor(count / TILE_WIDTH), width });
  }
  return out;
}

/**
 * Returns the tiles a log must write when it grows from `oldSize` to `newSize` entries, lazily:
 * entry bundles first, then hash tiles level by level, each level's newly full tiles then its
 * new partial tile. Full tiles never change, so nothing written before comes again. Throws
 * LimitError at once when oldSize > newSize or either is not a safe integer.
 */
export function changedTiles(oldSize: number, newSize: number): Generator<Tile, void, undefined> {
  checkUint(oldSize, 'old tree size');
  checkUint(newSize, 'new tree size');
  if (oldSize > newSize) {
    throw new LimitError(
      'tile.sizes',
      `old tree size ${oldSize} is larger than new size ${newSize}`,
    );
  }
  return tileChanges(oldSize, newSize);
}

function* tileChanges(oldSize: number, newSize: number): Generator<Tile, void, undefined> {
  for (const [index, width] of levelChanges(oldSize, newSize)) {
    yield { level: 'entries', index, width };
  }
  for (let level = 0; hashesAtTileLevel(level, newSize) > 0; level++) {
    const oldCount = hashesAtTileLevel(level, oldSize);
    const newCount = hashesAtTileLevel(level, newSize);
    for (const [index, width] of levelChanges(oldCount, newCount)) yield { level, index, width };
  }
}

/** Yields every tile of a log of `size` entries, in the order of changedTiles(0, size). */
export function tilesForSize(size: number): Generator<Tile, void, undefined> {
  return changedTiles(0, size);
}

/** [index, width] of the tiles of one level that change when it grows from oldCount to newCount. */
function* levelChanges(oldCount: number, newCount: number): Generator<[number, number]> {
  if (oldCount === newCount) return;
  const fullEnd = Math.floor(newCount / TILE_WIDTH);
  for (let n = Math.floor(oldCount / TILE_WIDTH); n < fullEnd; n++) yield [n, TILE_WIDTH];
  const width = newCount % TILE_WIDTH;
  if (width > 0) yield [fullEnd, width];
}

// ---------------------------------------------------------------------------------------------
// Writing tiles

/**
 * Collects the hashes a TreeBuilder reports into tile contents. Start it from the tree's size and
 * its partial tiles, pass `sink` to every `TreeBuilder.append`, and `flush` to get what to write:
 *
 *   const writer = new TileWriter(size, await reader.readTiles(partialTiles(size)));
 *   for (const leaf of batch) builder.append(leaf, writer.sink);
 *   for (const { tile, data } of writer.flush()) await store.put(formatTilePath(tile), data);
 *
 * One flush after a batch returns exactly the hash tiles of changedTiles(old, new); flushing
 * more often streams full tiles out of a large import.
 */
export class TileWriter {
  /** Per tile level: the index of its partial tile, the hashes it holds, and whether it grew. */
  private readonly levels: Array<{ index: number; hashes: Hash[]; grown: boolean }> = [];
  private full: TileData[][] = [];

  /** Pass to TreeBuilder.append; records the nodes that belong in tiles. */
  readonly sink: NodeSink = (node, hash) => this.add(node, hash);

  /**
   * Starts from a tree of `size` leaves, given the contents of its `partialTiles(size)`, in that
   * order. Throws LimitError or FormatError when they do not match the tree.
   */
  constructor(size = 0, partials: readonly Uint8Array[] = []) {
    const tiles = partialTiles(size);
    if (partials.length !== tiles.length) {
      throw new LimitError(
        'tile.partials',
        `a tree of size ${size} has ${tiles.length} partial tiles, got ${partials.length}`,
      );
    }
    for (let level = 0; hashesAtTileLevel(level, size) > 0; level++) {
      const count = hashesAtTileLevel(level, size);
      this.levels[level] = { index: Math.floor(count / TILE_WIDTH), hashes: [], grown: false };
    }
    tiles.forEach((tile, i) => {
      const data = partials[i]!;
      checkTileData(tile, data);
      this.levels[tile.level]!.hashes = splitTile(data);
    });
  }

  /** The number of leaves the writer has seen, counting those of the tree it started from. */
  get size(): number {
    const l = this.levels[0];
    return l === undefined ? 0 : l.index * TILE_WIDTH + l.hashes.length;
  }

  private add(node: NodeId, hash: Hash): void {
    if (node.level % TILE_HEIGHT !== 0) return;
    checkHash(hash, 'tile hash');
    const level = node.level / TILE_HEIGHT;
    let l = this.levels[level];
    if (l === undefined) {
      l = { index: 0, hashes: [], grown: false };
      this.levels[level] = l;
    }
    const expected = l.index * TILE_WIDTH + l.hashes.length;
    if (node.index !== expected) {
      // A logic error of the caller: the sink of a builder of another size, or a skipped leaf.
      throw new LimitError(
        'tile.writer-order',
        `the tile writer expected node ${node.level}/${expected}, got ${node.level}/${node.index}; feed it the sink of a TreeBuilder of the same size`,
      );
    }
    l.hashes.push(hash.slice());
    l.grown = true;
    if (l.hashes.length === TILE_WIDTH) {
      const full = this.full[level] ?? [];
      full.push({ tile: { level, index: l.index, width: TILE_WIDTH }, data: joinHashes(l.hashes) });
      this.full[level] = full;
      l.index++;
      l.hashes = [];
      l.grown = false;
    }
  }

  /**
   * Returns the tiles that changed since the last flush (or since the start), lowest level first:
   * each level's newly full tiles, then its partial tile if it grew. Forgets the full tiles.
   */
  flush(): TileData[] {
    const out: TileData[] = [];
    this.levels.forEach((l, level) => {
      out.push(...(this.full[level] ?? []));
      if (l.grown && l.hashes.length > 0) {
        out.push({
          tile: { level, index: l.index, width: l.hashes.length },
          data: joinHashes(l.hashes),
        });
      }
      l.grown = false;
    });
    this.full = [];
    return out;
  }
}

function splitTile(data: Uint8Array): Hash[] {
  const out: Hash[] = [];
  for (let o = 0; o < data.length; o += HASH_SIZE) out.push(data.slice(o, o + HASH_SIZE));
  return out;
}

/** Throws FormatError unless `data` is the right number of bytes for `tile`. */
function checkTileData(tile: HashTile, data: unknown): asserts data is Uint8Array {
  const want = tile.width * HASH_SIZE;
  if (!(data instanceof Uint8Array) || data.length !== want) {
    const got = data instanceof Uint8Array ? `${data.length} bytes` : `a ${typeof data}`;
    throw new FormatError(
      'tile.length',
      `tile ${formatTilePath(tile)} must be ${want} bytes (${tile.width} hashes of ${HASH_SIZE} bytes), got ${got}`,
    );
  }
}

// ---------------------------------------------------------------------------------------------
// Reading hashes from tiles

/** Where a node's hash lies: `count` consecutive hashes from `offset` of tile number `slot`. */
interface NodeLocation {
  readonly slot: number;
  readonly offset: number;
  readonly count: number;
}

/** The tiles one readHashes call needs: those cached, and those to read, in first-use order. */
interface TileReadPlan {
  readonly tiles: HashTile[];
  readonly paths: string[];
  readonly data: Array<Uint8Array | undefined>;
  readonly missing: number[];
  readonly nodes: NodeLocation[];
}

function planTileReads(
  size: number,
  nodes: readonly NodeId[],
  cache: TileCache | undefined,
): TileReadPlan {
  const plan: TileReadPlan = { tiles: [], paths: [], data: [], missing: [], nodes: [] };
  const slots = new Map<string, number>();
  for (const node of nodes) {
    if (
      typeof node !== 'object' ||
      node === null ||
      !Number.isInteger(node.level) ||
      node.level < 0 ||
      node.level > MAX_LEVEL
    ) {
      throw new LimitError(
        'tile.node',
        `node level must be an integer from 0 to ${MAX_LEVEL}, not ${node?.level}`,
      );
    }
    checkUint(node.index, 'node index');
    if ((node.index + 1) * pow2(node.level) > size) {
      throw new LimitError(
        'tile.node-missing',
        `node ${node.level}/${node.index} is not a complete subtree of a tree of size ${size}`,
      );
    }
    // Node (l, i) covers 2^(l mod 8) consecutive hashes at tile level ⌊l/8⌋, from i·2^(l mod 8).
    const level = Math.floor(node.level / TILE_HEIGHT);
    const count = pow2(node.level % TILE_HEIGHT);
    const first = node.index * count;
    const tileIndex = Math.floor(first / TILE_WIDTH);
    const key = `${level}/${tileIndex}`;
    let slot = slots.get(key);
    if (slot === undefined) {
      const tile = tileAt(level, tileIndex, size)!;
      const path = formatTilePath(tile);
      slot = plan.tiles.length;
      slots.set(key, slot);
      plan.tiles.push(tile);
      plan.paths.push(path);
      const cached = cache?.get(path);
      plan.data.push(cached);
      if (cached === undefined) plan.missing.push(slot);
    }
    plan.nodes.push({ slot, offset: first % TILE_WIDTH, count });
  }
  return plan;
}

function hashesFromTiles(plan: TileReadPlan, read: unknown, cache: TileCache | undefined): Hash[] {
  if (!Array.isArray(read) || read.length !== plan.missing.length) {
    const got = Array.isArray(read) ? `${read.length} tiles` : `a ${typeof read}`;
    throw new FormatError(
      'tile.read-count',
      `the tile reader returned ${got} for ${plan.missing.length} tiles asked`,
    );
  }
  plan.missing.forEach((slot, i) => {
    const data: unknown = read[i];
    checkTileData(plan.tiles[slot]!, data);
    plan.data[slot] = data;
    cache?.set(plan.paths[slot]!, data);
  });
  // Cached tiles are checked too: a cache may be shared with code that stores anything.
  plan.data.forEach((data, slot) => {
    checkTileData(plan.tiles[slot]!, data);
  });
  return plan.nodes.map(({ slot, offset, count }) => foldTile(plan.data[slot]!, offset, count));
}

/**
 * The interior nodes of one tile, computed as needed and kept for as long as the tile's contents
 * are: level k (1 to 7) of a tile holds 256 >> k nodes, laid out one level after another.
 * Keyed by the tile's bytes, so a cache that keeps a tile keeps its interior too, and a proof
 * that lands in a tile already read costs lookups instead of up to 254 hashes.
 */
interface TileInterior {
  readonly hashes: Uint8Array;
  readonly known: Uint8Array;
}

const interiors = new WeakMap<Uint8Array, TileInterior>();
const INTERIOR_NODES = TILE_WIDTH - 1;

/** Where level k of a tile's interior starts, counted in nodes. */
function interiorBase(k: number): number {
  return TILE_WIDTH - (TILE_WIDTH >> (k - 1));
}

/** Returns node (k, j) of the tree inside a tile: k levels above its hashes, index j at that level. */
function tileNode(data: Uint8Array, interior: TileInterior, k: number, j: number): Hash {
  if (k === 0) return data.subarray(j * HASH_SIZE, (j + 1) * HASH_SIZE);
  const slot = interiorBase(k) + j;
  const at = slot * HASH_SIZE;
  if (interior.known[slot] === 1) return interior.hashes.subarray(at, at + HASH_SIZE);
  // MTH of a complete subtree: SHA-256(0x01 ‖ left child ‖ right child).
  const h = nodeHash(
    tileNode(data, interior, k - 1, 2 * j),
    tileNode(data, interior, k - 1, 2 * j + 1),
  );
  interior.hashes.set(h, at);
  interior.known[slot] = 1;
  return h;
}

/** Returns the hash of the complete subtree whose leaves are `count` hashes of a tile from `offset`. */
function foldTile(data: Uint8Array, offset: number, count: number): Hash {
  let interior = interiors.get(data);
  if (interior === undefined) {
    interior = {
      hashes: new Uint8Array(INTERIOR_NODES * HASH_SIZE),
      known: new Uint8Array(INTERIOR_NODES),
    };
    interiors.set(data, interior);
  }
  const k = Math.log2(count);
  return tileNode(data, interior, k, offset / count).slice();
}

/** Options of the tile hash readers. */
export interface TileHashReaderOptions {
  /** Keeps tile contents between calls. Tiles are cached as read, before any verification. */
  readonly cache?: TileCache;
}

/**
 * A HashReader for the tree of `size` leaves, reading its tiles through a TileReader: one
 * readTiles call per readHashes call, each tile at most once. It does not authenticate tiles:
 * check what is computed from them (a root, a proof) against a signed checkpoint.
 */
export class TileHashReader implements HashReader {
  private readonly cache: TileCache | undefined;

  /** Throws LimitError unless `size` is a safe integer. */
  constructor(
    readonly size: number,
    private readonly reader: TileReader,
    options: TileHashReaderOptions = {},
  ) {
    checkUint(size, 'tree size');
    this.cache = options.cache;
  }

  /**
   * Returns the hashes of `nodes`. Rejects with LimitError for a node not complete in the tree,
   * FormatError when the reader returns the wrong number of tiles or a tile of the wrong length.
   */
  async readHashes(nodes: readonly NodeId[]): Promise<Hash[]> {
    const plan = planTileReads(this.size, nodes, this.cache);
    const tiles = plan.missing.map((slot) => plan.tiles[slot]!);
    const read = tiles.length > 0 ? await this.reader.readTiles(tiles) : [];
    return hashesFromTiles(plan, read, this.cache);
  }
}

/** TileHashReader for a SyncTileReader: answers synchronously, so it is a SyncHashReader. */
export class SyncTileHashReader implements SyncHashReader {
  private readonly cache: TileCache | undefined;

  /** Throws LimitError unless `size` is a safe integer. */
  constructor(
    readonly size: number,
    private readonly reader: SyncTileReader,
    options: TileHashReaderOptions = {},
  ) {
    checkUint(size, 'tree size');
    this.cache = options.cache;
  }

  /**
   * Returns the hashes of `nodes`. Throws LimitError for a node not complete in the tree,
   * FormatError when the reader returns a promise, the wrong number of tiles or a wrong length.
   */
  readHashes(nodes: readonly NodeId[]): Hash[] {
    const plan = planTileReads(this.size, nodes, this.cache);
    const tiles = plan.missing.map((slot) => plan.tiles[slot]!);
    const read: unknown = tiles.length > 0 ? this.reader.readTiles(tiles) : [];
    if (read instanceof Promise) {
      throw new FormatError(
        'tile.reader-async',
        'the tile reader returned a promise; use TileHashReader for asynchronous readers',
      );
    }
    return hashesFromTiles(plan, read, this.cache);
  }
}

/**
 * Returns the root of the tree of `size` leaves computed from its tiles. Rejects with
 * FormatError when the reader returns tiles of the wrong length.
 */
export async function rootFromTiles(
  size: number,
  reader: TileReader,
  options: TileHashReaderOptions = {},
): Promise<Hash> {
  const hashes = await new TileHashReader(size, reader, options).readHashes(subtrees(0, size));
  return foldSubtrees(hashes);
}

/** Like rootFromTiles, for a reader that answers synchronously. */
export function rootFromTilesSync(
  size: number,
  reader: SyncTileReader,
  options: TileHashReaderOptions = {},
): Hash {
  const hashes = new SyncTileHashReader(size, reader, options).readHashes(subtrees(0, size));
  return foldSubtrees(hashes);
}

/**
 * A TileCache that keeps the `capacity` most recently used tiles. Full tiles never change and a
 * partial tile's path names its width, so a cached tile never goes stale.
 */
export class RecentTilesCache implements TileCache {
  // Recency is a tick stamped on each use; eviction drops the oldest quarter at once. Moving
  // entries to the end of a Map on every hit, the textbook LRU, makes V8 rehash a large Map
  // over and over and costs more than the proofs it serves.
  private readonly tiles = new Map<string, { data: Uint8Array; tick: number }>();
  private clock = 0;

  /** Throws LimitError unless capacity is a positive integer. */
  constructor(readonly capacity = 64) {
    if (!Number.isSafeInteger(capacity) || capacity < 1) {
      throw new LimitError(
        'tile.cache',
        `cache capacity must be a positive integer, not ${capacity}`,
      );
    }
  }

  /** Returns the cached contents of the tile at `path`, marking it recently used. */
  get(path: string): Uint8Array | undefined {
    const entry = this.tiles.get(path);
    if (entry === undefined) return undefined;
    entry.tick = ++this.clock;
    return entry.data;
  }

  /** Caches the contents of the tile at `path`, evicting the least recently used if full. */
  set(path: string, data: Uint8Array): void {
    this.tiles.set(path, { data, tick: ++this.clock });
    if (this.tiles.size <= this.capacity) return;
    const byAge = [...this.tiles].sort((a, b) => a[1].tick - b[1].tick);
    const drop = this.tiles.size - this.capacity + Math.floor(this.capacity / 4);
    for (const [key] of byAge.slice(0, drop)) this.tiles.delete(key);
  }
}

// ---------------------------------------------------------------------------------------------
// Entry bundles

/**
 * Returns the entries of an entry bundle, "sequences of big-endian uint16 length-prefixed log
 * entries", checking it holds exactly `width` of them. Throws FormatError when truncated or of
 * the wrong count, LimitError unless width is 1 to 256.
 */
export function parseEntryBundle(bundle: Uint8Array, width: number): Uint8Array[] {
  checkBundleWidth(width);
  if (!(bundle instanceof Uint8Array)) {
    throw new FormatError(
      'entries.type',
      `an entry bundle must be a Uint8Array, not ${typeof bundle}`,
    );
  }
  const entries: Uint8Array[] = [];
  let o = 0;
  while (o < bundle.length) {
    if (entries.length === width) {
      throw new FormatError(
        'entries.count',
        `entry bundle holds more than the ${width} entries expected (${bundle.length - o} bytes remain)`,
      );
    }
    if (o + 2 > bundle.length) {
      throw new FormatError(
        'entries.truncated',
        `entry bundle is truncated: entry ${entries.length} at byte ${o} has an incomplete length prefix`,
      );
    }
    const n = (bundle[o]! << 8) | bundle[o + 1]!;
    o += 2;
    if (o + n > bundle.length) {
      throw new FormatError(
        'entries.truncated',
        `entry bundle is truncated: entry ${entries.length} needs ${n} bytes, only ${bundle.length - o} remain`,
      );
    }
    entries.push(bundle.slice(o, o + n));
    o += n;
  }
  if (entries.length !== width) {
    throw new FormatError(
      'entries.count',
      `entry bundle holds ${entries.length} entries, expected ${width}`,
    );
  }
  return entries;
}

/**
 * Returns the entry bundle of `entries`, each prefixed with its length as a big-endian uint16.
 * Throws LimitError for an entry over 65535 bytes, or unless there are 1 to 256 entries.
 */
export function formatEntryBundle(entries: readonly Uint8Array[]): Uint8Array {
  checkBundleWidth(entries.length);
  const parts: Uint8Array[] = [];
  entries.forEach((e, i) => {
    if (!(e instanceof Uint8Array)) {
      throw new FormatError('entries.type', `entry ${i} must be a Uint8Array, not ${typeof e}`);
    }
    if (e.length > MAX_ENTRY_SIZE) {
      throw new LimitError(
        'entries.entry-size',
        `entry ${i} is ${e.length} bytes; an entry bundle holds entries of at most ${MAX_ENTRY_SIZE} bytes`,
      );
    }
    parts.push(new Uint8Array([e.length >>> 8, e.length & 0xff]), e);
  });
  return concatBytes(...parts);
}

function checkBundleWidth(width: number): void {
  if (!Number.isInteger(width) || width < 1 || width > TILE_WIDTH) {
    throw new LimitError(
      'entries.width',
      `an entry bundle holds 1 to ${TILE_WIDTH} entries, not ${width}`,
    );
  }
}

function truncate(text: string): string {
  return text.length > 60 ? `${text.slice(0, 60)}…` : text;
}
