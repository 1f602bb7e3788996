/**
 * The client side of C2SP tlog-witness (https://c2sp.org/tlog-witness): the vault asks each of
 * its witnesses to cosign its latest checkpoint, with a consistency proof from the size that
 * witness last cosigned, and publishes the cosignatures it gets in the checkpoint's note.
 *
 *   POST <url>/add-checkpoint
 *   old <size>\n <proof lines>\n \n <checkpoint signed by the log>
 *
 *   200  cosignature lines           stored in the vault's checkpoint note (if they verify)
 *   409  text/x.tlog.size <size>     the witness holds another size: ask again from that size
 *   422  proof or root refused       an ALARM: the witness holds a history the vault does not
 *   403 / 404                        the witness does not trust this log (yet): its operator must
 *                                    run `tamga witness add-log`
 *
 * A witness that cannot be reached is retried later with exponential backoff (`next_attempt`);
 * nothing here ever blocks sealing, which only hands the client its latest checkpoint.
 * `askWitnessStanding` asks the same endpoint where a witness stands, for `tamga fsck --online`.
 */

import { openCheckpoint } from '../log/checkpoint.js';
import { checkCosignatures, parseCosignatureVerifierKey } from '../log/cosignature.js';
import { encodeBase64 } from '../log/encoding.js';
import { TamgaError } from '../log/errors.js';
import { formatNote } from '../log/note.js';
import { consistencyProofSync } from '../log/proof.js';
import { SyncTileHashReader } from '../log/tiles.js';
import { latestCheckpoint, tileReader } from '../vault/log-store.js';
import { assertMayAppend } from '../vault/restored.js';
import type { Vault } from '../vault/vault.js';
import {
  alarmAttemptError,
  listWitnesses,
  raiseAlarm,
  recordAttempt,
  recordWitnessSize,
  storeCosignatures,
  type WitnessEntry,
  type WitnessStanding,
} from '../vault/witnesses.js';

/** What happened when one witness was asked. */
export type WitnessOutcome =
  | {
      readonly witness: string;
      readonly status: 'cosigned';
      readonly size: number;
      readonly timestamp: number;
    }
  | { readonly witness: string; readonly status: 'up-to-date'; readonly size: number }
  | {
      readonly witness: string;
      readonly status: 'deferred';
      readonly until: string;
      readonly error: string | null;
    }
  | {
      readonly witness: string;
      readonly status: 'failed';
      readonly error: string;
      readonly retryAt: string;
    }
  | {
      readonly witness: string;
      readonly status: 'alarm';
      readonly error: string;
      readonly alarm: number;
    };

/** Options of `gatherCosignatures`. */
export interface GatherOptions {
  /** Ask witnesses that are waiting out a backoff too. */
  readonly force?: boolean;
  /** Time out each request after this many milliseconds (10 s by default). */
  readonly timeoutMs?: number;
  readonly now?: () => Date;
  /** The HTTP client; the platform's `fetch` by default. */
  readonly fetch?: typeof fetch;
  /** Only these witnesses, by name. */
  readonly only?: readonly string[];
  /** Abandons requests in flight; they count as failed attempts. */
  readonly signal?: AbortSignal;
}

/** The largest response accepted from a witness: cosignature lines, or an error text. */
export const MAX_RESPONSE_BYTES = 64 * 1024;
/** Backoff after failures: 5 s, doubling, at most an hour. */
const BACKOFF_BASE_MS = 5_000;
const BACKOFF_MAX_MS = 60 * 60 * 1000;
/** 409 answers followed in one attempt; each moves to the size the witness reports. */
const MAX_CONFLICT_RETRIES = 2;

/**
 * Asks every listed witness (in parallel) to cosign the vault's latest checkpoint, stores what
 * they cosign, records each one's state, and returns what happened with each. Never throws for
 * what a witness answers or for a witness that cannot be reached: those are outcomes. Throws
 * VaultError `vault.restored-not-taken-over`, asking no one, for a restored copy not taken over:
 * a witness that cosigned the copy's history would refuse the original's.
 */
