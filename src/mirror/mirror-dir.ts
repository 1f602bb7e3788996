/**
 * A mirror directory: a verified copy of a log and of its owner's encrypted private data.
 *
 *   mirror.json                    what the mirror pinned on its first pull (MirrorState)
 *   checkpoint                     the latest checkpoint it accepted: the commit point
 *   checkpoints.jsonl              every checkpoint it accepted, with cosignatures and time,
 *                                  one JSON line each; a later line for a size replaces an
 *                                  earlier one (more cosignatures arrived)
 *   tile/<L>/<N>[.p/<W>]           C2SP tlog-tiles hash tiles, of the accepted tree
 *   tile/entries/<N>[.p/<W>]       entry bundles (the commitments), of the accepted tree
 *   private/keys.age               the vault's passphrase-protected key file
 *   private/secrets.age            the vault's secrets (age, to the vault)
 *   private/records/<N>[.p/<W>].age    record bundles (age, to the vault)
 *   private/blobs/<aa>/<name>.age  encrypted files, by opaque name, byte for byte
 *   staging/                       a pull in progress, same layout, not yet verified
 *   forks/<time>-<size>/           evidence of forks refused
 *
 * Only what `checkpoint` covers is served; a tile is read at the width the accepted tree gives
 * it, so files left by an interrupted pull are never served. Reads are synchronous where the
 * public log server needs them to be (tiles and the checkpoint are small files).
 */
