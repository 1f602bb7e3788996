/**
 * bench/seal: `tamga seal` of a folder through the real CLI process, against `restic backup`
 * of the same folder and `sha256sum` of every file in it, in the same run.
 *
 * - The folder is generated once from a fixed seed (xoshiro128**) and cached in bench/.work/
 *   behind a marker file; generating it is not timed.
 * - One untimed read of the whole folder comes first, so every contender reads from the page
 *   cache, and `sync` runs (untimed) before each contender, so none pays for another's writes.
 * - `tamga init` of a fresh vault (scrypt 2^10) and `restic init` of a fresh repository are not
 *   timed. Both then run with default settings. restic keeps its default cache, pointed with
 *   --cache-dir at a fresh folder under bench/.work/ so every run is a first backup and nothing
 *   is written to ~/.cache; --no-cache would make restic read its own index back from the
 *   repository, which no user does.
 * - Wall time is measured here; CPU time and peak RSS by GNU time (Debian package `time`),
 *   else peak RSS by polling VmHWM in /proc.
 *
 * Scenarios: 10,000 files of 20–200 kB (about 1.1 GB), and 100,000 files of 1–4 KiB (about
 * 256 MB, the one for memory and per-file cost; skipped with --quick). With --profile, one more
 * untimed `tamga seal` of the first folder runs under `node --cpu-prof` and its profile is
 * summarised.
 */
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { type CpuProfile, summariseProfile } from './profile.js';
import {
  describeMachine,
  describeSource,
  duBytes,
  ensureFolder,
  type Folder,
  type FolderSpec,
  freshDir,
  haveGnuTime,
  initVault,
  loadNow,
  mb,
  onPath,
  PASSPHRASE,
  printRatios,
  printRuns,
  ROOT,
  type Run,
  rel,
  run,
  sync,
  TAMGA,
  WORK,
  warmRead,
} from './work.js';

export interface SealBenchOptions {
  /** The main folder: the throughput scenario, and the one bench/verify checks. */
  readonly folder: FolderSpec;
  /** The many-small-files scenario, or null to skip it. */
  readonly small: FolderSpec | null;
  /** Also profile one `tamga seal` of `folder` and summarise where its time goes. */
  readonly profile: boolean;
  /** Rounds of the main folder's scenario; each contender's best round is reported. */
  readonly rounds: number;
}

/** 10,000 files of 20,000–200,000 bytes (1.1 GB), 100 a folder. */
export const BIG_FOLDER: FolderSpec = {
  name: 'files-10000',
  files: 10_000,
  minBytes: 20_000,
  maxBytes: 200_000,
  seed: 1,
  perDir: 100,
};

/** 100,000 files of 1–4 KiB (256 MB), 1,000 a folder. */
export const SMALL_FOLDER: FolderSpec = {
  name: 'small-100000',
  files: 100_000,
  minBytes: 1024,
  maxBytes: 4096,
  seed: 2,
  perDir: 1000,
};

/** --quick: 300 files of the big folder's sizes, no small-files scenario. */
export const QUICK_FOLDER: FolderSpec = { ...BIG_FOLDER, name: 'files-300', files: 300 };

export const defaultSealBench: SealBenchOptions = {
  folder: BIG_FOLDER,
  small: SMALL_FOLDER,
  profile: false,
  rounds: 1,
};

/** The vault bench/seal leaves for a folder, which bench/verify reuses. */
export function vaultFor(folder: Folder): { dir: string; marker: string } {
  const dir = join(WORK, `vault-${folder.spec.name}`);
  return { dir, marker: `${dir}.marker` };
}

/** True when the vault for `folder` exists and holds all of it, sealed by a complete run. */
export function vaultComplete(folder: Folder): boolean {
  try {
    const m = JSON.parse(readFileSync(vaultFor(folder).marker, 'utf8')) as { spec: string };
    return m.spec === JSON.stringify(folder.spec) && readdirSync(vaultFor(folder).dir).length > 0;
  } catch {
    return false;
  }
}

/**
 * `tamga seal FOLDER --vault DIR -q`, run from bench/.work/ so records hold paths relative to
 * it. Checks that every file was sealed.
 */
