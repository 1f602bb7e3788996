/**
 * `tamga mirror pull`: copy a log and its owner's encrypted private data into a mirror
 * directory, verified, and resumable.
 *
 * Order of work, and why:
 * 1. The log's identity (origin, verifier key, age recipient) is pinned on the first pull and
 *    must never change; the witness policy is pinned too, and a change is only reported.
 * 2. The offered checkpoint must carry the pinned log key's signature. Against the checkpoint
 *    the mirror holds: a smaller tree must be a prefix of ours, an equal size must have our root,
 *    a larger tree must extend ours — by an RFC 9162 consistency proof from the server's tiles,
 *    whose right edge must first fold to the offered root. Otherwise it is a fork: both
 *    checkpoints and the proof are kept under forks/, and the pull stops with the mirror as it
 *    was.
 * 3. The new entries are fetched and the tree is rebuilt from them on top of the mirror's own
 *    tree; its root must be the offered root, and every checkpoint of the history in between must
 *    have the root the rebuilt tree has at its size (else: a fork, kept likewise).
 * 4. Record bundles, key file, secrets and encrypted files are fetched (runs of small files as
 *    packs). The mirror cannot read them; it checks sizes and that
 *    each is an age file. Restore checks them against the log.
 * 5. Commit: staged files are renamed into place, the history appended, and `checkpoint`
 *    written last. A pull stopped anywhere before that leaves the mirror as it was, with what it
 *    fetched kept in staging/ and private/blobs/ for the next run, which fetches only the rest.
 *
 * Cosignatures are checked against the pinned policy: present ones must verify, and whether the
 * quorum is met is reported, but data is not refused for missing cosignatures.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { mkdir, readdir, rename, rm, stat, unlink, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { type OpenedCheckpoint, openCheckpoint } from '../log/checkpoint.js';
import {
  type CosignatureVerifier,
  parseCosignatureVerifierKey,
  witnessCosignatures,
} from '../log/cosignature.js';
import { bytesEqual } from '../log/encoding.js';
import { TamgaError, VerificationError } from '../log/errors.js';
import { foldSubtrees, type Hash, leafHash, subtrees, TreeBuilder } from '../log/merkle.js';
import {
  formatNote,
  type NoteSignature,
  parseNote,
  parseVerifierKey,
  type Verifier,
} from '../log/note.js';
import { consistencyProof, consistencyProofSync, verifyConsistency } from '../log/proof.js';
import {
  changedTiles,
  type EntryTile,
  entryTileAt,
  parseEntryBundle,
  partialTiles,
  RecentTilesCache,
  rootFromTilesSync,
  SyncTileHashReader,
  type Tile,
  TileHashReader,
  TileWriter,
  tilesForSize,
} from '../log/tiles.js';
import { processAlive, syncDirectories, syncDirectory } from '../vault/vault.js';
import { BlobWriter, type IncomingBlob, TEMPORARY } from './blob-writer.js';
import { ForkError, type ForkEvidence, MirrorError } from './errors.js';
import { appendDurable, LocalTiles, writeDurable } from './files.js';
import { keepFork } from './fork.js';
import {
  type BlobEntry,
  type CheckpointEntry,
  MIRROR_FORMAT,
  type MirrorInfo,
  type MirrorPolicy,
} from './format.js';
import {
  blobFile,
  type MirrorLayout,
  type MirrorState,
  mirrorLayout,
  readAccepted,
  readHistory,
  readMirrorState,
  recordBundleFile,
  tileFile,
} from './mirror-dir.js';
import { PackReader } from './pack.js';
import type { MirrorSource } from './source.js';

/** How far a pull has got, for a progress bar. */
export interface PullProgress {
  readonly phase: 'log' | 'records' | 'files';
  readonly done: number;
  readonly total: number;
  /** For files: bytes fetched so far, and to fetch in all. */
  readonly bytes?: number;
  readonly totalBytes?: number;
}

/** Options of `pullMirror`. */
export interface PullOptions {
  /** Where to read from. */
  readonly source: MirrorSource;
  /** The mirror directory (created if missing). */
  readonly into: string;
  /** The log verifier key to pin on the first pull, instead of trusting the server's word. */
  readonly vkey?: string;
  /** Adopt the witness policy the server now publishes, when it differs from the pinned one. */
  readonly acceptPolicy?: boolean;
  /** Encrypted files fetched at once (default 8). */
  readonly concurrency?: number;
  readonly onProgress?: (p: PullProgress) => void;
  /** Notices for people: a policy change, a server behind the mirror. */
  readonly notice?: (line: string) => void;
  readonly now?: () => Date;
}

/** What a pull did. */
export interface PullReport {
  readonly origin: string;
  /** The tree size the mirror held before, and holds now. */
  readonly previousSize: number;
  readonly size: number;
  /** Checkpoints added to (or updated in) the history. */
  readonly checkpoints: number;
  /** Encrypted files fetched now, their bytes, and those already held. */
  readonly filesFetched: number;
  readonly bytesFetched: number;
  readonly filesHeld: number;
  /** The latest checkpoint's cosignatures under the pinned policy. */
  readonly witnessed: {
    readonly quorum: number;
    readonly met: boolean;
    readonly cosigners: ReadonlyArray<{ name: string; timestamp: number }>;
  };
  /** True when the server's witness policy differs from the pinned one (and was not adopted). */
  readonly policyChanged: boolean;
  /** True when the server's log is smaller than the mirror's (and a prefix of it). */
  readonly serverBehind: boolean;
}

