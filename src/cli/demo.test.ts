import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseCheckpoint } from '../log/checkpoint.js';
import { parseNote } from '../log/note.js';
import { runDemo } from './demo.js';

describe('tamga demo', () => {
  it('writes a cosigned, tiled log and refuses a forgery and a fork', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'tamga-demo-test-'));
    const lines: string[] = [];
    await runDemo({ dir, records: 300 }, (l) => lines.push(l));
    const text = lines.join('\n');
    expect(text).toContain(
      'checkpoint size 300, cosigned by witness.global-union.example and witness.law-firm.example',
    );
    expect(text).toContain('checkpoint size 450');
    expect(text).toContain("tiles on disk recompute the checkpoint's root: yes");
    expect(text).toMatch(/a forged copy of record 123: refused/);
    expect(text).toMatch(
      /a forked checkpoint signed with the log's own key: refused — two different roots/,
    );
    expect(text).not.toContain('ACCEPTED');

    const note = parseNote(readFileSync(join(dir, 'checkpoint'), 'utf8'));
    expect(parseCheckpoint(note.text).size).toBe(450);
    expect(note.signatures.map((s) => s.name)).toEqual([
      'demo.tamga.example/log',
      'witness.global-union.example',
      'witness.law-firm.example',
    ]);
    // 450 leaves: one full level-0 tile, one partial of 194, a partial level-1 tile of 1.
    expect(existsSync(join(dir, 'tile/0/000'))).toBe(true);
    expect(existsSync(join(dir, 'tile/0/001.p/194'))).toBe(true);
    expect(existsSync(join(dir, 'tile/1/000.p/1'))).toBe(true);
    expect(existsSync(join(dir, 'tile/entries/001.p/194'))).toBe(true);
  });
});
