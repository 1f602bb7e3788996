/**
 * The public log server: a vault's log served as C2SP tlog-tiles (https://c2sp.org/tlog-tiles),
 * read-only, to anyone.
 *
 *   GET /checkpoint                  the latest signed checkpoint, with its cosignatures
 *   GET /tile/<L>/<N>[.p/<W>]        hash tiles
 *   GET /tile/entries/<N>[.p/<W>]    entry bundles: the records' 32-byte commitments
 *   GET /trust.txt                   the log's trust statement (src/evidence/trust.ts), when known
 *   GET /                            a text naming the log's origin and verifier key
 *
 * Nothing else: every other path is 404, every method but GET and HEAD is 405. What it serves is
 * exactly what a static copy of the log would hold, read through `PublicLogReader`, which never
 * selects a record, a salt, a name or a blob. Error bodies are fixed text and never echo the
 * request, so nothing a client sends comes back to it.
 *
 * Partial tiles. The vault keeps one row per tile and widens it as the tree grows, so a partial
 * tile of an older checkpoint (`.p/<W>`, W below today's width, or a tile that has since become
 * full) is served as the first W hashes (or entries) of the stored tile: byte for byte what that
 * partial tile held, never the full tile in its place, so a client always receives W·32 bytes at
 * a `.p/<W>` path. Any W up to what the latest tree holds is served, checkpointed or not: it is a
 * prefix of public data and reveals nothing more. Full tiles and bundles never change and are
 * cached for a year; partial ones never change here either, but the spec lets a log delete them
 * once full, so caches keep them only briefly. The checkpoint is revalidated on every use.
 *
 * Entry bundles are not compressed: they hold SHA-256 outputs, which do not compress.
 */
import Fastify, { type FastifyError, type FastifyInstance, type FastifyReply } from 'fastify';
import { formatTrustStatement } from '../evidence/trust.js';
import { FormatError, LimitError } from '../log/errors.js';
import { formatTilePath, parseTilePath, TILE_WIDTH, type Tile } from '../log/tiles.js';
import { listenOn } from '../platform/listen.js';
import { inertLogStream } from '../platform/terminal.js';
import { vaultStatement } from '../vault/trust-file.js';
import type { Vault } from '../vault/vault.js';
import { ServerError } from './errors.js';
import { PublicLogReader, type PublishedCheckpoint, type TileLookup } from './log-reader.js';
import { isPrivatePath, type PrivateRoutes } from './private-routes.js';

/** Where request logs go: a stream of JSON lines, such as `process.stdout`. */
export interface LogDestination {
  write(line: string): void;
}

/** Options of `buildPublicLogServer`. */
export interface PublicLogServerOptions {
  /**
   * Logs each request (method, URL, status, response time, the client's address) as JSON lines,
   * to standard output when `true`. Off by default: a union's readers may not want their
   * addresses kept. Nothing private is ever logged: the server holds nothing private to log.
   */
  readonly log?: boolean | { readonly stream: LogDestination };
  /**
   * Answers the paths under /private/ (a mirror's encrypted private data, behind a token; see
   * private-routes.ts). Without it they are 404, like any other path.
   */
  readonly privateRoutes?: PrivateRoutes;
}

/** The reads a log server makes: the latest checkpoint and tiles of its tree. */
export interface LogReads {
  checkpoint(): PublishedCheckpoint | null;
  tile(tile: Tile): TileLookup;
}

/** A log to serve: its name, its key and its reads (a vault's, or a mirror's). */
export interface ServedLog {
  readonly origin: string;
  readonly verifierKey: string;
  readonly reader: LogReads;
  /**
   * The log's trust statement as published (its key and witness policy), read on each request
   * so that a change of witnesses is served at once. Absent for a copy that does not know it.
   */
  readonly trustStatement?: () => string;
}

/** The longest request URL answered; the longest tile path is under 60 characters. */
export const MAX_URL_LENGTH = 512;

/** Cache-Control of full tiles and full entry bundles, which never change. */
export const CACHE_IMMUTABLE = 'public, max-age=31536000, immutable';

/** Cache-Control of partial tiles and bundles: short, as a log may delete them once full. */
export const CACHE_PARTIAL = 'public, max-age=60';

/** Cache-Control of the checkpoint, which changes with every batch: revalidate on every use. */
export const CACHE_CHECKPOINT = 'no-cache';