/** Entries of the recent history that a pull fetches again, to gather late cosignatures. */
const HISTORY_REFRESH = 64;

/** Entry bundles and record bundles fetched at once. */
const BUNDLE_WINDOW = 8;

/** Files up to this size are fetched in packs; larger ones one by one, each on a connection. */
const PACK_FILE_MAX = 4 << 20;

/** The files of a pack asked for, in bytes: small enough that the connections share the work. */
const PACK_TARGET = 8 << 20;

/** The files to fetch, as jobs, and what the mirror holds already. */
interface BlobListing {
  readonly jobs: BlobJob[];
  readonly held: number;
  readonly missing: number;
  readonly totalBytes: number;
}

/** What a worker fetching files does next: one file, or a run of files of a page as a pack. */
type BlobJob =
  | { readonly kind: 'file'; readonly blob: BlobEntry }
  | {
      readonly kind: 'pack';
      /** The cursor of the page, its index of the first file, and the files. */
      readonly after: string | null;
      readonly skip: number;
      readonly blobs: readonly BlobEntry[];
    };

/**
 * Pulls the log at `opts.source` into the mirror `opts.into`; resolves to what was done. Throws
 * ForkError (the evidence kept under forks/) when the log forked, MirrorError when the server's
 * data is wrong or unreachable or the directory is not a mirror of that log; in every such case
 * the mirror is left as it was.
 */
export async function pullMirror(opts: PullOptions): Promise<PullReport> {
  const layout = mirrorLayout(opts.into);
  await mkdir(layout.dir, { recursive: true });
  const release = await lock(layout);
  try {
    return await new Pull(opts, layout).run();
  } finally {
    await release();
  }
}

class Pull {
  private readonly source: MirrorSource;
  private readonly now: () => Date;
  private readonly notice: (line: string) => void;
  private state: MirrorState | null = null;
  private verifier!: Verifier;
  private witnesses: CosignatureVerifier[] = [];
  private policy!: MirrorPolicy;
  private info!: MirrorInfo;

  constructor(
    private readonly opts: PullOptions,
    private readonly layout: MirrorLayout,
  ) {
    this.source = opts.source;
    this.now = opts.now ?? (() => new Date());
    this.notice = opts.notice ?? (() => {});
  }

  async run(): Promise<PullReport> {
    const { layout, source } = this;
    this.state = readMirrorState(layout);
    if (this.state === null) {
      await checkFreshDirectory(layout);
      this.info = await source.info();
      this.pinIdentity();
    } else {
      // The public log is checked against what was pinned before anything private is asked
      // for: a fork is found and kept even by a mirror whose token was revoked.
      this.info = this.state;
      this.policy = this.state.policy;
      this.takeKeys();
    }

    const heldNote = readAccepted(layout);
    const held = heldNote === null ? null : this.open(heldNote, 'the checkpoint this mirror holds');
    const latest = await source.latest();
    if (latest === null) {
      if (held !== null) {
        throw new MirrorError(
          'mirror.empty-source',
          `${source.where} serves an empty log, but this mirror holds ${held.checkpoint.size} records of it; refused`,
        );
      }
      throw new MirrorError(
        'mirror.empty-log',
        `the log at ${source.where} is empty: nothing to mirror yet`,
      );
    }
    const offered = this.open(latest, `the checkpoint of ${source.where}`);
    const m = held?.checkpoint.size ?? 0;
    const n = offered.checkpoint.size;

    // 2. The offered checkpoint against the one held.
    if (held !== null) {
      if (n < m) {
        await this.checkPrefix(held, offered, heldNote!, latest);
        this.notice(
          `${source.where} serves a log of ${n} records; this mirror already holds ${m}, of which those ${n} are a prefix: nothing to pull`,
        );
        return this.report(m, m, 0, 0, 0, 0, held, true);
      }
      if (n === m && !bytesEqual(held.checkpoint.root, offered.checkpoint.root)) {
        await this.fork(
          'same-size',
          { size: m, note: heldNote! },
          { size: n, note: latest },
          [],
          `${source.where} signed a checkpoint of size ${n} with a different root from the one this mirror holds for that size: the log has forked`,
        );
      }
      if (n > m) await this.checkExtends(held, offered, heldNote!, latest);
    }

    if (this.state !== null) {
      this.info = await source.info();
      this.pinIdentity();
    }

    // 3. The history, then the tree rebuilt from the new entries.
    const history = await this.fetchHistory(m, n, held, heldNote);
    const roots = await this.rebuild(m, n, offered, history);
    await this.checkHistoryRoots(m, n, roots, history, latest);
    const stored = readHistory(layout).get(n);
    const base = history.get(n) ?? stored;
    const latestEntry = mergeEntry(base, {
      size: n,
      note: latest,
      created: base?.created ?? this.now().toISOString(),
    });
    if (latestEntry.note !== stored?.note) history.set(n, latestEntry);

    // 4. Private data.
    await this.fetchRecordBundles(m, n);
    await writeDurable(join(layout.staging, 'private', 'keys.age'), await source.keyFile());
    await writeDurable(join(layout.staging, 'private', 'secrets.age'), await source.secrets());
    const files = await this.fetchBlobs(await this.listBlobs());

    // 5. Commit.
    const changed = await this.commit(m, n, history, latestEntry.note);
    return this.report(
      m,
      n,
      changed,
      files.fetched,
      files.bytes,
      files.held,
      this.open(latestEntry.note, 'the checkpoint pulled'),
      false,
    );
  }