export async function gatherCosignatures(
  vault: Vault,
  options: GatherOptions = {},
): Promise<WitnessOutcome[]> {
  assertMayAppend(vault.db);
  const latest = latestCheckpoint(vault.db);
  if (latest === null) return [];
  const witnesses = listWitnesses(vault.db).filter(
    (w) => options.only === undefined || options.only.includes(w.name),
  );
  return Promise.all(witnesses.map((w) => askWitness(vault, w, latest, options)));
}

async function askWitness(
  vault: Vault,
  w: WitnessEntry,
  latest: { size: number; note: string },
  options: GatherOptions,
): Promise<WitnessOutcome> {
  const now = options.now ?? (() => new Date());
  const db = vault.db;
  const have = db
    .prepare('SELECT timestamp FROM cosignatures WHERE size = ? AND vkey = ?')
    .get(latest.size, w.vkey) as { timestamp: number } | undefined;
  if (have !== undefined) return { witness: w.name, status: 'up-to-date', size: latest.size };
  if (!options.force && w.nextAttempt !== null && Date.parse(w.nextAttempt) > now().getTime()) {
    return { witness: w.name, status: 'deferred', until: w.nextAttempt, error: w.lastError };
  }

  const logOnly = logSignedNote(vault, latest.note);
  let oldSize = w.cosignedSize ?? 0;
  for (let attempt = 0; ; attempt++) {
    if (oldSize > latest.size) {
      return alarm(vault, w, options, {
        kind: 'witness-ahead',
        message: `witness ${w.name} says it cosigned a checkpoint of size ${oldSize}, but this vault's log has ${latest.size} entries: someone signed a checkpoint with this vault's key that the vault does not hold, or the vault was restored from an older copy`,
        evidence: { witnessSize: oldSize, vaultSize: latest.size, checkpoint: latest.note },
      });
    }
    const body = requestBody(vault, oldSize, latest.size, logOnly);
    let reply: { status: number; type: string; body: string };
    try {
      reply = await post(`${w.url}/add-checkpoint`, body, options);
    } catch (e) {
      return failed(vault, w, options, `cannot reach ${w.url}: ${(e as Error).message}`);
    }
    const evidence = {
      url: `${w.url}/add-checkpoint`,
      request: body,
      status: reply.status,
      response: reply.body,
    };
    switch (reply.status) {
      case 200:
        return cosigned(vault, w, latest.size, logOnly, reply.body, options, evidence);
      case 409: {
        if (!reply.type.startsWith('text/x.tlog.size')) {
          // Without a size, a 409 says the witness cosigned another checkpoint of this size.
          return alarm(vault, w, options, {
            kind: 'fork',
            message: `witness ${w.name} REFUSED the checkpoint of size ${latest.size} (409): it cosigned another checkpoint of that size (${firstLine(reply.body)})`,
            evidence,
          });
        }
        const size = parseSize(reply.body);
        if (size === null) {
          return failed(vault, w, options, 'the witness answered 409 with a malformed size');
        }
        recordWitnessSize(db, w.name, size);
        if (attempt >= MAX_CONFLICT_RETRIES) {
          return failed(
            vault,
            w,
            options,
            `the witness keeps reporting other sizes (last ${size})`,
          );
        }
        oldSize = size;
        continue;
      }
      case 422:
        return alarm(vault, w, options, {
          kind: 'refused',
          message: `witness ${w.name} REFUSED the checkpoint of size ${latest.size} (422): it holds a history that is not this vault's (${firstLine(reply.body)})`,
          evidence,
        });
      case 403:
      case 404:
        return failed(
          vault,
          w,
          options,
          `the witness does not ${reply.status === 404 ? 'know this log' : 'trust this log’s key'} (${reply.status}); its operator must run: tamga witness add-log --dir DIR ${vault.info.logVerifierKey}`,
        );
      default:
        return failed(
          vault,
          w,
          options,
          `the witness answered ${reply.status}: ${firstLine(reply.body)}`,
        );
    }
  }
}

