/**
 * `tamga trust`: the statement a union publishes so that its proofs can be told from forgeries
 * (src/evidence/trust.ts), and the statements a verifier has pinned (src/cli/trust-store.ts).
 *
 *   tamga trust                 print the vault's statement, its fingerprint and one-line form
 *   tamga trust add FILE        pin a statement someone published (per user, outside any vault)
 *   tamga trust list | remove ORIGIN | fingerprint FILE
 */
import { resolve } from 'node:path';
import type { Command, Option } from 'commander';
import {
  compactTrustStatement,
  formatTrustStatement,
  type TrustStatement,
  trustFingerprint,
} from '../evidence/index.js';
import { refreshTrustFile, vaultStatement } from '../vault/trust-file.js';
import { Vault, writeFileDurably } from '../vault/vault.js';
import { type CommandContext, UsageError, type VaultOptions, vaultDir } from './context.js';
import {
  listPinned,
  pinStatement,
  readStatementArgument,
  trustStoreDir,
  unpinStatement,
} from './trust-store.js';

/** Options of `tamga trust` (show). */
export interface TrustShowOptions extends VaultOptions {
  out?: string;
  url?: string;
  qr?: boolean;
  json?: boolean;
}

/**
 * Prints the vault's trust statement (stdout), with its fingerprint and one-line form (stderr,
 * or only the one-line form with `qr`), writes it to `out` when given, and refreshes the
 * vault's own copy (trust.txt). Resolves to the statement.
 */
export async function trustShowCommand(
  opts: TrustShowOptions,
  ctx: CommandContext,
): Promise<TrustStatement> {
  const vault = await Vault.open(vaultDir(ctx, opts));
  try {
    await refreshTrustFile(vault);
    const statement = vaultStatement(vault, opts.url);
    const text = formatTrustStatement(statement);
    const fingerprint = trustFingerprint(statement);
    const compact = compactTrustStatement(statement);
    if (opts.out) await writeFileDurably(resolve(ctx.cwd, opts.out), text);
    if (opts.json) {
      ctx.out(JSON.stringify({ fingerprint, statement: text, compact }));
    } else if (opts.qr) {
      ctx.out(compact);
    } else {
      for (const line of text.trimEnd().split('\n')) ctx.out(line);
      ctx.err('');
      ctx.err(`Fingerprint: ${fingerprint}`);
      ctx.err(`One line (for a QR code or a message): ${compact}`);
      if (statement.witnesses.quorum === 0) {
        ctx.err(
          'WARNING: the policy needs no witness, so your proofs can give no date. Add witnesses and a quorum (tamga witnesses add, tamga witnesses quorum K), then publish the statement.',
        );
      }
      ctx.err(
        'Publish this statement and its fingerprint now, before anyone needs them: on your website, in your ILO complaint, with a partner abroad, in print. Whoever checks your evidence compares the fingerprint.',
      );
      if (opts.out) ctx.err(`Wrote it to ${resolve(ctx.cwd, opts.out)}.`);
    }
    return statement;
  } finally {
    vault.close();
  }
}

/** `trust add FILE|LINE [--replace]`: pins a statement for its log. Resolves to it. */
export async function trustAddCommand(
  given: string,
  opts: { replace?: boolean },
  ctx: CommandContext,
): Promise<TrustStatement> {
  const statement = await readStatementArgument(ctx, given);
  const changed = await pinStatement(ctx, statement, opts.replace ?? false);
  const fingerprint = trustFingerprint(statement);
  ctx.out(
    `${changed ? 'Pinned' : 'Already pinned'}: ${statement.log.origin}, fingerprint ${fingerprint}`,
  );
  ctx.err(
    `Compare this fingerprint with the one the union published (its website, its complaint, a partner): ${fingerprint}. From now on check-evidence checks this log's bundles under these keys.`,
  );
  if (statement.witnesses.quorum === 0) {
    ctx.err('Note: this statement needs no witness, so its bundles prove no date.');
  }
  return statement;
}

