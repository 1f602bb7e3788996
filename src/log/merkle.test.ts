import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { MemoryTree } from './memory-tree.js';
import {
  emptyRoot,
  foldSubtrees,
  leafHash,
  nodeFromLeafHashes,
  nodeHash,
  rootFromLeafHashes,
  subtrees,
  TreeBuilder,
} from './merkle.js';
import {
  consistencyProofSync,
  inclusionProofSync,
  verifyConsistency,
  verifyInclusion,
} from './proof.js';

interface Rfc6962Vectors {
  hasher: Array<{
    desc: string;
    kind: string;
    data?: string;
    left?: string;
    right?: string;
    want: string;
  }>;
  leafInputs: string[];
  nodeHashes: string[][];
  rootHashes: string[];
  inclusionProofs: Array<{ leafIndex: number; treeSize: number; proof: string[] }>;
  consistencyProofs: Array<{ size1: number; size2: number; proof: string[] }>;
}
const vectors: Rfc6962Vectors = JSON.parse(
  readFileSync(
    new URL('../../test/vectors/transparency-dev-rfc6962.json', import.meta.url),
    'utf8',
  ),
);
const unhex = (s: string) => new Uint8Array(Buffer.from(s, 'hex'));
const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');

describe('transparency-dev/merkle RFC 6962 hashes', () => {
  it.each(vectors.hasher)('$desc', (v) => {
    const got =
      v.kind === 'empty'
        ? emptyRoot()
        : v.kind === 'leaf'
          ? leafHash(unhex(v.data!))
          : nodeHash(unhex(v.left!), unhex(v.right!));
    expect(hex(got)).toBe(v.want);
  });

  const tree = new MemoryTree();
  const leaves = vectors.leafInputs.map(unhex);
  const roots = [hex(tree.root())];
  for (const l of leaves) {
    tree.appendData(l);
    roots.push(hex(tree.root()));
  }

  it('gives the reference root for every size of the reference tree', () => {
    expect(roots).toEqual(vectors.rootHashes);
  });

  it('gives the reference hash of every complete subtree', () => {
    vectors.nodeHashes.forEach((level, l) => {
      level.forEach((want, index) => {
        expect(hex(tree.readHashes([{ level: l, index }])[0]!)).toBe(want);
      });
    });
  });

  it.each(vectors.inclusionProofs)('inclusion proof of leaf $leafIndex in $treeSize', (v) => {
    const proof = inclusionProofSync(v.leafIndex, v.treeSize, tree);
    expect(proof.map(hex)).toEqual(v.proof);
    verifyInclusion(
      v.leafIndex,
      v.treeSize,
      leafHash(leaves[v.leafIndex]!),
      proof,
      unhex(vectors.rootHashes[v.treeSize]!),
    );
  });

  it.each(vectors.consistencyProofs)('consistency proof from $size1 to $size2', (v) => {
    const proof = consistencyProofSync(v.size1, v.size2, tree);
    expect(proof.map(hex)).toEqual(v.proof);
    verifyConsistency(
      v.size1,
      v.size2,
      unhex(vectors.rootHashes[v.size1]!),
      unhex(vectors.rootHashes[v.size2]!),
      proof,
    );
  });
});

/** The RFC 9162 definition, recursively, for comparison. */
function referenceRoot(leaves: Uint8Array[]): Uint8Array {
  if (leaves.length === 0) return emptyRoot();
  if (leaves.length === 1) return leafHash(leaves[0]!);
  let k = 1;
  while (k * 2 < leaves.length) k *= 2;
  return nodeHash(referenceRoot(leaves.slice(0, k)), referenceRoot(leaves.slice(k)));
}

describe('tree hashing', () => {
  it('matches the recursive definition of RFC 9162 for random trees', () => {
    fc.assert(
      fc.property(fc.array(fc.uint8Array({ maxLength: 40 }), { maxLength: 300 }), (data) => {
        expect(hex(rootFromLeafHashes(data.map(leafHash)))).toBe(hex(referenceRoot(data)));
      }),
    );
  });

  it('decomposes any range into aligned complete subtrees that cover it exactly', () => {
    fc.assert(
      fc.property(fc.nat(1 << 20), fc.nat(1 << 20), (a, b) => {
        const [begin, end] = a <= b ? [a, b] : [b, a];
        let at = begin;
        for (const n of subtrees(begin, end)) {
          expect(n.index * 2 ** n.level).toBe(at);
          at += 2 ** n.level;
        }
        expect(at).toBe(end);
      }),
    );
    expect(subtrees(0, 2 ** 53 - 1)).toHaveLength(53);
  });

  it('resumes from a right edge and reports every subtree it completes', () => {
    const hashes = Array.from({ length: 1000 }, (_, i) => leafHash(Uint8Array.of(i & 255, i >> 8)));
    const whole = new TreeBuilder();
    for (const h of hashes) whole.append(h);
    const first = new TreeBuilder();
    for (const h of hashes.slice(0, 613)) first.append(h);
    const resumed = new TreeBuilder(613, first.rightEdge());
    const seen: string[] = [];
    for (const h of hashes.slice(613)) {
      resumed.append(h, (node, hash) => {
        expect(hex(hash)).toBe(hex(nodeFromLeafHashes(hashes, node)));
        seen.push(`${node.level}/${node.index}`);
      });
    }
    expect(hex(resumed.root())).toBe(hex(whole.root()));
    expect(hex(foldSubtrees(resumed.rightEdge()))).toBe(hex(whole.root()));
    expect(seen).toContain('8/2'); // leaves 512..767, completed after the resume
    expect(seen).not.toContain('9/1'); // leaves 512..1023 are not complete at 1000
    expect(() => new TreeBuilder(613, [])).toThrow(/right-edge hashes/);
  });
});
