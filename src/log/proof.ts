/**
 * Inclusion and consistency proofs of RFC 9162 §2.1.3 and §2.1.4 (the same proofs as RFC 6962).
 *
 * Generation is split in two so that a 10-million-leaf log never has to be in memory: a *plan*
 * names the complete subtrees a proof needs (NodeId), a HashReader fetches them in one call, and
 * the plan folds them into the proof. Verification needs nothing but the proof.
 */
import { bytesEqual, checkUint } from './encoding.js';
import { FormatError, LimitError, VerificationError } from './errors.js';
import {
  checkHash,
  floorLog2,
  foldSubtrees,
  type Hash,
  type HashReader,
  type NodeId,
  nodeHash,
  pow2,
  type SyncHashReader,
  subtrees,
} from './merkle.js';

/** The largest number of hashes a proof for a tree of at most 2^53 − 1 leaves can hold. */
export const MAX_PROOF_LENGTH = 2 * 53;

/**
 * The subtrees a proof needs, and how to fold them into the proof. Each proof element is the
 * hash of a range of leaves: one complete subtree, or several folded right to left where the
 * range reaches the ragged right edge of the tree.
 */
export interface ProofPlan {
  /** Every node to read, in order. */
  readonly nodes: readonly NodeId[];
  /** How many consecutive nodes make up each proof element. */
  readonly elementSizes: readonly number[];
}

/** Folds the hashes read for `plan.nodes` into the proof. Throws if the count is wrong. */
export function assembleProof(plan: ProofPlan, hashes: readonly Hash[]): Hash[] {
  if (hashes.length !== plan.nodes.length) {
    throw new LimitError(
      'proof.hash-count',
      `the hash reader returned ${hashes.length} hashes for ${plan.nodes.length} nodes`,
    );
  }
  const proof: Hash[] = [];
  let offset = 0;
  for (const n of plan.elementSizes) {
    const part = hashes.slice(offset, offset + n);
    for (const h of part) checkHash(h, 'stored hash');
    proof.push(n === 1 ? part[0]! : foldSubtrees(part));
    offset += n;
  }
  return proof;
}

function planFromRanges(ranges: ReadonlyArray<readonly [number, number]>): ProofPlan {
  const nodes: NodeId[] = [];
  const elementSizes: number[] = [];
  for (const [begin, end] of ranges) {
    const parts = subtrees(begin, end);
    nodes.push(...parts);
    elementSizes.push(parts.length);
  }
  return { nodes, elementSizes };
}

/** Returns the largest power of two smaller than n, for n ≥ 2 (the split point k of RFC 9162). */
function splitPoint(n: number): number {
  return pow2(floorLog2(n - 1));
}

/**
 * Returns the plan of the inclusion proof of leaf `index` in the tree of `size` leaves,
 * following PATH(m, D[n]) of RFC 9162 §2.1.3.1. Throws LimitError unless index < size.
 */
export function planInclusionProof(index: number, size: number): ProofPlan {
  checkUint(index, 'leaf index');
  checkUint(size, 'tree size');
  if (index >= size) {
    throw new LimitError('proof.index', `leaf index ${index} is not in a tree of size ${size}`);
  }
  // PATH(m, D[lo:hi]) appends, from the bottom up, the sibling range at each split.
  const ranges: Array<[number, number]> = [];
  let lo = 0;
  let hi = size;
  while (hi - lo > 1) {
    const k = splitPoint(hi - lo);
    if (index < lo + k) {
      ranges.push([lo + k, hi]);
      hi = lo + k;
    } else {
      ranges.push([lo, lo + k]);
      lo += k;
    }
  }
  return planFromRanges(ranges.reverse());
}

/**
 * Returns the plan of the consistency proof between trees of `oldSize` and `newSize` leaves,
 * following SUBPROOF(m, D[n], true) of RFC 9162 §2.1.4.1. The proof is empty when the sizes are
 * equal or oldSize is 0. Throws LimitError when oldSize > newSize.
 */
