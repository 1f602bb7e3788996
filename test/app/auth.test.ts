/**
 * Who may call what: every registered API route, called anonymously and as each role, answers
 * 401 / 403 / not-refused exactly as the contract (api.ts) says; CSRF tokens; the sign-in rate
 * limit; setup only once; sessions ending.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  can,
  type Permission,
  ROLES,
  ROUTES,
  type Role,
  SESSION_COOKIE,
} from '../../src/server/app/api.js';
import { buildApp, routeTableOf } from '../../src/server/app/index.js';
import {
  type Caller,
  call,
  login,
  PASSWORD,
  setUpApp,
  TEST_OPTIONS,
  type TestApp,
  tempVaultDir,
  uploadAndSeal,
} from './helpers.js';

/** The contract: who may call each route. `admin-when-users` is /api/unlock. */
const CONTRACT: Record<string, 'public' | 'session' | Permission | 'admin-when-users'> = {
  [`GET ${ROUTES.state}`]: 'public',
  [`POST ${ROUTES.setup}`]: 'public',
  [`POST ${ROUTES.unlock}`]: 'admin-when-users',
  [`POST ${ROUTES.login}`]: 'public',
  [`POST ${ROUTES.logout}`]: 'session',
  [`POST ${ROUTES.password}`]: 'session',
  [`GET ${ROUTES.dashboard}`]: 'read',
  [`GET ${ROUTES.records}`]: 'read',
  [`GET ${ROUTES.record}`]: 'read',
  [`GET ${ROUTES.recordFile}`]: 'read',
  [`POST ${ROUTES.uploads}`]: 'seal',
  [`GET ${ROUTES.upload}`]: 'seal',
  [`PUT ${ROUTES.upload}`]: 'seal',
  [`DELETE ${ROUTES.upload}`]: 'seal',
  [`POST ${ROUTES.uploadSeal}`]: 'seal',
  [`POST ${ROUTES.verify}`]: 'verify',
  [`POST ${ROUTES.evidence}`]: 'evidence',
  [`GET ${ROUTES.activity}`]: 'activity',
  [`GET ${ROUTES.users}`]: 'admin',
  [`POST ${ROUTES.users}`]: 'admin',
  [`PATCH ${ROUTES.user}`]: 'admin',
  [`GET ${ROUTES.witnesses}`]: 'admin',
  [`POST ${ROUTES.witnesses}`]: 'admin',
  [`DELETE ${ROUTES.witness}`]: 'admin',
  [`PUT ${ROUTES.quorum}`]: 'admin',
  [`GET ${ROUTES.mirrorTokens}`]: 'admin',
  [`POST ${ROUTES.mirrorTokens}`]: 'admin',
  [`DELETE ${ROUTES.mirrorToken}`]: 'admin',
  [`PUT ${ROUTES.settings}`]: 'admin',
  [`POST ${ROUTES.takeover}`]: 'admin',
  [`GET ${ROUTES.booksAccounts}`]: 'read',
  [`POST ${ROUTES.booksAccounts}`]: 'seal',
  [`POST ${ROUTES.booksStartingChart}`]: 'seal',
  [`GET ${ROUTES.booksEntries}`]: 'read',
  [`POST ${ROUTES.booksEntries}`]: 'seal',
  [`GET ${ROUTES.booksEntry}`]: 'read',
  [`POST ${ROUTES.booksCorrection}`]: 'seal',
  [`GET ${ROUTES.booksSuggestions}`]: 'read',
  [`POST ${ROUTES.booksImports}`]: 'seal',
  [`GET ${ROUTES.booksImport}`]: 'seal',
  [`DELETE ${ROUTES.booksImport}`]: 'seal',
  [`POST ${ROUTES.booksImportSeal}`]: 'seal',
  [`GET ${ROUTES.booksMappings}`]: 'read',
  [`POST ${ROUTES.booksMappings}`]: 'seal',
  [`GET ${ROUTES.booksReport}`]: 'read',
  [`GET ${ROUTES.booksProperty}`]: 'read',
  [`POST ${ROUTES.booksProperty}`]: 'seal',
  [`POST ${ROUTES.booksDiff}`]: 'verify',
  [`POST ${ROUTES.booksDiffEvidence}`]: 'evidence',
};

let t: TestApp;
let recordId: string;
let sha256: string;
let entryId: string;

