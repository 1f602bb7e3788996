/**
 * The web app's users and sessions, in the vault database (tables `users` and `sessions`).
 *
 * Passwords are kept as scrypt hashes (RFC 7914) with their salt and parameters,
 * `scrypt$<logN>$<r>$<p>$<base64 salt>$<base64 hash>`, and compared in constant time. A session
 * id is 32 random bytes shown once, in the cookie; the vault keeps only its SHA-256, so a copy of
 * the database signs no one in. The CSRF token is derived from the session id, so it needs no
 * storage and only the cookie's holder can know it.
 */
import { createHash, randomBytes, scrypt, timingSafeEqual } from 'node:crypto';
import type Database from 'better-sqlite3';
import type { VaultDatabase } from './db.js';
import { VaultError } from './errors.js';

/** The roles of the web app (see src/server/app/api.ts for what each may do). */
export const USER_ROLES = ['admin', 'treasurer', 'auditor', 'viewer'] as const;
/** One of the roles. */
export type UserRole = (typeof USER_ROLES)[number];

/** A user as stored, without the password hash. */
export interface UserEntry {
  readonly name: string;
  readonly role: UserRole;
  readonly created: string;
  readonly disabled: string | null;
  readonly lastLogin: string | null;
}

/** scrypt's cost: N = 2^logN. 2^15 with r = 8 takes 32 MiB and some 50-100 ms a hash. */
export interface PasswordCost {
  readonly logN: number;
  readonly r: number;
  readonly p: number;
}

/** The cost new passwords are hashed at. */
export const DEFAULT_PASSWORD_COST: PasswordCost = { logN: 15, r: 8, p: 1 };

const SALT_BYTES = 16;
const HASH_BYTES = 32;
/** Stored hashes with a larger cost are refused, so a tampered row cannot stall the server. */
const MAX_LOG_N = 20;

function scryptAsync(password: string, salt: Buffer, cost: PasswordCost): Promise<Buffer> {
  const N = 2 ** cost.logN;
  return new Promise((resolve, reject) => {
    scrypt(
      password.normalize('NFC'),
      salt,
      HASH_BYTES,
      { N, r: cost.r, p: cost.p, maxmem: 256 * N * cost.r + 1024 * 1024 },
      (err, key) => (err ? reject(err) : resolve(key)),
    );
  });
}

/** Returns the stored form of `password`: its scrypt hash with a fresh salt and the cost. */
export async function hashPassword(
  password: string,
  cost: PasswordCost = DEFAULT_PASSWORD_COST,
): Promise<string> {
  const salt = randomBytes(SALT_BYTES);
  const hash = await scryptAsync(password, salt, cost);
  return `scrypt$${cost.logN}$${cost.r}$${cost.p}$${salt.toString('base64')}$${hash.toString('base64')}`;
}

/**
 * Returns true when `password` hashes to `stored`, compared in constant time. A stored value
 * that is not a hash this code writes is false, never an exception.
 */
export async function verifyPassword(stored: string, password: string): Promise<boolean> {
  const m = /^scrypt\$(\d{1,2})\$(\d{1,2})\$(\d{1,2})\$([A-Za-z0-9+/=]+)\$([A-Za-z0-9+/=]+)$/.exec(
    stored,
  );
  if (m === null) return false;
  const cost = { logN: Number(m[1]), r: Number(m[2]), p: Number(m[3]) };
  if (cost.logN < 1 || cost.logN > MAX_LOG_N || cost.r < 1 || cost.p < 1 || cost.p > 4) {
    return false;
  }
  const want = Buffer.from(m[5]!, 'base64');
  const got = await scryptAsync(password, Buffer.from(m[4]!, 'base64'), cost);
  return want.length === got.length && timingSafeEqual(want, got);
}

interface UserRow {
  name: string;
  role: string;
  password: string;
  created: string;
  disabled: string | null;
  last_login: string | null;
}

function fromRow(row: UserRow): UserEntry {
  return {
    name: row.name,
    role: row.role as UserRole,
    created: row.created,
    disabled: row.disabled,
    lastLogin: row.last_login,
  };
}

