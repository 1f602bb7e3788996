/**
 * Helpers of the crash-safety test (crash.test.ts): a seeded random source, a corpus of files,
 * `tamga` run as a real process, a `tamga seal` run that is killed with SIGKILL at a chosen
 * moment of its life, and a read-only look into the vault's database.
 */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { type FSWatcher, mkdirSync, statSync, watch, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import Database from 'better-sqlite3';
import type { CommandContext } from '../../src/cli/context.js';
import { main } from '../../src/cli/main.js';

export const BIN = new URL('../../bin/tamga.js', import.meta.url).pathname;

/** A seeded random source (mulberry32): the same seed gives the same test every time. */
export class Rng {
  private state: number;
  constructor(seed: number) {
    this.state = seed >>> 0;
  }
  /** A uint32. */
  next32(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (t ^ (t >>> 14)) >>> 0;
  }
  /** In [0, 1). */
  next(): number {
    return this.next32() / 2 ** 32;
  }
  /** An integer in [lo, hi]. */
  int(lo: number, hi: number): number {
    return lo + Math.floor(this.next() * (hi - lo + 1));
  }
  pick<T>(items: readonly T[]): T {
    return items[Math.floor(this.next() * items.length)]!;
  }
  shuffle<T>(items: T[]): T[] {
    for (let i = items.length - 1; i > 0; i--) {
      const j = Math.floor(this.next() * (i + 1));
      [items[i], items[j]] = [items[j]!, items[i]!];
    }
    return items;
  }
  bytes(n: number): Buffer {
    const b = Buffer.alloc(n);
    for (let i = 0; i < n; i += 4) {
      const v = this.next32();
      for (let k = 0; k < 4 && i + k < n; k++) b[i + k] = (v >>> (8 * k)) & 0xff;
    }
    return b;
  }
}

/** One file of the corpus: where it goes under the sealed folder, and what it holds. */
export interface CorpusFile {
  readonly rel: string;
  readonly content: Buffer;
  readonly sha256: string;
}

const FOLDERS = [
  'minutes',
  'finance',
  'finance/2023',
  'finance/2024/q1',
  'finance/2024/q2',
  'members',
  'members/archive/old',
  'legal/contracts',
  'legal/хаттамалар',
  'scans/box 1',
  'scans/box 2/part a',
  'reports/annual',
];

/**
 * A seeded stream of files: random contents of `minKb`–`maxKb` KiB in nested folders (some
 * names Cyrillic, some with spaces), one in ~60 a copy of an earlier file's contents, and an
 * empty file now and then. `take(n)` makes the next `n`; the sequence depends on the seed only.
 */
export class Corpus {
  readonly files: CorpusFile[] = [];
  private readonly rng: Rng;
  constructor(
    seed: number,
    private readonly minKb: number,
    private readonly maxKb: number,
  ) {
    this.rng = new Rng(seed);
  }

  take(count: number): CorpusFile[] {
    const rng = this.rng;
    const start = this.files.length;
    for (let n = start; n < start + count; n++) {
      const folder = rng.pick(FOLDERS);
      const name = `${rng.pick(['doc', 'scan', 'акт', 'note'])}-${String(n).padStart(5, '0')}`;
      const rel = `${folder}/${name}.${rng.pick(['pdf', 'txt', 'jpg', 'bin'])}`;
      const content =
        n % 1000 === 7
          ? Buffer.alloc(0)
          : n > 10 && rng.next() < 1 / 60
            ? rng.pick(this.files).content
            : rng.bytes(rng.int(this.minKb * 1024, this.maxKb * 1024));
      this.files.push({
        rel,
        content,
        sha256: createHash('sha256').update(content).digest('hex'),
      });
    }
    return this.files.slice(start);
  }
}

/** Writes `files` under `root`. */
export function writeCorpus(root: string, files: readonly CorpusFile[]): void {
  for (const f of files) {
    const path = join(root, f.rel);
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, f.content);
  }
}

