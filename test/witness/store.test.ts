/**
 * The witness database on its own: what it keeps, the syncs that make commits durable before
 * anything is acknowledged (merged when they overlap), and the databases it refuses to open.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { WitnessError } from '../../src/witness/errors.js';
import { WITNESS_SCHEMA_VERSION, WitnessStore } from '../../src/witness/store.js';

describe('WitnessStore', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'tamga-witness-store-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('keeps logs, the latest checkpoint and every cosignature, synced before it says so', async () => {
    const file = join(dir, 'witness.db');
    const store = WitnessStore.open(file, { create: true });
    expect(store.addLog('a.example/log', 'a.example/log+00000000+AQ==', 1)).toEqual({
      logAdded: true,
      keyAdded: true,
    });
    store.syncNow();
    const root = new Uint8Array(32).fill(7);
    const syncs: Promise<void>[] = [];
    for (let size = 1; size <= 20; size++) {
      store.immediate(() =>
        store.recordCosignature(
          { origin: 'a.example/log', size, root, timestamp: 100 + size, checkpoint: `c${size}\n` },
          `note ${size}\n`,
        ),
      );
      // Overlapping syncs: each resolves only after a sync begun after its commit.
      syncs.push(store.sync());
    }
    await Promise.all(syncs);
    await store.close();

    const again = WitnessStore.open(file);
    expect(again.latest('a.example/log')).toEqual({
      origin: 'a.example/log',
      size: 20,
      root,
      timestamp: 120,
      note: 'note 20\n',
    });
    expect(again.cosignatures('a.example/log').map((c) => c.size)).toEqual(
      Array.from({ length: 20 }, (_, i) => i + 1),
    );
    expect(again.latest('b.example/log')).toBeNull();
    expect(again.logKeys('b.example/log')).toEqual([]);
    await again.close();
  });

  it('refuses a file that is not a witness database, or of another version', async () => {
    const missing = join(dir, 'missing.db');
    expect(() => WitnessStore.open(missing)).toThrow(WitnessError);
    const other = join(dir, 'other.db');
    new Database(other).close();
    expect(() => WitnessStore.open(other)).toThrow('is not a Tamga witness database');
    const newer = join(dir, 'newer.db');
    const db = new Database(newer);
    db.pragma(`user_version = ${WITNESS_SCHEMA_VERSION + 1}`);
    db.close();
    expect(() => WitnessStore.open(newer)).toThrow(
      `the witness database is of version ${WITNESS_SCHEMA_VERSION + 1}`,
    );
  });
});
