/**
 * Sealing files from the browser: for each file, hash it (so that a file already sealed at the
 * same path needs no upload), announce it, send its bytes in CHUNK-sized PUTs from the offset
 * the server holds, then seal it. A dropped connection is retried with backoff from the offset
 * the server reports; an upload interrupted by a closed tab resumes from where it stopped when
 * the same file is dropped again (its upload ID is kept in localStorage).
 *
 * Several files go at once (CONCURRENCY); progress is kept per file and in total, and listeners
 * are told at most every NOTIFY_MS, so that thousands of files do not flood the page.
 */
import { dateInName } from '../../src/records/document-date.js';
import { API_LIMITS } from '../../src/server/app/api.js';
import type { PickedFile } from '../shared/collect.js';
import { hashBlob } from '../shared/hash.js';
import { ApiFailure, api } from './api.js';

/** Bytes per PUT: 8 MiB. */
export const CHUNK = 8 * 1024 * 1024;
/** Files in flight at once. */
export const CONCURRENCY = 4;
/** Attempts at one request that fails to reach the server before the file fails. */
export const MAX_ATTEMPTS = 8;
const NOTIFY_MS = 150;

/** Where one file stands. */
export type ItemState =
  | 'waiting'
  | 'hashing'
  | 'uploading'
  | 'sealing'
  | 'sealed'
  | 'unchanged'
  | 'failed'
  | 'cancelled';

export interface UploadItem {
  readonly path: string;
  readonly size: number;
  state: ItemState;
  /** Bytes the server holds. */
  sent: number;
  recordId: string | null;
  /** The record of the earlier version at the same path, when a changed file was sealed. */
  supersedes: string | null;
  /** The date the document bears, as it is recorded (entered, or read from its name). */
  documentDate: string | null;
  error: unknown;
  /** Times a request was retried after the connection dropped. */
  retries: number;
}

/** Tags and metadata given to every file of a batch. */
export interface UploadOptions {
  readonly tags: readonly string[];
  readonly meta: Readonly<Record<string, string>>;
  /** The date every file bears (YYYY-MM-DD, YYYY-MM or YYYY): its own claim, not proven. */
  readonly documentDate?: string;
  /** Read each file's date from its name (src/records/document-date.ts), else `documentDate`. */
  readonly dateFromName?: boolean;
  /** The largest file the server takes (StateResponse.maxUploadBytes). */
  readonly maxBytes: number;
}

/** What the uploader needs from the world; tests pass fakes. */
export interface UploadDeps {
  readonly api: Pick<
    typeof api,
    'createUpload' | 'uploadStatus' | 'uploadBytes' | 'seal' | 'abandonUpload'
  >;
  readonly hash: typeof hashBlob;
  readonly storage: Pick<Storage, 'getItem' | 'setItem' | 'removeItem'> | null;
  readonly sleep: (ms: number) => Promise<void>;
}

const defaultDeps = (): UploadDeps => ({
  api,
  hash: hashBlob,
  storage: safeStorage(),
  sleep: (ms) => new Promise((r) => setTimeout(r, ms)),
});

function safeStorage(): Storage | null {
  try {
    return globalThis.localStorage ?? null;
  } catch {
    return null;
  }
}

/** Totals over every file, for the progress bar and the summary. */
export interface UploadTotals {
  readonly files: number;
  readonly bytes: number;
  readonly sentBytes: number;
  readonly sealed: number;
  readonly unchanged: number;
  /** Sealed as a new version of a file sealed before at the same path. */
  readonly newVersions: number;
  readonly failed: number;
  /** Not sent because the person stopped the upload: not failures, and can be sent again. */
  readonly stopped: number;
  readonly done: number;
}

/** A local refusal, before anything is sent: the same shape as the server's. */
function refusal(key: string, message: string, params: Record<string, string | number>) {
  return new ApiFailure(0, key, message, params);
}

/** True when a request failed because the server was not reached, so trying again may work. */
function transient(e: unknown): boolean {
  return (
    e instanceof ApiFailure &&
    (e.status === 0 || e.status === 502 || e.status === 503 || e.status === 504)
  );
}

export class Uploader {
  readonly items: UploadItem[];
  private readonly files: readonly PickedFile[];
  private readonly options: UploadOptions;
  private deps: UploadDeps | null;
  private readonly listeners = new Set<() => void>();
  private version = 0;
  private timer: ReturnType<typeof setTimeout> | null = null;
  private cancelled = false;
  private running: Promise<void> | null = null;

