/**
 * bench/web: the web app under load, on loopback, with the server in its own process.
 *
 * 1. The record list: GET /api/records filtered (kind and tag, or kind and a date range) and
 *    paginated over a vault of 100,000 records, by 50 keep-alive connections: requests per
 *    second and latency percentiles. Goal: p99 under 50 ms.
 * 2. A public tile (GET /tile/0/<N>), by the same 50 connections, for comparison with the list.
 * 3. Uploading a folder through the browser's path (POST /api/uploads, PUT the bytes, POST
 *    /seal; 4 files at a time, as the browser app sends them) against `tamga seal` of the same
 *    files into a fresh vault. Goal: the upload within 1.5x the CLI's time.
 *
 * The client is a bare HTTP/1.1 client over keep-alive sockets, as autocannon is (see
 * bench/witness.ts), so that it takes little CPU from the server it measures.
 */
import { type ChildProcessByStdio, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import {
  existsSync,
  readdirSync,
  readFileSync,
  realpathSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { Agent, request } from 'node:http';
import { connect } from 'node:net';
import { join, relative } from 'node:path';
import { createInterface } from 'node:readline';
import type { Readable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { commitCanonical } from '../src/records/commitment.js';
import { newRecordId } from '../src/records/id.js';
import { parseRecordCanonical, type TamgaRecord } from '../src/records/record.js';
import { buildApp } from '../src/server/app/index.js';
import { listen } from '../src/server/public-log.js';
import type { SealedEntry } from '../src/vault/sequencer.js';
import { createUser, hashPassword } from '../src/vault/users.js';
import { Vault } from '../src/vault/vault.js';
import {
  describeMachine,
  ensureFolder,
  type FolderSpec,
  freshDir,
  initVault,
  loadNow,
  mb,
  PASSPHRASE,
  printTable,
  rel,
  run,
  sync,
  TAMGA,
  WORK,
  warmRead,
} from './work.js';

const SELF = fileURLToPath(import.meta.url);
const USER = 'bench';
const PASSWORD = 'bench password, not a secret';
const GOAL_P99_MS = 50;
const GOAL_UPLOAD_RATIO = 1.5;

/** What to run. */
export interface WebBenchOptions {
  readonly records: number;
  readonly connections: number;
  /** Seconds each load phase runs. */
  readonly seconds: number;
  readonly folder: FolderSpec;
}

export const defaultWebBench: WebBenchOptions = {
  records: 100_000,
  connections: 50,
  seconds: 10,
  // 1 GiB: 256 files of 2 to 6 MiB (4 MiB on average), as scans are.
  folder: {
    name: 'web-1g',
    files: 256,
    minBytes: 2 * 1024 * 1024,
    maxBytes: 6 * 1024 * 1024,
    seed: 7,
    perDir: 64,
  },
};

export const quickWebBench: WebBenchOptions = {
  records: 10_000,
  connections: 50,
  seconds: 2,
  folder: {
    name: 'web-quick',
    files: 64,
    minBytes: 1024,
    maxBytes: 512 * 1024,
    seed: 7,
    perDir: 32,
  },
};

/** A vault of `n` document records (tags tag0…tag9, dates over ten years), reused when present. */
async function ensureRecordVault(n: number): Promise<string> {
  const dir = join(WORK, `web-records-${n}`);
  const marker = `${dir}.marker`;
  if (existsSync(marker) && existsSync(join(dir, 'vault.db'))) {
    console.log(`  reusing ${rel(dir)} (${n} records)`);
    return dir;
  }
  const t0 = performance.now();
  await initVault(dir, 'bench.web.example/log');
  const vault = await Vault.open(dir);
  try {
    const keys = await vault.unlock(PASSPHRASE);
    const sequencer = vault.sequencer(keys);
    const start = Date.parse('2015-01-01T00:00:00Z');
    const span = 10 * 365 * 24 * 3600 * 1000;
    const batch = 5000;
    for (let i = 0; i < n; i += batch) {
      const entries: SealedEntry[] = [];
      for (let j = i; j < Math.min(n, i + batch); j++) {
        const created = new Date(start + Math.floor((span * j) / n));
        const path = `archive/${created.getUTCFullYear()}/box-${j % 97}/scan-${j}.pdf`;
        const sha256 = randomBytes(32).toString('hex');
        const record: TamgaRecord = {
          kind: 'document',
          id: newRecordId(created.getTime(), randomBytes(10)),
          created: `${created.toISOString().slice(0, 19)}Z`,
          author: 'bench',
          body: { path, tags: [`tag${j % 10}`], meta: { box: String(j % 97) } },
          files: [{ sha256, size: 1000 + j, name: `scan-${j}.pdf`, mediaType: 'application/pdf' }],
          refs: [],
        };
        const { canonical } = parseRecordCanonical(record);
        const salt = randomBytes(32);
        entries.push({
          id: record.id,
          kind: record.kind,
          created: record.created,
          json: new TextDecoder().decode(canonical),
          salt,
          commitment: commitCanonical(canonical, salt),
          files: [{ sha256, name: `scan-${j}.pdf`, size: 1000 + j }],
        });
      }
      sequencer.append(entries);
    }
    await addBenchUser(vault);
  } finally {
    vault.close();
  }
  writeFileSync(marker, JSON.stringify({ records: n }));
  console.log(
    `  made ${rel(dir)}: ${n} records in ${((performance.now() - t0) / 1000).toFixed(1)} s (not timed)`,
  );
  return dir;
}

async function addBenchUser(vault: Vault): Promise<void> {
  createUser(vault.db, {
    name: USER,
    role: 'admin',
    passwordHash: await hashPassword(PASSWORD, { logN: 10, r: 8, p: 1 }),
  });
}

interface Served {
  readonly url: URL;
  readonly child: ChildProcessByStdio<null, Readable, null>;
}

async function startServer(dir: string): Promise<Served> {
  const child = spawn(process.execPath, ['--import', 'tsx', SELF, '--serve', dir], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const lines = createInterface({ input: child.stdout })[Symbol.asyncIterator]();
  const first = String((await lines.next()).value);
  const url = /at (http:\/\/\S+)$/.exec(first)?.[1];
  if (url === undefined) throw new Error(`the app did not start: ${first}`);
  return { url: new URL(url), child };
}

async function stopServer(s: Served): Promise<void> {
  const exited = new Promise((resolve) => s.child.once('exit', resolve));
  s.child.kill('SIGTERM');
  await exited;
}

/** Signs in; returns the cookie and CSRF token. */
async function signIn(url: URL): Promise<{ cookie: string; csrf: string }> {
  const res = await fetch(new URL('/api/login', url), {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ name: USER, password: PASSWORD }),
  });
  if (res.status !== 200) throw new Error(`sign-in failed: ${res.status} ${await res.text()}`);
  const cookie = (res.headers.get('set-cookie') ?? '').split(';')[0]!;
  const { csrfToken } = (await res.json()) as { csrfToken: string };
  return { cookie, csrf: csrfToken };
}

/** One keep-alive socket per connection; GETs read by Content-Length (or chunked, to its end). */
function rawGetClient(url: URL, connections: number, cookie: string) {
  const lanes = Array.from({ length: connections }, () => {
    const socket = connect(Number(url.port), url.hostname);
    socket.setNoDelay(true);
    let buffered: Buffer = Buffer.alloc(0);
    let waiting: { resolve(status: number): void; reject(e: Error): void } | null = null;
    socket.on('data', (chunk: Buffer) => {
      buffered = buffered.length === 0 ? chunk : Buffer.concat([buffered, chunk]);
      const end = buffered.indexOf('\r\n\r\n');
      if (end < 0) return;
      const head = buffered.toString('latin1', 0, end);
      const length = Number(/\r\ncontent-length: *(\d+)/i.exec(head)?.[1] ?? 'NaN');
      let total: number;
      if (Number.isNaN(length)) {
        const last = buffered.indexOf('\r\n0\r\n\r\n', end);
        if (last < 0) return;
        total = last + 7;
      } else {
        total = end + 4 + length;
        if (buffered.length < total) return;
      }
      buffered = buffered.subarray(total);
      const w = waiting;
      waiting = null;
      w?.resolve(Number(head.slice(9, 12)));
    });
    socket.on('error', (e) => waiting?.reject(e));
    return {
      socket,
      get(path: string) {
        return new Promise<number>((resolve, reject) => {
          waiting = { resolve, reject };
          socket.write(`GET ${path} HTTP/1.1\r\nhost: ${url.host}\r\ncookie: ${cookie}\r\n\r\n`);
        });
      },
    };
  });
  return {
    get: (lane: number, path: string) => lanes[lane]!.get(path),
    close: () => {
      for (const l of lanes) l.socket.destroy();
    },
  };
}

const percentile = (sorted: Float64Array, p: number) =>
  sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? Number.NaN;

interface Load {
  readonly label: string;
  readonly requests: number;
  readonly seconds: number;
  readonly latencies: Float64Array;
  readonly errors: number;
}

/** Sends GETs of `paths(i)` from every connection for `seconds`. */
async function load(
  label: string,
  url: URL,
  cookie: string,
  connections: number,
  seconds: number,
  paths: (i: number) => string,
): Promise<Load> {
  const client = rawGetClient(url, connections, cookie);
  const latencies: number[] = [];
  let errors = 0;
  let next = 0;
  // Warm up: one request per connection, not counted.
  await Promise.all(Array.from({ length: connections }, (_, lane) => client.get(lane, paths(0))));
  const deadline = performance.now() + seconds * 1000;
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: connections }, async (_, lane) => {
      while (performance.now() < deadline) {
        const s = performance.now();
        const status = await client.get(lane, paths(next++));
        latencies.push(performance.now() - s);
        if (status !== 200) errors++;
      }
    }),
  );
  const elapsed = (performance.now() - t0) / 1000;
  client.close();
  return {
    label,
    requests: latencies.length,
    seconds: elapsed,
    latencies: Float64Array.from(latencies).sort(),
    errors,
  };
}

