/**
 * The `tamga` command. Each subcommand lives in its own file and exports a function that takes
 * options, so tests call it directly; this file only wires them to the command line and turns
 * Tamga's own errors into one clear line and an exit code, never a stack trace.
 */
import { Command, CommanderError } from 'commander';
import { TamgaError } from '../log/errors.js';
import { installNodeCrypto } from '../platform/node-crypto.js';
import { runDemo } from './demo.js';

/** Exit codes, as documented in `tamga --help`. */
export const EXIT = { ok: 0, failed: 1, usage: 2 } as const;

function positiveInteger(value: string): number {
  const n = Number(value);
  if (!Number.isSafeInteger(n) || n < 1)
    throw new CommanderError(
      EXIT.usage,
      'tamga.usage',
      `expected a positive whole number, got "${value}"`,
    );
  return n;
}

/** Builds the command-line program. */
export function buildProgram(): Command {
  // Set before adding subcommands, which inherit it: errors come back to `main` as exceptions.
  const program = new Command('tamga')
    .exitOverride()
    .description(
      'Seal records into a witnessed, append-only Merkle log, and prove what they said, and since when.',
    )
    .addHelpText(
      'after',
      `
Exit codes:
  0  success
  1  the operation failed (a check did not pass, a file could not be read)
  2  bad usage (unknown command, invalid option)

Design and formats: docs/design.md`,
    );
  program
    .command('demo')
    .description(
      'seal two batches of records into a tiled log on disk, have two witnesses cosign, prove a record, refuse a forgery and a fork',
    )
    .option('--dir <dir>', 'where to write the log (default: a new temporary directory)')
    .option('--records <n>', 'records in the first batch', positiveInteger, 1000)
    .action(async (opts: { dir?: string; records: number }) => {
      await runDemo({
        records: opts.records,
        ...(opts.dir === undefined ? {} : { dir: opts.dir }),
      });
    });
  return program;
}

/** Runs the program on `argv` and returns the exit code. */
export async function main(argv: readonly string[]): Promise<number> {
  installNodeCrypto();
  const program = buildProgram();
  try {
    await program.parseAsync(argv, { from: 'user' });
    return EXIT.ok;
  } catch (e) {
    if (e instanceof CommanderError) {
      if (e.code === 'commander.helpDisplayed' || e.code === 'commander.version') return EXIT.ok;
      if (e.code === 'tamga.usage') console.error(`tamga: ${e.message}`);
      return EXIT.usage;
    }
    if (e instanceof TamgaError) {
      console.error(`tamga: ${e.message}`);
      return EXIT.failed;
    }
    if (e instanceof Error && 'code' in e && typeof e.code === 'string' && e.code.startsWith('E')) {
      // A system error (ENOENT, EACCES, ENOSPC …): its message names the file and the cause.
      console.error(`tamga: ${e.message}`);
      return EXIT.failed;
    }
    throw e;
  }
}
