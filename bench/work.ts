/**
 * What the file benchmarks (bench/seal, bench/verify) share: the work folder bench/.work/
 * (gitignored), a seeded generator of test folders cached there behind a marker file, running
 * a command with its wall time, CPU time and peak memory, and printing the results.
 */
import { execFileSync, spawn } from 'node:child_process';
import {
  closeSync,
  existsSync,
  mkdirSync,
  openSync,
  readdirSync,
  readFileSync,
  readSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { cpus, freemem, loadavg, totalmem } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository's root. */
export const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');

/** Where benchmarks keep generated folders, vaults and repositories; gitignored. */
export const WORK = join(ROOT, 'bench', '.work');

/** The passphrase of every benchmark vault and restic repository. */
export const PASSPHRASE = 'bench passphrase, not a secret';

/** The tamga command, as a user runs it: node and bin/tamga.js (TypeScript through tsx). */
export const TAMGA = [process.execPath, join(ROOT, 'bin', 'tamga.js')] as const;

/**
 * xoshiro128** (Blackman and Vigna), seeded through splitmix32: fast, 32-bit, and the same
 * sequence on every machine, so a folder generated anywhere holds the same bytes.
 */
export class Prng {
  private a: number;
  private b: number;
  private c: number;
  private d: number;

  constructor(seed: number) {
    let s = seed >>> 0;
    const next = () => {
      s = (s + 0x9e3779b9) >>> 0;
      let z = s;
      z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
      z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
      return (z ^ (z >>> 16)) >>> 0;
    };
    this.a = next();
    this.b = next();
    this.c = next();
    this.d = next();
  }

  /** The next 32 random bits, as an unsigned number. */
  u32(): number {
    const result = Math.imul(rotl(Math.imul(this.b, 5), 7), 9) >>> 0;
    const t = this.b << 9;
    this.c ^= this.a;
    this.d ^= this.b;
    this.b ^= this.c;
    this.a ^= this.d;
    this.c ^= t;
    this.d = rotl(this.d, 11);
    return result;
  }

  /** A whole number from `min` to `max`, both included. */
  int(min: number, max: number): number {
    return min + Math.floor((this.u32() / 0x1_0000_0000) * (max - min + 1));
  }

  /** One of `items`. */
  pick<T>(items: readonly T[]): T {
    return items[this.int(0, items.length - 1)]!;
  }

  /** Fills `out` with random bytes, four at a time. */
  fill(out: Uint8Array): void {
    const words = new Uint32Array(out.buffer, out.byteOffset, out.length >>> 2);
    for (let i = 0; i < words.length; i++) words[i] = this.u32();
    for (let i = words.length * 4; i < out.length; i++) out[i] = this.u32() & 0xff;
  }
}

function rotl(x: number, k: number): number {
  return (x << k) | (x >>> (32 - k));
}

/** A generated folder of random files: how many, how big, from which seed. */
export interface FolderSpec {
  readonly name: string;
  readonly files: number;
  readonly minBytes: number;
  readonly maxBytes: number;
  readonly seed: number;
  /** Files per sub-folder (the folder holds d0000/, d0001/, …). */
  readonly perDir: number;
}

/** What a generated folder holds, as its marker file records it. */
export interface Folder {
  readonly spec: FolderSpec;
  readonly path: string;
  readonly files: number;
  readonly bytes: number;
}

const FOLDER_FORMAT = 1;

/**
 * Returns the folder `spec` describes under bench/.work/, generating it first unless a marker
 * file beside it (`<name>.marker`, JSON, written last; not .json, which `biome check .` would lint) says it is complete and of the same spec.
 * Generation is not timed by the caller; it prints how long it took.
 */
export function ensureFolder(spec: FolderSpec): Folder {
  const path = join(WORK, spec.name);
  const marker = `${path}.marker`;
  const want = JSON.stringify({ format: FOLDER_FORMAT, spec });
  if (existsSync(marker) && existsSync(path)) {
    const m = JSON.parse(readFileSync(marker, 'utf8')) as { key: string } & Folder;
    if (m.key === want) {
      console.log(
        `  reusing ${rel(path)} (${m.files} files, ${mb(m.bytes)}; marker ${rel(marker)})`,
      );
      return { spec, path, files: m.files, bytes: m.bytes };
    }
  }
  rmSync(marker, { force: true });
  rmSync(path, { recursive: true, force: true });
  const t0 = performance.now();
  const prng = new Prng(spec.seed);
  const buffer = new Uint8Array(spec.maxBytes);
  let bytes = 0;
  for (let i = 0; i < spec.files; i++) {
    const dir = join(path, `d${String(Math.floor(i / spec.perDir)).padStart(4, '0')}`);
    if (i % spec.perDir === 0) mkdirSync(dir, { recursive: true });
    const size = prng.int(spec.minBytes, spec.maxBytes);
    const data = buffer.subarray(0, size);
    prng.fill(data);
    writeFileSync(join(dir, `f${String(i).padStart(6, '0')}.bin`), data);
    bytes += size;
  }
  writeFileSync(marker, JSON.stringify({ key: want, files: spec.files, bytes }));
  console.log(
    `  generated ${rel(path)}: ${spec.files} files, ${mb(bytes)} in ${((performance.now() - t0) / 1000).toFixed(1)} s (not timed)`,
  );
  return { spec, path, files: spec.files, bytes };
}

/** Reads every file under `dir` once, so that every contender then reads from the page cache. */
export function warmRead(dir: string): { files: number; bytes: number; seconds: number } {
  const t0 = performance.now();
  const buffer = Buffer.allocUnsafe(1 << 20);
  let files = 0;
  let bytes = 0;
  const visit = (d: string) => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const p = join(d, e.name);
      if (e.isDirectory()) visit(p);
      else if (e.isFile()) {
        const fd = openSync(p, 'r');
        try {
          for (let n = readSync(fd, buffer); n > 0; n = readSync(fd, buffer)) bytes += n;
        } finally {
          closeSync(fd);
        }
        files++;
      }
    }
  };
  visit(dir);
  return { files, bytes, seconds: (performance.now() - t0) / 1000 };
}

