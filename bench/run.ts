/**
 * `npm run bench [-- NAME...]`: runs the benchmarks, each against its peer in the same run.
 * With no name, runs them all. `--quick` shrinks every workload, to check the harness.
 */
import { defaultLogBench, runLogBench } from './log.js';

const benches: Record<string, (quick: boolean) => void> = {
  log: (quick) =>
    runLogBench(
      quick ? { leaves: 20_000, inclusion: 2_000, consistency: 200, notes: 50 } : defaultLogBench,
    ),
};

const args = process.argv.slice(2);
const quick = args.includes('--quick');
const names = args.filter((a) => !a.startsWith('--'));
for (const name of names.length > 0 ? names : Object.keys(benches)) {
  const run = benches[name];
  if (!run) {
    console.error(`unknown benchmark ${name}; known: ${Object.keys(benches).join(', ')}`);
    process.exit(2);
  }
  console.log(`\n== bench/${name} (${new Date().toISOString()}, node ${process.version}) ==`);
  run(quick);
}
