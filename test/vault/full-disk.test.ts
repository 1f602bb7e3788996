/**
 * A full disk: the vault on a small tmpfs runs out of space in the middle of `tamga seal`. The
 * command must stop with a clear message, keep every acknowledged record, leave a vault that
 * `tamga fsck` passes, and finish the job once there is room.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

const BIN = new URL('../../bin/tamga.js', import.meta.url).pathname;
const base = mkdtempSync(join(tmpdir(), 'tamga-full-disk-'));
const mountPoint = join(base, 'disk');
mkdirSync(mountPoint);

function tryMount(): string | null {
  const r = spawnSync('mount', ['-t', 'tmpfs', '-o', 'size=3m', 'tmpfs', mountPoint], {
    encoding: 'utf8',
  });
  return r.status === 0
    ? null
    : `cannot mount a tmpfs here (${(r.stderr || r.error?.message || '').trim()}); this test needs root`;
}
const unavailable = tryMount();
if (unavailable && process.env.CI)
  throw new Error(`CI runs as root and must run the full-disk test: ${unavailable}`);

afterAll(() => {
  if (!unavailable) spawnSync('umount', [mountPoint]);
});

const env = {
  ...process.env,
  TAMGA_PASSPHRASE: 'full disk test, seven tulips in a kettle',
  TAMGA_VAULT: join(mountPoint, 'vault'),
};
const tamga = (...args: string[]) =>
  spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8', env, cwd: base });

describe.skipIf(unavailable !== null)('a full disk', () => {
  it('stops seal cleanly, keeps what was acknowledged, and resumes once there is room', () => {
    const docs = join(base, 'docs');
    mkdirSync(docs);
    // 24 files of 256 KB: about 6 MB of blobs for a 3 MB disk.
    for (let i = 0; i < 24; i++) {
      const data = Buffer.alloc(256 * 1024);
      for (let k = 0; k < data.length; k += 4)
        data.writeUInt32LE((i * 2654435761 + k * 40503) >>> 0, k);
      writeFileSync(join(docs, `scan-${String(i).padStart(2, '0')}.tif`), data);
    }
    expect(tamga('init', '--origin', 'full.example/log', '--scrypt-log-n', '10').status).toBe(0);

    const first = tamga('seal', 'docs', '--json');
    expect(first.status).toBe(1);
    expect(first.stderr).toMatch(/no space left on the disk|disk is full/);
    expect(first.stderr).not.toMatch(/\n\s+at /);
    const acknowledged = first.stdout
      .split('\n')
      .filter((l) => l.startsWith('{'))
      .map((l) => JSON.parse(l) as { status: string; id?: string; path?: string })
      .filter((e) => e.status === 'sealed');
    expect(acknowledged.length).toBeLessThan(24);

    // Room again: every acknowledged record is there, fsck passes, and the rest gets sealed.
    execFileSync('mount', ['-o', 'remount,size=64m', mountPoint]);
    const fsck = tamga('fsck', '--json');
    expect(JSON.parse(fsck.stdout).ok).toBe(true);
    const listed = tamga('ls', '--json')
      .stdout.trim()
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l) as { id: string });
    for (const a of acknowledged) expect(listed.map((r) => r.id)).toContain(a.id);

    const second = tamga('seal', 'docs', '-q');
    expect(second.status).toBe(0);
    expect(tamga('verify', 'docs').status).toBe(0);
    const all = tamga('ls', '--json').stdout.trim().split('\n').filter(Boolean);
    expect(all).toHaveLength(24);
    expect(JSON.parse(tamga('fsck', '--json').stdout).ok).toBe(true);
  });
});