/** How one command ran. */
export interface Run {
  readonly label: string;
  readonly command: string;
  /** Wall time, seconds. */
  readonly seconds: number;
  /** CPU time in user and kernel mode, seconds, when /usr/bin/time measured it. */
  readonly user?: number;
  readonly system?: number;
  /** Peak resident set size, bytes. */
  readonly maxRss?: number;
  readonly code: number;
  readonly stderr: string;
}

const GNU_TIME = '/usr/bin/time';

/** True when GNU time is installed (Debian package `time`). */
export function haveGnuTime(): boolean {
  return existsSync(GNU_TIME);
}

/** Returns true when `program` is on the PATH. */
export function onPath(program: string): boolean {
  return (process.env.PATH ?? '')
    .split(':')
    .some((d) => d !== '' && existsSync(join(d, program)) && statSync(join(d, program)).isFile());
}

/** Quotes an argument for display as a shell command. */
export function shellQuote(a: string): string {
  return /^[\w@%+=:,./-]+$/.test(a) ? a : `'${a.replace(/'/g, `'\\''`)}'`;
}

/** Options of `run`. */
export interface RunOptions {
  readonly cwd?: string;
  readonly env?: Readonly<Record<string, string>>;
  /** Exit codes taken as success (default: 0 only). */
  readonly okCodes?: readonly number[];
  /** Where standard output goes: dropped (default), or kept in `Run.stderr` with stderr. */
  readonly keepStdout?: boolean;
}

/**
 * Runs `argv` and measures it: wall time here, CPU time and peak RSS by GNU time when it is
 * installed, else peak RSS by polling the process's VmHWM in /proc. Throws when it fails.
 */
export async function run(
  label: string,
  argv: readonly string[],
  o: RunOptions = {},
): Promise<Run> {
  const timeFile = join(WORK, `.time-${process.pid}`);
  const useTime = haveGnuTime();
  const full = useTime ? [GNU_TIME, '-f', '%e %U %S %M', '-o', timeFile, ...argv] : [...argv];
  const command = argv.map(shellQuote).join(' ');
  let stderr = '';
  let hwm = 0;
  const t0 = process.hrtime.bigint();
  const code = await new Promise<number>((resolve, reject) => {
    const child = spawn(full[0]!, full.slice(1), {
      cwd: o.cwd ?? ROOT,
      env: { ...process.env, ...(o.env ?? {}) },
      stdio: ['ignore', o.keepStdout ? 'pipe' : 'ignore', 'pipe'],
    });
    const keep = (c: Buffer) => {
      stderr += c.toString();
      if (stderr.length > 100_000) stderr = stderr.slice(-50_000);
    };
    child.stderr!.on('data', keep);
    child.stdout?.on('data', keep);
    const poll = useTime
      ? undefined
      : setInterval(() => {
          try {
            const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${child.pid}/status`, 'utf8'));
            if (m) hwm = Math.max(hwm, Number(m[1]) * 1024);
          } catch {
            // gone already
          }
        }, 20);
    child.on('error', reject);
    child.on('close', (c) => {
      if (poll) clearInterval(poll);
      resolve(c ?? -1);
    });
  });
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
  if (!(o.okCodes ?? [0]).includes(code)) {
    throw new Error(`${label}: \`${command}\` exited with ${code}:\n${stderr.slice(-4000)}`);
  }
  if (!useTime) return { label, command, seconds, maxRss: hwm, code, stderr };
  const fields = readFileSync(timeFile, 'utf8').trim().split('\n').pop()!.split(' ').map(Number);
  rmSync(timeFile, { force: true });
  return {
    label,
    command,
    seconds,
    user: fields[1]!,
    system: fields[2]!,
    maxRss: fields[3]! * 1024,
    code,
    stderr,
  };
}

