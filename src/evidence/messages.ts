/**
 * What a verdict says, as message keys with parameters, and the English text of each key.
 * Verdicts carry `{ key, params }` rather than sentences, so that the web app can show the same
 * verdict in another language; adding a language is adding one more catalog like `EN`.
 *
 * Placeholders are `{name}`; `{name:utc}` writes a POSIX time in seconds as an RFC 3339 UTC
 * timestamp. A `reason` parameter holds the message of the error that made a check fail, which
 * the log core writes in English.
 */
import { formatUtcSeconds } from '../records/time.js';

/** The English text of every message a verdict can carry. */
export const EN = {
  'verdict.ok':
    'VERIFIED: {records} record(s) proven by a checkpoint of the log {origin}, under keys you trust.',
  'verdict.unconfirmed':
    "UNCONFIRMED: the proofs of {records} record(s) are consistent, but only under keys that came with the bundle, which anyone can make. No date is given. These keys' fingerprint is {fingerprint}: compare it with the fingerprint the union published, then check again with its trust statement.",
  'verdict.failed': 'NOT VERIFIED: {problems} problem(s) found; each is listed below.',
  'verdict.given-failed':
    "NOT VERIFIED: {files} of the files given are not disclosed files, unchanged (each is listed below); the bundle's own checks held.",
  'verdict.failed-given':
    'NOT VERIFIED: {problems} problem(s) found in the bundle, and {files} of the files given are not disclosed files, unchanged; each is listed below.',

  'heading.trust': 'Keys',
  'heading.checkpoint': 'Checkpoint',
  'heading.record': 'Record {number}: {kind} {id}, log entry {index}',
  'heading.time': 'Time',
  'heading.problems': 'Problems',
  'heading.given': 'Files given',

  'trust.from-bundle':
    "The log key and the witness keys were taken from the bundle itself (fingerprint {fingerprint}). Anyone can make a bundle with keys of their own: until you check it under the union's published trust statement, it proves nothing about the union.",
  'trust.log-from-bundle':
    "The log key was taken from the bundle itself, not from keys you trust: give the union's trust statement.",
  'trust.witnesses-from-bundle':
    "The witness policy was taken from the bundle itself, not from keys you trust, so no time is given: give the union's trust statement.",
  'trust.statement': 'Checked under the trust statement with fingerprint {fingerprint}.',
  'trust.pinned-log': 'The log key {key} and origin {origin} were given by the verifier.',
  'trust.pinned-witnesses':
    'The witness policy ({quorum} of {count} witnesses) was given by the verifier.',
  'trust.log-differs':
    'The bundle names the log {bundleOrigin} with key {bundleKey}; the trusted log {origin} with key {key} was used instead.',
  'trust.witnesses-differ':
    'The bundle names another witness policy ({bundleQuorum} of {bundleCount}); the trusted policy was used instead.',

  'checkpoint.read': 'Checkpoint of the log {origin}: {size} entries, root {root}.',
  'checkpoint.unreadable': 'The checkpoint cannot be read: {reason}',
  'log-signature.ok': 'Signed by the log key {key}.',
  'log-signature.failed': 'Not validly signed by the log key {key}: {reason}',
  'witness.cosigned': 'Cosigned by the witness {witness} at {time:utc}.',
  'witness.cosigned-untrusted':
    'Cosigned under the key the bundle gives for {witness}; that key is not one you trust, so its time is not shown.',
  'witness.unknown':
    'A cosignature by an unknown witness named {witness} (key ID {keyId}), whose key is not in the trusted policy: ignored.',
  'witness.absent': 'No cosignature by the witness {witness}.',
  'witness.invalid': 'The cosignature by the witness {witness} is invalid: {reason}',
  'witness.unchecked':
    'The witness {witness} was not checked, because the checkpoint cannot be read.',
  'quorum.met': '{valid} of {count} witnesses cosigned; the policy needs {required}.',
  'quorum.not-met':
    'Only {valid} of {count} witnesses cosigned validly; the policy needs {required}.',
  'quorum.not-needed': 'The policy needs no witness (quorum 0); {valid} of {count} cosigned.',
  'checkpoint.policy-failed': 'The checkpoint fails the witness policy: {reason}',

  'record.well-formed': 'The record fits the schema of a {kind} record.',
  'record.malformed': 'The record does not fit the record schema: {reason}',
  'record.committed': 'The record and its salt give the commitment {commitment}.',
  'record.not-committed':
    'The record and its salt do not give the commitment {commitment}: the record or its salt was changed after it was sealed.',
  'record.uncommittable': 'No commitment can be computed for the record: {reason}',
  'record.included':
    'The commitment is log entry {index} of the checkpoint: the inclusion proof holds.',
  'record.not-included':
    'The commitment is not proven to be log entry {index} of the checkpoint: {reason}',
  'record.inclusion-unchecked':
    'Inclusion in the log was not checked, because the checkpoint cannot be read.',
  'file.match': 'The file {name} matches: SHA-256 {sha256}, {size} bytes.',
  'file.mismatch':
    'The file {name} does not match: the record says SHA-256 {sha256} and {size} bytes, the file given has SHA-256 {actualSha256} and {actualSize} bytes.',
  'file.not-provided':
    'The file {name} (SHA-256 {sha256}) was not given, so its content was not checked.',

  'given.disclosed': 'A disclosed file, unchanged: the file {name} of a record, SHA-256 {sha256}.',
  'given.altered':
    'Altered: does not match the sealed file {name}. It should have SHA-256 {expected}; it has SHA-256 {sha256}.',
  'given.not-disclosed': 'Not disclosed by this bundle: nothing is proven about this file.',

  'time.proven':
    'The records that verified existed no later than {time:utc}: the witness {witness} cosigned, at that time, a checkpoint that includes them.',
  'time.quorum':
    'By {time:utc}, {required} witness(es), as many as the policy needs, had cosigned that checkpoint.',
  'time.none':
    "No witness cosigned this checkpoint: only the log's own signature vouches for it, and the log's clock proves nothing. No time is independently proven.",
  'time.not-required':
    "The witness policy needs no witness (quorum 0), so no time is proven: only the log's own signature is required to vouch for this checkpoint. Set a quorum to rely on the witnesses that cosigned.",
  'time.unproven': 'No time is proven, because the checkpoint did not verify.',
  'time.untrusted':
    "No time is given: the witness keys came from the bundle, and a key anyone can make can claim any time. Check the bundle under the union's trust statement to see when the records existed.",
  'time.no-record': 'No time is proven, because no record verified.',

  'subject.checkpoint': 'Checkpoint',
  'subject.record': 'Record {number} ({id})',
} as const;

