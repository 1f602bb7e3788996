/**
 * `serveCommand`: opens the vault read-only, prints where it serves, serves, and stops cleanly:
 * in-process through an AbortSignal, and in a real process on SIGINT and SIGTERM.
 */
import { spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ServerError } from '../../src/server/errors.js';
import { serveCommand } from '../../src/server/serve.js';
import { VaultError } from '../../src/vault/errors.js';
import { appendSynthetic, createVault, ORIGIN, type Snapshot, type TestVault } from './fixtures.js';

const CHILD = new URL('./serve-child.ts', import.meta.url).pathname;
const SERVING = new RegExp(
  `^Serving the public log of ${ORIGIN.replace(/\./g, '\\.')} at (http://127\\.0\\.0\\.1:\\d+/)$`,
);

describe('serveCommand', () => {
  let v: TestVault;
  let latest: Snapshot;
  beforeAll(async () => {
    v = await createVault();
    latest = appendSynthetic(v, 5);
  });
  afterAll(async () => {
    await v.cleanup();
  });

  it('serves until its signal aborts, then closes the server and the vault', async () => {
    const listeners = () => process.listenerCount('SIGINT') + process.listenerCount('SIGTERM');
    const before = listeners();
    const lines: string[] = [];
    let printed = () => {};
    const serving = new Promise<void>((resolve) => {
      printed = resolve;
    });
    const stop = new AbortController();
    const done = serveCommand(
      { vault: v.dir, host: '127.0.0.1', port: 0, signal: stop.signal },
      {
        out: (line) => {
          lines.push(line);
          printed();
        },
      },
    );
    await serving;
    expect(lines).toHaveLength(1);
    const url = SERVING.exec(lines[0]!)?.[1];
    expect(url, lines[0]).toBeDefined();
    expect(listeners()).toBe(before + 2);
    const r = await fetch(`${url}checkpoint`);
    expect(r.status).toBe(200);
    expect(await r.text()).toBe(latest.note);
    stop.abort();
    await done;
    await expect(fetch(`${url}checkpoint`)).rejects.toThrow();
    expect(listeners()).toBe(before);
  });

  it('refuses a directory without a vault, and a port in use, with one clear error', async () => {
    const missing = serveCommand(
      { vault: join(tmpdir(), 'no-such-tamga-vault'), host: '127.0.0.1', port: 0 },
      { out: () => {} },
    );
    await expect(missing).rejects.toBeInstanceOf(VaultError);

    const busy = createServer();
    await new Promise<void>((resolve) => busy.listen(0, '127.0.0.1', resolve));
    const port = (busy.address() as { port: number }).port;
    try {
      const taken = serveCommand({ vault: v.dir, host: '127.0.0.1', port }, { out: () => {} });
      await expect(taken).rejects.toBeInstanceOf(ServerError);
      await expect(taken).rejects.toThrow(
        `cannot listen on 127.0.0.1:${port}: the port is in use; choose another`,
      );
    } finally {
      busy.close();
    }
    const bad = serveCommand({ vault: v.dir, host: '127.0.0.1', port: 70_000 }, { out: () => {} });
    await expect(bad).rejects.toThrow('the port must be a whole number from 0 to 65535, not 70000');
  });

  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    it(`stops cleanly on ${signal} in a process of its own`, async () => {
      const child = spawn(process.execPath, ['--import', 'tsx', CHILD, v.dir], {
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let stderr = '';
      child.stderr.on('data', (d: Buffer) => {
        stderr += d.toString();
      });
      const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>(
        (resolve) => child.on('exit', (code, sig) => resolve({ code, signal: sig })),
      );
      const lines = createInterface({ input: child.stdout })[Symbol.asyncIterator]();
      const first = await lines.next();
      const url = SERVING.exec(String(first.value))?.[1];
      expect(url, `${String(first.value)}\n${stderr}`).toBeDefined();
      const r = await fetch(`${url}checkpoint`);
      expect(await r.text()).toBe(latest.note);
      child.kill(signal);
      expect((await lines.next()).value).toBe('stopped');
      expect(await exited).toEqual({ code: 0, signal: null });
      expect(stderr).toBe('');
    });
  }
});
