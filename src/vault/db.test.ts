/** openDatabase: creates the schema once, and refuses what is not a vault database of its version. */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openDatabase, SCHEMA_VERSION } from './db.js';
import { VaultError } from './errors.js';

let dir: string;
let file: string;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'tamga-db-'));
  file = join(dir, 'vault.db');
});

afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

function refusal(f: () => unknown): VaultError {
  try {
    f();
  } catch (e) {
    expect(e).toBeInstanceOf(VaultError);
    return e as VaultError;
  }
  throw new Error('expected a VaultError');
}

describe('openDatabase', () => {
  it('upgrades a version 1 database in place by adding the version 2 tables', () => {
    const db = openDatabase(file, { create: true });
    db.prepare("INSERT INTO meta (key, value) VALUES ('origin', 'kept')").run();
    for (const t of [
      'alarms',
      'cosignatures',
      'mirror_tokens',
      'witnesses',
      'sessions',
      'users',
      'activity',
      'record_tags',
    ])
      db.exec(`DROP TABLE ${t}`);
    db.pragma('user_version = 1');
    db.close();
    const upgraded = openDatabase(file, { readonly: true });
    expect(upgraded.pragma('user_version', { simple: true })).toBe(SCHEMA_VERSION);
    expect(upgraded.prepare('SELECT COUNT(*) AS n FROM witnesses').get()).toEqual({ n: 0 });
    expect(upgraded.prepare('SELECT COUNT(*) AS n FROM users').get()).toEqual({ n: 0 });
    expect(upgraded.prepare("SELECT value FROM meta WHERE key = 'origin'").get()).toEqual({
      value: 'kept',
    });
    upgraded.close();
  });

  it('upgrades a version 2 database in place by adding the version 3 tables', () => {
    const db = openDatabase(file, { create: true });
    db.prepare("INSERT INTO witnesses (name, vkey, url, added) VALUES ('w', 'k', 'u', 't')").run();
    for (const t of ['sessions', 'users', 'activity', 'record_tags']) db.exec(`DROP TABLE ${t}`);
    db.pragma('user_version = 2');
    db.close();
    const upgraded = openDatabase(file);
    expect(upgraded.pragma('user_version', { simple: true })).toBe(SCHEMA_VERSION);
    expect(upgraded.prepare('SELECT COUNT(*) AS n FROM activity').get()).toEqual({ n: 0 });
    expect(upgraded.prepare('SELECT name FROM witnesses').all()).toEqual([{ name: 'w' }]);
    upgraded.close();
  });

  it('upgrades a version 3 database in place: adds the search index, empties the tag index', () => {
    const db = openDatabase(file, { create: true });
    db.prepare("INSERT INTO record_tags (tag, record_idx) VALUES ('Архив', 0)").run();
    db.prepare("INSERT INTO meta (key, value) VALUES ('tagIndexSize', '1')").run();
    db.exec('DROP TABLE record_text');
    db.pragma('user_version = 3');
    db.close();
    const upgraded = openDatabase(file, { readonly: true });
    expect(upgraded.pragma('user_version', { simple: true })).toBe(4);
    expect(upgraded.prepare('SELECT COUNT(*) AS n FROM record_text').get()).toEqual({ n: 0 });
    // Derived from the records: rebuilt, case-folded, by the first search.
    expect(upgraded.prepare('SELECT COUNT(*) AS n FROM record_tags').get()).toEqual({ n: 0 });
    expect(upgraded.prepare("SELECT value FROM meta WHERE key = 'tagIndexSize'").get()).toBe(
      undefined,
    );
    upgraded.close();
  });

  it('creates the schema at the current version, in WAL mode, and opens it again', () => {
    const db = openDatabase(file, { create: true });
    expect(db.pragma('user_version', { simple: true })).toBe(SCHEMA_VERSION);
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
    const tables = (
      db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name").all() as {
        name: string;
      }[]
    ).map((t) => t.name);
    expect(tables).toEqual([
      'activity',
      'alarms',
      'blobs',
      'checkpoints',
      'cosignatures',
      'meta',
      'mirror_pulls',
      'mirror_tokens',
      'record_files',
      'record_tags',
      // The search index: FTS5's table and its shadow tables.
      'record_text',
      'record_text_config',
      'record_text_data',
      'record_text_docsize',
      'record_text_idx',
      'records',
      'sealed_paths',
      'sessions',
      'tiles',
      'users',
      'witnesses',
    ]);
    db.close();
    const again = openDatabase(file);
    expect(again.pragma('user_version', { simple: true })).toBe(SCHEMA_VERSION);
    again.close();
    const readonly = openDatabase(file, { readonly: true });
    expect(() => readonly.prepare('INSERT INTO meta VALUES (?, ?)').run('k', 'v')).toThrow();
    readonly.close();
  });

  it('folds Cyrillic in unicode_lower, which SQLite lower() does not', () => {
    const db = openDatabase(file, { create: true });
    expect(db.prepare("SELECT unicode_lower('ПРОТОКОЛ Ёж') AS s").get()).toEqual({
      s: 'протокол ёж',
    });
    expect(db.prepare("SELECT lower('ПРОТОКОЛ') AS s").get()).toEqual({ s: 'ПРОТОКОЛ' });
    db.close();
  });

  it('refuses a database of another version, naming both versions, and leaves it alone', () => {
    openDatabase(file, { create: true }).close();
    const raw = new Database(file);
    raw.pragma('user_version = 99');
    raw.close();
    const e = refusal(() => openDatabase(file));
    expect(e.code).toBe('vault.version');
    expect(e.message).toBe(
      `the vault database is of version 99; this Tamga reads version ${SCHEMA_VERSION}. Use the Tamga release that created it.`,
    );
    expect(refusal(() => openDatabase(file, { readonly: true })).code).toBe('vault.version');
    const check = new Database(file);
    expect(check.pragma('user_version', { simple: true })).toBe(99);
    check.close();
  });

  it('refuses a SQLite database of version 0 as not a vault database, without creating tables', () => {
    const raw = new Database(file);
    raw.exec('CREATE TABLE other (x)');
    raw.close();
    const e = refusal(() => openDatabase(file));
    expect(e.message).toBe(`${file} is not a Tamga vault database`);
    const check = new Database(file);
    expect(
      (
        check.prepare("SELECT COUNT(*) AS n FROM sqlite_master WHERE name = 'records'").get() as {
          n: number;
        }
      ).n,
    ).toBe(0);
    check.close();
  });

  it('refuses a file that is not SQLite, and a missing file without create', () => {
    writeFileSync(file, 'not a database '.repeat(200));
    expect(refusal(() => openDatabase(file)).message).toMatch(
      /is not a usable vault database: file is not a database/,
    );
    const missing = refusal(() => openDatabase(join(dir, 'missing.db')));
    expect(missing.code).toBe('vault.database');
    expect(missing.message).toMatch(/^cannot open the vault database .*missing\.db/);
  });
});