/** Returns how many users there are (disabled ones included). */
export function countUsers(db: VaultDatabase): number {
  return (db.prepare('SELECT COUNT(*) AS n FROM users').get() as { n: number }).n;
}

/** Returns every user, by name. */
export function listUsers(db: VaultDatabase): UserEntry[] {
  return (db.prepare('SELECT * FROM users ORDER BY name').all() as UserRow[]).map(fromRow);
}

/** Returns the user named `name`, or null. */
export function getUser(db: VaultDatabase, name: string): UserEntry | null {
  const row = db.prepare('SELECT * FROM users WHERE name = ?').get(name.normalize('NFC')) as
    | UserRow
    | undefined;
  return row === undefined ? null : fromRow(row);
}

/** Returns the stored password hash of an active user, or null. */
export function activePasswordHash(db: VaultDatabase, name: string): string | null {
  const row = db
    .prepare('SELECT password FROM users WHERE name = ? AND disabled IS NULL')
    .get(name.normalize('NFC')) as { password: string } | undefined;
  return row?.password ?? null;
}

/** Adds a user. Throws VaultError `user.exists` when the name is taken. */
export function createUser(
  db: VaultDatabase,
  user: { name: string; role: UserRole; passwordHash: string },
  now: Date = new Date(),
): UserEntry {
  const name = user.name.normalize('NFC');
  const info = db
    .prepare(
      'INSERT INTO users (name, role, password, created) VALUES (?, ?, ?, ?) ON CONFLICT(name) DO NOTHING',
    )
    .run(name, user.role, user.passwordHash, now.toISOString());
  if (info.changes === 0) {
    throw new VaultError('user.exists', `a user named ${name} already exists; choose another name`);
  }
  return getUser(db, name)!;
}

/**
 * Changes a user's role, whether it is disabled, or its password hash. Any such change ends the
 * user's sessions, but `keepSession` (the id of the session that changed its own password). Throws VaultError `user.missing` for an unknown user, and `user.last-admin`
 * when it would leave no active admin.
 */
export function updateUser(
  db: VaultDatabase,
  name: string,
  change: { role?: UserRole; disabled?: boolean; passwordHash?: string },
  now: Date = new Date(),
  keepSession?: string,
): UserEntry {
  return db
    .transaction(() => {
      const before = getUser(db, name);
      if (before === null) {
        throw new VaultError('user.missing', `there is no user named ${name}`);
      }
      if (change.role !== undefined) {
        db.prepare('UPDATE users SET role = ? WHERE name = ?').run(change.role, before.name);
      }
      if (change.disabled !== undefined) {
        db.prepare('UPDATE users SET disabled = ? WHERE name = ?').run(
          change.disabled ? (before.disabled ?? now.toISOString()) : null,
          before.name,
        );
      }
      if (change.passwordHash !== undefined) {
        db.prepare('UPDATE users SET password = ? WHERE name = ?').run(
          change.passwordHash,
          before.name,
        );
      }
      const admins = (
        db
          .prepare("SELECT COUNT(*) AS n FROM users WHERE role = 'admin' AND disabled IS NULL")
          .get() as { n: number }
      ).n;
      if (admins === 0) {
        throw new VaultError(
          'user.last-admin',
          `${before.name} is the last active administrator; make another user an administrator first`,
        );
      }
      endSessionsOf(db, before.name, keepSession);
      return getUser(db, before.name)!;
    })
    .immediate();
}

/** Notes a successful sign-in. */
export function noteLogin(db: VaultDatabase, name: string, now: Date = new Date()): void {
  db.prepare('UPDATE users SET last_login = ? WHERE name = ?').run(now.toISOString(), name);
}

// ---------------------------------------------------------------------------------------------
// Sessions

/** How long a session lasts: idle at most `idleMs`, and at most `maxMs` in all. */
export interface SessionLimits {
  readonly idleMs: number;
  readonly maxMs: number;
}

/** Two hours idle, twelve hours in all: a working day, then sign in again. */
export const DEFAULT_SESSION_LIMITS: SessionLimits = {
  idleMs: 2 * 60 * 60 * 1000,
  maxMs: 12 * 60 * 60 * 1000,
};

