/**
 * The `tamga` command. Each subcommand lives in its own file and exports a function that takes
 * options and a CommandContext, so tests call it directly; this file only wires them to the
 * command line and turns Tamga's own errors into one clear line and an exit code, never a
 * stack trace.
 */
import { resolve } from 'node:path';
import { Command, CommanderError, Option } from 'commander';
import { TamgaError } from '../log/errors.js';
import { installNodeCrypto } from '../platform/node-crypto.js';
import { serveCommand } from '../server/serve.js';
import { addCommand } from './add.js';
import { addBooksCommands } from './books.js';
import { configCommand } from './config.js';
import {
  type CommandContext,
  port,
  positiveInteger,
  processContext,
  UsageError,
  vaultDir,
} from './context.js';
import { runDemo } from './demo.js';
import { checkEvidenceCommand, evidenceCommand } from './evidence.js';
import { fsckCommand } from './fsck.js';
import { initCommand } from './init.js';
import {
  mirrorPullCommand,
  mirrorRevokeCommand,
  mirrorToken,
  mirrorTokenCommand,
  mirrorTokensCommand,
} from './mirror.js';
import { getCommand, lsCommand, showCommand } from './records.js';
import { restoreCommand } from './restore.js';
import { sealCommand } from './seal.js';
import { TAKEOVER_FLAG, type TakeoverCommandOptions, takeoverCommand } from './takeover.js';
import { addTrustCommands } from './trust.js';
import { verifyCommand } from './verify.js';
import { addWitnessCommands } from './witness-commands.js';

/** Exit codes, as documented in `tamga --help`. */
export const EXIT = { ok: 0, failed: 1, usage: 2, unconfirmed: 3 } as const;

const collect = (value: string, previous: string[] = []) => [...previous, value];

const VAULT_HELP = 'the vault directory (default: $TAMGA_VAULT, else ./tamga-vault)';

