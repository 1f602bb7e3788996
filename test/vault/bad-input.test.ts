/**
 * Bad input, each ending in one clear message, the exit code main.ts documents (1: the work
 * failed; 2: bad usage) and a vault that fsck still passes: things in a folder that are not
 * files, names that are not UTF-8 or hold control characters, wrong or missing passphrases,
 * vaults that are not vaults or of another version, unknown ids, records that fail their
 * schema. Commands run in-process through `main` with a captured context; the few checks of
 * what a person sees on a terminal (no stack trace) run the real binary.
 *
 * Tests run as root, so chmod 000 does not make a file unreadable here: unreadable input is
 * made with named pipes, broken links and link loops instead (see also races.test.ts).
 */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main.js';
import type { DocumentRecord } from '../../src/records/record.js';
import { VaultError } from '../../src/vault/errors.js';
import { fsck } from '../../src/vault/fsck.js';
import type { VaultKeys } from '../../src/vault/keys.js';
import { logSize } from '../../src/vault/log-store.js';
import { listRecords } from '../../src/vault/query.js';
import { sealPaths } from '../../src/vault/seal.js';
import { Vault } from '../../src/vault/vault.js';
import {
  capture,
  cli,
  cliAsync,
  hasControlCharacter,
  hasStackTrace,
  newVault,
  ORIGIN,
  PASSPHRASE,
  removeTemp,
  tempDir,
  withDatabase,
  writeTree,
} from './helpers.js';

let root: string;
let vaultDir: string;
let vault: Vault;
let keys: VaultKeys;

beforeEach(async () => {
  root = tempDir();
  vaultDir = join(root, 'vault');
  ({ vault, keys } = await newVault(vaultDir));
});

afterEach(() => {
  vault.close();
  removeTemp(root);
});

/** Runs `tamga ...args` in-process; main must resolve to an exit code, never reject. */
async function tamga(
  args: string[],
  env: Record<string, string | undefined> = { TAMGA_PASSPHRASE: PASSPHRASE },
) {
  const c = capture(root, env);
  const code = await main(args, c.ctx);
  return { code, out: c.out, err: c.err, stderr: c.err.join('\n') };
}

async function expectFsckOk() {
  const report = await fsck(vault, { keys });
  expect(report.problems).toEqual([]);
  expect(report.ok).toBe(true);
}

const documents = () => listRecords(vault).map((s) => s.record as DocumentRecord);
const byPath = () => new Map(documents().map((r) => [r.body.path, r]));

