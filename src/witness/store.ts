/**
 * The witness database: SQLite through better-sqlite3, in WAL mode. One schema version; a
 * database of another version is refused, never migrated.
 *
 * Durability. A cosigned checkpoint must be on disk before its cosignature is sent
 * (c2sp.org/tlog-witness). `synchronous = FULL` would give that by syncing the WAL inside every
 * COMMIT, on the one thread that also answers HTTP: measured here, that blocked the witness for
 * about 2 ms per transaction, 40% of its time. Instead the connection runs `synchronous =
 * NORMAL`, which keeps the database consistent through a crash but may lose the last commits,
 * and `sync()` makes them durable: it fdatasyncs the WAL file — the very sync FULL would have
 * made, after the commit and before anything is answered — in libuv's thread pool, while the
 * main thread goes on. Syncs asked for while one runs are merged into the next. Every write is
 * followed by a sync before it is acknowledged: `Witness` awaits `sync()` after each
 * transaction, and the configuration writes call `syncNow()`.
 *
 * What it holds: the logs the witness witnesses and the keys it trusts for each, the latest
 * checkpoint it cosigned for each log (the only state the protocol needs), every cosignature it
 * gave, and the evidence of misbehaviour it was shown: checkpoints signed by a log that fork from
 * what the witness cosigned, or come with a consistency proof that does not verify.
 */
import { closeSync, fdatasyncSync, openSync } from 'node:fs';
import { type FileHandle, open } from 'node:fs/promises';
import Database from 'better-sqlite3';
import { WitnessError } from './errors.js';

/** The schema version this code reads and writes. */
export const WITNESS_SCHEMA_VERSION = 1;

const SCHEMA = `
CREATE TABLE meta (
  key   TEXT PRIMARY KEY,
  value TEXT NOT NULL
) STRICT;

-- The logs witnessed, by origin line.
CREATE TABLE logs (
  origin TEXT PRIMARY KEY,
  added  INTEGER NOT NULL            -- POSIX seconds
) STRICT;

-- The verifier keys trusted for each log (more than one while a log rotates its key).
CREATE TABLE log_keys (
  origin TEXT NOT NULL REFERENCES logs(origin),
  vkey   TEXT NOT NULL,              -- <origin>+<hex8>+<base64(0x01 || Ed25519 public key)>
  added  INTEGER NOT NULL,
  PRIMARY KEY (origin, vkey)
) STRICT;

-- The latest checkpoint cosigned for each log: what every request is checked against.
CREATE TABLE latest (
  origin    TEXT PRIMARY KEY REFERENCES logs(origin),
  size      INTEGER NOT NULL,
  root      BLOB NOT NULL,
  timestamp INTEGER NOT NULL,        -- of the latest cosignature, POSIX seconds
  note      TEXT NOT NULL            -- the checkpoint with the log's verified signatures
) STRICT;

-- Every cosignature given, in order: the checkpoint text and the time cosigned. The signature
-- itself is not stored: Ed25519 is deterministic (RFC 8032), so these and the witness's key
-- make it again, byte for byte.
CREATE TABLE cosignatures (
  seq        INTEGER PRIMARY KEY,
  origin     TEXT NOT NULL REFERENCES logs(origin),
  size       INTEGER NOT NULL,
  root       BLOB NOT NULL,
  timestamp  INTEGER NOT NULL,
  checkpoint TEXT NOT NULL           -- the note text that was cosigned
) STRICT;
CREATE INDEX cosignatures_origin ON cosignatures(origin, seq);

-- Checkpoints a log signed that the witness refused as inconsistent with what it had cosigned.
CREATE TABLE evidence (
  seq         INTEGER PRIMARY KEY,
  origin      TEXT NOT NULL REFERENCES logs(origin),
  kind        TEXT NOT NULL,         -- 'fork': same size, another root; 'inconsistent': bad proof
  observed    INTEGER NOT NULL,      -- POSIX seconds
  old_size    INTEGER NOT NULL,
  proof       TEXT NOT NULL,         -- the consistency proof lines as sent
  note        TEXT NOT NULL,         -- the signed checkpoint as sent
  latest_note TEXT NOT NULL,         -- what the witness had cosigned for the log
  reason      TEXT NOT NULL,
  digest      BLOB NOT NULL UNIQUE   -- SHA-256 of the request: each request is kept once
) STRICT;
CREATE INDEX evidence_origin ON evidence(origin, seq);
`;

