/**
 * A C2SP tlog-witness (https://c2sp.org/tlog-witness): it cosigns a log's checkpoint
 * (c2sp.org/tlog-cosignature, Ed25519 cosignature/v1) only when the checkpoint is signed by a key
 * it trusts for the log and extends, by a verified RFC 6962 consistency proof, the latest
 * checkpoint it cosigned for that log. It never cosigns two different trees of one size, nor a
 * tree smaller than one it cosigned.
 *
 * The checks of add-checkpoint, in the order of the spec:
 *
 *   request does not parse                                   400 Bad Request
 *   the origin is not a log this witness witnesses           404 Not Found
 *   no valid signature by a key trusted for the origin       403 Forbidden
 *   old size > checkpoint size                               400 Bad Request
 *   old size ≠ size of the latest cosigned checkpoint        409 Conflict, text/x.tlog.size
 *   a non-empty proof from size 0, or between equal sizes    422 Unprocessable Entity
 *   same size as the latest cosigned, another root (a fork)  409 Conflict, kept as evidence
 *   the consistency proof does not verify                    422, kept as evidence
 *   otherwise: store the checkpoint, then cosign it          200, the cosignature line
 *
 * Atomicity. Checking the old size against the stored state and storing the new checkpoint must
 * be one step, or two requests could roll the state back (the race the spec spells out). Here
 * they are one SQLite transaction, `BEGIN IMMEDIATE`, that reads the state again inside it, so
 * another process sharing the database cannot interleave. Within this process nothing can
 * interleave at all: every decision runs synchronously, on the one JavaScript thread, inside
 * that transaction. The slow, stateless work comes first and concurrently — parsing, and the
 * log signatures verified on worker threads — then requests are decided one after another, in
 * the order their signatures verified, each against the state the previous one left.
 *
 * Group commit. Requests that are ready together are decided in one transaction, and nothing is
 * answered before that transaction is on disk (store.ts: the WAL is synced after the commit,
 * off the main thread, one sync for many transactions). Only then are the accepted checkpoints
 * cosigned, on the worker threads, and the cosignatures sent: a cosignature never exists for a
 * state the witness has not stored. What the transaction stores is the statement — this checkpoint, at
 * this time — and Ed25519 being deterministic, the statement and the key make the same
 * cosignature whenever it is made again (for monitors, or after a crash before the answer).
 *
 * Time. Cosignature timestamps come from an injectable clock in POSIX seconds, and never go
 * back for a log: a cosignature is stamped no earlier than the latest one for the same log.
 */
import { access, mkdir } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { type Cosigner, cosignatureMessage } from '../log/cosignature.js';
import { bytesEqual, checkUint, concatBytes, encodeBase64, encodeUtf8 } from '../log/encoding.js';
import { TamgaError, VerificationError } from '../log/errors.js';
import {
  type Ed25519Verifier,
  formatNote,
  isValidKeyName,
  type NoteSignature,
  type OpenedNote,
  parseVerifierKey,
} from '../log/note.js';
import { verifyConsistency } from '../log/proof.js';
import { sha256 } from '../log/sha256.js';
import { installNodeCrypto } from '../platform/node-crypto.js';
import { type CryptoPool, inlineCryptoPool, workerCryptoPool } from './crypto-pool.js';
import { WitnessError, WitnessRefusal } from './errors.js';
import { createKeyFile, KEY_FILE, readKeyFile, type WitnessKey } from './key-file.js';
import { openLogNote } from './log-signatures.js';
import { type AddCheckpointRequest, parseAddCheckpoint } from './request.js';
import {
  type CosignedCheckpoint,
  type EvidenceRecord,
  type LatestCheckpoint,
  type WitnessedLog,
  WitnessStore,
} from './store.js';

/** The database's name in a witness directory. */
export const DATABASE_FILE = 'witness.db';

/** Options of `Witness.open` and `Witness.init`. */
export interface WitnessOptions {
  /**
   * The time in POSIX seconds, a safe integer (anything else fails the request with a 500); by
   * default the system clock.
   */
  readonly clock?: () => number;
  /** Add-checkpoint requests in progress at once beyond which new ones get 503. Default 4096. */
  readonly maxPending?: number;
  /**
   * Worker threads for Ed25519 (verifying the logs' signatures, cosigning); 0 does it on the
   * main thread. By default one per core but one, and at least one.
   */
  readonly cryptoWorkers?: number;
}