  /** Pins the log's identity and policy on the first pull; checks them on later ones. */
  private pinIdentity(): void {
    const info = this.info;
    const state = this.state;
    if (state === null) {
      if (this.opts.vkey !== undefined && this.opts.vkey !== info.logVerifierKey) {
        throw new MirrorError(
          'mirror.vkey-mismatch',
          `${this.source.where} serves the log ${info.origin} with verifier key ${info.logVerifierKey}, not the key given with --vkey; nothing was pulled`,
        );
      }
      this.policy = info.policy;
    } else {
      for (const k of ['origin', 'logVerifierKey', 'ageRecipient'] as const) {
        if (state[k] !== info[k]) {
          throw new MirrorError(
            'mirror.identity',
            `${this.source.where} serves a log whose ${k} is ${info[k]}, but this mirror holds the log ${state.origin} (${k} ${state[k]}): it is another log, or the vault's keys changed; nothing was pulled`,
          );
        }
      }
      this.policy = state.policy;
      if (!samePolicy(state.policy, info.policy)) {
        if (this.opts.acceptPolicy) {
          this.policy = info.policy;
          this.notice(
            `adopting the witness policy ${this.source.where} now publishes: ${describePolicy(info.policy)}`,
          );
        } else {
          this.notice(
            `the log now names another witness policy (${describePolicy(info.policy)}) than the one pinned (${describePolicy(state.policy)}); cosignatures are checked against the pinned one. Pull with --accept-policy to adopt it.`,
          );
        }
      }
    }
    this.takeKeys();
  }

  /** Takes the verifiers of the log and of the policy's witnesses. */
  private takeKeys(): void {
    const info = this.info;
    try {
      this.verifier = parseVerifierKey(info.logVerifierKey);
      this.witnesses = this.policy.witnesses.map((w) => parseCosignatureVerifierKey(w.vkey));
    } catch (e) {
      throw new MirrorError(
        'mirror.bad-key',
        `${this.source.where} publishes a key Tamga cannot read: ${(e as Error).message}`,
      );
    }
    if (this.verifier.name !== info.origin) {
      throw new MirrorError(
        'mirror.bad-key',
        `the log key of ${this.source.where} is named ${this.verifier.name}, not its origin ${info.origin}`,
      );
    }
  }

  /** Opens a checkpoint note with the pinned keys; a bad signature by a known key is an error. */
  private open(note: string, what: string): OpenedCheckpoint {
    try {
      return openCheckpoint(note, this.verifier, {
        origin: this.info.origin,
        others: this.witnesses,
      });
    } catch (e) {
      if (e instanceof TamgaError) {
        throw new MirrorError(
          'mirror.bad-checkpoint',
          `${what} does not verify with the pinned keys of ${this.info.origin}: ${e.message}; nothing was pulled`,
        );
      }
      throw e;
    }
  }

  /** A smaller tree offered must be a prefix of the mirror's. */
  private async checkPrefix(
    held: OpenedCheckpoint,
    offered: OpenedCheckpoint,
    heldNote: string,
    offeredNote: string,
  ): Promise<void> {
    const m = held.checkpoint.size;
    const n = offered.checkpoint.size;
    const local = new LocalTiles(m, [this.layout.dir]);
    const proof = n === 0 ? [] : consistencyProofSync(n, m, new SyncTileHashReader(m, local));
    try {
      if (n > 0) verifyConsistency(n, m, offered.checkpoint.root, held.checkpoint.root, proof);
    } catch (e) {
      if (!(e instanceof VerificationError)) throw e;
      await this.fork(
        'inconsistent',
        { size: m, note: heldNote },
        { size: n, note: offeredNote },
        proof,
        `${this.source.where} signed a tree of size ${n} that is not a prefix of the tree of size ${m} this mirror holds: the log has forked`,
      );
    }
  }

  /** A larger tree offered must extend the mirror's: checked from the server's own tiles. */
  private async checkExtends(
    held: OpenedCheckpoint,
    offered: OpenedCheckpoint,
    heldNote: string,
    offeredNote: string,
  ): Promise<void> {
    const m = held.checkpoint.size;
    const n = offered.checkpoint.size;
    const remote = new TileHashReader(
      n,
      { readTiles: (tiles) => Promise.all(tiles.map((t) => this.source.tile(t))) },
      { cache: new RecentTilesCache(128) },
    );
    const edge = await remote.readHashes(subtrees(0, n));
    if (!bytesEqual(foldSubtrees(edge), offered.checkpoint.root)) {
      throw new MirrorError(
        'mirror.bad-tiles',
        `the hash tiles of ${this.source.where} do not lead to the root of its own checkpoint of size ${n}: the server is damaged; nothing was pulled`,
      );
    }
    const proof = await consistencyProof(m, n, remote);
    try {
      verifyConsistency(m, n, held.checkpoint.root, offered.checkpoint.root, proof);
    } catch (e) {
      if (!(e instanceof VerificationError)) throw e;
      await this.fork(
        'inconsistent',
        { size: m, note: heldNote },
        { size: n, note: offeredNote },
        proof,
        `${this.source.where} signed a tree of size ${n} that does not extend the tree of size ${m} this mirror holds: the log has forked`,
      );
    }
  }

