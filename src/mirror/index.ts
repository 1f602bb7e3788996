/**
 * Mirrors (docs/mirror.md): pull, verify, serve and restore copies of a vault.
 *
 * - tokens: the bearer tokens a vault issues to its mirrors (only their hashes are kept)
 * - vault-store, mirror-dir: a vault's and a mirror's private data behind one PrivateStore
 * - http-source, mirror-dir: where pulls and restores read from (MirrorSource)
 * - pack, pack-stream: many small encrypted files in one answer (format; served from disk)
 * - pull: `pullMirror`, verified and resumable, refusing forks and keeping them as evidence;
 *   blob-writer puts the files it receives in place, each flushed before it takes its name
 * - restore: `restoreVault`, a vault rebuilt and checked from a mirror and the vault's key file
 */
export { blobName } from './blob-names.js';
export { ForkError, type ForkEvidence, MirrorError } from './errors.js';
export * from './format.js';
export { HttpSource, type HttpSourceOptions } from './http-source.js';
export {
  DirectorySource,
  MirrorDirectory,
  type MirrorLayout,
  type MirrorState,
  mirrorLayout,
} from './mirror-dir.js';
export type { PrivateStore } from './private-store.js';
export { type PullOptions, type PullProgress, type PullReport, pullMirror } from './pull.js';
export {
  type RestoreOptions,
  type RestoreProgress,
  type RestoreReport,
  restoreVault,
} from './restore.js';
export type { MirrorSource } from './source.js';
export {
  checkTokenShape,
  issueMirrorToken,
  listMirrorTokens,
  type MirrorTokenEntry,
  revokeMirrorToken,
} from './tokens.js';
export { vaultPrivateStore } from './vault-store.js';
