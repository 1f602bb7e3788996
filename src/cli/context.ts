/**
 * What every vault command shares: where the vault is, how the passphrase is read, and where
 * output goes. Commands take a `CommandContext`, so tests run them in-process with captured
 * output and no terminal.
 *
 * Output is where untrusted text (record ids and names from a bundle, a statement's payment
 * purposes, file names, a witness's answers) meets the terminal, so the real process context
 * makes every line inert (src/records/printable.ts): no command can forget to. A command that
 * prints one untrusted value inside a line still wraps it in `printable`, which also escapes
 * the line breaks that the output layer has to keep.
 */
import { resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { Writable } from 'node:stream';
import { writeLine } from '../platform/terminal.js';
import { formatByteSize } from '../records/byte-size.js';
import { KeyError } from '../vault/errors.js';

export { printable } from '../records/printable.js';

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

/**
 * The context of a real process: its streams, environment and working directory. Every line
 * written goes through `writeLine`, so what a command prints cannot act on the terminal.
 */
export function processContext(): CommandContext {
  return {
    out: (line) => writeLine(process.stdout, line),
    err: (line) => writeLine(process.stderr, line),
    interactive: Boolean(process.stderr.isTTY && process.stdin.isTTY),
    env: process.env,
    cwd: process.cwd(),
    prompt: promptHidden,
    ask: askVisible,
  };
}

/**
 * Formats a byte count for people, in decimal units: 386 B, 1.5 MB (10^6 bytes), as the web app
 * writes it too (src/records/byte-size.ts).
 */
export function formatBytes(n: number): string {
  return formatByteSize(n);
}

/** A mistake on the command line: exit code 2. */
export class UsageError extends Error {}

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
