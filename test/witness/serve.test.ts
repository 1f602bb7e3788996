/**
 * `witnessServe` on a real socket: in-process, stopped by its AbortSignal; in processes of their
 * own, stopped by SIGTERM; and two processes serving one witness directory at once, where the
 * database's BEGIN IMMEDIATE transaction must keep them from cosigning the same step twice.
 */
import { type ChildProcessByStdio, spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import type { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkCosignatures, parseCosignatureVerifierKey } from '../../src/log/cosignature.js';
import { witnessAddLog, witnessInit, witnessServe } from '../../src/witness/commands.js';
import { WitnessError } from '../../src/witness/errors.js';
import { Witness } from '../../src/witness/witness.js';
import { TestLog, WITNESS_NAME } from './helpers.js';

const CHILD = new URL('./serve-child.ts', import.meta.url).pathname;
const SERVING = /^Serving the witness witness\.test\.example\/w1 at (http:\/\/127\.0\.0\.1:\d+\/)$/;
const ORIGIN = 'union.example/log';

const quiet = (cwd: string) => ({ out: () => {}, err: () => {}, cwd });

interface Child {
  readonly url: string;
  readonly proc: ChildProcessByStdio<null, Readable, Readable>;
  readonly lines: AsyncIterator<string>;
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  stderr(): string;
}

async function startChild(dir: string): Promise<Child> {
  const proc = spawn(process.execPath, ['--import', 'tsx', CHILD, dir], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  proc.stderr.on('data', (d: Buffer) => {
    stderr += d.toString();
  });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    proc.on('exit', (code, signal) => resolve({ code, signal })),
  );
  const lines = createInterface({ input: proc.stdout })[Symbol.asyncIterator]();
  const first = await lines.next();
  const url = SERVING.exec(String(first.value))?.[1];
  if (url === undefined)
    throw new Error(`the child did not serve: ${String(first.value)}\n${stderr}`);
  return { url, proc, lines, exited, stderr: () => stderr };
}

async function post(
  url: string,
  body: string,
): Promise<{ status: number; type: string; body: string }> {
  const r = await fetch(`${url}add-checkpoint`, { method: 'POST', body });
  return { status: r.status, type: r.headers.get('content-type') ?? '', body: await r.text() };
}

describe('witnessServe', () => {
  let parent: string;
  let dir: string;
  let log: TestLog;
  beforeAll(async () => {
    parent = await mkdtemp(join(tmpdir(), 'tamga-witness-serve-'));
    dir = join(parent, 'w');
    await witnessInit({ dir, name: WITNESS_NAME }, quiet(parent));
    log = new TestLog(ORIGIN);
    await witnessAddLog({ dir, vkey: log.vkey }, quiet(parent));
  });
  afterAll(async () => {
    await rm(parent, { recursive: true, force: true });
  });

  it('serves on a socket until its signal aborts, then answers no more', async () => {
    const listeners = () => process.listenerCount('SIGINT') + process.listenerCount('SIGTERM');
    const before = listeners();
    const lines: string[] = [];
    let printed = () => {};
    const serving = new Promise<void>((resolve) => {
      printed = resolve;
    });
    const stop = new AbortController();
    const done = witnessServe(
      { dir, host: '127.0.0.1', port: 0, signal: stop.signal },
      {
        out: (line) => {
          lines.push(line);
          printed();
        },
        err: () => {},
        cwd: parent,
      },
    );
    await serving;
    const url = SERVING.exec(lines[0]!)?.[1];
    expect(url, lines[0]).toBeDefined();
    expect(listeners()).toBe(before + 2);

    const step = log.grow(5);
    const r = await post(url!, log.body(0, step));
    expect(r.status).toBe(200);
    const w = await Witness.open(dir);
    const witnessKey = parseCosignatureVerifierKey(w.verifierKey);
    await w.close();
    expect(
      checkCosignatures(`${step.note}${r.body}`, log.verifier, [witnessKey], 1).cosignatures,
    ).toHaveLength(1);
    const stale = await post(url!, log.body(0, step));
    expect(stale).toEqual({ status: 409, type: 'text/x.tlog.size', body: '5\n' });
    const got = await fetch(`${url}checkpoints/${encodeURIComponent(ORIGIN)}`);
    expect(await got.text()).toBe(`${step.note}${r.body}`);

    stop.abort();
    await done;
    await expect(fetch(`${url}`)).rejects.toThrow();
    expect(listeners()).toBe(before);
  });

  it('refuses a directory without a witness, and a bad port', async () => {
    await expect(
      witnessServe({ dir: join(parent, 'none'), host: '127.0.0.1', port: 0 }, quiet(parent)),
    ).rejects.toBeInstanceOf(WitnessError);
    await expect(
      witnessServe({ dir, host: '127.0.0.1', port: 70_000 }, quiet(parent)),
    ).rejects.toThrow('the port must be a whole number from 0 to 65535, not 70000');
  });

  it('cosigns each step once when two processes serve the same witness', async () => {
    const [a, b] = await Promise.all([startChild(dir), startChild(dir)]);
    try {
      let old = log.steps.at(-1)!.size;
      for (let i = 0; i < 30; i++) {
        const step = log.grow(1 + (i % 4));
        const body = log.body(old, step);
        const answers = await Promise.all([post(a.url, body), post(b.url, body)]);
        const statuses = answers.map((x) => x.status).sort();
        expect(statuses).toEqual([200, 409]);
        expect(answers.find((x) => x.status === 409)?.body).toBe(`${step.size}\n`);
        old = step.size;
      }
      for (const c of [a, b]) {
        c.proc.kill('SIGTERM');
        expect((await c.lines.next()).value).toBe('stopped');
        expect(await c.exited).toEqual({ code: 0, signal: null });
        expect(c.stderr()).toBe('');
      }
      const w = await Witness.open(dir);
      const sizes = w.cosignatures(ORIGIN).map((c) => c.size);
      await w.close();
      expect(sizes).toEqual(log.steps.map((s) => s.size));
    } finally {
      a.proc.kill('SIGKILL');
      b.proc.kill('SIGKILL');
    }
  });
});
