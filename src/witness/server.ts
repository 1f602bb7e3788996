/**
 * The witness over HTTP (https://c2sp.org/tlog-witness), with one prefix for both the
 * submission and the monitoring APIs (the spec allows one value for both):
 *
 *   POST <prefix>/add-checkpoint               cosign a checkpoint (see witness.ts for statuses)
 *   GET  <prefix>/checkpoints/<origin>         the latest checkpoint cosigned for a log, with
 *                                              the log's signatures and the cosignature; the
 *                                              origin percent-encoded (encodeURIComponent)
 *   GET  <prefix>/                             a text naming the witness and its key
 *
 * The spec leaves monitor retrieval to be designed ("TBD Monitor Retrieval Mechanism"); the
 * checkpoints route is Tamga's own, read-only, and serves nothing the logs do not publish.
 *
 * Every other path is 404, another method on a known path is 405 with `Allow`. Request bodies
 * above 64 KiB are refused with 413 before they are read in full (a request with 63 proof lines
 * and 100 signatures fits in 20 KiB). Error bodies are fixed text or name only the origin,
 * sizes and what is wrong: nothing else a client sends comes back to it.
 */
import Fastify, { type FastifyError, type FastifyInstance, type FastifyReply } from 'fastify';
import { inertLogStream } from '../platform/terminal.js';
import { WitnessRefusal } from './errors.js';
import type { Witness } from './witness.js';

/** Where request logs go: a stream of JSON lines, such as `process.stdout`. */
export interface LogDestination {
  write(line: string): void;
}

/** Options of `buildWitnessServer`. */
export interface WitnessServerOptions {
  /** The URL prefix of every route, such as `/witness`; empty by default. */
  readonly prefix?: string;
  /** Logs each request as JSON lines, to standard output when `true`. Off by default. */
  readonly log?: boolean | { readonly stream: LogDestination };
}

/** The largest add-checkpoint request body read, in bytes. */
export const MAX_BODY_BYTES = 64 * 1024;

/** The longest request URL answered. */
export const MAX_URL_LENGTH = 1024;

/** The media type of the 409 body that tells the latest cosigned size (c2sp.org/tlog-witness). */
export const TLOG_SIZE_TYPE = 'text/x.tlog.size';

const TEXT = 'text/plain; charset=utf-8';

/** Headers on every response. Reads are public, so CORS is open as on the public log. */
const SECURITY_HEADERS: Readonly<Record<string, string>> = {
  'x-content-type-options': 'nosniff',
  'content-security-policy': "default-src 'none'; frame-ancestors 'none'",
  'referrer-policy': 'no-referrer',
  'x-frame-options': 'DENY',
  'cross-origin-resource-policy': 'cross-origin',
  'access-control-allow-origin': '*',
};

interface Answer {
  readonly status: number;
  readonly type: string;
  readonly cache: string;
  readonly body: string;
  readonly headers?: Readonly<Record<string, string>>;
}

const text = (status: number, body: string, cache = 'no-store'): Answer => ({
  status,
  type: TEXT,
  cache,
  body: body.endsWith('\n') ? body : `${body}\n`,
});

function send(reply: FastifyReply, answer: Answer): FastifyReply {
  return reply
    .code(answer.status)
    .headers(SECURITY_HEADERS)
    .headers(answer.headers ?? {})
    .header('content-type', answer.type)
    .header('cache-control', answer.cache)
    .send(answer.body);
}

type Route = 'add-checkpoint' | 'checkpoints' | 'landing' | null;

const ALLOWED: Readonly<Record<Exclude<Route, null>, readonly string[]>> = {
  'add-checkpoint': ['POST'],
  checkpoints: ['GET', 'HEAD'],
  landing: ['GET', 'HEAD'],
};

/**
 * Returns the witness's HTTP server, not yet listening: call `listenWitness`, or use
 * `app.inject` in tests. Closing the app does not close the witness. Throws TypeError for a
 * prefix that does not start with "/" or ends with one.
 */
