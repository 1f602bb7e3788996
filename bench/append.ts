/**
 * bench/append: small JSON records sealed the way `tamga add` seals each one (src/cli/add.ts) —
 * build the record, parseRecord, canonicalize, draw a 32-byte salt, commitCanonical — and
 * appended through Sequencer.append in batches, one signed checkpoint per batch, into a fresh
 * vault (WAL, synchronous = FULL, as every vault runs).
 *
 * Each phase runs as one loop over the batch and is timed as a whole, so the timer costs
 * nothing per record. Batches alternate between incident and transaction records, so each
 * kind's validation shows on its own.
 *
 * There is no external peer, so the floor is measured in the same run: the same rows inserted
 * with raw better-sqlite3 into the records table of a database of the same schema and settings,
 * in the same batch transactions, with nothing hashed or signed. Two parts of Sequencer.append
 * are measured apart on the same commitments, outside it, to split its time: the Merkle tree
 * and tiles (leaf hashes, TreeBuilder, TileWriter) and signing the checkpoint.
 *
 * With --profile, a second run of a fifth of the records, without the floor or the split, runs
 * under the V8 profiler and its profile is summarised.
 */
import { randomBytes } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { Session } from 'node:inspector/promises';
import { dirname, join } from 'node:path';
import { signCheckpoint } from '../src/log/checkpoint.js';
import { leafHash, TreeBuilder } from '../src/log/merkle.js';
import { TileWriter } from '../src/log/tiles.js';
import { installNodeCrypto } from '../src/platform/node-crypto.js';
import { commitCanonical } from '../src/records/commitment.js';
import { newRecordId } from '../src/records/id.js';
import { parseRecordCanonical, type TamgaRecord } from '../src/records/record.js';
import { openDatabase } from '../src/vault/db.js';
import { logSigner } from '../src/vault/keys.js';
import type { SealedEntry } from '../src/vault/sequencer.js';
import { Vault } from '../src/vault/vault.js';
import { type CpuProfile, summariseProfile } from './profile.js';
import {
  describeMachine,
  describeSource,
  freshDir,
  loadNow,
  PASSPHRASE,
  Prng,
  printTable,
  rel,
  WORK,
} from './work.js';

export interface AppendBenchOptions {
  readonly records: number;
  readonly batch: number;
  readonly profile: boolean;
}

export const defaultAppendBench: AppendBenchOptions = {
  records: 1_000_000,
  batch: 10_000,
  profile: false,
};

/** The goal: records per second on one core. */
const GOAL = 50_000;

const PLACES = ['Бишкек', 'Ош', 'Кара-Балта', 'Токмок', 'Нарын', 'Талас', 'Жалал-Абад', 'Каракол'];
const CATEGORIES = ['dismissal', 'threat', 'search', 'detention', 'wage-theft', 'interference'];
const WORDS = (
  'members meeting office police union dues leaflet strike night warehouse shift manager ' +
  'собрание профсоюз взносы обыск документы склад смена директор угроза увольнение'
).split(' ');
const NAMES = ['A. Sadykova', 'B. Usenov', 'Ч. Абдыкадырова', 'Д. Токтогулов', 'E. Ivanova'];
const ACCOUNTS = ['cash', 'bank:KG01', 'dues', 'strike-fund', 'rent', 'travel'];

function words(prng: Prng, min: number, max: number): string {
  const n = prng.int(min, max);
  const out: string[] = [];
  for (let i = 0; i < n; i++) out.push(prng.pick(WORDS));
  return out.join(' ');
}

function day(prng: Prng): string {
  return `2024-${String(prng.int(1, 12)).padStart(2, '0')}-${String(prng.int(1, 28)).padStart(2, '0')}`;
}

/** A record's body, as `tamga add` would read it: the benchmark's data, not Tamga's work. */
function makeBody(kind: 'incident' | 'transaction', prng: Prng): Record<string, unknown> {
  return kind === 'incident'
    ? {
        date: day(prng),
        place: prng.pick(PLACES),
        description: words(prng, 5, 9),
        category: prng.pick(CATEGORIES),
        victims: [prng.pick(NAMES)],
      }
    : {
        date: day(prng),
        amount: prng.int(100, 5_000_000) / 100,
        currency: 'KGS',
        debit: prng.pick(ACCOUNTS),
        credit: prng.pick(ACCOUNTS),
        memo: words(prng, 2, 5),
      };
}

