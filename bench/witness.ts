/**
 * bench/witness: add-checkpoint requests per second, and their latency, against a witness
 * served by `witnessServe` in a process of its own on loopback, from this process with node's
 * http.Agent (keep-alive, one socket per concurrent client, as C2SP tlog-witness asks clients to
 * do). autocannon would measure the same thing, but it replays fixed requests, and a witness
 * answers a replayed add-checkpoint with a cheap 409; every request here is a new checkpoint
 * with a real consistency proof, so each costs the witness what a log's request costs it.
 *
 * The workload: many logs, each advancing step by step. Every log's checkpoints and proofs are
 * signed and computed before the clock starts. Each of the concurrent clients owns a share of
 * the logs and sends their next steps one request at a time, so every request is consistent
 * and must be cosigned (200); anything else is counted as an error. The first step of every log
 * (from size 0) warms the server up and is not measured.
 *
 * The floor is the Ed25519 arithmetic every request needs on this machine — one verification
 * of the log's signature and one cosignature — measured in the same run.
 */
import { type ChildProcessByStdio, spawn } from 'node:child_process';
import { readdirSync, readFileSync, realpathSync, statSync } from 'node:fs';
import { Agent, request } from 'node:http';
import { connect } from 'node:net';
import { cpus } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import type { Readable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { signCheckpoint } from '../src/log/checkpoint.js';
import {
  checkCosignatures,
  cosigner,
  parseCosignatureVerifierKey,
} from '../src/log/cosignature.js';
import { encodeBase64, encodeUtf8 } from '../src/log/encoding.js';
import { MemoryTree } from '../src/log/memory-tree.js';
import {
  type Ed25519Signer,
  generateSignerKey,
  parseSignerKey,
  parseVerifierKey,
} from '../src/log/note.js';
import { consistencyProofSync } from '../src/log/proof.js';
import { installNodeCrypto } from '../src/platform/node-crypto.js';
import { witnessServe } from '../src/witness/commands.js';
import { Witness } from '../src/witness/witness.js';
import { type CpuProfile, summariseProfile } from './profile.js';
import {
  describeMachine,
  describeSource,
  freshDir,
  loadNow,
  Prng,
  printTable,
  rel,
  WORK as WORK_DIR,
} from './work.js';

export interface WitnessBenchOptions {
  /** Logs the witness witnesses. */
  readonly logs: number;
  /** Checkpoints each log submits, the first one (from size 0) unmeasured. */
  readonly steps: number;
  /** Concurrent clients, each on its own keep-alive socket. */
  readonly connections: number;
  /** Runs the witness under V8's profiler (--cpu-prof) and summarises where its time went. */
  readonly profile?: boolean;
  /** The witness's Ed25519 worker threads; its default when left out. */
  readonly cryptoWorkers?: number;
  /**
   * The HTTP clients to measure with, one run each on a fresh witness: bare keep-alive sockets
   * (as autocannon; the goal is judged on this run), and node's http.Agent. Both by default.
   */
  readonly clients?: ReadonlyArray<'raw' | 'agent'>;
}

export const defaultWitnessBench: WitnessBenchOptions = { logs: 200, steps: 150, connections: 50 };

export const quickWitnessBench: WitnessBenchOptions = { logs: 20, steps: 10, connections: 10 };

/** The goals: cosignatures per second on this 2-core machine, and the 99th percentile. */
const GOAL_RATE = 5_000;
const GOAL_P99_MS = 20;

const WITNESS_NAME = 'bench.witness.example/w1';
const SELF = fileURLToPath(import.meta.url);

interface Request {
  readonly origin: string;
  readonly size: number;
  readonly body: Buffer;
}

/** Signs every log's checkpoints and computes their proofs, step by step. */
function buildRequests(logs: readonly LogKey[], steps: number): Request[][] {
  const prng = new Prng(0x77);
  return logs.map(({ origin, signer }) => {
    const tree = new MemoryTree();
    const leaf = new Uint8Array(32);
    const out: Request[] = [];
    let old = 0;
    for (let s = 0; s < steps; s++) {
      const grow = prng.int(1, 32);
      for (let i = 0; i < grow; i++) {
        prng.fill(leaf);
        tree.appendData(leaf);
      }
      const size = tree.size;
      const note = signCheckpoint({ origin, size, root: tree.root() }, signer);
      const proof = old === 0 ? [] : consistencyProofSync(old, size, tree);
      const body = `old ${old}\n${proof.map((h) => `${encodeBase64(h)}\n`).join('')}\n${note}`;
      out.push({ origin, size, body: Buffer.from(body) });
      old = size;
    }
    return out;
  });
}

interface LogKey {
  readonly origin: string;
  readonly signer: Ed25519Signer;
}

interface Served {
  readonly url: string;
  readonly child: ChildProcessByStdio<null, Readable, Readable>;
  readonly exited: Promise<unknown>;
}

async function startServer(
  dir: string,
  profileDir: string | null,
  workers: number | undefined,
): Promise<Served> {
  const prof = profileDir === null ? [] : ['--cpu-prof', '--cpu-prof-dir', profileDir];
  const args = [...prof, '--import', 'tsx', SELF, '--serve', dir];
  if (workers !== undefined) args.push(String(workers));
  const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.stderr.pipe(process.stderr);
  const lines = createInterface({ input: child.stdout })[Symbol.asyncIterator]();
  const first = String((await lines.next()).value);
  const url = /at (http:\/\/\S+)$/.exec(first)?.[1];
  if (url === undefined) throw new Error(`the witness did not start: ${first}`);
  return { url, child, exited };
}

/** CPU seconds (user + system) a process has used so far, from /proc on Linux. */
function processCpuSeconds(pid: number): number | undefined {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
    // utime and stime are fields 14 and 15 of stat, 12 and 13 after the command name.
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return undefined;
  }
}