/** The latest checkpoint the witness cosigned for one log. */
export interface LatestCheckpoint {
  readonly origin: string;
  readonly size: number;
  readonly root: Uint8Array;
  readonly timestamp: number;
  /** The checkpoint as a signed note with the log's verified signatures (not the cosignature). */
  readonly note: string;
}

/** One cosignature the witness gave: what it cosigned, and when. */
export interface CosignedCheckpoint {
  readonly origin: string;
  readonly size: number;
  readonly root: Uint8Array;
  readonly timestamp: number;
  /** The checkpoint's note text. */
  readonly checkpoint: string;
}

/** A refused checkpoint kept because it shows a log misbehaving. */
export interface EvidenceRecord {
  readonly origin: string;
  readonly kind: 'fork' | 'inconsistent';
  readonly observed: number;
  readonly oldSize: number;
  readonly proof: string;
  readonly note: string;
  /** What the witness had cosigned for the log: the checkpoint, its signatures, the cosignature. */
  readonly latestNote: string;
  readonly reason: string;
  readonly digest: Uint8Array;
}

/** A witnessed log and how far the witness has cosigned it. */
export interface WitnessedLog {
  readonly origin: string;
  readonly keys: readonly string[];
  readonly latest: LatestCheckpoint | null;
}

interface LatestRow {
  origin: string;
  size: number;
  root: Buffer;
  timestamp: number;
  note: string;
}

/**
 * An open witness database. Methods run synchronously; `immediate` wraps a function in a
 * `BEGIN IMMEDIATE` transaction, so that what it reads cannot change before it commits, even
 * when another process shares the database.
 */
export class WitnessStore {
  private readonly db: Database.Database;
  private readonly wal: string;
  private readonly stmts;
  private walHandle: Promise<FileHandle | null> | null = null;
  private running: Promise<void> | null = null;
  private queued: Promise<void> | null = null;

  private constructor(db: Database.Database, file: string) {
    this.db = db;
    this.wal = `${file}-wal`;
    this.stmts = {
      meta: db.prepare<[string], { value: string }>('SELECT value FROM meta WHERE key = ?'),
      setMeta: db.prepare<[string, string]>(
        'INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value',
      ),
      addLog: db.prepare<[string, number]>(
        'INSERT INTO logs (origin, added) VALUES (?, ?) ON CONFLICT DO NOTHING',
      ),
      addKey: db.prepare<[string, string, number]>(
        'INSERT INTO log_keys (origin, vkey, added) VALUES (?, ?, ?) ON CONFLICT DO NOTHING',
      ),
      keys: db.prepare<[string], { vkey: string }>(
        'SELECT vkey FROM log_keys WHERE origin = ? ORDER BY rowid',
      ),
      origins: db.prepare<[], { origin: string }>('SELECT origin FROM logs ORDER BY origin'),
      latest: db.prepare<[string], LatestRow>(
        'SELECT origin, size, root, timestamp, note FROM latest WHERE origin = ?',
      ),
      setLatest: db.prepare<[string, number, Uint8Array, number, string]>(
        `INSERT INTO latest (origin, size, root, timestamp, note) VALUES (?, ?, ?, ?, ?)
         ON CONFLICT (origin) DO UPDATE SET
           size = excluded.size, root = excluded.root, timestamp = excluded.timestamp, note = excluded.note`,
      ),
      addCosignature: db.prepare<[string, number, Uint8Array, number, string]>(
        'INSERT INTO cosignatures (origin, size, root, timestamp, checkpoint) VALUES (?, ?, ?, ?, ?)',
      ),
      cosignatures: db.prepare<[string], CosignatureRow>(
        'SELECT origin, size, root, timestamp, checkpoint FROM cosignatures WHERE origin = ? ORDER BY seq',
      ),
      addEvidence: db.prepare<
        [string, string, number, number, string, string, string, string, Uint8Array]
      >(
        `INSERT INTO evidence (origin, kind, observed, old_size, proof, note, latest_note, reason, digest)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (digest) DO NOTHING`,
      ),
      evidence: db.prepare<[string], EvidenceRow>(
        `SELECT origin, kind, observed, old_size, proof, note, latest_note, reason, digest
         FROM evidence WHERE origin = ? ORDER BY seq`,
      ),
    };
  }

