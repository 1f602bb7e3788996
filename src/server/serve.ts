/**
 * `tamga serve`: the public log of a vault, served over HTTP until SIGINT or SIGTERM. The vault
 * is opened read-only and no key is read, so the server can run where the keys are not.
 */
import { Vault } from '../vault/vault.js';
import { buildPublicLogServer, listen } from './public-log.js';

/** Options of `serveCommand`. */
export interface ServeOptions {
  /** The vault directory. */
  readonly vault: string;
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
}

const STOP_SIGNALS = ['SIGINT', 'SIGTERM'] as const;

/**
 * Serves the public log of the vault in `opts.vault` at `http://host:port/` and prints where.
 * Resolves once the server has stopped, after SIGINT, SIGTERM or `opts.signal`, with the vault
 * closed. Throws VaultError when there is no vault there, ServerError when it cannot listen.
 */
export async function serveCommand(
  opts: ServeOptions,
  io: ServeOutput = { out: (line) => process.stdout.write(`${line}\n`) },
): Promise<void> {
  const vault = await Vault.open(opts.vault, { readonly: true });
  const app = buildPublicLogServer(vault, { log: opts.log ?? false });
  let stop = () => {};
  const stopped = new Promise<void>((resolve) => {
    stop = resolve;
  });
  for (const s of STOP_SIGNALS) process.on(s, stop);
  opts.signal?.addEventListener('abort', stop, { once: true });
  try {
    if (opts.signal?.aborted) return;
    const url = await listen(app, { host: opts.host, port: opts.port });
    io.out(`Serving the public log of ${vault.info.origin} at ${url}`);
    await stopped;
  } finally {
    for (const s of STOP_SIGNALS) process.off(s, stop);
    opts.signal?.removeEventListener('abort', stop);
    await app.close();
    vault.close();
  }
}