/** The key of a message a verdict can carry. */
export type MessageKey = keyof typeof EN;

/** Parameters of a message: what goes into its placeholders. */
export type MessageParams = Readonly<Record<string, string | number>>;

/** A message: a key into a catalog, and its parameters. */
export interface Message {
  readonly key: MessageKey;
  readonly params: MessageParams;
}

/** Languages that have a catalog. */
export type Language = 'en';

const CATALOGS: Readonly<Record<Language, Readonly<Record<MessageKey, string>>>> = { en: EN };

/** Returns a message. */
export function message(key: MessageKey, params: MessageParams = {}): Message {
  return { key, params };
}

/**
 * Returns the text of `msg` in `lang`, its placeholders filled. A missing parameter is written
 * as `{name}` rather than failing, so that a report always prints.
 */
export function renderMessage(msg: Message, lang: Language = 'en'): string {
  const template = CATALOGS[lang][msg.key];
  return template.replace(/\{(\w+)(?::(\w+))?\}/g, (whole, name: string, format?: string) => {
    const value = msg.params[name];
    if (value === undefined) return whole;
    if (
      format === 'utc' &&
      typeof value === 'number' &&
      Number.isSafeInteger(value) &&
      value >= 0
    ) {
      return formatUtcSeconds(value);
    }
    return String(value);
  });
}