/** The record `tamga add` builds around a body: fresh id and time, no files, no refs. */
function buildRecord(kind: string, body: Record<string, unknown>): unknown {
  const now = new Date();
  return {
    kind,
    id: newRecordId(now.getTime(), randomBytes(10)),
    created: `${now.toISOString().slice(0, 19)}Z`,
    author: 'bench',
    body,
    files: [],
    refs: [],
  };
}

/** Made before the clock of the pipeline starts: the input, not Tamga's work. */
const BODIES = 'bench data: bodies (not counted)';

const PHASES = [
  'build record (id, randomBytes 10, clock)',
  'parseRecordCanonical (JCS + schema)',
  'canonical bytes (already computed)',
  'salt (randomBytes 32)',
  'commitCanonical (SHA-256)',
  'entry (json text)',
  'Sequencer.append',
] as const;

interface Totals {
  /** Wall time of each phase, nanoseconds. */
  readonly ns: Map<string, number>;
  /** CPU time (user + system) of the process in each phase, nanoseconds. */
  readonly cpu: Map<string, number>;
  records: number;
  bytes: number;
}

/**
 * Runs `f`, adding its wall time and the process's CPU time to each of `phases`. CPU time is
 * what the phase would take on an idle machine, near enough, when other work shares this one.
 */
function timed<T>(totals: Totals, phases: string | readonly string[], f: () => T): T {
  const c0 = process.cpuUsage();
  const t0 = process.hrtime.bigint();
  const r = f();
  const ns = Number(process.hrtime.bigint() - t0);
  const c = process.cpuUsage(c0);
  for (const p of typeof phases === 'string' ? [phases] : phases) {
    totals.ns.set(p, (totals.ns.get(p) ?? 0) + ns);
    totals.cpu.set(p, (totals.cpu.get(p) ?? 0) + (c.user + c.system) * 1000);
  }
  return r;
}

/**
 * Seals `records` records into a fresh vault in `dir`. With `measure`, also inserts every batch
 * into the floor database and times the tree and the signature apart.
 */
async function appendRun(
  dir: string,
  o: AppendBenchOptions,
  measure: boolean,
  hooks: { start?: () => Promise<void>; batch?: (done: number) => void } = {},
): Promise<Totals> {
  const vault = await Vault.init(dir, {
    origin: 'bench.example/append',
    passphrase: PASSPHRASE,
    logN: 10,
  });
  const keys = await vault.unlock(PASSPHRASE);
  const sequencer = vault.sequencer(keys);
  const floorDb = measure ? openDatabase(join(dir, 'floor.db'), { create: true }) : null;
  const floorInsert = floorDb?.prepare(
    'INSERT INTO records (idx, id, kind, created, json, salt, commitment) VALUES (?, ?, ?, ?, ?, ?, ?)',
  );
  const signer = logSigner(keys);
  const builder = new TreeBuilder();
  const writer = new TileWriter();
  const prng = new Prng(3);
  const totals: Totals = { ns: new Map(), cpu: new Map(), records: 0, bytes: 0 };
  await hooks.start?.();
  try {
    for (let done = 0, b = 0; done < o.records; b++) {
      const n = Math.min(o.batch, o.records - done);
      const kind = b % 2 === 0 ? 'incident' : 'transaction';
      const bodies = timed(totals, BODIES, () =>
        Array.from({ length: n }, () => makeBody(kind, prng)),
      );
      const built = timed(totals, PHASES[0], () => bodies.map((body) => buildRecord(kind, body)));
      // parseRecordCanonical checks the record and returns the canonical JSON it computed.
      const checked = timed(totals, [PHASES[1], `parse:${kind}`], () =>
        built.map((r) => parseRecordCanonical(r)),
      );
      const parsed = checked.map((c) => c.record);
      const canonical = timed(totals, PHASES[2], () => checked.map((c) => c.canonical));
      const salts = timed(totals, PHASES[3], () => parsed.map(() => randomBytes(32)));
      const commitments = timed(totals, PHASES[4], () =>
        canonical.map((c, i) => commitCanonical(c, salts[i]!)),
      );
      const entries = timed(totals, PHASES[5], () =>
        parsed.map(
          (r: TamgaRecord, i): SealedEntry => ({
            id: r.id,
            kind: r.kind,
            created: r.created,
            json: new TextDecoder().decode(canonical[i]!),
            salt: salts[i]!,
            commitment: commitments[i]!,
            files: [],
          }),
        ),
      );
      timed(totals, PHASES[6], () => sequencer.append(entries));
      for (const c of canonical) totals.bytes += c.length;
      if (measure && floorDb && floorInsert) {
        const first = done;
        timed(totals, 'floor: raw INSERT, same rows and batches', () =>
          floorDb
            .transaction(() => {
              entries.forEach((e, i) => {
                floorInsert.run(first + i, e.id, e.kind, e.created, e.json, e.salt, e.commitment);
              });
            })
            .immediate(),
        );
        timed(totals, 'split: leaf hashes + tree + tiles', () => {
          for (const c of commitments) builder.append(leafHash(c), writer.sink);
          writer.flush();
        });
        timed(totals, 'split: sign checkpoint', () =>
          signCheckpoint(
            { origin: 'bench.example/append', size: builder.size, root: builder.root() },
            signer,
          ),
        );
      }
      done += n;
      totals.records = done;
      hooks.batch?.(done);
    }
  } finally {
    floorDb?.close();
    vault.close();
  }
  return totals;
}