/** Cache-Control of errors: a tile missing now may exist after the next batch. */
const CACHE_ERROR = 'no-store';

const TEXT = 'text/plain; charset=utf-8';
const OCTETS = 'application/octet-stream';

/** Headers on every response. CORS is open: the log is public, and browsers verify it too. */
const SECURITY_HEADERS: Readonly<Record<string, string>> = {
  'x-content-type-options': 'nosniff',
  'content-security-policy': "default-src 'none'; frame-ancestors 'none'",
  'referrer-policy': 'no-referrer',
  'x-frame-options': 'DENY',
  'cross-origin-resource-policy': 'cross-origin',
  'access-control-allow-origin': '*',
};

const TILE_PATH_HELP =
  'tiles are at /tile/<L>/<N>[.p/<W>] and entry bundles at /tile/entries/<N>[.p/<W>] (C2SP tlog-tiles): ' +
  'L from 0 to 63 without leading zeros, N in 3-digit groups all but the last prefixed with "x" ' +
  '(x001/x234/067), W from 1 to 255 without leading zeros';

/** What a route answers: a status, a body and how long it may be cached. */
interface Answer {
  readonly status: number;
  readonly type: string;
  readonly cache: string;
  readonly body: string | Uint8Array;
}

const text = (status: number, body: string, cache = CACHE_ERROR): Answer => ({
  status,
  type: TEXT,
  cache,
  body: body.endsWith('\n') ? body : `${body}\n`,
});

function send(reply: FastifyReply, answer: Answer): FastifyReply {
  const body =
    typeof answer.body === 'string'
      ? answer.body
      : Buffer.from(answer.body.buffer, answer.body.byteOffset, answer.body.byteLength);
  return reply
    .code(answer.status)
    .headers(SECURITY_HEADERS)
    .header('content-type', answer.type)
    .header('cache-control', answer.cache)
    .send(body);
}

/**
 * Returns the public log server of `vault`, not yet listening: call `listen`, or use
 * `app.inject` in tests. The vault may be open read-only; the server reads it on every request,
 * so a batch sealed by another process is served as soon as its checkpoint is committed.
 */
export function buildPublicLogServer(
  vault: Vault,
  options: PublicLogServerOptions = {},
): FastifyInstance {
  return buildLogServer(
    {
      origin: vault.info.origin,
      verifierKey: vault.info.logVerifierKey,
      reader: new PublicLogReader(vault.db),
      trustStatement: () => formatTrustStatement(vaultStatement(vault)),
    },
    options,
  );
}

/** Returns the server of `log`, as `buildPublicLogServer` does for a vault. */
export function buildLogServer(
  log: ServedLog,
  options: PublicLogServerOptions = {},
): FastifyInstance {
  const reader = log.reader;
  const landing = landingText(log.origin, log.verifierKey, log.trustStatement !== undefined);
  const privateRoutes = options.privateRoutes;
  const logging = options.log ?? false;
  const app = Fastify({
    logger:
      logging === false
        ? false
        : { stream: logging === true ? inertLogStream(process.stdout) : logging.stream },
    // Requests have no body; anything bigger than a few headers is not ours to read.
    bodyLimit: 1024,
    requestTimeout: 30_000,
    http: { maxHeaderSize: 8 * 1024 },
    frameworkErrors: (_error, _request, reply) => {
      // FST_ERR_BAD_URL: a path that does not percent-decode.
      send(reply, text(400, `bad request: the path is not a valid URL path; ${TILE_PATH_HELP}`));
    },
  });

  app.addHook('onRequest', async (request, reply) => {
    if ((request.raw.url ?? '').length > MAX_URL_LENGTH) {
      return send(
        reply,
        text(
          414,
          `URI too long: this server answers paths of at most ${MAX_URL_LENGTH} characters`,
        ),
      );
    }
    if (request.method !== 'GET' && request.method !== 'HEAD') {
      reply.header('allow', 'GET, HEAD');
      return send(reply, text(405, 'method not allowed: this log is read-only; use GET or HEAD'));
    }
    return undefined;
  });

  const answer = (url: string): Answer => {
    // A query string is ignored, as a static file server would; the path is matched raw, not
    // percent-decoded, so each resource has exactly one spelling.
    const q = url.indexOf('?');
    const path = q === -1 ? url : url.slice(0, q);
    if (path === '/') return text(200, landing, 'public, max-age=3600');
    if (path === '/checkpoint') return checkpoint(reader);
    if (path === '/trust.txt' && log.trustStatement !== undefined) {
      // One place among those the union publishes it: a verifier compares its fingerprint.
      return text(200, log.trustStatement(), 'no-cache');
    }
    if (path.startsWith('/tile/')) return tile(reader, path.slice(1));
    return text(
      404,
      'not found: this server publishes only /checkpoint, /tile/<L>/<N>[.p/<W>] and /tile/entries/<N>[.p/<W>]; see / for more',
    );
  };

  app.route({
    method: ['GET', 'HEAD'],
    url: '*',
    handler: async (request, reply) => {
      const url = request.raw.url ?? '/';
      if (privateRoutes !== undefined && isPrivatePath(url)) return privateRoutes(request, reply);
      return send(reply, answer(url));
    },
  });
  // Reached only by GET and HEAD paths the wildcard does not route; answered the same way.
  app.setNotFoundHandler(async (request, reply) => send(reply, answer(request.raw.url ?? '/')));
  app.setErrorHandler<FastifyError>(async (error, request, reply) => {
    const status = error.statusCode ?? 500;
    if (status >= 400 && status < 500) {
      return send(reply, text(status, `request refused (HTTP ${status})`));
    }
    request.log.error({ err: error }, 'cannot serve the public log');
    return send(reply, text(500, 'internal error: the log cannot be read right now'));
  });
  return app;
}

