/**
 * The vault's witnesses: which witnesses it asks for cosignatures (c2sp.org/tlog-witness), the
 * quorum a checkpoint needs, where each witness stands, the cosignatures gathered, and alarms.
 *
 * The policy is stored as rows (witnesses) and one number (meta `witnessQuorum`); it is shown and
 * exchanged in the sigsum policy format (see `formatPolicy` in src/evidence/policy.ts).
 */

import type { WitnessPolicy } from '../evidence/bundle.js';
import {
  type CosignatureVerifier,
  parseCosignatureVerifierKey,
  witnessCosignatures,
} from '../log/cosignature.js';
import { FormatError, TamgaError } from '../log/errors.js';
import { addSignatures, type OpenedNote, openNote, parseNote, type Signer } from '../log/note.js';
import type { VaultDatabase } from './db.js';
import { VaultError } from './errors.js';

/** A witness the vault asks, and where it stands. */
export interface WitnessEntry {
  readonly name: string;
  /** Its cosignature verifier key, `name+hex8+base64(0x04‖pub)`. */
  readonly vkey: string;
  /** The URL prefix its `add-checkpoint` endpoint lives under. */
  readonly url: string;
  readonly added: string;
  /** The last tree size it cosigned, or said it holds (409); null before the first answer. */
  readonly cosignedSize: number | null;
  /** Its timestamp on the last cosignature, Unix seconds. */
  readonly cosignedTime: number | null;
  readonly lastAttempt: string | null;
  /** Why the last attempt failed; null after a success. */
  readonly lastError: string | null;
  readonly failures: number;
  readonly nextAttempt: string | null;
  /**
   * The largest checkpoint of this vault's log that a cosignature by it is stored for, with its
   * timestamp (Unix seconds): what it vouches for of this history. `cosignedSize` may be a size
   * it reported holding (409), of another history too; this one is cosigned. Null before any.
   */
  readonly witnessed: { readonly size: number; readonly timestamp: number } | null;
  /**
   * Where it stands after its last answer: `not-asked` yet; `cosigning` (the last attempt
   * succeeded); `refused` (it answered, refusing this vault's checkpoint: see `refusal`);
   * `failing` (not reached, or an answer that is not a cosignature).
   */
  readonly state: 'not-asked' | 'cosigning' | 'refused' | 'failing';
  /** Why it refused, and the alarm that keeps the evidence; null unless `state` is `refused`. */
  readonly refusal: {
    readonly reason: string;
    readonly kind: string;
    readonly alarm: number;
  } | null;
}

interface WitnessRow {
  name: string;
  vkey: string;
  url: string;
  added: string;
  cosigned_size: number | null;
  cosigned_time: number | null;
  last_attempt: string | null;
  last_error: string | null;
  failures: number;
  next_attempt: string | null;
}

const MAX_URL = 2048;

/**
 * Adds a witness. Throws FormatError for a verifier key that is not a cosignature key or whose
 * name differs from `name`, VaultError for a bad URL or a name or key already listed.
 */
export function addWitness(
  db: VaultDatabase,
  witness: { name: string; vkey: string; url: string },
  now: Date = new Date(),
): WitnessEntry {
  const verifier = parseCosignatureVerifierKey(witness.vkey);
  if (verifier.name !== witness.name) {
    throw new FormatError(
      'witness.name-mismatch',
      `the verifier key is named ${verifier.name}, not ${witness.name}; use the name the key carries`,
    );
  }
  const url = normaliseWitnessUrl(witness.url);
  const existing = db
    .prepare('SELECT name FROM witnesses WHERE name = ? OR vkey = ?')
    .get(witness.name, witness.vkey) as { name: string } | undefined;
  if (existing !== undefined) {
    throw new VaultError(
      'witness.exists',
      `witness ${existing.name} is already listed (same name or key); remove it first with \`tamga witnesses remove ${existing.name}\``,
    );
  }
  db.prepare('INSERT INTO witnesses (name, vkey, url, added) VALUES (?, ?, ?, ?)').run(
    witness.name,
    witness.vkey,
    url,
    now.toISOString(),
  );
  return getWitness(db, witness.name)!;
}

/** Removes a witness by name; its cosignatures stay as history. Returns false when none. */
export function removeWitness(db: VaultDatabase, name: string): boolean {
  return db.transaction(() => {
    const changed = db.prepare('DELETE FROM witnesses WHERE name = ?').run(name).changes > 0;
    const n = listWitnesses(db).length;
    if (quorum(db) > n) setQuorum(db, n);
    return changed;
  })();
}

