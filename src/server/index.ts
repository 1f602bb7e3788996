/**
 * The HTTP servers (docs/design.md, "Parts"). For now, the public log: a vault's checkpoint,
 * hash tiles and entry bundles as C2SP tlog-tiles, and nothing private.
 *
 * - public-log: `buildPublicLogServer` (a Fastify app, for `inject` or `listen`) and `listen`
 * - serve: `serveCommand`, the public log until SIGINT or SIGTERM, for the CLI
 * - log-reader: the only reads of the vault the public server makes
 */
export { ServerError } from './errors.js';
export { PublicLogReader, type PublishedCheckpoint, type TileLookup } from './log-reader.js';
export {
  buildPublicLogServer,
  CACHE_CHECKPOINT,
  CACHE_IMMUTABLE,
  CACHE_PARTIAL,
  type ListenOptions,
  type LogDestination,
  listen,
  MAX_URL_LENGTH,
  type PublicLogServerOptions,
} from './public-log.js';
export { type ServeOptions, type ServeOutput, serveCommand } from './serve.js';
