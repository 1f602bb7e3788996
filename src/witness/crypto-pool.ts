/**
 * Ed25519 on worker threads: the logs' signatures verified, and the witness's cosignatures made,
 * while the main thread answers HTTP and runs the database. Verifying a log's signature and
 * cosigning are most of a witness's work, and Node does both on the thread that asks.
 *
 * What is asked in the same turn of the event loop goes to the workers in small messages, each
 * one transferred buffer, so crossing threads costs little per signature, and a worker answers
 * each message as soon as it is done: the main thread decides and answers the first requests
 * while the workers handle the next. The workers run a few lines of plain JavaScript over
 * `node:crypto` (evaluated, so they need no TypeScript loader). They hold the witness's seed, as
 * the main thread does: the key never leaves the process.
 */
import { Worker } from 'node:worker_threads';
import { ed25519 } from '../log/ed25519.js';

/** Ed25519 verification with any key, and signing with the witness's key. */
export interface CryptoPool {
  /** Resolves to whether `signature` is a valid signature of `message` by `publicKey`. */
  verify(publicKey: Uint8Array, message: Uint8Array, signature: Uint8Array): Promise<boolean>;
  /** Resolves to the 64-byte Ed25519 signature of `message` by the witness's key. */
  sign(message: Uint8Array): Promise<Uint8Array>;
  /** Stops the workers; what is in progress is rejected. */
  close(): Promise<void>;
}

/** Ed25519 on the calling thread, through the log core: for tests and tiny witnesses. */
export function inlineCryptoPool(seed: Uint8Array): CryptoPool {
  const secret = seed.slice();
  return {
    async verify(publicKey, message, signature) {
      return signature.length === 64 && ed25519.verify(signature, message, publicKey);
    },
    async sign(message) {
      return ed25519.sign(message, secret);
    },
    async close() {},
  };
}

// An entry: kind (0 verify, 1 sign), public key (32 bytes), signature (64), message length
// (u32). A message: n (u32), n entries, then the n messages. The answer: n × 65 bytes, a byte
// that is 1 for a valid signature, then the signature made (zeroes for a verification).
const ENTRY_SIZE = 1 + 32 + 64 + 4;
const ANSWER_SIZE = 1 + 64;
const VERIFY = 0;
const SIGN = 1;

/** The most entries sent to a worker in one message. */
const MAX_MESSAGE_ITEMS = 8;

