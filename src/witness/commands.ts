/**
 * The witness commands, as functions the CLI calls with its options and a context: create a
 * witness, trust a log, serve. They print what a person needs on the context's lines and throw
 * WitnessError (exit code 1) for what stops them.
 */

import { resolve } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { formatWitnessStatement } from '../evidence/trust.js';
import { listenOn } from '../platform/listen.js';
import { WitnessError } from './errors.js';
import { KEY_FILE } from './key-file.js';
import { buildWitnessServer } from './server.js';
import { type AddedLog, Witness, type WitnessOptions } from './witness.js';

/**
 * Where a command writes and where it stands; the CLI's CommandContext is one. `out` is standard
 * output, for what scripts read; `err` standard error, for people.
 */
export interface WitnessCommandContext {
  out(line: string): void;
  err(line: string): void;
  readonly cwd: string;
}

/** Options of `witnessInit`. */
export interface WitnessInitOptions {
  /** The witness directory, created if missing. */
  readonly dir: string;
  /** The witness's name: a schema-less URL its operator controls, e.g. witness.example.org/w1. */
  readonly name: string;
}

/**
 * Creates a witness in `opts.dir` with a new cosigning key, and prints its verifier key (C2SP
 * vkey, type 0x04) alone on a line of standard output. Resolves to the directory and the key.
 * Throws WitnessError for an invalid name or a directory that already holds a witness.
 */
export async function witnessInit(
  opts: WitnessInitOptions,
  ctx: WitnessCommandContext,
): Promise<{ dir: string; verifierKey: string }> {
  const dir = resolve(ctx.cwd, opts.dir);
  const witness = await Witness.init(dir, opts.name);
  await witness.close();
  ctx.err(`Created the witness ${witness.name} in ${dir}.`);
  ctx.err(
    `Its cosigning key is in ${resolve(dir, KEY_FILE)}, readable by you alone: whoever holds that file can cosign in the witness's name.`,
  );
  ctx.err('Give this witness verifier key to the logs and to those who check their cosignatures:');
  ctx.out(witness.verifierKey);
  return { dir, verifierKey: witness.verifierKey };
}

/** Options of `witnessAddLog`. */
/**
 * Prints the witness's key statement (name, verifier key, its sigsum policy line and its
 * fingerprint) on standard output. Throws WitnessError when `opts.dir` holds no witness.
 */
export async function witnessTrust(
  opts: { dir: string },
  ctx: WitnessCommandContext,
): Promise<string> {
  const witness = await Witness.open(resolve(ctx.cwd, opts.dir));
  try {
    const text = formatWitnessStatement({ name: witness.name, verifierKey: witness.verifierKey });
    for (const line of text.trimEnd().split('\n')) ctx.out(line);
    ctx.err(
      "Give this to each union you witness, and publish the fingerprint: verifiers compare it with the witness keys in the union's trust statement.",
    );
    return text;
  } finally {
    await witness.close();
  }
}

export interface WitnessAddLogOptions {
  readonly dir: string;
  /** The log's verifier key, as the log publishes it; its name is the log's origin. */
  readonly vkey: string;
}

/**
 * Makes the witness in `opts.dir` witness the log whose verifier key is `opts.vkey` (or trust
 * one more key for a log it witnesses already), and says which. Throws WitnessError when there
 * is no witness there or the key is not an Ed25519 log verifier key.
 */
export async function witnessAddLog(
  opts: WitnessAddLogOptions,
  ctx: WitnessCommandContext,
): Promise<AddedLog> {
  const witness = await Witness.open(resolve(ctx.cwd, opts.dir));
  try {
    const added = witness.addLog(opts.vkey.trim());
    const { origin } = added;
    if (added.logAdded) {
      ctx.out(`Now witnessing ${origin}; its checkpoints must be signed by ${opts.vkey.trim()}`);
    } else if (added.keyAdded) {
      const n = witness.logs().find((l) => l.origin === origin)?.keys.length ?? 0;
      ctx.out(`Now trusting one more key for ${origin} (${n} in all): ${opts.vkey.trim()}`);
    } else {
      ctx.out(`Already witnessing ${origin} with that key; nothing changed`);
    }
    return added;
  } finally {
    await witness.close();
  }
}

/** Options of `witnessServe`. */
export interface WitnessServeOptions {
  readonly dir: string;
  readonly host: string;
  /** The port; 0 picks a free one, which the printed URL names. */
  readonly port: number;
  /** The URL prefix of the routes, such as `/witness`; none by default. */
  readonly prefix?: string;
  /** Logs each request as a JSON line on standard output. */
  readonly log?: boolean;
  /** Stops the server as a signal would; for tests and for programs that embed it. */
  readonly signal?: AbortSignal;
  /** The clock and limits of the witness; for tests. */
  readonly witness?: WitnessOptions;
}

const STOP_SIGNALS = ['SIGINT', 'SIGTERM'] as const;

/**
 * Serves the witness in `opts.dir` at `http://host:port/<prefix>` and prints that URL. Resolves
 * once it has stopped, after SIGINT, SIGTERM or `opts.signal`, with requests in progress answered
 * and the database closed. Throws WitnessError when there is no witness there or it cannot listen.
 */
export async function witnessServe(
  opts: WitnessServeOptions,
  ctx: WitnessCommandContext,
): Promise<void> {
  const witness = await Witness.open(resolve(ctx.cwd, opts.dir), opts.witness ?? {});
  let app: FastifyInstance | undefined;
  let stop = () => {};
  const stopped = new Promise<void>((resolvePromise) => {
    stop = resolvePromise;
  });
  for (const s of STOP_SIGNALS) process.on(s, stop);
  opts.signal?.addEventListener('abort', stop, { once: true });
  try {
    app = buildWitnessServer(witness, {
      log: opts.log ?? false,
      ...(opts.prefix === undefined ? {} : { prefix: opts.prefix }),
    });
    if (opts.signal?.aborted) return;
    const url = await listenWitness(app, opts.host, opts.port);
    const prefix =
      opts.prefix === undefined || opts.prefix === '' ? '' : `${opts.prefix.slice(1)}/`;
    ctx.out(`Serving the witness ${witness.name} at ${url}${prefix}`);
    await stopped;
  } finally {
    for (const s of STOP_SIGNALS) process.off(s, stop);
    opts.signal?.removeEventListener('abort', stop);
    await app?.close();
    await witness.close();
  }
}

/**
 * Starts `app` listening and returns its base URL `http://host:port/` with the port it got.
 * Throws WitnessError for an invalid port, or when it cannot bind.
 */
export async function listenWitness(
  app: FastifyInstance,
  host: string,
  port: number,
): Promise<string> {
  return listenOn(
    app,
    host,
    port,
    (f) => new WitnessError(`witness.${f.code}`, f.message, { cause: f.cause }),
  );
}