  /**
   * Fetches the history from just before the recent checkpoints held (to gather cosignatures that
   * arrived since) up to size n. Checkpoints of sizes held must have the same text as the mirror's.
   */
  private async fetchHistory(
    m: number,
    n: number,
    held: OpenedCheckpoint | null,
    heldNote: string | null,
  ): Promise<Map<number, CheckpointEntry>> {
    const stored = readHistory(this.layout);
    const heldSizes = [...stored.keys()].filter((s) => s <= m).sort((a, b) => a - b);
    const from =
      heldSizes.length > HISTORY_REFRESH ? heldSizes[heldSizes.length - HISTORY_REFRESH - 1]! : 0;
    const out = new Map<number, CheckpointEntry>();
    let after: number | null = from;
    while (after !== null) {
      const page = await this.source.checkpoints(after);
      let last = after;
      for (const e of page.checkpoints) {
        if (e.size <= last) {
          throw new MirrorError(
            'mirror.bad-document',
            `${this.source.where} lists its checkpoints out of order`,
          );
        }
        last = e.size;
        if (e.size > n) continue;
        const opened = this.open(
          e.note,
          `the checkpoint of size ${e.size} of ${this.source.where}`,
        );
        if (opened.checkpoint.size !== e.size) {
          throw new MirrorError(
            'mirror.bad-document',
            `${this.source.where} lists a checkpoint of size ${opened.checkpoint.size} as size ${e.size}`,
          );
        }
        if (e.size <= m) {
          const mine = stored.get(e.size)?.note ?? (e.size === m ? heldNote : null);
          if (mine !== null && parseNote(mine).text !== parseNote(e.note).text) {
            await this.fork(
              'same-size',
              { size: e.size, note: mine },
              { size: e.size, note: e.note },
              [],
              `${this.source.where} lists a checkpoint of size ${e.size} that differs from the one this mirror holds for that size: the log has forked`,
            );
          }
          if (mine === null && held !== null) {
            // A checkpoint the mirror never saw: it must have the root our tree has at its size.
            const root = rootFromTilesSync(e.size, new LocalTiles(m, [this.layout.dir]));
            if (!bytesEqual(root, opened.checkpoint.root)) {
              const proof = consistencyProofSync(
                e.size,
                m,
                new SyncTileHashReader(m, new LocalTiles(m, [this.layout.dir])),
              );
              await this.fork(
                'inconsistent',
                { size: m, note: heldNote! },
                { size: e.size, note: e.note },
                proof,
                `${this.source.where} lists a checkpoint of size ${e.size} whose tree is not a prefix of the one this mirror holds: the log has forked`,
              );
            }
          }
        }
        const merged = mergeEntry(stored.get(e.size), e);
        if (stored.get(e.size)?.note !== merged.note) out.set(e.size, merged);
      }
      if (page.next !== null && page.next <= after) {
        throw new MirrorError(
          'mirror.bad-document',
          `${this.source.where} pages its checkpoints backwards`,
        );
      }
      after = page.next;
    }
    return out;
  }

  /**
   * Rebuilds the tree from size m to n from the new entries (staged, or fetched and staged),
   * stages the hash tiles, and returns the roots at every size in `history`. Throws MirrorError
   * when the entries do not lead to the offered root.
   */
  private async rebuild(
    m: number,
    n: number,
    offered: OpenedCheckpoint,
    history: ReadonlyMap<number, CheckpointEntry>,
  ): Promise<Map<number, Hash>> {
    for (let attempt = 1; ; attempt++) {
      const reused = { any: false };
      const roots = await this.rebuildOnce(m, n, history, reused);
      if (bytesEqual(roots.get(n)!, offered.checkpoint.root)) return roots;
      if (reused.any && attempt === 1) {
        // Entries kept from an interrupted pull may be of a history since refused: fetch afresh.
        await rm(this.layout.staging, { recursive: true, force: true });
        continue;
      }
      throw new MirrorError(
        'mirror.bad-entries',
        `the entries ${this.source.where} serves do not lead to the root of its own checkpoint of size ${n}: the server is damaged; nothing was pulled`,
      );
    }
  }

