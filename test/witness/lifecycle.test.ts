/**
 * The witness directory over time: created by witnessInit (key file mode 600, verifier key on
 * standard output), logs added by witnessAddLog, state that survives a restart, and the
 * refusals that keep a witness from starting with a key that is not safe or not its own.
 */
import { chmod, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { parseCosignatureVerifierKey } from '../../src/log/cosignature.js';
import { witnessAddLog, witnessInit } from '../../src/witness/commands.js';
import { WitnessError } from '../../src/witness/errors.js';
import { KEY_FILE } from '../../src/witness/key-file.js';
import { TLOG_SIZE_TYPE } from '../../src/witness/server.js';
import { DATABASE_FILE, Witness } from '../../src/witness/witness.js';
import { createWitness, expectCosignature, TestLog, WITNESS_NAME } from './helpers.js';

const ORIGIN = 'union.example/log';

function capture() {
  const out: string[] = [];
  const err: string[] = [];
  return {
    out,
    err,
    ctx: (cwd: string) => ({
      out: (l: string) => out.push(l),
      err: (l: string) => err.push(l),
      cwd,
    }),
  };
}

describe('the witness directory', () => {
  let parent: string;
  beforeEach(async () => {
    parent = await mkdtemp(join(tmpdir(), 'tamga-witness-dir-'));
  });
  afterEach(async () => {
    await rm(parent, { recursive: true, force: true });
  });

  it('witnessInit creates the key file (mode 600) and prints the verifier key alone on stdout', async () => {
    const c = capture();
    const { dir, verifierKey } = await witnessInit({ dir: 'w', name: WITNESS_NAME }, c.ctx(parent));
    expect(dir).toBe(join(parent, 'w'));
    expect(c.out).toEqual([verifierKey]);
    expect(c.err.join('\n')).toContain(join(dir, KEY_FILE));
    const v = parseCosignatureVerifierKey(verifierKey);
    expect(v.name).toBe(WITNESS_NAME);
    expect(verifierKey).toMatch(/^witness\.test\.example\/w1\+[0-9a-f]{8}\+/);
    // Type 0x04: a cosignature/v1 key.
    expect(Buffer.from(verifierKey.split('+')[2]!, 'base64')[0]).toBe(0x04);
    const key = await stat(join(dir, KEY_FILE));
    expect(key.mode & 0o777).toBe(0o600);
    expect(
      (await readFile(join(dir, KEY_FILE), 'utf8')).startsWith(`PRIVATE+KEY+${WITNESS_NAME}+`),
    ).toBe(true);

    await expect(witnessInit({ dir: 'w', name: WITNESS_NAME }, c.ctx(parent))).rejects.toThrow(
      'already holds a witness database',
    );
    await expect(witnessInit({ dir: 'v', name: 'has space' }, c.ctx(parent))).rejects.toThrow(
      'invalid witness name',
    );
    await expect(stat(join(parent, 'v'))).rejects.toThrow('ENOENT');
  });

  it('witnessAddLog names the origin from the key, and says what changed', async () => {
    const c = capture();
    await witnessInit({ dir: 'w', name: WITNESS_NAME }, c.ctx(parent));
    const log = new TestLog(ORIGIN);
    const added = await witnessAddLog({ dir: 'w', vkey: `${log.vkey}\n` }, c.ctx(parent));
    expect(added).toEqual({ origin: ORIGIN, logAdded: true, keyAdded: true });
    await witnessAddLog({ dir: 'w', vkey: log.vkey }, c.ctx(parent));
    const rotated = new TestLog(ORIGIN);
    await witnessAddLog({ dir: 'w', vkey: rotated.vkey }, c.ctx(parent));
    expect(c.out.slice(1)).toEqual([
      `Now witnessing ${ORIGIN}; its checkpoints must be signed by ${log.vkey}`,
      `Already witnessing ${ORIGIN} with that key; nothing changed`,
      `Now trusting one more key for ${ORIGIN} (2 in all): ${rotated.vkey}`,
    ]);
    const w = await Witness.open(join(parent, 'w'));
    expect(w.logs()).toEqual([{ origin: ORIGIN, keys: [log.vkey, rotated.vkey], latest: null }]);
    await w.close();

    // A witness key is not a log key; nor is garbage.
    const bad = [w.verifierKey, 'not a key', `${ORIGIN}+00000000+AAAA`];
    for (const vkey of bad) {
      await expect(witnessAddLog({ dir: 'w', vkey }, c.ctx(parent))).rejects.toBeInstanceOf(
        WitnessError,
      );
    }
    await expect(witnessAddLog({ dir: 'nowhere', vkey: log.vkey }, c.ctx(parent))).rejects.toThrow(
      'cannot read the witness key file',
    );
  });

  it('refuses to open with a key file others can read, or a key that is not its own', async () => {
    const c = capture();
    const { dir } = await witnessInit({ dir: 'w', name: WITNESS_NAME }, c.ctx(parent));
    const keyFile = join(dir, KEY_FILE);
    await chmod(keyFile, 0o644);
    await expect(Witness.open(dir)).rejects.toThrow(
      `the witness key file ${keyFile} may be read by others (mode 644); it holds the cosigning key: run chmod 600 ${keyFile}`,
    );
    await chmod(keyFile, 0o600);
    const original = await readFile(keyFile, 'utf8');

    const other = join(parent, 'other');
    await witnessInit({ dir: 'other', name: WITNESS_NAME }, c.ctx(parent));
    await writeFile(keyFile, await readFile(join(other, KEY_FILE), 'utf8'));
    await expect(Witness.open(dir)).rejects.toThrow('is not the key of this witness');

    await writeFile(keyFile, 'PRIVATE+KEY+garbage\n');
    const e = await Witness.open(dir).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(WitnessError);
    expect(String((e as Error).message)).not.toContain('garbage');

    await writeFile(keyFile, original);
    await writeFile(
      join(dir, DATABASE_FILE),
      'not a database, but long enough to be read as one....',
    );
    await expect(Witness.open(dir)).rejects.toBeInstanceOf(WitnessError);
  });
});

describe('a witness whose disk fails', () => {
  it('answers 500 for what it could not make durable, then stops cosigning', async () => {
    const log = new TestLog(ORIGIN);
    const t = await createWitness([log]);
    try {
      // Fault injection: the next fdatasync of the WAL fails, as on an I/O error.
      const store = (t.witness as unknown as { store: { sync(): Promise<void> } }).store;
      const sync = store.sync.bind(store);
      store.sync = () =>
        Promise.reject(Object.assign(new Error('EIO: i/o error, fdatasync'), { code: 'EIO' }));
      const a = log.grow(3);
      const r = await t.post(log.body(0, a));
      expect(r.statusCode).toBe(500);
      expect(r.body).toBe('internal error: the checkpoint was not cosigned; try again\n');
      store.sync = sync;
      const again = await t.post(log.body(3, log.grow(3)));
      expect(again.statusCode).toBe(503);
      expect(again.body).toContain('has stopped cosigning');
    } finally {
      await t.close();
    }
  });
});

describe('a witness restarted', () => {
  it('keeps its state: the latest size, the cosignatures and the evidence', async () => {
    const log = new TestLog(ORIGIN);
    const t = await createWitness([log]);
    try {
      const a = log.grow(10);
      expect((await t.post(log.body(0, a))).statusCode).toBe(200);
      const fork = new TestLog(ORIGIN, log.signerKey);
      expect((await t.post(fork.body(10, fork.grow(10, 'fork')))).statusCode).toBe(409);

      await t.restart();
      const b = log.grow(10);
      const stale = await t.post(log.body(0, b));
      expect(stale.statusCode).toBe(409);
      expect(stale.headers['content-type']).toBe(TLOG_SIZE_TYPE);
      expect(stale.body).toBe('10\n');
      t.clock.now += 100;
      const r = await t.post(log.body(10, b));
      expect(r.statusCode).toBe(200);
      expect(expectCosignature(t, log, b.note, r.body)).toBe(t.clock.now);
      expect(t.witness.cosignatures(ORIGIN).map((c) => c.size)).toEqual([10, 20]);
      expect(t.witness.evidence(ORIGIN).map((e) => e.kind)).toEqual(['fork']);
      // Same key, same verifier key, after the restart.
      expect(parseCosignatureVerifierKey(t.witness.verifierKey).publicKey).toEqual(
        t.verifier.publicKey,
      );
    } finally {
      await t.close();
    }
  });
});
