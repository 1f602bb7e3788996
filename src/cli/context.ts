/**
 * What every vault command shares: where the vault is, how the passphrase is read, and where
 * output goes. Commands take a `CommandContext`, so tests run them in-process with captured
 * output and no terminal.
 */
import { resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { Writable } from 'node:stream';
import { KeyError } from '../vault/errors.js';

/** Output and input of a command. */
export interface CommandContext {
  /** Writes one line to standard output. */
  out(line: string): void;
  /** Writes one line to standard error. */
  err(line: string): void;
  /** True when standard error is a terminal (progress bars) and standard input can prompt. */
  readonly interactive: boolean;
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly cwd: string;
  /** Asks for a secret without echoing it. */
  prompt(question: string): Promise<string>;
  /** Asks a question whose answer may be shown; absent where no one can answer. */
  ask?(question: string): Promise<string>;
}

/** Options every vault command accepts. */
export interface VaultOptions {
  vault?: string;
}

/** The vault directory: --vault, else TAMGA_VAULT, else ./tamga-vault. */
export function vaultDir(ctx: CommandContext, opts: VaultOptions): string {
  return resolve(ctx.cwd, opts.vault ?? ctx.env.TAMGA_VAULT ?? 'tamga-vault');
}

/**
 * The vault passphrase: TAMGA_PASSPHRASE, else a prompt on the terminal. Throws KeyError when
 * neither is possible, saying how to provide it.
 */
export async function passphrase(
  ctx: CommandContext,
  question = 'Vault passphrase: ',
): Promise<string> {
  const fromEnv = ctx.env.TAMGA_PASSPHRASE;
  if (fromEnv !== undefined && fromEnv !== '') return fromEnv;
  if (!ctx.interactive) {
    throw new KeyError(
      'keys.no-passphrase',
      'this command needs the vault passphrase: run it in a terminal, or set TAMGA_PASSPHRASE',
    );
  }
  return ctx.prompt(question);
}

/** Reads a line from the terminal without echoing it. */
export function promptHidden(question: string): Promise<string> {
  process.stderr.write(question);
  const silent = new Writable({ write: (_chunk, _encoding, done) => done() });
  const rl = createInterface({ input: process.stdin, output: silent, terminal: true });
  return new Promise((resolvePromise) => {
    rl.question('', (answer) => {
      rl.close();
      process.stderr.write('\n');
      resolvePromise(answer);
    });
  });
}

/** Reads a line from the terminal, echoing it. */
export function askVisible(question: string): Promise<string> {
  const rl = createInterface({ input: process.stdin, output: process.stderr, terminal: true });
  return new Promise((resolvePromise) => {
    rl.question(question, (answer) => {
      rl.close();
      resolvePromise(answer.trim());
    });
  });
}

/** The context of a real process: its streams, environment and working directory. */
export function processContext(): CommandContext {
  return {
    out: (line) => process.stdout.write(`${line}\n`),
    err: (line) => process.stderr.write(`${line}\n`),
    interactive: Boolean(process.stderr.isTTY && process.stdin.isTTY),
    env: process.env,
    cwd: process.cwd(),
    prompt: promptHidden,
    ask: askVisible,
  };
}

/** Formats a byte count for people: 1.5 MB, 320 KB. */
export function formatBytes(n: number): string {
  if (n < 1000) return `${n} B`;
  const units = ['KB', 'MB', 'GB', 'TB'];
  let v = n;
  let u = -1;
  while (v >= 1000 && u < units.length - 1) {
    v /= 1000;
    u++;
  }
  return `${v.toFixed(v < 10 ? 1 : 0)} ${units[u]}`;
}

/** A mistake on the command line: exit code 2. */
export class UsageError extends Error {}

/**
 * Returns `text` safe to print on one terminal line: control characters (a newline in a file
 * name, an escape sequence) are shown as \xNN instead of acting on the terminal.
 */
export function printable(text: string): string {
  return text.replace(
    // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what we escape.
    /[\u0000-\u001f\u007f-\u009f]/g,
    (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`,
  );
}

/** Parses a positive whole number option. Throws UsageError for anything else. */
export function positiveInteger(value: string): number {
  const n = Number(value);
  if (!Number.isSafeInteger(n) || n < 1)
    throw new UsageError(`expected a positive whole number, got "${value}"`);
  return n;
}

/** Parses a port option, 0 to 65535 (0: any free port). Throws UsageError for anything else. */
export function port(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0 || n > 65535)
    throw new UsageError(`expected a port from 0 to 65535, got "${value}"`);
  return n;
}