/** Runs `tamga` to completion. */
export function tamga(
  args: readonly string[],
  env: NodeJS.ProcessEnv,
): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [BIN, ...args], {
    env,
    encoding: 'utf8',
    maxBuffer: 256 * 1024 * 1024,
  });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

/**
 * When to kill a `tamga seal` run. Times are milliseconds, counted from the event named:
 * - spawn: after the process is started (node and tsx starting, the vault opening, …);
 * - open: after the process first touched the vault's database (unlock, the counting walk);
 * - blob: after the process wrote its first blob (sealing under way);
 * - commit: after the process started writing its n-th batch to the database's WAL (with ms 0,
 *   at once: before the commit can be durable or acknowledged);
 * - acks: after the `count`-th acknowledgement was read (the next batch being prepared);
 * - none: let it finish.
 */
export type KillPlan =
  | { readonly after: 'spawn' | 'open' | 'blob'; readonly ms: number }
  | { readonly after: 'commit'; readonly n: number; readonly ms: number }
  | { readonly after: 'acks'; readonly count: number; readonly ms: number }
  | { readonly after: 'none' };

/** A line `tamga seal --json` printed. */
export type SealLine =
  | {
      status: 'sealed';
      path: string;
      id: string;
      index: number;
      sha256: string;
      size: number;
    }
  | { status: 'unchanged'; path: string; id: string }
  | { status: 'failed'; path: string; reason: string }
  | { summary: { sealed: number; unchanged: number; failed: unknown[]; deduplicated: number } };

/** What one `tamga seal` run did, with its timeline in milliseconds since it was spawned. */
export interface SealRun {
  /** Complete lines only: a line cut off by the kill was never acknowledged. */
  readonly lines: SealLine[];
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stderr: string;
  /** When the kill was sent, if it was. */
  readonly killedAt: number | null;
  readonly openedAt: number | null;
  readonly firstBlobAt: number | null;
  /** When each batch commit began (the WAL written after the first blob, once per batch). */
  readonly commitsAt: number[];
  /** When each acknowledgement was read. */
  readonly ackTimes: number[];
  readonly endedAt: number;
  /** What had been seen when the kill was sent. */
  readonly seenAtKill: { opened: boolean; blob: boolean; commits: number; acks: number } | null;
}

/**
 * Runs `tamga seal <folder> --json` and kills it as `plan` says. The child's own file activity
 * is watched with inotify (fs.watch): the vault's WAL and shared-memory files, and its temporary
 * blobs (named after its process id) in blobs/tmp.
 */
