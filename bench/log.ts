/**
 * bench/log: the log core against Go's golang.org/x/mod/sumdb/{tlog,note}, the same work in the
 * same run. Leaf i's data is i as 8 bytes big-endian in both implementations.
 *
 * - root of N leaves: hash every leaf, build the tree; Tamga also writes every hash tile.
 * - inclusion and consistency proofs: read from the tiles of the N-leaf tree and verified
 *   (Tamga through SyncTileHashReader over in-memory tiles; Go from its stored hashes, its
 *   fastest path, and through x/mod's TileHashReader, which re-verifies every tile it reads).
 * - note signing and verifying: a checkpoint signed with Ed25519 and opened again, with Node's
 *   native Ed25519 (what the CLI and server use) and with the pure code (what a browser uses).
 */
import { formatCheckpoint, parseCheckpoint } from '../src/log/checkpoint.js';
import { pureEd25519, useEd25519 } from '../src/log/ed25519.js';
import { leafHash, TreeBuilder } from '../src/log/merkle.js';
import {
  generateSignerKey,
  openNote,
  parseSignerKey,
  parseVerifierKey,
  signNote,
} from '../src/log/note.js';
import {
  consistencyProofSync,
  inclusionProofSync,
  verifyConsistency,
  verifyInclusion,
} from '../src/log/proof.js';
import {
  formatTilePath,
  type HashTile,
  RecentTilesCache,
  rootFromTilesSync,
  SyncTileHashReader,
  TileWriter,
} from '../src/log/tiles.js';
import { nodeEd25519 } from '../src/platform/node-crypto.js';
import { askGoPeer, goPeerUnavailable } from '../test/interop/xmod-peer.js';
import { type Figure, printComparison } from './report.js';

export interface LogBenchOptions {
  leaves: number;
  inclusion: number;
  consistency: number;
  notes: number;
}

export const defaultLogBench: LogBenchOptions = {
  leaves: 1_000_000,
  inclusion: 100_000,
  consistency: 10_000,
  notes: 1_000,
};

function record(i: number): Uint8Array {
  const b = new Uint8Array(8);
  const high = Math.floor(i / 0x1_0000_0000);
  b[0] = high >>> 24;
  b[1] = high >>> 16;
  b[2] = high >>> 8;
  b[3] = high;
  b[4] = i >>> 24;
  b[5] = i >>> 16;
  b[6] = i >>> 8;
  b[7] = i;
  return b;
}

/** The xorshift64 sequence the Go peer uses, so both prove the same leaves. */
function sequence(): (mod: number) => number {
  let x = 0x9e3779b97f4a7c15n;
  const mask = (1n << 64n) - 1n;
  return (mod) => {
    x ^= (x << 13n) & mask;
    x ^= x >> 7n;
    x ^= (x << 17n) & mask;
    return Number(x % BigInt(mod));
  };
}

function time(name: string, ops: number, f: () => void): Figure {
  const start = process.hrtime.bigint();
  f();
  return { name, ops, nanos: Number(process.hrtime.bigint() - start) };
}

/** Runs the Tamga side of the benchmark and returns its figures. */
export function runTamga(o: LogBenchOptions): Figure[] {
  const figures: Figure[] = [];
  const tiles = new Map<string, Uint8Array>();
  const builder = new TreeBuilder();
  const writer = new TileWriter();
  figures.push(
    time('root of leaves (with tiles)', o.leaves, () => {
      for (let i = 0; i < o.leaves; i++) {
        builder.append(leafHash(record(i)), writer.sink);
        if (i % 65536 === 65535)
          for (const t of writer.flush()) tiles.set(`${t.tile.level}/${t.tile.index}`, t.data);
      }
      for (const t of writer.flush()) tiles.set(`${t.tile.level}/${t.tile.index}`, t.data);
    }),
  );
  const n = o.leaves;
  const root = builder.root();
  // A store keeps each tile at its latest width; an older tree's partial tile is a prefix of it.
  const reader = {
    readTiles: (ts: readonly HashTile[]) =>
      ts.map((t) => {
        const data = tiles.get(`${t.level}/${t.index}`);
        if (data === undefined || data.length < t.width * 32)
          throw new Error(`no tile ${formatTilePath(t)}`);
        return data.length === t.width * 32 ? data : data.subarray(0, t.width * 32);
      }),
  };
  // Room for every tile of the tree (a million leaves make 3,923 tiles, 32 MB with their interiors).
  const cacheOptions = { cache: new RecentTilesCache(8192) };
  const hashes = new SyncTileHashReader(n, reader, cacheOptions);
  const fromTiles = rootFromTilesSync(n, reader);
  if (Buffer.compare(fromTiles, root) !== 0) throw new Error('root from tiles differs');

  const next = sequence();
  figures.push(
    time('inclusion proof from tiles + verify', o.inclusion, () => {
      for (let k = 0; k < o.inclusion; k++) {
        const i = next(n);
        verifyInclusion(i, n, leafHash(record(i)), inclusionProofSync(i, n, hashes), root);
      }
    }),
  );
  figures.push(
    time('consistency proof from tiles + verify', o.consistency, () => {
      for (let k = 0; k < o.consistency; k++) {
        const m = 1 + next(n - 1);
        const oldRoot = rootFromTilesSync(m, reader, cacheOptions);
        verifyConsistency(m, n, oldRoot, root, consistencyProofSync(m, n, hashes));
      }
    }),
  );

  const text = formatCheckpoint({ origin: 'bench.example/log', size: n, root });
  for (const [label, implementation] of [
    ['', nodeEd25519],
    [' (pure)', pureEd25519],
  ] as const) {
    useEd25519(implementation);
    const skey = parseSignerKey(generateSignerKey('bench.example/log', new Uint8Array(32).fill(7)));
    const verifier = parseVerifierKey(skey.verifierKey);
    let signed = '';
    figures.push(
      time(`note sign${label}`, o.notes, () => {
        for (let k = 0; k < o.notes; k++) signed = signNote(text, [skey]);
      }),
    );
    figures.push(
      time(`note verify${label}`, o.notes, () => {
        for (let k = 0; k < o.notes; k++) parseCheckpoint(openNote(signed, [verifier]).text);
      }),
    );
  }
  useEd25519(nodeEd25519);
  return figures;
}

/** Runs the Go peer's side of the benchmark. */
export function runGo(o: LogBenchOptions): Figure[] {
  const r = askGoPeer<{ bench?: Figure[]; error?: string }>({
    op: 'bench',
    benchLeaves: o.leaves,
    benchInclusion: o.inclusion,
    benchNotes: o.notes,
  });
  if (r.error || !r.bench) throw new Error(`Go peer failed: ${r.error}`);
  return r.bench;
}

/** Runs both sides and prints them with their ratio. */
export function runLogBench(o: LogBenchOptions = defaultLogBench): void {
  console.log(
    `bench/log: ${o.leaves} leaves, ${o.inclusion} inclusion and ${o.consistency} consistency proofs, ${o.notes} notes`,
  );
  const ours = runTamga(o);
  const missing = goPeerUnavailable();
  const theirs = missing ? [] : runGo(o);
  if (missing) console.log(`(Go peer not run: ${missing})`);
  printComparison(ours, theirs, [
    ['root of leaves (with tiles)', 'root of leaves'],
    ['inclusion proof from tiles + verify', 'inclusion proof + verify, stored hashes'],
    ['consistency proof from tiles + verify', 'consistency proof + verify, stored hashes'],
    ['note sign', 'note sign'],
    ['note verify', 'note verify'],
    ['note sign (pure)', 'note sign'],
    ['note verify (pure)', 'note verify'],
  ]);
}