describe('what a folder holds besides files', () => {
  it('a named pipe is skipped with a reason, the rest sealed, exit code 1', async () => {
    const docs = join(root, 'docs');
    writeTree(docs, { 'a.txt': 'a' });
    execFileSync('mkfifo', [join(docs, 'pipe')]);
    const r = await tamga(['seal', '--vault', vaultDir, '--json', docs]);
    expect(r.code).toBe(1);
    const events = r.out.map((l) => JSON.parse(l));
    expect(events).toContainEqual({
      status: 'failed',
      path: 'docs/pipe',
      reason: 'not a regular file (device, socket or pipe)',
    });
    expect(events.at(-1).summary).toMatchObject({ sealed: 1, unchanged: 0 });
    expect([...byPath().keys()]).toEqual(['docs/a.txt']);
    await expectFsckOk();
  });

  it('a named pipe given directly is refused, not opened (which would block)', async () => {
    const fifo = join(root, 'pipe');
    execFileSync('mkfifo', [fifo]);
    const summary = await sealPaths(vault, keys, [fifo], { author: 't' });
    expect(summary.sealed).toBe(0);
    expect(summary.failed).toEqual([{ path: 'pipe', reason: 'not a regular file or folder' }]);
    expect(logSize(vault.db)).toBe(0);
  });

  it('a link loop (dir/a -> dir) is not followed, and the walk ends', async () => {
    const docs = join(root, 'docs');
    writeTree(docs, { 'sub/file.txt': 'inside' });
    symlinkSync(docs, join(docs, 'sub', 'a'));
    symlinkSync(join(docs, 'self'), join(docs, 'self')); // a link to itself: ELOOP
    const summary = await sealPaths(vault, keys, [docs], { author: 't' });
    expect(summary.sealed).toBe(1);
    expect(summary.failed).toEqual(
      expect.arrayContaining([
        { path: 'docs/sub/a', reason: 'symbolic link to a folder, not followed' },
        {
          path: 'docs/self',
          reason: 'broken symbolic link (too many levels of symbolic links)',
        },
      ]),
    );
    expect(summary.failed).toHaveLength(2);
    expect([...byPath().keys()]).toEqual(['docs/sub/file.txt']);
    await expectFsckOk();
  });

  it('a broken link is reported; a link to a file is sealed under the link name', async () => {
    const docs = join(root, 'docs');
    writeTree(docs, { 'real.txt': 'real' });
    symlinkSync(join(docs, 'gone.txt'), join(docs, 'broken'));
    symlinkSync(join(docs, 'real.txt'), join(docs, 'alias.txt'));
    const r = await tamga(['seal', '--vault', vaultDir, docs]);
    expect(r.code).toBe(1);
    expect(r.out).toContain('failed docs/broken: broken symbolic link (no such file or folder)');
    expect(r.stderr).toContain('  not sealed: docs/broken: broken symbolic link');
    expect([...byPath().keys()].sort()).toEqual(['docs/alias.txt', 'docs/real.txt']);
    await expectFsckOk();
  });

  it('a 0-byte file is sealed, verifies, and decrypts to nothing', async () => {
    const docs = join(root, 'docs');
    writeTree(docs, { 'empty.bin': '' });
    expect((await tamga(['seal', '--vault', vaultDir, docs])).code).toBe(0);
    const [record] = documents();
    expect(record!.files[0]).toMatchObject({
      size: 0,
      sha256: createHash('sha256').update('').digest('hex'),
    });
    const verify = await tamga(['verify', '--vault', vaultDir, join(docs, 'empty.bin')]);
    expect(verify.code).toBe(0);
    expect(verify.out[0]).toMatch(/^SEALED {6}empty\.bin: record /);
    const out = join(root, 'out.bin');
    expect((await tamga(['get', '--vault', vaultDir, record!.id, '--out', out])).code).toBe(0);
    expect(statSync(out).size).toBe(0);
    await expectFsckOk();
  });
});

