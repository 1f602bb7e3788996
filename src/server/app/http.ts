/**
 * How an API route is declared: its method and path, who may call it (`access`), whether the
 * vault must be unlocked, and the zod schemas of its body and query. `defineRoute` checks, in
 * this order: when the request arrives, before its body is read, the session (401), the role
 * (403) and the CSRF token on state-changing requests (403); then the vault's phase (409 / 423),
 * that a request to seal is not made to a restored copy no one took over (409), and the input
 * (400), before the handler runs. Every
 * route it registers is listed in the app's route table, which the authorisation test walks.
 */
import { timingSafeEqual } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { z } from 'zod';
import { findSession, type Session, type SessionLimits } from '../../vault/users.js';
import { CSRF_HEADER, can, type Permission, SESSION_COOKIE } from './api.js';
import { AppError, forbidden, notSignedIn, sendError } from './errors.js';
import type { VaultHost } from './host.js';

/** Who may call a route: anyone, anyone signed in, or a role with the permission. */
export type Access = 'public' | 'session' | Permission;

/** What a handler is given. */
export interface RouteContext<B, Q> {
  readonly request: FastifyRequest;
  readonly reply: FastifyReply;
  readonly session: (Session & { readonly id: string }) | null;
  readonly body: B;
  readonly query: Q;
  readonly params: Readonly<Record<string, string>>;
}

/** A route's declaration. */
export interface RouteSpec<B, Q> {
  readonly method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  readonly url: string;
  readonly access: Access;
  /**
   * What the vault must be: `ready` (unlocked; the default for permission routes), `open`
   * (set up, maybe locked), `any`.
   */
  readonly vault?: 'ready' | 'open' | 'any';
  /** Require the CSRF header; default: on every non-GET route that is not public. */
  readonly csrf?: boolean;
  readonly body?: z.ZodType<B>;
  readonly query?: z.ZodType<Q>;
  /** Extra Fastify route options (body limit, content type parsing). */
  readonly bodyLimit?: number;
  /** Returns the JSON to send, or the reply when it sent one itself. */
  readonly handler: (ctx: RouteContext<B, Q>) => Promise<unknown>;
}

/** A registered route, as the authorisation test sees it. */
export interface RouteEntry {
  readonly method: string;
  readonly url: string;
  readonly access: Access;
  readonly csrf: boolean;
}

/** What routes share: the host, session limits, the clock, the table of routes. */
export interface RouteEnv {
  readonly host: VaultHost;
  readonly sessionLimits: SessionLimits;
  readonly now: () => Date;
  readonly routes: RouteEntry[];
}

/** Returns the value of the session cookie, or null. */
export function sessionCookie(request: FastifyRequest): string | null {
  const header = request.headers.cookie;
  if (header === undefined || header.length > 8192) return null;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq === -1) continue;
    if (part.slice(0, eq).trim() === SESSION_COOKIE) return part.slice(eq + 1).trim();
  }
  return null;
}

/** Returns the live session of the request's cookie, or null. */
export function currentSession(
  env: RouteEnv,
  request: FastifyRequest,
): (Session & { id: string }) | null {
  const vault = env.host.vault;
  const id = sessionCookie(request);
  if (vault === null || id === null) return null;
  const s = findSession(vault.db, id, env.sessionLimits, env.now());
  return s === null ? null : { ...s, id };
}

function sameToken(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

/** Throws 403 when the request does not carry the session's CSRF token. */
export function checkCsrf(request: FastifyRequest, session: Session): void {
  const given = request.headers[CSRF_HEADER];
  if (typeof given !== 'string' || !sameToken(given, session.csrfToken)) {
    throw new AppError(
      403,
      'auth.csrf',
      `the request lacks this session's CSRF token (header ${CSRF_HEADER}); reload the page and try again`,
    );
  }
}

/** The session each request was let in with, found before its body was read. */
const admitted = new WeakMap<FastifyRequest, (Session & { readonly id: string }) | null>();

/**
 * Registers `spec` on `app`, with its checks. Who may call the route (session, role, CSRF token)
 * is checked when the request arrives, before its body is read or parsed, so a request that is
 * refused costs nothing however large its body.
 */
export function defineRoute<B = undefined, Q = undefined>(
  app: FastifyInstance,
  env: RouteEnv,
  spec: RouteSpec<B, Q>,
): void {
  const csrf = spec.csrf ?? (spec.method !== 'GET' && spec.access !== 'public');
  const vaultNeeded = spec.vault ?? (spec.access === 'public' ? 'any' : 'ready');
  env.routes.push({ method: spec.method, url: spec.url, access: spec.access, csrf });
  app.route({
    method: spec.method,
    url: spec.url,
    ...(spec.bodyLimit === undefined ? {} : { bodyLimit: spec.bodyLimit }),
    onRequest: async (request, reply) => {
      try {
        const session = currentSession(env, request);
        if (spec.access !== 'public') {
          if (session === null) throw notSignedIn();
          if (spec.access !== 'session' && !can(session.user.role, spec.access)) {
            throw forbidden(spec.access);
          }
        }
        if (csrf && session !== null) checkCsrf(request, session);
        admitted.set(request, session);
      } catch (e) {
        sendError(e, request, reply);
        return reply;
      }
    },
    handler: async (request, reply) => {
      try {
        const session = admitted.get(request) ?? null;
        if (vaultNeeded === 'open') env.host.requireVault();
        if (vaultNeeded === 'ready') env.host.requireReady();
        // A restored copy seals nothing until taken over: refused before any upload or work.
        if (spec.access === 'seal' && spec.method !== 'GET') env.host.requireWritable();
        const body = spec.body ? spec.body.parse(request.body ?? {}) : (undefined as B);
        const query = spec.query ? spec.query.parse(request.query ?? {}) : (undefined as Q);
        const result = await spec.handler({
          request,
          reply,
          session,
          body,
          query,
          params: (request.params ?? {}) as Record<string, string>,
        });
        if (result === reply || reply.sent) return reply;
        return reply
          .header('cache-control', 'no-store')
          .header('content-type', 'application/json; charset=utf-8')
          .header('x-content-type-options', 'nosniff')
          .send(JSON.stringify(result));
      } catch (e) {
        if (reply.sent) {
          // A stream failed part way: the client sees a cut response, nothing more can be said.
          request.log.error({ code: (e as AppError).code }, 'response failed after it began');
          return reply;
        }
        sendError(e, request, reply);
        return reply;
      }
    },
  });
}
