/**
 * walk: the files under what `tamga seal` is given, in byte order, with the path each is
 * recorded under; links to files followed, links to folders and anything that is not a regular
 * file reported with a reason. (Tests run as root: unreadable input is made with pipes and
 * links, since chmod 000 does not stop root.)
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { describe as describeError, type WalkItem, walk } from './walk.js';

let dir: string;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'tamga-walk-'));
});

afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

async function collect(given: string, root: string): Promise<WalkItem[]> {
  const items: WalkItem[] = [];
  for await (const item of walk(given, root)) items.push(item);
  return items;
}

const files = (items: WalkItem[]) => items.flatMap((i) => ('file' in i ? [i.file.recordPath] : []));
const skips = (items: WalkItem[]) => items.flatMap((i) => ('skip' in i ? [i.skip] : []));

function write(rel: string, data = 'x') {
  const path = join(dir, rel);
  mkdirSync(join(path, '..'), { recursive: true });
  writeFileSync(path, data);
}

describe('walk', () => {
  it('yields every file depth first, names sorted by their bytes, under the record root', async () => {
    for (const name of ['b.txt', 'a/z.txt', 'a/b/c.txt', 'B.txt', 'я.txt', 'a.txt']) write(name);
    const items = await collect(dir, 'root');
    expect(files(items)).toEqual([
      'root/B.txt',
      'root/a/b/c.txt',
      'root/a/z.txt',
      'root/a.txt',
      'root/b.txt',
      'root/я.txt',
    ]);
    expect(skips(items)).toEqual([]);
  });

  it('gives each file its size and modification time, and a path that opens it', async () => {
    write('f.bin', 'twelve bytes');
    const [item] = await collect(dir, '');
    expect(item).toEqual({
      file: {
        fsPath: join(dir, 'f.bin'),
        recordPath: 'f.bin',
        rawRecordPath: Buffer.from('f.bin'),
        lossyName: false,
        size: 12,
        mtimeMs: expect.any(Number),
      },
    });
  });

  it('records a file given directly under the record root, else its own name', async () => {
    write('one.txt');
    expect(files(await collect(join(dir, 'one.txt'), 'docs/one.txt'))).toEqual(['docs/one.txt']);
    expect(files(await collect(join(dir, 'one.txt'), ''))).toEqual(['one.txt']);
  });

  it('reports a path that does not exist', async () => {
    expect(await collect(join(dir, 'missing'), 'missing')).toEqual([
      { skip: { recordPath: 'missing', reason: 'no such file or folder' } },
    ]);
  });

  it('follows a link to a file, not a link to a folder; reports broken links and loops', async () => {
    write('real/file.txt', 'target contents');
    symlinkSync(join(dir, 'real/file.txt'), join(dir, 'real/alias.txt'));
    symlinkSync(join(dir, 'real'), join(dir, 'real/up')); // a loop: real/up -> real
    symlinkSync(join(dir, 'nowhere'), join(dir, 'real/broken'));
    symlinkSync(join(dir, 'real/self'), join(dir, 'real/self'));
    const items = await collect(dir, '');
    expect(files(items)).toEqual(['real/alias.txt', 'real/file.txt']);
    const alias = items.find((i) => 'file' in i && i.file.recordPath === 'real/alias.txt');
    expect(alias && 'file' in alias && alias.file.size).toBe('target contents'.length);
    expect(skips(items)).toEqual([
      { recordPath: 'real/broken', reason: 'broken symbolic link (no such file or folder)' },
      {
        recordPath: 'real/self',
        reason: 'broken symbolic link (too many levels of symbolic links)',
      },
      { recordPath: 'real/up', reason: 'symbolic link to a folder, not followed' },
    ]);
  });

  it('reports named pipes, inside a folder and given directly, without opening them', async () => {
    write('a.txt');
    execFileSync('mkfifo', [join(dir, 'pipe')]);
    expect(skips(await collect(dir, 'd'))).toEqual([
      { recordPath: 'd/pipe', reason: 'not a regular file (device, socket or pipe)' },
    ]);
    expect(await collect(join(dir, 'pipe'), 'pipe')).toEqual([
      { skip: { recordPath: 'pipe', reason: 'not a regular file or folder' } },
    ]);
  });

  it('walks names that are not UTF-8: shown with U+FFFD, opened by their bytes', async () => {
    const raw = Buffer.from([0x66, 0xff, 0x2e, 0x74, 0x78, 0x74]); // f\xff.txt
    const sub = Buffer.concat([Buffer.from(`${dir}/`), Buffer.from([0x64, 0xfe])]); // d\xfe
    writeFileSync(Buffer.concat([Buffer.from(`${dir}/`), raw]), 'raw name');
    mkdirSync(sub);
    writeFileSync(Buffer.concat([sub, Buffer.from('/inner.txt')]), 'inside a raw folder');
    writeFileSync(join(dir, 'plain.txt'), 'plain');
    const items = await collect(dir, 'r');
    const found = items.flatMap((i) => ('file' in i ? [i.file] : []));
    expect(found.map((f) => [f.recordPath, f.lossyName])).toEqual([
      ['r/d\uFFFD/inner.txt', true],
      ['r/f\uFFFD.txt', true],
      ['r/plain.txt', false],
    ]);
    expect(Buffer.isBuffer(found[0]!.fsPath)).toBe(true);
    expect(Buffer.isBuffer(found[1]!.fsPath)).toBe(true);
    expect(readFileSync(found[0]!.fsPath, 'utf8')).toBe('inside a raw folder');
    expect(readFileSync(found[1]!.fsPath, 'utf8')).toBe('raw name');
    expect(typeof found[2]!.fsPath).toBe('string');
  });

  it('keeps control characters in the walked path (seal replaces them)', async () => {
    write('a\nb.txt');
    expect(files(await collect(dir, ''))).toEqual(['a\nb.txt']);
  });
});

describe('describe', () => {
  it.each([
    ['ENOENT', 'no such file or folder'],
    ['EACCES', 'permission denied'],
    ['EPERM', 'permission denied'],
    ['ELOOP', 'too many levels of symbolic links'],
    ['EIO', 'input/output error reading the disk'],
  ])('%s → %s', (code, text) => {
    expect(describeError(Object.assign(new Error('raw'), { code }))).toBe(text);
  });

  it('falls back to the message', () => {
    expect(
      describeError(Object.assign(new Error('EISDIR: illegal operation'), { code: 'EISDIR' })),
    ).toBe('EISDIR: illegal operation');
  });
});