export function planConsistencyProof(oldSize: number, newSize: number): ProofPlan {
  checkUint(oldSize, 'old tree size');
  checkUint(newSize, 'new tree size');
  if (oldSize > newSize) {
    throw new LimitError(
      'proof.sizes',
      `old tree size ${oldSize} is larger than new size ${newSize}`,
    );
  }
  if (oldSize === 0 || oldSize === newSize) return { nodes: [], elementSizes: [] };
  const ranges: Array<[number, number]> = [];
  let lo = 0;
  let hi = newSize;
  let m = oldSize;
  let complete = true; // the b flag of SUBPROOF: is D[lo:hi] a subtree the verifier already has?
  for (;;) {
    if (m === hi - lo) {
      // SUBPROOF(m, D[m], b) = {} if b, else {MTH(D[m])}.
      if (!complete) ranges.push([lo, hi]);
      break;
    }
    const k = splitPoint(hi - lo);
    if (m <= k) {
      // SUBPROOF(m, D[0:k], b) : MTH(D[k:n])
      ranges.push([lo + k, hi]);
      hi = lo + k;
    } else {
      // SUBPROOF(m − k, D[k:n], false) : MTH(D[0:k])
      ranges.push([lo, lo + k]);
      lo += k;
      m -= k;
      complete = false;
    }
  }
  return planFromRanges(ranges.reverse());
}

/** Returns the inclusion proof of leaf `index` in a tree of `size`, reading stored hashes. */
export async function inclusionProof(
  index: number,
  size: number,
  reader: HashReader,
): Promise<Hash[]> {
  const plan = planInclusionProof(index, size);
  return assembleProof(plan, await reader.readHashes(plan.nodes));
}

/** Returns the consistency proof from `oldSize` to `newSize`, reading stored hashes. */
export async function consistencyProof(
  oldSize: number,
  newSize: number,
  reader: HashReader,
): Promise<Hash[]> {
  const plan = planConsistencyProof(oldSize, newSize);
  return assembleProof(plan, await reader.readHashes(plan.nodes));
}

/** Like inclusionProof, for a reader that answers synchronously. */
export function inclusionProofSync(index: number, size: number, reader: SyncHashReader): Hash[] {
  const plan = planInclusionProof(index, size);
  return assembleProof(plan, reader.readHashes(plan.nodes));
}

/** Like consistencyProof, for a reader that answers synchronously. */
export function consistencyProofSync(
  oldSize: number,
  newSize: number,
  reader: SyncHashReader,
): Hash[] {
  const plan = planConsistencyProof(oldSize, newSize);
  return assembleProof(plan, reader.readHashes(plan.nodes));
}

function checkProofHashes(proof: readonly Hash[]): void {
  if (proof.length > MAX_PROOF_LENGTH) {
    throw new FormatError(
      'proof.too-long',
      `a proof has at most ${MAX_PROOF_LENGTH} hashes, got ${proof.length}`,
    );
  }
  proof.forEach((h, i) => {
    checkHash(h, `proof hash ${i}`);
  });
}

const isOdd = (n: number) => n % 2 === 1;
const half = (n: number) => Math.floor(n / 2);

/**
 * Recomputes a root from leaf `index`'s hash and its inclusion proof, per RFC 9162 §2.1.3.2.
 * Throws LimitError when index ≥ size, FormatError on malformed hashes, VerificationError when
 * the proof has the wrong length for the position.
 */
export function rootFromInclusionProof(
  index: number,
  size: number,
  leaf: Hash,
  proof: readonly Hash[],
): Hash {
  checkUint(index, 'leaf index');
  checkUint(size, 'tree size');
  if (index >= size) {
    throw new LimitError('proof.index', `leaf index ${index} is not in a tree of size ${size}`);
  }
  checkHash(leaf, 'leaf hash');
  checkProofHashes(proof);
  let fn = index;
  let sn = size - 1;
  let r = leaf;
  for (const p of proof) {
    if (sn === 0) {
      throw new VerificationError(
        'proof.inclusion-length',
        `the inclusion proof is too long for leaf ${index} of ${size}`,
        { index, size, proof },
      );
    }
    if (isOdd(fn) || fn === sn) {
      r = nodeHash(p, r);
      if (!isOdd(fn)) {
        while (!isOdd(fn) && fn !== 0) {
          fn = half(fn);
          sn = half(sn);
        }
      }
    } else {
      r = nodeHash(r, p);
    }
    fn = half(fn);
    sn = half(sn);
  }
  if (sn !== 0) {
    throw new VerificationError(
      'proof.inclusion-length',
      `the inclusion proof is too short for leaf ${index} of ${size}`,
      { index, size, proof },
    );
  }
  return r;
}

