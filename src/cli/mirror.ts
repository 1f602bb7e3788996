/**
 * `tamga mirror token|tokens|revoke|pull`: issue and revoke the tokens mirrors show the vault,
 * and pull a vault (or a served mirror) into a mirror directory.
 */
import { resolve } from 'node:path';
import cliProgress from 'cli-progress';
import {
  checkTokenShape,
  ForkError,
  HttpSource,
  issueMirrorToken,
  listMirrorTokens,
  type MirrorTokenEntry,
  type PullReport,
  pullMirror,
  revokeMirrorToken,
} from '../mirror/index.js';
import { Vault } from '../vault/vault.js';
import {
  type CommandContext,
  formatBytes,
  printable,
  type VaultOptions,
  vaultDir,
} from './context.js';

/** `tamga mirror token`: issues a token, printed once on standard output; resolves to its entry. */
export async function mirrorTokenCommand(
  opts: VaultOptions & { label?: string },
  ctx: CommandContext,
): Promise<MirrorTokenEntry> {
  const vault = await Vault.open(vaultDir(ctx, opts));
  try {
    const { token, entry } = issueMirrorToken(vault.db, opts.label);
    ctx.out(token);
    ctx.err(
      `Issued mirror token ${entry.id} (${printable(entry.label)}). It is shown once: give it to the mirror over a safe channel.`,
    );
    ctx.err(
      'The mirror pulls with: tamga mirror pull URL --into DIR (token in $TAMGA_MIRROR_TOKEN, or --token)',
    );
    ctx.err(`Revoke it with: tamga mirror revoke ${entry.id}`);
    return entry;
  } finally {
    vault.close();
  }
}

/** `tamga mirror tokens`: lists the tokens issued (never the tokens themselves). */
export async function mirrorTokensCommand(
  opts: VaultOptions & { json?: boolean },
  ctx: CommandContext,
): Promise<MirrorTokenEntry[]> {
  const vault = await Vault.open(vaultDir(ctx, opts), { readonly: true });
  try {
    const tokens = listMirrorTokens(vault.db);
    if (opts.json) for (const t of tokens) ctx.out(JSON.stringify(t));
    else if (tokens.length === 0)
      ctx.err('No mirror token issued yet: tamga mirror token --label NAME');
    else
      for (const t of tokens)
        ctx.out(
          printable(
            `${t.id}  ${t.label}  issued ${t.created}  ${t.revoked === null ? 'active' : `revoked ${t.revoked}`}`,
          ),
        );
    return tokens;
  } finally {
    vault.close();
  }
}

/** `tamga mirror revoke LABEL|ID`: revokes at once; resolves to the tokens revoked. */
export async function mirrorRevokeCommand(
  which: string,
  opts: VaultOptions,
  ctx: CommandContext,
): Promise<MirrorTokenEntry[]> {
  const vault = await Vault.open(vaultDir(ctx, opts));
  try {
    const revoked = revokeMirrorToken(vault.db, which);
    for (const t of revoked) ctx.err(printable(`Revoked mirror token ${t.id} (${t.label}).`));
    return revoked;
  } finally {
    vault.close();
  }
}

/** Options of `tamga mirror pull`. */
export interface MirrorPullOptions {
  into?: string;
  token?: string;
  vkey?: string;
  acceptPolicy?: boolean;
  concurrency?: number;
  json?: boolean;
}

/**
 * `tamga mirror pull URL`: resolves to the report. A fork is printed loudly, kept under the
 * mirror's forks/, and thrown (exit 1), with the mirror unchanged.
 */
