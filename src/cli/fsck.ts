/** `tamga fsck`: check the whole vault; exit code 1 on any problem. */
import { type FsckReport, fsck } from '../vault/fsck.js';
import { Vault } from '../vault/vault.js';
import { type CommandContext, passphrase, type VaultOptions, vaultDir } from './context.js';

export async function fsckCommand(
  opts: VaultOptions & { json?: boolean; blobs?: boolean },
  ctx: CommandContext,
): Promise<FsckReport> {
  const vault = await Vault.open(vaultDir(ctx, opts), { readonly: true });
  try {
    const keys = opts.blobs === false ? undefined : await vault.unlock(await passphrase(ctx));
    let last = 0;
    const report = await fsck(vault, {
      ...(keys ? { keys } : {}),
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
        `PROBLEM ${p.kind}${p.index !== undefined ? ` (entry ${p.index}${p.recordId ? `, record ${p.recordId}` : ''})` : ''}: ${p.message}`,
      );
    }
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
