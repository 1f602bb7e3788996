/**
 * The routes before and around signing in: the app's state, first-run setup, unlocking the
 * vault, signing in and out, changing one's password.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { noteActivity } from '../../vault/activity.js';
import { checkPassphrase, suggestPassphrase } from '../../vault/passphrase-strength.js';
import {
  activePasswordHash,
  countUsers,
  createSession,
  createUser,
  endSession,
  getUser,
  hashPassword,
  noteLogin,
  type PasswordCost,
  updateUser,
  verifyPassword,
} from '../../vault/users.js';
import { Vault } from '../../vault/vault.js';
import {
  changePasswordRequest,
  LANGUAGES,
  loginRequest,
  ROUTES,
  type Role,
  SESSION_COOKIE,
  type StateResponse,
  setupRequest,
  unlockRequest,
} from './api.js';
import { AppError, forbidden, notSignedIn } from './errors.js';
import { checkCsrf, defineRoute, type RouteEnv } from './http.js';
import type { AttemptLimiter } from './rate-limit.js';

/** What the session routes need beyond the shared environment. */
export interface SessionEnv extends RouteEnv {
  readonly secureCookies: boolean;
  readonly passwordCost: PasswordCost;
  readonly keyFileLogN: number | undefined;
  readonly maxUploadBytes: number;
  readonly limiters: { readonly byName: AttemptLimiter; readonly byAddress: AttemptLimiter };
}

/** A password hash that matches nothing, checked when the user is unknown so timing is alike. */
let decoyHash: Promise<string> | null = null;

/** The meta key of the organisation's name. */
export const ORGANISATION_KEY = 'organisation';

/** Returns the organisation's name, or null. */
export function organisationOf(vault: Vault | null): string | null {
  if (vault === null) return null;
  const row = vault.db.prepare('SELECT value FROM meta WHERE key = ?').get(ORGANISATION_KEY) as
    | { value: string }
    | undefined;
  return row?.value ?? null;
}

/** Returns the state a browser starts from. */
export function stateOf(
  env: SessionEnv,
  session: { user: { name: string; role: Role }; csrfToken: string } | null,
): StateResponse {
  const vault = env.host.vault;
  const copy = env.host.readOnlyCopy;
  return {
    phase: env.host.phase,
    organisation: organisationOf(vault),
    origin: vault?.info.origin ?? null,
    logVerifierKey: vault?.info.logVerifierKey ?? null,
    hasUsers: vault !== null && countUsers(vault.db) > 0,
    user: session === null ? null : { name: session.user.name, role: session.user.role },
    csrfToken: session?.csrfToken ?? null,
    languages: [...LANGUAGES],
    maxUploadBytes: env.maxUploadBytes,
    restored: copy === null ? null : { from: session === null ? null : copy.from, at: copy.at },
  };
}

function setSessionCookie(env: SessionEnv, reply: FastifyReply, id: string): void {
  const maxAge = Math.floor(env.sessionLimits.maxMs / 1000);
  reply.header(
    'set-cookie',
    `${SESSION_COOKIE}=${id}; Path=/; HttpOnly; SameSite=Strict; Max-Age=${maxAge}${env.secureCookies ? '; Secure' : ''}`,
  );
}

function clearSessionCookie(env: SessionEnv, reply: FastifyReply): void {
  reply.header(
    'set-cookie',
    `${SESSION_COOKIE}=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0${env.secureCookies ? '; Secure' : ''}`,
  );
}

function throttled(env: SessionEnv, keys: readonly string[]): void {
  let wait = 0;
  for (const k of keys) {
    const limiter = k.startsWith('name:') ? env.limiters.byName : env.limiters.byAddress;
    wait = Math.max(wait, limiter.retryAfter(k));
  }
  if (wait > 0) {
    throw new AppError(
      429,
      'auth.too-many-attempts',
      `too many failed attempts; wait ${wait} seconds and try again`,
      { retryAfter: wait },
    );
  }
}

function failed(env: SessionEnv, keys: readonly string[]): void {
  for (const k of keys) {
    (k.startsWith('name:') ? env.limiters.byName : env.limiters.byAddress).fail(k);
  }
}

function addressKey(request: FastifyRequest): string {
  return `addr:${request.ip}`;
}

