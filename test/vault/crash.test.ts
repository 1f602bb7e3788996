/**
 * Crash safety of `tamga seal`: the real command, killed with SIGKILL 23 times at chosen moments
 * of its life — while node starts, after it opened the vault (unlock, counting walk), while it
 * writes blobs before any commit, the instant its first batch commit starts or a few
 * milliseconds later, the instant its second commit starts, and between batches after some
 * acknowledgements — over 3,000 or more files written to the folder as the runs need work.
 * After every run: fsck passes, every record the command ever acknowledged is in the vault at
 * the index and with the path and contents it was acknowledged with, and no path is sealed
 * twice. A run in the middle and one at the end are let finish, and one more finds everything
 * unchanged; then every file verifies as its own path's record, fsck decrypts every blob, no
 * blob is left unreferenced and no temporary blob is left behind.
 *
 * The moments are found by watching the child with inotify: its first touch of the database's
 * WAL and shared memory (the vault opened), its first temporary blob (sealing begun), the WAL
 * written after that (a batch being committed, before its acknowledgements print), and its
 * acknowledgements as they are read. Delays are drawn from a seeded random source and scaled
 * by what earlier runs took on this machine.
 *
 * fsck runs after every run in this process (`main`, as bin/tamga.js runs it), and as its own
 * process every few runs and at the end.
 */
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  Corpus,
  type CorpusFile,
  type KillPlan,
  Rng,
  readVault,
  runSeal,
  type SealLine,
  type SealRun,
  tamga,
  tamgaInProcess,
  writeCorpus,
} from './crash-helpers.js';

const SEED = 0x7a3c_2025;
/**
 * Files are written to the sealed folder as the runs need work; at least this many in all (more
 * where batches are large, as a batch holds what is sealed in a second).
 */
const FILES = 3000;

/**
 * How a run is killed: while starting; after opening the vault (unlock, counting walk); while
 * writing blobs before any commit; the instant its first batch commit starts, or 1–12 ms later
 * (durable or not, acknowledged or not); the instant its second commit starts; some time after
 * an acknowledgement, while the next batch is prepared. `none` runs are not killed.
 */
type Mode =
  | 'spawn'
  | 'count'
  | 'pre-commit'
  | 'commit'
  | 'commit-late'
  | 'second-commit'
  | 'mid'
  | 'none';

/** The killed runs, in a seeded order; an unkilled run follows the 12th, and the last. */
const KILLS: Mode[] = [
  ...Array<Mode>(2).fill('spawn'),
  ...Array<Mode>(3).fill('count'),
  ...Array<Mode>(4).fill('pre-commit'),
  ...Array<Mode>(4).fill('commit'),
  ...Array<Mode>(3).fill('commit-late'),
  ...Array<Mode>(2).fill('second-commit'),
  ...Array<Mode>(5).fill('mid'),
];
/** Files waiting to be sealed before a run of each mode: enough for it to be killed as meant. */
const PENDING: Record<Mode, number> = {
  spawn: 100,
  count: 100,
  'pre-commit': 300,
  commit: 300,
  'commit-late': 300,
  'second-commit': 600,
  mid: 500,
  none: 0,
};
/** Every how many runs fsck also runs as its own process (it always runs in this one). */
const FSCK_PROCESS_EVERY = 6;

type Phase =
  | 'finished (not killed)'
  | 'before the vault was opened (node, tsx)'
  | 'vault open, before the first blob (unlock, counting walk)'
  | 'writing blobs, before the first commit'
  | 'during the first batch commit'
  | 'during a later batch commit'
  | 'just after a batch commit, acknowledgements printing'
  | 'between commits, after some acknowledgements';

const ENV: NodeJS.ProcessEnv = {
  ...process.env,
  TAMGA_PASSPHRASE: 'crash test passphrase, seven tulips in a kettle',
  TAMGA_AUTHOR: 'crash-test',
  CI: 'true',
};
delete ENV.TAMGA_VAULT;

/** Where a killed run was when the kill was sent, from what had been seen of it. */
function phaseOf(run: SealRun): Phase {
  const seen = run.seenAtKill;
  if (run.killedAt === null || seen === null) return 'finished (not killed)';
  if (!seen.opened) return 'before the vault was opened (node, tsx)';
  if (!seen.blob) return 'vault open, before the first blob (unlock, counting walk)';
  if (seen.commits === 0) return 'writing blobs, before the first commit';
  const lastCommit = run.commitsAt[seen.commits - 1]!;
  const acksBefore = run.ackTimes.filter((t) => t < lastCommit).length;
  if (seen.acks === acksBefore)
    return seen.commits === 1 ? 'during the first batch commit' : 'during a later batch commit';
  if (run.killedAt - lastCommit < 50) return 'just after a batch commit, acknowledgements printing';
  return 'between commits, after some acknowledgements';
}

