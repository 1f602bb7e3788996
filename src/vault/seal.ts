/**
 * Sealing files: walk → stream hash and encrypt each file into a blob → a `document` record
 * with a fresh salt → commitments appended in batches, one signed checkpoint per batch.
 *
 * A record is acknowledged (reported through `onSealed`) only after its blob is on disk and its
 * batch is committed. Interrupted at any point, a run leaves a vault that `tamga fsck` passes;
 * running it again seals what is left, skipping paths whose file is unchanged.
 */
import { randomBytes } from 'node:crypto';
import { basename, dirname, isAbsolute, normalize, resolve, sep } from 'node:path';
import { TamgaError } from '../log/errors.js';
import { dateInName } from '../records/document-date.js';
import { newRecordId } from '../records/id.js';
import { parseRecordCanonical, type TamgaRecord } from '../records/record.js';
import { parseX25519Recipient } from './age/x25519.js';
import { storeBlob } from './blobs.js';
import { sealedEntry } from './entry.js';
import { VaultError } from './errors.js';
import type { VaultKeys } from './keys.js';
import { mediaTypeOf } from './media-type.js';
import { assertMayAppend } from './restored.js';
import type { SealedEntry, Sequencer } from './sequencer.js';
import { syncDirectories, type Vault } from './vault.js';
import { describe, type WalkedFile, walk } from './walk.js';

/** Errors of the vault's own disk, after which no further file can be sealed. */
const FATAL_DISK_ERRORS = new Set(['ENOSPC', 'EDQUOT', 'EROFS']);

/** Options of `sealPaths`. */
export interface SealOptions {
  readonly tags?: readonly string[];
  readonly meta?: Readonly<Record<string, string>>;
  /**
   * The date every document bears (`YYYY-MM-DD`, `YYYY-MM` or `YYYY`), recorded as its
   * `documentDate`: the document's own claim, never a proven time.
   */
  readonly documentDate?: string;
  /**
   * Read each document's date from its file name (src/records/document-date.ts); where the name
   * holds none, `documentDate` applies.
   */
  readonly dateFromName?: boolean;
  /** Who seals; recorded in each record. */
  readonly author: string;
  /** Records per batch (and per checkpoint). */
  readonly batchSize?: number;
  /** Longest time a sealed file waits for its batch to be committed, in milliseconds. */
  readonly batchMillis?: number;
  /** Files hashed and encrypted at once. */
  readonly concurrency?: number;
  readonly onProgress?: (p: SealProgress) => void;
  readonly onSealed?: (e: SealEvent) => void;
  readonly signal?: AbortSignal;
  /** The folder relative paths are read from (default: the process's). */
  readonly cwd?: string;
  /** The clock, for records' `created` and ids. */
  readonly now?: () => Date;
}

/** How far a run is: counted before sealing starts, so a progress bar can show time left. */
export interface SealProgress {
  readonly files: number;
  readonly totalFiles: number;
  readonly bytes: number;
  readonly totalBytes: number;
}

/** One path's outcome, reported when it is final (sealed ones after their batch commits). */
export type SealEvent =
  | {
      readonly status: 'sealed';
      readonly path: string;
      readonly id: string;
      readonly index: number;
      readonly sha256: string;
      readonly size: number;
      /** The record of the earlier version at the same path, which this one's `refs` name. */
      readonly supersedes?: string;
    }
  | { readonly status: 'unchanged'; readonly path: string; readonly id: string }
  | { readonly status: 'failed'; readonly path: string; readonly reason: string };

/** What a run did. */
export interface SealSummary {
  readonly sealed: number;
  /** Of the sealed, how many are new versions of a file sealed before at the same path. */
  readonly newVersions: number;
  readonly unchanged: number;
  readonly failed: ReadonlyArray<{ path: string; reason: string }>;
  readonly bytes: number;
  /** Blobs not written because the same content was already in the vault. */
  readonly deduplicated: number;
  readonly checkpoint: { size: number; note: string } | null;
}

// biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what we replace.
const CONTROL = /[\u0000-\u001f\u007f\\]/g;

/**
 * Returns the path a file is recorded under: the path as given when it is relative and stays
 * inside the working folder, else the given folder's own name. Control characters and
 * backslashes (which no record path may hold) become U+FFFD.
 */
export function recordRoot(given: string, cwd: string = process.cwd()): string {
  const n = normalize(given);
  const inside = !isAbsolute(n) && n !== '..' && !n.startsWith(`..${sep}`);
  // The file system's root has no name: its files are recorded with no prefix.
  if (!inside) return basename(resolve(cwd, n));
  return n
    .split(sep)
    .filter((p) => p !== '' && p !== '.')
    .join('/');
}

