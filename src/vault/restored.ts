/**
 * A restored vault is a copy, and a copy must not write to the log on its own say-so.
 *
 * A vault rebuilt from a mirror (`tamga restore`) holds the same log as the original, signed by
 * the same key. The first record either of them seals after that decides, for every witness,
 * which of the two is the log: a witness cosigns whichever new checkpoint reaches it first and
 * refuses the other one for good (c2sp.org/tlog-witness: a checkpoint that does not extend the
 * one it holds is a fork). A drill that seals one activity record in the copy thus forks the
 * union's real log.
 *
 * So restore marks the vault it builds (meta `restoredFrom`, `restoredAt`) and the vault stays
 * read-only — it seals nothing, activity included, and asks no witness to cosign — until a
 * person takes it over (meta `takenOver`), knowingly: from then on it is the log, and the
 * original must never seal again. The sequencer checks this in the transaction that appends,
 * so no path into the log gets round it; commands check it first, to say so before any work.
 */
import type { VaultDatabase } from './db.js';
import { VaultError } from './errors.js';

/** Meta key: where the vault was restored from (a mirror directory or URL). */
export const RESTORED_FROM_KEY = 'restoredFrom';
/** Meta key: when it was restored (RFC 3339). */
export const RESTORED_AT_KEY = 'restoredAt';
/** Meta key: when a person took the restored vault over (RFC 3339); absent until then. */
export const TAKEN_OVER_KEY = 'takenOver';

/** The meta keys of a restore: a restore drops them from the copy's meta before it sets its own. */
export const RESTORE_META_KEYS: readonly string[] = [
  RESTORED_FROM_KEY,
  RESTORED_AT_KEY,
  TAKEN_OVER_KEY,
];

/** The error code of an append refused because the vault is a restored copy not taken over. */
export const NOT_TAKEN_OVER = 'vault.restored-not-taken-over';

/** Where a restored vault came from, and whether it was taken over. */
export interface RestoredState {
  readonly from: string;
  readonly at: string;
  /** When it was taken over; null while it is a read-only copy. */
  readonly takenOver: string | null;
}

/** What a take-over means, in plain words, for the CLI and the app. */
export const TAKEOVER_CONSEQUENCE =
  'Take it over only if it replaces the original for good (the original was seized, lost or destroyed): from its first seal the witnesses follow this copy and refuse every checkpoint the original signs after, so the original must never seal again.';

/** What to do with a copy restored for a drill. */
export const RESTORE_DRILL =
  'For a restore drill, do not take it over: verify, fsck and compare the copy, then delete it.';

/** Returns the restore facts of the vault, or null when it was not restored from a mirror. */
export function restoredState(db: VaultDatabase): RestoredState | null {
  const rows = db
    .prepare('SELECT key, value FROM meta WHERE key IN (?, ?, ?)')
    .all(RESTORED_FROM_KEY, RESTORED_AT_KEY, TAKEN_OVER_KEY) as Array<{
    key: string;
    value: string;
  }>;
  const meta = new Map(rows.map((r) => [r.key, r.value]));
  const from = meta.get(RESTORED_FROM_KEY);
  if (from === undefined) return null;
  return { from, at: meta.get(RESTORED_AT_KEY) ?? '', takenOver: meta.get(TAKEN_OVER_KEY) ?? null };
}

/** True while the vault is a restored copy that no one has taken over: it must not append. */
export function isReadOnlyCopy(db: VaultDatabase): boolean {
  const s = restoredState(db);
  return s !== null && s.takenOver === null;
}

/** The refusal of a restored copy not taken over, saying what to do and what it means. */
export function notTakenOverError(state: RestoredState): VaultError {
  return new VaultError(
    NOT_TAKEN_OVER,
    `this vault was restored from a mirror (${state.from}, on ${state.at}) and is a read-only copy: it seals nothing, activity included, and asks no witness to cosign, until it is taken over with \`tamga takeover\`. ${TAKEOVER_CONSEQUENCE} ${RESTORE_DRILL}`,
  );
}

/** The refusal to take over a vault that was not restored from a mirror. */
export function notRestoredError(): VaultError {
  return new VaultError(
    'vault.not-restored',
    'this vault was not restored from a mirror: it seals already, there is nothing to take over',
  );
}

/**
 * Throws VaultError `vault.restored-not-taken-over` when the vault is a restored copy that no
 * one has taken over; returns otherwise. Checked where the log is appended, and before any work
 * by commands that seal.
 */
export function assertMayAppend(db: VaultDatabase): void {
  const s = restoredState(db);
  if (s !== null && s.takenOver === null) throw notTakenOverError(s);
}

/** Marks the vault as restored from `from` now: a read-only copy until taken over. */
export function markRestored(db: VaultDatabase, from: string, now: Date = new Date()): void {
  const put = db.prepare(
    'INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value',
  );
  db.transaction(() => {
    db.prepare('DELETE FROM meta WHERE key = ?').run(TAKEN_OVER_KEY);
    put.run(RESTORED_FROM_KEY, from);
    put.run(RESTORED_AT_KEY, now.toISOString());
  })();
}

/**
 * Takes the restored vault over: from now on it appends to the log, and the original must not.
 * Returns the state after. Throws VaultError `vault.not-restored` when the vault was not
 * restored from a mirror; taking over a vault already taken over changes nothing.
 */
export function takeOver(db: VaultDatabase, now: Date = new Date()): RestoredState {
  return db
    .transaction(() => {
      const s = restoredState(db);
      if (s === null) throw notRestoredError();
      if (s.takenOver !== null) return s;
      db.prepare('INSERT INTO meta (key, value) VALUES (?, ?)').run(
        TAKEN_OVER_KEY,
        now.toISOString(),
      );
      return { ...s, takenOver: now.toISOString() };
    })
    .immediate();
}
