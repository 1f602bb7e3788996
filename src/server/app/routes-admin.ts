/**
 * Administration: users and roles, witnesses and the quorum, mirror tokens, the organisation's
 * name, taking over a restored vault; and the activity log. Every change is noted in the activity
 * log, which is sealed.
 */

import type { FastifyInstance } from 'fastify';
import { formatPolicy } from '../../evidence/policy.js';
import {
  issueMirrorToken,
  listMirrorTokens,
  type MirrorTokenStatus,
  revokeMirrorToken,
} from '../../mirror/tokens.js';
import { listActivity, noteActivity } from '../../vault/activity.js';
import { notRestoredError, restoredState } from '../../vault/restored.js';
import { refreshTrustFile } from '../../vault/trust-file.js';
import {
  createUser,
  getUser,
  hashPassword,
  listUsers,
  type PasswordCost,
  updateUser,
} from '../../vault/users.js';
import type { Vault } from '../../vault/vault.js';
import {
  addWitness,
  listWitnesses,
  quorum,
  removeWitness,
  setQuorum,
  witnessPolicy,
} from '../../vault/witnesses.js';
import {
  activityQuery,
  addWitnessRequest,
  createUserRequest,
  issueMirrorTokenRequest,
  type MirrorTokenListResponse,
  quorumRequest,
  ROUTES,
  settingsRequest,
  takeoverRequest,
  updateUserRequest,
  type WitnessListResponse,
} from './api.js';
import { AppError, notFound } from './errors.js';
import { defineRoute, type RouteEnv } from './http.js';
import { ORGANISATION_KEY, type SessionEnv, stateOf } from './routes-session.js';

/** What the admin routes need. */
export interface AdminEnv extends RouteEnv {
  readonly passwordCost: PasswordCost;
}

function witnessList(vault: Vault): WitnessListResponse {
  const witnesses = listWitnesses(vault.db);
  return {
    witnesses: witnesses.map((w) => ({ ...w })),
    quorum: quorum(vault.db),
    policy: formatPolicy(
      { verifierKey: vault.info.logVerifierKey },
      witnessPolicy(vault.db),
      new Map(witnesses.map((w) => [w.vkey, w.url])),
    ),
  };
}

function tokenView(t: MirrorTokenStatus) {
  const { lastPullSize: _size, ...view } = t;
  return view;
}

function tokenList(vault: Vault): MirrorTokenListResponse {
  return { tokens: listMirrorTokens(vault.db).map(tokenView) };
}

