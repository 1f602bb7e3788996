/**
 * Real vaults for the server tests: created with Vault.init, grown by sealing files (sealPaths)
 * and by batches of synthetic records through the vault's sequencer, with the tiles table and
 * checkpoint kept after every batch so tests can compare what is served with what was stored.
 */
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { bytesEqual } from '../../src/log/encoding.js';
import { formatTilePath, type HashTile, type TileReader } from '../../src/log/tiles.js';
import { commitCanonical } from '../../src/records/commitment.js';
import { newRecordId } from '../../src/records/id.js';
import type { VaultKeys } from '../../src/vault/keys.js';
import { latestCheckpoint } from '../../src/vault/log-store.js';
import type { SealedEntry } from '../../src/vault/sequencer.js';
import { Vault } from '../../src/vault/vault.js';

export const ORIGIN = 'tamga.test.example/log';
export const PASSPHRASE = 'correct horse battery staple, 2019';

/** A vault open for writing, the same vault open read-only (as `tamga serve` opens it), its keys. */
export interface TestVault {
  readonly dir: string;
  readonly writer: Vault;
  readonly reader: Vault;
  readonly keys: VaultKeys;
  /** Every checkpoint signed so far, oldest first, with the tiles table as it stood then. */
  readonly history: Snapshot[];
  cleanup(): Promise<void>;
}

/** The log after one batch: its checkpoint, and each stored tile by `level/index`. */
export interface Snapshot {
  readonly size: number;
  readonly note: string;
  readonly tiles: ReadonlyMap<string, { width: number; data: Uint8Array }>;
}

/** Creates an empty vault in a new temporary directory. */
export async function createVault(): Promise<TestVault> {
  const parent = await mkdtemp(join(tmpdir(), 'tamga-server-'));
  const dir = join(parent, 'vault');
  const writer = await Vault.init(dir, { origin: ORIGIN, passphrase: PASSPHRASE, logN: 10 });
  const keys = await writer.unlock(PASSPHRASE);
  const reader = await Vault.open(dir, { readonly: true });
  return {
    dir,
    writer,
    reader,
    keys,
    history: [],
    async cleanup() {
      reader.close();
      writer.close();
      await rm(parent, { recursive: true, force: true });
    },
  };
}

/** Records what the vault holds now, after a batch. */
export function snapshot(v: TestVault): Snapshot {
  const cp = latestCheckpoint(v.writer.db);
  if (cp === null) throw new Error('no checkpoint to snapshot');
  const rows = v.writer.db.prepare('SELECT level, idx, width, data FROM tiles').all() as Array<{
    level: number;
    idx: number;
    width: number;
    data: Buffer;
  }>;
  const tiles = new Map(
    rows.map((r) => [`${r.level}/${r.idx}`, { width: r.width, data: new Uint8Array(r.data) }]),
  );
  const s = { size: cp.size, note: cp.note, tiles };
  v.history.push(s);
  return s;
}

/**
 * Appends `count` synthetic records in one batch (one checkpoint), each with a fresh salt and a
 * real commitment over its JSON, and snapshots the vault.
 */
export function appendSynthetic(v: TestVault, count: number): Snapshot {
  const now = Date.now();
  const entries: SealedEntry[] = Array.from({ length: count }, (_, i) => {
    const json = JSON.stringify({ kind: 'synthetic', n: i, at: now });
    const salt = new Uint8Array(randomBytes(32));
    return {
      id: newRecordId(now, randomBytes(10)),
      kind: 'transaction',
      created: new Date(now).toISOString().replace(/\.\d{3}Z$/, 'Z'),
      json,
      salt,
      commitment: commitCanonical(new TextEncoder().encode(json), salt),
      files: [],
    };
  });
  v.writer.sequencer(v.keys).append(entries);
  return snapshot(v);
}

/** The commitments of records [from, to), in log order, from the records table. */
export function commitments(vault: Vault, from: number, to: number): Uint8Array[] {
  const rows = vault.db
    .prepare('SELECT commitment FROM records WHERE idx >= ? AND idx < ? ORDER BY idx')
    .all(from, to) as Array<{ commitment: Buffer }>;
  return rows.map((r) => new Uint8Array(r.commitment));
}

/** GET `path` in-process; returns status, headers and body bytes. */
export async function get(app: FastifyInstance, path: string) {
  const r = await app.inject({ method: 'GET', url: path });
  return { status: r.statusCode, headers: r.headers, body: new Uint8Array(r.rawPayload) };
}

/** A TileReader over the server, in-process, that fails on anything but a 200. */
export function injectTileReader(app: FastifyInstance, fetched?: Map<string, Uint8Array>) {
  const reader: TileReader = {
    readTiles: (tiles: readonly HashTile[]) =>
      Promise.all(
        tiles.map(async (t) => {
          const path = `/${formatTilePath(t)}`;
          const r = await get(app, path);
          if (r.status !== 200) throw new Error(`GET ${path}: ${r.status}`);
          fetched?.set(path, r.body);
          return r.body;
        }),
      ),
  };
  return reader;
}

/** True when `needle` occurs in `haystack`. */
export function containsBytes(haystack: Uint8Array, needle: Uint8Array): boolean {
  if (needle.length === 0) return true;
  const first = needle[0]!;
  for (let i = haystack.indexOf(first); i !== -1 && i + needle.length <= haystack.length; ) {
    if (bytesEqual(haystack.subarray(i, i + needle.length), needle)) return true;
    i = haystack.indexOf(first, i + 1);
  }
  return false;
}
