/**
 * The witness commands on the command line: `tamga witness …` runs a witness (someone else's
 * server, cosigning this and other logs); `tamga witnesses …` is the vault's side (which
 * witnesses it asks, the quorum, where they stand).
 */
import type { Command, Option } from 'commander';
import { witnessAddLog, witnessInit, witnessServe, witnessTrust } from '../witness/commands.js';
import { type CommandContext, port, UsageError } from './context.js';
import {
  witnessesAddCommand,
  witnessesAlarmsCommand,
  witnessesListCommand,
  witnessesPolicyCommand,
  witnessesQuorumCommand,
  witnessesRemoveCommand,
  witnessesSyncCommand,
} from './witnesses.js';

function count(value: string): number {
  const n = Number(value);
  if (!Number.isSafeInteger(n) || n < 0)
    throw new UsageError(`expected a whole number of witnesses, got "${value}"`);
  return n;
}

/** Adds `witness` and `witnesses` to `program`. */
export function addWitnessCommands(
  program: Command,
  ctx: CommandContext,
  setExit: (code: number) => void,
  vaultOption: () => Option,
): void {
  const witness = program
    .command('witness')
    .description(
      'run a witness: cosign the checkpoints of logs you watch (C2SP tlog-witness), refusing any rewritten history',
    )
    .addHelpText(
      'after',
      `
A witness is run by an organisation independent of the vault (a global union, a law firm):
  tamga witness init --dir ./witness --name witness.example.org/w1     prints the verifier key
  tamga witness add-log --dir ./witness <the log's verifier key>       trust a log
  tamga witness serve --dir ./witness --host 0.0.0.0 --port 7380       answer add-checkpoint
Give the printed verifier key and the URL to the vault's operator (tamga witnesses add).`,
    );
  witness
    .command('init')
    .description(
      'create a witness with a new cosigning key; prints its verifier key on a line of its own',
    )
    .requiredOption('--dir <dir>', 'the witness directory (created)')
    .requiredOption(
      '--name <name>',
      'the witness name: a URL-like name you control, e.g. witness.example.org/w1',
    )
    .action(async (o: { dir: string; name: string }) => {
      await witnessInit(o, ctx);
    });
  witness
    .command('add-log')
    .argument('<vkey>', "the log's verifier key (its name is the log's origin)")
    .description('witness one more log, or trust one more key of a log')
    .requiredOption('--dir <dir>', 'the witness directory')
    .action(async (vkey: string, o: { dir: string }) => {
      await witnessAddLog({ dir: o.dir, vkey }, ctx);
    });
  witness
    .command('serve')
    .description('serve POST /add-checkpoint (C2SP tlog-witness) and GET /checkpoints/<origin>')
    .requiredOption('--dir <dir>', 'the witness directory')
    .option('--host <host>', 'address to listen on', '127.0.0.1')
    .option('--port <port>', 'port to listen on (0: any free port)', port, 7380)
    .option('--prefix <path>', 'URL prefix of the routes, such as /witness')
    .option('--log', 'log each request')
    .action(
      async (o: { dir: string; host: string; port: number; prefix?: string; log?: boolean }) => {
        await witnessServe(
          {
            dir: o.dir,
            host: o.host,
            port: o.port,
            log: o.log ?? false,
            ...(o.prefix === undefined ? {} : { prefix: o.prefix }),
          },
          ctx,
        );
      },
    );

  witness
    .command('trust')
    .description(
      "print the witness's key statement and fingerprint, to give to the unions it witnesses and to those who check them",
    )
    .requiredOption('--dir <dir>', 'the witness directory')
    .action(async (o: { dir: string }) => {
      await witnessTrust(o, ctx);
    });

  const witnesses = program
    .command('witnesses')
    .description(
      "the vault's witnesses: who cosigns its checkpoints, the quorum, and where each stands",
    )
    .addHelpText(
      'after',
      `
After each checkpoint, sealing and \`tamga serve\` ask every witness to cosign it (never waiting
on them); unreachable witnesses are retried with backoff. A witness that refuses the vault's
history raises an ALARM, kept with its evidence (tamga witnesses alarms).`,
    );
  witnesses
    .command('add')
    .argument('<name>', "the witness's name, as its verifier key carries it")
    .argument('<vkey>', "the witness's verifier key (printed by tamga witness init)")
    .argument('<url>', 'where it answers, e.g. https://witness.example.org/w1')
    .description('ask one more witness to cosign')
    .addOption(vaultOption())
    .action(async (name: string, vkey: string, url: string, o: { vault?: string }) => {
      await witnessesAddCommand(name, vkey, url, o, ctx);
    });
  witnesses
    .command('remove')
    .argument('<name>')
    .description('stop asking a witness (its past cosignatures stay)')
    .addOption(vaultOption())
    .action(async (name: string, o: { vault?: string }) => {
      await witnessesRemoveCommand(name, o, ctx);
    });
  witnesses
    .command('quorum')
    .argument('<k>', 'how many witnesses must cosign a checkpoint', count)
    .description('set how many witnesses must cosign a checkpoint for it to count')
    .addOption(vaultOption())
    .action(async (k: number, o: { vault?: string }) => {
      await witnessesQuorumCommand(k, o, ctx);
    });
  witnesses
    .command('list', { isDefault: true })
    .description('each witness and where it stands (what `tamga witnesses` alone shows)')
    .addOption(vaultOption())
    .option('--json', 'the status as JSON')
    .action(async (o: { vault?: string; json?: boolean }) => {
      await witnessesListCommand(o, ctx);
    });
  witnesses
    .command('sync')
    .description(
      'ask every witness now to cosign the latest checkpoint; exit 1 below the quorum or on an alarm',
    )
    .addOption(vaultOption())
    .option('--json', 'the outcomes as JSON')
    .action(async (o: { vault?: string; json?: boolean }) => {
      setExit((await witnessesSyncCommand(o, ctx)) ? 0 : 1);
    });
  witnesses
    .command('policy')
    .description('print the witness policy (sigsum policy format), for verifiers to pin')
    .addOption(vaultOption())
    .option('--url <url>', "the public log's URL, to write on the log line")
    .action(async (o: { vault?: string; url?: string }) => {
      await witnessesPolicyCommand(o, ctx);
    });
  witnesses
    .command('alarms')
    .description('refusals and conflicts reported by witnesses, newest first, kept as evidence')
    .addOption(vaultOption())
    .option('--json', 'one JSON object per alarm, with its evidence')
    .action(async (o: { vault?: string; json?: boolean }) => {
      setExit((await witnessesAlarmsCommand(o, ctx)) > 0 ? 1 : 0);
    });
}
