/**
 * Records: what Tamga seals. Pure and isomorphic like src/log (no Node APIs, no I/O, no clock
 * or randomness that is not passed in). By module:
 *
 * - jcs: RFC 8785 JSON Canonicalization Scheme
 * - id: time-sortable record ids (the ULID layout)
 * - time: RFC 3339 UTC timestamps and dates
 * - fields, bodies, record: the record schema, each kind's body, and `parseRecord`
 * - commitment: SHA-256("tamga/record/v1\n" ‖ salt ‖ JCS(record)), the log entry of a record
 * - errors: SchemaError, which names every wrong field
 * - printable: untrusted text made inert for a terminal (controls, bidi and invisible characters)
 */
export {
  type ActivityBody,
  type AssetBody,
  type CorrectionBody,
  type DocumentBody,
  type IncidentBody,
  RECORD_KINDS,
  type RecordKind,
  type SeizureBody,
  type TransactionBody,
} from './bodies.js';
export {
  COMMITMENT_SIZE,
  commitCanonical,
  commitment,
  RECORD_COMMITMENT_DOMAIN,
  recordLeafHash,
  SALT_SIZE,
} from './commitment.js';
export { SchemaError, type SchemaIssue } from './errors.js';
export { RECORD_LIMITS } from './fields.js';
export {
  isRecordId,
  MAX_RECORD_ID_TIME,
  newRecordId,
  RECORD_ID_RANDOM_BYTES,
  recordIdTime,
} from './id.js';
export {
  type CanonicalizeOptions,
  canonicalize,
  canonicalizeBytes,
  MAX_JSON_DEPTH,
} from './jcs.js';
export { printable, printableLines } from './printable.js';
export {
  type ActivityRecord,
  type AssetRecord,
  type CorrectionRecord,
  type DocumentRecord,
  type FileRef,
  type IncidentRecord,
  isRecordKind,
  parseRecord,
  parseRecordCanonical,
  type RecordOf,
  recordCanonicalBytes,
  type SeizureRecord,
  type TamgaRecord,
  type TransactionRecord,
} from './record.js';
export { formatUtcSeconds, isFullDate, isUtcTimestamp } from './time.js';