beforeAll(async () => {
  t = await setUpApp();
  const sealed = await uploadAndSeal(
    t.app,
    t.users.treasurer,
    'a/receipt.txt',
    Buffer.from('receipt 1'),
  );
  recordId = sealed.recordId;
  sha256 = sealed.sha256;
  // A books entry, for the entry routes.
  await call(t.app, t.users.treasurer, 'POST', ROUTES.booksStartingChart, {});
  const entry = await call(t.app, t.users.treasurer, 'POST', ROUTES.booksEntries, {
    date: '2025-01-10',
    description: 'Dues',
    postings: [
      { account: 'Assets:Bank:KGS', amount: '100.00', currency: 'KGS' },
      { account: 'Income:Membership dues', amount: '-100.00', currency: 'KGS' },
    ],
  });
  if (entry.statusCode !== 200) throw new Error(`entry: ${entry.statusCode} ${entry.body}`);
  entryId = (entry.json() as { ids: string[] }).ids[0]!;
});

afterAll(async () => {
  await t.close();
});

function fill(url: string): string {
  return url
    .replace(':id/files', `${recordId}/files`)
    .replace(':sha256', sha256)
    .replace('/api/records/:id', `/api/records/${recordId}`)
    .replace('/api/uploads/:id', '/api/uploads/AAAAAAAAAAAAAAAAAAAAAA')
    .replace('/api/admin/users/:name', '/api/admin/users/nobody')
    .replace('/api/admin/witnesses/:name', '/api/admin/witnesses/nobody')
    .replace('/api/admin/mirror-tokens/:id', '/api/admin/mirror-tokens/999')
    .replace('/api/books/entries/:id', `/api/books/entries/${entryId}`)
    .replace('/api/books/imports/:id', '/api/books/imports/AAAAAAAAAAAAAAAAAAAAAA')
    .replace('/api/books/reports/:kind', '/api/books/reports/trial-balance')
    .replace(/^\/api\/books\/suggestions$/, '/api/books/suggestions?direction=in');
}

/** GET routes that answer 404 to an allowed caller here: the ids they take are made up. */
const MADE_UP_IDS = new Set<string>([ROUTES.upload, ROUTES.booksImport]);

describe('authorisation of every route', () => {
  it('registers exactly the routes of the contract, with the access it says', () => {
    const table = routeTableOf(t.app);
    const registered = Object.fromEntries(table.map((r) => [`${r.method} ${r.url}`, r.access]));
    expect(Object.keys(registered).sort()).toEqual(Object.keys(CONTRACT).sort());
    for (const [key, access] of Object.entries(CONTRACT)) {
      expect([key, registered[key]]).toEqual([
        key,
        access === 'admin-when-users' ? 'public' : access,
      ]);
    }
    // Every state-changing route but the public ones requires the CSRF token.
    for (const r of table) {
      expect([r.method, r.url, r.csrf]).toEqual([
        r.method,
        r.url,
        r.method !== 'GET' && r.access !== 'public',
      ]);
    }
  });

  for (const who of ['anonymous', ...ROLES] as const) {
    it(`answers ${who} as the contract says, on every route`, async () => {
      for (const r of routeTableOf(t.app)) {
        const access = CONTRACT[`${r.method} ${r.url}`]!;
        // Invalid bodies: an allowed call stops at validation, changing nothing.
        const body = r.method === 'GET' || r.method === 'DELETE' ? undefined : { invalid: true };
        let caller: Caller | null = who === 'anonymous' ? null : t.users[who as Role];
        if (r.url === ROUTES.logout && caller !== null) caller = await login(t.app, caller.name);
        const res = await call(
          t.app,
          caller,
          r.method as 'GET',
          fill(r.url),
          r.method === 'PUT' && r.url === ROUTES.upload ? Buffer.from('x') : body,
          r.method === 'PUT' && r.url === ROUTES.upload ? { 'upload-offset': '0' } : {},
        );
        const label = `${who} ${r.method} ${r.url} → ${res.statusCode} ${res.body.slice(0, 120)}`;
        const role = who === 'anonymous' ? null : (who as Role);
        let expected: 'ok' | 401 | 403;
        if (access === 'public') expected = 'ok';
        else if (role === null) expected = 401;
        else if (access === 'session') expected = 'ok';
        else if (access === 'admin-when-users') expected = role === 'admin' ? 'ok' : 403;
        else expected = can(role, access) ? 'ok' : 403;
        if (expected === 'ok') {
          expect(res.statusCode !== 401 && res.statusCode !== 403, label).toBe(true);
          expect(res.statusCode < 500, label).toBe(true);
          if (r.method === 'GET' && !MADE_UP_IDS.has(r.url)) {
            expect(res.statusCode, label).toBe(200);
          }
        } else {
          expect(res.statusCode, label).toBe(expected);
          expect(res.json(), label).toMatchObject({
            key: expected === 401 ? 'auth.required' : 'auth.forbidden',
          });
        }
      }
    });
  }

  it('serves the public surface to anyone: the log, the verifier, the app shell', async () => {
    const cp = await call(t.app, null, 'GET', '/checkpoint');
    expect(cp.statusCode).toBe(200);
    expect(cp.body.startsWith(`${ORIGIN_LINE}\n`)).toBe(true);
    const tile = await call(t.app, null, 'GET', '/tile/entries/000.p/1');
    expect(tile.statusCode).toBe(200);
    // One entry: a 2-byte length, then the 32-byte commitment (C2SP tlog-tiles entry bundle).
    expect(tile.rawPayload.length).toBe(34);
    expect((await call(t.app, null, 'GET', '/verifier.html')).statusCode).toBe(200);
    const shell = await call(t.app, null, 'GET', '/records/some/client/route');
    expect(shell.statusCode).toBe(200);
    expect(shell.headers['content-type']).toMatch(/text\/html/);
    // Mirrors' private routes answer only a mirror token the vault issued.
    const refused = await call(t.app, null, 'GET', '/private/v1/info');
    expect(refused.statusCode).toBe(401);
    const issued = await call(t.app, t.users.admin, 'POST', ROUTES.mirrorTokens, {
      label: 'partner',
    });
    expect(issued.statusCode).toBe(200);
    const { token } = issued.json() as { token: string };
    const info = await call(t.app, null, 'GET', '/private/v1/info', undefined, {
      authorization: `Bearer ${token}`,
    });
    expect(info.statusCode).toBe(200);
    const unknownApi = await call(t.app, null, 'GET', '/api/nothing-here');
    expect(unknownApi.statusCode).toBe(404);
    expect(unknownApi.json()).toMatchObject({ key: 'api.not-found' });
  });
});

