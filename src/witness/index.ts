/**
 * The witness (docs/design.md, "Parts"): a C2SP tlog-witness server that cosigns the checkpoints
 * of the logs it witnesses (C2SP tlog-cosignature, Ed25519 cosignature/v1) and refuses any
 * history that does not extend what it cosigned before.
 *
 * - witness: `Witness`, the state and the add-checkpoint logic (atomic, group-committed)
 * - server: `buildWitnessServer`, the HTTP routes (a Fastify app, for `inject` or `listen`)
 * - commands: `witnessInit`, `witnessAddLog`, `witnessServe`, for the CLI
 * - request: the add-checkpoint body; store: the SQLite database; key-file: `witness.key`
 * - log-signatures, crypto-pool: the logs' signatures verified, and cosignatures made, on
 *   worker threads
 */
export {
  listenWitness,
  type WitnessAddLogOptions,
  type WitnessCommandContext,
  type WitnessInitOptions,
  type WitnessServeOptions,
  witnessAddLog,
  witnessInit,
  witnessServe,
} from './commands.js';
export { type RefusalStatus, WitnessError, WitnessRefusal } from './errors.js';
export { KEY_FILE } from './key-file.js';
export { type AddCheckpointRequest, MAX_PROOF_LINES, parseAddCheckpoint } from './request.js';
export {
  buildWitnessServer,
  MAX_BODY_BYTES,
  MAX_URL_LENGTH,
  TLOG_SIZE_TYPE,
  type WitnessServerOptions,
} from './server.js';
export type {
  CosignedCheckpoint,
  EvidenceRecord,
  LatestCheckpoint,
  WitnessedLog,
} from './store.js';
export {
  type AddedLog,
  type CosignatureRecord,
  DATABASE_FILE,
  Witness,
  type WitnessOptions,
} from './witness.js';
