/**
 * A real evidence bundle, made the way `tamga evidence --with-files` makes one: a vault in a
 * temporary folder, two witnesses running in-process on loopback (quorum 2), a folder of
 * documents sealed and cosigned, and the bundle written with the CLI's own command function;
 * and the vault's trust statement, as the union publishes it (`tamga trust`).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { evidenceCommand } from '../../src/cli/evidence.js';
import { sealCommand } from '../../src/cli/seal.js';
import { installNodeCrypto } from '../../src/platform/node-crypto.js';
import { refreshTrustFile } from '../../src/vault/trust-file.js';
import { addWitness, setQuorum } from '../../src/vault/witnesses.js';
import { listenWitness } from '../../src/witness/commands.js';
import { buildWitnessServer } from '../../src/witness/server.js';
import { Witness } from '../../src/witness/witness.js';
import { capture, newVault, writeTree } from '../vault/helpers.js';

installNodeCrypto();

export const WITNESS_NAMES = ['w1.ituc.example/w', 'w2.ilo.example/w'] as const;

/** The documents sealed, by path in the sealed folder. */
export const DOCUMENTS: Readonly<Record<string, string>> = {
  'ledgers/2024/bank-statement-12.txt': 'Bank statement, December 2024: dues received 48 300 KGS\n',
  'протоколы/протокол-собрания-2024-03.txt': 'Протокол общего собрания профсоюза, март 2024.\n',
  'minutes.txt': 'Minutes of the board, 5 March 2025.\n',
};

/** A running witness. */
export interface RunningWitness {
  readonly name: string;
  readonly witness: Witness;
  readonly app: FastifyInstance;
}

/** What `makeBundle` made. */
export interface BundleFixture {
  readonly vaultDir: string;
  readonly docsDir: string;
  /** The bundle's folder: evidence.json, README.txt, verifier.html, proofs/ and files/. */
  readonly bundleDir: string;
  /** The vault's trust statement file (trust.txt), and its text: what the union publishes. */
  readonly trustFile: string;
  readonly statement: string;
  readonly witnesses: readonly RunningWitness[];
  close(): Promise<void>;
}

/** Makes a vault, seals DOCUMENTS under `dir`, gets them cosigned and writes a bundle. */
export async function makeBundle(dir: string): Promise<BundleFixture> {
  const vaultDir = join(dir, 'vault');
  const { vault } = await newVault(vaultDir);
  const witnesses: RunningWitness[] = [];
  try {
    for (const name of WITNESS_NAMES) {
      const witness = await Witness.init(join(dir, name.replace(/\W/g, '_')), name);
      witness.addLog(vault.info.logVerifierKey);
      const app = buildWitnessServer(witness);
      const url = await listenWitness(app, '127.0.0.1', 0);
      witnesses.push({ name, witness, app });
      addWitness(vault.db, { name, vkey: witness.verifierKey, url });
    }
    setQuorum(vault.db, 2);
    await refreshTrustFile(vault);
  } finally {
    vault.close();
  }
  const docsDir = join(dir, 'docs');
  writeTree(docsDir, DOCUMENTS);
  const c = capture(dir);
  await sealCommand([docsDir], { vault: vaultDir, tag: ['evidence'], witnessWait: 10 }, c.ctx);
  const bundleDir = join(dir, 'bundle');
  await evidenceCommand(
    [],
    { vault: vaultDir, out: bundleDir, tag: 'evidence', withFiles: true },
    capture(dir).ctx,
  );
  const trustFile = join(vaultDir, 'trust.txt');
  return {
    vaultDir,
    docsDir,
    bundleDir,
    trustFile,
    statement: readFileSync(trustFile, 'utf8'),
    witnesses,
    async close() {
      for (const w of witnesses) {
        await w.app.close();
        await w.witness.close();
      }
    },
  };
}
