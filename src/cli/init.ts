/** `tamga init [DIR]`: create a vault with fresh keys, and print the verifier key to publish. */
import { resolve } from 'node:path';
import { VaultError } from '../vault/errors.js';
import { checkPassphrase, suggestPassphrase } from '../vault/passphrase-strength.js';
import { setDefaultAuthor } from '../vault/settings.js';
import { Vault } from '../vault/vault.js';
import { type CommandContext, passphrase, printable, vaultDir } from './context.js';

export interface InitCommandOptions {
  vault?: string;
  origin?: string;
  /** Who seals from the command line by default (src/cli/author.ts). */
  author?: string;
  /** scrypt work factor of the key file; only tests lower it. */
  logN?: number;
  /** Accept a passphrase that `checkPassphrase` refuses: for tests and demos only. */
  allowWeakPassphrase?: boolean;
}

/** Creates the vault; resolves to its directory. */
export async function initCommand(
  dir: string | undefined,
  opts: InitCommandOptions,
  ctx: CommandContext,
): Promise<string> {
  const target = dir === undefined ? vaultDir(ctx, opts) : resolve(ctx.cwd, dir);
  let origin = opts.origin ?? ctx.env.TAMGA_ORIGIN;
  if ((origin === undefined || origin === '') && ctx.interactive && ctx.ask) {
    ctx.err(
      'Name the log: a domain-like name your organisation controls, without spaces (e.g. union.example/log).',
    );
    origin = await ctx.ask('Log origin: ');
  }
  if (origin === undefined || origin === '') {
    throw new VaultError(
      'vault.origin',
      'name the log with --origin, e.g. --origin tamga.union.example/log (a name you control, without spaces)',
    );
  }
  const pass = await passphrase(ctx, 'New vault passphrase: ');
  if (opts.allowWeakPassphrase !== true) {
    const verdict = checkPassphrase(pass, [
      origin,
      ...(opts.author === undefined ? [] : [opts.author]),
    ]);
    if (!verdict.ok) {
      throw new VaultError(
        'passphrase.weak',
        `this passphrase could be guessed offline by anyone holding a mirror (about 10^${Math.floor(verdict.guessesLog10)} guesses); nothing was created. Choose several random words, for example: ${suggestPassphrase()}`,
      );
    }
  }
  if (ctx.interactive && ctx.env.TAMGA_PASSPHRASE === undefined) {
    const again = await ctx.prompt('Repeat the passphrase: ');
    if (again !== pass)
      throw new VaultError('vault.passphrase', 'the two passphrases differ; nothing was created');
  }
  const vault = await Vault.init(target, {
    origin,
    passphrase: pass,
    ...(opts.logN === undefined ? {} : { logN: opts.logN }),
  });
  try {
    if (opts.author !== undefined) {
      const author = setDefaultAuthor(vault.db, opts.author);
      ctx.err(
        printable(`Records sealed from the command line will name "${author}" as their author.`),
      );
    }
  } finally {
    vault.close();
  }
  ctx.err(`Created a vault for ${origin} in ${target}.`);
  ctx.err(
    'Keep the passphrase safe: without it nobody, not even you, can seal into or read this vault.',
  );
  ctx.err(
    'Once your witnesses are set (tamga witnesses add), publish the trust statement and its fingerprint (tamga trust), so that anyone can tell your proofs from forgeries. The log verifier key:',
  );
  ctx.out(vault.info.logVerifierKey);
  return target;
}
