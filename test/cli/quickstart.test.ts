/**
 * The README's first command, `npm start`, on a fresh vault: the web app opens on setup; set up
 * through its API, it serves the public log; run again, it starts locked, or unlocked with
 * TAMGA_PASSPHRASE. `npm start -- --cli` still runs the command-line demo.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = new URL('../../', import.meta.url).pathname;

function startQuickstart(vault: string, env: Record<string, string> = {}, args: string[] = []) {
  const child = spawn(process.execPath, ['--import', 'tsx', 'scripts/quickstart.ts', ...args], {
    cwd: ROOT,
    env: {
      ...process.env,
      TAMGA_VAULT: vault,
      PORT: '0',
      TAMGA_PASSPHRASE: '',
      TAMGA_WEB_BUILD: '0',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (d) => {
    output += d;
  });
  child.stderr.on('data', (d) => {
    output += d;
  });
  const pattern = args.includes('--cli')
    ? /Serving the public log of \S+ at (http:\/\/\S+)/
    : /Open (http:\/\/\S+) in your browser/;
  const url = new Promise<string>((resolve, reject) => {
    const timer = setInterval(() => {
      const m = pattern.exec(output);
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
  it('serves the web app: setup on the first run, locked on the next, unlocked with TAMGA_PASSPHRASE', async () => {
    const vault = join(mkdtempSync(join(tmpdir(), 'tamga-quickstart-')), 'vault');
    const first = startQuickstart(vault);
    const url = await first.url;
    expect(first.output()).toContain('First run');
    const state = await (await fetch(new URL('api/state', url))).json();
    expect(state).toMatchObject({ phase: 'setup' });
    const setup = await fetch(new URL('api/setup', url), {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        organisation: 'Quick union',
        origin: 'quick.tamga.example/log',
        admin: { name: 'chair', password: 'a password of the chair' },
        passphrase: 'quickstart passphrase, seven tulips in a kettle',
      }),
    });
    expect(setup.status).toBe(200);
    expect(await setup.json()).toMatchObject({ phase: 'ready', user: { name: 'chair' } });
    const shell = await fetch(url);
    expect(shell.status).toBe(200);
    expect(shell.headers.get('content-type')).toMatch(/text\/html/);
    expect(await first.stop()).toBe(0);

    // The setup was noted in the activity log and sealed when the app stopped.
    const second = startQuickstart(vault);
    const url2 = await second.url;
    expect(second.output()).toContain('The vault is locked');
    expect(await (await fetch(new URL('api/state', url2))).json()).toMatchObject({
      phase: 'locked',
      organisation: 'Quick union',
    });
    expect(await (await fetch(new URL('checkpoint', url2))).text()).toMatch(
      /^quick\.tamga\.example\/log\n1\n/,
    );
    expect(await second.stop()).toBe(0);

    const third = startQuickstart(vault, {
      TAMGA_PASSPHRASE: 'quickstart passphrase, seven tulips in a kettle',
    });
    const url3 = await third.url;
    expect(await (await fetch(new URL('api/state', url3))).json()).toMatchObject({
      phase: 'ready',
    });
    expect(await third.stop()).toBe(0);
  });

  it('with --cli, runs the command-line demo: seals the sample, verifies a file, serves the log', async () => {
    const vault = join(mkdtempSync(join(tmpdir(), 'tamga-quickstart-')), 'vault');
    const demo = startQuickstart(vault, {}, ['--cli']);
    const url = await demo.url;
    const checkpoint = await (await fetch(new URL('checkpoint', url))).text();
    expect(checkpoint).toMatch(/^demo\.tamga\.example\/log\n4\n/);
    expect(demo.output()).toMatch(
      /SEALED\s+examples\/sample\/2019\/протокол-собрания-2019-03-14\.txt/,
    );
    expect(await demo.stop()).toBe(0);
  });
});
