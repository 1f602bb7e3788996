/**
 * Who a record made on the command line names as its author: `--author NAME`, else
 * `$TAMGA_AUTHOR`, else the vault's default author (`tamga init --author`, `tamga config
 * author`), so that records name a person of the organisation rather than the computer's
 * account. With none of them, the account's name is used, and once the records are sealed the
 * command says so and how to name the person instead (`noteAccountAuthor`).
 */
import { userInfo } from 'node:os';
import { defaultAuthor } from '../vault/settings.js';
import type { Vault } from '../vault/vault.js';
import { type CommandContext, printable } from './context.js';

/** The author a command records, and whether it is only the computer's account name. */
export interface Author {
  readonly name: string;
  readonly account: boolean;
}

/** Returns the author of the records a command seals into `vault` (see above). */
export function recordAuthor(vault: Vault, given: string | undefined, ctx: CommandContext): Author {
  const named = [given, ctx.env.TAMGA_AUTHOR, defaultAuthor(vault.db)].find(
    (a): a is string => a !== undefined && a !== null && a.trim() !== '',
  );
  return named === undefined
    ? { name: userInfo().username, account: true }
    : { name: named.trim(), account: false };
}

/** Says, when `author` is only the computer's account name, how to name the person instead. */
export function noteAccountAuthor(ctx: CommandContext, author: Author): void {
  if (!author.account) return;
  ctx.err(
    printable(
      `No author is set: the records name "${author.name}", this computer's account. Name the person who seals with --author NAME or $TAMGA_AUTHOR, or once for this vault with: tamga config author "NAME"`,
    ),
  );
}