function printTotals(t: Totals, o: AppendBenchOptions): void {
  const ns = (p: string) => t.ns.get(p) ?? 0;
  const cpu = (p: string) => t.cpu.get(p) ?? 0;
  const sum = (f: (p: string) => number) => PHASES.reduce((s, p) => s + f(p), 0);
  const pipeline = sum(ns);
  const pipelineCpu = sum(cpu);
  const sec = (x: number) => (x / 1e9).toFixed(2);
  const perRecord = (x: number) => `${(x / t.records / 1000).toFixed(2)} µs`;
  const share = (x: number, of = pipeline) => `${((100 * x) / of).toFixed(1)}%`;
  const row = (name: string, p: string): string[] => [
    name,
    sec(ns(p)),
    sec(cpu(p)),
    perRecord(ns(p)),
    perRecord(cpu(p)),
    share(ns(p)),
  ];
  const rows: string[][] = [];
  for (const p of PHASES) {
    rows.push(row(p, p));
    if (p === PHASES[1])
      for (const k of ['incident', 'transaction'])
        rows.push(row(`  of which ${k} batches`, `parse:${k}`));
  }
  rows.push([
    'whole pipeline',
    sec(pipeline),
    sec(pipelineCpu),
    perRecord(pipeline),
    perRecord(pipelineCpu),
    '100%',
  ]);
  rows.push([...row(BODIES, BODIES).slice(0, 5), '']);
  console.log('');
  printTable(['phase', 'wall s', 'CPU s', 'wall/record', 'CPU/record', 'share of wall'], rows);

  const APPEND = PHASES[6];
  const FLOOR = 'floor: raw INSERT, same rows and batches';
  const TREE = 'split: leaf hashes + tree + tiles';
  const SIGN = 'split: sign checkpoint';
  const rate = (x: number) => `${Math.round(t.records / (x / 1e9)).toLocaleString('en')}/s`;
  const both = (wall: number, c: number) => `${rate(wall)} by wall time, ${rate(c)} by CPU time`;
  const goal = (x: number) =>
    x / 1e9 <= t.records / GOAL ? 'met' : `missed by ${(x / 1e9 / (t.records / GOAL)).toFixed(2)}×`;
  console.log('');
  console.log(
    `  records: ${t.records.toLocaleString('en')} in batches of ${o.batch.toLocaleString('en')}, mean canonical JSON ${(t.bytes / t.records).toFixed(0)} bytes`,
  );
  console.log(
    `  whole pipeline (what \`tamga add\` does per record): ${both(pipeline, pipelineCpu)}`,
  );
  console.log(
    `    goal ${GOAL.toLocaleString('en')} records/s on one core: ${goal(pipeline)} by wall time, ${goal(pipelineCpu)} by CPU time`,
  );
  console.log(`  Sequencer.append alone: ${both(ns(APPEND), cpu(APPEND))}`);
  console.log(
    `  floor, raw better-sqlite3 INSERT of the same rows: ${both(ns(FLOOR), cpu(FLOOR))}`,
  );
  console.log(
    `  ratio Sequencer.append / floor: ${(ns(APPEND) / ns(FLOOR)).toFixed(2)} wall, ${(cpu(APPEND) / cpu(FLOOR)).toFixed(2)} CPU`,
  );
  console.log(
    `  ratio whole pipeline / floor: ${(pipeline / ns(FLOOR)).toFixed(2)} wall, ${(pipelineCpu / cpu(FLOOR)).toFixed(2)} CPU`,
  );
  console.log('  Sequencer.append split (tree and signature measured apart on the same input):');
  const restNs = ns(APPEND) - ns(TREE) - ns(SIGN);
  const restCpu = cpu(APPEND) - cpu(TREE) - cpu(SIGN);
  printTable(
    ['    part', 'wall s', 'CPU s', 'wall/record', 'share of append (wall)'],
    [
      [
        '    leaf hashes + tree + tiles',
        sec(ns(TREE)),
        sec(cpu(TREE)),
        perRecord(ns(TREE)),
        share(ns(TREE), ns(APPEND)),
      ],
      [
        '    sign checkpoint (1 per batch)',
        sec(ns(SIGN)),
        sec(cpu(SIGN)),
        perRecord(ns(SIGN)),
        share(ns(SIGN), ns(APPEND)),
      ],
      [
        '    the rest: SQLite (rows, tiles, checkpoint, commit)',
        sec(restNs),
        sec(restCpu),
        perRecord(restNs),
        share(restNs, ns(APPEND)),
      ],
    ],
  );
  const hashing = ns(PHASES[4]) + ns(TREE);
  const jcs = ns(PHASES[1]) + ns(PHASES[2]);
  console.log(
    `  hashing in all (commitments + tree): ${sec(hashing)} s, ${share(hashing)} of the pipeline's wall time; validation and JCS (parseRecordCanonical): ${sec(jcs)} s, ${share(jcs)}`,
  );
}