/** What `Witness.addLog` did. */
export interface AddedLog {
  readonly origin: string;
  readonly logAdded: boolean;
  readonly keyAdded: boolean;
}

/** A cosignature the witness gave: what it cosigned, when, and the signature line. */
export interface CosignatureRecord extends CosignedCheckpoint {
  /** `— <name> <base64(key ID ‖ timestamp ‖ signature)>\n`, as it was sent. */
  readonly cosignature: string;
}

/** The most requests decided in one transaction; more wait for the next, so the loop breathes. */
const MAX_BATCH = 512;

const systemClock = () => Math.floor(Date.now() / 1000);

/** A request past the stateless checks, waiting for its turn in a transaction. */
interface Ready {
  readonly body: Uint8Array;
  readonly request: AddCheckpointRequest;
  readonly opened: OpenedNote;
  resolve(cosignature: string): void;
  reject(error: unknown): void;
}

/** The outcome of a request: stored and to be cosigned at `timestamp`, or refused. */
type Decision = { readonly timestamp: number } | { readonly refusal: WitnessRefusal };

/** A witness: its key, its database, and the add-checkpoint logic. */
export class Witness {
  /** The witness's name, the key name of its cosignatures. */
  readonly name: string;
  /** The witness verifier key `name+hex8+base64(0x04 || public key)` to give to log clients. */
  readonly verifierKey: string;
  readonly dir: string;

  private readonly store: WitnessStore;
  private readonly cosigner: Cosigner;
  private readonly clock: () => number;
  private readonly maxPending: number;
  private readonly crypto: CryptoPool;
  private readonly verifiers = new Map<string, Ed25519Verifier>();
  /** The cosigned note last made for each origin, for monitors: made again only when it changes. */
  private readonly served = new Map<string, { key: string; note: string }>();
  private queue: Ready[] = [];
  private flushScheduled = false;
  private pending = 0;
  private idle: (() => void) | null = null;
  private closed = false;
  /**
   * Set when a sync failed. After a failed fsync the kernel may have dropped the pages it could
   * not write, and a later fsync can succeed without them: the state on disk is unknown, so the
   * witness stops cosigning rather than build on it.
   */
  private broken: unknown = null;

  private constructor(dir: string, store: WitnessStore, key: WitnessKey, options: WitnessOptions) {
    this.dir = dir;
    this.store = store;
    this.cosigner = key.cosigner;
    this.name = key.cosigner.name;
    this.verifierKey = key.cosigner.verifierKey;
    this.clock = options.clock ?? systemClock;
    this.maxPending = options.maxPending ?? 4096;
    const workers = options.cryptoWorkers ?? Math.max(1, availableParallelism() - 1);
    this.crypto = workers === 0 ? inlineCryptoPool(key.seed) : workerCryptoPool(key.seed, workers);
  }

  /**
   * Creates a witness in `dir` (created if missing, mode 700) with a new cosigning key named
   * `name`, and returns it open. Throws WitnessError for an invalid name, or when `dir` already
   * holds a witness key or database.
   */
  static async init(dir: string, name: string, options: WitnessOptions = {}): Promise<Witness> {
    if (!isValidKeyName(name)) {
      throw new WitnessError(
        'witness.name',
        `invalid witness name ${JSON.stringify(name)}: use a schema-less URL you control, without spaces or plus signs (e.g. witness.example.org/w1)`,
      );
    }
    await mkdir(dir, { recursive: true, mode: 0o700 });
    const dbFile = join(dir, DATABASE_FILE);
    const exists = await access(dbFile).then(
      () => true,
      () => false,
    );
    if (exists) {
      throw new WitnessError(
        'witness.exists',
        `${dir} already holds a witness database; a witness is created once`,
      );
    }
    installNodeCrypto();
    const key = await createKeyFile(join(dir, KEY_FILE), name);
    const store = WitnessStore.open(dbFile, { create: true });
    store.immediate(() => {
      store.setMeta('name', key.cosigner.name);
      store.setMeta('verifier_key', key.cosigner.verifierKey);
      store.setMeta('created', String((options.clock ?? systemClock)()));
    });
    store.syncNow();
    return new Witness(dir, store, key, options);
  }

