/**
 * The private routes, under /private/v1 (docs/mirror.md): a log's encrypted private data, for
 * mirrors holding a token. Mounted by `tamga serve` on the public log server, for a vault and
 * for a served mirror alike, over one `PrivateStore`.
 *
 * Every request is authorised first, whatever its path: without `Authorization: Bearer <token>`
 * matching a token the store accepts, the answer is 401 with a fixed body, so a client without a
 * token learns nothing, not even which paths exist. Bodies never echo the request. Pages and packs
 * are bounded; encrypted files are streamed from disk as stored. Nothing here is cached by proxies.
 */
import { createReadStream } from 'node:fs';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { FormatError, LimitError } from '../log/errors.js';
import { type EntryTile, parseTilePath } from '../log/tiles.js';
import { BLOB_NAME, MIRROR_LIMITS, PRIVATE_PREFIX } from '../mirror/format.js';
import { packLength } from '../mirror/pack.js';
import { packStream } from '../mirror/pack-stream.js';
import type { PrivateStore } from '../mirror/private-store.js';

/** Answers one request under /private/; the public server calls it for those paths. */
export type PrivateRoutes = (request: FastifyRequest, reply: FastifyReply) => Promise<FastifyReply>;

/** True when `url` (raw, with any query) is under /private/. */
export function isPrivatePath(url: string): boolean {
  return url === '/private' || url.startsWith('/private/') || url.startsWith('/private?');
}

const HEADERS: Readonly<Record<string, string>> = {
  'x-content-type-options': 'nosniff',
  'content-security-policy': "default-src 'none'; frame-ancestors 'none'",
  'referrer-policy': 'no-referrer',
  'x-frame-options': 'DENY',
  'cache-control': 'no-store',
};

const TEXT = 'text/plain; charset=utf-8';
const JSON_TYPE = 'application/json';
const OCTETS = 'application/octet-stream';

const UNAUTHORISED =
  'unauthorized: the private routes need a mirror token the vault issued (tamga mirror token), as Authorization: Bearer <token>\n';

function text(reply: FastifyReply, status: number, body: string): FastifyReply {
  return reply
    .code(status)
    .headers(HEADERS)
    .header('content-type', TEXT)
    .send(body.endsWith('\n') ? body : `${body}\n`);
}

function bytes(reply: FastifyReply, type: string, body: Uint8Array): FastifyReply {
  return reply
    .code(200)
    .headers(HEADERS)
    .header('content-type', type)
    .send(Buffer.from(body.buffer, body.byteOffset, body.byteLength));
}

function json(reply: FastifyReply, value: unknown): FastifyReply {
  return reply
    .code(200)
    .headers(HEADERS)
    .header('content-type', JSON_TYPE)
    .send(JSON.stringify(value));
}

/** Returns the bearer token of a request, or null. */
function bearer(request: FastifyRequest): string | null {
  const h = request.headers.authorization;
  if (typeof h !== 'string' || h.length > MIRROR_LIMITS.maxToken + 7) return null;
  const m = /^Bearer ([\x21-\x7e]+)$/.exec(h);
  return m ? m[1]! : null;
}

/** A decimal safe integer from a query parameter, or null when malformed or out of range. */
function decimal(value: string | null, min: number, max: number): number | null {
  if (value === null || !/^(0|[1-9][0-9]{0,15})$/.test(value)) return null;
  const n = Number(value);
  return Number.isSafeInteger(n) && n >= min && n <= max ? n : null;
}

/** Returns the private routes over `store`. */
export function privateRoutes(store: PrivateStore): PrivateRoutes {
  return async (request, reply) => {
    const token = bearer(request);
    if (token === null || !store.authorize(token)) {
      reply.header('www-authenticate', 'Bearer realm="tamga-mirror"');
      return text(reply, 401, UNAUTHORISED);
    }
    const url = request.raw.url ?? '';
    const q = url.indexOf('?');
    const path = q === -1 ? url : url.slice(0, q);
    const query = new URLSearchParams(q === -1 ? '' : url.slice(q + 1));
    const prefix = `${PRIVATE_PREFIX}/`;
    if (!path.startsWith(prefix)) return notFound(reply);
    const route = path.slice(prefix.length);
    try {
      return await answer(store, route, query, request, reply);
    } catch (e) {
      request.log.error({ err: e }, 'cannot serve private data');
      return text(reply, 500, 'internal error: the private data cannot be read right now');
    }
  };
}

function notFound(reply: FastifyReply): FastifyReply {
  return text(
    reply,
    404,
    `not found: the private routes are ${PRIVATE_PREFIX}/info, keys.age, secrets.age, checkpoints, records/<N>[.p/<W>], blobs, blob/<name> and pack`,
  );
}

