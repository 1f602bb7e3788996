/**
 * A treasurer's first week on the command line, in-process: the date a document bears
 * (`--document-date`, `--date-from-name`, shown by `ls` and `show`), who records name as their
 * author (`init --author`, `config author`, `--author`, `$TAMGA_AUTHOR`, never silently the
 * computer's account), the notice for a changed file sealed again, word forms in `ls --text`,
 * and sizes written in decimal units, as the web app writes them.
 */
import { userInfo } from 'node:os';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { formatBytes } from '../../src/cli/context.js';
import { main } from '../../src/cli/main.js';
import { formatBytes as webFormatBytes } from '../../web/i18n/format.js';
import { capture, ORIGIN, PASSPHRASE, removeTemp, tempDir, writeTree } from '../vault/helpers.js';

interface Listed {
  id: string;
  author: string;
  body: { path: string; documentDate?: string };
  refs: string[];
}

let root: string;
const env = { TAMGA_PASSPHRASE: PASSPHRASE };

async function run(args: string[], extraEnv: Record<string, string> = {}) {
  const c = capture(root, { ...env, ...extraEnv });
  const code = await main([...args, '--vault', 'vault'], c.ctx);
  return { code, out: c.out, err: c.err };
}

async function listed(...filter: string[]): Promise<Listed[]> {
  const r = await run(['ls', '--json', ...filter]);
  expect(r.code).toBe(0);
  return r.out.map((l) => JSON.parse(l) as Listed);
}

const byPath = async (path: string) => (await listed()).find((l) => l.body.path === path)!;

beforeAll(async () => {
  root = tempDir('tamga-treasurer-');
  const init = await run([
    'init',
    '--origin',
    ORIGIN,
    '--scrypt-log-n',
    '10',
    '--author',
    'Айгүл Асанова',
  ]);
  expect(init.code, init.err.join('\n')).toBe(0);
  writeTree(root, {
    'scans/scan_2016_03_12.pdf': 'a scan',
    'scans/Ведомость взносов 03.2017.pdf': 'a statement',
    'scans/undated.pdf': 'no date in the name',
    'letter.txt': 'a letter',
    'minutes.txt': 'first version',
  });
});

afterAll(() => removeTemp(root));

describe('the date a document bears', () => {
  it('is read from each name with --date-from-name, else --document-date applies', async () => {
    const r = await run(['seal', 'scans', '--date-from-name', '--document-date', '2015']);
    expect(r.code, r.err.join('\n')).toBe(0);
    expect((await byPath('scans/scan_2016_03_12.pdf')).body.documentDate).toBe('2016-03-12');
    expect((await byPath('scans/Ведомость взносов 03.2017.pdf')).body.documentDate).toBe('2017-03');
    expect((await byPath('scans/undated.pdf')).body.documentDate).toBe('2015');
  });

  it('is the one given with --document-date', async () => {
    expect((await run(['seal', 'letter.txt', '--document-date', '2016-03'])).code).toBe(0);
    expect((await byPath('letter.txt')).body.documentDate).toBe('2016-03');
  });

  it('is shown by ls and show as the document’s own claim, beside the sealing time', async () => {
    const ls = await run(['ls', '--text', 'letter']);
    expect(ls.out).toHaveLength(1);
    expect(ls.out[0]).toMatch(/letter\.txt {2}dated 2016-03 \(as the document says\) {2}\(8 B\)$/);
    const id = (await byPath('letter.txt')).id;
    const show = await run(['show', id]);
    expect(show.out).toContain(
      'dated:       2016-03, as the document itself says (its claim, not proven)',
    );
  });

  it('refuses a --document-date that is not a date, a month or a year (exit 2)', async () => {
    for (const bad of ['12.03.2016', '2016-02-30', 'March']) {
      const r = await run(['seal', 'letter.txt', '--document-date', bad]);
      expect([bad, r.code]).toEqual([bad, 2]);
      expect(r.err.join('\n')).toMatch(/--document-date takes the date the documents bear/);
    }
  });
});