const ORIGIN_LINE = 'union.test.example/log';

describe('CSRF', () => {
  it('refuses a state-changing request without the token, or with a wrong one: 403', async () => {
    const admin = t.users.admin;
    const body = { name: 'csrf-test', role: 'viewer', password: PASSWORD };
    const missing = await t.app.inject({
      method: 'POST',
      url: ROUTES.users,
      headers: { cookie: admin.cookie, 'content-type': 'application/json' },
      payload: JSON.stringify(body),
    });
    expect(missing.statusCode).toBe(403);
    expect(missing.json()).toMatchObject({ key: 'auth.csrf' });
    const wrong = await call(
      t.app,
      { ...admin, csrf: `${admin.csrf.slice(0, -2)}xx` },
      'POST',
      ROUTES.users,
      body,
    );
    expect(wrong.statusCode).toBe(403);
    expect(wrong.json()).toMatchObject({ key: 'auth.csrf' });
    // Another session's token is not this session's.
    const other = await login(t.app, 'admin');
    const crossed = await call(t.app, { ...admin, csrf: other.csrf }, 'POST', ROUTES.users, body);
    expect(crossed.statusCode).toBe(403);
    const ok = await call(t.app, admin, 'POST', ROUTES.users, body);
    expect(ok.statusCode).toBe(200);
  });

  it('refuses before reading the body: malformed or oversized bodies from strangers are a 401', async () => {
    const stranger = (payload: string) =>
      t.app.inject({
        method: 'POST',
        url: ROUTES.booksEntries,
        headers: { 'content-type': 'application/json' },
        payload,
      });
    const malformed = await stranger('{"date": ');
    expect(malformed.statusCode).toBe(401);
    const huge = await stranger(`{"description": "${'x'.repeat(2 * 1024 * 1024)}"}`);
    expect(huge.statusCode).toBe(401);
    // Signed in, the same bodies are read: 400 and 413.
    const admin = t.users.admin;
    const signedIn = (payload: string) =>
      t.app.inject({
        method: 'POST',
        url: ROUTES.booksEntries,
        headers: {
          cookie: admin.cookie,
          'x-csrf-token': admin.csrf,
          'content-type': 'application/json',
        },
        payload,
      });
    expect((await signedIn('{"date": ')).statusCode).toBe(400);
    expect((await signedIn(`{"description": "${'x'.repeat(2 * 1024 * 1024)}"}`)).statusCode).toBe(
      413,
    );
  });

  it('refuses text/plain bodies, which cross-site forms can send', async () => {
    const res = await t.app.inject({
      method: 'POST',
      url: ROUTES.login,
      headers: { 'content-type': 'text/plain' },
      payload: JSON.stringify({ name: 'admin', password: PASSWORD }),
    });
    expect(res.statusCode).toBe(415);
    expect(res.json()).toMatchObject({ key: 'request.media-type' });
  });
});

