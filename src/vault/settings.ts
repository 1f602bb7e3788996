/**
 * Settings kept in the vault's `meta` table, which any copy of the vault carries: who seals by
 * default from the command line (`defaultAuthor`).
 */
import type { VaultDatabase } from './db.js';
import { VaultError } from './errors.js';

/** The meta key naming the person the command line records as a record's author by default. */
export const DEFAULT_AUTHOR_KEY = 'defaultAuthor';

/** The longest author name, as records bound it (RECORD_LIMITS.maxShortText). */
const MAX_AUTHOR = 1024;

/** Returns the vault's default author, or null when none is set. */
export function defaultAuthor(db: VaultDatabase): string | null {
  const row = db.prepare('SELECT value FROM meta WHERE key = ?').get(DEFAULT_AUTHOR_KEY) as
    | { value: string }
    | undefined;
  return row?.value ?? null;
}

/**
 * Sets the vault's default author to `name` (trimmed). Throws VaultError `vault.author` for an
 * empty name or one longer than a record allows.
 */
export function setDefaultAuthor(db: VaultDatabase, name: string): string {
  const trimmed = name.trim();
  if (trimmed === '' || trimmed.length > MAX_AUTHOR) {
    throw new VaultError(
      'vault.author',
      `name the author with 1 to ${MAX_AUTHOR} characters, as records will show it`,
    );
  }
  db.prepare(
    'INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value',
  ).run(DEFAULT_AUTHOR_KEY, trimmed);
  return trimmed;
}
