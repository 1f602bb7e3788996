import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodeBase64 } from './encoding.js';
import { TamgaError } from './errors.js';
import { MemoryTree } from './memory-tree.js';
import { type Hash, leafHash, rootFromLeafHashes } from './merkle.js';
import {
  consistencyProofSync,
  inclusionProofSync,
  verifyConsistency,
  verifyInclusion,
} from './proof.js';

const VECTORS = new URL('../../test/vectors/transparency-dev-merkle/testdata/', import.meta.url)
  .pathname;

function casesIn(kind: 'inclusion' | 'consistency'): Array<[string, Record<string, unknown>]> {
  const dir = join(VECTORS, kind);
  return readdirSync(dir).flatMap((group) =>
    readdirSync(join(dir, group))
      .filter((f) => f.endsWith('.json'))
      .map((f): [string, Record<string, unknown>] => [
        `${group}/${f}`,
        JSON.parse(readFileSync(join(dir, group, f), 'utf8')),
      ]),
  );
}

const b64 = (s: unknown) => decodeBase64(String(s));
const proofOf = (p: unknown) => ((p as string[] | null) ?? []).map(b64);

/** Runs `f` and reports whether it threw one of Tamga's own errors; anything else is a bug. */
function fails(f: () => void): boolean {
  try {
    f();
    return false;
  } catch (e) {
    if (!(e instanceof TamgaError)) throw e;
    return true;
  }
}

describe('transparency-dev/merkle inclusion vectors', () => {
  const cases = casesIn('inclusion');
  it('has every case (184 in all)', () => expect(cases.length).toBe(86));
  it.each(cases)('%s', (_name, c) => {
    const failed = fails(() =>
      verifyInclusion(
        Number(c.leafIdx),
        Number(c.treeSize),
        b64(c.leafHash),
        proofOf(c.proof),
        b64(c.root),
      ),
    );
    expect(failed).toBe(c.wantErr);
  });
});

describe('transparency-dev/merkle consistency vectors', () => {
  const cases = casesIn('consistency');
  it('has every case (184 in all)', () => expect(cases.length).toBe(98));
  it.each(cases)('%s', (_name, c) => {
    const failed = fails(() =>
      verifyConsistency(
        Number(c.size1),
        Number(c.size2),
        b64(c.root1),
        b64(c.root2),
        proofOf(c.proof),
      ),
    );
    expect(failed).toBe(c.wantErr);
  });
});

function treeOf(size: number): { tree: MemoryTree; leaves: Hash[]; roots: Hash[] } {
  const tree = new MemoryTree();
  const leaves: Hash[] = [];
  const roots: Hash[] = [tree.root()];
  for (let i = 0; i < size; i++) {
    const data = new TextEncoder().encode(`leaf ${i}`);
    leaves.push(leafHash(data));
    tree.appendData(data);
    roots.push(tree.root());
  }
  return { tree, leaves, roots };
}

function flipBit(hash: Hash, bit: number): Hash {
  const out = hash.slice();
  out[bit >> 3]! ^= 1 << (bit & 7);
  return out;
}