/** Sends add-checkpoint requests: `lane` is the concurrent client asking, one request at a time. */
interface Client {
  post(lane: number, body: Buffer): Promise<{ status: number; text: string }>;
  close(): void;
}

/** node's http client, with a keep-alive Agent of one socket per concurrent client. */
function agentClient(url: URL, connections: number): Client {
  const agent = new Agent({ keepAlive: true, maxSockets: connections });
  return {
    post: (_lane, body) =>
      new Promise((resolve, reject) => {
        const req = request(
          url,
          {
            method: 'POST',
            agent,
            headers: { 'content-type': 'text/plain', 'content-length': body.length },
          },
          (res) => {
            const chunks: Buffer[] = [];
            res.on('data', (c: Buffer) => chunks.push(c));
            res.on('end', () =>
              resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString() }),
            );
            res.on('error', reject);
          },
        );
        req.on('error', reject);
        req.end(body);
      }),
    close: () => agent.destroy(),
  };
}

/**
 * A bare HTTP/1.1 client, as autocannon is: one keep-alive socket per concurrent client, each
 * request written as one buffer, each response read by its Content-Length (the witness always
 * sends one). It costs a fraction of node's http client, which on two cores would otherwise take
 * CPU from the server it measures.
 */
function rawClient(url: URL, connections: number): Client {
  const head = (n: number) =>
    `POST ${url.pathname} HTTP/1.1\r\nhost: ${url.host}\r\ncontent-type: text/plain\r\ncontent-length: ${n}\r\n\r\n`;
  const lanes = Array.from({ length: connections }, () => {
    const socket = connect(Number(url.port), url.hostname);
    socket.setNoDelay(true);
    let buffered: Buffer = Buffer.alloc(0);
    let waiting: {
      resolve(r: { status: number; text: string }): void;
      reject(e: Error): void;
    } | null = null;
    socket.on('data', (chunk: Buffer) => {
      buffered = buffered.length === 0 ? chunk : Buffer.concat([buffered, chunk]);
      const end = buffered.indexOf('\r\n\r\n');
      if (end < 0) return;
      const headers = buffered.toString('latin1', 0, end);
      const length = Number(/\r\ncontent-length: *(\d+)/i.exec(headers)?.[1] ?? 'NaN');
      if (buffered.length < end + 4 + length) return;
      const status = Number(headers.slice(9, 12));
      const text = buffered.toString('utf8', end + 4, end + 4 + length);
      buffered = buffered.subarray(end + 4 + length);
      const w = waiting;
      waiting = null;
      w?.resolve({ status, text });
    });
    socket.on('error', (e) => waiting?.reject(e));
    return {
      socket,
      post(body: Buffer) {
        return new Promise<{ status: number; text: string }>((resolve, reject) => {
          waiting = { resolve, reject };
          socket.write(Buffer.concat([Buffer.from(head(body.length)), body]));
        });
      },
    };
  });
  return {
    post: (lane, body) => lanes[lane]!.post(body),
    close: () => {
      for (const l of lanes) l.socket.destroy();
    },
  };
}

interface Phase {
  readonly latencies: Float64Array;
  readonly seconds: number;
  readonly errors: Map<number, number>;
  readonly last: Map<string, { size: number; body: Buffer; cosignature: string }>;
}

