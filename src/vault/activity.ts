/**
 * The activity log: who did what in the web app, and when (table `activity`). Each entry is
 * sealed into the log as an `activity` record, in batches, so the log of what people did is as
 * tamper-evident as the records they did it to. An entry's `record_id` is set in the same
 * transaction that appends its record.
 */
import { randomBytes } from 'node:crypto';
import { newRecordId } from '../records/id.js';
import { parseRecordCanonical, type TamgaRecord } from '../records/record.js';
import type { VaultDatabase } from './db.js';
import { sealedEntry } from './entry.js';
import type { SealedEntry } from './sequencer.js';

/** An entry of the activity log. */
export interface ActivityEntry {
  readonly id: number;
  readonly time: string;
  readonly actor: string;
  /** A stable key: `user.login`, `records.seal`, `evidence.export`, … */
  readonly action: string;
  readonly details: string;
  /** The activity record it was sealed as; null until its batch is appended. */
  readonly recordId: string | null;
}

interface ActivityRow {
  id: number;
  time: string;
  actor: string;
  action: string;
  details: string;
  record_id: string | null;
}

const MAX_SHORT = 1024;
const MAX_DETAILS = 100_000;

/** Adds an entry, to be sealed with the next batch. Long fields are cut to the record bounds. */
export function noteActivity(
  db: VaultDatabase,
  entry: { actor: string; action: string; details?: string },
  now: Date = new Date(),
): void {
  db.prepare('INSERT INTO activity (time, actor, action, details) VALUES (?, ?, ?, ?)').run(
    `${now.toISOString().slice(0, 19)}Z`,
    entry.actor.slice(0, MAX_SHORT) || '-',
    entry.action.slice(0, MAX_SHORT) || '-',
    (entry.details ?? '').slice(0, MAX_DETAILS),
  );
}

/** Returns a page of the activity log, newest first, and how many entries there are. */
export function listActivity(
  db: VaultDatabase,
  page: { limit: number; offset: number },
): { total: number; items: ActivityEntry[] } {
  const total = (db.prepare('SELECT COUNT(*) AS n FROM activity').get() as { n: number }).n;
  const rows = db
    .prepare('SELECT * FROM activity ORDER BY id DESC LIMIT ? OFFSET ?')
    .all(page.limit, page.offset) as ActivityRow[];
  return {
    total,
    items: rows.map((r) => ({
      id: r.id,
      time: r.time,
      actor: r.actor,
      action: r.action,
      details: r.details,
      recordId: r.record_id,
    })),
  };
}

/**
 * Returns up to `max` entries not yet sealed, each as a log entry of an `activity` record with
 * its `markSealed`, to run in the transaction that appends it.
 */
export function pendingActivity(
  db: VaultDatabase,
  max = 1000,
): Array<{ entry: SealedEntry; markSealed: () => void }> {
  const rows = db
    .prepare('SELECT * FROM activity WHERE record_id IS NULL ORDER BY id LIMIT ?')
    .all(max) as ActivityRow[];
  const mark = db.prepare('UPDATE activity SET record_id = ? WHERE id = ? AND record_id IS NULL');
  return rows.map((r) => {
    const record: TamgaRecord = {
      kind: 'activity',
      id: newRecordId(Date.parse(r.time), randomBytes(10)),
      created: r.time,
      author: r.actor,
      body: {
        action: r.action,
        actor: r.actor,
        ...(r.details === '' ? {} : { details: r.details }),
      },
      files: [],
      refs: [],
    };
    const { canonical } = parseRecordCanonical(record);
    const entry = sealedEntry(record, canonical);
    return { entry, markSealed: () => void mark.run(record.id, r.id) };
  });
}
