/**
 * `tamga restore --from URL|DIR --vault DIR [--key FILE]`: rebuild a vault from a mirror
 * directory, a served mirror or the vault itself, with the key file (the mirror's copy, or
 * --key) and the passphrase. The vault it builds is a read-only copy until `tamga takeover`.
 */
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import {
  DirectorySource,
  HttpSource,
  MirrorDirectory,
  type MirrorSource,
  type RestoreReport,
  restoreVault,
} from '../mirror/index.js';
import { KeyError } from '../vault/errors.js';
import { TAKEOVER_CONSEQUENCE } from '../vault/restored.js';
import { type CommandContext, formatBytes, passphrase, printable, vaultDir } from './context.js';
import { mirrorToken, progressReporter } from './mirror.js';

/** Options of `tamga restore`. */
export interface RestoreCommandOptions {
  from: string;
  vault?: string;
  key?: string;
  token?: string;
  concurrency?: number;
  json?: boolean;
}

/** Restores; resolves to the report. Throws as `restoreVault`, and KeyError for an unreadable --key. */
export async function restoreCommand(
  opts: RestoreCommandOptions,
  ctx: CommandContext,
): Promise<RestoreReport> {
  const target = vaultDir(ctx, opts);
  let keyFile: Uint8Array | undefined;
  if (opts.key !== undefined) {
    const path = resolve(ctx.cwd, opts.key);
    keyFile = await readFile(path).catch((e: Error) => {
      throw new KeyError('keys.missing', `cannot read the key file ${path}: ${e.message}`);
    });
  }
  const remote = /^https?:\/\//i.test(opts.from);
  let source: MirrorSource;
  if (remote) {
    const token = mirrorToken(opts.token, ctx);
    source = new HttpSource(opts.from, {
      ...(token === undefined ? {} : { token }),
      connections: opts.concurrency ?? 4,
    });
  } else {
    source = new DirectorySource(MirrorDirectory.open(resolve(ctx.cwd, opts.from)));
  }
  const progress = progressReporter(ctx, opts.json ?? false);
  try {
    const report = await restoreVault({
      source,
      vault: target,
      passphrase: () => passphrase(ctx),
      ...(keyFile === undefined ? {} : { keyFile }),
      ...(opts.concurrency === undefined ? {} : { concurrency: opts.concurrency }),
      onProgress: progress.update,
    });
    progress.stop();
    if (opts.json) {
      ctx.out(JSON.stringify(report));
      return report;
    }
    ctx.err(
      `Restored ${report.origin} into ${target}: ${report.size} records, ${report.checkpoints} checkpoints (${report.cosignatures} cosignatures), ${report.files} files (${formatBytes(report.bytes)}), every one checked against the log; fsck passed.`,
    );
    if (report.unreferenced > 0) {
      ctx.err(
        `${report.unreferenced} encrypted files in the mirror are named by no restored record; left out.`,
      );
    }
    ctx.err(
      report.witnesses.length === 0
        ? 'No witnesses were listed. Add them again: tamga witnesses add NAME VKEY URL'
        : printable(
            `Witnesses restored (quorum ${report.quorum}): ${report.witnesses.map((w) => `${w.name} ${w.url}`).join(', ')}. The log does not sign this list: check it with the witnesses.`,
          ),
    );
    for (const line of readOnlyNotice(target)) ctx.err(printable(line));
    return report;
  } finally {
    progress.stop();
    await source.close();
  }
}

/** What the restore says last: the copy is read-only, how to drill, and how to take it over. */
export function readOnlyNotice(target: string): string[] {
  return [
    '',
    `READ-ONLY COPY: ${target} seals nothing (activity included) and asks no witness to cosign until it is taken over. Sealing in a copy while the original still seals forks the log, and the witnesses then refuse one of the two.`,
    `A restore drill: check the copy (tamga verify --vault ${target} FILES…, tamga fsck --vault ${target}), compare it with the original, then delete it. Never take over a copy while the original is in use.`,
    `To make it the vault, for good: tamga takeover --vault ${target}. ${TAKEOVER_CONSEQUENCE}`,
  ];
}