  /**
   * Opens the witness in `dir`. Throws WitnessError when there is no witness there, its key file
   * is unreadable, corrupt or readable by others, or belongs to another witness than the database.
   */
  static async open(dir: string, options: WitnessOptions = {}): Promise<Witness> {
    installNodeCrypto();
    const key = await readKeyFile(join(dir, KEY_FILE));
    const store = WitnessStore.open(join(dir, DATABASE_FILE));
    const recorded = store.meta('verifier_key');
    if (recorded !== key.cosigner.verifierKey) {
      await store.close();
      throw new WitnessError(
        'witness.key-mismatch',
        `the key in ${join(dir, KEY_FILE)} is not the key of this witness (${recorded ?? 'none recorded'}); restore the witness's own key file`,
      );
    }
    return new Witness(dir, store, key, options);
  }

  /**
   * Trusts the log verifier key `vkey` (`origin+hex8+base64(0x01 || Ed25519 key)`, the key name
   * being the log's origin), adding the log if new. Throws WitnessError for a key that does not
   * parse or is not Ed25519.
   */
  addLog(vkey: string): AddedLog {
    let verifier: Ed25519Verifier;
    try {
      verifier = parseVerifierKey(vkey);
    } catch (e) {
      if (!(e instanceof TamgaError)) throw e;
      throw new WitnessError(
        'witness.log-key',
        `not a log verifier key: ${e.message}. Expected <origin>+<8 hex digits>+<base64 Ed25519 key>, as the log publishes it`,
        { cause: e },
      );
    }
    const origin = verifier.name;
    const added = this.store.addLog(origin, vkey, this.now());
    this.store.syncNow();
    return { origin, ...added };
  }

  /** Returns every witnessed log with its trusted keys and latest cosigned checkpoint. */
  logs(): WitnessedLog[] {
    return this.store.logs();
  }

  /** Returns the state kept for `origin`: the latest checkpoint cosigned, or null. */
  latest(origin: string): LatestCheckpoint | null {
    return this.store.latest(origin);
  }

  /**
   * Resolves to the latest checkpoint cosigned for `origin` as a signed note — its text, the
   * log's signatures, the cosignature — or null when there is none. Like every answer, it waits
   * until what it shows is on disk: a cosignature must never be seen for a state a crash could
   * take back.
   */
  async cosignedCheckpoint(origin: string): Promise<string | null> {
    const latest = this.store.latest(origin);
    if (latest === null) return null;
    await this.store.sync();
    const key = `${latest.timestamp}\n${latest.note}`;
    const cached = this.served.get(origin);
    if (cached?.key === key) return cached.note;
    const note = this.cosignedNote(latest);
    if (this.served.size >= 10_000) this.served.clear();
    this.served.set(origin, { key, note });
    return note;
  }

  /** Returns every cosignature given for `origin`, oldest first, each line made again. */
  cosignatures(origin: string): CosignatureRecord[] {
    return this.store.cosignatures(origin).map((c) => ({
      ...c,
      cosignature: this.cosignatureLine(c.checkpoint, this.signNow(c.checkpoint, c.timestamp)),
    }));
  }

  /** Returns the evidence of misbehaviour kept for `origin`, oldest first. */
  evidence(origin: string): EvidenceRecord[] {
    return this.store.evidence(origin);
  }