/**
 * Asks one witness, now, where it stands on the vault's latest checkpoint of size N, for
 * `tamga fsck --online`: c2sp.org/tlog-witness has no read endpoint, so the question is an
 * add-checkpoint with `old N` and no proof. A witness that holds N cosigns it again (200); one
 * that holds another size answers 409 with it. A size M below N is asked again with the proof
 * from M, as a sync would (so a rewritten history shows as a 422), and M above N is answered
 * as it is: the witness cosigned more than the vault holds. Nothing is stored in the vault. Never
 * throws for what the witness answers or for a witness that cannot be reached.
 */
export async function askWitnessStanding(
  vault: Vault,
  witness: Pick<WitnessEntry, 'name' | 'vkey' | 'url'>,
  options: Pick<GatherOptions, 'timeoutMs' | 'fetch' | 'signal'> = {},
): Promise<WitnessStanding> {
  const latest = latestCheckpoint(vault.db);
  if (latest === null) return { answer: 'unusable', detail: 'the vault has no checkpoint' };
  let note: string;
  try {
    note = logSignedNote(vault, latest.note);
  } catch (e) {
    if (!(e instanceof TamgaError)) throw e;
    return { answer: 'unusable', detail: `the vault's checkpoint does not verify: ${e.message}` };
  }
  let oldSize = latest.size;
  for (let attempt = 0; ; attempt++) {
    let body: string;
    try {
      body = requestBody(vault, oldSize, latest.size, note);
    } catch (e) {
      if (!(e instanceof TamgaError)) throw e;
      return { answer: 'unusable', detail: `no proof from size ${oldSize}: ${e.message}` };
    }
    let reply: { status: number; type: string; body: string };
    try {
      reply = await post(`${witness.url}/add-checkpoint`, body, options);
    } catch (e) {
      return { answer: 'unusable', detail: `cannot reach ${witness.url}: ${(e as Error).message}` };
    }
    if (reply.status === 200) {
      try {
        const opened = checkCosignatures(
          `${note}${reply.body.endsWith('\n') ? reply.body : `${reply.body}\n`}`,
          vault.logVerifier(),
          [parseCosignatureVerifierKey(witness.vkey)],
          1,
        );
        return {
          answer: 'cosigned',
          size: latest.size,
          from: oldSize,
          timestamp: opened.cosignatures[0]!.timestamp,
        };
      } catch (e) {
        if (!(e instanceof TamgaError)) throw e;
        return {
          answer: 'unusable',
          detail: `the witness answered 200 without a valid cosignature by its key: ${e.message}`,
        };
      }
    }
    const size =
      reply.status === 409 && reply.type.startsWith('text/x.tlog.size')
        ? parseSize(reply.body)
        : null;
    if (size === null) {
      return { answer: 'refused', status: reply.status, detail: firstLine(reply.body) };
    }
    if (size >= latest.size || attempt >= MAX_CONFLICT_RETRIES) return { answer: 'holds', size };
    oldSize = size;
  }
}

/** The note with the log's own signature only: what a witness needs, and all it should get. */
function logSignedNote(vault: Vault, note: string): string {
  const opened = openCheckpoint(note, vault.logVerifier());
  return formatNote({ text: opened.note.text, signatures: opened.note.verified });
}

function requestBody(vault: Vault, oldSize: number, size: number, note: string): string {
  let proof: Uint8Array[] = [];
  if (oldSize > 0 && oldSize < size) {
    const reader = new SyncTileHashReader(size, tileReader(vault.db));
    proof = consistencyProofSync(oldSize, size, reader);
  }
  return `old ${oldSize}\n${proof.map((h) => `${encodeBase64(h)}\n`).join('')}\n${note}`;
}