describe('sessions', () => {
  it('sets an HttpOnly, SameSite=Strict cookie for Path=/, and Secure when asked', async () => {
    const res = await call(t.app, null, 'POST', ROUTES.login, {
      name: 'viewer',
      password: PASSWORD,
    });
    const cookie = String(res.headers['set-cookie']);
    expect(cookie).toMatch(new RegExp(`^${SESSION_COOKIE}=[A-Za-z0-9_-]{43}; `));
    expect(cookie).toContain('HttpOnly');
    expect(cookie).toContain('SameSite=Strict');
    expect(cookie).toContain('Path=/');
    expect(cookie).not.toContain('Secure');
    const state = res.json();
    expect(state).toMatchObject({ phase: 'ready', user: { name: 'viewer', role: 'viewer' } });
  });

  it('ends on logout; a disabled user is signed out and cannot sign in', async () => {
    const s = await login(t.app, 'auditor');
    expect((await call(t.app, s, 'POST', ROUTES.logout)).statusCode).toBe(200);
    expect((await call(t.app, s, 'GET', ROUTES.dashboard)).statusCode).toBe(401);

    await call(t.app, t.users.admin, 'POST', ROUTES.users, {
      name: 'temp',
      role: 'viewer',
      password: PASSWORD,
    });
    const temp = await login(t.app, 'temp');
    expect((await call(t.app, temp, 'GET', ROUTES.dashboard)).statusCode).toBe(200);
    const off = await call(t.app, t.users.admin, 'PATCH', '/api/admin/users/temp', {
      disabled: true,
    });
    expect(off.statusCode).toBe(200);
    expect((await call(t.app, temp, 'GET', ROUTES.dashboard)).statusCode).toBe(401);
    const again = await call(t.app, null, 'POST', ROUTES.login, {
      name: 'temp',
      password: PASSWORD,
    });
    expect(again.statusCode).toBe(401);
    expect(again.json()).toMatchObject({ key: 'auth.failed' });
  });

  it('will not demote or disable the last admin', async () => {
    const res = await call(t.app, t.users.admin, 'PATCH', '/api/admin/users/admin', {
      role: 'viewer',
    });
    expect(res.statusCode).toBe(409);
    expect(res.json()).toMatchObject({ key: 'user.last-admin' });
  });

  it('expires idle sessions', async () => {
    let clock = Date.parse('2025-01-01T00:00:00Z');
    const tmp = await tempVaultDir();
    const app = await buildApp({
      ...TEST_OPTIONS,
      vaultDir: tmp.dir,
      now: () => new Date(clock),
      sessionLimits: { idleMs: 60 * 60 * 1000, maxMs: 10 * 60 * 60 * 1000 },
    });
    try {
      const setup = await call(app, null, 'POST', ROUTES.setup, {
        organisation: 'Clock union',
        origin: 'clock.example/log',
        admin: { name: 'admin', password: PASSWORD },
        passphrase: 'clock passphrase, seven tulips in a kettle',
      });
      expect(setup.statusCode).toBe(200);
      const s = await login(app, 'admin');
      clock += 30 * 60 * 1000;
      expect((await call(app, s, 'GET', ROUTES.dashboard)).statusCode).toBe(200);
      clock += 61 * 60 * 1000;
      expect((await call(app, s, 'GET', ROUTES.dashboard)).statusCode).toBe(401);
    } finally {
      await app.close();
      await tmp.cleanup();
    }
  });
});

