/**
 * The web app: one Fastify server for a vault, serving
 *
 *   /api/...                 the JSON API of api.ts (sessions, roles, CSRF; see http.ts)
 *   /checkpoint, /tile/...   the public log (C2SP tlog-tiles), as `tamga serve` serves it
 *   /private/...             mirrors' private routes, behind mirror tokens
 *   /verifier.html           the offline verifier
 *   /, /assets/..., others   the browser app, index.html for client-side routes
 *
 * `buildApp` opens the vault in `vaultDir` if there is one (setup creates it otherwise), unlocks
 * it when given the passphrase, and starts the background witness cosigning and the sealing of
 * the activity log. Closing the app stops them and closes the vault.
 */
import Fastify, { type FastifyInstance } from 'fastify';
import { inertLogStream, writeLine } from '../../platform/terminal.js';
import { verifierFileIn, WEB_DIST } from '../../platform/web-dist.js';
import { noteActivity } from '../../vault/activity.js';
import { DEFAULT_UPLOAD_LIMITS } from '../../vault/uploads.js';
import {
  DEFAULT_PASSWORD_COST,
  DEFAULT_SESSION_LIMITS,
  type PasswordCost,
  purgeSessions,
  type SessionLimits,
} from '../../vault/users.js';
import { API_LIMITS } from './api.js';
import { BooksReader } from './books-views.js';
import { sendError } from './errors.js';
import { VaultHost } from './host.js';
import type { RouteEntry } from './http.js';
import { type AttemptLimit, AttemptLimiter } from './rate-limit.js';
import { adminRoutes } from './routes-admin.js';
import { booksRoutes } from './routes-books.js';
import { booksImportRoutes } from './routes-books-import.js';
import { evidenceRoutes } from './routes-evidence.js';
import { recordRoutes } from './routes-records.js';
import { sessionRoutes } from './routes-session.js';
import { SealTally, uploadRoutes } from './routes-uploads.js';
import { apiNotFound, staticRoutes } from './static.js';

/** Options of `buildApp`. */
export interface AppOptions {
  /** The vault's directory; setup creates the vault there when there is none. */
  readonly vaultDir: string;
  /** Unlocks the vault at start (TAMGA_PASSPHRASE); without it an admin unlocks it. */
  readonly passphrase?: string;
  /** The browser build: web/dist by default; null serves placeholder pages. */
  readonly webDist?: string | null;
  /** The largest file an upload may be (default 2 GiB). */
  readonly maxUploadBytes?: number;
  /** Adds `Secure` to the session cookie: set when the app is reached over https. */
  readonly secureCookies?: boolean;
  /** Trusts X-Forwarded-For (behind a reverse proxy) for the client address. */
  readonly trustProxy?: boolean;
  readonly sessionLimits?: SessionLimits;
  /** scrypt cost of users' passwords; lower only in tests. */
  readonly passwordCost?: PasswordCost;
  /** scrypt cost (2^logN) of a vault key file made by setup; lower only in tests. */
  readonly keyFileLogN?: number;
  /** Failed sign-ins allowed per user name and per address, in a window. */
  readonly loginLimits?: { readonly perName: AttemptLimit; readonly perAddress: AttemptLimit };
  /** Ask the witnesses in the background (default true). */
  readonly cosigning?: boolean;
  readonly cosignIntervalMs?: number;
  /** How often the activity log is sealed (default 5 s; 0: only when the app closes). */
  readonly activityIntervalMs?: number;
  /** How long sealed uploads wait for others to share their batch (default 50 ms). */
  readonly batchMillis?: number;
  /** Where the app's own messages go (cosigning news); never a secret. */
  readonly say?: (line: string) => void;
  /** Logs requests as JSON lines (Fastify's logger); off by default. */
  readonly log?: boolean;
  readonly now?: () => Date;
}

/** The default location of the browser build: web/dist in the source tree. */
export const DEFAULT_WEB_DIST = WEB_DIST;

const routeTables = new WeakMap<FastifyInstance, readonly RouteEntry[]>();
const hosts = new WeakMap<FastifyInstance, VaultHost>();

/** Seals the app's pending activity entries now; resolves once they are in the log. */
export async function flushActivity(app: FastifyInstance): Promise<void> {
  await hosts.get(app)?.flushActivity();
}

