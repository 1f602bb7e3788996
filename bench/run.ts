/**
 * `npm run bench [-- NAME...]`: runs the benchmarks, each against its peer in the same run.
 * With no name, runs them all. `--quick` shrinks every workload, to check the harness;
 * `--profile` also profiles what a benchmark offers to profile (seal, append, verify) and
 * summarises it; `--runs=N` repeats the timed comparisons of seal and verify N times and reports
 * each contender's best (for a machine that other work shares).
 */
import { defaultAppendBench, runAppendBench } from './append.js';
import { defaultBooksBench, quickBooksBench, runBooksBench } from './books.js';
import {
  defaultBooksImportBench,
  quickBooksImportBench,
  runBooksImportBench,
} from './books-import.js';
import { defaultLogBench, runLogBench } from './log.js';
import { defaultMirrorBench, quickMirrorBench, runMirrorBench } from './mirror.js';
import { defaultSealBench, QUICK_FOLDER, runSealBench } from './seal.js';
import { runVerifyBench } from './verify.js';
import { defaultWebBench, quickWebBench, runWebBench } from './web.js';
import { defaultWitnessBench, quickWitnessBench, runWitnessBench } from './witness.js';

interface Flags {
  quick: boolean;
  profile: boolean;
  /** --runs=N: rounds of the timed comparisons of seal and verify, best of each reported. */
  runs: number;
}

const benches: Record<string, (flags: Flags) => void | Promise<void>> = {
  log: ({ quick }) =>
    runLogBench(
      quick ? { leaves: 20_000, inclusion: 2_000, consistency: 200, notes: 50 } : defaultLogBench,
    ),
  seal: ({ quick, profile, runs }) =>
    runSealBench(
      quick
        ? { folder: QUICK_FOLDER, small: null, profile, rounds: runs }
        : { ...defaultSealBench, profile, rounds: runs },
    ),
  append: ({ quick, profile }) =>
    runAppendBench(
      quick ? { records: 20_000, batch: 2_000, profile } : { ...defaultAppendBench, profile },
    ),
  verify: ({ quick, profile, runs }) =>
    runVerifyBench(quick ? QUICK_FOLDER : undefined, profile, runs),
  witness: ({ quick, profile }) =>
    runWitnessBench({ ...(quick ? quickWitnessBench : defaultWitnessBench), profile }),
  mirror: ({ quick, runs }) =>
    runMirrorBench({ ...(quick ? quickMirrorBench : defaultMirrorBench), rounds: runs }),
  web: ({ quick }) => runWebBench(quick ? quickWebBench : defaultWebBench),
  books: async ({ quick }) => {
    await runBooksBench(quick ? quickBooksBench : defaultBooksBench, quick);
    await runBooksImportBench(quick ? quickBooksImportBench : defaultBooksImportBench);
  },
};

const args = process.argv.slice(2);
const runsArg = args.find((a) => a.startsWith('--runs='));
const flags: Flags = {
  quick: args.includes('--quick'),
  profile: args.includes('--profile'),
  runs: runsArg ? Math.max(1, Number.parseInt(runsArg.slice('--runs='.length), 10) || 1) : 1,
};
const names = args.filter((a) => !a.startsWith('--'));
for (const name of names.length > 0 ? names : Object.keys(benches)) {
  const run = benches[name];
  if (!run) {
    console.error(`unknown benchmark ${name}; known: ${Object.keys(benches).join(', ')}`);
    process.exit(2);
  }
  console.log(`\n== bench/${name} (${new Date().toISOString()}, node ${process.version}) ==`);
  await run(flags);
}