function cleanPath(path: string): { path: string; lossy: boolean } {
  const clean = path.replace(CONTROL, '\uFFFD');
  return { path: clean, lossy: clean !== path };
}

/**
 * Seals every file under `paths` into the vault. Resolves with a summary; a file that cannot be
 * sealed is reported and skipped, never half-sealed. Rejects only when the vault itself fails,
 * or, before any work, with VaultError `vault.restored-not-taken-over` for a restored copy.
 */
export async function sealPaths(
  vault: Vault,
  keys: VaultKeys,
  paths: readonly string[],
  options: SealOptions,
): Promise<SealSummary> {
  const now = options.now ?? (() => new Date());
  const cwd = options.cwd ?? process.cwd();
  const batchSize = options.batchSize ?? 1000;
  const batchMillis = options.batchMillis ?? 1000;
  const concurrency = options.concurrency ?? 4;
  // Before reading any file: a restored copy seals nothing until taken over.
  assertMayAppend(vault.db);
  const sequencer: Sequencer = vault.sequencer(keys);
  const recipient = parseX25519Recipient(vault.info.ageRecipient);
  const lookupPath = vault.db.prepare(
    'SELECT size, mtime_ms, sha256, record_id FROM sealed_paths WHERE path = ?',
  );
  const knownBlob = vault.db.prepare('SELECT 1 FROM blobs WHERE sha256 = ?');

  // Count first, so progress can show totals and time left.
  let totalFiles = 0;
  let totalBytes = 0;
  for (const given of paths) {
    for await (const item of walk(resolve(cwd, given), recordRoot(given, cwd))) {
      if ('file' in item) {
        totalFiles++;
        totalBytes += item.file.size;
      }
    }
  }
  const progress = { files: 0, totalFiles, bytes: 0, totalBytes };
  const report = () => options.onProgress?.({ ...progress });
  report();

  let sealed = 0;
  let unchanged = 0;
  let deduplicated = 0;
  const failed: Array<{ path: string; reason: string }> = [];
  const fail = (path: string, reason: string) => {
    failed.push({ path, reason });
    options.onSealed?.({ status: 'failed', path, reason });
  };

  let newVersions = 0;
  let batch: Array<{
    entry: SealedEntry;
    path: string;
    sha256: string;
    size: number;
    supersedes: string | null;
  }> = [];
  let batchStarted = 0;
  const touchedDirs = new Set<string>();
  const seenPaths = new Set<string>();
  let committing: Promise<void> = Promise.resolve();
  let fatal = false;

  const commit = async () => {
    if (batch.length === 0) return;
    const pending = batch;
    batch = [];
    const dirs = [...touchedDirs];
    touchedDirs.clear();
    // Blobs first: every renamed blob's folder entry is on disk before a record names it.
    await syncDirectories(dirs);
    const result = sequencer.append(pending.map((p) => p.entry));
    pending.forEach((p, i) => {
      sealed++;
      if (p.supersedes !== null) newVersions++;
      options.onSealed?.({
        status: 'sealed',
        path: p.path,
        id: p.entry.id,
        index: result.firstIndex + i,
        sha256: p.sha256,
        size: p.size,
        ...(p.supersedes === null ? {} : { supersedes: p.supersedes }),
      });
    });
  };

  const sealOne = async (file: WalkedFile) => {
    const { path: recordPath, lossy } = cleanPath(file.recordPath);
    const previous = lookupPath.get(recordPath) as
      | { size: number; mtime_ms: number; sha256: string; record_id: string }
      | undefined;
    if (previous && previous.size === file.size && previous.mtime_ms === file.mtimeMs) {
      unchanged++;
      options.onSealed?.({ status: 'unchanged', path: recordPath, id: previous.record_id });
      return;
    }
    if (seenPaths.has(recordPath)) {
      // Two folders of the same name, or one path named twice: one record path, two files.
      fail(
        recordPath,
        'another file in this run is recorded under the same path; seal the two folders separately, or from their parent folder',
      );
      return;
    }
    seenPaths.add(recordPath);
    let stored: Awaited<ReturnType<typeof storeBlob>>;
    try {
      stored = await storeBlob(vault.layout, recipient, file.fsPath, file);
    } catch (e) {
      if (e instanceof TamgaError) throw e;
      const code = (e as NodeJS.ErrnoException).code;
      if (code !== undefined && FATAL_DISK_ERRORS.has(code)) {
        // The vault's own disk: every later file would fail the same way. Stop; what was
        // acknowledged stays, and a re-run continues once there is room.
        throw new VaultError(
          'disk.full',
          `cannot write to the vault (${describe(e)}): ${sealed} files were sealed and are safe; free some space and run the same command again to seal the rest`,
          { cause: e },
        );
      }
      fail(recordPath, describe(e));
      return;
    }
    if ('changed' in stored) {
      fail(recordPath, 'the file changed while it was being read; seal it again once it is stable');
      return;
    }
    if (previous && previous.sha256 === stored.sha256) {
      // Touched but not changed: nothing new to seal.
      unchanged++;
      options.onSealed?.({ status: 'unchanged', path: recordPath, id: previous.record_id });
      return;
    }
    const known = knownBlob.get(stored.sha256) !== undefined;
    // Flush the blob's folder entry before acknowledging, also when the blob was already on
    // disk but in no committed record (an orphan of an interrupted run, renamed but not flushed).
    if (!known) touchedDirs.add(dirname(stored.path));
    if (stored.createdDir) touchedDirs.add(vault.layout.blobs);
    if (!stored.written) deduplicated++;
    const created = now();
    const meta: Record<string, string> = { ...(options.meta ?? {}) };
    if (lossy || file.lossyName) meta['tamga:rawPath'] = file.rawRecordPath.toString('base64');
    const documentDate =
      (options.dateFromName ? dateInName(recordPath) : null) ?? options.documentDate;
    const record: TamgaRecord = {
      kind: 'document',
      id: newRecordId(created.getTime(), randomBytes(10)),
      created: `${created.toISOString().slice(0, 19)}Z`,
      author: options.author,
      body: {
        path: recordPath,
        ...(documentDate === undefined ? {} : { documentDate }),
        tags: [...(options.tags ?? [])],
        meta,
      },
      files: [
        {
          sha256: stored.sha256,
          size: stored.size,
          name: basename(recordPath) || 'file',
          mediaType: mediaTypeOf(recordPath),
        },
      ],
      refs: previous ? [previous.record_id] : [],
    };
    let canonical: Uint8Array;
    try {
      canonical = parseRecordCanonical(record).canonical;
    } catch (e) {
      if (!(e instanceof TamgaError)) throw e;
      fail(recordPath, e.message);
      return;
    }
    batch.push({
      path: recordPath,
      sha256: stored.sha256,
      size: stored.size,
      supersedes: previous?.record_id ?? null,
      entry: sealedEntry(
        record,
        canonical,
        [
          {
            sha256: stored.sha256,
            name: record.files[0]!.name,
            size: stored.size,
            ...(known ? {} : { storedSize: stored.storedSize }),
          },
        ],
        { path: recordPath, size: file.size, mtimeMs: file.mtimeMs, sha256: stored.sha256 },
      ),
    });
    if (batch.length === 1) batchStarted = Date.now();
    if (batch.length >= batchSize || Date.now() - batchStarted >= batchMillis) {
      committing = committing.then(commit);
      await committing;
    }
  };

  for (const given of paths) {
    const queue = walk(resolve(cwd, given), recordRoot(given, cwd));
    const workers = Array.from({ length: concurrency }, async () => {
      for (;;) {
        if (options.signal?.aborted || fatal) return;
        const next = await queue.next();
        if (next.done) return;
        const item = next.value;
        if ('skip' in item) {
          fail(cleanPath(item.skip.recordPath).path, item.skip.reason);
          continue;
        }
        try {
          await sealOne(item.file);
        } catch (e) {
          // Stop the other workers too: nothing more is sealed after a vault failure.
          fatal = true;
          throw e;
        }
        progress.files++;
        progress.bytes += item.file.size;
        report();
      }
    });
    // Let every worker finish its file before reporting a failure, so none writes afterwards.
    const outcomes = await Promise.allSettled(workers);
    const failure = outcomes.find((o): o is PromiseRejectedResult => o.status === 'rejected');
    if (failure) throw failure.reason;
  }
  committing = committing.then(commit);
  await committing;
  const latest = vault.db
    .prepare('SELECT size, note FROM checkpoints ORDER BY size DESC LIMIT 1')
    .get() as { size: number; note: string } | undefined;
  return {
    sealed,
    newVersions,
    unchanged,
    failed,
    bytes: progress.bytes,
    deduplicated,
    checkpoint: latest ?? null,
  };
}
