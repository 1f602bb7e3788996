/**
 * A restored vault is a read-only copy until a person takes it over, against real witnesses on
 * loopback: a copy restored from a mirror seals nothing (the CLI, the sequencer, the web app's
 * uploads and activity) and asks no witness, while the original keeps sealing and being
 * cosigned; taking over needs a confirmation; a copy taken over seals and is cosigned, and then
 * the original is refused — which its witness status says as a refusal, with its reason and the
 * size cosigned for its own history, on the command line and in the web app.
 */
import { randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CommandContext } from '../../src/cli/context.js';
import { main } from '../../src/cli/main.js';
import { newRecordId } from '../../src/records/id.js';
import { parseRecordCanonical } from '../../src/records/record.js';
import type {
  DashboardResponse,
  StateResponse,
  WitnessListResponse,
} from '../../src/server/app/api.js';
import { buildApp, flushActivity } from '../../src/server/app/index.js';
import { sealedEntry } from '../../src/vault/entry.js';
import { latestCheckpoint } from '../../src/vault/log-store.js';
import { NOT_TAKEN_OVER, restoredState } from '../../src/vault/restored.js';
import { sealPaths } from '../../src/vault/seal.js';
import { Vault } from '../../src/vault/vault.js';
import { addWitness, setQuorum, witnessedCheckpoint } from '../../src/vault/witnesses.js';
import { gatherCosignatures } from '../../src/witness/client.js';
import { listenWitness } from '../../src/witness/commands.js';
import { buildWitnessServer } from '../../src/witness/server.js';
import { Witness } from '../../src/witness/witness.js';
import {
  type Caller,
  call,
  cookieOf,
  PASSWORD,
  TEST_OPTIONS,
  uploadAndSeal,
} from '../app/helpers.js';
import {
  blobFiles,
  capture,
  hasStackTrace,
  ORIGIN,
  removeTemp,
  tempDir,
  withDatabase,
  writeTree,
} from '../vault/helpers.js';
import {
  createTestVault,
  type MirrorTestVault,
  PASSPHRASE,
  type Served,
  sealFolder,
  serveVault,
  smallFiles,
  token,
} from './helpers.js';

interface RunningWitness {
  readonly name: string;
  readonly witness: Witness;
  readonly app: FastifyInstance;
}

/** What a vault's log and files hold, to show that nothing was appended or stored. */
function logState(dir: string) {
  return {
    ...withDatabase(dir, (db) => ({
      records: (db.prepare('SELECT COUNT(*) AS n FROM records').get() as { n: number }).n,
      checkpoints: db.prepare('SELECT size, note FROM checkpoints ORDER BY size').all(),
      blobRows: (db.prepare('SELECT COUNT(*) AS n FROM blobs').get() as { n: number }).n,
    })),
    blobs: blobFiles(dir),
  };
}

