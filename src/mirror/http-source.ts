/**
 * A log served over HTTP, as a pull or a restore reads it: the public tiles (C2SP tlog-tiles) and
 * the private routes under /private/v1 with a bearer token. Every answer is bounded in size
 * before it is read; transient failures (a reset connection, a 5xx, a 429) are retried a few
 * times with backoff; a refusal (401, 404) is reported at once, saying what to do.
 *
 * node:http rather than fetch: streaming an encrypted file to disk at loopback speed matters for
 * mirrors, and a socket's idle timeout is what "the server stopped sending" means.
 */
import http, { type IncomingMessage } from 'node:http';
import https from 'node:https';
import { pipeline, type Readable } from 'node:stream';
import { type EntryTile, formatTilePath, TILE_WIDTH, type Tile } from '../log/tiles.js';
import { MirrorError } from './errors.js';
import {
  type BlobPage,
  blobPageSchema,
  type CheckpointPage,
  checkpointPageSchema,
  infoSchema,
  MIRROR_LIMITS,
  type MirrorInfo,
  PRIVATE_PREFIX,
  parseDocument,
} from './format.js';
import { packLength } from './pack.js';
import type { MirrorSource } from './source.js';
import { limitStream } from './streams.js';

/** Options of an HTTP source. */
export interface HttpSourceOptions {
  /** The bearer token of the private routes; without one, only public reads work. */
  readonly token?: string;
  /** Connections kept open to the server (default 8). */
  readonly connections?: number;
  /** A request whose server sends nothing for this long fails (default 60 s). */
  readonly idleTimeoutMs?: number;
  /** Attempts of a request that fails transiently (default 4). */
  readonly attempts?: number;
}

const RETRYABLE = new Set(['ECONNRESET', 'ECONNREFUSED', 'EPIPE', 'ETIMEDOUT', 'EAI_AGAIN']);

/** A server answer that is not a success, as an error the caller can tell apart. */
class HttpStatusError extends MirrorError {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(`mirror.http-${status}`, message);
  }
}

/** A log and its private data at `url`, read over HTTP(S). */
export class HttpSource implements MirrorSource {
  readonly where: string;
  private readonly base: URL;
  /** The URL's path without its trailing slashes ('' at the root). */
  private readonly basePath: string;
  private readonly agent: http.Agent;
  private readonly token: string | undefined;
  private readonly idleTimeoutMs: number;
  private readonly attempts: number;
  /** False once the server answered that it serves no packs. */
  private packs = true;

