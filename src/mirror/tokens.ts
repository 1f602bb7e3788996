/**
 * Mirror tokens: what a mirror shows (`Authorization: Bearer <token>`) to fetch a vault's
 * encrypted private data. A token is `tmt1_` and the base64url of 32 random bytes; it is shown
 * once, when issued, and the vault keeps only its SHA-256 (table `mirror_tokens`), so a copy of
 * the vault's database does not hand out tokens. Checks compare hashes in constant time.
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { openDatabase, type VaultDatabase } from '../vault/db.js';
import { MirrorError } from './errors.js';
import { MIRROR_LIMITS } from './format.js';

/** The prefix of every mirror token: Tamga mirror token, version 1. */
export const TOKEN_PREFIX = 'tmt1_';

const TOKEN = /^tmt1_[A-Za-z0-9_-]{43}$/;
const MAX_LABEL = 200;

/** A token as listed: never the token itself. */
export interface MirrorTokenEntry {
  readonly id: number;
  readonly label: string;
  readonly created: string;
  readonly revoked: string | null;
}

/** A token as listed, with when its mirror last started a pull and the log's size then. */
export interface MirrorTokenStatus extends MirrorTokenEntry {
  readonly lastPull: string | null;
  readonly lastPullSize: number | null;
}

/** Returns the SHA-256 of a token, the only form in which the vault keeps it. */
export function tokenHash(token: string): Buffer {
  return createHash('sha256').update(token, 'utf8').digest();
}

/** Returns a fresh random token. */
export function newToken(): string {
  return TOKEN_PREFIX + randomBytes(32).toString('base64url');
}

/**
 * Issues a token labelled `label` (default `mirror-<n>`) and returns it with its entry; the
 * token is not stored and cannot be shown again. Throws MirrorError for a label that is empty,
 * too long, holds control characters, or is the label of a token not revoked.
 */
export function issueMirrorToken(
  db: VaultDatabase,
  label?: string,
  now: Date = new Date(),
): { token: string; entry: MirrorTokenEntry } {
  return db
    .transaction(() => {
      const n = (db.prepare('SELECT COUNT(*) AS n FROM mirror_tokens').get() as { n: number }).n;
      const name = label ?? `mirror-${n + 1}`;
      // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are refused.
      if (name.length === 0 || name.length > MAX_LABEL || /[\u0000-\u001f\u007f]/.test(name)) {
        throw new MirrorError(
          'mirror.token-label',
          `a token label is 1 to ${MAX_LABEL} printable characters`,
        );
      }
      if (/^[0-9]+$/.test(name)) {
        throw new MirrorError(
          'mirror.token-label',
          'a token label must not be a number: `tamga mirror revoke N` revokes by id',
        );
      }
      const taken = db
        .prepare('SELECT id FROM mirror_tokens WHERE label = ? AND revoked IS NULL')
        .get(name);
      if (taken !== undefined) {
        throw new MirrorError(
          'mirror.token-label',
          `a token labelled ${JSON.stringify(name)} is already in use; revoke it first (tamga mirror revoke ${JSON.stringify(name)}) or pick another --label`,
        );
      }
      ensureBlobNameKey(db);
      const token = newToken();
      const created = now.toISOString();
      const id = Number(
        db
          .prepare('INSERT INTO mirror_tokens (label, hash, created) VALUES (?, ?, ?)')
          .run(name, tokenHash(token), created).lastInsertRowid,
      );
      return { token, entry: { id, label: name, created, revoked: null } };
    })
    .immediate();
}

/** Returns every token issued, revoked ones included, oldest first, with its last pull. */
export function listMirrorTokens(db: VaultDatabase): MirrorTokenStatus[] {
  return db
    .prepare(
      `SELECT t.id, t.label, t.created, t.revoked, p.time AS lastPull, p.size AS lastPullSize
       FROM mirror_tokens t LEFT JOIN mirror_pulls p ON p.token_id = t.id ORDER BY t.id`,
    )
    .all() as MirrorTokenStatus[];
}

/**
 * Notes that the mirror holding token `id` started a pull at `size`. Written on a connection of
 * its own, so that a server holding the vault read-only can note it. Never throws: a note that
 * cannot be written must not stop the pull.
 */
