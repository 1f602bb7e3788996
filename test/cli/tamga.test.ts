/** The `tamga` command as a user runs it: a real process, exit codes, and no stack traces. */
import { spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const BIN = new URL('../../bin/tamga.js', import.meta.url).pathname;
const run = (...args: string[]) =>
  spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8' });

describe('tamga (process)', () => {
  it('runs the demo and exits 0', () => {
    const r = run('demo', '--records', '50', '--dir', mkdtempSync(join(tmpdir(), 'tamga-cli-')));
    expect(r.stderr).toBe('');
    expect(r.stdout).toContain('checkpoint size 75');
    expect(r.status).toBe(0);
  });

  it('documents its exit codes in --help', () => {
    const r = run('--help');
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/Exit codes:\n\s+0\s+success/);
  });

  it('answers bad usage with one line and exit code 2', () => {
    for (const args of [['demo', '--records', 'x'], ['demo', '--bogus'], ['no-such-command']]) {
      const r = run(...args);
      expect(r.status).toBe(2);
      expect(r.stderr).not.toMatch(/\n\s+at /);
      expect(r.stderr.trim().split('\n').length).toBeLessThanOrEqual(2);
    }
  });
});