/** Returns the API routes `app` registered, with who may call each (for the tests). */
export function routeTableOf(app: FastifyInstance): readonly RouteEntry[] {
  return routeTables.get(app) ?? [];
}

/**
 * Returns the app, ready to `listen` (or `inject`). Throws VaultError when `vaultDir` holds a
 * vault it cannot open, KeyError when `passphrase` does not unlock it.
 */
export async function buildApp(options: AppOptions): Promise<FastifyInstance> {
  const now = options.now ?? (() => new Date());
  const say = options.say ?? ((line: string) => writeLine(process.stderr, line));
  const maxUploadBytes = options.maxUploadBytes ?? API_LIMITS.defaultMaxUploadBytes;
  const sessionLimits = options.sessionLimits ?? DEFAULT_SESSION_LIMITS;
  const tally = new SealTally();
  const host = new VaultHost({
    dir: options.vaultDir,
    uploadLimits: { ...DEFAULT_UPLOAD_LIMITS, maxBytes: maxUploadBytes },
    cosigning: options.cosigning ?? true,
    ...(options.cosignIntervalMs === undefined
      ? {}
      : { cosignIntervalMs: options.cosignIntervalMs }),
    activityIntervalMs: options.activityIntervalMs ?? 5000,
    batchMillis: options.batchMillis ?? 50,
    say,
    beforeActivityFlush: (db) => {
      // All or none: a failed round keeps every tally for the next.
      tally.drainInto((tallies) =>
        db.transaction(() => {
          for (const t of tallies) {
            noteActivity(db, { actor: t.user, action: 'records.seal', details: t.details }, now());
          }
        })(),
      );
    },
  });
  await host.start();
  if (options.passphrase !== undefined && host.phase === 'locked') {
    try {
      await host.unlock(options.passphrase);
    } catch (e) {
      await host.close();
      throw e;
    }
  }

  const app = Fastify({
    logger: options.log ? { stream: inertLogStream(process.stdout) } : false,
    trustProxy: options.trustProxy ?? false,
    bodyLimit: 1024 * 1024,
    // Uploads of large files take long: no bound on a whole request, but a connection idle for
    // two minutes (a dropped link that sent no FIN) is closed, freeing its upload to resume.
    requestTimeout: 0,
    connectionTimeout: 120_000,
    keepAliveTimeout: 10_000,
    http: { maxHeaderSize: 16 * 1024 },
    routerOptions: { maxParamLength: 200 },
  });
  // Cross-site forms can post text/plain without a preflight; the API takes JSON only.
  app.removeContentTypeParser('text/plain');
  app.setErrorHandler((error, request, reply) => sendError(error, request, reply));
  app.setNotFoundHandler((request, reply) => sendError(apiNotFound(), request, reply));

  const webDist = options.webDist === undefined ? DEFAULT_WEB_DIST : options.webDist;
  const routes: RouteEntry[] = [];
  const env = {
    host,
    sessionLimits,
    now,
    routes,
    secureCookies: options.secureCookies ?? false,
    passwordCost: options.passwordCost ?? DEFAULT_PASSWORD_COST,
    keyFileLogN: options.keyFileLogN,
    maxUploadBytes,
    limiters: {
      byName: new AttemptLimiter(
        options.loginLimits?.perName ?? { max: 10, windowMs: 15 * 60 * 1000 },
      ),
      byAddress: new AttemptLimiter(
        options.loginLimits?.perAddress ?? { max: 50, windowMs: 15 * 60 * 1000 },
      ),
    },
    verifierFile: webDist === null ? null : verifierFileIn(webDist),
    books: new BooksReader(),
  };
  sessionRoutes(app, env);
  recordRoutes(app, env);
  evidenceRoutes(app, env);
  adminRoutes(app, env);
  await app.register(async (child) => uploadRoutes(child, env, tally));
  booksRoutes(app, env);
  await app.register(async (child) => booksImportRoutes(child, env));
  staticRoutes(app, host, {
    appRoot: webDist === null ? null : `${webDist}/app`,
    verifierFile: env.verifierFile,
  });

  const purge = setInterval(
    () => {
      const vault = host.vault;
      if (vault !== null) purgeSessions(vault.db, sessionLimits, now());
    },
    10 * 60 * 1000,
  );
  purge.unref();
  app.addHook('onClose', async () => {
    clearInterval(purge);
    await host.close();
  });
  routeTables.set(app, routes);
  hosts.set(app, host);
  return app;
}