describe('tamga seal, killed with SIGKILL', () => {
  it('leaves a vault that fsck passes, keeps every acknowledged record, and finishes with no duplicates', async () => {
    const root = mkdtempSync(join(tmpdir(), 'tamga-crash-'));
    try {
      await runCrashTest(root);
    } catch (e) {
      console.log(`the vault and folder are kept in ${root}`);
      throw e;
    }
    rmSync(root, { recursive: true, force: true });
  }, 600_000);
});

async function runCrashTest(root: string): Promise<void> {
  const started = performance.now();
  const rng = new Rng(SEED);
  const folder = join(root, 'records');
  const vault = join(root, 'vault');
  const corpus = new Corpus(SEED + 1, 1, 12);
  // `tamga seal /abs/records` records each file under the folder's own name.
  const byPath = new Map<string, CorpusFile>();

  const init = tamga(['init', vault, '--origin', 'crash.test/log', '--scrypt-log-n', '10'], ENV);
  expect(init.status, init.stderr).toBe(0);

  // Estimates of how long things take here, refined after every run (milliseconds).
  const est = { spawnToOpen: 900, openToBlob: 300 };
  const blend = (old: number, seen: number) => 0.5 * old + 0.5 * seen;

  /** Every acknowledgement so far, by record id. */
  const acked = new Map<string, { path: string; index: number; sha256: string }>();
  const tally = new Map<string, number>();
  const count = (key: string) => tally.set(key, (tally.get(key) ?? 0) + 1);
  let kills = 0;
  let firstCommitKills = 0;
  let logSize = 0;
  /** The largest batch committed so far. */
  let maxBatch = 0;
  let round = 0;
  let fsckMs = 0;
  let sealMs = 0;

  let written = 0;
  /** Writes the next `n` files of the corpus. */
  const write = (n: number) => {
    const next = corpus.take(n);
    writeCorpus(folder, next);
    for (const f of next) byPath.set(`records/${f.rel}`, f);
    written += next.length;
    expect(byPath.size).toBe(written);
  };

  /** Runs one seal with `mode`, then checks the vault; returns the run. */
  const sealRound = async (mode: Mode): Promise<SealRun> => {
    round++;
    // Files on disk not yet in the log: paths are sealed once, in the order they were written.
    // Runs killed after their first batch need more than two batches' worth (batches are what
    // is sealed in a second, so their size depends on this machine).
    const need =
      mode === 'mid' || mode === 'second-commit'
        ? Math.max(PENDING[mode], 2 * maxBatch)
        : PENDING[mode];
    if (written - logSize < need) write(need - (written - logSize) + rng.int(0, 100));
    const remaining = written - logSize;
    const plan: KillPlan =
      mode === 'spawn'
        ? { after: 'spawn', ms: rng.next() * est.spawnToOpen }
        : mode === 'count'
          ? { after: 'open', ms: rng.next() * est.openToBlob }
          : mode === 'pre-commit'
            ? { after: 'blob', ms: rng.next() * 600 }
            : mode === 'commit'
              ? { after: 'commit', n: 1, ms: 0 }
              : mode === 'commit-late'
                ? { after: 'commit', n: 1, ms: rng.int(1, 12) }
                : mode === 'second-commit'
                  ? { after: 'commit', n: 2, ms: 0 }
                  : mode === 'mid'
                    ? {
                        after: 'acks',
                        count: rng.int(1, Math.max(1, Math.floor(0.5 * remaining))),
                        ms: rng.next() * 500,
                      }
                    : { after: 'none' };

    const t = performance.now();
    const run = await runSeal(vault, folder, ENV, plan);
    sealMs += performance.now() - t;
    const phase = phaseOf(run);
    const sealed = run.lines.filter(
      (l): l is Extract<SealLine, { status: 'sealed' }> => 'status' in l && l.status === 'sealed',
    );
    const where = `round ${round} (${mode})`;

    // The process ended as planned: killed, or finished with exit code 0.
    if (run.killedAt !== null) {
      expect(run.signal, `${where}: ${run.stderr}`).toBe('SIGKILL');
      kills++;
      if (plan.after === 'commit' && plan.n === 1) firstCommitKills++;
    } else {
      expect(run.code, `${where}: ${run.stderr}`).toBe(0);
      expect(run.lines.at(-1), where).toHaveProperty('summary');
    }
    expect(
      run.lines.filter((l) => 'status' in l && l.status === 'failed'),
      where,
    ).toEqual([]);

    // fsck passes: interrupted seals leave at most unreferenced blobs, which are warnings.
    const f0 = performance.now();
    const fsckArgs = ['fsck', '--vault', vault, '--json', '--no-blobs'];
    const fsck = await tamgaInProcess(fsckArgs, ENV);
    const fsckProcess = round % FSCK_PROCESS_EVERY === 0 ? tamga(fsckArgs, ENV) : null;
    fsckMs += performance.now() - f0;
    for (const r of fsckProcess ? [fsck, fsckProcess] : [fsck]) {
      expect(r.status, `${where}: fsck ${r.stdout} ${r.stderr}`).toBe(0);
      const report = JSON.parse(r.stdout) as { ok: boolean; records: number; problems: unknown[] };
      expect(report.problems, where).toEqual([]);
      expect(report.ok, where).toBe(true);
    }
    const fsckReport = JSON.parse(fsck.stdout) as { records: number; warnings: string[] };

    // Every acknowledged record is there, as acknowledged; no path is sealed twice.
    for (const s of sealed) {
      expect(acked.has(s.id), `${where}: ${s.id} acknowledged twice`).toBe(false);
      acked.set(s.id, { path: s.path, index: s.index, sha256: s.sha256 });
    }
    const { records, checkpoints } = readVault(vault);
    const sizes = [0, ...checkpoints].sort((a, b) => a - b);
    for (let i = 1; i < sizes.length; i++) maxBatch = Math.max(maxBatch, sizes[i]! - sizes[i - 1]!);
    expect(fsckReport.records, where).toBe(records.length);
    const byId = new Map(records.map((r) => [r.id, r]));
    const paths = new Set<string>();
    records.forEach((r, i) => {
      expect(r.idx, where).toBe(i);
      expect(r.kind, where).toBe('document');
      expect(paths.has(r.path), `${where}: ${r.path} sealed twice`).toBe(false);
      paths.add(r.path);
      expect(r.sha256, `${where}: ${r.path}`).toBe(byPath.get(r.path)?.sha256);
    });
    for (const [id, a] of acked) {
      const r = byId.get(id);
      expect(r, `${where}: acknowledged record ${id} (${a.path}) is missing`).toBeDefined();
      expect({ path: r?.path, index: r?.idx, sha256: r?.sha256 }, `${where}: ${id}`).toEqual(a);
    }
    for (const l of run.lines) {
      if ('status' in l && l.status === 'unchanged')
        expect(byId.get(l.id)?.path, `${where}: unchanged ${l.path}`).toBe(l.path);
    }
    // What this run added: its acknowledged records, and perhaps the batch whose
    // acknowledgements the kill cut off.
    const added = records.length - logSize;
    const unacked = added - sealed.length;
    expect(unacked, where).toBeGreaterThanOrEqual(0);
    if (run.killedAt === null) expect(unacked, where).toBe(0);
    logSize = records.length;

    // Refine the estimates.
    if (run.openedAt !== null) est.spawnToOpen = blend(est.spawnToOpen, run.openedAt);
    if (run.openedAt !== null && run.firstBlobAt !== null)
      est.openToBlob = blend(est.openToBlob, run.firstBlobAt - run.openedAt);

    count(phase);
    let outcome = '';
    if (run.killedAt !== null) {
      const before = logSize - added;
      const lastAckEnd = sealed.length > 0 ? sealed.at(-1)!.index + 1 : before;
      const lastCommit = run.commitsAt.at(-1);
      const ackedAfterCommit = lastCommit !== undefined && (run.ackTimes.at(-1) ?? -1) > lastCommit;
      outcome =
        unacked > 0
          ? checkpoints.has(lastAckEnd)
            ? 'a batch was durable, none of its acknowledgements printed'
            : 'a batch was durable, part of its acknowledgements printed'
          : lastCommit === undefined
            ? 'no commit begun'
            : !ackedAfterCommit
              ? 'the batch being committed was lost, none of it acknowledged'
              : run.killedAt - lastCommit < 50
                ? 'the batch being committed was durable and acknowledged before the kill landed'
                : 'no commit in flight';
      count(`outcome: ${outcome}`);
      count(
        sealed.length === 0
          ? 'kills with no acknowledgement in that run'
          : 'kills after some acknowledgements in that run',
      );
    }
    const planText =
      plan.after === 'none'
        ? 'no kill'
        : plan.after === 'commit'
          ? `kill ${plan.ms} ms into commit ${plan.n}`
          : plan.after === 'acks'
            ? `kill ${Math.round(plan.ms)} ms after ack ${plan.count}`
            : `kill ${Math.round(plan.ms)} ms after ${plan.after}`;
    const ms = (v: number | null | undefined) => (v == null ? '-' : `${Math.round(v)}`);
    const orphans = fsckReport.warnings.find((w) => /not named by any record/.test(w));
    console.log(
      `#${String(round).padStart(2)} ${mode.padEnd(13)} ${planText.padEnd(28)} pending ${String(remaining).padStart(4)} | ` +
        `open ${ms(run.openedAt)} blob ${ms(run.firstBlobAt)} commits [${run.commitsAt.map(ms).join(',')}] ` +
        `kill ${ms(run.killedAt)} end ${ms(run.endedAt)} | ${phase}${outcome ? `: ${outcome}` : ''}; ` +
        `acks ${sealed.length}, committed unacked ${unacked}, log ${logSize}` +
        `${orphans ? `, orphans ${orphans.split(' ')[0]}` : ''}`,
    );
    return run;
  };

  const order = rng.shuffle([...KILLS]);
  for (const [i, mode] of order.entries()) {
    await sealRound(mode);
    if (i === 11) {
      // A run that is not killed seals everything written so far.
      await sealRound('none');
      expect(logSize).toBe(written);
    }
  }
  write(Math.max(FILES - written, 0));
  await sealRound('none');
  expect(logSize).toBe(written);
  const files = corpus.files;
  // Running again finds nothing to do.
  const again = await sealRound('none');
  expect(again.lines.at(-1)).toMatchObject({
    summary: { sealed: 0, unchanged: files.length, failed: [] },
  });

  // Every file once, every file verifies, every blob decrypts, no blob left over.
  const f0 = performance.now();
  const { records } = readVault(vault);
  expect(records.length).toBe(files.length);
  expect(new Set(records.map((r) => r.path))).toEqual(new Set(byPath.keys()));
  const ls = tamga(['ls', '--vault', vault, '--json', '--limit', '100000'], ENV);
  expect(ls.status, ls.stderr).toBe(0);
  expect(ls.stdout.trim().split('\n').length).toBe(files.length);
  const verify = tamga(['verify', folder, '--vault', vault, '--json'], ENV);
  const verdicts = verify.stdout
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as { path: string; status: string; records?: { path: string }[] });
  expect(verdicts.filter((v) => v.status !== 'sealed')).toEqual([]);
  expect(verdicts.filter((v) => !v.records?.some((r) => r.path === v.path))).toEqual([]);
  expect(verdicts.length).toBe(files.length);
  expect(verify.status, verify.stderr).toBe(0);
  const full = tamga(['fsck', '--vault', vault, '--json'], ENV);
  expect(full.status, full.stdout + full.stderr).toBe(0);
  const report = JSON.parse(full.stdout) as {
    ok: boolean;
    records: number;
    blobs: number;
    problems: unknown[];
    warnings: string[];
  };
  expect(report).toMatchObject({ ok: true, records: files.length, problems: [] });
  expect(report.blobs).toBe(new Set(files.map((f) => f.sha256)).size);
  expect(report.warnings).toEqual([]);
  expect(readdirSync(join(vault, 'blobs', 'tmp'))).toEqual([]);
  const finalMs = performance.now() - f0;

  expect(kills).toBeGreaterThanOrEqual(20);
  expect(firstCommitKills).toBeGreaterThanOrEqual(3);
  const s = (v: number) => `${Math.round(v / 1000)} s`;
  console.log(
    [
      `${kills} kills in ${round} runs over ${files.length} files (${acked.size} acknowledged records); ` +
        `${s(performance.now() - started)} in all: ${s(sealMs)} in seal runs, ${s(fsckMs)} in fsck ` +
        `after them, ${s(finalMs)} in the final ls, verify and full fsck`,
      ...[...tally].sort().map(([k, n]) => `  ${String(n).padStart(2)}  ${k}`),
    ].join('\n'),
  );
}
