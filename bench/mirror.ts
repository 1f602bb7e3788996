/**
 * bench/mirror: `tamga mirror pull` of a vault served by `tamga serve` on loopback (verified:
 * checkpoint signature, tree rebuilt from the entries, every file's size and age header, each
 * file flushed to disk before the mirror commits), against `cp -r` of the same vault directory,
 * the floor, in the same run. Goal: within 2x of the copy.
 *
 * - The vault is the one bench/seal leaves for its folder (10,000 files, 1.1 GB) when its marker
 *   says it is complete; otherwise the folder is sealed into it first (not timed). --quick uses
 *   the 300-file folder.
 * - A mirror token is issued (`tamga mirror token`, not timed) and the vault is served by a
 *   `tamga serve` process of its own (started before, not timed).
 * - The vault directory is read once (untimed), so both contenders read from the page cache, and
 *   `sync` runs (untimed) before each, so neither pays for the other's writes. `cp -r` does not
 *   flush what it writes; the pull does (it must not acknowledge what a crash could lose), and
 *   a second figure shows the copy followed by `sync`.
 * - Nothing is deleted between contenders: each writes a directory of its own, and all are
 *   removed at the end. Creating thousands of files right after deleting thousands is slower
 *   (ext4 without a journal, as on this machine, skips inodes freed in the last 30 s when it
 *   allocates new ones), so a contender that ran after a deletion was handicapped.
 */
import { type ChildProcessByStdio, spawn } from 'node:child_process';
import { mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { BIG_FOLDER, QUICK_FOLDER, sealIntoFreshVault, vaultComplete, vaultFor } from './seal.js';
import {
  describeMachine,
  describeSource,
  duBytes,
  ensureFolder,
  type FolderSpec,
  freshDir,
  loadNow,
  mb,
  PASSPHRASE,
  printRatios,
  printRuns,
  type Run,
  rel,
  run,
  sync,
  TAMGA,
  WORK,
  warmRead,
} from './work.js';

/** Options of the mirror benchmark. */
export interface MirrorBenchOptions {
  readonly folder: FolderSpec;
  /** Rounds; each contender's best is reported. */
  readonly rounds: number;
}

export const defaultMirrorBench: MirrorBenchOptions = { folder: BIG_FOLDER, rounds: 1 };
export const quickMirrorBench: MirrorBenchOptions = { folder: QUICK_FOLDER, rounds: 1 };

/** Starts `tamga serve` on a free loopback port; resolves once it prints its URL. */
async function startServer(
  vault: string,
): Promise<{ url: string; child: ChildProcessByStdio<null, Readable, Readable> }> {
  const child = spawn(
    TAMGA[0],
    [TAMGA[1], 'serve', '--vault', vault, '--host', '127.0.0.1', '--port', '0'],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  const url = await new Promise<string>((resolve, reject) => {
    let out = '';
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /(http:\/\/\S+\/)/.exec(out);
      if (m) resolve(m[1]!);
    });
    child.on('exit', (code) => reject(new Error(`tamga serve exited with ${code}: ${out}`)));
  });
  return { url, child };
}

/** Runs the benchmark and prints both contenders, their MB/s and the ratio. */
export async function runMirrorBench(o: MirrorBenchOptions = defaultMirrorBench): Promise<void> {
  console.log(`bench/mirror on ${describeMachine()}`);
  console.log(`  source: ${describeSource()}`);
  mkdirSync(WORK, { recursive: true });
  const folder = ensureFolder(o.folder);
  const vault = vaultFor(folder).dir;
  if (vaultComplete(folder)) {
    console.log(`  reusing the vault bench/seal left: ${rel(vault)}`);
  } else {
    const r = await sealIntoFreshVault(folder);
    console.log(
      `  sealed ${folder.files} files into ${rel(vault)} first (${r.seconds.toFixed(1)} s, not timed)`,
    );
  }
  const issued = await run(
    'tamga mirror token',
    [
      ...TAMGA,
      'mirror',
      'token',
      '--vault',
      vault,
      '--label',
      `bench-${process.pid}-${Date.now()}`,
    ],
    { env: { TAMGA_PASSPHRASE: PASSPHRASE }, keepStdout: true },
  );
  const token = /tmt1_[A-Za-z0-9_-]{43}/.exec(issued.stderr)![0];
  const server = await startServer(vault);
  const bytes = duBytes(vault);
  // Every contender of every round writes a directory of its own (see the top of this file).
  const dirs = {
    cp: (round: number) => join(WORK, 'mirror-bench', `cp-${round}`),
    cpSync: (round: number) => join(WORK, 'mirror-bench', `cp-sync-${round}`),
    pull: (round: number) => join(WORK, 'mirror-bench', `pull-${round}`),
  };
  // Left by an interrupted run; removed before the vault is read, well before any contender.
  freshDir('mirror-bench');
  mkdirSync(join(WORK, 'mirror-bench'));
  try {
    const warm = warmRead(vault);
    console.log(
      `  vault: ${mb(bytes)} in ${warm.files} files, served at ${server.url}; warm read (not timed) ${warm.seconds.toFixed(2)} s`,
    );
    const cps: Run[] = [];
    const cpSyncs: Run[] = [];
    const pulls: Run[] = [];
    for (let round = 1; round <= o.rounds; round++) {
      if (o.rounds > 1) console.log(`  round ${round} of ${o.rounds}, ${loadNow()}`);
      await sync();
      cps.push(await run('cp -r', ['cp', '-r', vault, dirs.cp(round)]));
      await sync();
      cpSyncs.push(
        await run('cp -r && sync', [
          'sh',
          '-c',
          `cp -r '${vault}' '${dirs.cpSync(round)}' && sync`,
        ]),
      );
      await sync();
      pulls.push(
        await run(
          'tamga mirror pull',
          [...TAMGA, 'mirror', 'pull', server.url, '--into', dirs.pull(round), '--json'],
          { env: { TAMGA_MIRROR_TOKEN: token } },
        ),
      );
    }
    const best = (rs: Run[]) => rs.reduce((a, b) => (b.seconds < a.seconds ? b : a));
    const [cp, cpSync, pull] = [best(cps), best(cpSyncs), best(pulls)];
    console.log(
      `  mirror: ${mb(duBytes(dirs.pull(o.rounds)))} (the vault's database is not copied: the mirror rebuilds tiles, and holds records encrypted)`,
    );
    console.log('');
    printRuns([pull, cp, cpSync], bytes, warm.files);
    printRatios([
      [pull, cp],
      [pull, cpSync],
    ]);
    const ratio = pull.seconds / cp.seconds;
    console.log(
      `  goal: within 2x of cp -r: ${ratio <= 2 ? 'met' : 'NOT met'} (${ratio.toFixed(2)}x; MB/s over the vault's ${mb(bytes)})`,
    );
    console.log(`  after the runs: ${loadNow()}`);
  } finally {
    server.child.kill('SIGTERM');
    rmSync(join(WORK, 'mirror-bench'), { recursive: true, force: true });
  }
}
