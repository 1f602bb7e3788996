/**
 * A full database: every write the app makes (a sign-in's session, a new user, a seal) fails with
 * SQLITE_FULL. Each is answered 507 `disk.full`, never a bare 500, and the app works again once
 * there is room.
 */
import { rm } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { StateResponse } from '../../src/server/app/api.js';
import { buildApp, flushActivity } from '../../src/server/app/index.js';
import { Vault } from '../../src/vault/vault.js';
import {
  type Caller,
  call,
  cookieOf,
  ORIGIN,
  PASSPHRASE,
  PASSWORD,
  TEST_OPTIONS,
  tempVaultDir,
  uploadAndSeal,
} from './helpers.js';

let app: FastifyInstance;
let vault: Vault;
let dir: string;
let admin: Caller;

beforeAll(async () => {
  const tmp = await tempVaultDir();
  dir = tmp.dir;
  const first = await buildApp({ ...TEST_OPTIONS, vaultDir: dir });
  const res = await call(first, null, 'POST', '/api/setup', {
    organisation: 'Test union',
    origin: ORIGIN,
    admin: { name: 'admin', password: PASSWORD },
    passphrase: PASSPHRASE,
  });
  expect(res.statusCode).toBe(200);
  await first.close();
  // The app's own connection, to cap its database where it stands.
  const open = vi.spyOn(Vault, 'open');
  app = await buildApp({ ...TEST_OPTIONS, vaultDir: dir, passphrase: PASSPHRASE });
  vault = (await open.mock.results[0]!.value) as Vault;
  open.mockRestore();
  const login = await call(app, null, 'POST', '/api/login', { name: 'admin', password: PASSWORD });
  admin = {
    name: 'admin',
    cookie: cookieOf(login),
    csrf: (login.json() as StateResponse).csrfToken!,
  };
});

afterAll(async () => {
  await app.close();
  await rm(dirname(dir), { recursive: true, force: true });
});

/**
 * Caps the database at the pages it has, and makes every write on the app's connection also need
 * a page more (temporary triggers, of this connection only): each fails with SQLITE_FULL.
 */
function fillDatabase(v: Vault = vault): void {
  v.db.exec('CREATE TABLE IF NOT EXISTS ballast (b BLOB)');
  const tables = v.db
    .prepare(
      "SELECT name FROM sqlite_schema WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND sql NOT LIKE 'CREATE VIRTUAL%'",
    )
    .pluck()
    .all() as string[];
  for (const t of tables.filter((t) => t !== 'ballast')) {
    for (const op of ['INSERT', 'UPDATE', 'DELETE']) {
      try {
        v.db.exec(
          `CREATE TEMP TRIGGER "full_${op}_${t}" BEFORE ${op} ON main."${t}" BEGIN INSERT INTO ballast VALUES (randomblob(65536)); END`,
        );
      } catch {
        // A search index's shadow table takes no trigger; its own table's write fails first.
      }
    }
  }
  const pages = v.db.pragma('page_count', { simple: true }) as number;
  v.db.pragma(`max_page_count = ${pages}`);
}

function makeRoom(v: Vault = vault): void {
  for (const t of v.db
    .prepare("SELECT name FROM sqlite_temp_schema WHERE type = 'trigger'")
    .pluck()
    .all() as string[]) {
    v.db.exec(`DROP TRIGGER temp."${t}"`);
  }
  v.db.pragma('max_page_count = 1073741823');
  v.db.exec('DROP TABLE ballast');
}

describe('a full database', () => {
  it('answers sign-in, user creation and seal 507 disk.full, then works once there is room', async () => {
    const upload = await call(app, admin, 'POST', '/api/uploads', { path: 'full.txt', size: 5 });
    expect(upload.statusCode).toBe(200);
    const id = (upload.json() as { id: string }).id;
    const put = await call(app, admin, 'PUT', `/api/uploads/${id}`, new Uint8Array(5).fill(65), {
      'upload-offset': '0',
    });
    expect(put.statusCode).toBe(200);

    fillDatabase();
    const attempts = [
      await call(app, null, 'POST', '/api/login', { name: 'admin', password: PASSWORD }),
      await call(app, admin, 'POST', '/api/admin/users', {
        name: 'clerk',
        role: 'viewer',
        password: PASSWORD,
      }),
      await call(app, admin, 'POST', `/api/uploads/${id}/seal`),
    ];
    for (const res of attempts) {
      expect(res.statusCode, res.body).toBe(507);
      expect(res.json()).toMatchObject({ key: 'disk.full', code: 'disk.full' });
      expect(res.body).toMatch(/full/);
    }

    makeRoom();
    const again = await call(app, null, 'POST', '/api/login', {
      name: 'admin',
      password: PASSWORD,
    });
    expect(again.statusCode).toBe(200);
    const created = await call(app, admin, 'POST', '/api/admin/users', {
      name: 'clerk',
      role: 'viewer',
      password: PASSWORD,
    });
    expect(created.statusCode, created.body).toBe(200);
  });
});

describe('activity sealing on a full database', () => {
  it('keeps the tally, tells the failure once, and seals everything once there is room', async () => {
    const tmp = await tempVaultDir();
    const setup = await buildApp({ ...TEST_OPTIONS, vaultDir: tmp.dir });
    expect(
      (
        await call(setup, null, 'POST', '/api/setup', {
          organisation: 'Test union',
          origin: ORIGIN,
          admin: { name: 'admin', password: PASSWORD },
          passphrase: PASSPHRASE,
        })
      ).statusCode,
    ).toBe(200);
    await setup.close();

    // Only the activity timer is driven by hand; everything else runs in real time.
    vi.useFakeTimers({ toFake: ['setInterval', 'clearInterval'] });
    const said: string[] = [];
    const open = vi.spyOn(Vault, 'open');
    const timed = await buildApp({
      ...TEST_OPTIONS,
      vaultDir: tmp.dir,
      passphrase: PASSPHRASE,
      activityIntervalMs: 1000,
      say: (line) => said.push(line),
    });
    const v = (await open.mock.results[0]!.value) as Vault;
    open.mockRestore();
    const tick = async () => {
      vi.advanceTimersByTime(1000);
      // Waits for the tick's round: a flush queues behind it.
      await flushActivity(timed).catch(() => {});
    };
    try {
      const login = await call(timed, null, 'POST', '/api/login', {
        name: 'admin',
        password: PASSWORD,
      });
      const who: Caller = {
        name: 'admin',
        cookie: cookieOf(login),
        csrf: (login.json() as StateResponse).csrfToken!,
      };
      await uploadAndSeal(timed, who, 'tally.txt', new Uint8Array([1, 2, 3]));

      fillDatabase(v);
      for (let i = 0; i < 3; i++) await tick();
      expect(said.filter((l) => l.startsWith('activity:'))).toEqual([
        expect.stringMatching(/^activity: could not seal: .*full/),
      ]);

      makeRoom(v);
      await tick();
      expect(said.at(-1)).toBe('activity: sealing again');
      const rows = v.db.prepare('SELECT action, details, record_id FROM activity').all() as Array<{
        action: string;
        details: string;
        record_id: string | null;
      }>;
      const seals = rows.filter((r) => r.action === 'records.seal');
      expect(seals).toHaveLength(1);
      expect(seals[0]!.details).toMatch(/^1 file, 3 bytes: tally\.txt$/);
      expect(rows.filter((r) => r.record_id === null)).toEqual([]);
    } finally {
      await timed.close();
      vi.useRealTimers();
      await tmp.cleanup();
    }
  });
});