  /** Throws MirrorError for a URL that is not http(s) or carries a query or credentials. */
  constructor(url: string, options: HttpSourceOptions = {}) {
    let parsed: URL;
    try {
      parsed = new URL(url);
    } catch {
      throw new MirrorError(
        'mirror.url',
        `${JSON.stringify(url.slice(0, 200))} is not a URL; give http(s)://host[:port][/prefix]`,
      );
    }
    if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
      throw new MirrorError(
        'mirror.url',
        `the mirror source must be an http(s) URL, not ${parsed.protocol}`,
      );
    }
    if (
      parsed.search !== '' ||
      parsed.hash !== '' ||
      parsed.username !== '' ||
      parsed.password !== ''
    ) {
      throw new MirrorError(
        'mirror.url',
        'the source URL must not carry a query, a fragment or credentials; give the token with --token',
      );
    }
    this.basePath = parsed.pathname.replace(/\/+$/, '');
    this.base = parsed;
    this.where = parsed.href;
    const connections = options.connections ?? 8;
    this.agent =
      parsed.protocol === 'https:'
        ? new https.Agent({ keepAlive: true, maxSockets: connections })
        : new http.Agent({ keepAlive: true, maxSockets: connections });
    this.token = options.token;
    this.idleTimeoutMs = options.idleTimeoutMs ?? 60_000;
    this.attempts = options.attempts ?? 4;
  }

  private url(path: string): URL {
    const u = new URL(this.base.href);
    const q = path.indexOf('?');
    u.pathname = `${this.basePath}/${q === -1 ? path : path.slice(0, q)}`;
    if (q !== -1) u.search = path.slice(q);
    return u;
  }

  /** Sends one GET; resolves to the response once its headers arrive. */
  private request(path: string, authorised: boolean): Promise<IncomingMessage> {
    const url = this.url(path);
    const headers: Record<string, string> = { 'user-agent': 'tamga-mirror/1' };
    if (authorised) {
      if (this.token === undefined) {
        throw new MirrorError(
          'mirror.no-token',
          'reading private data needs the mirror token the vault issued: give --token, or set TAMGA_MIRROR_TOKEN',
        );
      }
      headers.authorization = `Bearer ${this.token}`;
    }
    const get = url.protocol === 'https:' ? https.get : http.get;
    return new Promise((resolve, reject) => {
      const req = get(url, { agent: this.agent, headers }, resolve);
      req.setTimeout(this.idleTimeoutMs, () => {
        req.destroy(
          Object.assign(new Error(`no answer for ${this.idleTimeoutMs / 1000} s`), {
            code: 'ETIMEDOUT',
          }),
        );
      });
      req.on('error', reject);
    });
  }

  /**
   * GETs `path` and returns the response of a 200, retrying transient failures. Throws
   * HttpStatusError for another status, MirrorError when the server cannot be reached.
   */
  private async open(path: string, authorised: boolean): Promise<IncomingMessage> {
    for (let attempt = 1; ; attempt++) {
      let res: IncomingMessage;
      try {
        res = await this.request(path, authorised);
      } catch (e) {
        const code = (e as NodeJS.ErrnoException).code ?? '';
        if (RETRYABLE.has(code) && attempt < this.attempts) {
          await sleep(250 * 2 ** attempt);
          continue;
        }
        throw new MirrorError(
          'mirror.unreachable',
          `cannot reach ${this.where} (${code || (e as Error).message}); check the URL and that the server runs, then run the command again: it resumes`,
          { cause: e },
        );
      }
      const status = res.statusCode ?? 0;
      if (status === 200) return res;
      res.resume();
      if ((status >= 500 || status === 429) && attempt < this.attempts) {
        await sleep(250 * 2 ** attempt);
        continue;
      }
      throw this.statusError(status, path);
    }
  }

  private statusError(status: number, path: string): HttpStatusError {
    const what = path.split('?')[0]!;
    if (status === 401 || status === 403) {
      return new HttpStatusError(
        status,
        `${this.where} refused the mirror token (HTTP ${status}): check --token or $TAMGA_MIRROR_TOKEN; a revoked token stays refused, ask the vault for a new one (tamga mirror token)`,
      );
    }
    if (status === 404 && what.startsWith(PRIVATE_PREFIX.slice(1)) && what.endsWith('/info')) {
      return new HttpStatusError(
        status,
        `${this.where} serves no private data for mirrors (HTTP 404 on ${what}): is it a Tamga vault or mirror server?`,
      );
    }
    return new HttpStatusError(status, `${this.where} answered HTTP ${status} for ${what}`);
  }

  /** GETs `path` and returns its body, of at most `max` bytes. */
  private async bytes(path: string, max: number, authorised: boolean): Promise<Uint8Array> {
    for (let attempt = 1; ; attempt++) {
      const res = await this.open(path, authorised);
      const declared = Number(res.headers['content-length'] ?? Number.NaN);
      if (declared > max) {
        res.destroy();
        throw tooLarge(this.where, path, max);
      }
      try {
        const chunks: Buffer[] = [];
        let n = 0;
        for await (const chunk of res as AsyncIterable<Buffer>) {
          n += chunk.length;
          if (n > max) {
            res.destroy();
            throw tooLarge(this.where, path, max);
          }
          chunks.push(chunk);
        }
        return Buffer.concat(chunks, n);
      } catch (e) {
        if (e instanceof MirrorError || attempt >= this.attempts) throw wrapNetwork(this.where, e);
        await sleep(250 * 2 ** attempt);
      }
    }
  }

  private async json(path: string): Promise<unknown> {
    const body = await this.bytes(path, MIRROR_LIMITS.maxDocument, true);
    try {
      return JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(body));
    } catch {
      throw new MirrorError(
        'mirror.bad-document',
        `${this.where} answered ${path.split('?')[0]} with something that is not JSON`,
      );
    }
  }

  async info(): Promise<MirrorInfo> {
    return parseDocument(
      infoSchema,
      await this.json(`${PRIVATE_PREFIX.slice(1)}/info`),
      `the info of ${this.where}`,
    );
  }

  async latest(): Promise<string | null> {
    try {
      const body = await this.bytes('checkpoint', MIRROR_LIMITS.maxNote, false);
      return new TextDecoder('utf-8', { fatal: true }).decode(body);
    } catch (e) {
      if (e instanceof HttpStatusError && e.status === 404) return null;
      if (e instanceof TypeError) {
        throw new MirrorError(
          'mirror.bad-checkpoint',
          `the checkpoint of ${this.where} is not UTF-8 text`,
        );
      }
      throw e;
    }
  }

  async checkpoints(after: number): Promise<CheckpointPage> {
    return parseDocument(
      checkpointPageSchema,
      await this.json(`${PRIVATE_PREFIX.slice(1)}/checkpoints?after=${after}`),
      `a checkpoint page of ${this.where}`,
    );
  }

  async tile(tile: Tile): Promise<Uint8Array> {
    // A hash tile is 32 bytes a hash; an entry bundle here holds 32-byte commitments.
    const max = tile.level === 'entries' ? TILE_WIDTH * (2 + 65535) : TILE_WIDTH * 32;
    return this.bytes(formatTilePath(tile), max, false);
  }

  keyFile(): Promise<Uint8Array> {
    return this.bytes(`${PRIVATE_PREFIX.slice(1)}/keys.age`, MIRROR_LIMITS.maxKeyFile, true);
  }

  secrets(): Promise<Uint8Array> {
    return this.bytes(`${PRIVATE_PREFIX.slice(1)}/secrets.age`, MIRROR_LIMITS.maxKeyFile, true);
  }

  recordBundle(tile: EntryTile): Promise<Uint8Array> {
    const path = `${PRIVATE_PREFIX.slice(1)}/records/${formatTilePath(tile).slice('tile/entries/'.length)}`;
    return this.bytes(path, MIRROR_LIMITS.maxRecordBundle, true);
  }

  async blobs(after: string | null): Promise<BlobPage> {
    const q = after === null ? '' : `?after=${encodeURIComponent(after)}`;
    return parseDocument(
      blobPageSchema,
      await this.json(`${PRIVATE_PREFIX.slice(1)}/blobs${q}`),
      `a blob page of ${this.where}`,
    );
  }

  async openBlob(name: string, size: number): Promise<Readable> {
    const res = await this.open(`${PRIVATE_PREFIX.slice(1)}/blob/${name}`, true);
    const declared = res.headers['content-length'];
    if (declared !== undefined && Number(declared) !== size) {
      res.destroy();
      throw new MirrorError(
        'mirror.size',
        `${this.where} sends the encrypted file ${name} with ${declared} bytes, but listed it with ${size}`,
      );
    }
    // pipeline, not pipe: a connection that breaks must fail the stream, not leave it hanging.
    return pipeline(res, limitStream(size, `the encrypted file ${name}`), () => {});
  }

  async openPack(after: string | null, skip: number, limit: number): Promise<Readable | null> {
    if (!this.packs) return null;
    const q = `${after === null ? '' : `after=${encodeURIComponent(after)}&`}skip=${skip}&limit=${limit}`;
    const path = `${PRIVATE_PREFIX.slice(1)}/pack?${q}`;
    let res: IncomingMessage;
    try {
      res = await this.open(path, true);
    } catch (e) {
      // A server older than packs knows no such path: its files are fetched one by one.
      if (e instanceof HttpStatusError && e.status === 404) {
        this.packs = false;
        return null;
      }
      throw e;
    }
    const max = packLength(Array.from({ length: limit }, () => 0)) + MIRROR_LIMITS.maxPackBytes;
    if (Number(res.headers['content-length'] ?? 0) > max) {
      res.destroy();
      throw tooLarge(this.where, path, max);
    }
    return res;
  }

  async close(): Promise<void> {
    this.agent.destroy();
  }
}

function tooLarge(where: string, path: string, max: number): MirrorError {
  return new MirrorError(
    'mirror.too-large',
    `${where} answered ${path.split('?')[0]} with more than ${max} bytes; refused`,
  );
}

function wrapNetwork(where: string, e: unknown): unknown {
  if (e instanceof MirrorError) return e;
  return new MirrorError(
    'mirror.unreachable',
    `the connection to ${where} broke (${(e as NodeJS.ErrnoException).code ?? (e as Error).message}); run the command again: it resumes`,
    { cause: e },
  );
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}