/** Sends step `from`…`to`-1 of every log, each client its share, one request at a time. */
async function drive(
  client: Client,
  requests: readonly Request[][],
  connections: number,
  from: number,
  to: number,
): Promise<Phase> {
  const latencies = new Float64Array(requests.length * (to - from));
  let n = 0;
  const errors = new Map<number, number>();
  const last = new Map<string, { size: number; body: Buffer; cosignature: string }>();
  const runLane = async (lane: number) => {
    const mine = requests.filter((_, i) => i % connections === lane);
    for (let s = from; s < to; s++) {
      for (const log of mine) {
        const r = log[s]!;
        const t0 = process.hrtime.bigint();
        const answer = await client.post(lane, r.body);
        latencies[n++] = Number(process.hrtime.bigint() - t0) / 1e6;
        if (answer.status === 200) {
          last.set(r.origin, { size: r.size, body: r.body, cosignature: answer.text });
        } else {
          errors.set(answer.status, (errors.get(answer.status) ?? 0) + 1);
        }
      }
    }
  };
  const t0 = process.hrtime.bigint();
  await Promise.all(Array.from({ length: connections }, (_, i) => runLane(i)));
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
  return { latencies: latencies.subarray(0, n).sort(), seconds, errors, last };
}

const percentile = (sorted: Float64Array, p: number) =>
  sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? Number.NaN;

/**
 * CPU microseconds per call of `f`, over about 300 ms: CPU time rather than wall time, so that
 * other work on the machine does not inflate it.
 */
function perCall(f: () => void): number {
  for (let i = 0; i < 50; i++) f();
  let calls = 0;
  const t0 = performance.now();
  const cpu0 = process.cpuUsage();
  while (performance.now() - t0 < 300) {
    for (let i = 0; i < 50; i++) f();
    calls += 50;
  }
  const cpu = process.cpuUsage(cpu0);
  return (cpu.user + cpu.system) / calls;
}

/** One measured run: a fresh witness, its server process, one kind of client. */
interface RunResult {
  readonly client: string;
  readonly total: number;
  readonly seconds: number;
  readonly latencies: Float64Array;
  readonly errors: Map<number, number>;
  readonly serverCpu: number | undefined;
  readonly clientCpu: number;
}

async function measure(
  opts: WitnessBenchOptions,
  logs: readonly LogKey[],
  requests: readonly Request[][],
  kind: 'raw' | 'agent',
  profileDir: string | null,
): Promise<RunResult> {
  const { steps, connections } = opts;
  const dir = freshDir('witness');
  const witness = await Witness.init(dir, WITNESS_NAME);
  for (const l of logs) witness.addLog(l.signer.verifierKey);
  const witnessKey = parseCosignatureVerifierKey(witness.verifierKey);
  await witness.close();

  const server = await startServer(dir, profileDir, opts.cryptoWorkers);
  const url = new URL('add-checkpoint', server.url);
  const client = kind === 'agent' ? agentClient(url, connections) : rawClient(url, connections);
  try {
    const warm = await drive(client, requests, connections, 0, 1);
    if (warm.errors.size > 0) throw new Error(`warm-up refused: ${[...warm.errors].join(', ')}`);
    const cpu0 = processCpuSeconds(server.child.pid!);
    const me0 = process.cpuUsage();
    const run = await drive(client, requests, connections, 1, steps);
    const cpu1 = processCpuSeconds(server.child.pid!);
    const me = process.cpuUsage(me0);

    // Every log ends where its last request took it, its cosignature verifies, and the witness
    // serves that checkpoint to monitors.
    for (const l of logs) {
      const last = run.last.get(l.origin);
      if (last === undefined) continue;
      const note = last.body.toString().slice(last.body.indexOf('\n\n') + 2);
      const w = checkCosignatures(
        `${note}${last.cosignature}`,
        parseVerifierKey(l.signer.verifierKey),
        [witnessKey],
        1,
      );
      if (w.checkpoint.size !== last.size) throw new Error(`${l.origin}: wrong size cosigned`);
      const served = await fetch(
        new URL(`checkpoints/${encodeURIComponent(l.origin)}`, server.url),
      );
      if ((await served.text()) !== `${note}${last.cosignature}`) {
        throw new Error(`${l.origin}: the witness serves another checkpoint than it cosigned last`);
      }
    }
    return {
      client: kind === 'agent' ? "node's http.Agent" : 'bare HTTP/1.1 sockets',
      total: run.latencies.length,
      seconds: run.seconds,
      latencies: run.latencies,
      errors: run.errors,
      serverCpu: cpu0 === undefined || cpu1 === undefined ? undefined : cpu1 - cpu0,
      clientCpu: (me.user + me.system) / 1e6,
    };
  } finally {
    client.close();
    server.child.kill('SIGTERM');
    await server.exited;
  }
}