/** Uploads every file under `folder` through the API, `parallel` at a time; returns seconds. */
async function uploadFolder(url: URL, folder: string, parallel: number): Promise<number> {
  const { cookie, csrf } = await signIn(url);
  const files: string[] = [];
  const walk = (d: string) => {
    for (const n of readdirSync(d).sort()) {
      const p = join(d, n);
      if (statSync(p).isDirectory()) walk(p);
      else files.push(p);
    }
  };
  walk(folder);
  const agent = new Agent({ keepAlive: true, maxSockets: parallel + 2 });
  const send = (
    method: string,
    path: string,
    body: Buffer | string,
    type: string,
    extra: Record<string, string> = {},
  ) =>
    new Promise<string>((resolve, reject) => {
      const req = request(
        {
          host: url.hostname,
          port: url.port,
          method,
          path,
          agent,
          headers: {
            cookie,
            'x-csrf-token': csrf,
            'content-type': type,
            'content-length': String(Buffer.byteLength(body)),
            ...extra,
          },
        },
        (res) => {
          let text = '';
          res.setEncoding('utf8');
          res.on('data', (c: string) => {
            text += c;
          });
          res.on('end', () =>
            res.statusCode === 200
              ? resolve(text)
              : reject(new Error(`${method} ${path}: ${res.statusCode} ${text}`)),
          );
        },
      );
      req.on('error', reject);
      req.end(body);
    });
  const base = relative(join(folder, '..'), folder);
  let next = 0;
  const seals: Array<Promise<string>> = [];
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: parallel }, async () => {
      for (;;) {
        const i = next++;
        if (i >= files.length) return;
        const file = files[i]!;
        const data = readFileSync(file);
        const path = `${base}/${relative(folder, file)}`;
        const created = JSON.parse(
          await send(
            'POST',
            '/api/uploads',
            JSON.stringify({ path, size: data.length }),
            'application/json',
          ),
        ) as { id: string };
        // Pieces of at most 8 MiB, as the browser app sends them.
        for (let off = 0; off < data.length; off += 8 * 1024 * 1024) {
          await send(
            'PUT',
            `/api/uploads/${created.id}`,
            data.subarray(off, off + 8 * 1024 * 1024),
            'application/octet-stream',
            { 'upload-offset': String(off) },
          );
        }
        // As the browser app does: the next file starts while this one's batch commits.
        seals.push(send('POST', `/api/uploads/${created.id}/seal`, '{}', 'application/json'));
      }
    }),
  );
  await Promise.all(seals);
  const seconds = (performance.now() - t0) / 1000;
  agent.destroy();
  return seconds;
}