  constructor(files: readonly PickedFile[], options: UploadOptions, deps?: UploadDeps) {
    this.files = files;
    this.options = options;
    this.deps = deps ?? null;
    this.items = files.map((f) => ({
      path: f.path,
      size: f.file.size,
      state: 'waiting',
      sent: 0,
      recordId: null,
      supersedes: null,
      documentDate:
        (options.dateFromName ? dateInName(f.path) : null) ?? options.documentDate ?? null,
      error: null,
      retries: 0,
    }));
  }

  /** Calls `listener` after changes (at most every NOTIFY_MS); returns how to stop. */
  subscribe = (listener: () => void): (() => void) => {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  };

  /** A number that changes whenever the items do. */
  getVersion = (): number => this.version;

  private changed(now = false): void {
    const fire = () => {
      this.timer = null;
      this.version++;
      for (const l of this.listeners) l();
    };
    if (now) {
      if (this.timer !== null) clearTimeout(this.timer);
      fire();
    } else if (this.timer === null) {
      this.timer = setTimeout(fire, NOTIFY_MS);
    }
  }

  totals(): UploadTotals {
    let bytes = 0;
    let sentBytes = 0;
    let sealed = 0;
    let unchanged = 0;
    let newVersions = 0;
    let failed = 0;
    let stopped = 0;
    for (const it of this.items) {
      bytes += it.size;
      sentBytes += it.state === 'unchanged' ? it.size : it.sent;
      if (it.state === 'sealed') sealed++;
      if (it.state === 'sealed' && it.supersedes !== null) newVersions++;
      if (it.state === 'unchanged') unchanged++;
      if (it.state === 'failed') failed++;
      if (it.state === 'cancelled') stopped++;
    }
    return {
      files: this.items.length,
      bytes,
      sentBytes,
      sealed,
      unchanged,
      newVersions,
      failed,
      stopped,
      done: sealed + unchanged + failed + stopped,
    };
  }

  /** Uploads and seals every file; resolves when each is sealed, unchanged or failed. */
  start(): Promise<void> {
    this.running ??= this.run();
    return this.running;
  }

  /** Stops after the requests in flight; files not finished are marked cancelled. */
  cancel(): void {
    this.cancelled = true;
  }

  /** Sends the failed and the stopped files again. */
  retryFailed(): Promise<void> {
    for (const it of this.items) {
      if (it.state === 'failed' || it.state === 'cancelled') {
        it.state = 'waiting';
        it.error = null;
      }
    }
    this.cancelled = false;
    this.running = this.run();
    return this.running;
  }

  private async run(): Promise<void> {
    this.deps ??= defaultDeps();
    let next = 0;
    const worker = async () => {
      for (;;) {
        const i = next++;
        if (i >= this.items.length) return;
        if (this.items[i]!.state !== 'waiting') continue;
        await this.one(i);
      }
    };
    await Promise.all(Array.from({ length: Math.min(CONCURRENCY, this.items.length) }, worker));
    this.changed(true);
  }

