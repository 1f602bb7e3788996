/**
 * The vault's own trust statement, `trust.txt` beside `vault.db`: the log's origin and key and
 * the witness policy, as the union publishes them (src/evidence/trust.ts). It is written when
 * the vault is created and again whenever the witness policy changes, and never with another
 * log key: a database that names another key than this file was re-signed, which `fsck` says.
 *
 * Whoever holds the whole directory can rewrite this file too. It catches a database that was
 * rewritten on its own; the statement the union published (`fsck --trust FILE`, or one pinned
 * with `tamga trust add`) is what catches a directory rewritten whole.
 */
import { readFile, stat } from 'node:fs/promises';
import {
  formatTrustStatement,
  parseTrustStatement,
  type TrustStatement,
} from '../evidence/trust.js';
import { VaultError } from './errors.js';
import type { VaultLayout } from './layout.js';
import { type Vault, writeFileDurably } from './vault.js';
import { listWitnesses, witnessPolicy } from './witnesses.js';

/** Returns the trust statement the vault's database states: its log and witness policy. */
export function vaultStatement(vault: Vault, logUrl?: string): TrustStatement {
  const urls = new Map(listWitnesses(vault.db).map((w) => [w.vkey, w.url] as const));
  return {
    log: { origin: vault.info.origin, verifierKey: vault.info.logVerifierKey },
    witnesses: witnessPolicy(vault.db),
    urls: { ...(logUrl ? { log: logUrl } : {}), witnesses: urls },
  };
}

/**
 * Resolves to the statement in the vault's `trust.txt`, or null when the vault has none (made
 * before trust statements). Throws the parser's FormatError for a file that is not one.
 */
export async function readTrustFile(layout: VaultLayout): Promise<TrustStatement | null> {
  if ((await stat(layout.trustFile).catch(() => null)) === null) return null;
  return parseTrustStatement(await readFile(layout.trustFile, 'utf8'));
}

/**
 * Writes the vault's current statement to `trust.txt` and resolves to it. Throws VaultError
 * `trust.key-changed`, writing nothing, when the file names another log key or origin than the
 * database: one of them was replaced, and the file must not be made to agree.
 */
export async function refreshTrustFile(vault: Vault): Promise<TrustStatement> {
  const statement = vaultStatement(vault);
  const existing = await readTrustFile(vault.layout).catch(() => null);
  if (
    existing !== null &&
    (existing.log.verifierKey !== statement.log.verifierKey ||
      existing.log.origin !== statement.log.origin)
  ) {
    throw new VaultError(
      'trust.key-changed',
      `the vault database names the log key ${statement.log.verifierKey}, but ${vault.layout.trustFile} names ${existing.log.verifierKey}: the database may have been re-signed with another key. Run tamga fsck --trust with the statement you published`,
    );
  }
  await writeFileDurably(vault.layout.trustFile, formatTrustStatement(statement));
  return statement;
}