/** `trust list`: the pinned statements, one line each. */
export async function trustListCommand(
  opts: { json?: boolean },
  ctx: CommandContext,
): Promise<TrustStatement[]> {
  const pinned = await listPinned(ctx);
  for (const s of pinned) {
    const line = {
      origin: s.log.origin,
      fingerprint: trustFingerprint(s),
      quorum: s.witnesses.quorum,
      witnesses: s.witnesses.verifierKeys.length,
    };
    ctx.out(
      opts.json
        ? JSON.stringify(line)
        : `${line.origin}  ${line.fingerprint}  (${line.quorum} of ${line.witnesses} witnesses)`,
    );
  }
  if (!opts.json && pinned.length === 0) {
    ctx.err(
      `No trust statement is pinned (in ${trustStoreDir(ctx)}). Pin one: tamga trust add FILE`,
    );
  }
  return pinned;
}

/** `trust remove ORIGIN`. Throws UsageError when none is pinned for it. */
export async function trustRemoveCommand(origin: string, ctx: CommandContext): Promise<void> {
  if (!(await unpinStatement(ctx, origin))) {
    throw new UsageError(`no trust statement is pinned for ${origin} (see tamga trust list)`);
  }
  ctx.out(`Unpinned the trust statement of ${origin}.`);
}

/** `trust fingerprint FILE|LINE`: checks a statement and prints its fingerprint. */
export async function trustFingerprintCommand(given: string, ctx: CommandContext): Promise<string> {
  const statement = await readStatementArgument(ctx, given);
  const fingerprint = trustFingerprint(statement);
  ctx.out(fingerprint);
  ctx.err(
    `${statement.log.origin}: ${statement.witnesses.quorum} of ${statement.witnesses.verifierKeys.length} witnesses`,
  );
  return fingerprint;
}

/** Adds `trust` and its subcommands to `program`. */
export function addTrustCommands(
  program: Command,
  ctx: CommandContext,
  vaultOption: () => Option,
): void {
  const trust = program
    .command('trust')
    .description(
      'the trust statement to publish (log key, witnesses, fingerprint), and the statements you trust',
    )
    .addHelpText(
      'after',
      `
A proof is only as good as the keys it is checked under. Anyone can make a bundle that checks
out under keys of their own; what they cannot do is match the keys the union published before.

At the union:    tamga trust -o trust.txt     publish trust.txt and its fingerprint (six groups
                                              of five digits) where people will find them
At a verifier:   tamga trust add trust.txt    compare the fingerprint it prints with the published one
                 tamga check-evidence BUNDLE  VERIFIED only under the pinned keys

Pinned statements live in $TAMGA_TRUST_DIR, else $XDG_CONFIG_HOME/tamga/trust, else
~/.config/tamga/trust.`,
    );
  trust
    .command('show', { isDefault: true })
    .description("print the vault's trust statement, its fingerprint and its one-line form")
    .addOption(vaultOption())
    .option('-o, --out <file>', 'also write the statement to this file')
    .option('--url <url>', 'the address where the public log is served, written in the statement')
    .option('--qr', 'print only the one-line form (tamga-trust:…), for a QR code')
    .option('--json', 'fingerprint, statement and one-line form as JSON')
    .action(async (o: TrustShowOptions) => {
      await trustShowCommand(o, ctx);
    });
  trust
    .command('add')
    .argument('<statement>', 'a trust statement file, or its one-line form (tamga-trust:…)')
    .description('trust a log: pin the statement it published, for every later check')
    .option('--replace', 'replace a different statement pinned for the same log')
    .action(async (given: string, o: { replace?: boolean }) => {
      await trustAddCommand(given, o, ctx);
    });
  trust
    .command('list')
    .description('the statements you have pinned, with their fingerprints')
    .option('--json', 'one JSON object per line')
    .action(async (o: { json?: boolean }) => {
      await trustListCommand(o, ctx);
    });
  trust
    .command('remove')
    .argument('<origin>', 'the log origin whose statement to unpin')
    .description('stop trusting a log')
    .action(async (origin: string) => {
      await trustRemoveCommand(origin, ctx);
    });
  trust
    .command('fingerprint')
    .argument('<statement>', 'a trust statement file, or its one-line form')
    .description("check a statement and print its fingerprint, to compare with the union's")
    .action(async (given: string) => {
      await trustFingerprintCommand(given, ctx);
    });
}
