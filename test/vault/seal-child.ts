/**
 * A seal killed mid-run, for seal.test.ts: `node --import tsx seal-child.ts VAULT FOLDER`.
 * Seals FOLDER in batches of 2 and SIGKILLs itself as soon as the first batch is acknowledged,
 * while other files are still being encrypted: no cleanup, no finally, as in a power cut.
 */
import { writeSync } from 'node:fs';
import { sealPaths } from '../../src/vault/seal.js';
import { Vault } from '../../src/vault/vault.js';
import { PASSPHRASE } from './helpers.js';

const vault = await Vault.open(process.argv[2]!);
const keys = await vault.unlock(PASSPHRASE);
await sealPaths(vault, keys, [process.argv[3]!], {
  author: 'killed',
  batchSize: 2,
  batchMillis: 1e9,
  concurrency: 4,
  onSealed: (e) => {
    if (e.status === 'sealed') {
      writeSync(1, `${e.path}\n`);
      process.kill(process.pid, 'SIGKILL');
    }
  },
});
writeSync(1, 'finished without being killed\n');