  /**
   * Handles an add-checkpoint request body. Resolves to the cosignature line
   * (`— <name> <base64>\n`) once the checkpoint is stored; throws WitnessRefusal (see the table
   * above) for a request it refuses, and any other error when it cannot work (500).
   */
  async addCheckpoint(body: Uint8Array): Promise<string> {
    if (this.broken !== null) {
      throw new WitnessRefusal(
        503,
        'witness.broken',
        'the witness could not make its database durable and has stopped cosigning; its operator must check the disk and restart it',
        { cause: this.broken },
      );
    }
    if (this.closed || this.pending >= this.maxPending) {
      throw new WitnessRefusal(
        503,
        'witness.busy',
        this.closed
          ? 'the witness is shutting down; try again shortly'
          : 'the witness has too many requests in progress; try again shortly',
      );
    }
    this.pending++;
    try {
      const request = parseAddCheckpoint(body);
      const { origin, size } = request.checkpoint;
      const keys = this.store.logKeys(origin).map((k) => this.verifier(k));
      if (keys.length === 0) {
        throw new WitnessRefusal(
          404,
          'witness.unknown-log',
          `this witness does not witness the log ${JSON.stringify(origin)}`,
        );
      }
      const opened = await this.openNote(request, keys);
      if (request.oldSize > size) {
        throw new WitnessRefusal(
          400,
          'witness.old-size',
          `the old size ${request.oldSize} is larger than the checkpoint's size ${size}`,
        );
      }
      return await new Promise<string>((resolve, reject) => {
        this.queue.push({ body, request, opened, resolve, reject });
        this.scheduleFlush();
      });
    } finally {
      this.pending--;
      if (this.pending === 0) this.idle?.();
    }
  }

  /** Waits for the requests in progress, then closes the database and the workers. Idempotent. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    if (this.pending > 0) {
      await new Promise<void>((resolve) => {
        this.idle = resolve;
      });
    }
    await this.store.close();
    await this.crypto.close();
  }

  private async openNote(
    request: AddCheckpointRequest,
    keys: readonly Ed25519Verifier[],
  ): Promise<OpenedNote> {
    try {
      return await openLogNote(request.signedNote, request.note, keys, this.crypto);
    } catch (e) {
      if (!(e instanceof VerificationError)) throw e;
      throw new WitnessRefusal(
        403,
        'witness.no-log-signature',
        `the checkpoint carries no valid signature by a key this witness trusts for ${request.checkpoint.origin}: ${e.message}`,
        { cause: e },
      );
    }
  }

  private verifier(vkey: string): Ed25519Verifier {
    let v = this.verifiers.get(vkey);
    if (v === undefined) {
      v = parseVerifierKey(vkey);
      this.verifiers.set(vkey, v);
    }
    return v;
  }

  private now(): number {
    const t = this.clock();
    checkUint(t, 'the witness clock');
    return t;
  }

  private scheduleFlush(): void {
    if (this.flushScheduled) return;
    this.flushScheduled = true;
    // setImmediate, not a microtask: requests whose signatures verified in the same turn of the
    // event loop share one transaction, hence one fsync.
    setImmediate(() => this.flush());
  }

  private flush(): void {
    this.flushScheduled = false;
    const batch = this.queue.slice(0, MAX_BATCH);
    this.queue = this.queue.slice(batch.length);
    if (this.queue.length > 0) this.scheduleFlush();
    let decisions: Decision[];
    try {
      decisions = this.store.immediate(() => batch.map((r) => this.decide(r)));
    } catch (e) {
      // Rolled back: nothing was stored, so nothing may be cosigned.
      for (const r of batch) r.reject(e);
      return;
    }
    // Committed; once on disk, and only then, answer, and cosign what was accepted.
    this.store.sync().then(
      () => {
        batch.forEach((r, i) => {
          this.settle(r, decisions[i]!);
        });
      },
      (e: unknown) => {
        this.broken ??= e;
        for (const r of batch) r.reject(e);
      },
    );
  }

  private settle(r: Ready, d: Decision): void {
    if ('refusal' in d) {
      r.reject(d.refusal);
      return;
    }
    const text = r.request.note.text;
    this.crypto
      .sign(cosignatureMessage(text, d.timestamp))
      .then((signature) =>
        r.resolve(this.cosignatureLine(text, concatBytes(u64(d.timestamp), signature))),
      )
      .catch(r.reject);
  }

  /**
   * Decides one request against the stored state and, if it passes, stores it as cosigned and
   * returns the cosignature's timestamp. Must be called inside the transaction of `flush`;
   * refusals are returned, not thrown, so that one refusal does not roll back the others.
   */
  private decide(ready: Ready): Decision {
    const { request, opened } = ready;
    const { origin, size, root } = request.checkpoint;
    const { oldSize, proof } = request;
    const latest = this.store.latest(origin);
    const latestSize = latest?.size ?? 0;
    const refuse = (refusal: WitnessRefusal): Decision => ({ refusal });

    if (oldSize !== latestSize) {
      return refuse(
        new WitnessRefusal(
          409,
          'witness.stale-old-size',
          `the latest checkpoint this witness cosigned for ${origin} has size ${latestSize}, not ${oldSize}`,
          { latestSize },
        ),
      );
    }
    if (proof.length > 0 && (oldSize === 0 || oldSize === size)) {
      return refuse(
        new WitnessRefusal(
          422,
          'witness.proof-not-empty',
          oldSize === 0
            ? 'the consistency proof from size 0 must be empty'
            : `the consistency proof between two trees of size ${size} must be empty`,
        ),
      );
    }
    if (latest !== null && oldSize === size && !bytesEqual(root, latest.root)) {
      const reason = `the log signed two different roots for size ${size}: it has forked`;
      this.keepEvidence(ready, 'fork', latest, reason);
      return refuse(new WitnessRefusal(409, 'witness.fork', `conflict: ${reason}`));
    }
    if (latest !== null && oldSize > 0 && oldSize < size) {
      try {
        verifyConsistency(oldSize, size, latest.root, root, proof);
      } catch (e) {
        if (!(e instanceof TamgaError)) throw e;
        // A proof that fails is what a rewritten history looks like: keep it.
        if (e instanceof VerificationError) {
          this.keepEvidence(ready, 'inconsistent', latest, e.message);
        }
        return refuse(
          new WitnessRefusal(
            422,
            'witness.inconsistent',
            `the consistency proof from size ${oldSize} to ${size} does not verify: ${e.message}`,
            { cause: e },
          ),
        );
      }
    }

    const timestamp = Math.max(this.now(), latest?.timestamp ?? 0);
    const text = request.note.text;
    const note = formatNote({ text, signatures: opened.verified });
    this.store.recordCosignature({ origin, size, root, timestamp, checkpoint: text }, note);
    return { timestamp };
  }