function pendingActivity(dir: string): number {
  return withDatabase(
    dir,
    (db) =>
      (
        db.prepare('SELECT COUNT(*) AS n FROM activity WHERE record_id IS NULL').get() as {
          n: number;
        }
      ).n,
  );
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('a restored vault is read-only until taken over', () => {
  let root: string;
  let v: MirrorTestVault;
  let served: Served;
  let tok: string;
  let mirrorDir: string;
  const witnesses: RunningWitness[] = [];
  /** add-checkpoint requests the witnesses received, from any vault. */
  let asked = 0;
  const copyA = () => join(root, 'drill-copy');
  const copyB = () => join(root, 'after-seizure');

  const run = async (
    args: string[],
    env: Record<string, string> = {},
    ctx: Partial<CommandContext> = {},
  ) => {
    const c = capture(root, { TAMGA_PASSPHRASE: PASSPHRASE, ...env });
    const code = await main(args, { ...c.ctx, ...ctx });
    const all = [...c.out, ...c.err].join('\n');
    expect(hasStackTrace(all)).toBe(false);
    return { code, out: c.out.join('\n'), err: c.err.join('\n') };
  };

  /** Opens the web app on `dir` and unlocks it, naming its first administrator. */
  const openApp = async (
    dir: string,
    options: { cosigning?: boolean } = {},
  ): Promise<{ app: FastifyInstance; admin: Caller; state: StateResponse }> => {
    const app = await buildApp({
      ...TEST_OPTIONS,
      vaultDir: dir,
      cosigning: options.cosigning ?? false,
      cosignIntervalMs: 20,
    });
    const res = await call(app, null, 'POST', '/api/unlock', {
      passphrase: PASSPHRASE,
      admin: { name: 'admin', password: PASSWORD },
    });
    expect(res.statusCode, res.body).toBe(200);
    const state = res.json() as StateResponse;
    return { app, admin: { name: 'admin', cookie: cookieOf(res), csrf: state.csrfToken! }, state };
  };

  beforeAll(async () => {
    root = tempDir('tamga-takeover-');
    v = await createTestVault(join(root, 'vault'));
    for (const name of ['w1.takeover.example/w', 'w2.takeover.example/w']) {
      const witness = await Witness.init(join(root, name.replace(/\W/g, '_')), name);
      witness.addLog(v.vault.info.logVerifierKey);
      const app = buildWitnessServer(witness);
      app.addHook('onRequest', async (request) => {
        if (request.url.endsWith('/add-checkpoint')) asked++;
      });
      const url = await listenWitness(app, '127.0.0.1', 0);
      witnesses.push({ name, witness, app });
      addWitness(v.vault.db, { name, vkey: witness.verifierKey, url });
    }
    setQuorum(v.vault.db, 2);
    await sealFolder(v, root, 'docs', smallFiles(3, 'protocol'));
    const outcomes = await gatherCosignatures(v.vault);
    expect(outcomes.map((o) => o.status)).toEqual(['cosigned', 'cosigned']);
    served = await serveVault(v.dir);
    tok = token(v, 'partner');
    mirrorDir = join(root, 'mirror');
    const pulled = await run(['mirror', 'pull', served.url, '--into', mirrorDir], {
      TAMGA_MIRROR_TOKEN: tok,
    });
    expect(pulled.code, pulled.err).toBe(0);
  });

  afterAll(async () => {
    await served.close();
    v.vault.close();
    for (const w of witnesses) {
      await w.app.close();
      await w.witness.close();
    }
    removeTemp(root);
  });

  it('restores a copy, marked read-only, and says how to drill and how to take over', async () => {
    const r = await run(['restore', '--from', mirrorDir, '--vault', copyA()]);
    expect(r.code, r.err).toBe(0);
    expect(r.err).toMatch(/READ-ONLY COPY: .* seals nothing \(activity included\)/);
    expect(r.err).toMatch(/A restore drill: .*tamga fsck --vault .* then delete it/);
    expect(r.err).toMatch(/Never take over a copy while the original is in use/);
    expect(r.err).toContain(`tamga takeover --vault ${copyA()}`);
    expect(r.err).toMatch(/the original must never seal again/);
    const state = withDatabase(copyA(), (db) => restoredState(db));
    expect(state).toMatchObject({ from: mirrorDir, takenOver: null });
  });

  it('the copy seals nothing from the command line, and asks no witness', async () => {
    const before = logState(copyA());
    const askedBefore = asked;
    writeTree(join(root, 'drill'), { 'minutes.txt': 'minutes of the restore drill' });

    const seal = await run(['seal', join(root, 'drill'), '--vault', copyA()]);
    expect(seal.code).toBe(1);
    expect(seal.err).toMatch(
      /tamga: this vault was restored from a mirror .* is a read-only copy: it seals nothing, activity included, and asks no witness to cosign, until it is taken over with `tamga takeover`/,
    );
    expect(seal.err).toMatch(/the original must never seal again/);

    const json = join(root, 'activity.json');
    writeFileSync(json, JSON.stringify({ action: 'drill', actor: 'treasurer' }));
    const add = await run(['add', '--kind', 'activity', '--json', json, '--vault', copyA()]);
    expect(add.code).toBe(1);
    expect(add.err).toMatch(/read-only copy/);

    const sync = await run(['witnesses', 'sync', '--vault', copyA()]);
    expect(sync.code).toBe(1);
    expect(sync.err).toMatch(/read-only copy/);

    // The library paths too: the pipeline before any work, the sequencer where it appends.
    const vault = await Vault.open(copyA());
    try {
      const keys = await vault.unlock(PASSPHRASE);
      await expect(
        sealPaths(vault, keys, [join(root, 'drill')], { author: 'drill' }),
      ).rejects.toMatchObject({ code: NOT_TAKEN_OVER });
      const now = new Date();
      const { record, canonical } = parseRecordCanonical({
        kind: 'activity',
        id: newRecordId(now.getTime(), randomBytes(10)),
        created: `${now.toISOString().slice(0, 19)}Z`,
        author: 'drill',
        body: { action: 'vault.unlock', actor: 'drill' },
        files: [],
        refs: [],
      });
      expect(() => vault.sequencer(keys).append([sealedEntry(record, canonical)])).toThrow(
        expect.objectContaining({ code: NOT_TAKEN_OVER }),
      );
      await expect(gatherCosignatures(vault, { force: true })).rejects.toMatchObject({
        code: NOT_TAKEN_OVER,
      });
    } finally {
      vault.close();
    }

    expect(logState(copyA())).toEqual(before);
    expect(asked).toBe(askedBefore);
  });

  it('the web app on the copy shows it restored, reads, and seals nothing, activity included', async () => {
    const before = logState(copyA());
    const askedBefore = asked;
    // Cosigning on, every 20 ms: a copy must not start it.
    const app = await buildApp({
      ...TEST_OPTIONS,
      vaultDir: copyA(),
      cosigning: true,
      cosignIntervalMs: 20,
    });
    try {
      const anonymous = (await call(app, null, 'GET', '/api/state')).json() as StateResponse;
      expect(anonymous.phase).toBe('locked');
      expect(anonymous.restored).toEqual({ from: null, at: expect.any(String) });

      const unlocked = await call(app, null, 'POST', '/api/unlock', {
        passphrase: PASSPHRASE,
        admin: { name: 'admin', password: PASSWORD },
      });
      expect(unlocked.statusCode, unlocked.body).toBe(200);
      const state = unlocked.json() as StateResponse;
      expect(state.phase).toBe('ready');
      expect(state.restored).toEqual({ from: mirrorDir, at: anonymous.restored!.at });
      const admin: Caller = { name: 'admin', cookie: cookieOf(unlocked), csrf: state.csrfToken! };

      // Reading works.
      const list = await call(app, admin, 'GET', '/api/records');
      expect(list.statusCode).toBe(200);
      expect((list.json() as { total: number }).total).toBe(3);
      expect((await call(app, admin, 'GET', '/api/dashboard')).statusCode).toBe(200);

      // Sealing is refused before anything is uploaded.
      const upload = await call(app, admin, 'POST', '/api/uploads', {
        path: 'drill.txt',
        size: 5,
      });
      expect(upload.statusCode).toBe(409);
      expect(upload.json()).toMatchObject({
        key: 'vault.restored-not-taken-over',
        message: expect.stringMatching(/tamga takeover/),
      });

      // A take-over needs the origin typed.
      const wrong = await call(app, admin, 'POST', '/api/admin/takeover', {
        confirm: 'union.example/log',
      });
      expect(wrong.statusCode).toBe(400);
      expect(wrong.json()).toMatchObject({ key: 'takeover.confirm', params: { origin: ORIGIN } });

      // Activity is noted, not sealed; nothing loops or fails.
      await flushActivity(app);
      await flushActivity(app);
      expect(pendingActivity(copyA())).toBeGreaterThan(0);
      await sleep(150);
      const again = (await call(app, admin, 'GET', '/api/state')).json() as StateResponse;
      expect(again.restored).not.toBeNull();
    } finally {
      await app.close();
    }
    expect(logState(copyA())).toEqual(before);
    expect(asked).toBe(askedBefore);
  });

  it('the original keeps sealing, and its witnesses keep cosigning', async () => {
    writeTree(join(root, 'later'), { 'ledger.txt': 'the ledger, after the drill' });
    const r = await run(['seal', join(root, 'later'), '--vault', v.dir, '--witness-wait', '10']);
    expect(r.code, r.err).toBe(0);
    expect(r.err).toMatch(/Witnesses: 2 cosigned the checkpoint of size 4 \(quorum 2\)/);
    expect(witnessedCheckpoint(v.vault.db, 4)!.cosignatures).toHaveLength(2);
  });

  it('taking over needs a person: the long flag, or the origin typed on a terminal', async () => {
    const askedBefore = asked;
    const scripted = await run(['takeover', '--vault', copyA()]);
    expect(scripted.code).toBe(2);
    expect(scripted.err).toMatch(
      /run it in a terminal, or give --yes-this-vault-replaces-the-original/,
    );
    expect(scripted.err).toMatch(/the original must never seal again/);

    const typo = await run(
      ['takeover', '--vault', copyA()],
      {},
      { interactive: true, ask: async () => 'union.example/log' },
    );
    expect(typo.code).toBe(2);
    expect(typo.err).toMatch(/does not match: nothing changed/);
    expect(withDatabase(copyA(), (db) => restoredState(db))!.takenOver).toBeNull();

    const original = await run([
      'takeover',
      '--vault',
      v.dir,
      '--yes-this-vault-replaces-the-original',
    ]);
    expect(original.code).toBe(1);
    expect(original.err).toMatch(/not restored from a mirror/);
    expect(asked).toBe(askedBefore);
  });

  it('a copy taken over in the web app seals and is cosigned; then the original is refused, and says so', async () => {
    // The seizure: a fresh pull, restored, taken over by an administrator.
    const pulled = await run(['mirror', 'pull', served.url, '--into', mirrorDir], {
      TAMGA_MIRROR_TOKEN: tok,
    });
    expect(pulled.code, pulled.err).toBe(0);
    const restored = await run(['restore', '--from', mirrorDir, '--vault', copyB()]);
    expect(restored.code, restored.err).toBe(0);
    const { app, admin, state } = await openApp(copyB(), { cosigning: true });
    let sizeB = 0;
    try {
      expect(state.restored).not.toBeNull();
      const askedBefore = asked;
      await sleep(100);
      expect(asked).toBe(askedBefore);
      const taken = await call(app, admin, 'POST', '/api/admin/takeover', { confirm: ORIGIN });
      expect(taken.statusCode, taken.body).toBe(200);
      expect((taken.json() as StateResponse).restored).toBeNull();
      const sealed = await uploadAndSeal(
        app,
        admin,
        'after-seizure.txt',
        new TextEncoder().encode('sealed by the vault that replaced the seized one'),
      );
      expect(sealed).toMatchObject({ status: 'sealed', index: 4 });
      await flushActivity(app);
      // Its witnesses are asked once it is taken over, and cosign its new history.
      for (let i = 0; i < 200; i++) {
        const d = (await call(app, admin, 'GET', '/api/dashboard')).json() as DashboardResponse;
        sizeB = d.checkpoint!.size;
        if (d.witnessed?.size === sizeB) break;
        await sleep(50);
      }
      const d = (await call(app, admin, 'GET', '/api/dashboard')).json() as DashboardResponse;
      expect(d.witnessed?.size).toBe(sizeB);
      expect(sizeB).toBeGreaterThan(4);
      for (const w of d.witnesses) expect(w).toMatchObject({ state: 'cosigning', refusal: null });
    } finally {
      await app.close();
    }
    const activity = withDatabase(copyB(), (db) =>
      db.prepare("SELECT record_id FROM activity WHERE action = 'vault.takeover'").get(),
    ) as { record_id: string | null };
    expect(activity.record_id).not.toBeNull();

    // The original seals past the copy's size: the witnesses, who follow the copy, refuse it.
    writeTree(join(root, 'too-late'), smallFiles(20, 'too late'));
    const late = await run([
      'seal',
      join(root, 'too-late'),
      '--vault',
      v.dir,
      '--witness-wait',
      '10',
    ]);
    expect(late.code, late.err).toBe(0);
    expect(late.err).toMatch(/!! ALARM \d+ from w1\.takeover\.example\/w: .*REFUSED .*\(422\)/);

    // The command line: refused, with the reason and the alarm; the size of this history.
    const listed = await run(['witnesses', '--vault', v.dir]);
    expect(listed.code).toBe(0);
    for (const w of witnesses) {
      const line = listed.out.split('\n').find((l) => l.includes(` ${w.name} (`))!;
      expect(line).toMatch(/cosigned size 4 of this log at /);
      expect(line).toContain(`it says it holds size ${sizeB}`);
      expect(line).toMatch(/REFUSED: witness .* REFUSED the checkpoint of size \d+ \(422\)/);
      expect(line).toMatch(/\(ALARM \d+, evidence: tamga witnesses alarms\)/);
      expect(line).not.toMatch(/not reached|last attempt failed/);
    }
    const json = await run(['witnesses', '--vault', v.dir, '--json']);
    const status = JSON.parse(json.out) as { witnesses: DashboardResponse['witnesses'] };
    for (const w of status.witnesses) {
      expect(w).toMatchObject({
        state: 'refused',
        refusal: { kind: 'refused', alarm: expect.any(Number) },
        witnessed: { size: 4 },
        cosignedSize: sizeB,
      });
    }

    // The web app: the dashboard and the admin list say refused, with the reason.
    const original = await openApp(v.dir);
    try {
      const d = (
        await call(original.app, original.admin, 'GET', '/api/dashboard')
      ).json() as DashboardResponse;
      for (const w of d.witnesses) {
        expect(w).toMatchObject({
          state: 'refused',
          witnessed: { size: 4, timestamp: expect.any(Number) },
          refusal: {
            kind: 'refused',
            reason: expect.stringMatching(/REFUSED the checkpoint of size \d+ \(422\)/),
          },
        });
      }
      const refusedNotices = d.notices.filter((n) => n.key === 'notice.witness-refused');
      expect(refusedNotices.map((n) => n.params.witness).sort()).toEqual(
        witnesses.map((w) => w.name).sort(),
      );
      expect(refusedNotices[0]).toMatchObject({ severity: 'alarm' });
      expect(d.notices.some((n) => n.key === 'notice.witness-unreachable')).toBe(false);
      const admin = (
        await call(original.app, original.admin, 'GET', '/api/admin/witnesses')
      ).json() as WitnessListResponse;
      for (const w of admin.witnesses) {
        expect(w.state).toBe('refused');
        expect(w.refusal!.reason).toMatch(/it holds a history that is not this vault's/);
      }
    } finally {
      await original.app.close();
    }
    expect(latestCheckpoint(v.vault.db)!.size).toBeGreaterThanOrEqual(24);
  });

  it('a drill copy taken over on a terminal (the origin typed) seals again', async () => {
    const typed = await run(
      ['takeover', '--vault', copyA()],
      {},
      { interactive: true, ask: async () => ORIGIN },
    );
    expect(typed.code, typed.err).toBe(0);
    expect(typed.out).toMatch(/Took over .*: .* now seals/);
    expect(withDatabase(copyA(), (db) => restoredState(db))!.takenOver).not.toBeNull();
    const again = await run(['takeover', '--vault', copyA()]);
    expect(again.code).toBe(0);
    expect(again.err).toMatch(/was taken over on .*: it seals already/);
    const sealed = await run([
      'seal',
      join(root, 'drill'),
      '--vault',
      copyA(),
      '--witness-wait',
      '5',
    ]);
    expect(sealed.code, sealed.err).toBe(0);
    expect(logState(copyA()).records).toBe(4);
    // Its witnesses follow another history by now: a refusal, said as one.
    const listed = await run(['witnesses', '--vault', copyA(), '--json']);
    const status = JSON.parse(listed.out) as { witnesses: DashboardResponse['witnesses'] };
    for (const w of status.witnesses) expect(w.state).toBe('refused');
  });
});