/** Builds the command-line program; `setExit` receives each command's exit code. */
export function buildProgram(ctx: CommandContext, setExit: (code: number) => void): Command {
  // Set before adding subcommands, which inherit it: errors come back to `main` as exceptions.
  const program = new Command('tamga')
    .exitOverride()
    .configureOutput({
      writeOut: (s) => ctx.out(s.trimEnd()),
      writeErr: (s) => ctx.err(s.trimEnd()),
    })
    .description(
      'Seal records into a witnessed, append-only Merkle log, and prove what they said, and since when.',
    )
    .addHelpText(
      'after',
      `
Every vault command finds the vault with --vault DIR, else $TAMGA_VAULT, else ./tamga-vault,
and reads the passphrase from $TAMGA_PASSPHRASE, else asks for it on the terminal.

Exit codes:
  0  success: everything sealed, verified or checked
  1  the work failed or found a problem (a file not sealed, a failed check, a wrong passphrase)
  2  bad usage (unknown command, invalid option, missing argument)
  3  check-evidence: UNCONFIRMED, the proofs hold only under keys that came with the bundle

Start: tamga init --origin union.example/log   then   tamga seal ./scans
Design and formats: docs/design.md`,
    );
  const vaultOption = () => new Option('--vault <dir>', VAULT_HELP);
  const witnessWaitOption = () =>
    new Option(
      '--witness-wait <seconds>',
      'seconds to give the witnesses to cosign the last checkpoint before exiting (sealing never waits on them)',
    )
      .argParser((v) => positiveInteger(String(Number(v) + 1)) - 1)
      .default(10);

  program
    .command('init')
    .argument('[dir]', 'where to create the vault (default: as --vault)')
    .description(
      'create a vault: fresh log signing key and encryption key, in a key file protected by the passphrase; prints the verifier key to publish',
    )
    .addOption(vaultOption())
    .option(
      '--origin <name>',
      "the log's name, a domain-like name you control, e.g. union.example/log",
    )
    .option(
      '--author <name>',
      'the person records sealed from the command line name as their author (tamga config author changes it)',
    )
    .addOption(
      new Option('--scrypt-log-n <n>', 'scrypt work factor of the key file (tests only)')
        .argParser(positiveInteger)
        .hideHelp(),
    )
    .addOption(
      new Option(
        '--allow-weak-passphrase',
        'accept a guessable passphrase (tests and demos only)',
      ).hideHelp(),
    )
    .action(
      async (
        dir: string | undefined,
        o: {
          vault?: string;
          origin?: string;
          author?: string;
          scryptLogN?: number;
          allowWeakPassphrase?: boolean;
        },
      ) => {
        await initCommand(dir, { ...o, ...(o.scryptLogN ? { logN: o.scryptLogN } : {}) }, ctx);
      },
    );

  program
    .command('seal')
    .argument('<path...>', 'files and folders to seal')
    .description(
      'seal files: encrypt each into the vault and commit a document record to the log; re-running skips what is sealed and unchanged',
    )
    .addOption(vaultOption())
    .option('--tag <tag>', 'tag every record (repeatable)', collect)
    .option('--meta <key=value>', 'metadata for every record (repeatable)', collect)
    .option(
      '--document-date <date>',
      'the date the documents bear (YYYY-MM-DD, YYYY-MM or YYYY), recorded as their own claim beside the proven time',
    )
    .option(
      '--date-from-name',
      "read each document's date from its file name (2016-03-12, 2016_03_12, 20160312, 12.03.2016, 2016-03); else --document-date",
    )
    .option(
      '--author <name>',
      "who seals (default: $TAMGA_AUTHOR, else the vault's author: tamga config author)",
    )
    .option('--json', 'one JSON line per file, then a summary')
    .option('-q, --quiet', 'print only the summary')
    .addOption(witnessWaitOption())
    .action(async (paths: string[], o) => {
      const summary = await sealCommand(paths, o, ctx);
      setExit(summary.failed.length > 0 ? EXIT.failed : EXIT.ok);
    });

  program
    .command('add')
    .description(
      'seal a record of any kind from JSON (the body, or {body, files, refs, author}), checked against its schema',
    )
    .addOption(vaultOption())
    .requiredOption(
      '--kind <kind>',
      'document, transaction, incident, asset, correction, seizure or activity',
    )
    .requiredOption('--json <file>', 'the JSON file, or - for standard input')
    .option(
      '--author <name>',
      "who writes the record (default: $TAMGA_AUTHOR, else the vault's author: tamga config author)",
    )
    .addOption(witnessWaitOption())
    .action(async (o) => {
      await addCommand(o, ctx);
    });

  program
    .command('ls')
    .description('list records, oldest first; activity records only with --kind activity')
    .addOption(vaultOption())
    .option('--kind <kind>', 'only records of this kind')
    .option('--tag <tag>', 'only records with this tag')
    .option('--from <date>', 'created on or after (YYYY-MM-DD or RFC 3339)')
    .option('--to <date>', 'created on or before')
    .option(
      '--text <words>',
      'words in names, paths, tags or metadata, in any case and word form; key=value for a metadata entry; "quotes" keep a phrase',
    )
    .option('--limit <n>', 'at most this many', positiveInteger, 1000)
    .option('--offset <n>', 'skip this many', (v) => positiveInteger(String(Number(v) + 1)) - 1, 0)
    .option('--json', 'one JSON object per line')
    .action(async (o) => {
      await lsCommand(o, ctx);
    });

  program
    .command('config')
    .argument('<setting>', 'author: who records sealed from the command line name as their author')
    .argument('[value]', 'the new value; without it, the current one is printed')
    .description('show or set a vault setting (kept in the vault, so every copy has it)')
    .addOption(vaultOption())
    .action(async (setting: string, value: string | undefined, o) => {
      await configCommand(setting, value, o, ctx);
    });

  program
    .command('show')
    .argument('<id>', 'record id (or log entry number)')
    .description('show a record and how it is proven')
    .addOption(vaultOption())
    .option('--json', 'as JSON, with salt and proof')
    .action(async (id: string, o) => {
      await showCommand(id, o, ctx);
    });

  program
    .command('get')
    .argument('<id>', 'record id')
    .description("decrypt a record's file out of the vault")
    .addOption(vaultOption())
    .requiredOption('--out <path>', 'where to write it (written only once fully checked)')
    .option('--file <name>', 'which file, when the record has several')
    .action(async (id: string, o) => {
      await getCommand(id, o, ctx);
    });

  program
    .command('verify')
    .argument('<path...>', 'files or folders to check')
    .description(
      'say for each file whether this vault holds it, as which record, and since when it is proven',
    )
    .addOption(vaultOption())
    .option('--json', 'one JSON line per file')
    .action(async (paths: string[], o) => {
      const results = await verifyCommand(paths, o, ctx);
      setExit(results.every((r) => r.status === 'sealed') ? EXIT.ok : EXIT.failed);
    });

  program
    .command('evidence')
    .argument('[id...]', 'record ids to disclose')
    .description(
      'write an evidence bundle: the chosen records, their salts and proofs, and a signed checkpoint, checkable without the vault',
    )
    .addOption(vaultOption())
    .requiredOption(
      '-o, --out <out>',
      'a folder (evidence.json, proofs/, README.txt, verifier.html, and files/ with --with-files), or a .json file',
    )
    .option('--tag <tag>', 'disclose every record with this tag')
    .option('--file <file>', 'disclose the records of this file (repeatable)', collect)
    .option('--with-files', 'include the files themselves (decrypted; needs the passphrase)')
    .action(async (ids: string[], o) => {
      await evidenceCommand(ids, o, ctx);
    });

  program
    .command('check-evidence')
    .argument('<bundle>', 'an evidence bundle: its folder, its .json file, or its .zip archive')
    .argument('[files...]', 'files to check against the disclosed records')
    .description(
      'check an evidence bundle with no vault: records, salts, proofs, signatures, witnesses and files',
    )
    .option('--json', 'the verdict as JSON')
    .option(
      '--trust <statement>',
      "the union's published trust statement (its file, or its tamga-trust:… line); default: the one pinned for the bundle's log with `tamga trust add`",
    )
    .option(
      '--policy <file>',
      "the witness policy you trust (sigsum policy format, e.g. from `tamga witnesses policy`), instead of the bundle's own",
    )
    .option('--log-key <vkey>', "the log's verifier key you trust, instead of the bundle's own")
    .addHelpText(
      'after',
      `
Verdicts (and exit codes):
  VERIFIED       0  every check held under keys you trust (--trust, or a pinned statement);
                    only then is a date given, from the trusted witnesses' cosignatures
  NOT VERIFIED   1  a check failed, or a file given is not one the bundle discloses
  UNCONFIRMED    3  the proofs are consistent, but under keys that came with the bundle, which
                    anyone can make: no date. Compare the fingerprint it prints with the union's.`,
    )
    .action(async (bundle: string, files: string[], o) => {
      const result = await checkEvidenceCommand(bundle, files, o, ctx);
      setExit(
        result.outcome === 'verified'
          ? EXIT.ok
          : result.outcome === 'unconfirmed'
            ? EXIT.unconfirmed
            : EXIT.failed,
      );
    });

  program
    .command('fsck')
    .description(
      'check the whole vault: commitments, tree, tiles, checkpoint signatures, every encrypted file, the log key against trust statements, and rollback against witnesses and mirrors',
    )
    .addOption(vaultOption())
    .option(
      '--no-blobs',
      'check files are present but do not decrypt them, nor read the key file (no passphrase needed)',
    )
    .option(
      '--trust <file>',
      "compare the log's key with this trust statement, as your union published it (a file, or its tamga-trust:… line)",
    )
    .option(
      '--online',
      'ask each witness what it holds of this log now, to find a rollback the vault hides (network)',
    )
    .option('--json', 'the report as JSON')
    .action(async (o) => {
      const report = await fsckCommand(o, ctx);
      setExit(report.ok ? EXIT.ok : EXIT.failed);
    });

  program
    .command('serve')
    .description(
      'serve the public log (C2SP tlog-tiles: checkpoint, tiles, entries) and nothing private',
    )
    .addOption(vaultOption())
    .option('--host <host>', 'address to listen on', '127.0.0.1')
    .option('--port <port>', 'port to listen on (0: any free port)', port, 8080)
    .option('--log', 'log each request')
    .option(
      '--mirror <dir>',
      'serve this mirror directory (read-only) instead of the vault: its public log, and its private data to --token',
    )
    .option(
      '--token <token>',
      'with --mirror: the one token its private routes accept (default: $TAMGA_MIRROR_TOKEN; none: they are off)',
    )
    .action(
      async (o: {
        vault?: string;
        host: string;
        port: number;
        log?: boolean;
        mirror?: string;
        token?: string;
      }) => {
        const token = o.mirror === undefined ? undefined : mirrorToken(o.token, ctx);
        await serveCommand(
          {
            vault: vaultDir(ctx, o),
            host: o.host,
            port: o.port,
            log: o.log ?? false,
            ...(o.mirror === undefined ? {} : { mirror: resolve(ctx.cwd, o.mirror) }),
            ...(token === undefined ? {} : { token }),
          },
          ctx,
        );
      },
    );

  // --- mirrors and restore (docs/mirror.md) ---
  const mirror = program
    .command('mirror')
    .description('partners hold verified, encrypted copies of the vault: tokens, and pulling');
  mirror
    .command('token')
    .description('issue a token a mirror shows to fetch the encrypted private data; printed once')
    .addOption(vaultOption())
    .option('--label <label>', 'a name for the mirror, to list and revoke it by')
    .action(async (o: { vault?: string; label?: string }) => {
      await mirrorTokenCommand(o, ctx);
    });
  mirror
    .command('tokens')
    .description(
      'list the mirror tokens issued: id, label, when, revoked or not (never the tokens)',
    )
    .addOption(vaultOption())
    .option('--json', 'one JSON object per line')
    .action(async (o: { vault?: string; json?: boolean }) => {
      await mirrorTokensCommand(o, ctx);
    });
  mirror
    .command('revoke')
    .argument('<which>', 'the token id, or its label')
    .description('revoke a mirror token, at once')
    .addOption(vaultOption())
    .action(async (which: string, o: { vault?: string }) => {
      await mirrorRevokeCommand(which, o, ctx);
    });
  mirror
    .command('pull')
    .argument('<url>', 'the vault or served mirror, e.g. https://vault.union.example/')
    .description(
      'fetch the log and the encrypted private data into a mirror directory, verified (signature, root, consistency, cosignatures); resumes where it stopped; refuses and keeps a fork',
    )
    .option('--into <dir>', 'the mirror directory (default: $TAMGA_MIRROR, else ./tamga-mirror)')
    .option('--token <token>', 'the mirror token (default: $TAMGA_MIRROR_TOKEN)')
    .option(
      '--vkey <vkey>',
      "on the first pull, the log's verifier key to pin (default: the server's)",
    )
    .option('--accept-policy', 'adopt the witness policy the log now publishes')
    .option('--concurrency <n>', 'files fetched at once', positiveInteger, 8)
    .option('--json', 'the report as JSON')
    .action(async (url: string, o) => {
      await mirrorPullCommand(url, o, ctx);
    });
  program
    .command('restore')
    .description(
      'rebuild a vault from a mirror (directory or URL) with the key file and passphrase: records, checkpoints, witnesses and files, each checked against the log',
    )
    .requiredOption(
      '--from <url|dir>',
      'a mirror directory, or the URL of a vault or served mirror',
    )
    .addOption(vaultOption())
    .option('--key <file>', "the vault's key file (default: the copy the mirror holds)")
    .option('--token <token>', 'for a URL: the mirror token (default: $TAMGA_MIRROR_TOKEN)')
    .option('--concurrency <n>', 'files fetched and decrypted at once', positiveInteger, 4)
    .option('--json', 'the report as JSON')
    .action(async (o) => {
      await restoreCommand(o, ctx);
    });
  program
    .command('takeover')
    .description(
      'make a restored vault the log, for good: until then it is a read-only copy that seals nothing; after it, the witnesses refuse the original, which must never seal again',
    )
    .addOption(vaultOption())
    .option(TAKEOVER_FLAG, "confirm without a terminal (on one, you type the log's origin instead)")
    .action(async (o: TakeoverCommandOptions) => {
      await takeoverCommand(o, ctx);
    });

  addWitnessCommands(program, ctx, setExit, vaultOption);
  addTrustCommands(program, ctx, vaultOption);
  addBooksCommands(program, ctx, setExit, vaultOption);

  program
    .command('demo')
    .description(
      'the log core on its own: two batches in a tiled log on disk, two witnesses, a proof, a forgery and a fork refused',
    )
    .option('--dir <dir>', 'where to write the log (default: a new temporary directory)')
    .option('--records <n>', 'records in the first batch', positiveInteger, 1000)
    .action(async (o: { dir?: string; records: number }) => {
      await runDemo(
        { records: o.records, ...(o.dir === undefined ? {} : { dir: o.dir }) },
        ctx.out,
      );
    });
  return program;
}