/** Flushes dirty pages, so one contender's writes are not flushed during the next one's run. */
export async function sync(): Promise<void> {
  await run('sync', ['sync']);
}

/** Megabytes (10^6 bytes), for people. */
export function mb(bytes: number): string {
  return bytes >= 1e9 ? `${(bytes / 1e9).toFixed(2)} GB` : `${(bytes / 1e6).toFixed(1)} MB`;
}

/** A path relative to the repository, for people. */
export function rel(path: string): string {
  return path.startsWith(`${ROOT}/`) ? path.slice(ROOT.length + 1) : path;
}

/** Prints rows as an aligned table under `head`. */
export function printTable(head: readonly string[], rows: ReadonlyArray<readonly string[]>): void {
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: readonly string[]) =>
    cells
      .map((c, i) => c.padEnd(widths[i]!))
      .join('  ')
      .trimEnd();
  console.log(line(head));
  for (const r of rows) console.log(line(r));
}

/** Prints runs over `bytes` of input: time, MB/s, CPU, peak RSS, and each one's ratio to `base`. */
export function printRuns(runs: readonly Run[], bytes: number, files: number): void {
  printTable(
    ['contender', 'seconds', 'MB/s', 'files/s', 'CPU user+sys s', 'peak RSS'],
    runs.map((r) => [
      r.label,
      r.seconds.toFixed(2),
      (bytes / 1e6 / r.seconds).toFixed(1),
      (files / r.seconds).toFixed(0),
      r.user === undefined ? '–' : `${(r.user + r.system!).toFixed(2)}`,
      r.maxRss === undefined ? '–' : mb(r.maxRss),
    ]),
  );
}

/**
 * Prints ours ÷ theirs for each pair (above 1.0: Tamga is slower), of wall time and, when GNU
 * time measured it, of CPU time (user + system), which other work on the machine disturbs less.
 */
export function printRatios(
  pairs: ReadonlyArray<readonly [Run | undefined, Run | undefined]>,
): void {
  const cpu = (r: Run) => (r.user === undefined ? undefined : r.user + r.system!);
  for (const [a, b] of pairs) {
    if (!a || !b) continue;
    const ca = cpu(a);
    const cb = cpu(b);
    console.log(
      `  ${a.label} / ${b.label}: ${(a.seconds / b.seconds).toFixed(2)} wall time` +
        (ca !== undefined && cb !== undefined ? `, ${(ca / cb).toFixed(2)} CPU time` : ''),
    );
  }
}

/** The machine, for the record: CPU, cores, memory, and how busy it is already. */
export function describeMachine(): string {
  const cpu = cpus()[0]?.model ?? 'unknown CPU';
  const load = loadavg()
    .map((l) => l.toFixed(2))
    .join(' ');
  return `${cpu}, ${cpus().length} cores, ${mb(totalmem())} RAM (${mb(freemem())} free), load average ${load}`;
}

/** The commit measured, and any uncommitted change under src/ that the figures include. */
export function describeSource(): string {
  try {
    const git = (...args: string[]) =>
      execFileSync('git', args, { cwd: ROOT, encoding: 'utf8' }).trimEnd();
    const changed = git('status', '--short', '--', 'src')
      .split('\n')
      .filter((l) => l !== '');
    return `commit ${git('rev-parse', '--short', 'HEAD')}${changed.length > 0 ? `, with uncommitted changes in src/: ${changed.map((l) => l.slice(3)).join(', ')}` : ', src/ clean'}`;
  } catch {
    return 'not a git checkout';
  }
}

/** The load average now, to show whether something else ran beside a benchmark. */
export function loadNow(): string {
  return `load average ${loadavg()
    .map((l) => l.toFixed(2))
    .join(' ')}`;
}

/** Returns a fresh, empty folder under bench/.work/. */
export function freshDir(name: string): string {
  const path = join(WORK, name);
  rmSync(path, { recursive: true, force: true });
  mkdirSync(dirname(path), { recursive: true });
  return path;
}

/** Bytes used by the files under `path` (apparent size). */
export function duBytes(path: string): number {
  let total = 0;
  const visit = (p: string) => {
    const s = statSync(p);
    if (s.isDirectory()) for (const e of readdirSync(p)) visit(join(p, e));
    else total += s.size;
  };
  if (existsSync(path)) visit(path);
  return total;
}

/** Creates a vault with the real CLI (`tamga init`, scrypt work factor 2^10): not timed. */
export async function initVault(dir: string, origin: string): Promise<void> {
  rmSync(dir, { recursive: true, force: true });
  await run(
    'tamga init',
    [...TAMGA, 'init', '--origin', origin, '--vault', dir, '--scrypt-log-n', '10'],
    {
      env: { TAMGA_PASSPHRASE: PASSPHRASE },
    },
  );
}