/** A live session: whose, and its CSRF token. */
export interface Session {
  readonly user: UserEntry;
  readonly csrfToken: string;
}

const SESSION_ID = /^[A-Za-z0-9_-]{43}$/;

// Every request looks its session up: its statements are prepared once per database.
const prepared = new WeakMap<VaultDatabase, Map<string, Database.Statement>>();

function statement(db: VaultDatabase, sql: string): Database.Statement {
  let m = prepared.get(db);
  if (m === undefined) {
    m = new Map();
    prepared.set(db, m);
  }
  let s = m.get(sql);
  if (s === undefined) {
    s = db.prepare(sql);
    m.set(sql, s);
  }
  return s;
}

function sessionHash(id: string): Buffer {
  return createHash('sha256').update(`tamga/session/v1\n${id}`).digest();
}

/** Returns the CSRF token of session `id`: derived from it, so only its holder knows it. */
export function csrfTokenOf(id: string): string {
  return createHash('sha256').update(`tamga/csrf/v1\n${id}`).digest('base64url');
}

/** Starts a session for `user`; returns its id (for the cookie, never stored) and CSRF token. */
export function createSession(
  db: VaultDatabase,
  user: string,
  now: Date = new Date(),
): { id: string; csrfToken: string } {
  const id = randomBytes(32).toString('base64url');
  const t = now.toISOString();
  db.prepare('INSERT INTO sessions (hash, user, created, last_seen) VALUES (?, ?, ?, ?)').run(
    sessionHash(id),
    user,
    t,
    t,
  );
  return { id, csrfToken: csrfTokenOf(id) };
}

/**
 * Returns the session `id` names while it is live and its user active, else null (and an
 * expired session is removed). Refreshes its idle clock at most once a minute.
 */
export function findSession(
  db: VaultDatabase,
  id: string,
  limits: SessionLimits = DEFAULT_SESSION_LIMITS,
  now: Date = new Date(),
): Session | null {
  if (!SESSION_ID.test(id)) return null;
  const hash = sessionHash(id);
  const row = statement(
    db,
    'SELECT s.created AS session_created, s.last_seen, u.* FROM sessions s JOIN users u ON u.name = s.user WHERE s.hash = ?',
  ).get(hash) as (UserRow & { last_seen: string; session_created: string }) | undefined;
  if (row === undefined) return null;
  const t = now.getTime();
  const seen = Date.parse(row.last_seen);
  const started = Date.parse(row.session_created);
  if (row.disabled !== null || t - seen > limits.idleMs || t - started > limits.maxMs) {
    statement(db, 'DELETE FROM sessions WHERE hash = ?').run(hash);
    return null;
  }
  if (t - seen > 60_000) {
    statement(db, 'UPDATE sessions SET last_seen = ? WHERE hash = ?').run(now.toISOString(), hash);
  }
  return { user: fromRow(row), csrfToken: csrfTokenOf(id) };
}

/** Ends session `id`, if it exists. */
export function endSession(db: VaultDatabase, id: string): void {
  if (SESSION_ID.test(id)) db.prepare('DELETE FROM sessions WHERE hash = ?').run(sessionHash(id));
}

/** Ends every session of `user`, except `keep` (a session id) when given. */
export function endSessionsOf(db: VaultDatabase, user: string, keep?: string): void {
  if (keep === undefined) {
    db.prepare('DELETE FROM sessions WHERE user = ?').run(user);
  } else {
    db.prepare('DELETE FROM sessions WHERE user = ? AND hash != ?').run(user, sessionHash(keep));
  }
}

/** Removes sessions past their limits. */
export function purgeSessions(
  db: VaultDatabase,
  limits: SessionLimits = DEFAULT_SESSION_LIMITS,
  now: Date = new Date(),
): void {
  db.prepare('DELETE FROM sessions WHERE last_seen < ? OR created < ?').run(
    new Date(now.getTime() - limits.idleMs).toISOString(),
    new Date(now.getTime() - limits.maxMs).toISOString(),
  );
}