  private async one(i: number): Promise<void> {
    const item = this.items[i]!;
    const file = this.files[i]!.file;
    const deps = this.deps!;
    try {
      if (this.cancelled) throw refusal('upload.cancelled', 'cancelled', {});
      if (item.size > this.options.maxBytes) {
        throw refusal('upload.too-large', 'the file is larger than the server takes', {
          max: this.options.maxBytes,
        });
      }
      if (item.path.length > API_LIMITS.maxPath) {
        throw refusal('upload.path-too-long', 'the path is too long', { max: API_LIMITS.maxPath });
      }
      item.state = 'hashing';
      this.changed();
      const digest = await deps.hash(file);
      const key = `tamga.upload:${item.path}:${item.size}:${file.lastModified}:${digest.sha256}`;

      let id: string | null = null;
      let offset = 0;
      const kept = deps.storage?.getItem(key) ?? null;
      if (kept !== null) {
        try {
          const s = await deps.api.uploadStatus(kept);
          if (s.size === item.size) {
            id = kept;
            offset = s.offset;
          }
        } catch {
          deps.storage?.removeItem(key);
        }
      }
      if (id === null) {
        const created = await this.retrying(item, () =>
          deps.api.createUpload({
            path: item.path,
            size: item.size,
            sha256: digest.sha256,
            lastModified: Math.max(0, Math.trunc(file.lastModified)),
            tags: [...this.options.tags],
            meta: { ...this.options.meta },
            ...(item.documentDate === null ? {} : { documentDate: item.documentDate }),
          }),
        );
        if (created.status === 'unchanged') {
          item.state = 'unchanged';
          item.recordId = created.recordId;
          item.sent = item.size;
          this.changed();
          return;
        }
        id = created.id;
        offset = created.offset;
        deps.storage?.setItem(key, id);
      }

      item.state = 'uploading';
      item.sent = offset;
      this.changed();
      while (offset < item.size) {
        if (this.cancelled) throw refusal('upload.cancelled', 'cancelled', {});
        const end = Math.min(offset + CHUNK, item.size);
        const from = offset;
        const uploadId = id;
        try {
          const s = await this.retrying(
            item,
            () => deps.api.uploadBytes(uploadId, from, file.slice(from, end)),
            // After a dropped connection the server may hold more or less than was sent.
            async () => {
              offset = (await deps.api.uploadStatus(uploadId)).offset;
            },
            () => offset !== from,
          );
          offset = s.offset;
        } catch (e) {
          // The server holds another offset (a request counted twice, or lost): go on from there.
          if (
            e instanceof ApiFailure &&
            e.key === 'upload.offset' &&
            typeof e.params.offset === 'number'
          ) {
            offset = e.params.offset;
          } else if (!(e instanceof OffsetMoved)) throw e;
        }
        item.sent = offset;
        this.changed();
      }

      item.state = 'sealing';
      this.changed();
      const sealed = await this.retrying(item, () => deps.api.seal(uploadIdOf(id)));
      deps.storage?.removeItem(key);
      item.state = sealed.status === 'unchanged' ? 'unchanged' : 'sealed';
      item.recordId = sealed.recordId;
      item.supersedes = sealed.supersedes ?? null;
      item.sent = item.size;
      this.changed();
    } catch (e) {
      // Stopped by the person: not a failure, and nothing to explain.
      const stopped = e instanceof ApiFailure && e.key === 'upload.cancelled';
      item.state = stopped ? 'cancelled' : 'failed';
      item.error = stopped ? null : e;
      this.changed();
    }
  }

  /**
   * Runs `request`, trying again with backoff (1 s doubling, at most 30 s) while the server is
   * not reached. `recover` runs before each new attempt; when `moved` then says the state
   * changed under the request, it throws OffsetMoved so the caller starts again from there.
   */
  private async retrying<T>(
    item: UploadItem,
    request: () => Promise<T>,
    recover?: () => Promise<void>,
    moved?: () => boolean,
  ): Promise<T> {
    const deps = this.deps!;
    for (let attempt = 1; ; attempt++) {
      try {
        return await request();
      } catch (e) {
        if (!transient(e) || attempt >= MAX_ATTEMPTS || this.cancelled) throw e;
        item.retries++;
        this.changed();
        await deps.sleep(Math.min(30_000, 1000 * 2 ** (attempt - 1)));
        if (recover !== undefined) {
          try {
            await recover();
          } catch (r) {
            if (!transient(r)) throw r;
            continue;
          }
          if (moved?.()) throw new OffsetMoved();
        }
      }
    }
  }
}

/** The server's offset moved while a request was retried: continue from the new one. */
class OffsetMoved extends Error {}

function uploadIdOf(id: string | null): string {
  if (id === null) throw new Error('no upload ID');
  return id;
}

/** Parses "key=value" lines into metadata; lines without "=" are ignored. */
export function parseMetaLines(text: string): Record<string, string> {
  const meta: Record<string, string> = {};
  for (const line of text.split('\n')) {
    const eq = line.indexOf('=');
    if (eq <= 0) continue;
    const k = line.slice(0, eq).trim();
    if (k !== '') meta[k] = line.slice(eq + 1).trim();
  }
  return meta;
}

/** Splits a comma-separated list of tags, dropping empty ones and repeats. */
export function parseTags(text: string): string[] {
  return [
    ...new Set(
      text
        .split(',')
        .map((t) => t.trim())
        .filter((t) => t !== ''),
    ),
  ];
}
