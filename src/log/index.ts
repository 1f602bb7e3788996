/**
 * The log core: everything needed to build, serve and check a Tamga log, pure and isomorphic
 * (no Node APIs, no I/O). Specifications, by module:
 *
 * - merkle, proof, memory-tree: RFC 6962 / RFC 9162 tree hashing and proofs
 * - note: C2SP signed-note, with key strings as Go's golang.org/x/mod/sumdb/note
 * - checkpoint: C2SP tlog-checkpoint
 * - cosignature: C2SP tlog-cosignature v1 (Ed25519), and the witness quorum check
 * - tiles: C2SP tlog-tiles
 *
 * Sizes, indexes and timestamps are safe integers (0 … 2^53 − 1); see encoding.ts.
 */
export {
  type Checkpoint,
  type CheckpointFields,
  formatCheckpoint,
  type OpenedCheckpoint,
  openCheckpoint,
  parseCheckpoint,
  signCheckpoint,
} from './checkpoint.js';
export {
  type CosignatureVerifier,
  type Cosigner,
  checkCosignatures,
  cosignatureVerifier,
  cosignatureVerifierKey,
  cosigner,
  generateCosignerKey,
  parseCosignatureVerifierKey,
  parseCosignerKey,
  type WitnessCosignature,
  type WitnessedCheckpoint,
  witnessCosignatures,
} from './cosignature.js';
export { type Ed25519, pureEd25519, useEd25519 } from './ed25519.js';
export { bytesEqual, decodeBase64, encodeBase64 } from './encoding.js';
export { FormatError, LimitError, TamgaError, VerificationError } from './errors.js';
export { MemoryTree } from './memory-tree.js';
export {
  emptyRoot,
  type Hash,
  type HashReader,
  leafHash,
  type NodeId,
  nodeHash,
  rootFromLeafHashes,
  type SyncHashReader,
  subtrees,
  TreeBuilder,
} from './merkle.js';
export {
  addSignatures,
  type Ed25519Signer,
  type Ed25519Verifier,
  generateSignerKey,
  type Note,
  type OpenedNote,
  openNote,
  parseNote,
  parseSignerKey,
  parseVerifierKey,
  type Signer,
  signNote,
  type Verifier,
  verifierKeyFromSigner,
} from './note.js';
export {
  consistencyProof,
  consistencyProofSync,
  inclusionProof,
  inclusionProofSync,
  rootFromInclusionProof,
  verifyConsistency,
  verifyInclusion,
} from './proof.js';
export { sha256 } from './sha256.js';
export {
  changedTiles,
  formatEntryBundle,
  formatTilePath,
  type HashTile,
  parseEntryBundle,
  parseTilePath,
  RecentTilesCache,
  rootFromTiles,
  rootFromTilesSync,
  SyncTileHashReader,
  type Tile,
  TileHashReader,
  type TileReader,
  TileWriter,
  tilesForSize,
} from './tiles.js';