import { createReadStream, existsSync, readFileSync } from 'node:fs';
import { readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { z } from 'zod';
import { openCheckpoint } from '../log/checkpoint.js';
import { parseVerifierKey } from '../log/note.js';
import { type EntryTile, entryTileAt, formatTilePath, type Tile, tileAt } from '../log/tiles.js';
import type { PublishedCheckpoint, TileLookup } from '../server/log-reader.js';
import { MirrorError } from './errors.js';
import {
  BLOB_NAME,
  type BlobFile,
  type BlobPage,
  type CheckpointEntry,
  type CheckpointPage,
  infoSchema,
  MIRROR_FORMAT,
  MIRROR_LIMITS,
  type MirrorInfo,
  parseDocument,
} from './format.js';
import type { PrivateStore } from './private-store.js';
import type { MirrorSource } from './source.js';
import { limitStream } from './streams.js';
import { fixedTokenChecker } from './tokens.js';

/** What mirror.json holds: the log's identity and policy as pinned, and where it came from. */
export interface MirrorState extends MirrorInfo {
  /** The URL of the first pull. */
  readonly source: string;
  /** When the identity was pinned. */
  readonly pinned: string;
}

const stateSchema = infoSchema.extend({
  source: z.string().max(4096),
  pinned: z.string().max(64),
});

/** The paths of a mirror directory. */
export interface MirrorLayout {
  readonly dir: string;
  readonly state: string;
  readonly checkpoint: string;
  readonly history: string;
  readonly keyFile: string;
  readonly secrets: string;
  readonly blobs: string;
  readonly staging: string;
  readonly forks: string;
  readonly tmp: string;
  readonly lock: string;
}

/** Returns the layout of the mirror in `dir`. */
export function mirrorLayout(dir: string): MirrorLayout {
  return {
    dir,
    state: join(dir, 'mirror.json'),
    checkpoint: join(dir, 'checkpoint'),
    history: join(dir, 'checkpoints.jsonl'),
    keyFile: join(dir, 'private', 'keys.age'),
    secrets: join(dir, 'private', 'secrets.age'),
    blobs: join(dir, 'private', 'blobs'),
    staging: join(dir, 'staging'),
    forks: join(dir, 'forks'),
    tmp: join(dir, 'tmp'),
    lock: join(dir, '.lock'),
  };
}

/** The path, relative to a mirror (or its staging folder), of a public tile. */
export function tileFile(tile: Tile): string {
  return formatTilePath(tile);
}

/** The path, relative to a mirror (or its staging folder), of a record bundle. */
export function recordBundleFile(tile: EntryTile): string {
  return `private/records/${formatTilePath(tile).slice('tile/entries/'.length)}.age`;
}

/** The path, relative to a mirror, of the encrypted file `name`. */
export function blobFile(name: string): string {
  return `private/blobs/${name.slice(0, 2)}/${name}.age`;
}

/**
 * Returns the checkpoint history in checkpoints.jsonl, by size, the last line for a size winning.
 * A line cut short by a crash is the last one, written by a pull that never committed: ignored.
 */
export function readHistory(layout: MirrorLayout): Map<number, CheckpointEntry> {
  let text: string;
  try {
    text = readFileSync(layout.history, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return new Map();
    throw e;
  }
  const out = new Map<number, CheckpointEntry>();
  for (const line of text.split('\n')) {
    if (line === '') continue;
    let e: CheckpointEntry;
    try {
      e = JSON.parse(line) as CheckpointEntry;
    } catch {
      continue;
    }
    if (Number.isSafeInteger(e.size) && typeof e.note === 'string' && typeof e.created === 'string')
      out.set(e.size, { size: e.size, note: e.note, created: e.created });
  }
  return out;
}

/** Returns the state in mirror.json, or null when there is none. Throws MirrorError if damaged. */
export function readMirrorState(layout: MirrorLayout): MirrorState | null {
  let text: string;
  try {
    text = readFileSync(layout.state, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw new MirrorError('mirror.state', `cannot read ${layout.state}: ${(e as Error).message}`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new MirrorError('mirror.state', `${layout.state} is damaged: it is not JSON`);
  }
  return parseDocument(stateSchema, json, layout.state);
}

/** Returns the accepted checkpoint note, or null before the first pull completed. */
export function readAccepted(layout: MirrorLayout): string | null {
  try {
    return readFileSync(layout.checkpoint, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw e;
  }
}

/** Returns the first W entries of an entry bundle (all of them 2-byte length-prefixed). */
function entriesPrefix(bundle: Uint8Array, width: number): Uint8Array {
  let o = 0;
  for (let i = 0; i < width; i++) {
    if (o + 2 > bundle.length)
      throw new MirrorError('mirror.damaged', 'an entry bundle is cut short');
    o += 2 + ((bundle[o]! << 8) | bundle[o + 1]!);
  }
  if (o > bundle.length) throw new MirrorError('mirror.damaged', 'an entry bundle is cut short');
  return bundle.subarray(0, o);
}

/**
 * A mirror directory opened for reading: served by `tamga serve --mirror` (public log and private
 * routes) and read by `tamga restore --from DIR`. Throws MirrorError from `open` when the
 * directory is not a mirror or holds no accepted checkpoint yet.
 */
export class MirrorDirectory implements PrivateStore {
  readonly layout: MirrorLayout;
  readonly authorize: (token: string) => boolean;

  private constructor(
    dir: string,
    readonly state: MirrorState,
    token: string | undefined,
  ) {
    this.layout = mirrorLayout(dir);
    this.authorize = fixedTokenChecker(token);
  }

  /** Opens the mirror in `dir`; `token` is the one bearer token its private routes accept. */
  static open(dir: string, options: { token?: string } = {}): MirrorDirectory {
    const layout = mirrorLayout(dir);
    const state = readMirrorState(layout);
    if (state === null || readAccepted(layout) === null) {
      throw new MirrorError(
        'mirror.missing',
        existsSync(dir)
          ? `${dir} is not a complete mirror: run \`tamga mirror pull URL --into ${dir}\` until it succeeds`
          : `there is no mirror in ${dir}`,
      );
    }
    return new MirrorDirectory(dir, state, options.token);
  }

  /** The accepted checkpoint's size and note, re-read on every call (a pull may commit). */
  accepted(): { size: number; note: string } {
    const note = readAccepted(this.layout);
    if (note === null)
      throw new MirrorError('mirror.missing', `${this.layout.dir} lost its checkpoint`);
    const { checkpoint } = openCheckpoint(note, parseVerifierKey(this.state.logVerifierKey), {
      origin: this.state.origin,
    });
    return { size: checkpoint.size, note };
  }

  // --- the public log, for buildLogServer ---------------------------------------------------

  /** The latest accepted checkpoint, as the public log server serves it. */
  checkpoint(): PublishedCheckpoint | null {
    return this.accepted();
  }

  /** A public tile of the accepted tree; a narrower width is served as the prefix it was. */
  tileLookup(tile: Tile): TileLookup {
    const size = this.accepted().size;
    const now =
      tile.level === 'entries'
        ? entryTileAt(tile.index, size)
        : tileAt(tile.level, tile.index, size);
    if (now === null || now.width < tile.width) return { found: false, size };
    const data = readFileSync(join(this.layout.dir, tileFile(now)));
    return {
      found: true,
      data:
        tile.level === 'entries'
          ? entriesPrefix(data, tile.width)
          : data.subarray(0, tile.width * 32),
    };
  }

  // --- PrivateStore ---

  info(): MirrorInfo {
    const { source: _s, pinned: _p, ...info } = this.state;
    return { ...info, format: MIRROR_FORMAT };
  }

  async keyFile(): Promise<Uint8Array> {
    return readFile(this.layout.keyFile);
  }

  async secrets(): Promise<Uint8Array> {
    return readFile(this.layout.secrets);
  }

  checkpoints(after: number, limit: number): CheckpointPage {
    const size = this.accepted().size;
    const history = readHistory(this.layout);
    const sizes = [...history.keys()]
      .filter((s) => s > after && s <= size)
      .sort((a, b) => a - b)
      .slice(0, limit);
    return {
      checkpoints: sizes.map((s) => history.get(s)!),
      next: sizes.length === limit ? sizes[sizes.length - 1]! : null,
    };
  }

  async recordBundle(tile: EntryTile): Promise<Uint8Array | null> {
    const now = entryTileAt(tile.index, this.accepted().size);
    // An encrypted bundle has no prefix to serve: only the accepted width exists.
    if (now === null || now.width !== tile.width) return null;
    return readFile(join(this.layout.dir, recordBundleFile(now)));
  }

  async blobs(after: string | null, limit: number): Promise<BlobPage | null> {
    if (after !== null && !BLOB_NAME.test(after)) return null;
    const out: Array<{ name: string; size: number }> = [];
    const dirs = (await readdir(this.layout.blobs).catch(() => [] as string[]))
      .filter((d) => /^[0-9a-f]{2}$/.test(d) && (after === null || d >= after.slice(0, 2)))
      .sort();
    for (const d of dirs) {
      const names = (await readdir(join(this.layout.blobs, d)))
        .map((n) => /^([0-9a-f]{64})\.age$/.exec(n)?.[1])
        .filter((n): n is string => n !== undefined && (after === null || n > after))
        .sort();
      for (const name of names) {
        const s = await stat(join(this.layout.blobs, d, `${name}.age`));
        out.push({ name, size: s.size });
        if (out.length === limit) return { blobs: out, next: name };
      }
    }
    return { blobs: out, next: null };
  }

  async blobFiles(after: string | null, skip: number, limit: number): Promise<BlobFile[] | null> {
    const page = await this.blobs(after, skip + limit);
    if (page === null) return null;
    return page.blobs
      .slice(skip)
      .map((b) => ({ ...b, path: join(this.layout.dir, blobFile(b.name)) }));
  }

  async blob(name: string): Promise<{ path: string; size: number } | null> {
    if (!BLOB_NAME.test(name)) return null;
    const path = join(this.layout.dir, blobFile(name));
    const s = await stat(path).catch(() => null);
    return s === null ? null : { path, size: s.size };
  }
}

/** A mirror directory as the source of a restore. */
export class DirectorySource implements MirrorSource {
  constructor(readonly mirror: MirrorDirectory) {}

  get where(): string {
    return this.mirror.layout.dir;
  }

  async info(): Promise<MirrorInfo> {
    return this.mirror.info();
  }

  async latest(): Promise<string | null> {
    return this.mirror.accepted().note;
  }

  async checkpoints(after: number): Promise<CheckpointPage> {
    return this.mirror.checkpoints(after, MIRROR_LIMITS.maxCheckpointsPerPage);
  }

  async tile(tile: Tile): Promise<Uint8Array> {
    const found = this.mirror.tileLookup(tile);
    if (!found.found) throw damaged(this.where, formatTilePath(tile));
    return found.data;
  }

  keyFile(): Promise<Uint8Array> {
    return this.mirror.keyFile();
  }

  secrets(): Promise<Uint8Array> {
    return this.mirror.secrets();
  }

  async recordBundle(tile: EntryTile): Promise<Uint8Array> {
    const b = await this.mirror.recordBundle(tile).catch(() => null);
    if (b === null) throw damaged(this.where, recordBundleFile(tile));
    return b;
  }

  async blobs(after: string | null): Promise<BlobPage> {
    const page = await this.mirror.blobs(after, MIRROR_LIMITS.maxBlobsPerPage);
    if (page === null) throw damaged(this.where, 'its list of encrypted files');
    return page;
  }

  async openBlob(name: string, size: number): Promise<Readable> {
    const found = await this.mirror.blob(name);
    if (found === null || found.size !== size) throw damaged(this.where, blobFile(name));
    return createReadStream(found.path, { highWaterMark: 1 << 20 }).pipe(limitStream(size, name));
  }

  async close(): Promise<void> {}
}

function damaged(where: string, what: string): MirrorError {
  return new MirrorError(
    'mirror.damaged',
    `the mirror in ${where} lacks ${what}, which its checkpoint covers: pull it again, or restore from another mirror`,
  );
}
