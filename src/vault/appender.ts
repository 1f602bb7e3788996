/**
 * Appending entries that arrive one by one (uploads sealed from a browser, activity entries) in
 * batches: entries that arrive within `batchMillis` of each other, up to `batchSize`, go into one
 * sequencer append and one signed checkpoint. Each entry is acknowledged (its promise resolves)
 * only after its batch is committed and every blob folder it touched is flushed to disk first.
 * Batches commit one at a time, in arrival order.
 */
import type { SealedEntry, Sequencer } from './sequencer.js';
import { syncDirectories, type Vault } from './vault.js';

/** One entry to append, with the folders to flush first and what to run inside the commit. */
export interface QueuedEntry {
  readonly entry: SealedEntry;
  /** Folders whose new entries (renamed blobs) must be on disk before the record is. */
  readonly syncDirs?: readonly string[];
  /** Runs inside the append's transaction, after the entry is written. */
  readonly inCommit?: () => void;
}

/** Options of a BatchAppender. */
export interface BatchOptions {
  readonly batchSize?: number;
  readonly batchMillis?: number;
  /** Hears each committed batch: the new tree size. */
  readonly onCommit?: (size: number) => void;
}

export class BatchAppender {
  private queue: Array<{
    item: QueuedEntry;
    resolve: (index: number) => void;
    reject: (e: unknown) => void;
  }> = [];
  private timer: NodeJS.Timeout | null = null;
  private committing: Promise<void> = Promise.resolve();
  private readonly batchSize: number;
  private readonly batchMillis: number;

  constructor(
    private readonly vault: Vault,
    private readonly sequencer: Sequencer,
    private readonly options: BatchOptions = {},
  ) {
    this.batchSize = options.batchSize ?? 1000;
    this.batchMillis = options.batchMillis ?? 50;
  }

  /** Queues `item`; resolves to its log index once its batch is committed. */
  append(item: QueuedEntry): Promise<number> {
    return new Promise<number>((resolve, reject) => {
      this.queue.push({ item, resolve, reject });
      if (this.queue.length >= this.batchSize) this.commitSoon(0);
      else this.commitSoon(this.batchMillis);
    });
  }

  /** Commits what is queued now, and resolves once it is committed. */
  flush(): Promise<void> {
    this.commitSoon(0);
    return this.committing;
  }

  private commitSoon(ms: number): void {
    if (this.timer !== null) {
      if (ms > 0) return;
      clearTimeout(this.timer);
    }
    const run = () => {
      this.timer = null;
      this.committing = this.committing.then(() => this.commit());
    };
    if (ms === 0) run();
    else this.timer = setTimeout(run, ms);
  }

  private async commit(): Promise<void> {
    while (this.queue.length > 0) {
      const batch = this.queue.splice(0, this.batchSize);
      try {
        const dirs = new Set<string>();
        for (const b of batch) for (const d of b.item.syncDirs ?? []) dirs.add(d);
        await syncDirectories(dirs);
        const result = this.vault.db
          .transaction(() => {
            const r = this.sequencer.append(batch.map((b) => b.item.entry));
            for (const b of batch) b.item.inCommit?.();
            return r;
          })
          .immediate();
        for (const [i, b] of batch.entries()) b.resolve(result.firstIndex + i);
        this.options.onCommit?.(result.size);
      } catch (e) {
        for (const b of batch) b.reject(e);
      }
    }
  }
}
