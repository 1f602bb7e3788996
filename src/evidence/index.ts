/**
 * Evidence bundles (docs/evidence-bundle.md): chosen records, proven by one cosigned checkpoint,
 * verifiable offline by anyone. Pure and isomorphic like src/log and src/records: the same code
 * verifies in the CLI and in the browser. By module:
 *
 * - bundle: the `tamga-evidence/v1` format, its bounds, `parseEvidence` and `formatEvidence`
 * - assemble: `assembleEvidence`, from the parts a vault holds
 * - verify, checkpoint, files: `verifyEvidence` and the checks it makes
 * - verdict: what a verification found, as data
 * - messages, describe: message keys and their English text; `describeVerdict`
 * - policy: witness policies in the sigsum policy file format
 */
export { assembleEvidence, type DisclosedRecord, type EvidenceParts } from './assemble.js';
export {
  EVIDENCE_FORMAT,
  EVIDENCE_LIMITS,
  type EvidenceBundle,
  type EvidenceFile,
  type EvidenceRecord,
  formatEvidence,
  type LogIdentity,
  parseEvidence,
  type WitnessPolicy,
} from './bundle.js';
export { describeVerdict } from './describe.js';
export { digestOf, type FileDigest, type ProvidedFiles } from './files.js';
export {
  EN,
  type Language,
  type Message,
  type MessageKey,
  type MessageParams,
  renderMessage,
} from './messages.js';
export {
  flattenPolicy,
  formatPolicy,
  MAX_POLICY_CHARS,
  parsePolicy,
  QUORUM_GROUP,
  type SigsumPolicy,
} from './policy.js';
export type {
  Check,
  CheckName,
  CheckpointVerdict,
  CosignatureVerdict,
  EvidenceVerdict,
  FileVerdict,
  Problem,
  RecordVerdict,
  WitnessVerdict,
} from './verdict.js';
export { type TrustedKeys, type VerifyOptions, verifyEvidence } from './verify.js';
