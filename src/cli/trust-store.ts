/**
 * The trust statements a person has pinned (`tamga trust add FILE`), one file per log, in a
 * folder of their own account: `$TAMGA_TRUST_DIR`, else `$XDG_CONFIG_HOME/tamga/trust`, else
 * `~/.config/tamga/trust`. It lives outside every vault, so that a vault (or a bundle) that was
 * rewritten or rolled back cannot rewrite what its verifier trusts.
 *
 * A statement is looked up by the origin the bundle or vault names. That origin is the
 * adversary's to choose, which is safe: the keys then come from the pinned statement, and a
 * bundle signed with other keys fails under them.
 */
import { createHash } from 'node:crypto';
import { mkdir, readdir, readFile, rm, stat } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import {
  formatTrustStatement,
  parseTrustStatement,
  type TrustStatement,
  trustFingerprint,
} from '../evidence/index.js';
import { MAX_POLICY_CHARS } from '../evidence/policy.js';
import { writeFileDurably } from '../vault/vault.js';
import { type CommandContext, UsageError } from './context.js';

/** The folder of pinned statements for the person running the command. */
export function trustStoreDir(ctx: Pick<CommandContext, 'env'>): string {
  const env = ctx.env;
  if (env.TAMGA_TRUST_DIR) return resolve(env.TAMGA_TRUST_DIR);
  const base = env.XDG_CONFIG_HOME || join(env.HOME || homedir(), '.config');
  return join(base, 'tamga', 'trust');
}

function fileFor(dir: string, origin: string): string {
  // Origins hold slashes and any other character: the file is named by a hash of the origin.
  return join(dir, `${createHash('sha256').update(origin).digest('hex').slice(0, 32)}.trust`);
}

/** Resolves to the statement pinned for `origin`, or null when there is none. */
export async function pinnedStatement(
  ctx: Pick<CommandContext, 'env'>,
  origin: string,
): Promise<TrustStatement | null> {
  const file = fileFor(trustStoreDir(ctx), origin);
  const text = await readFile(file, 'utf8').catch(() => null);
  if (text === null) return null;
  const statement = parseTrustStatement(text);
  return statement.log.origin === origin ? statement : null;
}

/** Resolves to every pinned statement, in the order of their origins. */
export async function listPinned(ctx: Pick<CommandContext, 'env'>): Promise<TrustStatement[]> {
  const dir = trustStoreDir(ctx);
  const names = await readdir(dir).catch(() => [] as string[]);
  const out: TrustStatement[] = [];
  for (const n of names.filter((n) => n.endsWith('.trust')).sort()) {
    try {
      out.push(parseTrustStatement(await readFile(join(dir, n), 'utf8')));
    } catch {
      // A damaged file pins nothing; `trust list` names it below.
    }
  }
  return out.sort((a, b) => a.log.origin.localeCompare(b.log.origin));
}

/**
 * Pins `statement`. Refuses (UsageError) to replace a different statement pinned for the same
 * origin unless `replace`: a log whose keys change is what a forger would present.
 * Resolves to whether anything changed.
 */
export async function pinStatement(
  ctx: Pick<CommandContext, 'env'>,
  statement: TrustStatement,
  replace = false,
): Promise<boolean> {
  const dir = trustStoreDir(ctx);
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const existing = await pinnedStatement(ctx, statement.log.origin).catch(() => null);
  if (existing !== null) {
    if (trustFingerprint(existing) === trustFingerprint(statement)) return false;
    if (!replace) {
      throw new UsageError(
        `a different trust statement is already pinned for ${statement.log.origin} (fingerprint ${trustFingerprint(existing)}, this one ${trustFingerprint(statement)}). A log whose keys change is what a forger would show you: ask the union, by a channel you trust, whether it changed its keys or witnesses, then run again with --replace`,
      );
    }
  }
  await writeFileDurably(fileFor(dir, statement.log.origin), formatTrustStatement(statement));
  return true;
}

/** Removes the statement pinned for `origin`; resolves to whether there was one. */
export async function unpinStatement(
  ctx: Pick<CommandContext, 'env'>,
  origin: string,
): Promise<boolean> {
  const file = fileFor(trustStoreDir(ctx), origin);
  if ((await stat(file).catch(() => null)) === null) return false;
  await rm(file);
  return true;
}

/**
 * Reads a trust statement given on the command line: a file's path, or the statement's
 * one-line form (`tamga-trust:…`). Throws UsageError for a missing or oversized file, and the
 * statement parser's FormatError for one that is not a statement.
 */
export async function readStatementArgument(
  ctx: Pick<CommandContext, 'cwd'>,
  given: string,
): Promise<TrustStatement> {
  if (given.trim().startsWith('tamga-trust:')) return parseTrustStatement(given);
  const file = resolve(ctx.cwd, given);
  const s = await stat(file).catch(() => null);
  if (s === null || !s.isFile()) {
    throw new UsageError(
      `the trust statement ${given} does not exist (give its file, or its tamga-trust:… line)`,
    );
  }
  if (s.size > MAX_POLICY_CHARS)
    throw new UsageError(`${given} is too large for a trust statement`);
  return parseTrustStatement(await readFile(file, 'utf8'));
}
