/**
 * `tamga serve`: the public log of a vault, served over HTTP until SIGINT or SIGTERM. The vault
 * is opened read-only and no key is read, so the server can run where the keys are not. The
 * private routes for mirrors (/private/v1, see private-routes.ts) answer only mirror tokens.
 * When the vault lists witnesses, it keeps asking them to cosign (src/witness/background.ts).
 *
 * With `mirror`, serves a mirror directory instead, read-only: its public log to anyone, and the
 * same private routes behind the one token given (none given: they answer 401 to everyone).
 */
import { MirrorDirectory } from '../mirror/mirror-dir.js';
import { vaultPrivateStore } from '../mirror/vault-store.js';
import { writeLine } from '../platform/terminal.js';
import { Vault } from '../vault/vault.js';
import { startBackgroundCosigning } from '../witness/background.js';
import { privateRoutes } from './private-routes.js';
import { buildLogServer, buildPublicLogServer, listen } from './public-log.js';

/** Options of `serveCommand`. */
export interface ServeOptions {
  /** The vault directory. */
  readonly vault: string;
  /** A mirror directory to serve instead of the vault. */
  readonly mirror?: string;
  /** The bearer token the served mirror's private routes accept. */
  readonly token?: string;
  readonly host: string;
  /** The port; 0 picks a free one, which the printed URL names. */
  readonly port: number;
  /** Logs each request as a JSON line on standard output. */
  readonly log?: boolean;
  /** Stops the server as a signal would; for tests and for programs that embed it. */
  readonly signal?: AbortSignal;
}

/** Where the command writes its lines; a CLI CommandContext will do. */
export interface ServeOutput {
  out(line: string): void;
  /** What the witnesses answer, as it happens; standard error by default. */
  err?(line: string): void;
}

const STOP_SIGNALS = ['SIGINT', 'SIGTERM'] as const;

/**
 * Serves the public log of the vault in `opts.vault` at `http://host:port/` and prints where.
 * Resolves once the server has stopped, after SIGINT, SIGTERM or `opts.signal`, with the vault
 * closed. Throws VaultError when there is no vault there, ServerError when it cannot listen.
 */
export async function serveCommand(
  opts: ServeOptions,
  io: ServeOutput = { out: (line) => writeLine(process.stdout, line) },
): Promise<void> {
  if (opts.mirror !== undefined) return serveMirror({ ...opts, mirror: opts.mirror }, io);
  const vault = await Vault.open(opts.vault, { readonly: true });
  const app = buildPublicLogServer(vault, {
    log: opts.log ?? false,
    privateRoutes: privateRoutes(vaultPrivateStore(vault)),
  });
  let stop = () => {};
  const stopped = new Promise<void>((resolve) => {
    stop = resolve;
  });
  for (const s of STOP_SIGNALS) process.on(s, stop);
  opts.signal?.addEventListener('abort', stop, { once: true });
  let cosigning: { stop(): Promise<void> } | null = null;
  try {
    if (opts.signal?.aborted) return;
    const url = await listen(app, { host: opts.host, port: opts.port });
    io.out(`Serving the public log of ${vault.info.origin} at ${url}`);
    // The witnesses are asked for whatever they have not cosigned, on a connection of its own
    // (this one is read-only), and each cosignature is published as it comes.
    cosigning = await startBackgroundCosigning(
      opts.vault,
      io.err?.bind(io) ?? ((line) => writeLine(process.stderr, line)),
    );
    await stopped;
  } finally {
    for (const s of STOP_SIGNALS) process.off(s, stop);
    opts.signal?.removeEventListener('abort', stop);
    await cosigning?.stop();
    await app.close();
    vault.close();
  }
}

/** Serves the mirror directory `opts.mirror` until stopped, as `serveCommand` serves a vault. */
async function serveMirror(
  opts: ServeOptions & { mirror: string },
  io: ServeOutput,
): Promise<void> {
  const mirror = MirrorDirectory.open(
    opts.mirror,
    opts.token === undefined ? {} : { token: opts.token },
  );
  const app = buildLogServer(
    {
      origin: mirror.state.origin,
      verifierKey: mirror.state.logVerifierKey,
      reader: { checkpoint: () => mirror.checkpoint(), tile: (t) => mirror.tileLookup(t) },
    },
    { log: opts.log ?? false, privateRoutes: privateRoutes(mirror) },
  );
  let stop = () => {};
  const stopped = new Promise<void>((resolve) => {
    stop = resolve;
  });
  for (const s of STOP_SIGNALS) process.on(s, stop);
  opts.signal?.addEventListener('abort', stop, { once: true });
  try {
    if (opts.signal?.aborted) return;
    const url = await listen(app, { host: opts.host, port: opts.port });
    io.out(
      `Serving the mirror of ${mirror.state.origin} (${mirror.accepted().size} records) at ${url}` +
        (opts.token
          ? ' — its private data to the mirror token given'
          : ' — private data off: no mirror token given'),
    );
    await stopped;
  } finally {
    for (const s of STOP_SIGNALS) process.off(s, stop);
    opts.signal?.removeEventListener('abort', stop);
    await app.close();
  }
}
