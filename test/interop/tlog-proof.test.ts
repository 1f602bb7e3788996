/**
 * The c2sp.org/tlog-proof files Tamga writes beside an evidence bundle verify in Go's
 * golang.org/x/mod/sumdb/{note,tlog}, an implementation we did not write. A real vault grows in
 * four batches to sizes 1, 3, 7 and 12 (none but the first a power of two), two witnesses cosign
 * each checkpoint, and `tamga evidence` (its command function) writes a bundle after each batch:
 * proofs of the first entry, the last and some between. The Go peer reads each file as the spec
 * describes it, opens the checkpoint with the log's key alone (the witness cosignatures, of a type
 * x/mod does not know, stay unverified), and checks with tlog.CheckRecord that
 * SHA-256(0x00 ‖ SHA-256(extra)) is entry `index` of the checkpoint's tree. It must refuse a
 * file with one proof byte flipped, one with the record altered, and every file under another
 * key.
 */
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { evidenceCommand } from '../../src/cli/evidence.js';
import { parseEvidence } from '../../src/evidence/bundle.js';
import {
  formatTlogProof,
  parseTlogProof,
  TLOG_PROOF_EXTENSION,
  tlogProofPath,
  verifyTlogProof,
} from '../../src/evidence/tlog-proof.js';
import { generateSignerKey, parseSignerKey } from '../../src/log/note.js';
import { witnessPolicy } from '../../src/vault/witnesses.js';
import {
  addTestWitnesses,
  createTestVault,
  type MirrorTestVault,
  sealFolder,
  smallFiles,
} from '../mirror/helpers.js';
import { capture, removeTemp, tempDir } from '../vault/helpers.js';
import { askGoPeer, goPeerUnavailable } from './xmod-peer.js';

const unavailable = goPeerUnavailable();
if (unavailable && process.env.CI) throw new Error(`CI needs the Go peer: ${unavailable}`);

/** Batches sealed one after the other, and the log entries each bundle then discloses. */
const STEPS: Array<{ files: number; size: number; disclose: number[] }> = [
  { files: 1, size: 1, disclose: [0] },
  { files: 2, size: 3, disclose: [0, 1, 2] },
  { files: 4, size: 7, disclose: [0, 3, 6] },
  { files: 5, size: 12, disclose: [0, 5, 6, 11] },
];

/** One proof file written by `tamga evidence`, with what its bundle says of the same record. */
interface Written {
  readonly path: string;
  readonly text: string;
  readonly size: number;
  readonly index: number;
  readonly record: Readonly<Record<string, unknown>>;
}

interface GoAnswer {
  error?: string;
  results?: string[];
}

/** Go's verdict on each file, under the log key `vkey` and `origin`. */
function goChecks(files: readonly string[], vkey: string, origin: string): string[] {
  const answer = askGoPeer<GoAnswer>({ op: 'tlogproof', files, vkeys: [vkey], origin });
  expect(answer.error).toBeUndefined();
  return answer.results!;
}