/** Returns the URL with its trailing slashes removed; throws VaultError if it is not http(s). */
export function normaliseWitnessUrl(url: string): string {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new VaultError(
      'witness.url',
      `${JSON.stringify(url)} is not a URL; give http(s)://host[:port][/prefix]`,
    );
  }
  if ((parsed.protocol !== 'http:' && parsed.protocol !== 'https:') || url.length > MAX_URL) {
    throw new VaultError(
      'witness.url',
      `the witness URL must be http(s) and under ${MAX_URL} characters, not ${url.slice(0, 80)}`,
    );
  }
  if (parsed.search !== '' || parsed.hash !== '') {
    throw new VaultError('witness.url', 'the witness URL must not carry a query or a fragment');
  }
  return url.replace(/\/+$/, '');
}

/** Returns the listed witnesses, by name. */
export function listWitnesses(db: VaultDatabase): WitnessEntry[] {
  return (db.prepare('SELECT * FROM witnesses ORDER BY name').all() as WitnessRow[]).map((r) =>
    fromRow(db, r),
  );
}

/** Returns one witness by name, or null. */
export function getWitness(db: VaultDatabase, name: string): WitnessEntry | null {
  const row = db.prepare('SELECT * FROM witnesses WHERE name = ?').get(name) as
    | WitnessRow
    | undefined;
  return row === undefined ? null : fromRow(db, row);
}

/**
 * The `last_error` of an attempt that raised alarm `id`: `ALARM <id>: <message>`. The witness's
 * state is read back from it (`refusal`), with the alarm's kind and evidence.
 */
export function alarmAttemptError(id: number, message: string): string {
  return `ALARM ${id}: ${message}`;
}

const ALARM_ERROR = /^ALARM ([1-9][0-9]{0,15}): /;

/** True when a witness's last error is an alarm's (`alarmAttemptError`): it refused. */
export function isAlarmAttemptError(lastError: string | null): boolean {
  return lastError !== null && ALARM_ERROR.test(lastError);
}

/** Returns how many witnesses must cosign a checkpoint (0 while none is required). */
export function quorum(db: VaultDatabase): number {
  const row = db.prepare("SELECT value FROM meta WHERE key = 'witnessQuorum'").get() as
    | { value: string }
    | undefined;
  return row === undefined ? 0 : Number.parseInt(row.value, 10);
}

/** Sets the quorum. Throws VaultError when it is more than the witnesses listed. */
export function setQuorum(db: VaultDatabase, k: number): void {
  const n = listWitnesses(db).length;
  if (!Number.isSafeInteger(k) || k < 0 || k > n) {
    throw new VaultError(
      'witness.quorum',
      `a quorum of ${k} cannot be met by the ${n} witness${n === 1 ? '' : 'es'} listed; add witnesses first (tamga witnesses add NAME VKEY URL)`,
    );
  }
  db.prepare(
    "INSERT INTO meta (key, value) VALUES ('witnessQuorum', ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value",
  ).run(String(k));
}

/** Returns the vault's witness policy: the witnesses' keys and the quorum. */
export function witnessPolicy(db: VaultDatabase): WitnessPolicy {
  return { quorum: quorum(db), verifierKeys: listWitnesses(db).map((w) => w.vkey) };
}

/** Returns the cosignature verifiers of the listed witnesses. */
export function witnessVerifiers(db: VaultDatabase): CosignatureVerifier[] {
  return listWitnesses(db).map((w) => parseCosignatureVerifierKey(w.vkey));
}

/** Records the outcome of asking a witness. */
export function recordAttempt(
  db: VaultDatabase,
  name: string,
  outcome:
    | { ok: true; size: number; timestamp: number }
    | { ok: false; error: string; retryAt: Date; size?: number },
  now: Date = new Date(),
): void {
  if (outcome.ok) {
    db.prepare(
      'UPDATE witnesses SET cosigned_size = ?, cosigned_time = ?, last_attempt = ?, last_error = NULL, failures = 0, next_attempt = NULL WHERE name = ?',
    ).run(outcome.size, outcome.timestamp, now.toISOString(), name);
  } else {
    db.prepare(
      'UPDATE witnesses SET last_attempt = ?, last_error = ?, failures = failures + 1, next_attempt = ?, cosigned_size = COALESCE(?, cosigned_size) WHERE name = ?',
    ).run(
      now.toISOString(),
      outcome.error,
      outcome.retryAt.toISOString(),
      outcome.size ?? null,
      name,
    );
  }
}