export async function tamgaSeal(
  folder: Folder,
  vault: string,
  nodeFlags: readonly string[] = [],
): Promise<Run> {
  const argv = [TAMGA[0], ...nodeFlags, ...TAMGA.slice(1)];
  const r = await run('tamga seal', [...argv, 'seal', folder.spec.name, '--vault', vault, '-q'], {
    cwd: WORK,
    env: { TAMGA_PASSPHRASE: PASSPHRASE },
  });
  const m = /Sealed (\d+) files?/.exec(r.stderr);
  if (!m || Number(m[1]) !== folder.files)
    throw new Error(`tamga seal sealed ${m?.[1] ?? 'no'} files of ${folder.files}: ${r.stderr}`);
  return r;
}

/** Seals `folder` into a fresh vault (init not timed) and marks it for bench/verify. */
export async function sealIntoFreshVault(folder: Folder): Promise<Run> {
  const { dir, marker } = vaultFor(folder);
  rmSync(marker, { force: true });
  await initVault(dir, `bench.example/${folder.spec.name}`);
  await sync();
  const r = await tamgaSeal(folder, dir);
  writeFileSync(marker, JSON.stringify({ spec: JSON.stringify(folder.spec), sealed: r.seconds }));
  return r;
}

const RESTIC_INSTALL = 'apt-get install -y restic';

async function resticBackup(folder: Folder, say: boolean): Promise<Run> {
  const repo = freshDir(`restic-${folder.spec.name}`);
  const cache = freshDir(`restic-cache-${folder.spec.name}`);
  const env = { RESTIC_PASSWORD: PASSPHRASE };
  await run('restic init', ['restic', 'init', '--repo', repo], { env });
  await sync();
  try {
    return await run(
      'restic backup',
      ['restic', 'backup', '--repo', repo, '--cache-dir', cache, folder.spec.name],
      { cwd: WORK, env },
    );
  } finally {
    if (say)
      console.log(`  restic repository: ${mb(duBytes(repo))} in ${rel(repo)} (removed after)`);
    rmSync(repo, { recursive: true, force: true });
    rmSync(cache, { recursive: true, force: true });
  }
}

async function sha256sumAll(folder: Folder): Promise<Run> {
  return run(
    'sha256sum',
    ['sh', '-c', `find ${folder.spec.name} -type f -print0 | xargs -0 sha256sum > /dev/null`],
    { cwd: WORK },
  );
}

/** Prints how long the CLI takes to start and exit with nothing to do (best of three). */
export async function cliStartup(): Promise<number> {
  let best = Number.POSITIVE_INFINITY;
  for (let i = 0; i < 3; i++)
    best = Math.min(best, (await run('tamga --help', [...TAMGA, '--help'])).seconds);
  console.log(
    `  CLI start-up (\`tamga --help\`, best of 3): ${best.toFixed(2)} s, in every tamga time`,
  );
  return best;
}