export async function runWebBench(opts: WebBenchOptions): Promise<void> {
  console.log(describeMachine());
  const dir = await ensureRecordVault(opts.records);
  const served = await startServer(dir);
  const rows: string[][] = [];
  const loads: Load[] = [];
  try {
    const { cookie } = await signIn(served.url);
    const pages = Math.floor(opts.records / 10 / 50);
    // Warm up (JIT, SQLite's page cache, the tag index), not counted.
    await load('warm-up', served.url, cookie, opts.connections, Math.min(3, opts.seconds), (i) =>
      i % 2
        ? `/api/records?kind=document&tag=tag${i % 10}&limit=50&offset=${(i % 20) * 50}`
        : `/api/records?kind=document&from=${2015 + (i % 10)}-01-01&limit=50`,
    );
    loads.push(
      await load(
        'records: kind+tag, 50/page',
        served.url,
        cookie,
        opts.connections,
        opts.seconds,
        (i) =>
          `/api/records?kind=document&tag=tag${i % 10}&limit=50&offset=${((i * 7) % Math.min(pages, 20)) * 50}`,
      ),
    );
    loads.push(
      await load(
        'records: date range, 50/page',
        served.url,
        cookie,
        opts.connections,
        opts.seconds,
        (i) => {
          const y = 2015 + (i % 10);
          return `/api/records?kind=document&from=${y}-01-01&to=${y}-06-30&limit=50&offset=${(i % 10) * 50}`;
        },
      ),
    );
    loads.push(
      await load(
        'records: first page, no filter',
        served.url,
        cookie,
        opts.connections,
        opts.seconds,
        () => '/api/records?limit=50',
      ),
    );
    const fullTiles = Math.floor(opts.records / 256);
    loads.push(
      await load('public tile /tile/0/N', served.url, '', opts.connections, opts.seconds, (i) => {
        const n = String(i % fullTiles).padStart(3, '0');
        return `/tile/0/${n.length > 3 ? `x${n.slice(0, -3).padStart(3, '0')}/${n.slice(-3)}` : n}`;
      }),
    );
  } finally {
    await stopServer(served);
  }
  for (const l of loads) {
    rows.push([
      l.label,
      String(l.requests),
      (l.requests / l.seconds).toFixed(0),
      percentile(l.latencies, 50).toFixed(2),
      percentile(l.latencies, 90).toFixed(2),
      percentile(l.latencies, 99).toFixed(2),
      String(l.errors),
    ]);
  }
  console.log(
    `\nGET load: ${opts.records} records, ${opts.connections} keep-alive connections, ${opts.seconds} s each`,
  );
  printTable(['what', 'requests', 'req/s', 'p50 ms', 'p90 ms', 'p99 ms', 'errors'], rows);
  const listP99 = Math.max(...loads.slice(0, 2).map((l) => percentile(l.latencies, 99)));
  console.log(
    `goal: filtered list p99 < ${GOAL_P99_MS} ms at ${opts.connections} connections — ${listP99 < GOAL_P99_MS ? 'met' : 'NOT met'} (${listP99.toFixed(2)} ms); ${loadNow()}`,
  );
  if (loads.some((l) => l.errors > 0)) process.exitCode = 1;

  // Upload: the browser path against `tamga seal`, each into a fresh vault.
  const folder = ensureFolder(opts.folder);
  warmRead(folder.path);
  const cliVault = freshDir('web-cli-vault');
  await initVault(cliVault, 'bench.web.example/log');
  await sync();
  const cli = await run(
    'tamga seal',
    [...TAMGA, 'seal', folder.path, '--vault', cliVault, '--quiet', '--witness-wait', '0'],
    { env: { TAMGA_PASSPHRASE: PASSPHRASE } },
  );
  const httpVault = freshDir('web-http-vault');
  await initVault(httpVault, 'bench.web.example/log');
  {
    const v = await Vault.open(httpVault);
    await addBenchUser(v);
    v.close();
  }
  await sync();
  const app = await startServer(httpVault);
  let httpSeconds: number;
  try {
    httpSeconds = await uploadFolder(app.url, folder.path, 4);
  } finally {
    await stopServer(app);
  }
  console.log(`\nupload: ${folder.files} files, ${mb(folder.bytes)}`);
  printTable(
    ['path', 'seconds', 'MB/s', 'files/s'],
    [
      [
        'tamga seal (CLI)',
        cli.seconds.toFixed(2),
        (folder.bytes / 1e6 / cli.seconds).toFixed(1),
        (folder.files / cli.seconds).toFixed(0),
      ],
      [
        'HTTP upload + seal, 4 at a time',
        httpSeconds.toFixed(2),
        (folder.bytes / 1e6 / httpSeconds).toFixed(1),
        (folder.files / httpSeconds).toFixed(0),
      ],
    ],
  );
  const ratio = httpSeconds / cli.seconds;
  console.log(
    `goal: upload within ${GOAL_UPLOAD_RATIO}x of the CLI — ${ratio <= GOAL_UPLOAD_RATIO ? 'met' : 'NOT met'} (${ratio.toFixed(2)}x); ${loadNow()}`,
  );
}

// The server half: node --import tsx bench/web.ts --serve DIR
if (process.argv[2] === '--serve' && realpathSync(process.argv[1] ?? '') === realpathSync(SELF)) {
  const app = await buildApp({
    vaultDir: process.argv[3]!,
    passphrase: PASSPHRASE,
    cosigning: false,
    webDist: null,
    passwordCost: { logN: 10, r: 8, p: 1 },
    // The load test signs in from one address many times over.
    loginLimits: {
      perName: { max: 1_000_000, windowMs: 1000 },
      perAddress: { max: 1_000_000, windowMs: 1000 },
    },
    say: (line) => console.error(line),
  });
  const url = await listen(app, { host: '127.0.0.1', port: 0 });
  console.log(`serving at ${url}`);
  await new Promise<void>((done) => process.once('SIGTERM', () => done()));
  await app.close();
}