  private async rebuildOnce(
    m: number,
    n: number,
    history: ReadonlyMap<number, CheckpointEntry>,
    reused: { any: boolean },
  ): Promise<Map<number, Hash>> {
    const local = new LocalTiles(m, [this.layout.dir]);
    const builder =
      m === 0
        ? new TreeBuilder()
        : new TreeBuilder(m, new SyncTileHashReader(m, local).readHashes(subtrees(0, m)));
    const writer = m === 0 ? new TileWriter() : new TileWriter(m, local.readTiles(partialTiles(m)));
    const roots = new Map<number, Hash>();
    const entryTiles = [...changedTiles(m, n)].filter((t): t is EntryTile => t.level === 'entries');
    const heldPartial = m % 256 === 0 ? null : entryTileAt(Math.floor(m / 256), m)!;
    let done = 0;
    this.opts.onProgress?.({ phase: 'log', done, total: entryTiles.length });
    for await (const { tile, data } of this.bundles(
      entryTiles,
      (t) => this.source.tile(t),
      tileFile,
      reused,
    )) {
      const entries = parseEntryBundleChecked(data, tile, this.source.where);
      let first = 0;
      if (heldPartial !== null && tile.index === heldPartial.index) {
        // The bundle repeats the entries the mirror holds: they must be the same.
        const mine = parseEntryBundle(
          readFileSync(join(this.layout.dir, tileFile(heldPartial))),
          heldPartial.width,
        );
        first = heldPartial.width;
        for (let i = 0; i < first; i++) {
          if (!bytesEqual(mine[i]!, entries[i]!)) {
            throw new MirrorError(
              'mirror.bad-entries',
              `entry ${tile.index * 256 + i} of ${this.source.where} differs from the one this mirror holds, though its tiles extend the mirror's tree: the server is damaged; nothing was pulled`,
            );
          }
        }
      }
      for (let i = first; i < entries.length; i++) {
        builder.append(leafHash(entries[i]!), writer.sink);
        if (history.has(builder.size) || builder.size === n)
          roots.set(builder.size, builder.root());
      }
      await Promise.all(
        Array.from(writer.flush(), ({ tile: t, data: d }) =>
          writeDurable(join(this.layout.staging, tileFile(t)), d),
        ),
      );
      this.opts.onProgress?.({ phase: 'log', done: ++done, total: entryTiles.length });
    }
    if (builder.size !== n) {
      throw new MirrorError(
        'mirror.bad-entries',
        `${this.source.where} served ${builder.size} entries for a log of ${n}`,
      );
    }
    if (m === n) roots.set(n, builder.root());
    return roots;
  }

  /**
   * Yields the bundles of `tiles` in order: staged ones from disk, others fetched (a window of
   * them at once) and staged durably before they are yielded.
   */
  private async *bundles(
    tiles: readonly EntryTile[],
    fetch: (t: EntryTile) => Promise<Uint8Array>,
    file: (t: EntryTile) => string,
    reused: { any: boolean },
  ): AsyncGenerator<{ tile: EntryTile; data: Uint8Array }> {
    const load = async (t: EntryTile): Promise<Uint8Array> => {
      const path = join(this.layout.staging, file(t));
      if (existsSync(path)) {
        reused.any = true;
        return readFileSync(path);
      }
      const data = await fetch(t);
      await writeDurable(path, data);
      return data;
    };
    const pending: Array<Promise<Uint8Array>> = [];
    let next = 0;
    for (let i = 0; i < tiles.length; i++) {
      while (next < tiles.length && next < i + BUNDLE_WINDOW) {
        const p = load(tiles[next++]!);
        p.catch(() => {}); // awaited in order below; an early failure must not go unhandled
        pending.push(p);
      }
      yield { tile: tiles[i]!, data: await pending.shift()! };
    }
  }

  /** Every checkpoint of the history above m must have the root of the rebuilt tree. */
  private async checkHistoryRoots(
    m: number,
    n: number,
    roots: ReadonlyMap<number, Hash>,
    history: ReadonlyMap<number, CheckpointEntry>,
    offeredNote: string,
  ): Promise<void> {
    for (const [size, e] of history) {
      if (size <= m) continue;
      const claimed = this.open(e.note, `the checkpoint of size ${size}`).checkpoint.root;
      if (bytesEqual(claimed, roots.get(size)!)) continue;
      const reader = new SyncTileHashReader(
        n,
        new LocalTiles(n, [this.layout.staging, this.layout.dir]),
      );
      const proof = size === n ? [] : consistencyProofSync(size, n, reader);
      await this.fork(
        size === n ? 'same-size' : 'inconsistent',
        { size, note: e.note },
        { size: n, note: offeredNote },
        proof,
        `the log signed a checkpoint of size ${size} that is not a prefix of its own checkpoint of size ${n}: the log has forked`,
      );
    }
  }

  /** Fetches the record bundles of the entry tiles that changed, into staging. */
  private async fetchRecordBundles(m: number, n: number): Promise<void> {
    const tiles = [...changedTiles(m, n)].filter((t): t is EntryTile => t.level === 'entries');
    let done = 0;
    const report = () => this.opts.onProgress?.({ phase: 'records', done, total: tiles.length });
    report();
    for await (const { tile, data } of this.bundles(
      tiles,
      async (t) => {
        const data = await this.source.recordBundle(t);
        checkAgeFile(data, `the record bundle ${recordBundleFile(t)} of ${this.source.where}`);
        return data;
      },
      recordBundleFile,
      { any: false },
    )) {
      checkAgeFile(data, `the staged record bundle ${recordBundleFile(tile)}`);
      done++;
      report();
    }
  }

