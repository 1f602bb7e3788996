/** `tamga config author [NAME]`: show or set the vault's settings (src/vault/settings.ts). */
import { defaultAuthor, setDefaultAuthor } from '../vault/settings.js';
import { Vault } from '../vault/vault.js';
import {
  type CommandContext,
  printable,
  UsageError,
  type VaultOptions,
  vaultDir,
} from './context.js';

/** The settings `tamga config` knows. */
export const CONFIG_KEYS = ['author'] as const;

/**
 * Prints setting `key`, or sets it to `value`. Resolves to the value it has afterwards (null:
 * not set). Throws UsageError for an unknown key.
 */
export async function configCommand(
  key: string,
  value: string | undefined,
  opts: VaultOptions,
  ctx: CommandContext,
): Promise<string | null> {
  if (!(CONFIG_KEYS as readonly string[]).includes(key))
    throw new UsageError(`tamga config knows ${CONFIG_KEYS.join(', ')}, not "${key}"`);
  const vault = await Vault.open(
    vaultDir(ctx, opts),
    value === undefined ? { readonly: true } : {},
  );
  try {
    if (value === undefined) {
      const current = defaultAuthor(vault.db);
      if (current === null)
        ctx.err('No default author is set (tamga config author "NAME" sets one).');
      else ctx.out(printable(current));
      return current;
    }
    const set = setDefaultAuthor(vault.db, value);
    ctx.err(
      printable(
        `Records sealed from the command line now name "${set}" as their author, unless --author or $TAMGA_AUTHOR says otherwise.`,
      ),
    );
    return set;
  } finally {
    vault.close();
  }
}