function checkpoint(reader: LogReads): Answer {
  const latest = reader.checkpoint();
  if (latest === null) {
    return text(404, 'not found: the log is empty; no checkpoint has been signed yet');
  }
  return { status: 200, type: TEXT, cache: CACHE_CHECKPOINT, body: latest.note };
}

function tile(reader: LogReads, path: string): Answer {
  let t: Tile;
  try {
    t = parseTilePath(path);
  } catch (e) {
    if (e instanceof LimitError) {
      return text(404, 'not found: that tile index is beyond any tree this log can reach');
    }
    if (e instanceof FormatError) return text(400, `malformed tile path: ${TILE_PATH_HELP}`);
    throw e;
  }
  const found = reader.tile(t);
  if (!found.found) {
    return text(
      404,
      `not found: ${formatTilePath(t)} is not in the tree of the latest checkpoint (size ${found.size})`,
    );
  }
  return {
    status: 200,
    type: OCTETS,
    cache: t.width === TILE_WIDTH ? CACHE_IMMUTABLE : CACHE_PARTIAL,
    body: found.data,
  };
}

/** The landing page: what this log is, how to check it, and where its parts are. */
function landingText(origin: string, verifierKey: string, trust: boolean): string {
  return `Tamga public log

This server publishes the transparency log of

  ${origin}

as C2SP tlog-tiles (https://c2sp.org/tlog-tiles). Its checkpoints are signed notes
(https://c2sp.org/signed-note) that verify with the log's key:

  ${verifierKey}

  /checkpoint                      the latest signed checkpoint, with witness cosignatures
${trust ? '  /trust.txt                       the trust statement: the log key, the witnesses, a fingerprint\n' : ''}  /tile/<L>/<N>[.p/<W>]            hash tiles: level L, index N, width W when partial
  /tile/entries/<N>[.p/<W>]        entry bundles: each entry a record's 32-byte commitment

Each entry is SHA-256("tamga/record/v1\\n" || salt || record), with a secret random salt: the
log shows how many records were sealed, and proves that none was changed or removed, but says
nothing of what they contain. A record disclosed with its salt can be checked against it.
`;
}

/** Where `listen` binds: a host name or address, and a port (0 picks a free one). */
export interface ListenOptions {
  readonly host: string;
  readonly port: number;
}

/**
 * Starts `app` listening and returns its base URL, `http://host:port/`, with the port it got.
 * Throws ServerError for an invalid port, or when it cannot bind (port in use, no permission).
 */
export async function listen(app: FastifyInstance, options: ListenOptions): Promise<string> {
  return listenOn(
    app,
    options.host,
    options.port,
    (f) => new ServerError(`server.${f.code}`, f.message, { cause: f.cause }),
  );
}
