/**
 * The vault database: SQLite through better-sqlite3, in WAL mode with full synchronous commits,
 * so that a record is durable when its transaction returns. One schema version per vault. An
 * older version whose upgrade only adds tables is upgraded in place, in one transaction; any
 * other version is refused with a clear message, never rewritten.
 */
import Database from 'better-sqlite3';
import { VaultError } from './errors.js';

/** The schema version this code reads and writes. */
export const SCHEMA_VERSION = 4;

const SCHEMA = `
CREATE TABLE meta (
  key   TEXT PRIMARY KEY,
  value TEXT NOT NULL
) STRICT;

-- One row per log entry: the private record, its salt, and the public commitment.
CREATE TABLE records (
  idx        INTEGER PRIMARY KEY,  -- leaf index in the log
  id         TEXT NOT NULL UNIQUE,
  kind       TEXT NOT NULL,
  created    TEXT NOT NULL,
  json       TEXT NOT NULL,        -- RFC 8785 canonical JSON of the record
  salt       BLOB NOT NULL,
  commitment BLOB NOT NULL
) STRICT;
CREATE INDEX records_kind ON records(kind, created);

-- The files each record names, to find records by content hash.
CREATE TABLE record_files (
  record_idx INTEGER NOT NULL REFERENCES records(idx),
  sha256     TEXT NOT NULL,
  name       TEXT NOT NULL,
  size       INTEGER NOT NULL
) STRICT;
CREATE INDEX record_files_sha256 ON record_files(sha256);
CREATE INDEX record_files_record ON record_files(record_idx);

-- Encrypted blobs held in blobs/, by the SHA-256 of their plaintext.
CREATE TABLE blobs (
  sha256      TEXT PRIMARY KEY,
  size        INTEGER NOT NULL,
  stored_size INTEGER NOT NULL
) STRICT;

-- What each sealed path last held, so re-sealing an unchanged file is a no-op.
CREATE TABLE sealed_paths (
  path      TEXT PRIMARY KEY,
  size      INTEGER NOT NULL,
  mtime_ms  REAL NOT NULL,
  sha256    TEXT NOT NULL,
  record_id TEXT NOT NULL
) STRICT;

-- C2SP tlog-tiles hash tiles; a partial tile is overwritten as it grows, a full one never.
CREATE TABLE tiles (
  level INTEGER NOT NULL,
  idx   INTEGER NOT NULL,
  width INTEGER NOT NULL,
  data  BLOB NOT NULL,
  PRIMARY KEY (level, idx)
) STRICT;

-- Every checkpoint the vault signed, one per batch, with the cosignatures gathered later.
CREATE TABLE checkpoints (
  size    INTEGER PRIMARY KEY,
  note    TEXT NOT NULL,
  created TEXT NOT NULL
) STRICT;
`;

/**
 * Version 2 adds witnesses, their cosignatures and alarms, and mirror tokens. The additions are
 * new tables only, so a version 1 vault is upgraded in place, in one transaction, when opened.
 */
const SCHEMA_V2 = `
-- The witnesses the vault asks for cosignatures, and where each one stands.
CREATE TABLE witnesses (
  name          TEXT PRIMARY KEY,
  vkey          TEXT NOT NULL UNIQUE,   -- C2SP vkey: name+hex8+base64(0x04||pub)
  url           TEXT NOT NULL,          -- prefix of its add-checkpoint endpoint
  added         TEXT NOT NULL,
  cosigned_size INTEGER,                -- the last size it cosigned (or reported, on 409)
  cosigned_time INTEGER,                -- its timestamp on that cosignature, Unix seconds
  last_attempt  TEXT,
  last_error    TEXT,                   -- null after a success
  failures      INTEGER NOT NULL DEFAULT 0,
  next_attempt  TEXT                    -- not before this time (backoff)
) STRICT;

-- Every verified cosignature, by checkpoint size and witness key; the checkpoint's note in
-- checkpoints carries the same signatures.
CREATE TABLE cosignatures (
  size      INTEGER NOT NULL REFERENCES checkpoints(size),
  vkey      TEXT NOT NULL,
  timestamp INTEGER NOT NULL,
  PRIMARY KEY (size, vkey)
) STRICT;

-- Refusals and conflicts that must be seen and kept: a witness that rejects a proof (422), a
-- witness that holds a checkpoint the vault never signed, a cosignature that does not verify.
CREATE TABLE alarms (
  id       INTEGER PRIMARY KEY,
  time     TEXT NOT NULL,
  source   TEXT NOT NULL,   -- a witness name, or 'mirror'
  kind     TEXT NOT NULL,
  message  TEXT NOT NULL,
  evidence TEXT NOT NULL    -- JSON: what was sent and what came back
) STRICT;

-- Tokens that let a mirror fetch the vault's encrypted private data; only their hashes are kept.
CREATE TABLE mirror_tokens (
  id       INTEGER PRIMARY KEY,
  label    TEXT NOT NULL,
  hash     BLOB NOT NULL UNIQUE,   -- SHA-256 of the token
  created  TEXT NOT NULL,
  revoked  TEXT
) STRICT;
`;