describe('the author of records', () => {
  it('is the vault’s author (init --author), not the computer’s account', async () => {
    const all = await listed();
    expect(all.length).toBeGreaterThan(0);
    for (const r of all) expect(r.author).toBe('Айгүл Асанова');
    expect(all.some((r) => r.author === userInfo().username)).toBe(false);
  });

  it('is shown and changed with tamga config author', async () => {
    const shown = await run(['config', 'author']);
    expect(shown.out).toEqual(['Айгүл Асанова']);
    expect((await run(['config', 'author', '  Бакыт Осмонов  '])).code).toBe(0);
    expect((await run(['config', 'author'])).out).toEqual(['Бакыт Осмонов']);
    writeTree(root, { 'later.txt': 'later' });
    expect((await run(['seal', 'later.txt'])).code).toBe(0);
    expect((await byPath('later.txt')).author).toBe('Бакыт Осмонов');
    expect((await run(['config', 'colour', 'red'])).code).toBe(2);
  });

  it('is --author, else $TAMGA_AUTHOR, before the vault’s', async () => {
    writeTree(root, { 'a.txt': 'a', 'b.txt': 'b' });
    await run(['seal', 'a.txt', '--author', 'Нурлан'], { TAMGA_AUTHOR: 'Гүлнара' });
    await run(['seal', 'b.txt'], { TAMGA_AUTHOR: 'Гүлнара' });
    expect((await byPath('a.txt')).author).toBe('Нурлан');
    expect((await byPath('b.txt')).author).toBe('Гүлнара');
  });

  it('falls back to the account only when none is set, and then says so', async () => {
    const other = tempDir('tamga-treasurer-noauthor-');
    try {
      const c = capture(other, env);
      expect(
        await main(['init', '--vault', 'v', '--origin', ORIGIN, '--scrypt-log-n', '10'], c.ctx),
      ).toBe(0);
      writeTree(other, { 'x.txt': 'x' });
      const s = capture(other, env);
      expect(await main(['seal', '--vault', 'v', 'x.txt'], s.ctx)).toBe(0);
      expect(s.err.join('\n')).toContain(
        `No author is set: the records name "${userInfo().username}", this computer's account.`,
      );
      expect(s.err.join('\n')).toContain('tamga config author "NAME"');
    } finally {
      removeTemp(other);
    }
  });
});

describe('sealing a changed file again', () => {
  it('says it is a new version of the earlier record, which its refs name', async () => {
    expect((await run(['seal', 'minutes.txt'])).code).toBe(0);
    const first = await byPath('minutes.txt');
    writeTree(root, { 'minutes.txt': 'second version, changed' });
    const again = await run(['seal', 'minutes.txt']);
    expect(again.code).toBe(0);
    const versions = (await listed()).filter((l) => l.body.path === 'minutes.txt');
    expect(versions).toHaveLength(2);
    const second = versions[1]!;
    expect(second.refs).toEqual([first.id]);
    expect(again.out.join('\n')).toContain(`sealed minutes.txt as ${second.id} (entry`);
    expect(again.out.join('\n')).toContain(`: a changed file, a new version of ${first.id}`);
    expect(again.err.join('\n')).toContain(
      '1 of them changed since they were sealed at the same path: each is a new record that names the earlier version, which stays sealed as it was.',
    );
    const json = await run(['seal', '--json', 'minutes.txt']);
    expect(JSON.parse(json.out[0]!)).toMatchObject({ status: 'unchanged', id: second.id });
  });
});

describe('ls --text', () => {
  it('finds word forms: взносы finds the file named …взносов…', async () => {
    expect((await listed('--text', 'ВЗНОСЫ')).map((l) => l.body.path)).toEqual([
      'scans/Ведомость взносов 03.2017.pdf',
    ]);
  });
});

describe('sizes', () => {
  it('are written in decimal units, the same on the command line and in the web app', () => {
    for (const n of [1000, 1536, 999_960, 1_500_000, 1536 * 1024, 12_345_678_901]) {
      expect([n, formatBytes(n)]).toEqual([n, webFormatBytes(n, 'en')]);
    }
    expect(formatBytes(1536 * 1024)).toBe('1.6 MB');
    // Plain bytes: "386 B" on the command line, spelt out by the web app's Intl.
    expect([formatBytes(386), webFormatBytes(386, 'en')]).toEqual(['386 B', '386 bytes']);
  });
});