const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const { createPrivateKey, createPublicKey, sign, verify } = require('node:crypto');
const PKCS8_PREFIX = Buffer.from('302e020100300506032b657004220420', 'hex');
const SPKI_PREFIX = Buffer.from('302a300506032b6570032100', 'hex');
const signingKey = createPrivateKey({
  key: Buffer.concat([PKCS8_PREFIX, Buffer.from(workerData.seed)]),
  format: 'der',
  type: 'pkcs8',
});
// Importing a key costs more than verifying with it, and a witness's logs have few keys.
const keys = new Map();
function keyObject(pub) {
  const id = pub.toString('base64');
  let key = keys.get(id);
  if (key === undefined) {
    if (keys.size >= 10000) keys.clear();
    key = createPublicKey({ key: Buffer.concat([SPKI_PREFIX, pub]), format: 'der', type: 'spki' });
    keys.set(id, key);
  }
  return key;
}
parentPort.on('message', ({ id, batch }) => {
  const buf = Buffer.from(batch);
  const n = buf.readUInt32BE(0);
  const answer = Buffer.alloc(n * ${ANSWER_SIZE});
  let message = 4 + n * ${ENTRY_SIZE};
  for (let i = 0; i < n; i++) {
    const entry = 4 + i * ${ENTRY_SIZE};
    const length = buf.readUInt32BE(entry + 97);
    const data = buf.subarray(message, message + length);
    message += length;
    try {
      if (buf[entry] === ${SIGN}) {
        answer[i * ${ANSWER_SIZE}] = 1;
        sign(null, data, signingKey).copy(answer, i * ${ANSWER_SIZE} + 1);
      } else {
        const ok = verify(null, data, keyObject(buf.subarray(entry + 1, entry + 33)), buf.subarray(entry + 33, entry + 97));
        answer[i * ${ANSWER_SIZE}] = ok ? 1 : 0;
      }
    } catch {
      answer[i * ${ANSWER_SIZE}] = 0;
    }
  }
  const out = answer.buffer.slice(answer.byteOffset, answer.byteOffset + answer.length);
  parentPort.postMessage({ id, answer: out }, [out]);
});
`;

interface Item {
  readonly kind: typeof VERIFY | typeof SIGN;
  readonly publicKey: Uint8Array | null;
  readonly signature: Uint8Array | null;
  readonly message: Uint8Array;
  /** Gets the answer's 65 bytes: the validity byte, and the signature made. */
  settle(answer: Uint8Array): void;
  reject(error: unknown): void;
}

interface Lane {
  readonly worker: Worker;
  /** Items sent and not yet answered, by message id. */
  readonly sent: Map<number, Item[]>;
  load: number;
}

/** Packs items into one buffer, to be transferred rather than copied (see the worker). */
function pack(items: readonly Item[]): ArrayBuffer {
  let size = 4 + items.length * ENTRY_SIZE;
  for (const x of items) size += x.message.length;
  const buf = new ArrayBuffer(size);
  const bytes = new Uint8Array(buf);
  const view = new DataView(buf);
  view.setUint32(0, items.length);
  let message = 4 + items.length * ENTRY_SIZE;
  items.forEach((x, i) => {
    const entry = 4 + i * ENTRY_SIZE;
    bytes[entry] = x.kind;
    if (x.publicKey !== null) bytes.set(x.publicKey, entry + 1);
    if (x.signature !== null) bytes.set(x.signature, entry + 33);
    view.setUint32(entry + 97, x.message.length);
    bytes.set(x.message, message);
    message += x.message.length;
  });
  return buf;
}

/**
 * Returns a pool of `workers` threads (at least 1) that verify signatures and sign with the
 * Ed25519 `seed`. Workers start with the first request and are unref'd: they never keep the
 * process alive by themselves. A worker that dies fails what it held and is replaced.
 */
export function workerCryptoPool(seed: Uint8Array, workers: number): CryptoPool {
  const lanes: Lane[] = [];
  let queue: Item[] = [];
  let scheduled = false;
  let nextId = 0;
  let closed = false;

  const start = (): Lane => {
    const lane: Lane = {
      worker: new Worker(WORKER_SOURCE, { eval: true, workerData: { seed: seed.slice() } }),
      sent: new Map(),
      load: 0,
    };
    lane.worker.unref();
    lane.worker.on('message', ({ id, answer }: { id: number; answer: ArrayBuffer }) => {
      const items = lane.sent.get(id);
      if (items === undefined) return;
      lane.sent.delete(id);
      lane.load -= items.length;
      const bytes = new Uint8Array(answer);
      items.forEach((item, i) => {
        item.settle(bytes.subarray(i * ANSWER_SIZE, (i + 1) * ANSWER_SIZE));
      });
    });
    const fail = (error: unknown) => {
      for (const items of lane.sent.values()) for (const item of items) item.reject(error);
      lane.sent.clear();
      lane.load = 0;
      if (!closed) {
        const i = lanes.indexOf(lane);
        if (i >= 0) lanes[i] = start();
      }
    };
    lane.worker.on('error', fail);
    lane.worker.on('exit', (code) => {
      if (!closed) fail(new Error(`an Ed25519 worker stopped (exit code ${code})`));
    });
    return lane;
  };

  const flush = () => {
    scheduled = false;
    const items = queue;
    queue = [];
    for (let offset = 0; offset < items.length; offset += MAX_MESSAGE_ITEMS) {
      const part = items.slice(offset, offset + MAX_MESSAGE_ITEMS);
      const lane = lanes.reduce((a, b) => (b.load < a.load ? b : a));
      const id = nextId++;
      lane.sent.set(id, part);
      lane.load += part.length;
      const batch = pack(part);
      lane.worker.postMessage({ id, batch }, [batch]);
    }
  };

  const enqueue = (item: Item): void => {
    if (closed) {
      item.reject(new Error('the Ed25519 pool is closed'));
      return;
    }
    // Started on first use: a witness opened only to be configured starts no thread.
    if (lanes.length === 0) for (let i = 0; i < Math.max(1, workers); i++) lanes.push(start());
    queue.push(item);
    if (!scheduled) {
      scheduled = true;
      // After this turn's I/O callbacks: what was asked together is sent together.
      setImmediate(flush);
    }
  };

  return {
    verify(publicKey, message, signature) {
      // Only well-formed Ed25519 inputs fit an entry; anything else is not a valid signature.
      if (publicKey.length !== 32 || signature.length !== 64) return Promise.resolve(false);
      return new Promise<boolean>((resolve, reject) => {
        const settle = (a: Uint8Array) => resolve(a[0] === 1);
        enqueue({ kind: VERIFY, publicKey, signature, message, settle, reject });
      });
    },
    sign(message) {
      return new Promise<Uint8Array>((resolve, reject) => {
        const settle = (a: Uint8Array) => {
          if (a[0] === 1) resolve(a.slice(1));
          else reject(new Error('an Ed25519 worker could not sign'));
        };
        enqueue({ kind: SIGN, publicKey: null, signature: null, message, settle, reject });
      });
    },
    async close() {
      closed = true;
      const error = new Error('the Ed25519 pool was closed');
      for (const item of queue) item.reject(error);
      queue = [];
      await Promise.all(
        lanes.map((lane) => {
          for (const items of lane.sent.values()) for (const item of items) item.reject(error);
          lane.sent.clear();
          return lane.worker.terminate();
        }),
      );
    },
  };
}