/** Notes the size a witness says it holds (a 409 answer), to build the next proof from it. */
export function recordWitnessSize(db: VaultDatabase, name: string, size: number): void {
  db.prepare('UPDATE witnesses SET cosigned_size = ? WHERE name = ?').run(size, name);
}

/**
 * Adds cosignature lines to the stored checkpoint of `size` and records each cosignature that
 * verifies under a listed witness's key. Returns the cosignatures stored (the others are
 * ignored). Throws VaultError when the vault has no checkpoint of that size.
 */
export function storeCosignatures(
  db: VaultDatabase,
  size: number,
  signedNote: string,
): Array<{ vkey: string; timestamp: number }> {
  return db
    .transaction(() => {
      const row = db.prepare('SELECT note FROM checkpoints WHERE size = ?').get(size) as
        | { note: string }
        | undefined;
      if (row === undefined) {
        throw new VaultError('checkpoint.missing', `the vault has no checkpoint of size ${size}`);
      }
      const listed = listWitnesses(db);
      const verifiers = listed.map((w) => parseCosignatureVerifierKey(w.vkey));
      if (parseNote(row.note).text !== parseNote(signedNote).text) {
        throw new VaultError(
          'checkpoint.mismatch',
          `the cosigned note is not the vault's checkpoint of size ${size}`,
        );
      }
      let opened: OpenedNote;
      try {
        opened = openNote(signedNote, verifiers);
      } catch (e) {
        if (e instanceof TamgaError && e.code === 'note.no-verified-signature') return [];
        throw e;
      }
      const found = witnessCosignatures(opened, verifiers);
      const stored: Array<{ vkey: string; timestamp: number }> = [];
      const signers: Signer[] = [];
      const insert = db.prepare(
        'INSERT OR IGNORE INTO cosignatures (size, vkey, timestamp) VALUES (?, ?, ?)',
      );
      for (const c of found) {
        const i = verifiers.findIndex((v) => v.name === c.name && v.keyId === c.keyId);
        const vkey = listed[i]!.vkey;
        if (insert.run(size, vkey, c.timestamp).changes === 0) continue;
        stored.push({ vkey, timestamp: c.timestamp });
        const sig = opened.verified.find((s) => s.name === c.name && s.keyId === c.keyId)!;
        signers.push(fixedSigner(sig.name, sig.keyId, sig.signature));
      }
      if (signers.length > 0) {
        db.prepare('UPDATE checkpoints SET note = ? WHERE size = ?').run(
          addSignatures(row.note, signers),
          size,
        );
      }
      return stored;
    })
    .immediate();
}

/** A Signer that replays a signature already made, to append it to a note. */
function fixedSigner(name: string, keyId: number, signature: Uint8Array): Signer {
  return { name, keyId, sign: () => signature };
}

/**
 * For a record at `index`: the earliest checkpoint that holds it and carries cosignatures of at
 * least `quorum` listed witnesses (at least one when the quorum is 0), with those cosignatures,
 * earliest first. Null when no such checkpoint exists yet.
 */
export function earliestWitnessedCheckpoint(
  db: VaultDatabase,
  index: number,
): { size: number; note: string; cosignatures: Array<{ name: string; timestamp: number }> } | null {
  const k = Math.max(1, quorum(db));
  const row = db
    .prepare(
      `SELECT c.size AS size FROM cosignatures c JOIN witnesses w ON w.vkey = c.vkey
       WHERE c.size > ? GROUP BY c.size HAVING COUNT(*) >= ? ORDER BY c.size LIMIT 1`,
    )
    .get(index, k) as { size: number } | undefined;
  if (row === undefined) return null;
  return witnessedCheckpoint(db, row.size);
}