export function noteMirrorPull(file: string, id: number, size: number, now = new Date()): void {
  try {
    const db = openDatabase(file);
    try {
      db.prepare(
        'INSERT INTO mirror_pulls (token_id, time, size) VALUES (?, ?, ?) ON CONFLICT(token_id) DO UPDATE SET time = excluded.time, size = excluded.size',
      ).run(id, now.toISOString(), size);
    } finally {
      db.close();
    }
  } catch {
    // The vault may be on a read-only disk; the pull goes on without the note.
  }
}

/**
 * Revokes the token with id `which` (digits) or the tokens labelled `which`; returns those
 * revoked now. Throws MirrorError when no token not yet revoked matches.
 */
export function revokeMirrorToken(
  db: VaultDatabase,
  which: string,
  now: Date = new Date(),
): MirrorTokenEntry[] {
  return db
    .transaction(() => {
      const byId = /^[0-9]{1,15}$/.test(which);
      const rows = db
        .prepare(
          `SELECT id, label, created, revoked FROM mirror_tokens WHERE ${byId ? 'id' : 'label'} = ? AND revoked IS NULL`,
        )
        .all(byId ? Number(which) : which) as MirrorTokenEntry[];
      if (rows.length === 0) {
        throw new MirrorError(
          'mirror.token-unknown',
          `no active mirror token has ${byId ? 'id' : 'label'} ${JSON.stringify(which)}; see \`tamga mirror tokens\``,
        );
      }
      const revoked = now.toISOString();
      const update = db.prepare('UPDATE mirror_tokens SET revoked = ? WHERE id = ?');
      for (const r of rows) update.run(revoked, r.id);
      return rows.map((r) => ({ ...r, revoked }));
    })
    .immediate();
}

/**
 * Returns a checker of bearer tokens against the vault's active tokens, read afresh on each
 * call so a revocation takes effect at once. Every active hash is compared, in constant time.
 */
export function vaultTokenChecker(db: VaultDatabase): (token: string) => boolean {
  const match = vaultTokenMatcher(db);
  return (token) => match(token) !== null;
}

/** Like `vaultTokenChecker`, returning the id of the active token matched, or null. */
export function vaultTokenMatcher(db: VaultDatabase): (token: string) => number | null {
  const active = db.prepare('SELECT id, hash FROM mirror_tokens WHERE revoked IS NULL');
  return (token) => {
    if (!TOKEN.test(token)) return null;
    const h = tokenHash(token);
    let found: number | null = null;
    for (const row of active.all() as Array<{ id: number; hash: Uint8Array }>) {
      if (row.hash.length === h.length && timingSafeEqual(row.hash, h)) found = row.id;
    }
    return found;
  };
}

/**
 * Returns a checker that accepts exactly `expected` (a served mirror's one token), comparing
 * hashes in constant time; with no token, it accepts nothing.
 */
export function fixedTokenChecker(expected: string | undefined): (token: string) => boolean {
  if (expected === undefined || expected === '') return () => false;
  const want = tokenHash(expected);
  return (token) =>
    token.length <= MIRROR_LIMITS.maxToken && timingSafeEqual(tokenHash(token), want);
}

/** Checks a token given on the command line has the shape of one; throws MirrorError if not. */
export function checkTokenShape(token: string, what = 'the mirror token'): void {
  if (token.length === 0 || token.length > MIRROR_LIMITS.maxToken || /\s/.test(token)) {
    throw new MirrorError(
      'mirror.token-shape',
      `${what} must be one word of at most ${MIRROR_LIMITS.maxToken} characters (as \`tamga mirror token\` printed it)`,
    );
  }
}

/** The meta key of the secret that names blobs for mirrors. */
export const BLOB_NAME_KEY = 'mirrorBlobKey';

/** Creates the vault's blob-name secret (32 random bytes, hex, in meta) unless it exists. */
export function ensureBlobNameKey(db: VaultDatabase): void {
  db.prepare('INSERT OR IGNORE INTO meta (key, value) VALUES (?, ?)').run(
    BLOB_NAME_KEY,
    randomBytes(32).toString('hex'),
  );
}