async function scenario(spec: FolderSpec, keepVault: boolean, rounds: number): Promise<void> {
  console.log(`\n-- ${spec.files} files of ${spec.minBytes}–${spec.maxBytes} bytes --`);
  const folder = ensureFolder(spec);
  const warm = warmRead(folder.path);
  console.log(
    `  warm read (not timed): ${warm.files} files, ${mb(warm.bytes)} in ${warm.seconds.toFixed(2)} s; every contender reads from the page cache`,
  );
  const haveRestic = onPath('restic');
  if (!haveRestic) console.log(`  restic not run: it is not installed (${RESTIC_INSTALL})`);
  const all: Run[][] = [[], [], []];
  for (let round = 1; round <= rounds; round++) {
    if (rounds > 1) console.log(`  round ${round} of ${rounds}, ${loadNow()}`);
    const last = round === rounds;
    all[0]!.push(
      keepVault
        ? await sealIntoFreshVault(folder)
        : await (async () => {
            const dir = join(WORK, `vault-${spec.name}`);
            await initVault(dir, `bench.example/${spec.name}`);
            await sync();
            try {
              return await tamgaSeal(folder, dir);
            } finally {
              if (last) console.log(`  tamga vault: ${mb(duBytes(dir))} (removed after)`);
              rmSync(dir, { recursive: true, force: true });
            }
          })(),
    );
    if (keepVault && last)
      console.log(
        `  tamga vault: ${mb(duBytes(vaultFor(folder).dir))} in ${rel(vaultFor(folder).dir)} (kept for bench/verify)`,
      );
    if (haveRestic) {
      await sync();
      all[1]!.push(await resticBackup(folder, last));
    }
    await sync();
    all[2]!.push(await sha256sumAll(folder));
  }
  const runs = all.filter((rs) => rs.length > 0).map(best);
  const [tamga, restic, sha] = [
    best(all[0]!),
    all[1]!.length > 0 ? best(all[1]!) : undefined,
    best(all[2]!),
  ];
  console.log('');
  if (rounds > 1) {
    console.log(`  best of ${rounds} rounds for each; every round's seconds:`);
    for (const rs of all.filter((r) => r.length > 0))
      console.log(`    ${rs[0]!.label}: ${rs.map((r) => r.seconds.toFixed(2)).join(', ')}`);
    // Other work on the machine moves every contender of a round alike: each round's own
    // ratio is steadier than the ratio of the best times.
    for (const other of all.slice(1).filter((r) => r.length > 0))
      console.log(
        `    ${all[0]![0]!.label} / ${other[0]!.label}, round by round: ${other.map((r, i) => (all[0]![i]!.seconds / r.seconds).toFixed(2)).join(', ')}`,
      );
  }
  printRuns(runs, folder.bytes, folder.files);
  printRatios([
    [tamga, restic],
    [tamga, sha],
  ]);
  console.log(`  after the runs: ${loadNow()}`);
  console.log('  commands (from bench/.work/):');
  for (const r of runs) console.log(`    ${r.command.replace(`${ROOT}/`, '')}`);
}

/** The run of least wall time. */
export function best(runs: readonly Run[]): Run {
  return runs.reduce((a, b) => (b.seconds < a.seconds ? b : a));
}

async function profileSeal(spec: FolderSpec): Promise<void> {
  console.log(`\n-- profile: tamga seal of ${spec.name} under node --cpu-prof (not timed) --`);
  const folder = ensureFolder(spec);
  warmRead(folder.path);
  const dir = join(WORK, `vault-profile-${spec.name}`);
  const profiles = freshDir(`profile-seal-${spec.name}`);
  mkdirSync(profiles, { recursive: true });
  await initVault(dir, `bench.example/${spec.name}`);
  try {
    const r = await tamgaSeal(folder, dir, ['--cpu-prof', `--cpu-prof-dir=${profiles}`]);
    console.log(`  ${r.seconds.toFixed(2)} s under the profiler; profile in ${rel(profiles)}`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  printProfiles(profiles);
}

/**
 * Summarises the profiles `node --cpu-prof` wrote into `dir`. Node 20 runs tsx's module hooks
 * on a thread of their own, which writes a second profile: it gets a short summary.
 */
export function printProfiles(dir: string): void {
  for (const f of readdirSync(dir).filter((n) => n.endsWith('.cpuprofile'))) {
    const profile = JSON.parse(readFileSync(join(dir, f), 'utf8')) as CpuProfile;
    const main = profile.nodes.some((n) => n.callFrame.url.includes('/src/vault/'));
    console.log(`  ${f}: ${main ? 'the main thread' : "another thread (tsx's module loader)"}`);
    summariseProfile(profile, main ? 25 : 5);
  }
}

/** Runs the scenarios and prints each contender's figures and Tamga's ratios to them. */
export async function runSealBench(o: SealBenchOptions = defaultSealBench): Promise<void> {
  console.log(`bench/seal on ${describeMachine()}`);
  console.log(`  source: ${describeSource()}`);
  if (!haveGnuTime())
    console.log('  (GNU time not installed: peak RSS by polling /proc; apt-get install -y time)');
  mkdirSync(WORK, { recursive: true });
  await cliStartup();
  await scenario(o.folder, true, o.rounds);
  if (o.small) await scenario(o.small, false, 1);
  else console.log('\n(many-small-files scenario skipped)');
  if (o.profile) await profileSeal(o.folder);
}