  /**
   * Lists the server's encrypted files and plans their fetching: those the mirror holds (by
   * size) are counted, runs of small missing ones of a page become packs, the others single jobs.
   */
  private async listBlobs(): Promise<BlobListing> {
    const { layout, source } = this;
    const onDisk = await blobsOnDisk(layout);
    const packs = source.openPack !== undefined;
    const jobs: BlobJob[] = [];
    let held = 0;
    let missing = 0;
    let totalBytes = 0;
    let after: string | null = null;
    const seen = new Set<string>();
    do {
      const page = await source.blobs(after);
      const pageAfter = after;
      // A run of missing small files, consecutive in the page: one pack.
      let run: BlobEntry[] = [];
      let runSkip = 0;
      let runBytes = 0;
      const endRun = () => {
        if (run.length === 1) jobs.push({ kind: 'file', blob: run[0]! });
        else if (run.length > 1)
          jobs.push({ kind: 'pack', after: pageAfter, skip: runSkip, blobs: run });
        run = [];
        runBytes = 0;
      };
      for (let i = 0; i < page.blobs.length; i++) {
        const b = page.blobs[i]!;
        if (seen.has(b.name)) {
          endRun();
          continue;
        }
        seen.add(b.name);
        if (onDisk.has(b.name)) {
          const s = await stat(join(layout.dir, blobFile(b.name))).catch(() => null);
          if (s !== null && s.size === b.size) {
            held++;
            endRun();
            continue;
          }
        }
        missing++;
        totalBytes += b.size;
        if (!packs || b.size > PACK_FILE_MAX) {
          endRun();
          jobs.push({ kind: 'file', blob: b });
          continue;
        }
        if (run.length > 0 && runBytes + b.size > PACK_TARGET) endRun();
        if (run.length === 0) runSkip = i;
        run.push(b);
        runBytes += b.size;
      }
      endRun();
      if (page.next !== null && page.next === after) {
        throw new MirrorError('mirror.bad-document', `${source.where} pages its files in a loop`);
      }
      after = page.next;
    } while (after !== null);

    return { jobs, held, missing, totalBytes };
  }

  /**
   * Fetches the encrypted files the mirror lacks, several requests at once, into place: runs of
   * small files as packs, larger files one by one. Each is flushed to disk before it takes its
   * name, and the folders before this resolves (BlobWriter), so a later pull may trust the files
   * it finds. A source without packs is read one file at a time.
   */
  private async fetchBlobs(listed: BlobListing): Promise<{
    fetched: number;
    bytes: number;
    held: number;
  }> {
    const { layout, source } = this;
    const { jobs, held, missing, totalBytes } = listed;
    let bytes = 0;
    let fetched = 0;
    const progress = () =>
      this.opts.onProgress?.({ phase: 'files', done: fetched, total: missing, bytes, totalBytes });
    const onBytes = (n: number) => {
      bytes += n;
    };
    const onFile = () => {
      fetched++;
      progress();
    };
    progress();
    const writer = new BlobWriter(layout, source.where);
    let failure: unknown = null;
    let next = 0;
    const worker = async () => {
      while (next < jobs.length && failure === null) {
        const job = jobs[next++]!;
        try {
          if (job.kind === 'file') {
            await this.fetchBlob(job.blob, writer, onBytes);
            onFile();
          } else {
            // What a pack did not hold (the server stopped at its bound, or lists otherwise
            // now) is fetched one by one.
            for (const blob of await this.fetchPack(job, writer, onBytes, onFile)) {
              jobs.push({ kind: 'file', blob });
            }
          }
        } catch (e) {
          failure ??= e;
        }
      }
    };
    const connections = Math.max(1, Math.min(this.opts.concurrency ?? 8, 64));
    await Promise.all(Array.from({ length: connections }, worker));
    // Nothing runs on once this returns: the files begun are in place, or dropped.
    await writer.settle();
    if (failure !== null) throw failure;
    await writer.finish();
    return { fetched, bytes: totalBytes, held };
  }

  /** Fetches one encrypted file into place. */
  private async fetchBlob(
    b: BlobEntry,
    writer: BlobWriter,
    onBytes: (n: number) => void,
  ): Promise<void> {
    await writer.room();
    const stream = await this.source.openBlob(b.name, b.size);
    const file = writer.begin(b);
    try {
      for await (const chunk of stream as AsyncIterable<Buffer>) {
        file.write(chunk);
        onBytes(chunk.length);
      }
      file.end();
    } catch (e) {
      file.abort();
      stream.destroy();
      throw broken(this.source.where, e);
    }
  }

  /**
   * Fetches a pack into place; resolves to the files of the job it did not hold, which the
   * caller fetches one by one.
   */
  private async fetchPack(
    job: Extract<BlobJob, { kind: 'pack' }>,
    writer: BlobWriter,
    onBytes: (n: number) => void,
    onFile: () => void,
  ): Promise<readonly BlobEntry[]> {
    const stream = await this.source.openPack!(job.after, job.skip, job.blobs.length);
    if (stream === null) return job.blobs;
    const reader = new PackReader(
      { maxFiles: job.blobs.length, maxBytes: job.blobs.reduce((a, b) => a + b.size, 0) },
      this.source.where,
    );
    let i = 0;
    let file: IncomingBlob | null = null;
    try {
      for await (const chunk of stream as AsyncIterable<Buffer>) {
        for (const ev of reader.push(chunk)) {
          if (ev.type === 'file') {
            const want = job.blobs[i]!;
            if (ev.name !== want.name || ev.size !== want.size) {
              // The server lists its files otherwise than when this pull listed them (a
              // served mirror that is being pulled into, say): the rest one by one.
              stream.destroy();
              return job.blobs.slice(i);
            }
            await writer.room();
            file = writer.begin(want);
          } else if (ev.type === 'data') {
            file!.write(ev.bytes);
            onBytes(ev.bytes.length);
          } else if (ev.type === 'file-end') {
            file!.end();
            file = null;
            i++;
            onFile();
          }
        }
      }
      reader.close();
    } catch (e) {
      file?.abort();
      stream.destroy();
      throw broken(this.source.where, e);
    }
    return job.blobs.slice(i);
  }