  private keepEvidence(
    ready: Ready,
    kind: 'fork' | 'inconsistent',
    latest: LatestCheckpoint,
    reason: string,
  ): void {
    const { request } = ready;
    this.store.recordEvidence({
      origin: request.checkpoint.origin,
      kind,
      observed: this.now(),
      oldSize: request.oldSize,
      proof: request.proof.map((h) => `${encodeBase64(h)}\n`).join(''),
      note: request.signedNote,
      latestNote: this.cosignedNote(latest),
      reason,
      digest: sha256(ready.body),
    });
  }

  /** The stored checkpoint with its cosignature made again, on this thread. */
  private cosignedNote(latest: LatestCheckpoint): string {
    const text = latest.note.slice(0, latest.note.indexOf('\n\n') + 1);
    return `${latest.note}${this.cosignatureLine(text, this.signNow(text, latest.timestamp))}`;
  }

  /** The 72-byte cosignature (timestamp ‖ Ed25519 signature) of `text`, made by the log core. */
  private signNow(text: string, timestamp: number): Uint8Array {
    return this.cosigner.signer(timestamp).sign(encodeUtf8(text));
  }

  /** The note signature line of a 72-byte cosignature of `text`. */
  private cosignatureLine(text: string, signature: Uint8Array): string {
    const sig: NoteSignature = { name: this.cosigner.name, keyId: this.cosigner.keyId, signature };
    return formatNote({ text, signatures: [sig] }).slice(text.length + 1);
  }
}

/** `n` as the 8-byte big-endian integer that starts a cosignature (c2sp.org/tlog-cosignature). */
function u64(n: number): Uint8Array {
  const out = new Uint8Array(8);
  const view = new DataView(out.buffer);
  view.setUint32(0, Math.floor(n / 0x1_0000_0000));
  view.setUint32(4, n >>> 0);
  return out;
}