  /**
   * Opens the database at `file`, creating it with `create`. Throws WitnessError when it cannot
   * be opened, is not a witness database, or is of another schema version.
   */
  static open(file: string, options: { create?: boolean } = {}): WitnessStore {
    let db: Database.Database;
    try {
      db = new Database(file, { fileMustExist: !options.create });
    } catch (e) {
      throw new WitnessError(
        'witness.database',
        `cannot open the witness database ${file}: ${(e as Error).message}`,
        { cause: e },
      );
    }
    try {
      db.pragma('journal_mode = WAL');
      // NORMAL, and sync() before anything is acknowledged: see the top of this file.
      db.pragma('synchronous = NORMAL');
      db.pragma('foreign_keys = ON');
      db.pragma('busy_timeout = 5000');
      const version = db.pragma('user_version', { simple: true }) as number;
      if (version === 0 && options.create) {
        db.transaction(() => {
          db.exec(SCHEMA);
          db.pragma(`user_version = ${WITNESS_SCHEMA_VERSION}`);
        }).immediate();
      } else if (version !== WITNESS_SCHEMA_VERSION) {
        throw new WitnessError(
          'witness.version',
          version === 0
            ? `${file} is not a Tamga witness database`
            : `the witness database is of version ${version}; this Tamga reads version ${WITNESS_SCHEMA_VERSION}. Use the Tamga release that created it.`,
        );
      }
      return new WitnessStore(db, file);
    } catch (e) {
      db.close();
      if (e instanceof WitnessError) throw e;
      throw new WitnessError(
        'witness.database',
        `${file} is not a usable witness database: ${(e as Error).message}`,
        { cause: e },
      );
    }
  }

  /** Runs `fn` in a BEGIN IMMEDIATE transaction and returns its result; rolls back if it throws. */
  immediate<T>(fn: () => T): T {
    return this.db.transaction(fn).immediate();
  }

  /**
   * Resolves once every transaction committed before the call is on disk: fdatasync of the WAL,
   * in the thread pool. Rejects with the system's error when the sync fails.
   */
  sync(): Promise<void> {
    if (this.running === null) return this.runSync();
    // A sync is running, perhaps begun before the caller's commit: wait for the next one, which
    // every caller arriving meanwhile shares.
    this.queued ??= this.running.then(
      () => this.nextSync(),
      () => this.nextSync(),
    );
    return this.queued;
  }

  /** Like `sync`, on this thread: for the rare writes outside the request path. */
  syncNow(): void {
    let fd: number;
    try {
      fd = openSync(this.wal, 'r');
    } catch (e) {
      // No WAL: everything was checkpointed into the database file, which SQLite synced.
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return;
      throw e;
    }
    try {
      fdatasyncSync(fd);
    } finally {
      closeSync(fd);
    }
  }

  private nextSync(): Promise<void> {
    this.queued = null;
    return this.runSync();
  }

  private runSync(): Promise<void> {
    const run = this.datasync().finally(() => {
      if (this.running === run) this.running = null;
    });
    this.running = run;
    return run;
  }

