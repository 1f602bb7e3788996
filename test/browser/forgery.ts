/**
 * Forged evidence bundles, as an adversary makes them from a real one, for the attack tests of
 * the offline verifier (docs/evidence-bundle.md, "Keys"):
 *
 * - `forgeUnderOrigin`: the same records backdated to 2015, in a log of one's own under the
 *   union's real origin, signed by a fresh key and "cosigned" in 2015 by invented witnesses that
 *   bear the real witnesses' names. On its own keys it is perfectly consistent.
 * - `backdate`: the real bundle, with one more cosignature, dated 2015, by an invented key named
 *   like a real witness, and the bundle's witness policy rewritten to trust only that key.
 */
import { randomBytes } from 'node:crypto';
import { cpSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  assembleEvidence,
  type EvidenceBundle,
  formatEvidence,
  parseEvidence,
  trustFingerprint,
} from '../../src/evidence/index.js';
import {
  addSignatures,
  cosigner,
  decodeBase64,
  generateSignerKey,
  inclusionProofSync,
  MemoryTree,
  parseSignerKey,
  signCheckpoint,
} from '../../src/log/index.js';
import { commitment, type TamgaRecord } from '../../src/records/index.js';

/** 2015-03-02T00:00:00Z: the date the forger wants the records to have. */
export const T2015 = 1425254400;
const CREATED_2015 = '2015-03-02T00:00:00Z';

/** A forged bundle written to a folder, with the fingerprint of the keys it carries. */
export interface Forgery {
  readonly dir: string;
  readonly bundle: EvidenceBundle;
  readonly fingerprint: string;
  /** The invented witness keys' IDs, eight hex digits, by name. */
  readonly invented: ReadonlyArray<{ readonly name: string; readonly keyId: string }>;
}

/**
 * Writes to `dir` a forgery of the bundle in `realDir` (evidence.json and files/): its records,
 * dated 2015, in a new log under the same origin, cosigned by invented `witnessNames` in 2015.
 */
export function forgeUnderOrigin(
  realDir: string,
  dir: string,
  witnessNames: readonly string[],
): Forgery {
  const real = readBundle(realDir);
  const origin = real.log.origin;
  const log = parseSignerKey(generateSignerKey(origin, randomBytes(32)));
  const witnesses = witnessNames.map((name) => cosigner(name, randomBytes(32)));
  const tree = new MemoryTree();
  const records = real.records.map((entry) => {
    const record = { ...entry.record, created: CREATED_2015 } as unknown as TamgaRecord;
    const salt = decodeBase64(entry.salt);
    return { record, salt, index: tree.appendData(commitment(record, salt)) };
  });
  const bundle = assembleEvidence({
    created: CREATED_2015,
    generator: real.generator,
    log: { origin, verifierKey: log.verifierKey },
    witnesses: { quorum: witnesses.length, verifierKeys: witnesses.map((w) => w.verifierKey) },
    checkpoint: addSignatures(
      signCheckpoint({ origin, size: tree.size, root: tree.root() }, log),
      witnesses.map((w) => w.signer(T2015)),
    ),
    records: records.map((r) => ({ ...r, proof: inclusionProofSync(r.index, tree.size, tree) })),
    files: real.files,
  });
  return write(realDir, dir, bundle, witnesses);
}

/**
 * Writes to `dir` the bundle in `realDir` with a backdating cosignature by an invented key named
 * `name`, and a witness policy that trusts only that key.
 */
export function backdate(realDir: string, dir: string, name: string): Forgery {
  const real = readBundle(realDir);
  const invented = cosigner(name, randomBytes(32));
  const bundle: EvidenceBundle = {
    ...real,
    checkpoint: addSignatures(real.checkpoint, [invented.signer(T2015)]),
    witnesses: { quorum: 1, verifierKeys: [invented.verifierKey] },
  };
  return write(realDir, dir, bundle, [invented]);
}

function readBundle(dir: string): EvidenceBundle {
  return parseEvidence(new Uint8Array(readFileSync(join(dir, 'evidence.json'))));
}

function write(
  realDir: string,
  dir: string,
  bundle: EvidenceBundle,
  witnesses: ReadonlyArray<{ readonly verifierKey: string }>,
): Forgery {
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'evidence.json'), formatEvidence(bundle));
  cpSync(join(realDir, 'files'), join(dir, 'files'), { recursive: true });
  return {
    dir,
    bundle,
    fingerprint: trustFingerprint(bundle),
    invented: witnesses.map((w) => {
      const [name, keyId] = w.verifierKey.split('+') as [string, string];
      return { name, keyId };
    }),
  };
}