/**
 * Checks that `leaf` is leaf number `index` of the tree of `size` leaves whose root is `root`.
 * Returns nothing; throws VerificationError (with the proof as evidence) when it is not.
 */
export function verifyInclusion(
  index: number,
  size: number,
  leaf: Hash,
  proof: readonly Hash[],
  root: Hash,
): void {
  checkHash(root, 'root hash');
  const computed = rootFromInclusionProof(index, size, leaf, proof);
  if (!bytesEqual(computed, root)) {
    throw new VerificationError(
      'proof.inclusion-root',
      `leaf ${index} is not in the tree of size ${size} with that root: the proof leads to a different root`,
      { index, size, leaf, proof, root, computed },
    );
  }
}

/**
 * Checks that the tree of `oldSize` leaves with root `oldRoot` is a prefix of the tree of
 * `newSize` leaves with root `newRoot`, per RFC 9162 §2.1.4.2. Returns nothing; throws
 * VerificationError (with both roots and the proof as evidence) when it is not.
 *
 * A proof from the empty tree proves nothing and is refused, as in transparency-dev/merkle:
 * any tree extends the empty one, so callers must treat oldSize 0 on their own.
 */
export function verifyConsistency(
  oldSize: number,
  newSize: number,
  oldRoot: Hash,
  newRoot: Hash,
  proof: readonly Hash[],
): void {
  checkUint(oldSize, 'old tree size');
  checkUint(newSize, 'new tree size');
  const evidence = { oldSize, newSize, oldRoot, newRoot, proof };
  if (newSize < oldSize) {
    throw new LimitError(
      'proof.sizes',
      `old tree size ${oldSize} is larger than new size ${newSize}`,
    );
  }
  if (oldSize === 0) {
    throw new LimitError(
      'proof.empty-tree',
      'a consistency proof from the empty tree proves nothing; every tree extends it',
    );
  }
  if (oldSize === newSize) {
    if (proof.length > 0) {
      throw new VerificationError(
        'proof.consistency-length',
        `trees of equal size ${oldSize} need an empty proof, got ${proof.length} hashes`,
        evidence,
      );
    }
    if (!bytesEqual(oldRoot, newRoot)) {
      throw new VerificationError(
        'proof.consistency-root',
        `two different roots for the same tree size ${oldSize}: the log has forked`,
        evidence,
      );
    }
    return;
  }
  checkHash(oldRoot, 'old root hash');
  checkHash(newRoot, 'new root hash');
  checkProofHashes(proof);
  if (proof.length === 0) {
    throw new VerificationError(
      'proof.consistency-length',
      `the consistency proof from ${oldSize} to ${newSize} is empty`,
      evidence,
    );
  }
  // Step 2: when oldSize is a power of two, the old root is itself the first node of the path.
  const path = pow2(floorLog2(oldSize)) === oldSize ? [oldRoot, ...proof] : [...proof];
  let fn = oldSize - 1;
  let sn = newSize - 1;
  while (isOdd(fn)) {
    fn = half(fn);
    sn = half(sn);
  }
  let fr = path[0]!;
  let sr = path[0]!;
  for (const c of path.slice(1)) {
    if (sn === 0) {
      throw new VerificationError(
        'proof.consistency-length',
        `the consistency proof from ${oldSize} to ${newSize} is too long`,
        evidence,
      );
    }
    if (isOdd(fn) || fn === sn) {
      fr = nodeHash(c, fr);
      sr = nodeHash(c, sr);
      while (!isOdd(fn) && fn !== 0) {
        fn = half(fn);
        sn = half(sn);
      }
    } else {
      sr = nodeHash(sr, c);
    }
    fn = half(fn);
    sn = half(sn);
  }
  if (sn !== 0) {
    throw new VerificationError(
      'proof.consistency-length',
      `the consistency proof from ${oldSize} to ${newSize} is too short`,
      evidence,
    );
  }
  if (!bytesEqual(fr, oldRoot)) {
    throw new VerificationError(
      'proof.consistency-root',
      `the consistency proof does not lead to the old root of size ${oldSize}`,
      evidence,
    );
  }
  if (!bytesEqual(sr, newRoot)) {
    throw new VerificationError(
      'proof.consistency-root',
      `the tree of size ${newSize} is not an extension of the tree of size ${oldSize}: the log's history was changed`,
      evidence,
    );
  }
}