/**
 * Version 3 adds the web app's users, sessions and activity log, and an index of document tags.
 * New tables only: version 1 and 2 vaults are upgraded in place, in one transaction, when opened.
 */
const SCHEMA_V3 = `
-- People who sign in to the web app. The password is kept only as an scrypt hash, with its
-- salt and parameters: scrypt$<logN>$<r>$<p>$<base64 salt>$<base64 hash>.
CREATE TABLE users (
  name       TEXT PRIMARY KEY,
  role       TEXT NOT NULL,          -- admin, treasurer, auditor, viewer
  password   TEXT NOT NULL,
  created    TEXT NOT NULL,
  disabled   TEXT,                   -- when disabled; null while active
  last_login TEXT
) STRICT;

-- Signed-in sessions; only the SHA-256 of a session id is kept, never the id itself.
CREATE TABLE sessions (
  hash      BLOB PRIMARY KEY,
  user      TEXT NOT NULL REFERENCES users(name),
  created   TEXT NOT NULL,           -- a session ends a fixed time after it began ...
  last_seen TEXT NOT NULL            -- ... or once idle too long
) STRICT;
CREATE INDEX sessions_user ON sessions(user);

-- Who did what in the web app, and when; each entry is sealed into the log as an activity
-- record (record_id), in batches.
CREATE TABLE activity (
  id        INTEGER PRIMARY KEY,
  time      TEXT NOT NULL,
  actor     TEXT NOT NULL,
  action    TEXT NOT NULL,
  details   TEXT NOT NULL,
  record_id TEXT
) STRICT;
CREATE INDEX activity_unsealed ON activity(id) WHERE record_id IS NULL;

-- The tags of document records, to filter by tag without reading every record. Derived from
-- records (meta tagIndexSize says how far), brought up to date by whoever searches.
CREATE TABLE record_tags (
  tag        TEXT NOT NULL,
  record_idx INTEGER NOT NULL,
  PRIMARY KEY (tag, record_idx)
) STRICT, WITHOUT ROWID;

-- When each mirror token last started a pull (it asked for the vault's info), and the log's
-- size then: what the dashboard shows per mirror.
CREATE TABLE IF NOT EXISTS mirror_pulls (
  token_id INTEGER PRIMARY KEY REFERENCES mirror_tokens(id),
  time     TEXT NOT NULL,
  size     INTEGER NOT NULL
) STRICT;

-- The web app lists records newest first, a page at a time, of a kind or within dates.
CREATE INDEX IF NOT EXISTS records_kind_idx ON records(kind, idx);
CREATE INDEX IF NOT EXISTS records_created ON records(created);
`;

/**
 * Version 4 adds the search index (src/vault/search/text-index.ts): `record_text`, an FTS5 table
 * of each record's words and their Russian and Kyrgyz stems. Tags are indexed case-folded from
 * now on, so the tag index of version 3, derived data, is emptied to be rebuilt; both are filled
 * by the first search after the upgrade. A new table and derived data only: version 1 to 3
 * vaults are upgraded in place, in one transaction, when opened.
 */
