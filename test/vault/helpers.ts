/**
 * Shared pieces of the vault tests: temporary folders, cheap vaults (scrypt 2^10), a captured
 * CommandContext for in-process commands, the `tamga` binary in real processes, and a look at
 * what a vault holds on disk.
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import Database from 'better-sqlite3';
import type { CommandContext } from '../../src/cli/context.js';
import type { VaultKeys } from '../../src/vault/keys.js';
import { Vault } from '../../src/vault/vault.js';

export const ORIGIN = 'tamga.vault-test.example/log';
export const PASSPHRASE = 'Профсоюз 2024, не сдаёмся';
export const BIN = new URL('../../bin/tamga.js', import.meta.url).pathname;

/** A new temporary folder; remove it with `removeTemp`. */
export function tempDir(prefix = 'tamga-vault-test-'): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

export function removeTemp(dir: string): void {
  rmSync(dir, { recursive: true, force: true });
}

/** A vault in `dir` (created), open for writing, with its keys. */
export async function newVault(dir: string): Promise<{ vault: Vault; keys: VaultKeys }> {
  const vault = await Vault.init(dir, { origin: ORIGIN, passphrase: PASSPHRASE, logN: 10 });
  return { vault, keys: await vault.unlock(PASSPHRASE) };
}

/** Writes files under `dir`: relative name → contents. Folders are created as needed. */
export function writeTree(dir: string, files: Record<string, string | Uint8Array>): void {
  for (const [name, data] of Object.entries(files)) {
    const path = join(dir, name);
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, data);
  }
}

/** A CommandContext whose output is captured, with no terminal. */
export interface Captured {
  readonly ctx: CommandContext;
  readonly out: string[];
  readonly err: string[];
}

export function capture(
  cwd: string,
  env: Record<string, string | undefined> = { TAMGA_PASSPHRASE: PASSPHRASE },
): Captured {
  const out: string[] = [];
  const err: string[] = [];
  return {
    out,
    err,
    ctx: {
      out: (line) => out.push(line),
      err: (line) => err.push(line),
      interactive: false,
      env,
      cwd,
      prompt: () => Promise.reject(new Error('a test must not prompt')),
    },
  };
}

/** The outcome of a real `tamga` process. */
export interface CliResult {
  readonly status: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

export interface CliOptions {
  readonly cwd?: string;
  /** Replaces TAMGA_* variables; PATH and HOME are kept. */
  readonly env?: Record<string, string | undefined>;
  readonly input?: string;
}

/** Trust statements pinned by the children of one test file: never the person's own. */
const TRUST_DIR = join(tmpdir(), `tamga-test-trust-${process.pid}-${Date.now()}`);

function childEnv(env: Record<string, string | undefined> | undefined): NodeJS.ProcessEnv {
  const base: NodeJS.ProcessEnv = { TAMGA_TRUST_DIR: TRUST_DIR };
  for (const k of ['PATH', 'HOME', 'TMPDIR', 'LANG']) {
    if (process.env[k] !== undefined) base[k] = process.env[k];
  }
  const extra = env ?? { TAMGA_PASSPHRASE: PASSPHRASE };
  for (const [k, v] of Object.entries(extra)) if (v !== undefined) base[k] = v;
  return base;
}

/** Runs `node bin/tamga.js ...args` and waits for it; standard input is a pipe, not a terminal. */
export function cli(args: readonly string[], options: CliOptions = {}): CliResult {
  const r = spawnSync(process.execPath, [BIN, ...args], {
    cwd: options.cwd ?? tmpdir(),
    env: childEnv(options.env),
    input: options.input ?? '',
    encoding: 'utf8',
    maxBuffer: 64 << 20,
  });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** Like `cli`, without blocking, so that independent commands run side by side. */
export function cliAsync(args: readonly string[], options: CliOptions = {}): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], {
      cwd: options.cwd ?? tmpdir(),
      env: childEnv(options.env),
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => {
      stdout += d;
    });
    child.stderr.setEncoding('utf8').on('data', (d: string) => {
      stderr += d;
    });
    child.on('error', reject);
    child.on('close', (status) => resolve({ status, stdout, stderr }));
    child.stdin.end(options.input ?? '');
  });
}

/** Lines of output, without the empty last one. */
export function lines(text: string): string[] {
  return text.split('\n').filter((l) => l !== '');
}

/** True when `text` looks like it holds a JavaScript stack trace. */
export function hasStackTrace(text: string): boolean {
  return /\n\s+at .+[:(]/.test(text) || /^\s+at /m.test(text);
}

/** True when `text` holds a C0 control character or DEL (a newline, a tab, an escape). */
export function hasControlCharacter(text: string): boolean {
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x20 || c === 0x7f) return true;
  }
  return false;
}

/** The encrypted blob files under `blobs/xx/`, as `xx/<sha256>.age`, sorted. */
export function blobFiles(vaultDir: string): string[] {
  const blobs = join(vaultDir, 'blobs');
  if (!existsSync(blobs)) return [];
  const found: string[] = [];
  for (const d of readdirSync(blobs)) {
    if (!/^[0-9a-f]{2}$/.test(d)) continue;
    for (const f of readdirSync(join(blobs, d))) found.push(`${d}/${f}`);
  }
  return found.sort();
}

/** Files left in blobs/tmp. */
export function tmpBlobs(vaultDir: string): string[] {
  const tmp = join(vaultDir, 'blobs', 'tmp');
  return existsSync(tmp) ? readdirSync(tmp) : [];
}

/** Runs `fn` on the vault's database, opened directly with better-sqlite3 (as an attacker could). */
export function withDatabase<T>(vaultDir: string, fn: (db: Database.Database) => T): T {
  const db = new Database(join(vaultDir, 'vault.db'));
  try {
    return fn(db);
  } finally {
    db.close();
  }
}

/** Counts the rows of a vault table. */
export function countRows(vaultDir: string, table: string): number {
  return withDatabase(
    vaultDir,
    (db) => (db.prepare(`SELECT COUNT(*) AS n FROM ${table}`).get() as { n: number }).n,
  );
}
