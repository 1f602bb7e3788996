/**
 * A Merkle tree held wholly in memory: every complete subtree's hash, level by level. It serves
 * tests, benchmarks and small logs; real stores keep the same hashes in tiles.
 */
import { LimitError } from './errors.js';
import { type Hash, leafHash, type NodeId, type SyncHashReader, TreeBuilder } from './merkle.js';

/** An in-memory append-only tree that can answer any proof about any of its sizes. */
export class MemoryTree implements SyncHashReader {
  private readonly levels: Hash[][] = [];
  private readonly builder = new TreeBuilder();

  /** The number of leaves. */
  get size(): number {
    return this.builder.size;
  }

  /** Appends a leaf by its data; returns its index. */
  appendData(data: Uint8Array): number {
    return this.appendLeafHash(leafHash(data));
  }

  /** Appends a leaf by its RFC 6962 leaf hash; returns its index. */
  appendLeafHash(hash: Hash): number {
    const index = this.builder.size;
    this.builder.append(hash, (node, h) => {
      let level = this.levels[node.level];
      if (level === undefined) {
        level = [];
        this.levels[node.level] = level;
      }
      level[node.index] = h;
    });
    return index;
  }

  /** Returns the root of the tree as it stands. */
  root(): Hash {
    return this.builder.root();
  }

  /** Returns the stored hashes of complete subtrees; throws LimitError for any not yet complete. */
  readHashes(nodes: readonly NodeId[]): Hash[] {
    return nodes.map((n) => {
      const h = this.levels[n.level]?.[n.index];
      if (h === undefined) {
        throw new LimitError(
          'tree.node-missing',
          `node ${n.level}/${n.index} is not a complete subtree of a tree of size ${this.size}`,
        );
      }
      return h;
    });
  }
}
