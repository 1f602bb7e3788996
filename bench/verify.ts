/**
 * bench/verify: `tamga verify FOLDER` (the real CLI: hash every file, find its record, prove
 * the record's inclusion in the latest signed checkpoint) against `sha256sum` of the same
 * files, in the same run, both reading from the page cache after one untimed warm read.
 *
 * The vault is the one bench/seal left for the folder when its marker says it is complete;
 * otherwise the folder is sealed into a fresh vault first (not timed).
 */
import { mkdirSync } from 'node:fs';
import {
  BIG_FOLDER,
  best,
  cliStartup,
  printProfiles,
  QUICK_FOLDER,
  sealIntoFreshVault,
  vaultComplete,
  vaultFor,
} from './seal.js';
import {
  describeMachine,
  describeSource,
  ensureFolder,
  type FolderSpec,
  freshDir,
  loadNow,
  mb,
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

export { BIG_FOLDER as defaultVerifyFolder, QUICK_FOLDER as quickVerifyFolder };

/** Runs tamga verify and sha256sum over `spec`'s folder and prints both and their ratio. */
export async function runVerifyBench(
  spec: FolderSpec = BIG_FOLDER,
  profile = false,
  rounds = 1,
): Promise<void> {
  console.log(`bench/verify on ${describeMachine()}`);
  console.log(`  source: ${describeSource()}`);
  mkdirSync(WORK, { recursive: true });
  const folder = ensureFolder(spec);
  const vault = vaultFor(folder).dir;
  if (vaultComplete(folder)) {
    console.log(`  reusing the vault bench/seal left: ${rel(vault)}`);
  } else {
    const r = await sealIntoFreshVault(folder);
    console.log(
      `  sealed ${folder.files} files into ${rel(vault)} first (${r.seconds.toFixed(1)} s, not timed)`,
    );
  }
  await cliStartup();
  const warm = warmRead(folder.path);
  console.log(
    `  warm read (not timed): ${warm.files} files, ${mb(warm.bytes)} in ${warm.seconds.toFixed(2)} s; both read from the page cache`,
  );
  const tamgaRuns: Run[] = [];
  const shaRuns: Run[] = [];
  for (let round = 1; round <= rounds; round++) {
    if (rounds > 1) console.log(`  round ${round} of ${rounds}, ${loadNow()}`);
    await sync();
    // Exit code 0 only when every file is sealed: a check that verify found them all. It reads
    // the vault only, and needs no passphrase.
    tamgaRuns.push(
      await run('tamga verify', [...TAMGA, 'verify', spec.name, '--vault', vault], { cwd: WORK }),
    );
    shaRuns.push(
      await run(
        'sha256sum',
        ['sh', '-c', `find ${spec.name} -type f -print0 | xargs -0 sha256sum > /dev/null`],
        { cwd: WORK },
      ),
    );
  }
  const tamga = best(tamgaRuns);
  const sha = best(shaRuns);
  console.log('');
  if (rounds > 1) {
    console.log(`  best of ${rounds} rounds for each; every round's seconds:`);
    for (const rs of [tamgaRuns, shaRuns])
      console.log(`    ${rs[0]!.label}: ${rs.map((r) => r.seconds.toFixed(2)).join(', ')}`);
    console.log(
      `    tamga verify / sha256sum, round by round: ${shaRuns.map((r, i) => (tamgaRuns[i]!.seconds / r.seconds).toFixed(2)).join(', ')}`,
    );
  }
  printRuns([tamga, sha], folder.bytes, folder.files);
  printRatios([[tamga, sha]]);
  console.log(`  after the runs: ${loadNow()}`);
  console.log('  commands (from bench/.work/):');
  for (const r of [tamga, sha]) console.log(`    ${r.command.replace(`${ROOT}/`, '')}`);
  if (profile) {
    console.log(`\n-- profile: tamga verify of ${spec.name} under node --cpu-prof (not timed) --`);
    const profiles = freshDir(`profile-verify-${spec.name}`);
    mkdirSync(profiles, { recursive: true });
    const r = await run(
      'tamga verify',
      [
        TAMGA[0],
        '--cpu-prof',
        `--cpu-prof-dir=${profiles}`,
        TAMGA[1],
        'verify',
        spec.name,
        '--vault',
        vault,
      ],
      { cwd: WORK },
    );
    console.log(`  ${r.seconds.toFixed(2)} s under the profiler; profile in ${rel(profiles)}`);
    printProfiles(profiles);
  }
}