export async function runWitnessBench(opts: WitnessBenchOptions): Promise<void> {
  installNodeCrypto();
  console.log(describeMachine());
  console.log(describeSource());
  const { logs: nLogs, steps, connections } = opts;
  const seeds = new Prng(0x5eed);
  const seed = () => {
    const s = new Uint8Array(32);
    seeds.fill(s);
    return s;
  };
  const logs: LogKey[] = Array.from({ length: nLogs }, (_, i) => {
    const origin = `log${i}.bench.example/log`;
    return { origin, signer: parseSignerKey(generateSignerKey(origin, seed())) };
  });

  const t = performance.now();
  const requests = buildRequests(logs, steps);
  const bytes = requests.flat().reduce((a, r) => a + r.body.length, 0);
  console.log(
    `${nLogs} logs × ${steps} checkpoints signed, with proofs, in ${((performance.now() - t) / 1000).toFixed(1)} s ` +
      `(${(bytes / requests.flat().length).toFixed(0)} bytes per request on average)`,
  );

  // The floor: what one request costs in Ed25519 alone, on one core of this machine.
  const logKey = logs[0]!.signer;
  const verifier = parseVerifierKey(logKey.verifierKey);
  const text = encodeUtf8(`${logs[0]!.origin}\n1000\n${encodeBase64(new Uint8Array(32))}\n`);
  const sig = logKey.sign(text);
  const c = cosigner(WITNESS_NAME, seed());
  const verifyUs = perCall(() => verifier.verify(text, sig));
  const signUs = perCall(() => c.signer(1_700_000_000).sign(text));
  const floorRate = (cpus().length * 1e6) / (verifyUs + signUs);

  const profileDir = opts.profile ? freshDir('profile-witness') : null;
  const results: RunResult[] = [];
  for (const [i, kind] of (opts.clients ?? ['raw', 'agent']).entries()) {
    results.push(await measure(opts, logs, requests, kind, i === 0 ? profileDir : null));
  }

  console.log(
    `\nadd-checkpoint: ${nLogs} logs each advancing, ${connections} keep-alive connections, ` +
      `witness in its own process (${rel(join(WORK_DIR, 'witness'))}); every answer checked:`,
  );
  printTable(
    [
      'client',
      'requests',
      'seconds',
      'cosignatures/s',
      'p50 ms',
      'p90 ms',
      'p99 ms',
      'max ms',
      'witness CPU/req',
      'client CPU/req',
      'errors',
    ],
    results.map((r) => [
      r.client,
      String(r.total),
      r.seconds.toFixed(2),
      (r.total / r.seconds).toFixed(0),
      percentile(r.latencies, 50).toFixed(2),
      percentile(r.latencies, 90).toFixed(2),
      percentile(r.latencies, 99).toFixed(2),
      (r.latencies.at(-1) ?? 0).toFixed(2),
      r.serverCpu === undefined ? '–' : `${((r.serverCpu * 1e6) / r.total).toFixed(0)} µs`,
      `${((r.clientCpu * 1e6) / r.total).toFixed(0)} µs`,
      [...r.errors].map(([status, n]) => `${n}×${status}`).join(', ') || 'none',
    ]),
  );
  console.log(
    `floor: Ed25519 verify ${verifyUs.toFixed(0)} µs + cosign ${signUs.toFixed(0)} µs per request on one core ` +
      `= at most ${floorRate.toFixed(0)} cosignatures/s on ${cpus().length} cores with nothing else running`,
  );
  const best = results[0]!;
  const rate = best.total / best.seconds;
  const p99 = percentile(best.latencies, 99);
  console.log(
    `goal (${best.client}): ${GOAL_RATE} cosignatures/s — ${rate >= GOAL_RATE ? 'met' : 'NOT met'} (${rate.toFixed(0)}); ` +
      `p99 < ${GOAL_P99_MS} ms — ${p99 < GOAL_P99_MS ? 'met' : 'NOT met'} (${p99.toFixed(2)} ms); ${loadNow()}`,
  );
  if (results.some((r) => r.errors.size > 0)) process.exitCode = 1;

  if (profileDir !== null) {
    const files = readdirSync(profileDir)
      .filter((n) => n.endsWith('.cpuprofile'))
      .map((n) => join(profileDir, n))
      .sort((a, b) => statSync(b).size - statSync(a).size);
    for (const [i, f] of files.entries()) {
      console.log(`\nprofile of a witness thread (${rel(f)}):`);
      summariseProfile(JSON.parse(readFileSync(f, 'utf8')) as CpuProfile, i === 0 ? 25 : 8);
    }
  }
}

// The server half: node --import tsx bench/witness.ts --serve DIR [CRYPTO-WORKERS]
if (process.argv[2] === '--serve' && realpathSync(process.argv[1] ?? '') === realpathSync(SELF)) {
  const workers = process.argv[4];
  await witnessServe(
    {
      dir: process.argv[3]!,
      host: '127.0.0.1',
      port: 0,
      ...(workers === undefined ? {} : { witness: { cryptoWorkers: Number(workers) } }),
    },
    { out: (line) => console.log(line), err: (line) => console.error(line), cwd: process.cwd() },
  );
  console.log('stopped');
}