/** Registers state, setup, unlock, login, logout and password. */
export function sessionRoutes(app: FastifyInstance, env: SessionEnv): void {
  defineRoute(app, env, {
    method: 'GET',
    url: ROUTES.state,
    access: 'public',
    handler: async ({ session }) => stateOf(env, session),
  });

  defineRoute(app, env, {
    method: 'POST',
    url: ROUTES.setup,
    access: 'public',
    body: setupRequest,
    handler: async ({ body, reply, request }) =>
      env.host.exclusive(async () => {
        if (env.host.phase !== 'setup') {
          throw new AppError(409, 'setup.done', 'this vault is already set up; sign in instead');
        }
        throttled(env, [addressKey(request)]);
        const verdict = checkPassphrase(body.passphrase, [
          body.organisation,
          body.origin,
          body.admin.name,
        ]);
        if (!verdict.ok) {
          throw new AppError(
            400,
            'passphrase.weak',
            'this passphrase could be guessed offline by anyone holding a mirror; choose several random words',
            { suggestion: suggestPassphrase() },
          );
        }
        const passwordHash = await hashPassword(body.admin.password, env.passwordCost);
        const vault = await Vault.init(env.host.options.dir, {
          origin: body.origin,
          passphrase: body.passphrase,
          ...(env.keyFileLogN === undefined ? {} : { logN: env.keyFileLogN }),
        });
        let keys: Awaited<ReturnType<Vault['unlock']>>;
        try {
          vault.db
            .prepare('INSERT INTO meta (key, value) VALUES (?, ?)')
            .run(ORGANISATION_KEY, body.organisation);
          createUser(vault.db, { name: body.admin.name, role: 'admin', passwordHash }, env.now());
          noteActivity(
            vault.db,
            { actor: body.admin.name, action: 'vault.setup', details: body.origin },
            env.now(),
          );
          keys = await vault.unlock(body.passphrase);
        } catch (e) {
          vault.close();
          throw e;
        }
        await env.host.adopt(vault, keys);
        const s = createSession(vault.db, body.admin.name.normalize('NFC'), env.now());
        setSessionCookie(env, reply, s.id);
        return stateOf(env, { user: getUser(vault.db, body.admin.name)!, csrfToken: s.csrfToken });
      }),
  });

  defineRoute(app, env, {
    method: 'POST',
    url: ROUTES.unlock,
    access: 'public',
    vault: 'open',
    handler: async ({ reply, request, session }) =>
      env.host.exclusive(async () => {
        const vault = env.host.requireVault();
        const hasUsers = countUsers(vault.db) > 0;
        // Who may unlock is checked before the body is read, as defineRoute does elsewhere.
        if (hasUsers) {
          if (session === null) throw notSignedIn();
          if (session.user.role !== 'admin') throw forbidden('admin');
          checkCsrf(request, session);
        }
        const body = unlockRequest.parse(request.body ?? {});
        if (hasUsers) {
          if (body.admin !== undefined) {
            throw new AppError(
              400,
              'unlock.admin-exists',
              'this vault has users already; unlock it without naming a new administrator',
            );
          }
        } else if (body.admin === undefined) {
          throw new AppError(
            400,
            'unlock.admin-required',
            'this vault has no user yet: name its first administrator with a password',
          );
        }
        if (env.host.phase === 'ready') return stateOf(env, session);
        throttled(env, [`unlock:${request.ip}`]);
        try {
          await env.host.unlock(body.passphrase);
        } catch (e) {
          env.limiters.byAddress.fail(`unlock:${request.ip}`);
          throw e;
        }
        if (body.admin !== undefined) {
          const passwordHash = await hashPassword(body.admin.password, env.passwordCost);
          const user = createUser(
            vault.db,
            { name: body.admin.name, role: 'admin', passwordHash },
            env.now(),
          );
          noteActivity(vault.db, { actor: user.name, action: 'vault.unlock' }, env.now());
          const s = createSession(vault.db, user.name, env.now());
          setSessionCookie(env, reply, s.id);
          return stateOf(env, { user, csrfToken: s.csrfToken });
        }
        noteActivity(vault.db, { actor: session!.user.name, action: 'vault.unlock' }, env.now());
        return stateOf(env, session);
      }),
  });

  defineRoute(app, env, {
    method: 'POST',
    url: ROUTES.login,
    access: 'public',
    vault: 'open',
    body: loginRequest,
    handler: async ({ body, reply, request }) => {
      const vault = env.host.requireVault();
      const name = body.name.normalize('NFC');
      const keys = [`name:${name}`, addressKey(request)];
      throttled(env, keys);
      const stored = activePasswordHash(vault.db, name);
      decoyHash ??= hashPassword('decoy password, never valid', env.passwordCost);
      const ok = await verifyPassword(stored ?? (await decoyHash), body.password);
      if (!ok || stored === null) {
        failed(env, keys);
        throw new AppError(
          401,
          'auth.failed',
          'the user name or password is wrong, or the user is disabled',
        );
      }
      env.limiters.byName.reset(keys[0]!);
      noteLogin(vault.db, name, env.now());
      noteActivity(vault.db, { actor: name, action: 'user.login' }, env.now());
      const s = createSession(vault.db, name, env.now());
      setSessionCookie(env, reply, s.id);
      return stateOf(env, { user: getUser(vault.db, name)!, csrfToken: s.csrfToken });
    },
  });

  defineRoute(app, env, {
    method: 'POST',
    url: ROUTES.logout,
    access: 'session',
    vault: 'open',
    handler: async ({ reply, session }) => {
      const vault = env.host.requireVault();
      endSession(vault.db, session!.id);
      noteActivity(vault.db, { actor: session!.user.name, action: 'user.logout' }, env.now());
      clearSessionCookie(env, reply);
      return { ok: true };
    },
  });

  defineRoute(app, env, {
    method: 'POST',
    url: ROUTES.password,
    access: 'session',
    vault: 'open',
    body: changePasswordRequest,
    handler: async ({ body, session, request }) => {
      const vault = env.host.requireVault();
      const name = session!.user.name;
      const keys = [`name:${name}`, addressKey(request)];
      throttled(env, keys);
      const stored = activePasswordHash(vault.db, name);
      if (stored === null || !(await verifyPassword(stored, body.current))) {
        failed(env, keys);
        throw new AppError(403, 'auth.failed', 'the current password is wrong');
      }
      // Every other session of the user ends; this one goes on.
      updateUser(
        vault.db,
        name,
        { passwordHash: await hashPassword(body.password, env.passwordCost) },
        env.now(),
        session!.id,
      );
      noteActivity(vault.db, { actor: name, action: 'user.password' }, env.now());
      return { ok: true };
    },
  });
}