/** Registers the administration and activity routes. */
export function adminRoutes(app: FastifyInstance, env: AdminEnv & SessionEnv): void {
  const note = (vault: Vault, actor: string, action: string, details = '') =>
    noteActivity(vault.db, { actor, action, details }, env.now());

  defineRoute(app, env, {
    method: 'GET',
    url: ROUTES.users,
    access: 'admin',
    handler: async () => ({ users: listUsers(env.host.requireReady().vault.db) }),
  });

  defineRoute(app, env, {
    method: 'POST',
    url: ROUTES.users,
    access: 'admin',
    body: createUserRequest,
    handler: async ({ body, session }) => {
      const { vault } = env.host.requireReady();
      const passwordHash = await hashPassword(body.password, env.passwordCost);
      const user = createUser(vault.db, { name: body.name, role: body.role, passwordHash });
      note(vault, session!.user.name, 'user.create', `${user.name} (${user.role})`);
      return user;
    },
  });

  defineRoute(app, env, {
    method: 'PATCH',
    url: ROUTES.user,
    access: 'admin',
    body: updateUserRequest,
    handler: async ({ body, params, session }) => {
      const { vault } = env.host.requireReady();
      const name = params.name ?? '';
      if (getUser(vault.db, name) === null) throw notFound(`user ${name.slice(0, 64)}`);
      const user = updateUser(
        vault.db,
        name,
        {
          ...(body.role === undefined ? {} : { role: body.role }),
          ...(body.disabled === undefined ? {} : { disabled: body.disabled }),
          ...(body.password === undefined
            ? {}
            : { passwordHash: await hashPassword(body.password, env.passwordCost) }),
        },
        env.now(),
      );
      const what = [
        body.role === undefined ? null : `role ${body.role}`,
        body.disabled === undefined ? null : body.disabled ? 'disabled' : 'enabled',
        body.password === undefined ? null : 'password reset',
      ].filter((x) => x !== null);
      note(vault, session!.user.name, 'user.update', `${user.name}: ${what.join(', ')}`);
      return user;
    },
  });

  defineRoute(app, env, {
    method: 'GET',
    url: ROUTES.witnesses,
    access: 'admin',
    handler: async () => witnessList(env.host.requireReady().vault),
  });

  defineRoute(app, env, {
    method: 'POST',
    url: ROUTES.witnesses,
    access: 'admin',
    body: addWitnessRequest,
    handler: async ({ body, session }) => {
      const { vault } = env.host.requireReady();
      const w = addWitness(vault.db, body, env.now());
      await refreshTrustFile(vault);
      note(vault, session!.user.name, 'witness.add', `${w.name} ${w.url}`);
      await env.host.restartCosigning();
      return witnessList(vault);
    },
  });

  defineRoute(app, env, {
    method: 'DELETE',
    url: ROUTES.witness,
    access: 'admin',
    handler: async ({ params, session }) => {
      const { vault } = env.host.requireReady();
      const name = params.name ?? '';
      if (!removeWitness(vault.db, name)) throw notFound(`witness ${name.slice(0, 256)}`);
      await refreshTrustFile(vault);
      note(vault, session!.user.name, 'witness.remove', name);
      await env.host.restartCosigning();
      return witnessList(vault);
    },
  });

  defineRoute(app, env, {
    method: 'PUT',
    url: ROUTES.quorum,
    access: 'admin',
    body: quorumRequest,
    handler: async ({ body, session }) => {
      const { vault } = env.host.requireReady();
      setQuorum(vault.db, body.quorum);
      await refreshTrustFile(vault);
      note(vault, session!.user.name, 'witness.quorum', String(body.quorum));
      return witnessList(vault);
    },
  });

  defineRoute(app, env, {
    method: 'GET',
    url: ROUTES.mirrorTokens,
    access: 'admin',
    handler: async () => tokenList(env.host.requireReady().vault),
  });

  defineRoute(app, env, {
    method: 'POST',
    url: ROUTES.mirrorTokens,
    access: 'admin',
    body: issueMirrorTokenRequest,
    handler: async ({ body, session }) => {
      const { vault } = env.host.requireReady();
      const { token, entry } = issueMirrorToken(vault.db, body.label, env.now());
      // The token itself is never noted, logged or kept: only its label.
      note(vault, session!.user.name, 'mirror.issue', entry.label);
      return { token, entry: tokenView({ ...entry, lastPull: null, lastPullSize: null }) };
    },
  });

  defineRoute(app, env, {
    method: 'DELETE',
    url: ROUTES.mirrorToken,
    access: 'admin',
    handler: async ({ params, session }) => {
      const { vault } = env.host.requireReady();
      const id = params.id ?? '';
      if (!/^[0-9]{1,15}$/.test(id)) throw notFound('that mirror token');
      const revoked = revokeMirrorToken(vault.db, id, env.now());
      note(vault, session!.user.name, 'mirror.revoke', revoked.map((t) => t.label).join(', '));
      return tokenList(vault);
    },
  });

  defineRoute(app, env, {
    method: 'PUT',
    url: ROUTES.settings,
    access: 'admin',
    body: settingsRequest,
    handler: async ({ body, session }) => {
      const { vault } = env.host.requireReady();
      vault.db
        .prepare(
          'INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value',
        )
        .run(ORGANISATION_KEY, body.organisation);
      note(vault, session!.user.name, 'settings.organisation', body.organisation);
      return stateOf(env, session);
    },
  });

  defineRoute(app, env, {
    method: 'POST',
    url: ROUTES.takeover,
    access: 'admin',
    body: takeoverRequest,
    handler: async ({ body, session }) =>
      env.host.exclusive(async () => {
        const { vault } = env.host.requireReady();
        const restored = restoredState(vault.db);
        if (restored === null) throw notRestoredError();
        if (restored.takenOver !== null) return stateOf(env, session);
        const origin = vault.info.origin;
        if (body.confirm.trim() !== origin) {
          throw new AppError(
            400,
            'takeover.confirm',
            `type the log's origin, ${origin}, to confirm that this vault replaces the original; nothing changed`,
            { origin },
          );
        }
        await env.host.takeOver(env.now());
        // Sealed with the next batch: the first record of this vault as the log.
        note(
          vault,
          session!.user.name,
          'vault.takeover',
          `restored from ${restored.from} on ${restored.at}; this vault replaces the original, which must never seal again`,
        );
        return stateOf(env, session);
      }),
  });

  defineRoute(app, env, {
    method: 'GET',
    url: ROUTES.activity,
    access: 'activity',
    query: activityQuery,
    handler: async ({ query }) =>
      listActivity(env.host.requireReady().vault.db, {
        limit: query.limit ?? 100,
        offset: query.offset ?? 0,
      }),
  });
}
