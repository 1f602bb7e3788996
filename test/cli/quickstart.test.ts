/** The README's first command, `npm start`, on a fresh vault: init, seal, verify, serve. */
import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = new URL('../../', import.meta.url).pathname;

function startQuickstart(vault: string) {
  const child = spawn(process.execPath, ['--import', 'tsx', 'scripts/quickstart.ts'], {
    cwd: ROOT,
    env: { ...process.env, TAMGA_VAULT: vault, PORT: '0', TAMGA_PASSPHRASE: '' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (d) => {
    output += d;
  });
  child.stderr.on('data', (d) => {
    output += d;
  });
  const url = new Promise<string>((resolve, reject) => {
    const timer = setInterval(() => {
      const m = /Serving the public log of \S+ at (http:\/\/\S+)/.exec(output);
      if (m) {
        clearInterval(timer);
        resolve(m[1]!);
      }
    }, 50);
    child.on('exit', (code) => {
      clearInterval(timer);
      reject(new Error(`quickstart exited with ${code}:\n${output}`));
    });
  });
  const stop = () =>
    new Promise<number | null>((resolve) => {
      child.on('exit', (code) => resolve(code));
      child.kill('SIGINT');
    });
  return { url, stop, output: () => output };
}

describe('npm start', () => {
  it('creates a demo vault, seals the sample, verifies a file and serves the log; a second run reuses it', async () => {
    const vault = join(mkdtempSync(join(tmpdir(), 'tamga-quickstart-')), 'vault');
    const first = startQuickstart(vault);
    const url = await first.url;
    const checkpoint = await (await fetch(new URL('checkpoint', url))).text();
    expect(checkpoint).toMatch(/^demo\.tamga\.example\/log\n4\n/);
    expect(first.output()).toMatch(
      /SEALED\s+examples\/sample\/2019\/протокол-собрания-2019-03-14\.txt/,
    );
    expect(await first.stop()).toBe(0);

    const second = startQuickstart(vault);
    await second.url;
    expect(second.output()).toContain('Sealed 0 files');
    expect(second.output()).toContain('4 unchanged');
    expect(await second.stop()).toBe(0);
  });
});