  private async datasync(): Promise<void> {
    // The WAL keeps its inode while this connection is open (SQLite removes it only when the
    // last connection closes), so one handle serves every sync.
    this.walHandle ??= open(this.wal, 'r').catch((e: NodeJS.ErrnoException) => {
      if (e.code === 'ENOENT') return null;
      throw e;
    });
    const handle = await this.walHandle;
    if (handle === null) {
      // Opened before the first write: try again next time.
      this.walHandle = null;
      this.syncNow();
      return;
    }
    await handle.datasync();
  }

  /** Returns a value of the meta table, or undefined. */
  meta(key: string): string | undefined {
    return this.stmts.meta.get(key)?.value;
  }

  setMeta(key: string, value: string): void {
    this.stmts.setMeta.run(key, value);
  }

  /**
   * Trusts `vkey` for the log `origin`, adding the log if it is new. Returns whether the log and
   * the key were new.
   */
  addLog(origin: string, vkey: string, now: number): { logAdded: boolean; keyAdded: boolean } {
    return this.immediate(() => ({
      logAdded: this.stmts.addLog.run(origin, now).changes === 1,
      keyAdded: this.stmts.addKey.run(origin, vkey, now).changes === 1,
    }));
  }

  /** Returns the verifier keys trusted for `origin`; none when the log is not witnessed. */
  logKeys(origin: string): string[] {
    return this.stmts.keys.all(origin).map((r) => r.vkey);
  }

  /** Returns every witnessed log, by origin, with its keys and latest cosigned checkpoint. */
  logs(): WitnessedLog[] {
    return this.stmts.origins.all().map(({ origin }) => ({
      origin,
      keys: this.logKeys(origin),
      latest: this.latest(origin),
    }));
  }

  /** Returns the latest checkpoint cosigned for `origin`, or null when there is none. */
  latest(origin: string): LatestCheckpoint | null {
    const row = this.stmts.latest.get(origin);
    return row === undefined ? null : { ...row, root: new Uint8Array(row.root) };
  }

  /**
   * Records a cosignature: the log's new latest checkpoint (`note`, with the log's signatures),
   * and one more row of the cosignature log. Must be called inside `immediate`, after the
   * checks, with the state they read.
   */
  recordCosignature(record: CosignedCheckpoint, note: string): void {
    const { origin, size, root, timestamp, checkpoint } = record;
    this.stmts.setLatest.run(origin, size, root, timestamp, note);
    this.stmts.addCosignature.run(origin, size, root, timestamp, checkpoint);
  }

  /** Keeps evidence of misbehaviour; a request already kept (same digest) is kept once. */
  recordEvidence(e: EvidenceRecord): void {
    this.stmts.addEvidence.run(
      e.origin,
      e.kind,
      e.observed,
      e.oldSize,
      e.proof,
      e.note,
      e.latestNote,
      e.reason,
      e.digest,
    );
  }

  /** Returns every checkpoint cosigned for `origin`, oldest first. */
  cosignatures(origin: string): CosignedCheckpoint[] {
    return this.stmts.cosignatures.all(origin).map((r) => ({ ...r, root: new Uint8Array(r.root) }));
  }

  /** Returns the evidence kept for `origin`, oldest first. */
  evidence(origin: string): EvidenceRecord[] {
    return this.stmts.evidence.all(origin).map((r) => ({
      origin: r.origin,
      kind: r.kind,
      observed: r.observed,
      oldSize: r.old_size,
      proof: r.proof,
      note: r.note,
      latestNote: r.latest_note,
      reason: r.reason,
      digest: new Uint8Array(r.digest),
    }));
  }

  /** Closes the database; call after the last `sync()` has settled. */
  async close(): Promise<void> {
    const handle = await this.walHandle?.catch(() => null);
    await handle?.close();
    this.db.close();
  }
}

interface CosignatureRow {
  origin: string;
  size: number;
  root: Buffer;
  timestamp: number;
  checkpoint: string;
}

interface EvidenceRow {
  origin: string;
  kind: 'fork' | 'inconsistent';
  observed: number;
  old_size: number;
  proof: string;
  note: string;
  latest_note: string;
  reason: string;
  digest: Buffer;
}