describe('names that are not plain text', () => {
  // f\xff.txt: 0xff never occurs in UTF-8.
  const rawName = Buffer.from([0x66, 0xff, 0x2e, 0x74, 0x78, 0x74]);

  function writeRaw(dir: string, name: Buffer, data: string) {
    mkdirSync(dir, { recursive: true });
    writeFileSync(Buffer.concat([Buffer.from(`${dir}/`), name]), data);
  }

  it('a name that is not valid UTF-8 is sealed, shown with U+FFFD, its raw bytes kept in meta', async () => {
    const docs = join(root, 'docs');
    writeRaw(docs, rawName, 'bytes of a file with a Latin-1 name');
    const r = await tamga(['seal', '--vault', vaultDir, docs]);
    expect(r.code).toBe(0);
    const [record] = documents();
    expect(record!.body.path).toBe('docs/f\uFFFD.txt');
    expect(record!.files[0]!.name).toBe('f\uFFFD.txt');
    const raw = Buffer.from(record!.body.meta['tamga:rawPath']!, 'base64');
    expect(raw.subarray(raw.length - rawName.length).equals(rawName)).toBe(true);
    // It can be read back and verified.
    const out = join(root, 'back');
    expect((await tamga(['get', '--vault', vaultDir, record!.id, '--out', out])).code).toBe(0);
    expect(readFileSync(out, 'utf8')).toBe('bytes of a file with a Latin-1 name');
    await expectFsckOk();
    // Re-sealing finds it unchanged under the same lossy path.
    expect(await sealPaths(vault, keys, [docs], { author: 't' })).toMatchObject({
      sealed: 0,
      unchanged: 1,
    });
  });

  it('a file inside a folder whose name is not UTF-8 is sealed too', async () => {
    const docs = join(root, 'docs');
    const dir = Buffer.concat([Buffer.from(`${docs}/`), Buffer.from([0x64, 0xfe])]);
    mkdirSync(dir, { recursive: true });
    writeFileSync(Buffer.concat([dir, Buffer.from('/inner.txt')]), 'inner');
    const summary = await sealPaths(vault, keys, [docs], { author: 't' });
    expect(summary).toMatchObject({ sealed: 1, failed: [] });
    const [record] = documents();
    expect(record!.body.path).toBe('docs/d\uFFFD/inner.txt');
    expect(record!.body.meta['tamga:rawPath']).toBeDefined();
    await expectFsckOk();
  });

  // Regression test for a bug fixed after it was found by this test.
  it('the raw name kept in meta is the relative path as recorded, not an absolute one', async () => {
    const docs = join(root, 'docs');
    writeRaw(docs, rawName, 'x');
    await sealPaths(vault, keys, [docs], { author: 't' });
    const raw = Buffer.from(documents()[0]!.body.meta['tamga:rawPath']!, 'base64');
    expect(raw.includes(Buffer.from(root))).toBe(false);
    expect(raw.equals(Buffer.concat([Buffer.from('docs/'), rawName]))).toBe(true);
  });

  it('names with a newline, a tab or an escape are sealed with U+FFFD, the raw name in meta', async () => {
    const docs = join(root, 'docs');
    writeTree(docs, {
      'line\nbreak.txt': 'nl',
      'tab\there.txt': 'tab',
      'esc\u001b[31m.txt': 'esc',
    });
    const summary = await sealPaths(vault, keys, [docs], { author: 't' });
    expect(summary).toMatchObject({ sealed: 3, failed: [] });
    const paths = [...byPath().keys()].sort();
    expect(paths).toEqual(
      ['docs/esc\uFFFD[31m.txt', 'docs/line\uFFFDbreak.txt', 'docs/tab\uFFFDhere.txt'].sort(),
    );
    for (const r of documents()) {
      expect(hasControlCharacter(r.body.path)).toBe(false);
      const raw = Buffer.from(r.body.meta['tamga:rawPath']!, 'base64').toString('utf8');
      expect(
        ['line\nbreak.txt', 'tab\there.txt', 'esc\u001b[31m.txt'].some((n) =>
          raw.endsWith(`/${n}`),
        ),
        raw,
      ).toBe(true);
    }
    // `ls` prints one line per record, with no control character.
    const ls = await tamga(['ls', '--vault', vaultDir]);
    expect(ls.out).toHaveLength(3);
    for (const l of ls.out) expect(hasControlCharacter(l), l).toBe(false);
    await expectFsckOk();
  });

  // Regression test for a bug fixed after it was found by this test.
  it('verify prints one line per file, with control characters replaced', async () => {
    const docs = join(root, 'docs');
    writeTree(docs, { 'line\nbreak.txt': 'nl', 'esc\u001b[31m.txt': 'esc' });
    await sealPaths(vault, keys, [docs], { author: 't' });
    const r = await tamga(['verify', '--vault', vaultDir, docs]);
    expect(r.code).toBe(0);
    expect(r.out).toHaveLength(2);
    for (const l of r.out) {
      expect(l).toMatch(/^SEALED/);
      expect(hasControlCharacter(l), l).toBe(false);
    }
  });
});