/** Runs the benchmark and prints records/s, the split of time and the ratio to the floor. */
export async function runAppendBench(o: AppendBenchOptions = defaultAppendBench): Promise<void> {
  installNodeCrypto();
  mkdirSync(WORK, { recursive: true });
  console.log(`bench/append on ${describeMachine()}`);
  console.log(`  source: ${describeSource()}`);
  const dir = freshDir('append-vault');
  console.log(`  fresh vault in ${rel(dir)}; floor database ${rel(join(dir, 'floor.db'))}`);
  const t0 = performance.now();
  let lastLine = t0;
  const totals = await appendRun(dir, o, true, {
    batch: (done) => {
      if (performance.now() - lastLine > 10_000) {
        lastLine = performance.now();
        console.log(
          `  … ${done.toLocaleString('en')} records, ${((lastLine - t0) / 1000).toFixed(0)} s`,
        );
      }
    },
  });
  console.log(
    `  wall time of the run, floor and split included: ${((performance.now() - t0) / 1000).toFixed(1)} s`,
  );
  printTotals(totals, o);
  console.log(`  after the run: ${loadNow()}`);
  freshDir('append-vault');

  if (o.profile) {
    const records = Math.max(o.batch, Math.floor(o.records / 5));
    console.log(
      `\n-- profile: ${records.toLocaleString('en')} records, pipeline only (not the timed run) --`,
    );
    const session = new Session();
    session.connect();
    await session.post('Profiler.enable');
    // Started once the vault is created and unlocked: only the pipeline is profiled.
    await appendRun(freshDir('append-profile'), { ...o, records }, false, {
      start: () => session.post('Profiler.start'),
    });
    const { profile } = await session.post('Profiler.stop');
    session.disconnect();
    freshDir('append-profile');
    const file = join(freshDir('profile-append'), 'append.cpuprofile');
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, JSON.stringify(profile));
    console.log(`  profile in ${rel(file)} (node --import tsx bench/profile.ts FILE to summarise)`);
    summariseProfile(profile as unknown as CpuProfile);
  }
}
