/**
 * What the app serves besides its API: the public log (C2SP tlog-tiles, and the mirrors'
 * token-guarded private routes), handed to the vault's public log server so the bytes are
 * exactly what `tamga serve` publishes; the offline verifier at /verifier.html; and the
 * browser app built by Vite (web/dist/app), with index.html for every client-side route.
 */
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { extname, join, normalize, sep } from 'node:path';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { PUBLIC_PATHS } from './api.js';
import { AppError, sendError } from './errors.js';
import type { VaultHost } from './host.js';

/** Where the built browser side is. */
export interface WebFiles {
  /** The app build (index.html and assets/); null serves a placeholder page. */
  readonly appRoot: string | null;
  /** The single-file offline verifier; null serves a placeholder page. */
  readonly verifierFile: string | null;
}

/**
 * The app's Content-Security-Policy: its own scripts and styles only; images and frames also
 * from blob: (previews of files fetched by the app); workers from self and blob: (hashing).
 */
export const APP_CSP =
  "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:; " +
  "frame-src 'self' blob:; worker-src 'self' blob:; connect-src 'self'; object-src 'none'; " +
  "base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

/** The offline verifier runs inline code and may fetch nothing. */
const VERIFIER_CSP =
  "default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; img-src data: blob:; frame-ancestors 'none'";

const PAGE_HEADERS: Readonly<Record<string, string>> = {
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'same-origin',
  'x-frame-options': 'DENY',
  'cross-origin-opener-policy': 'same-origin',
};

const TYPES: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.map': 'application/json',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.woff': 'font/woff',
  '.txt': 'text/plain; charset=utf-8',
  '.webmanifest': 'application/manifest+json',
  '.wasm': 'application/wasm',
};

const PLACEHOLDER = (what: string) => `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Tamga</title></head>
<body style="font-family: system-ui, sans-serif; max-width: 40em; margin: 3em auto">
<h1>Tamga</h1>
<p>${what} is not built yet. Run <code>npm run build:web</code>, then reload this page.</p>
<p>The API answers at <a href="/api/state">/api/state</a>; the public log at
<a href="/checkpoint">/checkpoint</a>.</p>
</body></html>
`;

async function sendFile(
  reply: FastifyReply,
  file: string,
  headers: Readonly<Record<string, string>>,
): Promise<boolean> {
  const s = await stat(file).catch(() => null);
  if (s === null || !s.isFile()) return false;
  await reply
    .headers(headers)
    .header('content-type', TYPES[extname(file)] ?? 'application/octet-stream')
    .header('content-length', String(s.size))
    .send(createReadStream(file));
  return true;
}

/** Returns the file under `root` a URL path names, or null when it would leave `root`. */
function fileUnder(root: string, urlPath: string): string | null {
  let decoded: string;
  try {
    decoded = decodeURIComponent(urlPath);
  } catch {
    return null;
  }
  if (decoded.includes('\0')) return null;
  const rel = normalize(decoded).replace(/^[/\\]+/, '');
  if (rel === '' || rel.split(/[/\\]/).some((n) => n === '..' || n.startsWith('.'))) return null;
  const file = join(root, rel);
  return file.startsWith(root + sep) ? file : null;
}

/** 404 for a path under /api that names no route. */
export const apiNotFound = () =>
  new AppError(404, 'api.not-found', 'no such API route or method; see src/server/app/api.ts');

/** Registers the public log, the verifier and the app shell. */
export function staticRoutes(app: FastifyInstance, host: VaultHost, web: WebFiles): void {
  const publicLog = (request: FastifyRequest, reply: FastifyReply) => {
    const server = host.publicLogServer;
    if (server === null) {
      return reply
        .code(404)
        .header('content-type', 'text/plain; charset=utf-8')
        .header('cache-control', 'no-store')
        .send('not found: there is no vault yet, so no log to serve\n');
    }
    // The public log server answers on the raw request and response, exactly as it would alone.
    reply.hijack();
    server.routing(request.raw, reply.raw);
    return reply;
  };
  for (const url of ['/checkpoint', '/trust.txt', '/tile/*', '/private', '/private/*']) {
    app.route({ method: ['GET', 'HEAD'], url, handler: publicLog });
  }

  app.route({
    method: ['GET', 'HEAD'],
    url: PUBLIC_PATHS.verifier,
    handler: async (_request, reply) => {
      const headers = { ...PAGE_HEADERS, 'content-security-policy': VERIFIER_CSP };
      if (web.verifierFile !== null && (await sendFile(reply, web.verifierFile, headers))) {
        return reply;
      }
      return reply
        .headers(headers)
        .header('content-type', 'text/html; charset=utf-8')
        .send(PLACEHOLDER('The offline verifier'));
    },
  });

  app.route({
    method: ['GET', 'HEAD'],
    url: '*',
    handler: async (request, reply) => {
      const path = (request.raw.url ?? '/').split('?')[0]!;
      if (path === '/api' || path.startsWith('/api/')) {
        sendError(apiNotFound(), request, reply);
        return reply;
      }
      const headers = { ...PAGE_HEADERS, 'content-security-policy': APP_CSP };
      if (web.appRoot !== null) {
        const file = fileUnder(web.appRoot, path);
        // Vite names built assets by their hash: they never change under one name.
        const cache = path.startsWith('/assets/')
          ? 'public, max-age=31536000, immutable'
          : 'no-cache';
        if (
          file !== null &&
          (await sendFile(reply, file, { ...headers, 'cache-control': cache }))
        ) {
          return reply;
        }
        if (path.startsWith('/assets/')) {
          return reply.code(404).headers(headers).type('text/plain').send('not found\n');
        }
        // A client-side route: the app's shell, which routes in the browser.
        const index = join(web.appRoot, 'index.html');
        if (await sendFile(reply, index, { ...headers, 'cache-control': 'no-cache' })) {
          return reply;
        }
      }
      return reply
        .headers(headers)
        .header('content-type', 'text/html; charset=utf-8')
        .header('cache-control', 'no-cache')
        .send(PLACEHOLDER('The web app'));
    },
  });
}