  /** Moves staged files into place, appends the history, then writes `checkpoint`. */
  private async commit(
    m: number,
    n: number,
    history: ReadonlyMap<number, CheckpointEntry>,
    latestNote: string,
  ): Promise<number> {
    const { layout } = this;
    // Partial tiles and bundles staged for a tree other than n (an earlier attempt) stay out.
    const partials = new Set<string>();
    for (const t of tilesForSize(n)) {
      if (t.width === 256) continue;
      partials.add(tileFile(t));
      if (t.level === 'entries') partials.add(recordBundleFile(t));
    }
    const dirs = new Set<string>();
    const move = async (rel: string) => {
      const from = join(layout.staging, rel);
      const to = join(layout.dir, rel);
      await mkdir(dirname(to), { recursive: true });
      await rename(from, to);
      dirs.add(dirname(to));
    };
    for (const rel of await listFiles(layout.staging)) {
      if (/\.tmp-[0-9a-f]{8}$/.test(rel)) continue;
      if (rel.includes('.p/') && !partials.has(rel)) continue;
      await move(rel);
    }
    await syncDirectories(dirs);
    const entries = [...history.values()].sort((a, b) => a.size - b.size);
    if (entries.length > 0) {
      appendDurable(layout.history, entries.map((e) => `${JSON.stringify(e)}\n`).join(''));
    }
    if (this.state === null || this.policy !== this.state.policy) {
      const state: MirrorState = {
        format: MIRROR_FORMAT,
        origin: this.info.origin,
        logVerifierKey: this.info.logVerifierKey,
        ageRecipient: this.info.ageRecipient,
        policy: this.policy,
        source: this.state?.source ?? this.source.where,
        pinned: this.state?.pinned ?? this.now().toISOString(),
      };
      await writeDurable(layout.state, `${JSON.stringify(state, null, 2)}\n`);
    }
    await writeDurable(layout.checkpoint, latestNote);
    syncDirectory(layout.dir);
    // The commit point is passed: partial tiles of the old tree are not served any more.
    if (m !== n) await removeSuperseded(layout, m, n);
    await rm(layout.staging, { recursive: true, force: true });
    await rm(layout.tmp, { recursive: true, force: true });
    return entries.length;
  }

  private async fork(
    kind: ForkEvidence['kind'],
    held: { size: number; note: string },
    offered: { size: number; note: string },
    proof: readonly Hash[],
    message: string,
  ): Promise<never> {
    const evidence: ForkEvidence = { kind, held, offered, proof };
    const kept = await keepFork(this.layout.forks, evidence, {
      source: this.source.where,
      message,
      now: this.now(),
    });
    // What was staged came from the forked log: none of it may be committed later.
    await rm(this.layout.staging, { recursive: true, force: true });
    throw new ForkError(message, evidence, kept);
  }

  private report(
    previousSize: number,
    size: number,
    checkpoints: number,
    filesFetched: number,
    bytesFetched: number,
    filesHeld: number,
    latest: OpenedCheckpoint,
    serverBehind: boolean,
  ): PullReport {
    const cosigners = witnessCosignatures(latest.note, this.witnesses).map((c) => ({
      name: c.name,
      timestamp: c.timestamp,
    }));
    return {
      origin: this.info.origin,
      previousSize,
      size,
      checkpoints,
      filesFetched,
      bytesFetched,
      filesHeld,
      witnessed: {
        quorum: this.policy.quorum,
        met: cosigners.length >= this.policy.quorum,
        cosigners,
      },
      policyChanged: this.state !== null && !samePolicy(this.policy, this.info.policy),
      serverBehind,
    };
  }
}

const AGE_MAGIC = 'age-encryption.org/v1\n';

function checkAgeFile(data: Uint8Array, what: string): void {
  if (!Buffer.from(data.subarray(0, AGE_MAGIC.length)).equals(Buffer.from(AGE_MAGIC))) {
    throw new MirrorError('mirror.not-age', `${what} is not an age file; refused`);
  }
}

function parseEntryBundleChecked(data: Uint8Array, tile: EntryTile, where: string): Uint8Array[] {
  let entries: Uint8Array[];
  try {
    entries = parseEntryBundle(data, tile.width);
  } catch (e) {
    throw new MirrorError(
      'mirror.bad-entries',
      `the entry bundle ${tileFile(tile)} of ${where} is malformed: ${(e as Error).message}`,
    );
  }
  for (const e of entries) {
    if (e.length !== 32) {
      throw new MirrorError(
        'mirror.bad-entries',
        `the entry bundle ${tileFile(tile)} of ${where} holds an entry of ${e.length} bytes; Tamga entries are 32-byte commitments`,
      );
    }
  }
  return entries;
}