describe('passphrases', () => {
  it('a wrong passphrase: exit 1, one line that says so, nothing sealed', async () => {
    writeTree(root, { 'docs/a.txt': 'a' });
    const r = await tamga(['seal', '--vault', vaultDir, join(root, 'docs')], {
      TAMGA_PASSPHRASE: 'not the passphrase',
    });
    expect(r.code).toBe(1);
    expect(r.err).toEqual(['tamga: wrong passphrase for the vault key file']);
    expect(logSize(vault.db)).toBe(0);
    await expectFsckOk();
  });

  it('no TAMGA_PASSPHRASE and no terminal: exit 1, says how to give it', async () => {
    for (const env of [{}, { TAMGA_PASSPHRASE: '' }]) {
      const r = await tamga(['fsck', '--vault', vaultDir], env);
      expect(r.code).toBe(1);
      expect(r.stderr).toMatch(/needs the vault passphrase.*TAMGA_PASSPHRASE/);
    }
    // fsck --no-blobs needs no passphrase.
    expect((await tamga(['fsck', '--vault', vaultDir, '--no-blobs'], {})).code).toBe(0);
  });

  it('in a real process: wrong and missing passphrases give one line, no stack trace', async () => {
    writeTree(root, { 'docs/a.txt': 'a' });
    await sealPaths(vault, keys, [join(root, 'docs')], { author: 't' });
    const id = documents()[0]!.id;
    const [get, missing] = await Promise.all([
      cliAsync(['get', '--vault', vaultDir, id, '--out', join(root, 'x')], {
        env: { TAMGA_PASSPHRASE: 'nope' },
      }),
      cliAsync(['seal', '--vault', vaultDir, join(root, 'docs')], { env: {} }),
    ]);
    expect(get.status).toBe(1);
    expect(get.stderr).toBe('tamga: wrong passphrase for the vault key file\n');
    expect(missing.status).toBe(1);
    expect(missing.stderr).toBe(
      'tamga: this command needs the vault passphrase: run it in a terminal, or set TAMGA_PASSPHRASE\n',
    );
    for (const r of [get, missing]) expect(hasStackTrace(r.stderr)).toBe(false);
    expect(logSize(vault.db)).toBe(1);
  });
});

