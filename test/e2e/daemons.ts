/**
 * Real `tamga` processes for end-to-end tests: servers started as a person would start them,
 * their URL read from what they print, stopped with SIGTERM.
 */
import { type ChildProcessByStdio, spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import type { Readable } from 'node:stream';
import { BIN } from '../vault/helpers.js';

/** A running `tamga` server process. */
export interface Daemon {
  /** The URL it printed, ending in `/`. */
  readonly url: string;
  readonly proc: ChildProcessByStdio<null, Readable, Readable>;
  /** Everything it printed so far, both streams. */
  output(): string;
  /** Stops it with SIGTERM and waits for it to exit; resolves to its exit code. */
  stop(): Promise<number | null>;
}

/**
 * Starts `tamga ...args` and waits (at most 30 s) for a line naming where it serves:
 * `... at http://host:port/...`. Rejects with its output if it exits or says nothing like that.
 */
export async function startDaemon(
  args: readonly string[],
  env: Record<string, string>,
  cwd: string,
): Promise<Daemon> {
  const proc = spawn(process.execPath, [BIN, ...args], {
    cwd,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  proc.stderr.on('data', (d: Buffer) => {
    output += d.toString();
  });
  const exited = new Promise<number | null>((resolve) => proc.on('exit', (code) => resolve(code)));
  const lines = createInterface({ input: proc.stdout });
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no URL after 30 s:\n${output}`)), 30_000);
    lines.on('line', (line) => {
      output += `${line}\n`;
      const m = / at (http:\/\/\S+)/.exec(line);
      if (m) {
        clearTimeout(timer);
        resolve(m[1]!.endsWith('/') ? m[1]! : `${m[1]!}/`);
      }
    });
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`tamga ${args.join(' ')} exited with ${code}:\n${output}`));
    });
  });
  return {
    url,
    proc,
    output: () => output,
    async stop() {
      if (proc.exitCode === null) proc.kill('SIGTERM');
      return exited;
    },
  };
}
