/**
 * `npm start`: Tamga's main job on the embedded default (SQLite and local files), end to end.
 * Creates a demo vault (passphrase from TAMGA_PASSPHRASE, else the demo one in the README),
 * seals the sample folder shipped in examples/sample, verifies one file, and serves the public
 * log until Ctrl-C. Running it again reuses the vault: the sample is already sealed.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { processContext } from '../src/cli/context.js';
import { main } from '../src/cli/main.js';

const env = {
  ...process.env,
  TAMGA_VAULT: process.env.TAMGA_VAULT || 'tamga-vault',
  TAMGA_PASSPHRASE: process.env.TAMGA_PASSPHRASE || 'demo passphrase, change me',
  TAMGA_AUTHOR: process.env.TAMGA_AUTHOR || 'demo treasurer',
};
const ctx = { ...processContext(), env };
const run = async (...args: string[]) => {
  console.error(`\n$ tamga ${args.join(' ')}`);
  const code = await main(args, ctx);
  if (code !== 0) process.exit(code);
};

if (!existsSync(join(env.TAMGA_VAULT, 'vault.db'))) {
  await run('init', '--origin', process.env.TAMGA_ORIGIN ?? 'demo.tamga.example/log');
}
await run('seal', join('examples', 'sample'), '--tag', 'sample');
await run('verify', join('examples', 'sample', '2019', 'протокол-собрания-2019-03-14.txt'));
await run('serve', '--host', process.env.HOST ?? '127.0.0.1', '--port', process.env.PORT ?? '8080');