export function runSeal(
  vault: string,
  folder: string,
  env: NodeJS.ProcessEnv,
  plan: KillPlan,
): Promise<SealRun> {
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    const now = () => performance.now() - t0;
    let openedAt: number | null = null;
    let firstBlobAt: number | null = null;
    let killedAt: number | null = null;
    let seenAtKill: SealRun['seenAtKill'] = null;
    const commitsAt: number[] = [];
    const ackTimes: number[] = [];
    let acksAtLastCommit = -1;
    /** Wall-clock time, rounded up, when the last acknowledgement was read. */
    let lastAckWall = 0;
    const walWrittenSince = (wall: number) => {
      const s = statSync(join(vault, 'vault.db-wal'), { throwIfNoEntry: false });
      return s !== undefined && s.mtimeMs > wall;
    };
    const lines: SealLine[] = [];
    let pending = '';
    let stderr = '';
    let timer: NodeJS.Timeout | undefined;
    const watchers: FSWatcher[] = [];
    let child: ChildProcess;

    const kill = () => {
      if (killedAt !== null || child.exitCode !== null || child.signalCode !== null) return;
      killedAt = now();
      seenAtKill = {
        opened: openedAt !== null,
        blob: firstBlobAt !== null,
        commits: commitsAt.length,
        acks: ackTimes.length,
      };
      child.kill('SIGKILL');
    };
    const arm = (event: 'spawn' | 'open' | 'blob') => {
      if (plan.after === event) timer = setTimeout(kill, plan.ms);
    };
    const later = (ms: number) => {
      if (ms <= 0) kill();
      else timer = setTimeout(kill, ms);
    };

    watchers.push(
      watch(vault, (_event, name) => {
        if (name !== 'vault.db-wal' && name !== 'vault.db-shm') return;
        if (openedAt === null) {
          openedAt = now();
          arm('open');
        }
        // After the first blob the WAL is written only by commits. Events of both folders come
        // in order from one inotify queue, so the first WAL event after the first blob is the
        // first commit. A later commit begins after the previous one was acknowledged, but the
        // acknowledgements come through a pipe, not in order with these events: the WAL must
        // also have been written (mtime) after the last acknowledgement was read.
        if (
          name === 'vault.db-wal' &&
          firstBlobAt !== null &&
          (commitsAt.length === 0 ||
            (ackTimes.length > acksAtLastCommit && walWrittenSince(lastAckWall)))
        ) {
          commitsAt.push(now());
          acksAtLastCommit = ackTimes.length;
          if (plan.after === 'commit' && commitsAt.length === plan.n) later(plan.ms);
        }
      }),
    );
    child = spawn(process.execPath, [BIN, 'seal', folder, '--vault', vault, '--json'], {
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const prefix = `${child.pid}-`;
    watchers.push(
      watch(join(vault, 'blobs', 'tmp'), (_event, name) => {
        if (firstBlobAt === null && name?.startsWith(prefix)) {
          firstBlobAt = now();
          arm('blob');
        }
      }),
    );
    arm('spawn');
    child.stdout!.setEncoding('utf8');
    child.stdout!.on('data', (chunk: string) => {
      pending += chunk;
      let nl = pending.indexOf('\n');
      while (nl >= 0) {
        const line = JSON.parse(pending.slice(0, nl)) as SealLine;
        pending = pending.slice(nl + 1);
        lines.push(line);
        if ('status' in line && line.status === 'sealed') {
          ackTimes.push(now());
          lastAckWall = Date.now() + 1;
          if (plan.after === 'acks' && ackTimes.length === plan.count) later(plan.ms);
        }
        nl = pending.indexOf('\n');
      }
    });
    child.stderr!.setEncoding('utf8');
    child.stderr!.on('data', (chunk: string) => {
      stderr += chunk;
    });
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      for (const w of watchers) w.close();
      resolve({
        lines,
        code,
        signal,
        stderr,
        killedAt,
        openedAt,
        firstBlobAt,
        commitsAt,
        ackTimes,
        endedAt: now(),
        seenAtKill,
      });
    });
  });
}

/** A document record as stored in the vault's database. */
export interface StoredDocument {
  readonly idx: number;
  readonly id: string;
  readonly kind: string;
  readonly path: string;
  readonly sha256: string;
}

/** Reads every record of the vault in log order, and the sizes of its checkpoints; read-only. */
export function readVault(vault: string): {
  records: StoredDocument[];
  checkpoints: Set<number>;
} {
  const db = new Database(join(vault, 'vault.db'), { readonly: true, fileMustExist: true });
  try {
    const records = db
      .prepare(
        "SELECT r.idx, r.id, r.kind, json_extract(r.json, '$.body.path') AS path, " +
          'f.sha256 FROM records r LEFT JOIN record_files f ON f.record_idx = r.idx ORDER BY r.idx',
      )
      .all() as StoredDocument[];
    const sizes = db.prepare('SELECT size FROM checkpoints').pluck().all() as number[];
    return { records, checkpoints: new Set(sizes) };
  } finally {
    db.close();
  }
}

/** Runs `tamga ARGS` in this process (the same `main` as bin/tamga.js), capturing its output. */
export async function tamgaInProcess(
  args: readonly string[],
  env: NodeJS.ProcessEnv,
): Promise<{ status: number; stdout: string; stderr: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const ctx: CommandContext = {
    out: (line) => out.push(line),
    err: (line) => err.push(line),
    interactive: false,
    env,
    cwd: process.cwd(),
    prompt: () => Promise.reject(new Error('no terminal in this test')),
  };
  const status = await main(args, ctx);
  return { status, stdout: out.join('\n'), stderr: err.join('\n') };
}