function cosigned(
  vault: Vault,
  w: WitnessEntry,
  size: number,
  note: string,
  lines: string,
  options: GatherOptions,
  evidence: unknown,
): WitnessOutcome {
  let stored: Array<{ vkey: string; timestamp: number }> = [];
  let problem: string | null = null;
  try {
    stored = storeCosignatures(
      vault.db,
      size,
      `${note}${lines.endsWith('\n') ? lines : `${lines}\n`}`,
    );
  } catch (e) {
    if (!(e instanceof TamgaError)) throw e;
    problem = e.message;
  }
  const mine = stored.find((s) => s.vkey === w.vkey);
  if (mine === undefined) {
    // Already stored by another process asking at the same time is fine; anything else is not.
    const have = vault.db
      .prepare('SELECT timestamp FROM cosignatures WHERE size = ? AND vkey = ?')
      .get(size, w.vkey) as { timestamp: number } | undefined;
    if (have !== undefined && problem === null) {
      recordAttempt(
        vault.db,
        w.name,
        { ok: true, size, timestamp: have.timestamp },
        (options.now ?? (() => new Date()))(),
      );
      return { witness: w.name, status: 'cosigned', size, timestamp: have.timestamp };
    }
    return alarm(vault, w, options, {
      kind: 'bad-cosignature',
      message: `witness ${w.name} answered 200 without a valid cosignature by its key${problem ? `: ${problem}` : ''}`,
      evidence,
    });
  }
  recordAttempt(
    vault.db,
    w.name,
    { ok: true, size, timestamp: mine.timestamp },
    (options.now ?? (() => new Date()))(),
  );
  return { witness: w.name, status: 'cosigned', size, timestamp: mine.timestamp };
}

function failed(
  vault: Vault,
  w: WitnessEntry,
  options: GatherOptions,
  error: string,
): WitnessOutcome {
  const now = (options.now ?? (() => new Date()))();
  const delay = Math.min(BACKOFF_BASE_MS * 2 ** Math.min(w.failures, 20), BACKOFF_MAX_MS);
  // Up to a fifth more, so that vaults behind one outage do not all come back at once.
  const retryAt = new Date(now.getTime() + delay * (1 + Math.random() / 5));
  recordAttempt(vault.db, w.name, { ok: false, error, retryAt }, now);
  return { witness: w.name, status: 'failed', error, retryAt: retryAt.toISOString() };
}

function alarm(
  vault: Vault,
  w: WitnessEntry,
  options: GatherOptions,
  what: { kind: string; message: string; evidence: unknown },
): WitnessOutcome {
  const now = (options.now ?? (() => new Date()))();
  const id = raiseAlarm(vault.db, { source: w.name, ...what }, now);
  // An alarm is not cured by retrying soon: wait the longest backoff, or until asked by hand.
  const retryAt = new Date(now.getTime() + BACKOFF_MAX_MS);
  recordAttempt(
    vault.db,
    w.name,
    { ok: false, error: alarmAttemptError(id, what.message), retryAt },
    now,
  );
  return { witness: w.name, status: 'alarm', error: what.message, alarm: id };
}

async function post(
  url: string,
  body: string,
  options: GatherOptions,
): Promise<{ status: number; type: string; body: string }> {
  const doFetch = options.fetch ?? fetch;
  const response = await doFetch(url, {
    method: 'POST',
    body,
    headers: { 'content-type': 'text/plain; charset=utf-8' },
    redirect: 'error',
    signal: AbortSignal.any([
      AbortSignal.timeout(options.timeoutMs ?? 10_000),
      ...(options.signal ? [options.signal] : []),
    ]),
  });
  return {
    status: response.status,
    type: response.headers.get('content-type') ?? '',
    body: await readBounded(response),
  };
}

/** Reads a response body of at most MAX_RESPONSE_BYTES as UTF-8; throws beyond that. */
async function readBounded(response: Response): Promise<string> {
  if (response.body === null) return '';
  const chunks: Uint8Array[] = [];
  let total = 0;
  const reader = response.body.getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.length;
    if (total > MAX_RESPONSE_BYTES) {
      await reader.cancel();
      throw new Error(`the response is larger than ${MAX_RESPONSE_BYTES} bytes`);
    }
    chunks.push(value);
  }
  return new TextDecoder('utf-8', { fatal: false }).decode(Buffer.concat(chunks));
}

function parseSize(body: string): number | null {
  const m = /^(0|[1-9][0-9]{0,15})\n?$/.exec(body);
  if (m === null) return null;
  const n = Number(m[1]);
  return Number.isSafeInteger(n) ? n : null;
}

function firstLine(text: string): string {
  const line = text.split('\n', 1)[0] ?? '';
  // A witness's words, shown to a person: no control characters, bounded.
  return line.replace(/[\p{Cc}]/gu, '?').slice(0, 200);
}