/** The checkpoint of `size` with its listed witnesses' cosignatures, earliest first, or null. */
export function witnessedCheckpoint(
  db: VaultDatabase,
  size: number,
): { size: number; note: string; cosignatures: Array<{ name: string; timestamp: number }> } | null {
  const cp = db.prepare('SELECT note FROM checkpoints WHERE size = ?').get(size) as
    | { note: string }
    | undefined;
  if (cp === undefined) return null;
  const cosignatures = db
    .prepare(
      `SELECT w.name AS name, c.timestamp AS timestamp FROM cosignatures c
       JOIN witnesses w ON w.vkey = c.vkey WHERE c.size = ? ORDER BY c.timestamp, w.name`,
    )
    .all(size) as Array<{ name: string; timestamp: number }>;
  return { size, note: cp.note, cosignatures };
}

/**
 * What a witness answers, asked now, about the vault's latest checkpoint (`tamga fsck --online`):
 * the one way to learn what it holds, since c2sp.org/tlog-witness has no read endpoint. Nothing
 * of the answer is stored in the vault.
 */
export type WitnessStanding =
  /** 200: it cosigned the checkpoint, at the size it held (`from`) or as an extension of it. */
  | {
      readonly answer: 'cosigned';
      readonly size: number;
      readonly from: number;
      readonly timestamp: number;
    }
  /** 409 text/x.tlog.size: it holds a checkpoint of another size, which it could not move from. */
  | { readonly answer: 'holds'; readonly size: number }
  /**
   * It refused: 403 (not this log's key), 404 (not a log it witnesses), 409 without a size
   * (another checkpoint of the same size), 422 (a history that is not this one), or another.
   */
  | { readonly answer: 'refused'; readonly status: number; readonly detail: string }
  /** No answer to go by: unreachable, or a 200 without a valid cosignature by its key. */
  | { readonly answer: 'unusable'; readonly detail: string };

/** An alarm: a refusal or conflict kept as evidence. */
export interface Alarm {
  readonly id: number;
  readonly time: string;
  readonly source: string;
  readonly kind: string;
  readonly message: string;
  readonly evidence: unknown;
}

/** Keeps an alarm and its evidence; returns its id. */
export function raiseAlarm(
  db: VaultDatabase,
  alarm: { source: string; kind: string; message: string; evidence: unknown },
  now: Date = new Date(),
): number {
  return Number(
    db
      .prepare('INSERT INTO alarms (time, source, kind, message, evidence) VALUES (?, ?, ?, ?, ?)')
      .run(
        now.toISOString(),
        alarm.source,
        alarm.kind,
        alarm.message,
        JSON.stringify(alarm.evidence),
      ).lastInsertRowid,
  );
}

/** Returns the alarms, newest first. */
export function listAlarms(db: VaultDatabase, limit = 100): Alarm[] {
  return (
    db.prepare('SELECT * FROM alarms ORDER BY id DESC LIMIT ?').all(limit) as Array<{
      id: number;
      time: string;
      source: string;
      kind: string;
      message: string;
      evidence: string;
    }>
  ).map((r) => ({ ...r, evidence: JSON.parse(r.evidence) as unknown }));
}

function fromRow(db: VaultDatabase, r: WitnessRow): WitnessEntry {
  const witnessed =
    (db
      .prepare('SELECT size, timestamp FROM cosignatures WHERE vkey = ? ORDER BY size DESC LIMIT 1')
      .get(r.vkey) as { size: number; timestamp: number } | undefined) ?? null;
  const refusal = r.last_error === null ? null : refusalOf(db, r.last_error);
  return {
    name: r.name,
    vkey: r.vkey,
    url: r.url,
    added: r.added,
    cosignedSize: r.cosigned_size,
    cosignedTime: r.cosigned_time,
    lastAttempt: r.last_attempt,
    lastError: r.last_error,
    failures: r.failures,
    nextAttempt: r.next_attempt,
    witnessed,
    state:
      r.last_attempt === null
        ? 'not-asked'
        : r.last_error === null
          ? 'cosigning'
          : refusal !== null
            ? 'refused'
            : 'failing',
    refusal,
  };
}

/** The refusal a last error records (an attempt that raised an alarm), or null. */
function refusalOf(db: VaultDatabase, lastError: string): WitnessEntry['refusal'] {
  const m = ALARM_ERROR.exec(lastError);
  if (m === null) return null;
  const id = Number(m[1]);
  const alarm = db.prepare('SELECT kind, message FROM alarms WHERE id = ?').get(id) as
    | { kind: string; message: string }
    | undefined;
  return {
    reason: alarm?.message ?? lastError.slice(m[0].length),
    kind: alarm?.kind ?? 'unknown',
    alarm: id,
  };
}
