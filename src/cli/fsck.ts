/**
 * `tamga fsck`: check the whole vault; exit code 1 on any problem.
 *
 * Besides the vault's agreement with itself, its log key is compared with the key file (with
 * the passphrase), trust.txt, `--trust FILE` and the statement pinned for its origin, and its
 * size with what witnesses and mirrors hold; `--online` asks the witnesses too. Problems go to
 * standard output, what was and was not checked to standard error.
 */
import { type FsckReport, fsck, type TrustSource } from '../vault/fsck.js';
import { readKeyFile } from '../vault/keys.js';
import { Vault } from '../vault/vault.js';
import { askWitnessStanding } from '../witness/client.js';
import {
  type CommandContext,
  passphrase,
  printable,
  type VaultOptions,
  vaultDir,
} from './context.js';
import { pinnedStatement, readStatementArgument } from './trust-store.js';

/** Options of `tamga fsck`. */
export interface FsckCommandOptions extends VaultOptions {
  json?: boolean;
  /** False with `--no-blobs`: no passphrase, so neither the blobs nor the key file are read. */
  blobs?: boolean;
  /** A trust statement the union published: a file, or its `tamga-trust:…` line. */
  trust?: string;
  /** Ask each witness what it holds now. */
  online?: boolean;
}

export async function fsckCommand(
  opts: FsckCommandOptions,
  ctx: CommandContext,
): Promise<FsckReport> {
  // Read before the vault is opened: a statement that cannot be read is a usage error.
  const statements: TrustSource[] = [];
  if (opts.trust !== undefined) {
    statements.push({
      source: `--trust ${opts.trust}`,
      statement: await readStatementArgument(ctx, opts.trust),
    });
  }
  const vault = await Vault.open(vaultDir(ctx, opts), { readonly: true });
  try {
    // The key file is read as it is, not through `unlock`: keys of another log are a finding.
    const keys =
      opts.blobs === false
        ? undefined
        : await readKeyFile(vault.layout.keyFile, await passphrase(ctx));
    const pinned = await pinnedStatement(ctx, vault.info.origin).catch((e: Error) => {
      ctx.err(
        `note: the statement pinned for ${printable(vault.info.origin)} cannot be read: ${printable(e.message)}`,
      );
      return null;
    });
    if (pinned !== null) statements.push({ source: 'pinned', statement: pinned });
    let last = 0;
    const report = await fsck(vault, {
      ...(keys ? { keys } : {}),
      statements,
      ...(opts.online ? { askWitness: (w) => askWitnessStanding(vault, w) } : {}),
      onProgress: (phase, done, total) => {
        if (!opts.json && ctx.interactive && (Date.now() - last > 1000 || done === total)) {
          last = Date.now();
          ctx.err(`checking ${phase}: ${done}/${total}`);
        }
      },
    });
    if (opts.json) {
      ctx.out(JSON.stringify(report));
      return report;
    }
    for (const p of report.problems) {
      ctx.out(
        `PROBLEM ${p.kind}${p.index !== undefined ? ` (entry ${p.index}${p.recordId ? `, record ${p.recordId}` : ''})` : ''}: ${printable(p.message)}`,
      );
    }
    // Failed checks are problems above; the others say what was and was not compared.
    for (const c of report.checks) if (c.status !== 'failed') ctx.err(printable(c.message));
    for (const w of report.warnings) ctx.err(`note: ${w}`);
    ctx.out(
      report.ok
        ? `OK: ${report.records} records, ${report.checkpoints} checkpoints and ${report.blobs} encrypted files checked; no problem found.`
        : `FAILED: ${report.problems.length} problem${report.problems.length === 1 ? '' : 's'} in ${report.records} records.`,
    );
    return report;
  } finally {
    vault.close();
  }
}