/** Runs the program on `argv` and returns the exit code. */
export async function main(
  argv: readonly string[],
  ctx: CommandContext = processContext(),
): Promise<number> {
  installNodeCrypto();
  let code: number = EXIT.ok;
  const program = buildProgram(ctx, (c) => {
    code = c;
  });
  try {
    await program.parseAsync(argv, { from: 'user' });
    return code;
  } catch (e) {
    if (e instanceof CommanderError) {
      return e.code === 'commander.helpDisplayed' || e.code === 'commander.version'
        ? EXIT.ok
        : EXIT.usage;
    }
    if (e instanceof UsageError) {
      ctx.err(`tamga: ${e.message}`);
      return EXIT.usage;
    }
    if (e instanceof TamgaError) {
      ctx.err(`tamga: ${e.message}`);
      return EXIT.failed;
    }
    if (e instanceof Error && e.name === 'SqliteError') {
      // The database refused a write (full disk, I/O error, locked): the transaction was rolled
      // back, so nothing half-written remains.
      const full = 'code' in e && (e.code === 'SQLITE_FULL' || e.code === 'SQLITE_IOERR_WRITE');
      ctx.err(
        `tamga: ${full ? 'the disk is full; the last batch was not kept, everything before it is safe. ' : ''}the vault database failed: ${e.message}`,
      );
      return EXIT.failed;
    }
    if (
      e instanceof Error &&
      'code' in e &&
      typeof e.code === 'string' &&
      /^E[A-Z]+$/.test(e.code)
    ) {
      // A system error (ENOENT, EACCES, ENOSPC …): its message names the file and the cause.
      ctx.err(
        `tamga: ${e.code === 'ENOSPC' ? 'the disk is full; nothing unacknowledged was kept. ' : ''}${e.message}`,
      );
      return EXIT.failed;
    }
    throw e;
  }
}
