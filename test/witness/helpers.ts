/**
 * What the witness tests share: logs grown in memory (MemoryTree) and signed with real keys,
 * add-checkpoint bodies built from them, and witnesses in temporary directories with a clock
 * the test sets.
 */
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import { signCheckpoint } from '../../src/log/checkpoint.js';
import {
  type CosignatureVerifier,
  checkCosignatures,
  parseCosignatureVerifierKey,
} from '../../src/log/cosignature.js';
import { encodeBase64 } from '../../src/log/encoding.js';
import { MemoryTree } from '../../src/log/memory-tree.js';
import type { Hash } from '../../src/log/merkle.js';
import {
  type Ed25519Signer,
  type Ed25519Verifier,
  generateSignerKey,
  parseSignerKey,
  parseVerifierKey,
} from '../../src/log/note.js';
import { consistencyProofSync } from '../../src/log/proof.js';
import { installNodeCrypto } from '../../src/platform/node-crypto.js';
import { buildWitnessServer } from '../../src/witness/server.js';
import { Witness } from '../../src/witness/witness.js';

installNodeCrypto();

export const WITNESS_NAME = 'witness.test.example/w1';

/** One checkpoint of a test log: its size, root and signed note. */
export interface Step {
  readonly size: number;
  readonly root: Hash;
  readonly note: string;
}

/** A log held in memory, signed by its own key, with every checkpoint it signed. */
export class TestLog {
  readonly origin: string;
  /** The log's signer key string, to sign other trees with the same key (forks). */
  readonly signerKey: string;
  readonly signer: Ed25519Signer;
  readonly verifier: Ed25519Verifier;
  readonly tree = new MemoryTree();
  readonly steps: Step[] = [];
  private leaves = 0;

  constructor(origin: string, signerKey = generateSignerKey(origin, randomBytes(32))) {
    this.origin = origin;
    this.signerKey = signerKey;
    this.signer = parseSignerKey(signerKey);
    this.verifier = parseVerifierKey(this.signer.verifierKey);
  }

  get vkey(): string {
    return this.signer.verifierKey;
  }

  /** Appends `n` leaves (distinct per log and per `salt`) and signs a checkpoint at the new size. */
  grow(n: number, salt = ''): Step {
    for (let i = 0; i < n; i++) {
      this.tree.appendData(new TextEncoder().encode(`${this.origin}/${salt}/${this.leaves++}`));
    }
    const size = this.tree.size;
    const root = this.tree.root();
    const step = {
      size,
      root,
      note: signCheckpoint({ origin: this.origin, size, root }, this.signer),
    };
    this.steps.push(step);
    return step;
  }

  /** The consistency proof from `oldSize` to `newSize` (both at most the current size). */
  proof(oldSize: number, newSize: number): Hash[] {
    return oldSize === 0 || oldSize === newSize
      ? []
      : consistencyProofSync(oldSize, newSize, this.tree);
  }

  /** The add-checkpoint body that moves a witness from `old` to `step`, with a valid proof. */
  body(old: number, step: Step): string {
    return addCheckpointBody(old, this.proof(old, step.size), step.note);
  }
}

/** `old <N>\n` + proof lines + empty line + the signed checkpoint. */
export function addCheckpointBody(
  old: number | string,
  proof: readonly Hash[],
  note: string,
): string {
  return `old ${old}\n${proof.map((h) => `${encodeBase64(h)}\n`).join('')}\n${note}`;
}

/** A witness in a temporary directory, its HTTP app, and the clock its tests set. */
export interface TestWitness {
  readonly dir: string;
  witness: Witness;
  app: FastifyInstance;
  readonly clock: { now: number };
  readonly verifier: CosignatureVerifier;
  post(body: string | Uint8Array, url?: string): Promise<LightMyRequestResponse>;
  /** Closes the witness and opens it again from its directory. */
  restart(): Promise<void>;
  close(): Promise<void>;
}

/** Creates a witness that witnesses `logs`, with its clock at `now`. */
export async function createWitness(
  logs: readonly TestLog[],
  now = 1_700_000_000,
): Promise<TestWitness> {
  const parent = await mkdtemp(join(tmpdir(), 'tamga-witness-'));
  const dir = join(parent, 'witness');
  const clock = { now };
  const options = { clock: () => clock.now };
  const witness = await Witness.init(dir, WITNESS_NAME, options);
  for (const log of logs) witness.addLog(log.vkey);
  const t: TestWitness = {
    dir,
    witness,
    app: buildWitnessServer(witness),
    clock,
    verifier: parseCosignatureVerifierKey(witness.verifierKey),
    post(body, url = '/add-checkpoint') {
      return t.app.inject({
        method: 'POST',
        url,
        headers: { 'content-type': 'text/plain' },
        payload: typeof body === 'string' ? body : Buffer.from(body),
      });
    },
    async restart() {
      await t.app.close();
      await t.witness.close();
      t.witness = await Witness.open(dir, options);
      t.app = buildWitnessServer(t.witness);
    },
    async close() {
      await t.app.close();
      await t.witness.close();
      await rm(parent, { recursive: true, force: true });
    },
  };
  return t;
}

/**
 * Checks a 200 answer: one cosignature line by the witness, that verifies on the checkpoint with
 * the log's key (quorum 1). Returns the cosignature's timestamp.
 */
export function expectCosignature(
  t: TestWitness,
  log: TestLog,
  note: string,
  body: string,
): number {
  if (!/^— \S+ [A-Za-z0-9+/]+=*\n$/.test(body)) throw new Error(`not one signature line: ${body}`);
  const witnessed = checkCosignatures(`${note}${body}`, log.verifier, [t.verifier], 1);
  return witnessed.cosignatures[0]!.timestamp;
}
