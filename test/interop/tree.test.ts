/**
 * Tree hashes and proofs agree with golang.org/x/mod/sumdb/tlog, both ways, on random trees.
 * x/mod's TreeHash(0) is all zeros where RFC 6962's empty root is SHA-256(""); the peer returns
 * the RFC value for size 0.
 */
import { describe, expect, it } from 'vitest';
import { MemoryTree } from '../../src/log/memory-tree.js';
import { leafHash } from '../../src/log/merkle.js';
import {
  consistencyProofSync,
  inclusionProofSync,
  verifyConsistency,
  verifyInclusion,
} from '../../src/log/proof.js';
import { askGoPeer, goPeerUnavailable } from './xmod-peer.js';

const unavailable = goPeerUnavailable();
if (unavailable && process.env.CI) throw new Error(`CI needs the Go peer: ${unavailable}`);
const b64 = (b: Uint8Array) => Buffer.from(b).toString('base64');
const bytes = (s: string) => new Uint8Array(Buffer.from(s, 'base64'));

/** A small deterministic generator, so a failure can be replayed. */
function random(seed: number): () => number {
  let x = seed >>> 0 || 1;
  return () => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    return (x >>> 0) / 2 ** 32;
  };
}

describe.skipIf(unavailable !== null)('interoperability with golang.org/x/mod/sumdb/tlog', () => {
  for (const seed of [1, 2, 3]) {
    it(`agrees on roots and proofs of a random tree (seed ${seed})`, () => {
      const rnd = random(seed);
      const size = 1 + Math.floor(rnd() * 600);
      const leaves = Array.from({ length: size }, () =>
        Uint8Array.from({ length: Math.floor(rnd() * 64) }, () => Math.floor(rnd() * 256)),
      );
      const tree = new MemoryTree();
      const roots = [tree.root()];
      for (const l of leaves) {
        tree.appendData(l);
        roots.push(tree.root());
      }
      const inclusion: Array<[number, number]> = [];
      const consistency: Array<[number, number]> = [];
      for (let k = 0; k < 200; k++) {
        const n = 1 + Math.floor(rnd() * size);
        inclusion.push([Math.floor(rnd() * n), n]);
        consistency.push([1 + Math.floor(rnd() * n), n]);
      }
      const go = askGoPeer<{ roots: string[]; proofs: string[][]; error?: string }>({
        op: 'tree',
        leaves: leaves.map(b64),
        inclusion,
        consistency,
      });
      expect(go.error).toBeUndefined();
      expect(go.roots).toEqual(roots.map(b64));

      // Go's proofs verify here, and equal ours hash for hash.
      inclusion.forEach(([i, n], k) => {
        const theirs = (go.proofs[k] ?? []).map(bytes);
        verifyInclusion(i, n, leafHash(leaves[i]!), theirs, roots[n]!);
        expect(inclusionProofSync(i, n, tree).map(b64)).toEqual(go.proofs[k] ?? []);
      });
      consistency.forEach(([m, n], k) => {
        const theirs = (go.proofs[inclusion.length + k] ?? []).map(bytes);
        verifyConsistency(m, n, roots[m]!, roots[n]!, theirs);
        expect(consistencyProofSync(m, n, tree).map(b64)).toEqual(
          go.proofs[inclusion.length + k] ?? [],
        );
      });

      // Our proofs verify in Go's CheckRecord and CheckTree, and tampered ones do not.
      const checks = [
        ...inclusion.map(([i, n]) => ({
          kind: 'inclusion',
          index: i,
          size: n,
          leaf: b64(leaves[i]!),
          proof: inclusionProofSync(i, n, tree).map(b64),
          root: b64(roots[n]!),
        })),
        ...consistency.map(([m, n]) => ({
          kind: 'consistency',
          oldSize: m,
          size: n,
          proof: consistencyProofSync(m, n, tree).map(b64),
          oldRoot: b64(roots[m]!),
          root: b64(roots[n]!),
        })),
      ];
      const verdicts = askGoPeer<{ results: string[] }>({ op: 'check', proofs: checks });
      expect(verdicts.results).toEqual(checks.map(() => 'ok'));
      const tampered = checks.map((c) => ({ ...c, root: b64(leafHash(bytes(c.root))) }));
      const refused = askGoPeer<{ results: string[] }>({ op: 'check', proofs: tampered });
      expect(refused.results.filter((r) => r === 'ok')).toEqual([]);
    });
  }
});