/** The checkpoint with the signatures of both notes (of one text); `fresh` when none is held. */
function mergeEntry(held: CheckpointEntry | undefined, fresh: CheckpointEntry): CheckpointEntry {
  if (held === undefined) return fresh;
  const a = parseNote(held.note);
  const b = parseNote(fresh.note);
  const key = (s: NoteSignature) =>
    `${s.name} ${s.keyId} ${Buffer.from(s.signature).toString('base64')}`;
  const seen = new Set(a.signatures.map(key));
  const added = b.signatures.filter((s) => !seen.has(key(s)));
  if (added.length === 0) return held;
  return {
    size: held.size,
    note: formatNote({ text: a.text, signatures: [...a.signatures, ...added] }),
    created: held.created || fresh.created,
  };
}

function samePolicy(a: MirrorPolicy, b: MirrorPolicy): boolean {
  const key = (p: MirrorPolicy) =>
    JSON.stringify([p.quorum, [...p.witnesses].map((w) => [w.name, w.vkey, w.url]).sort()]);
  return key(a) === key(b);
}

function describePolicy(p: MirrorPolicy): string {
  return p.witnesses.length === 0
    ? 'no witnesses'
    : `quorum ${p.quorum} of ${p.witnesses.map((w) => w.name).join(', ')}`;
}

/** Removes the partial tiles and bundles of tree m that tree n replaced. */
async function removeSuperseded(layout: MirrorLayout, m: number, n: number): Promise<void> {
  const keep = new Set<string>();
  for (const t of tilesForSize(n)) if (t.width < 256) keep.add(tileFile(t));
  const old: Tile[] = [...partialTiles(m)];
  const e = entryTileAt(Math.floor(m / 256), m);
  if (e !== null && e.width < 256) old.push(e);
  for (const t of old) {
    const path = tileFile(t);
    if (keep.has(path)) continue;
    await unlink(join(layout.dir, path)).catch(() => {});
    if (t.level === 'entries') await unlink(join(layout.dir, recordBundleFile(t))).catch(() => {});
  }
}

/**
 * The names of the encrypted files in the mirror's private/blobs/, whatever their sizes. Removes
 * the temporary files an interrupted pull left there (the caller holds the lock).
 */
async function blobsOnDisk(layout: MirrorLayout): Promise<Set<string>> {
  const out = new Set<string>();
  for (const d of await readdir(layout.blobs).catch(() => [] as string[])) {
    if (!/^[0-9a-f]{2}$/.test(d)) continue;
    for (const f of await readdir(join(layout.blobs, d)).catch(() => [] as string[])) {
      if (f.endsWith('.age')) out.add(f.slice(0, -'.age'.length));
      else if (f.includes(TEMPORARY)) await rm(join(layout.blobs, d, f), { force: true });
    }
  }
  return out;
}

/** A failure while a file arrived, as a MirrorError that says the pull resumes. */
function broken(where: string, e: unknown): unknown {
  if (e instanceof MirrorError) return e;
  return new MirrorError(
    'mirror.unreachable',
    `the connection to ${where} broke while sending files (${(e as NodeJS.ErrnoException).code ?? (e as Error).message}); run the command again: it resumes`,
    { cause: e },
  );
}

/** Lists the files under `dir`, relative to it; none when it does not exist. */
async function listFiles(dir: string): Promise<string[]> {
  const out: string[] = [];
  const visit = async (rel: string) => {
    for (const e of await readdir(join(dir, rel), { withFileTypes: true }).catch(() => [])) {
      const r = rel === '' ? e.name : `${rel}/${e.name}`;
      if (e.isDirectory()) await visit(r);
      else out.push(r);
    }
  };
  await visit('');
  return out;
}

/** A directory that is not yet a mirror may only hold what an interrupted first pull left. */
async function checkFreshDirectory(layout: MirrorLayout): Promise<void> {
  const allowed = new Set(['staging', 'tmp', 'private', '.lock', 'forks']);
  const other = readdirSync(layout.dir).filter((n) => !allowed.has(n));
  if (other.length > 0) {
    throw new MirrorError(
      'mirror.not-a-mirror',
      `${layout.dir} is not a mirror (it holds ${other.slice(0, 3).join(', ')}${other.length > 3 ? ', …' : ''}); pull into a new or empty directory`,
    );
  }
}

/**
 * Takes the mirror's lock: one pull at a time. A lock left by a process that died is taken over.
 * Resolves to its release.
 */
async function lock(layout: MirrorLayout): Promise<() => Promise<void>> {
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      await writeFile(layout.lock, String(process.pid), { flag: 'wx' });
      return () => rm(layout.lock, { force: true });
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
      const pid = Number.parseInt(readFileSync(layout.lock, 'utf8'), 10);
      if (processAlive(pid)) {
        throw new MirrorError(
          'mirror.busy',
          `another pull (process ${pid}) is writing to ${layout.dir}; wait for it to finish`,
        );
      }
      await rm(layout.lock, { force: true });
    }
  }
  throw new MirrorError('mirror.busy', `cannot lock ${layout.dir}`);
}
