/**
 * Web app test fixtures: an app on a fresh temporary vault, set up through its own API, with a
 * signed-in user of each role; and `call`, which sends a request as one of them (cookie and CSRF
 * token) through Fastify's inject.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance, InjectOptions, LightMyRequestResponse } from 'fastify';
import {
  type CreateUploadResponse,
  CSRF_HEADER,
  ROLES,
  type Role,
  type SealResponse,
  type StateResponse,
} from '../../src/server/app/api.js';
import { type AppOptions, buildApp } from '../../src/server/app/index.js';

export const PASSPHRASE = 'a long vault passphrase, 2024';
export const PASSWORD = 'password of ten or more';
export const ORIGIN = 'union.test.example/log';

/** Someone signed in: the cookie to send and the CSRF token. */
export interface Caller {
  readonly name: string;
  readonly cookie: string;
  readonly csrf: string;
}

/** Fast options for tests: cheap scrypt, no background loops, no web build. */
export const TEST_OPTIONS = {
  passwordCost: { logN: 4, r: 8, p: 1 },
  keyFileLogN: 10,
  cosigning: false,
  activityIntervalMs: 0,
  batchMillis: 5,
  webDist: null,
  say: () => {},
} satisfies Partial<AppOptions>;

/** A vault directory in a new temporary folder. */
export async function tempVaultDir(): Promise<{ dir: string; cleanup(): Promise<void> }> {
  const parent = await mkdtemp(join(tmpdir(), 'tamga-app-'));
  return {
    dir: join(parent, 'vault'),
    cleanup: () => rm(parent, { recursive: true, force: true }),
  };
}

export function cookieOf(res: LightMyRequestResponse): string {
  const set = res.headers['set-cookie'];
  const line = Array.isArray(set) ? set[0] : set;
  if (line === undefined) throw new Error(`no cookie set (HTTP ${res.statusCode}): ${res.body}`);
  return line.split(';')[0]!;
}

/** Sends a request as `who` (or anonymously), JSON bodies as JSON. */
export function call(
  app: FastifyInstance,
  who: Caller | null,
  method: NonNullable<InjectOptions['method']>,
  url: string,
  body?: unknown,
  headers: Record<string, string> = {},
): Promise<LightMyRequestResponse> {
  const h: Record<string, string> = { ...headers };
  if (who !== null) {
    h.cookie = who.cookie;
    h[CSRF_HEADER] = who.csrf;
  }
  const opts: InjectOptions = { method, url, headers: h };
  if (body !== undefined) {
    if (body instanceof Uint8Array || typeof body === 'string') {
      opts.payload = Buffer.from(body);
      h['content-type'] ??= 'application/octet-stream';
    } else {
      opts.payload = JSON.stringify(body);
      h['content-type'] = 'application/json';
    }
  }
  return app.inject(opts);
}

export async function login(app: FastifyInstance, name: string, password = PASSWORD) {
  const res = await call(app, null, 'POST', '/api/login', { name, password });
  if (res.statusCode !== 200) throw new Error(`login ${name}: ${res.statusCode} ${res.body}`);
  const state = res.json() as StateResponse;
  return { name, cookie: cookieOf(res), csrf: state.csrfToken! };
}

/** A set-up app with one signed-in user of each role. */
export interface TestApp {
  readonly app: FastifyInstance;
  readonly dir: string;
  readonly users: Readonly<Record<Role, Caller>>;
  close(): Promise<void>;
}

/** Builds an app on a new vault, sets it up and signs in a user of each role. */
export async function setUpApp(options: Partial<AppOptions> = {}): Promise<TestApp> {
  const tmp = await tempVaultDir();
  const app = await buildApp({ ...TEST_OPTIONS, ...options, vaultDir: tmp.dir });
  const res = await call(app, null, 'POST', '/api/setup', {
    organisation: 'Test union',
    origin: ORIGIN,
    admin: { name: 'admin', password: PASSWORD },
    passphrase: PASSPHRASE,
  });
  if (res.statusCode !== 200) throw new Error(`setup: ${res.statusCode} ${res.body}`);
  const admin: Caller = {
    name: 'admin',
    cookie: cookieOf(res),
    csrf: (res.json() as StateResponse).csrfToken!,
  };
  const users = { admin } as Record<Role, Caller>;
  for (const role of ROLES) {
    if (role === 'admin') continue;
    const r = await call(app, admin, 'POST', '/api/admin/users', {
      name: role,
      role,
      password: PASSWORD,
    });
    if (r.statusCode !== 200) throw new Error(`create ${role}: ${r.statusCode} ${r.body}`);
    users[role] = await login(app, role);
  }
  return {
    app,
    dir: tmp.dir,
    users,
    async close() {
      await app.close();
      await tmp.cleanup();
    },
  };
}

/** Uploads `data` as `path` and seals it; returns the seal response. */
export async function uploadAndSeal(
  app: FastifyInstance,
  who: Caller,
  path: string,
  data: Uint8Array,
  extra: Record<string, unknown> = {},
): Promise<SealResponse> {
  const created = await call(app, who, 'POST', '/api/uploads', {
    path,
    size: data.length,
    ...extra,
  });
  if (created.statusCode !== 200) throw new Error(`create: ${created.statusCode} ${created.body}`);
  const c = created.json() as CreateUploadResponse;
  if (c.status === 'unchanged') {
    return {
      status: 'unchanged',
      recordId: c.recordId,
      index: c.index,
      path: c.path,
      sha256: String(extra.sha256),
      size: data.length,
    };
  }
  if (data.length > 0) {
    const put = await call(app, who, 'PUT', `/api/uploads/${c.id}`, data, {
      'upload-offset': '0',
    });
    if (put.statusCode !== 200) throw new Error(`put: ${put.statusCode} ${put.body}`);
  }
  const sealed = await call(app, who, 'POST', `/api/uploads/${c.id}/seal`);
  if (sealed.statusCode !== 200) throw new Error(`seal: ${sealed.statusCode} ${sealed.body}`);
  return sealed.json() as SealResponse;
}