describe('proofs generated from stored hashes', () => {
  const { tree, leaves, roots } = treeOf(70);

  it('agree with a root computed from all leaves at every size', () => {
    for (let n = 0; n <= 70; n++) {
      expect(roots[n]).toEqual(rootFromLeafHashes(leaves.slice(0, n)));
    }
  });

  it('verify for every leaf of every size up to 70, and fail with any bit flipped', () => {
    for (let n = 1; n <= 70; n++) {
      for (let i = 0; i < n; i++) {
        const proof = inclusionProofSync(i, n, tree);
        verifyInclusion(i, n, leaves[i]!, proof, roots[n]!);
        const bit = (i * 37 + n) % 256;
        expect(fails(() => verifyInclusion(i, n, flipBit(leaves[i]!, bit), proof, roots[n]!))).toBe(
          true,
        );
        expect(fails(() => verifyInclusion(i, n, leaves[i]!, proof, flipBit(roots[n]!, bit)))).toBe(
          true,
        );
        proof.forEach((_, k) => {
          const bad = proof.map((p, j) => (j === k ? flipBit(p, bit) : p));
          expect(fails(() => verifyInclusion(i, n, leaves[i]!, bad, roots[n]!))).toBe(true);
        });
        // Neither a neighbour's index nor a neighbour's size verifies with the same proof.
        if (i + 1 < n)
          expect(fails(() => verifyInclusion(i + 1, n, leaves[i]!, proof, roots[n]!))).toBe(true);
      }
    }
  });

  it('verify between every pair of sizes up to 70, and fail with any bit flipped', () => {
    for (let n = 1; n <= 70; n++) {
      for (let m = 1; m <= n; m++) {
        const proof = consistencyProofSync(m, n, tree);
        verifyConsistency(m, n, roots[m]!, roots[n]!, proof);
        const bit = (m * 53 + n) % 256;
        expect(
          fails(() => verifyConsistency(m, n, flipBit(roots[m]!, bit), roots[n]!, proof)),
        ).toBe(true);
        expect(
          fails(() => verifyConsistency(m, n, roots[m]!, flipBit(roots[n]!, bit), proof)),
        ).toBe(true);
        proof.forEach((_, k) => {
          const bad = proof.map((p, j) => (j === k ? flipBit(p, bit) : p));
          expect(fails(() => verifyConsistency(m, n, roots[m]!, roots[n]!, bad))).toBe(true);
        });
      }
    }
  });

  it('refuse out-of-range requests with a typed error', () => {
    expect(() => inclusionProofSync(70, 70, tree)).toThrow(/not in a tree of size 70/);
    expect(() => inclusionProofSync(0, 71, tree)).toThrow(/not a complete subtree/);
    expect(() => consistencyProofSync(5, 4, tree)).toThrow(/larger than new size/);
    expect(() => inclusionProofSync(-1, 5, tree)).toThrow(TamgaError);
    expect(() => inclusionProofSync(2 ** 53, 2 ** 53 + 2, tree)).toThrow(/2\^53-1/);
  });
});

describe('proofs on random trees up to 10,000 leaves', () => {
  const { tree, leaves, roots } = treeOf(10_000);

  it('every inclusion proof verifies; any flipped bit of proof, root or leaf fails', () => {
    fc.assert(
      fc.property(
        fc
          .integer({ min: 1, max: 10_000 })
          .chain((n) =>
            fc.tuple(fc.constant(n), fc.integer({ min: 0, max: n - 1 }), fc.nat(255), fc.nat(64)),
          ),
        ([n, i, bit, which]) => {
          const proof = inclusionProofSync(i, n, tree);
          verifyInclusion(i, n, leaves[i]!, proof, roots[n]!);
          const k = which % (proof.length + 2);
          if (k === proof.length) {
            expect(
              fails(() => verifyInclusion(i, n, flipBit(leaves[i]!, bit), proof, roots[n]!)),
            ).toBe(true);
          } else if (k === proof.length + 1) {
            expect(
              fails(() => verifyInclusion(i, n, leaves[i]!, proof, flipBit(roots[n]!, bit))),
            ).toBe(true);
          } else {
            const bad = proof.map((p, j) => (j === k ? flipBit(p, bit) : p));
            expect(fails(() => verifyInclusion(i, n, leaves[i]!, bad, roots[n]!))).toBe(true);
          }
        },
      ),
      { numRuns: 2000 },
    );
  });

  it('every consistency proof verifies; any flipped bit of proof or roots fails', () => {
    fc.assert(
      fc.property(
        fc
          .integer({ min: 1, max: 10_000 })
          .chain((n) =>
            fc.tuple(fc.constant(n), fc.integer({ min: 1, max: n }), fc.nat(255), fc.nat(64)),
          ),
        ([n, m, bit, which]) => {
          const proof = consistencyProofSync(m, n, tree);
          verifyConsistency(m, n, roots[m]!, roots[n]!, proof);
          const k = which % (proof.length + 2);
          if (k === proof.length) {
            expect(
              fails(() => verifyConsistency(m, n, flipBit(roots[m]!, bit), roots[n]!, proof)),
            ).toBe(true);
          } else if (k === proof.length + 1) {
            expect(
              fails(() => verifyConsistency(m, n, roots[m]!, flipBit(roots[n]!, bit), proof)),
            ).toBe(true);
          } else {
            const bad = proof.map((p, j) => (j === k ? flipBit(p, bit) : p));
            expect(fails(() => verifyConsistency(m, n, roots[m]!, roots[n]!, bad))).toBe(true);
          }
        },
      ),
      { numRuns: 2000 },
    );
  });

  it('every leaf of the 10,000-leaf tree proves, and every size is consistent with it', () => {
    const n = 10_000;
    for (let i = 0; i < n; i++)
      verifyInclusion(i, n, leaves[i]!, inclusionProofSync(i, n, tree), roots[n]!);
    for (let m = 1; m <= n; m++)
      verifyConsistency(m, n, roots[m]!, roots[n]!, consistencyProofSync(m, n, tree));
  });
});
