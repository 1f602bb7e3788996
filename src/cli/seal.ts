/** `tamga seal PATH...`: seal files and folders into the vault. */
import cliProgress from 'cli-progress';
import { isPartialDate } from '../records/time.js';
import { assertMayAppend } from '../vault/restored.js';
import { type SealSummary, sealPaths } from '../vault/seal.js';
import { Vault } from '../vault/vault.js';
import { noteAccountAuthor, recordAuthor } from './author.js';
import {
  type CommandContext,
  formatBytes,
  passphrase,
  printable,
  UsageError,
  type VaultOptions,
  vaultDir,
} from './context.js';
import { startCosigning } from './witnesses.js';

export interface SealCommandOptions extends VaultOptions {
  tag?: string[];
  meta?: string[];
  author?: string;
  /** The date every document bears, YYYY-MM-DD, YYYY-MM or YYYY. */
  documentDate?: string;
  /** Read each document's date from its file name (else --document-date applies). */
  dateFromName?: boolean;
  quiet?: boolean;
  json?: boolean;
  /** Seconds to give the witnesses to cosign the last checkpoint before exiting (default 10). */
  witnessWait?: number;
}

/** Parses `key=value` metadata options. Throws a usage error for anything else. */
export function parseMeta(pairs: readonly string[]): Record<string, string> {
  const meta: Record<string, string> = {};
  for (const p of pairs) {
    const eq = p.indexOf('=');
    if (eq <= 0) throw new UsageError(`--meta takes key=value, got "${p}"`);
    meta[p.slice(0, eq)] = p.slice(eq + 1);
  }
  return meta;
}

/** Seals `paths`; resolves to the summary. Failed files are reported and counted, not thrown. */
export async function sealCommand(
  paths: readonly string[],
  opts: SealCommandOptions,
  ctx: CommandContext,
): Promise<SealSummary> {
  if (paths.length === 0) throw new UsageError('name at least one file or folder to seal');
  const meta = parseMeta(opts.meta ?? []);
  if (opts.documentDate !== undefined && !isPartialDate(opts.documentDate))
    throw new UsageError(
      `--document-date takes the date the documents bear, as 2016-03-12, 2016-03 or 2016; got "${opts.documentDate}"`,
    );
  const vault = await Vault.open(vaultDir(ctx, opts));
  try {
    // Said before the passphrase is asked: a restored copy seals nothing until taken over.
    assertMayAppend(vault.db);
    const author = recordAuthor(vault, opts.author, ctx);
    const keys = await vault.unlock(await passphrase(ctx));
    const bar =
      ctx.interactive && !opts.quiet
        ? new cliProgress.SingleBar(
            {
              format:
                ' {bar} {percentage}% | {value}/{total} files | {done} of {size} | {speed} | {eta_formatted} left',
              hideCursor: true,
              etaBuffer: 50,
              stream: process.stderr,
            },
            cliProgress.Presets.shades_classic,
          )
        : null;
    const started = Date.now();
    let lastLine = 0;
    const cosigning = startCosigning(vault, ctx);
    const newVersions: Array<{ path: string; id: string; supersedes: string }> = [];
    const summary = await sealPaths(vault, keys, paths, {
      cwd: ctx.cwd,
      author: author.name,
      tags: opts.tag ?? [],
      meta,
      ...(opts.documentDate === undefined ? {} : { documentDate: opts.documentDate }),
      ...(opts.dateFromName ? { dateFromName: true } : {}),
      onProgress: (p) => {
        const seconds = Math.max((Date.now() - started) / 1000, 0.001);
        const fields = {
          done: formatBytes(p.bytes),
          size: formatBytes(p.totalBytes),
          speed: `${formatBytes(p.bytes / seconds)}/s`,
        };
        if (bar) {
          if (p.files === 0) bar.start(p.totalFiles, 0, fields);
          else bar.update(p.files, fields);
        } else if (
          !opts.quiet &&
          !opts.json &&
          p.files > 0 &&
          (p.files === p.totalFiles || Date.now() - lastLine > 5000)
        ) {
          lastLine = Date.now();
          ctx.err(
            `${p.files}/${p.totalFiles} files, ${fields.done} of ${fields.size}, ${fields.speed}`,
          );
        }
      },
      onSealed: (e) => {
        if (e.status === 'sealed') cosigning?.poke();
        if (e.status === 'sealed' && e.supersedes !== undefined)
          newVersions.push({ path: e.path, id: e.id, supersedes: e.supersedes });
        if (opts.json) {
          ctx.out(JSON.stringify(e));
        } else if (!bar && !opts.quiet) {
          if (e.status === 'sealed')
            ctx.out(
              printable(
                `sealed ${e.path} as ${e.id} (entry ${e.index})${e.supersedes === undefined ? '' : `: a changed file, a new version of ${e.supersedes}`}`,
              ),
            );
          else if (e.status === 'failed') ctx.out(printable(`failed ${e.path}: ${e.reason}`));
        }
      },
    });
    bar?.stop();
    const seconds = (Date.now() - started) / 1000;
    const lines = [
      `Sealed ${summary.sealed} file${summary.sealed === 1 ? '' : 's'} (${formatBytes(summary.bytes)} looked at in ${seconds.toFixed(1)} s)` +
        (summary.deduplicated > 0
          ? `, ${summary.deduplicated} with contents already in the vault`
          : '') +
        `; ${summary.unchanged} unchanged, skipped; ${summary.failed.length} failed.`,
    ];
    if (newVersions.length > 0) {
      lines.push(
        `${newVersions.length} of them changed since they were sealed at the same path: each is a new record that names the earlier version, which stays sealed as it was.`,
      );
      for (const v of newVersions.slice(0, 20))
        lines.push(printable(`  new version: ${v.path} (${v.id}; earlier ${v.supersedes})`));
      if (newVersions.length > 20)
        lines.push(`  … and ${newVersions.length - 20} more (see --json)`);
    }
    if (summary.checkpoint) lines.push(`The log now holds ${summary.checkpoint.size} records.`);
    for (const f of summary.failed.slice(0, 20))
      lines.push(printable(`  not sealed: ${f.path}: ${f.reason}`));
    if (summary.failed.length > 20)
      lines.push(`  … and ${summary.failed.length - 20} more (see --json)`);
    if (opts.json)
      ctx.out(
        JSON.stringify({ summary: { ...summary, checkpoint: summary.checkpoint?.size ?? 0 } }),
      );
    else for (const l of lines) ctx.err(l);
    if (summary.sealed > 0 && !opts.json) noteAccountAuthor(ctx, author);
    await cosigning?.finish(
      (opts.witnessWait ?? 10) * 1000,
      opts.quiet === true || opts.json === true,
    );
    return summary;
  } finally {
    vault.close();
  }
}