async function answer(
  store: PrivateStore,
  route: string,
  query: URLSearchParams,
  request: FastifyRequest,
  reply: FastifyReply,
): Promise<FastifyReply> {
  switch (route) {
    case 'info':
      return json(reply, store.info());
    case 'keys.age':
      return bytes(reply, OCTETS, await store.keyFile());
    case 'secrets.age':
      return bytes(reply, OCTETS, await store.secrets());
    case 'checkpoints': {
      const max = MIRROR_LIMITS.maxCheckpointsPerPage;
      const after = query.has('after')
        ? decimal(query.get('after'), 0, Number.MAX_SAFE_INTEGER)
        : 0;
      const limit = query.has('limit') ? decimal(query.get('limit'), 1, max) : max;
      if (after === null || limit === null) {
        return text(
          reply,
          400,
          `bad request: after is a tree size, limit a number from 1 to ${max}`,
        );
      }
      return json(reply, store.checkpoints(after, limit));
    }
    case 'blobs': {
      const max = MIRROR_LIMITS.maxBlobsPerPage;
      const after = query.get('after');
      const limit = query.has('limit') ? decimal(query.get('limit'), 1, max) : max;
      if (limit === null || (after !== null && (after.length === 0 || after.length > 128))) {
        return text(
          reply,
          400,
          `bad request: after is the cursor of the previous page, limit a number from 1 to ${max}`,
        );
      }
      const page = await store.blobs(after, limit);
      if (page === null)
        return text(reply, 400, 'bad request: that cursor is not one this server gave');
      return json(reply, page);
    }
    case 'pack':
      return pack(store, query, request, reply);
  }
  if (route.startsWith('records/')) {
    let tile: EntryTile;
    try {
      const t = parseTilePath(`tile/entries/${route.slice('records/'.length)}`);
      if (t.level !== 'entries') return notFound(reply);
      tile = t;
    } catch (e) {
      if (e instanceof FormatError || e instanceof LimitError) {
        return text(
          reply,
          400,
          'bad request: a record bundle is records/<N>[.p/<W>], N and W as in C2SP tlog-tiles',
        );
      }
      throw e;
    }
    const bundle = await store.recordBundle(tile);
    if (bundle === null) {
      return text(reply, 404, 'not found: the latest checkpoint does not hold that record bundle');
    }
    return bytes(reply, OCTETS, bundle);
  }
  if (route.startsWith('blob/')) {
    const name = route.slice('blob/'.length);
    const found = BLOB_NAME.test(name) ? await store.blob(name) : null;
    if (found === null) return text(reply, 404, 'not found: no encrypted file of that name');
    reply
      .code(200)
      .headers(HEADERS)
      .header('content-type', OCTETS)
      .header('content-length', found.size);
    if (request.method === 'HEAD') return reply.send();
    return reply.send(createReadStream(found.path, { highWaterMark: 1 << 20 }));
  }
  return notFound(reply);
}

/**
 * pack?after=C&skip=K&limit=N: the files `blobs?after=C&limit=K+N` lists, without the first K, as
 * one pack (src/mirror/pack.ts); only as many of them, in order, as fit in maxPackBytes.
 */
async function pack(
  store: PrivateStore,
  query: URLSearchParams,
  request: FastifyRequest,
  reply: FastifyReply,
): Promise<FastifyReply> {
  const max = MIRROR_LIMITS.maxBlobsPerPage;
  const after = query.get('after');
  const skip = query.has('skip') ? decimal(query.get('skip'), 0, max - 1) : 0;
  const limit = query.has('limit') ? decimal(query.get('limit'), 1, max) : null;
  if (
    skip === null ||
    limit === null ||
    skip + limit > max ||
    (after !== null && (after.length === 0 || after.length > 128))
  ) {
    return text(
      reply,
      400,
      `bad request: after is the cursor of a page of blobs, skip and limit numbers that add up to at most ${max}, limit at least 1`,
    );
  }
  const listed = await store.blobFiles(after, skip, limit);
  if (listed === null)
    return text(reply, 400, 'bad request: that cursor is not one this server gave');
  let bytes = 0;
  let n = 0;
  while (n < listed.length && bytes + listed[n]!.size <= MIRROR_LIMITS.maxPackBytes) {
    bytes += listed[n++]!.size;
  }
  const files = listed.slice(0, n);
  reply
    .code(200)
    .headers(HEADERS)
    .header('content-type', OCTETS)
    .header('content-length', packLength(files.map((f) => f.size)));
  if (request.method === 'HEAD') return reply.send();
  return reply.send(packStream(files));
}
