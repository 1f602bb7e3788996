/**
 * `tamga takeover [--vault DIR] [--yes-this-vault-replaces-the-original]`: make a restored vault
 * the log. Until then a restored vault is a read-only copy (src/vault/restored.ts); after it, it
 * seals, and the witnesses follow it and refuse the original. A person confirms by typing the
 * log's origin on a terminal; without one, by the long flag.
 */
import {
  notRestoredError,
  restoredState,
  TAKEOVER_CONSEQUENCE,
  takeOver,
} from '../vault/restored.js';
import { Vault } from '../vault/vault.js';
import {
  type CommandContext,
  passphrase,
  printable,
  UsageError,
  type VaultOptions,
  vaultDir,
} from './context.js';

/** The flag that confirms a take-over without a terminal. */
export const TAKEOVER_FLAG = '--yes-this-vault-replaces-the-original';

/** Options of `tamga takeover`. */
export interface TakeoverCommandOptions extends VaultOptions {
  /** `--yes-this-vault-replaces-the-original`. */
  yesThisVaultReplacesTheOriginal?: boolean;
}

/** What `tamga takeover` did. */
export interface TakeoverResult {
  readonly origin: string;
  /** When the vault was taken over (now, or earlier when it already was). */
  readonly takenOver: string;
  /** False when it had been taken over already. */
  readonly changed: boolean;
}

/**
 * Takes the restored vault over once a person confirmed it; resolves to what was done. Throws
 * VaultError `vault.not-restored` for a vault that was not restored, KeyError for a wrong
 * passphrase, UsageError when not confirmed (nothing changes then).
 */
export async function takeoverCommand(
  opts: TakeoverCommandOptions,
  ctx: CommandContext,
): Promise<TakeoverResult> {
  const dir = vaultDir(ctx, opts);
  const vault = await Vault.open(dir);
  try {
    const state = restoredState(vault.db);
    const origin = vault.info.origin;
    if (state === null) throw notRestoredError();
    if (state.takenOver !== null) {
      ctx.err(printable(`${dir} was taken over on ${state.takenOver}: it seals already.`));
      return { origin, takenOver: state.takenOver, changed: false };
    }
    // The passphrase: whoever takes over must be able to seal.
    await vault.unlock(await passphrase(ctx));
    ctx.err(
      printable(
        `${dir} holds the log ${origin}, restored from ${state.from} on ${state.at}. It is a read-only copy: it seals nothing and asks no witness to cosign.`,
      ),
    );
    ctx.err(TAKEOVER_CONSEQUENCE);
    if (!opts.yesThisVaultReplacesTheOriginal) {
      if (!ctx.interactive || ctx.ask === undefined) {
        throw new UsageError(
          `taking over needs a person's confirmation: run it in a terminal, or give ${TAKEOVER_FLAG}`,
        );
      }
      const typed = await ctx.ask(
        `To confirm that this vault replaces the original, type its log's origin (${origin}): `,
      );
      if (typed.trim() !== origin) {
        throw new UsageError(
          'the origin typed does not match: nothing changed, the vault is still a read-only copy',
        );
      }
    }
    const after = takeOver(vault.db);
    ctx.out(
      printable(
        `Took over ${origin}: ${dir} now seals, and its witnesses will be asked to cosign its checkpoints. The original must never seal again.`,
      ),
    );
    ctx.err(
      'Next: tamga witnesses sync (the witnesses cosign this vault from now on), and restart `tamga serve` or the web app if they run on it.',
    );
    return { origin, takenOver: after.takenOver!, changed: true };
  } finally {
    vault.close();
  }
}
