/**
 * RFC 6962 / RFC 9162 Merkle tree hashing (RFC 9162 §2.1.1).
 *
 *   MTH({})      = SHA-256()
 *   MTH({d(0)})  = SHA-256(0x00 ‖ d(0))
 *   MTH(D[n])    = SHA-256(0x01 ‖ MTH(D[0:k]) ‖ MTH(D[k:n])), k the largest power of two < n
 *
 * A tree of size n is stored as its complete subtrees: node (level L, index N) is the root of
 * leaves [N·2^L, (N+1)·2^L). Those hashes never change once the leaves exist, which is what
 * makes tiles immutable; every other hash (a root, a ragged right edge) is folded from them.
 */
import { checkUint, concatBytes } from './encoding.js';
import { FormatError, LimitError } from './errors.js';
import { Sha256, sha256, sha256Node, sha256Prefixed } from './sha256.js';

/** A SHA-256 hash, always 32 bytes. */
export type Hash = Uint8Array;

/** The size of a Hash in bytes. */
export const HASH_SIZE = 32;

/** The largest level a node of a tree of at most 2^53 − 1 leaves can have. */
export const MAX_LEVEL = 52;

/** A complete subtree: the root of leaves [index·2^level, (index+1)·2^level). */
export interface NodeId {
  readonly level: number;
  readonly index: number;
}

/**
 * Reads stored hashes of complete subtrees, in the order asked. Implementations read memory,
 * tiles or a database; proof generation asks for all the nodes of one proof in a single call.
 * Throws (or rejects) when a node is not stored.
 */
export interface HashReader {
  readHashes(nodes: readonly NodeId[]): Hash[] | Promise<Hash[]>;
}

/** A HashReader that answers synchronously, for in-memory and SQLite stores. */
export interface SyncHashReader extends HashReader {
  readHashes(nodes: readonly NodeId[]): Hash[];
}

/** Returns the RFC 6962 leaf hash SHA-256(0x00 ‖ data). */
export function leafHash(data: Uint8Array): Hash {
  return sha256Prefixed(0x00, data);
}

/** Returns the RFC 6962 interior node hash SHA-256(0x01 ‖ left ‖ right). */
export function nodeHash(left: Hash, right: Hash): Hash {
  if (left.length === HASH_SIZE && right.length === HASH_SIZE) return sha256Node(left, right);
  // Only test vectors hash children of other sizes; the tree itself always has 32-byte ones.
  return new Sha256().update(Uint8Array.of(0x01)).update(left).update(right).digest();
}

/** Returns the root of the empty tree, SHA-256 of the empty string. */
export function emptyRoot(): Hash {
  return sha256(new Uint8Array(0));
}

/** Throws FormatError unless `hash` is a 32-byte array. `what` names it in the message. */
export function checkHash(hash: Uint8Array, what = 'hash'): void {
  if (!(hash instanceof Uint8Array) || hash.length !== HASH_SIZE) {
    const got = hash instanceof Uint8Array ? `${hash.length} bytes` : typeof hash;
    throw new FormatError('hash.length', `${what} must be a 32-byte SHA-256 hash, got ${got}`);
  }
}

// 2^0 … 2^64, exact as doubles. A table: `2 ** level` with a variable exponent is a slow call.
const POW2 = Array.from({ length: 65 }, (_, i) => 2 ** i);

/** Returns 2^level as a number (exact for every level up to 64). */
export function pow2(level: number): number {
  return POW2[level] ?? 2 ** level;
}

/** Returns the number of trailing zero bits of a positive safe integer (its largest power-of-two divisor's exponent). */
function trailingZeros(n: number): number {
  const low = n % 0x1_0000_0000;
  if (low !== 0) return 31 - Math.clz32(low & -low);
  return 32 + (31 - Math.clz32((n / 0x1_0000_0000) & -(n / 0x1_0000_0000)));
}

/** Returns ⌊log2 n⌋ for a positive safe integer. */
export function floorLog2(n: number): number {
  const high = Math.floor(n / 0x1_0000_0000);
  return high > 0 ? 63 - Math.clz32(high) : 31 - Math.clz32(n);
}

/** Returns the leaves [begin, end) covered by `node`. */
export function nodeRange(node: NodeId): { begin: number; end: number } {
  const width = pow2(node.level);
  return { begin: node.index * width, end: (node.index + 1) * width };
}