export function buildWitnessServer(
  witness: Witness,
  options: WitnessServerOptions = {},
): FastifyInstance {
  const prefix = options.prefix ?? '';
  if (prefix !== '' && (!prefix.startsWith('/') || prefix.endsWith('/'))) {
    throw new TypeError(
      `the prefix must be empty or start with "/" and not end with it: ${prefix}`,
    );
  }
  const log = options.log ?? false;
  const app = Fastify({
    logger:
      log === false
        ? false
        : { stream: log === true ? inertLogStream(process.stdout) : log.stream },
    bodyLimit: MAX_BODY_BYTES,
    requestTimeout: 30_000,
    http: { maxHeaderSize: 8 * 1024 },
    frameworkErrors: (_error, _request, reply) => {
      send(reply, text(400, 'bad request: the path is not a valid URL path'));
    },
  });

  const routeOf = (url: string): { route: Route; path: string } => {
    const q = url.indexOf('?');
    const path = q === -1 ? url : url.slice(0, q);
    if (path === `${prefix}/add-checkpoint`) return { route: 'add-checkpoint', path };
    if (path.startsWith(`${prefix}/checkpoints/`)) return { route: 'checkpoints', path };
    if (path === `${prefix}/`) return { route: 'landing', path };
    return { route: null, path };
  };
  const notFound = () =>
    text(
      404,
      `not found: this witness answers POST ${prefix}/add-checkpoint and GET ${prefix}/checkpoints/<origin>; see ${prefix}/`,
    );

  // Bodies are read as bytes whatever their type: the spec names none, and UTF-8 is checked
  // by the parser.
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'buffer' }, (_request, body, done) => {
    done(null, body);
  });

  // A callback hook, not an async one: this runs on every request, and saves a promise each.
  app.addHook('onRequest', (request, reply, done) => {
    const url = request.raw.url ?? '/';
    if (url.length > MAX_URL_LENGTH) {
      send(
        reply,
        text(
          414,
          `URI too long: this server answers paths of at most ${MAX_URL_LENGTH} characters`,
        ),
      );
      return;
    }
    const { route } = routeOf(url);
    if (route === null) {
      send(reply, notFound());
      return;
    }
    const allowed = ALLOWED[route];
    if (!allowed.includes(request.method)) {
      send(reply, {
        ...text(405, `method not allowed: use ${allowed.join(' or ')}`),
        headers: { allow: allowed.join(', ') },
      });
      return;
    }
    done();
  });

  app.route({
    method: ['GET', 'HEAD', 'POST'],
    url: '*',
    handler: async (request, reply) => {
      const { route, path } = routeOf(request.raw.url ?? '/');
      if (route === 'add-checkpoint') {
        const body = request.body instanceof Buffer ? request.body : Buffer.alloc(0);
        return send(reply, await addCheckpoint(witness, body, (e) => request.log.error(e)));
      }
      if (route === 'checkpoints') {
        return send(reply, await checkpoint(witness, path.slice(`${prefix}/checkpoints/`.length)));
      }
      if (route === 'landing') return send(reply, text(200, landingText(witness, prefix)));
      return send(reply, notFound());
    },
  });
  app.setNotFoundHandler(async (_request, reply) => send(reply, notFound()));
  app.setErrorHandler<FastifyError>(async (error, request, reply) => {
    if (error.code === 'FST_ERR_CTP_BODY_TOO_LARGE') {
      return send(
        reply,
        text(
          413,
          `request body too large: an add-checkpoint body has at most ${MAX_BODY_BYTES} bytes`,
        ),
      );
    }
    const status = error.statusCode ?? 500;
    if (status >= 400 && status < 500) {
      return send(reply, text(status, `request refused (HTTP ${status})`));
    }
    request.log.error({ err: error }, 'witness request failed');
    return send(reply, text(500, 'internal error: the witness cannot answer right now'));
  });
  return app;
}

async function addCheckpoint(
  witness: Witness,
  body: Uint8Array,
  logError: (e: unknown) => void,
): Promise<Answer> {
  try {
    const cosignature = await witness.addCheckpoint(body);
    return { status: 200, type: TEXT, cache: 'no-store', body: cosignature };
  } catch (e) {
    if (!(e instanceof WitnessRefusal)) {
      logError(e);
      return text(500, 'internal error: the checkpoint was not cosigned; try again');
    }
    if (e.status === 409 && e.latestSize !== undefined) {
      return { status: 409, type: TLOG_SIZE_TYPE, cache: 'no-store', body: `${e.latestSize}\n` };
    }
    const answer = text(e.status, e.message);
    return e.status === 503 ? { ...answer, headers: { 'retry-after': '1' } } : answer;
  }
}

async function checkpoint(witness: Witness, encoded: string): Promise<Answer> {
  let origin: string;
  try {
    origin = decodeURIComponent(encoded);
  } catch {
    return text(400, 'bad request: the origin is not valid percent-encoded UTF-8');
  }
  const note = await witness.cosignedCheckpoint(origin);
  if (note === null) {
    return text(
      404,
      `not found: this witness has cosigned no checkpoint of ${JSON.stringify(origin)}`,
    );
  }
  return { status: 200, type: TEXT, cache: 'no-cache', body: note };
}

function landingText(witness: Witness, prefix: string): string {
  return `Tamga witness

This server is the transparency log witness

  ${witness.name}

(C2SP tlog-witness, https://c2sp.org/tlog-witness). Its cosignatures (C2SP tlog-cosignature,
Ed25519 cosignature/v1) verify with the witness key:

  ${witness.verifierKey}

  POST ${prefix}/add-checkpoint            submit a checkpoint and a consistency proof
  GET  ${prefix}/checkpoints/<origin>      the latest checkpoint cosigned for a log
                                           (the origin percent-encoded)

It cosigns a log's checkpoint only when the log's key signed it and it extends every checkpoint
of that log the witness cosigned before.
`;
}
