/**
 * `npm start`: the Tamga web app on the embedded default (SQLite and local files).
 *
 * Builds the browser app (`npm run build:web`) when web/dist is missing or older than its
 * sources, then serves the app, the public log and the offline verifier on HOST (127.0.0.1) and
 * PORT (8080), with the vault in TAMGA_VAULT (./tamga-vault), and prints the address to open.
 * The first run opens on the setup page; later runs start locked unless TAMGA_PASSPHRASE is set,
 * and an administrator unlocks the vault in the browser. TAMGA_WEB_BUILD=0 skips the build;
 * TAMGA_SECURE_COOKIES=1 marks the session cookie Secure (when served over https by a proxy).
 *
 * `npm start -- --cli` runs the former command-line demo instead: a demo vault, the sample
 * folder sealed, one file verified, the public log served.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { processContext } from '../src/cli/context.js';
import { main } from '../src/cli/main.js';
import { TamgaError } from '../src/log/errors.js';
import { writeLine } from '../src/platform/terminal.js';
import { buildApp } from '../src/server/app/index.js';
import { listen } from '../src/server/public-log.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const say = (line: string) => writeLine(process.stderr, line);

/** The newest modification time of the files under `dirs` (0 when none). */
function newest(dirs: readonly string[]): number {
  let t = 0;
  const walk = (p: string) => {
    const s = statSync(p, { throwIfNoEntry: false });
    if (s === undefined) return;
    if (s.isDirectory()) {
      if (p.endsWith('node_modules') || p.endsWith('dist')) return;
      for (const n of readdirSync(p)) walk(join(p, n));
    } else t = Math.max(t, s.mtimeMs);
  };
  for (const d of dirs) walk(d);
  return t;
}

/** Builds web/dist when it is missing or older than what it is built from. */
function buildWebIfStale(): void {
  const web = join(ROOT, 'web');
  if (process.env.TAMGA_WEB_BUILD === '0' || !existsSync(join(web, 'build', 'build-web.ts'))) {
    return;
  }
  const outputs = [join(web, 'dist', 'app', 'index.html'), join(web, 'dist', 'verifier.html')];
  const built = Math.min(
    ...outputs.map((f) => statSync(f, { throwIfNoEntry: false })?.mtimeMs ?? 0),
  );
  const sources = newest([
    web,
    join(ROOT, 'src', 'log'),
    join(ROOT, 'src', 'records'),
    join(ROOT, 'src', 'evidence'),
    join(ROOT, 'src', 'server', 'app', 'api.ts'),
  ]);
  if (built >= sources) return;
  say('Building the web app (npm run build:web) …');
  const r = spawnSync(process.execPath, ['--import', 'tsx', join(web, 'build', 'build-web.ts')], {
    cwd: ROOT,
    stdio: 'inherit',
  });
  if (r.status !== 0) {
    say('The web app did not build; serving what web/dist holds (or a placeholder page).');
  }
}

async function cliDemo(): Promise<void> {
  const env = {
    ...process.env,
    TAMGA_VAULT: process.env.TAMGA_VAULT || 'tamga-vault',
    TAMGA_PASSPHRASE: process.env.TAMGA_PASSPHRASE || 'demo passphrase, change me',
    TAMGA_AUTHOR: process.env.TAMGA_AUTHOR || 'demo treasurer',
  };
  const ctx = { ...processContext(), env };
  const run = async (...args: string[]) => {
    say(`\n$ tamga ${args.join(' ')}`);
    const code = await main(args, ctx);
    if (code !== 0) process.exit(code);
  };
  if (!existsSync(join(env.TAMGA_VAULT, 'vault.db'))) {
    await run('init', '--origin', process.env.TAMGA_ORIGIN ?? 'demo.tamga.example/log');
  }
  await run('seal', join('examples', 'sample'), '--tag', 'sample');
  await run('verify', join('examples', 'sample', '2019', 'протокол-собрания-2019-03-14.txt'));
  await run(
    'serve',
    '--host',
    process.env.HOST ?? '127.0.0.1',
    '--port',
    process.env.PORT ?? '8080',
  );
}

async function webApp(): Promise<void> {
  buildWebIfStale();
  const vaultDir = resolve(process.env.TAMGA_VAULT || 'tamga-vault');
  const passphrase = process.env.TAMGA_PASSPHRASE || undefined;
  const app = await buildApp({
    vaultDir,
    ...(passphrase === undefined ? {} : { passphrase }),
    secureCookies: process.env.TAMGA_SECURE_COOKIES === '1',
    say,
  });
  const port = Number(process.env.PORT || '8080');
  const url = await listen(app, { host: process.env.HOST || '127.0.0.1', port });
  const state = (await app.inject({ method: 'GET', url: '/api/state' })).json() as {
    phase: string;
    restored: { at: string } | null;
  };
  say(`Tamga is running, with its vault in ${vaultDir}.`);
  if (state.restored !== null) {
    say(
      `This vault was restored from a mirror (${state.restored.at}): it is a READ-ONLY COPY, which seals nothing and asks no witness until it is taken over (tamga takeover, or the banner in the app). Take it over only if it replaces the original for good: the original must never seal again.`,
    );
  }
  say(
    state.phase === 'setup'
      ? 'First run: open the address below to set up the vault.'
      : state.phase === 'locked'
        ? 'The vault is locked: sign in as an administrator and give the passphrase (or set TAMGA_PASSPHRASE).'
        : 'The vault is unlocked.',
  );
  say(`Open ${url} in your browser. Ctrl-C stops it.`);
  await new Promise<void>((done) => {
    for (const s of ['SIGINT', 'SIGTERM'] as const) process.once(s, () => done());
  });
  await app.close();
}

try {
  if (process.argv.includes('--cli')) await cliDemo();
  else await webApp();
} catch (e) {
  if (!(e instanceof TamgaError)) throw e;
  say(`tamga: ${e.message}`);
  process.exit(1);
}