describe('vaults that cannot be used', () => {
  it('tamga init refuses a folder that holds anything, and an existing vault', async () => {
    writeTree(root, { 'busy/notes.txt': 'keep me' });
    const busy = await tamga([
      'init',
      join(root, 'busy'),
      '--origin',
      ORIGIN,
      '--scrypt-log-n',
      '10',
    ]);
    expect(busy.code).toBe(1);
    expect(busy.stderr).toMatch(/cannot create a vault in .*busy: it is not empty/);
    expect(readFileSync(join(root, 'busy/notes.txt'), 'utf8')).toBe('keep me');

    const keyFile = readFileSync(join(vaultDir, 'keys.age'));
    const again = await tamga(['init', vaultDir, '--origin', ORIGIN, '--scrypt-log-n', '10']);
    expect(again.code).toBe(1);
    expect(again.stderr).toMatch(/a vault already exists there/);
    expect(readFileSync(join(vaultDir, 'keys.age')).equals(keyFile)).toBe(true);
    expect(await vault.unlock(PASSPHRASE)).toEqual(keys);
    await expectFsckOk();
  });

  it('a folder that is not a vault: says so and how to make one', async () => {
    mkdirSync(join(root, 'plain'));
    for (const cmd of [['ls'], ['fsck'], ['show', '0']]) {
      const r = await tamga([...cmd, '--vault', join(root, 'plain')]);
      expect(r.code).toBe(1);
      expect(r.stderr).toMatch(/no Tamga vault in .*plain: create one with `tamga init/);
    }
  });

  it('a database of another schema version is refused, not migrated', async () => {
    vault.close();
    withDatabase(vaultDir, (db) => db.pragma('user_version = 99'));
    for (const cmd of [['ls'], ['fsck'], ['seal', root]]) {
      const r = await tamga([...cmd, '--vault', vaultDir]);
      expect(r.code).toBe(1);
      expect(r.stderr).toMatch(/the vault database is of version 99; this Tamga reads version 4/);
    }
    // Untouched: still version 99.
    expect(withDatabase(vaultDir, (db) => db.pragma('user_version', { simple: true }))).toBe(99);
    const p = cli(['ls', '--vault', vaultDir]);
    expect(p.status).toBe(1);
    expect(hasStackTrace(p.stderr)).toBe(false);
    withDatabase(vaultDir, (db) => db.pragma('user_version = 3'));
    vault = await Vault.open(vaultDir);
  });

  it('a vault whose meta says another format is refused', async () => {
    vault.close();
    withDatabase(vaultDir, (db) =>
      db.prepare("UPDATE meta SET value = 'tamga-vault/v2' WHERE key = 'format'").run(),
    );
    const r = await tamga(['ls', '--vault', vaultDir]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(
      /holds a vault of format tamga-vault\/v2; this Tamga reads tamga-vault\/v1/,
    );
    withDatabase(vaultDir, (db) =>
      db.prepare("UPDATE meta SET value = 'tamga-vault/v1' WHERE key = 'format'").run(),
    );
    vault = await Vault.open(vaultDir);
  });

  it('a vault.db that is not SQLite, or SQLite of version 0, is refused clearly', async () => {
    const junk = join(root, 'junk');
    writeTree(junk, { 'vault.db': 'this is not a database, it is a text file.'.repeat(100) });
    const r1 = await tamga(['ls', '--vault', junk]);
    expect(r1.code).toBe(1);
    expect(r1.stderr).toMatch(/is not a usable vault database|cannot open the vault database/);

    const empty = join(root, 'empty');
    mkdirSync(empty);
    new Database(join(empty, 'vault.db')).exec('CREATE TABLE t (x)');
    const r2 = await tamga(['ls', '--vault', empty]);
    expect(r2.code).toBe(1);
    expect(r2.stderr).toMatch(/is not a Tamga vault database/);
  });

  // Regression test for a bug fixed after it was found by this test.
  it('a foreign SQLite database of user_version 1 is refused as not a vault', async () => {
    const foreign = join(root, 'foreign');
    mkdirSync(foreign);
    const db = new Database(join(foreign, 'vault.db'));
    db.pragma('user_version = 1');
    db.exec('CREATE TABLE notes (body TEXT)');
    db.close();
    const r = await tamga(['ls', '--vault', foreign]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/not a Tamga vault/);
    await expect(Vault.open(foreign)).rejects.toBeInstanceOf(VaultError);
  });
});

describe('records that do not exist, or do not fit', () => {
  it('show and get of an unknown id or entry: exit 1, says how to list ids', async () => {
    for (const cmd of [
      ['show', '01ARZ3NDEKTSV4RRFFQ69G5FAV'],
      ['show', '7'],
      ['get', 'not-an-id', '--out', join(root, 'out')],
    ]) {
      const r = await tamga([...cmd, '--vault', vaultDir]);
      expect(r.code).toBe(1);
      expect(r.stderr).toMatch(/^tamga: no record \S+ in this vault .*`tamga ls` lists them/);
    }
  });

  it('tamga add with JSON that fails its schema names the field, exit 1, nothing sealed', async () => {
    const input = join(root, 'incident.json');
    writeFileSync(
      input,
      JSON.stringify({ date: '2024-02-30', place: '', description: 'raid', category: 'search' }),
    );
    const r = await tamga(['add', '--vault', vaultDir, '--kind', 'incident', '--json', input]);
    expect(r.code).toBe(1);
    expect(r.err).toHaveLength(1);
    expect(r.stderr).toMatch(/body\.date: is not a date/);
    expect(r.stderr).toMatch(/body\.place: must not be empty/);
    writeFileSync(input, JSON.stringify({ body: { name: 'car', category: 'x', colour: 'red' } }));
    const r2 = await tamga(['add', '--vault', vaultDir, '--kind', 'asset', '--json', input]);
    expect(r2.code).toBe(1);
    expect(r2.stderr).toMatch(/body\.description: is missing/);
    expect(r2.stderr).toMatch(/body\.colour: is not a field of this schema/);
    expect(logSize(vault.db)).toBe(0);
    await expectFsckOk();
  });

  it('tamga add with input that is not JSON, or not an object, or an unknown kind: exit 2', async () => {
    const input = join(root, 'bad.json');
    writeFileSync(input, '{"place": "Osh",');
    const r = await tamga(['add', '--vault', vaultDir, '--kind', 'incident', '--json', input]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^tamga: the input is not JSON: /);
    writeFileSync(input, '[1, 2]');
    const r2 = await tamga(['add', '--vault', vaultDir, '--kind', 'incident', '--json', input]);
    expect(r2.code).toBe(2);
    expect(r2.stderr).toBe('tamga: the input must be a JSON object');
    const r3 = await tamga(['add', '--vault', vaultDir, '--kind', 'memo', '--json', input]);
    expect(r3.code).toBe(2);
    expect(r3.stderr).toMatch(/--kind must be one of document, transaction/);
    expect(logSize(vault.db)).toBe(0);
  });

  it('tamga add from standard input in a real process: valid is sealed, invalid exits 1', async () => {
    const [ok, bad] = await Promise.all([
      cliAsync(['add', '--vault', vaultDir, '--kind', 'asset', '--json', '-'], {
        input: JSON.stringify({ name: 'Печать профсоюза', category: 'seal', description: '' }),
      }),
      cliAsync(['add', '--vault', vaultDir, '--kind', 'asset', '--json', '-'], {
        input: JSON.stringify({ name: 'x' }),
      }),
    ]);
    expect(ok.status, ok.stderr).toBe(0);
    expect(ok.stdout.trim()).toMatch(/^[0-9A-Z]{26}$/);
    expect(bad.status).toBe(1);
    expect(bad.stderr).toMatch(/body\.category: is missing/);
    expect(hasStackTrace(bad.stderr)).toBe(false);
    expect(logSize(vault.db)).toBe(1);
  });

  it('--meta without "=" is bad usage (exit 2) and seals nothing', async () => {
    writeTree(root, { 'docs/a.txt': 'a' });
    for (const meta of ['novalue', '=value']) {
      const r = await tamga(['seal', '--vault', vaultDir, '--meta', meta, join(root, 'docs')]);
      expect(r.code).toBe(2);
      expect(r.err).toEqual([`tamga: --meta takes key=value, got "${meta}"`]);
    }
    expect(logSize(vault.db)).toBe(0);
  });
});

describe('paths on the command line', () => {
  // Regression test for a bug fixed after it was found by this test.
  it('seal and verify read relative paths from the context working directory', async () => {
    const name = `scans-${process.pid}-${Date.now()}`;
    writeTree(join(root, name), { 'a.txt': 'relative' });
    const r = await tamga(['seal', '--vault', vaultDir, name]);
    expect(r.err.join('\n')).not.toMatch(/not sealed/);
    expect([...byPath().keys()]).toEqual([`${name}/a.txt`]);
    const v = await tamga(['verify', '--vault', vaultDir, name]);
    expect(v.out[0]).toMatch(/^SEALED/);
  });

  // Regression test for a bug fixed after it was found by this test.
  it('two folders with the same name: every file is sealed or reported, none dropped silently', async () => {
    writeTree(join(root, 'a/docs'), { 'f.txt': 'from a' });
    writeTree(join(root, 'b/docs'), { 'f.txt': 'from b' });
    const summary = await sealPaths(vault, keys, [join(root, 'a/docs'), join(root, 'b/docs')], {
      author: 't',
      batchMillis: 1e9,
    });
    expect(summary.sealed + summary.unchanged + summary.failed.length).toBe(2);
  });
});