const SCHEMA_V4 = `
-- Each record's words as written, their Russian stems and their Kyrgyz stems (space-separated
-- tokens made by src/vault/search/text.ts), by log index (rowid). Contentless: the text is in the
-- records; the index holds only what finds them. unicode61 with remove_diacritics 0 folds case
-- and leaves й, ё and the Kyrgyz ң, ө, ү as the letters they are.
CREATE VIRTUAL TABLE IF NOT EXISTS record_text USING fts5(
  words, ru, ky,
  tokenize = "unicode61 remove_diacritics 0 categories 'L* N* M*'",
  content = '', contentless_delete = 1
);
`;

/** Empties the tag index of version 3 (tags as written), rebuilt case-folded with the rest. */
const RESET_V3_TAG_INDEX = `
DELETE FROM record_tags;
DELETE FROM meta WHERE key = 'tagIndexSize';
`;

/** An open vault database. */
export type VaultDatabase = Database.Database;

/**
 * Opens (and with `create`, creates) the database at `file`. Throws VaultError when the file is
 * not a Tamga vault database or is of another schema version.
 */
export function openDatabase(
  file: string,
  options: { create?: boolean; readonly?: boolean } = {},
): VaultDatabase {
  let db: VaultDatabase;
  try {
    db = new Database(file, {
      fileMustExist: !options.create,
      readonly: options.readonly ?? false,
    });
  } catch (e) {
    throw new VaultError(
      'vault.database',
      `cannot open the vault database ${file}: ${(e as Error).message}`,
      { cause: e },
    );
  }
  try {
    if (!options.readonly) {
      db.pragma('journal_mode = WAL');
      // FULL: a commit is on disk when it returns; a record is acknowledged only then.
      db.pragma('synchronous = FULL');
    }
    db.pragma('foreign_keys = ON');
    // SQLite's lower() folds ASCII only; searches must fold Cyrillic too.
    db.function('unicode_lower', { deterministic: true }, (s: unknown) =>
      typeof s === 'string' ? s.toLowerCase() : s,
    );
    db.pragma('busy_timeout = 10000');
    const version = db.pragma('user_version', { simple: true }) as number;
    if (version === 0 && options.create) {
      db.exec('BEGIN');
      db.exec(SCHEMA);
      db.exec(SCHEMA_V2);
      db.exec(SCHEMA_V3);
      db.exec(SCHEMA_V4);
      db.pragma(`user_version = ${SCHEMA_VERSION}`);
      db.exec('COMMIT');
    } else if (version === 1 || version === 2 || version === 3) {
      upgradeInPlace(file);
    } else if (version !== SCHEMA_VERSION) {
      throw new VaultError(
        'vault.version',
        version === 0
          ? `${file} is not a Tamga vault database`
          : `the vault database is of version ${version}; this Tamga reads version ${SCHEMA_VERSION}. Use the Tamga release that created it.`,
      );
    }
    return db;
  } catch (e) {
    db.close();
    if (e instanceof VaultError) throw e;
    throw new VaultError(
      'vault.database',
      `${file} is not a usable vault database: ${(e as Error).message}`,
      { cause: e },
    );
  }
}

/**
 * Adds the tables of the versions after a version 1, 2 or 3 vault's, in one transaction, on its
 * own connection.
 */
function upgradeInPlace(file: string): void {
  const db = new Database(file, { fileMustExist: true });
  try {
    db.pragma('busy_timeout = 10000');
    db.transaction(() => {
      // A foreign database that happens to carry the version number is not touched.
      const tables = db
        .prepare(
          "SELECT COUNT(*) AS n FROM sqlite_master WHERE type = 'table' AND name IN ('meta', 'records')",
        )
        .get() as { n: number };
      if (tables.n !== 2) {
        throw new VaultError('vault.version', `${file} is not a Tamga vault database`);
      }
      // Another process may have upgraded it meanwhile.
      const version = db.pragma('user_version', { simple: true }) as number;
      if (version === 1) db.exec(SCHEMA_V2);
      if (version === 1 || version === 2) db.exec(SCHEMA_V3);
      if (version === 3) db.exec(RESET_V3_TAG_INDEX);
      if (version >= 1 && version <= 3) {
        db.exec(SCHEMA_V4);
        db.pragma(`user_version = ${SCHEMA_VERSION}`);
      }
    }).immediate();
  } finally {
    db.close();
  }
}
