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
 * - tlog-proof: one record's proof as a C2SP `c2sp.org/tlog-proof@v1` file, and its check
 * - packaging: what travels with a bundle besides its disclosed files, which no checker checks
 * - given-files: what each file handed over is to a bundle, and the one verdict on both
 * - file-names: where the disclosed files go beside a bundle (`files/<digest>-<name>`)
 * - readme: the README.txt that travels with every bundle Tamga writes
 * - zip: reading a bundle's ZIP archive, bounded
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
export { describeVerdict, type GivenReport } from './describe.js';
export {
  DIGEST_PREFIX_LENGTH,
  disclosedFilePaths,
  MAX_NAME_BYTES,
  safeFileName,
} from './file-names.js';
export { digestOf, type FileDigest, type ProvidedFiles } from './files.js';
export {
  disclosedFiles,
  type GivenFile,
  type GivenStatus,
  type GivenVerdict,
  type MatchedFiles,
  matchGivenFiles,
  type Outcome,
  outcomeOf,
} from './given-files.js';
export {
  EN,
  type Language,
  type Message,
  type MessageKey,
  type MessageParams,
  renderMessage,
} from './messages.js';
export {
  BUNDLE_NAME,
  baseName,
  DIFF_REPORT_JSON_NAME,
  DIFF_REPORT_TEXT_NAME,
  dirName,
  FILES_FOLDER,
  findBundle,
  isPackaging,
  isSystemFile,
  PACKAGING_NAMES,
  README_NAME,
  VERIFIER_NAME,
} from './packaging.js';
export {
  flattenPolicy,
  formatPolicy,
  MAX_POLICY_CHARS,
  parsePolicy,
  QUORUM_GROUP,
  type SigsumPolicy,
} from './policy.js';
export { evidenceReadme } from './readme.js';
export {
  formatTlogProof,
  isTlogProofPath,
  parseTlogProof,
  recordOfTlogProof,
  TLOG_PROOF_EXTENSION,
  TLOG_PROOF_FORMAT,
  TLOG_PROOF_LIMITS,
  TLOG_PROOFS_FOLDER,
  type TlogProof,
  type TlogProofKeys,
  type TlogProofRecord,
  tlogProofOfRecord,
  tlogProofPath,
  type VerifiedTlogProof,
  verifyTlogProof,
} from './tlog-proof.js';
export {
  bundleFingerprint,
  compactTrustStatement,
  formatTrustStatement,
  formatWitnessStatement,
  parseTrustStatement,
  sameFingerprint,
  statementPolicy,
  TRUST_COMPACT_PREFIX,
  TRUST_FORMAT,
  type TrustInput,
  type TrustStatement,
  trustedKeysFrom,
  trustFingerprint,
  type WitnessStatement,
  witnessFingerprint,
} from './trust.js';
export type {
  Check,
  CheckName,
  CheckpointVerdict,
  CosignatureVerdict,
  EvidenceVerdict,
  FileVerdict,
  Problem,
  RecordVerdict,
  UnknownSigner,
  VerdictStatus,
  WitnessVerdict,
} from './verdict.js';
export { type TrustedKeys, type VerifyOptions, verifyEvidence } from './verify.js';
export { isZip, readZip, ZIP_LIMITS, ZipError, type ZipMember } from './zip.js';
