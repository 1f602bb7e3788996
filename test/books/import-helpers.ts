/** Vaults with a chart of accounts, for the import and diff tests. */
import { randomBytes } from 'node:crypto';
import {
  type Account,
  accountsBody,
  type Transaction,
  transactionDraft,
} from '../../src/books/model.js';
import { commitCanonical } from '../../src/records/commitment.js';
import { newRecordId } from '../../src/records/id.js';
import { parseRecordCanonical } from '../../src/records/record.js';
import type { VaultKeys } from '../../src/vault/keys.js';
import type { Vault } from '../../src/vault/vault.js';

/** Seals `transaction` records with these bodies and refs, in one batch; returns their ids. */
export function sealBodies(
  vault: Vault,
  keys: VaultKeys,
  drafts: ReadonlyArray<{ body: unknown; refs?: readonly string[] }>,
): string[] {
  const entries = drafts.map((d) => {
    const id = newRecordId(Date.now(), randomBytes(10));
    const { canonical } = parseRecordCanonical({
      kind: 'transaction',
      id,
      created: `${new Date().toISOString().slice(0, 19)}Z`,
      author: 'test',
      body: d.body,
      files: [],
      refs: d.refs ?? [],
    });
    const salt = randomBytes(32);
    return {
      id,
      kind: 'transaction',
      created: `${new Date().toISOString().slice(0, 19)}Z`,
      json: new TextDecoder().decode(canonical),
      salt,
      commitment: commitCanonical(canonical, salt),
      files: [],
    };
  });
  vault.sequencer(keys).append(entries);
  return entries.map((e) => e.id);
}

/** Seals a chart with these accounts. */
export function sealChart(vault: Vault, keys: VaultKeys, accounts: readonly Account[]): void {
  sealBodies(vault, keys, [{ body: accountsBody(accounts) }]);
}

/** Seals transactions; returns their ids. */
export function sealTransactions(
  vault: Vault,
  keys: VaultKeys,
  txs: readonly Transaction[],
): string[] {
  return sealBodies(
    vault,
    keys,
    txs.map((t) => transactionDraft(t)),
  );
}

/** A small union chart in one currency. */
export function unionChart(currency: string): Account[] {
  return [
    { path: `Assets:Bank:${currency}`, type: 'assets', currency },
    { path: 'Income:Dues', type: 'income', currency },
    { path: 'Income:Grants', type: 'income', currency },
    { path: 'Expenses:Taxes', type: 'expenses', currency },
    { path: 'Expenses:Bank fees', type: 'expenses', currency },
    { path: 'Expenses:Solidarity', type: 'expenses', currency },
  ];
}