/**
 * Returns the maximal complete subtrees that cover leaves [begin, end), left to right.
 * For begin = 0 they are the binary decomposition of `end`, largest first: the right edge of a
 * tree of size `end`.
 */
export function subtrees(begin: number, end: number): NodeId[] {
  checkUint(begin, 'range start');
  checkUint(end, 'range end');
  if (begin > end)
    throw new LimitError('range.order', `range start ${begin} is after its end ${end}`);
  const out: NodeId[] = [];
  while (begin < end) {
    // The largest power of two that divides `begin` (alignment) and fits before `end`.
    const fits = floorLog2(end - begin);
    const level = begin === 0 ? fits : Math.min(trailingZeros(begin), fits);
    const width = POW2[level]!;
    out.push({ level, index: begin / width });
    begin += width;
  }
  return out;
}

/**
 * Folds the hashes of consecutive complete subtrees, right to left, into the hash of the range
 * they cover. Correct when the range start is aligned to a power of two at least as wide as the
 * range, as for every range RFC 6962 hashes: [0, n) and the right halves of its recursion.
 */
export function foldSubtrees(hashes: readonly Hash[]): Hash {
  let i = hashes.length - 1;
  if (i < 0) return emptyRoot();
  let h = hashes[i]!;
  while (--i >= 0) h = nodeHash(hashes[i]!, h);
  return h;
}

/** Returns the root of a tree whose leaf hashes are all in memory. For tests and small trees. */
export function rootFromLeafHashes(leaves: readonly Hash[]): Hash {
  const builder = new TreeBuilder();
  for (const h of leaves) builder.append(h);
  return builder.root();
}

/** Returns the hash of node `node` computed from all the leaf hashes in memory. */
export function nodeFromLeafHashes(leaves: readonly Hash[], node: NodeId): Hash {
  const { begin, end } = nodeRange(node);
  if (end > leaves.length) {
    throw new LimitError(
      'node.range',
      `node ${node.level}/${node.index} needs leaves up to ${end}, only ${leaves.length} given`,
    );
  }
  return rootFromLeafHashes(leaves.slice(begin, end));
}

/** Called for each complete subtree as soon as its hash is known. */
export type NodeSink = (node: NodeId, hash: Hash) => void;

/**
 * Builds a tree one leaf hash at a time, keeping only its right edge (one hash per set bit of
 * the size), and reports every complete subtree it forms to an optional sink, so that a store
 * can write hash tiles as leaves arrive. Memory stays O(log n) for any size.
 */
export class TreeBuilder {
  private edge: Hash[];
  private count: number;

  /**
   * Starts from an existing tree of `size` leaves, given the hashes of `subtrees(0, size)`
   * (its right edge, largest first). With no arguments, starts from the empty tree.
   */
  constructor(size = 0, edge: readonly Hash[] = []) {
    checkUint(size, 'tree size');
    const expected = subtrees(0, size).length;
    if (edge.length !== expected) {
      throw new LimitError(
        'tree.edge',
        `a tree of size ${size} has ${expected} right-edge hashes, got ${edge.length}`,
      );
    }
    for (const h of edge) checkHash(h, 'right-edge hash');
    this.edge = [...edge];
    this.count = size;
  }

  /** The number of leaves appended so far. */
  get size(): number {
    return this.count;
  }

  /** Returns the right edge: the hashes of `subtrees(0, size)`, largest first. */
  rightEdge(): Hash[] {
    return [...this.edge];
  }

  /** Appends one leaf hash; `sink` receives the leaf and every subtree it completes. */
  append(leaf: Hash, sink?: NodeSink): void {
    if (this.count >= Number.MAX_SAFE_INTEGER) {
      throw new LimitError('tree.full', 'the tree has reached 2^53-1 leaves');
    }
    let index = this.count;
    let h = leaf;
    sink?.({ level: 0, index }, h);
    // Each trailing 1 bit of the old size is a subtree that the new leaf completes.
    let level = 0;
    while (index % 2 === 1) {
      h = nodeHash(this.edge.pop()!, h);
      index = (index - 1) / 2;
      level++;
      sink?.({ level, index }, h);
    }
    this.edge.push(h);
    this.count++;
  }

  /** Returns the root hash of the tree as it stands. */
  root(): Hash {
    return foldSubtrees(this.edge);
  }
}

/** Returns the bytes of several hashes laid end to end, as in a hash tile. */
export function joinHashes(hashes: readonly Hash[]): Uint8Array {
  return concatBytes(...hashes);
}
