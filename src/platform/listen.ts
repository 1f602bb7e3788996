/**
 * Starting a Fastify server on an address, for every server Tamga runs (the public log, the
 * witness): one check of the port, one plain reason when binding fails.
 */
import type { FastifyInstance } from 'fastify';

/** What went wrong, for the caller to raise as its own error class. */
export interface ListenFailure {
  readonly code: 'port' | 'listen';
  readonly message: string;
  readonly cause?: unknown;
}

/**
 * Starts `app` on `host:port` and returns its base URL, `http://host:port/`, with the port it
 * got (0 picks a free one). Throws what `fail` returns for an invalid port, or when it cannot
 * bind (port in use, no permission).
 */
export async function listenOn(
  app: FastifyInstance,
  host: string,
  port: number,
  fail: (failure: ListenFailure) => Error,
): Promise<string> {
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw fail({
      code: 'port',
      message: `the port must be a whole number from 0 to 65535, not ${port}`,
    });
  }
  try {
    await app.listen({ host, port });
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    const why =
      code === 'EADDRINUSE'
        ? 'the port is in use; choose another'
        : code === 'EACCES'
          ? 'no permission to use that port; choose one above 1023'
          : (e as Error).message;
    throw fail({ code: 'listen', message: `cannot listen on ${host}:${port}: ${why}`, cause: e });
  }
  const address = app.server.address();
  const bound = typeof address === 'object' && address !== null ? address.port : port;
  return `http://${host.includes(':') ? `[${host}]` : host}:${bound}/`;
}