describe.skipIf(unavailable !== null)('tlog-proof files verify in golang.org/x/mod', () => {
  let root: string;
  let v: MirrorTestVault;
  let origin: string;
  let logKey: string;
  const written: Written[] = [];

  beforeAll(async () => {
    root = tempDir('tamga-tlog-proof-');
    v = await createTestVault(join(root, 'vault'));
    origin = v.vault.info.origin;
    logKey = v.vault.info.logVerifierKey;
    const witnesses = addTestWitnesses(v);
    for (const [i, step] of STEPS.entries()) {
      expect(await sealFolder(v, root, `batch-${i}`, smallFiles(step.files, `batch ${i}`))).toBe(
        step.size,
      );
      witnesses.cosign();
      const out = join(root, `bundle-${step.size}`);
      await evidenceCommand(step.disclose.map(String), { vault: v.dir, out }, capture(root).ctx);
      const bundle = parseEvidence(readFileSync(join(out, 'evidence.json')));
      const files = readdirSync(join(out, 'proofs')).sort();
      expect(files).toHaveLength(step.disclose.length);
      for (const r of bundle.records) {
        const path = join(out, tlogProofPath(String(r.record.id)));
        expect(files).toContain(path.slice(path.lastIndexOf('/') + 1));
        const text = readFileSync(path, 'utf8');
        written.push({ path, text, size: step.size, index: r.index, record: r.record });
      }
    }
  }, 120_000);

  afterAll(() => {
    v?.vault.close();
    if (root) removeTemp(root);
  });

  it('writes one proof per disclosed record, against checkpoints of sizes 1, 3, 7 and 12', () => {
    expect(written.map((w) => [w.size, w.index])).toEqual(
      STEPS.flatMap((s) => s.disclose.map((i) => [s.size, i])),
    );
    for (const w of written) {
      expect(w.path.endsWith(TLOG_PROOF_EXTENSION)).toBe(true);
      const p = parseTlogProof(w.text);
      expect(p.index).toBe(w.index);
      expect(formatTlogProof(p)).toBe(w.text);
      // Tamga itself, under the vault's key and its 2-of-2 witness policy.
      const verified = verifyTlogProof(w.text, {
        log: { origin, verifierKey: logKey },
        witnesses: witnessPolicy(v.vault.db),
      });
      expect(verified.record).toEqual(w.record);
      expect(verified.checkpoint.size).toBe(w.size);
      expect(verified.cosignatures).toHaveLength(2);
    }
    // The entry alone in a log of one has an empty proof.
    expect(parseTlogProof(written[0]!.text).proof).toEqual([]);
  });

  it('Go opens each checkpoint with the log key and proves each entry with tlog.CheckRecord', () => {
    const results = goChecks(
      written.map((w) => w.path),
      logKey,
      origin,
    );
    expect(results).toEqual(written.map(() => 'ok'));
  });

  it('Go refuses a proof with one hash byte flipped, or a record altered', () => {
    const bad: string[] = [];
    for (const [k, w] of written.filter((x) => x.size > 1).entries()) {
      const p = parseTlogProof(w.text);
      const proof = p.proof.map((h) => h.slice());
      proof[k % proof.length]![k % 32]! ^= 1 << (k % 8);
      const flipped = join(root, `flipped-${k}${TLOG_PROOF_EXTENSION}`);
      writeFileSync(flipped, formatTlogProof({ ...p, proof }));
      const extra = p.extra!.slice();
      extra[extra.length - 3]! ^= 0x01;
      const altered = join(root, `altered-${k}${TLOG_PROOF_EXTENSION}`);
      writeFileSync(altered, formatTlogProof({ ...p, extra }));
      bad.push(flipped, altered);
    }
    const results = goChecks(bad, logKey, origin);
    expect(results).toHaveLength(bad.length);
    for (const r of results) expect(r).toBe('invalid transparency proof');
  });

  it('Go refuses every proof under another key of the same name, or for another origin', () => {
    const fresh = parseSignerKey(generateSignerKey(origin, new Uint8Array(32).fill(7)));
    const paths = written.map((w) => w.path);
    for (const r of goChecks(paths, fresh.verifierKey, origin)) {
      expect(r).toBe('note has no verifiable signatures');
    }
    for (const r of goChecks(paths, logKey, 'another.example/log')) {
      expect(r).toMatch(/another origin/);
    }
  });

  it('writes the proofs beside a bundle named as a .json file, in proofs/ next to it', async () => {
    const out = join(root, 'case', 'march.json');
    await evidenceCommand(['0', '11'], { vault: v.dir, out }, capture(root).ctx);
    const bundle = parseEvidence(readFileSync(out));
    const paths = bundle.records.map((r) => join(root, 'case', tlogProofPath(String(r.record.id))));
    expect(readdirSync(join(root, 'case', 'proofs')).sort()).toEqual(
      paths.map((p) => p.slice(p.lastIndexOf('/') + 1)).sort(),
    );
    expect(goChecks(paths, logKey, origin)).toEqual(['ok', 'ok']);
  });
});