export async function mirrorPullCommand(
  url: string,
  opts: MirrorPullOptions,
  ctx: CommandContext,
): Promise<PullReport> {
  const into = resolve(ctx.cwd, opts.into ?? ctx.env.TAMGA_MIRROR ?? 'tamga-mirror');
  const token = mirrorToken(opts.token, ctx);
  const source = new HttpSource(url, {
    ...(token === undefined ? {} : { token }),
    connections: opts.concurrency ?? 8,
  });
  const progress = progressReporter(ctx, opts.json ?? false);
  try {
    const report = await pullMirror({
      source,
      into,
      ...(opts.vkey === undefined ? {} : { vkey: opts.vkey }),
      ...(opts.acceptPolicy ? { acceptPolicy: true } : {}),
      ...(opts.concurrency === undefined ? {} : { concurrency: opts.concurrency }),
      onProgress: progress.update,
      notice: (line) => {
        progress.stop();
        ctx.err(printable(`note: ${line}`));
      },
    });
    progress.stop();
    if (opts.json) {
      ctx.out(JSON.stringify(report));
      return report;
    }
    const added = report.size - report.previousSize;
    ctx.err(
      `Mirrored ${report.origin}: ${report.size} records (${added > 0 ? `${added} new` : 'none new'}), ` +
        `${report.filesFetched} files fetched (${formatBytes(report.bytesFetched)}), ${report.filesHeld} already held; ` +
        `checkpoint of size ${report.size} verified and consistent with the mirror's history.`,
    );
    const w = report.witnessed;
    const who = w.cosigners.map(
      (c) => `${c.name} at ${new Date(c.timestamp * 1000).toISOString()}`,
    );
    if (w.quorum === 0 && w.cosigners.length === 0) {
      ctx.err(
        'The pinned policy names no witness quorum: the checkpoint is vouched for by the log alone.',
      );
    } else if (w.met) {
      ctx.err(
        `Witnessed: ${w.cosigners.length} cosignatures, quorum ${w.quorum} met (${who.join(', ')}).`,
      );
    } else {
      ctx.err(
        `NOT YET WITNESSED: ${w.cosigners.length} of the ${w.quorum} cosignatures the pinned policy needs${who.length > 0 ? ` (${who.join(', ')})` : ''}. The data is kept; pull again later to gather cosignatures.`,
      );
    }
    return report;
  } catch (e) {
    progress.stop();
    if (e instanceof ForkError) {
      const bar = '!'.repeat(78);
      ctx.err(bar);
      ctx.err('!!! FORK REFUSED: the log signed two histories that cannot both be true.');
      ctx.err(printable(`!!! ${e.message}`));
      ctx.err(`!!! held: size ${e.evidence.held.size}; offered: size ${e.evidence.offered.size}.`);
      if (e.kept !== null) ctx.err(`!!! Both checkpoints and the proof are kept in ${e.kept}`);
      ctx.err(
        '!!! The mirror is unchanged. Tell the vault owners and the witnesses; keep the evidence.',
      );
      ctx.err(bar);
    }
    throw e;
  } finally {
    await source.close();
  }
}

/** The mirror token: --token, else $TAMGA_MIRROR_TOKEN; checked for shape, never printed. */
export function mirrorToken(option: string | undefined, ctx: CommandContext): string | undefined {
  const token = option ?? ctx.env.TAMGA_MIRROR_TOKEN;
  if (token === undefined || token === '') return undefined;
  checkTokenShape(token);
  return token;
}

/** A progress bar on a terminal, else a plain line every few seconds; quiet with --json. */
export function progressReporter(
  ctx: CommandContext,
  quiet: boolean,
): {
  update: (p: {
    phase: string;
    done: number;
    total: number;
    bytes?: number;
    totalBytes?: number;
  }) => void;
  stop: () => void;
} {
  let bar: cliProgress.SingleBar | null = null;
  let phase = '';
  let last = 0;
  const started = Date.now();
  const names: Record<string, string> = {
    log: 'entries',
    records: 'record bundles',
    files: 'files',
  };
  const fields = (p: { bytes?: number; totalBytes?: number }) => {
    const seconds = Math.max((Date.now() - started) / 1000, 0.001);
    return p.bytes === undefined
      ? { extra: '' }
      : {
          extra: `| ${formatBytes(p.bytes)} of ${formatBytes(p.totalBytes ?? 0)} | ${formatBytes(p.bytes / seconds)}/s`,
        };
  };
  const stop = () => {
    bar?.stop();
    bar = null;
  };
  return {
    stop,
    update: (p) => {
      if (quiet || p.total === 0) return;
      if (ctx.interactive) {
        if (p.phase !== phase) {
          stop();
          phase = p.phase;
          bar = new cliProgress.SingleBar(
            {
              format: ` ${names[p.phase] ?? p.phase} {bar} {value}/{total} {extra}`,
              hideCursor: true,
              stream: process.stderr,
            },
            cliProgress.Presets.shades_classic,
          );
          bar.start(p.total, p.done, fields(p));
        } else bar?.update(p.done, fields(p));
        if (p.done === p.total) stop();
      } else if (p.done === p.total || Date.now() - last > 5000) {
        if (p.done === 0) return;
        last = Date.now();
        ctx.err(`${names[p.phase] ?? p.phase}: ${p.done}/${p.total} ${fields(p).extra}`.trimEnd());
      }
    },
  };
}