describe('sign-in rate limit', () => {
  it('refuses a user name after 10 failures, with 429 and Retry-After, even with the right password', async () => {
    for (let i = 0; i < 10; i++) {
      const r = await call(t.app, null, 'POST', ROUTES.login, {
        name: 'treasurer',
        password: `wrong password ${i}`,
      });
      expect(r.statusCode).toBe(401);
    }
    const blocked = await call(t.app, null, 'POST', ROUTES.login, {
      name: 'treasurer',
      password: PASSWORD,
    });
    expect(blocked.statusCode).toBe(429);
    expect(blocked.json()).toMatchObject({ key: 'auth.too-many-attempts' });
    expect(Number(blocked.headers['retry-after'])).toBeGreaterThan(0);
    // Another user from elsewhere is not blocked by it.
    const other = await call(
      t.app,
      null,
      'POST',
      ROUTES.login,
      { name: 'viewer', password: PASSWORD },
      {},
    );
    expect(other.statusCode).toBe(200);
  });

  it('refuses an address after too many failures across user names', async () => {
    const tmp = await tempVaultDir();
    const app = await buildApp({
      ...TEST_OPTIONS,
      vaultDir: tmp.dir,
      loginLimits: {
        perName: { max: 100, windowMs: 60_000 },
        perAddress: { max: 5, windowMs: 60_000 },
      },
    });
    try {
      await call(app, null, 'POST', ROUTES.setup, {
        organisation: 'Rate union',
        origin: 'rate.example/log',
        admin: { name: 'admin', password: PASSWORD },
        passphrase: 'rate passphrase, seven tulips in a kettle',
      });
      for (let i = 0; i < 5; i++) {
        const r = await call(app, null, 'POST', ROUTES.login, {
          name: `someone${i}`,
          password: 'not the password',
        });
        expect(r.statusCode).toBe(401);
      }
      const r = await call(app, null, 'POST', ROUTES.login, { name: 'admin', password: PASSWORD });
      expect(r.statusCode).toBe(429);
    } finally {
      await app.close();
      await tmp.cleanup();
    }
  });
});

describe('setup and unlock', () => {
  it('sets up once: state says setup, then ready; a second setup is 409', async () => {
    const tmp = await tempVaultDir();
    const app = await buildApp({ ...TEST_OPTIONS, vaultDir: tmp.dir });
    try {
      const before = await call(app, null, 'GET', ROUTES.state);
      expect(before.json()).toMatchObject({ phase: 'setup', user: null, hasUsers: false });
      expect(
        (await call(app, null, 'POST', ROUTES.login, { name: 'a', password: 'b' })).statusCode,
      ).toBe(409);
      const body = {
        organisation: 'Once union',
        origin: 'once.example/log',
        admin: { name: 'chair', password: PASSWORD },
        passphrase: 'once passphrase, seven tulips in a kettle',
      };
      const [first, second] = await Promise.all([
        call(app, null, 'POST', ROUTES.setup, body),
        call(app, null, 'POST', ROUTES.setup, body),
      ]);
      expect([first.statusCode, second.statusCode].sort()).toEqual([200, 409]);
      const done = first.statusCode === 200 ? first : second;
      expect(done.json()).toMatchObject({
        phase: 'ready',
        organisation: 'Once union',
        origin: 'once.example/log',
        user: { name: 'chair', role: 'admin' },
      });
      const again = await call(app, null, 'POST', ROUTES.setup, body);
      expect(again.statusCode).toBe(409);
      expect(again.json()).toMatchObject({ key: 'setup.done' });
    } finally {
      await app.close();
      await tmp.cleanup();
    }
  });

  it('starts locked without the passphrase: an admin signs in and unlocks it', async () => {
    const tmp = await tempVaultDir();
    let app = await buildApp({ ...TEST_OPTIONS, vaultDir: tmp.dir });
    await call(app, null, 'POST', ROUTES.setup, {
      organisation: 'Lock union',
      origin: 'lock.example/log',
      admin: { name: 'chair', password: PASSWORD },
      passphrase: 'lock passphrase, seven tulips in a kettle',
    });
    await app.close();
    app = await buildApp({ ...TEST_OPTIONS, vaultDir: tmp.dir });
    try {
      expect((await call(app, null, 'GET', ROUTES.state)).json()).toMatchObject({
        phase: 'locked',
        hasUsers: true,
      });
      expect(
        (
          await call(app, null, 'POST', ROUTES.unlock, {
            passphrase: 'lock passphrase, seven tulips in a kettle',
          })
        ).statusCode,
      ).toBe(401);
      const chair = await login(app, 'chair');
      const locked = await call(app, chair, 'GET', ROUTES.records);
      expect(locked.statusCode).toBe(423);
      expect(locked.json()).toMatchObject({ key: 'vault.locked' });
      const wrong = await call(app, chair, 'POST', ROUTES.unlock, { passphrase: 'wrong phrase' });
      expect(wrong.statusCode).toBe(403);
      expect(wrong.json()).toMatchObject({ key: 'vault.passphrase' });
      const ok = await call(app, chair, 'POST', ROUTES.unlock, {
        passphrase: 'lock passphrase, seven tulips in a kettle',
      });
      expect(ok.statusCode).toBe(200);
      expect(ok.json()).toMatchObject({ phase: 'ready' });
      expect((await call(app, chair, 'GET', ROUTES.records)).statusCode).toBe(200);
    } finally {
      await app.close();
      await tmp.cleanup();
    }
  });
});
