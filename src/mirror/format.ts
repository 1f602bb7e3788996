/**
 * The mirror's wire formats and limits (docs/mirror.md). The public half is C2SP tlog-tiles as
 * the log serves it; the private half lives under `/private/v1/`, behind a bearer token:
 *
 *   GET /private/v1/info                      JSON MirrorInfo: the log's identity and policy
 *   GET /private/v1/keys.age                  the passphrase-protected key file, as stored
 *   GET /private/v1/secrets.age               age file to the vault: JSON VaultSecrets
 *   GET /private/v1/checkpoints?after=S[&limit=N]   JSON CheckpointPage, sizes above S
 *   GET /private/v1/records/<N>[.p/<W>]       age file to the vault: the records of entry tile N
 *   GET /private/v1/blobs[?after=C][&limit=N] JSON BlobPage: opaque names and stored sizes
 *   GET /private/v1/blob/<name>               one encrypted file, byte for byte as stored
 *   GET /private/v1/pack?after=C&skip=K&limit=N    several encrypted files in one answer (pack.ts)
 *
 * A record bundle decrypts to one JSON line per record of the entry tile, in log order
 * (RecordLine). Nothing here names a file's plaintext hash: blobs are named by an HMAC of it.
 */
import { z } from 'zod';
import { MirrorError } from './errors.js';

/** The format of the info document, of a mirror directory, and of this API. */
export const MIRROR_FORMAT = 'tamga-mirror/v1';

/** The format of the secrets document inside secrets.age. */
export const SECRETS_FORMAT = 'tamga-mirror-secrets/v1';

/** Where the private routes live. */
export const PRIVATE_PREFIX = '/private/v1';

/** Limits every reader and writer of the private API holds to. */
export const MIRROR_LIMITS = {
  /** Checkpoints per page; a note with 100 signatures is under 16 KiB. */
  maxCheckpointsPerPage: 256,
  /** Blob names per page; a pack's skip and limit add up to at most this. */
  maxBlobsPerPage: 1000,
  /** The files of one pack, in bytes, headers aside. */
  maxPackBytes: 64 << 20,
  /** A JSON document of the API (info, a page), in bytes. */
  maxDocument: 8 << 20,
  /** A signed note, in bytes. */
  maxNote: 64 << 10,
  /** The key file and the secrets file, in bytes. */
  maxKeyFile: 1 << 20,
  /**
   * A record bundle, in bytes: 256 records of at most 1 MiB canonical JSON, which JSON string
   * escaping can double, plus salts, paths and age's 16 bytes per 64 KiB.
   */
  maxRecordBundle: 256 * (2 * 1024 * 1024 + 16 * 1024) + 1024 * 1024,
  /** An encrypted file. Sealing has no size limit; this is a sanity bound of 1 TiB. */
  maxBlob: 2 ** 40,
  /** A bearer token, in characters. */
  maxToken: 256,
} as const;

/** A witness as the policy names it. */
export interface PolicyWitness {
  readonly name: string;
  /** C2SP cosignature verifier key, `name+hex8+base64(0x04‖pub)`. */
  readonly vkey: string;
  /** The prefix of its add-checkpoint endpoint. */
  readonly url: string;
}

/** The witness policy a vault publishes to its mirrors: which witnesses, and the quorum. */
export interface MirrorPolicy {
  readonly quorum: number;
  readonly witnesses: readonly PolicyWitness[];
}

/** GET /private/v1/info: the log's public identity and policy. */
export interface MirrorInfo {
  readonly format: typeof MIRROR_FORMAT;
  readonly origin: string;
  /** The log's Ed25519 note verifier key. */
  readonly logVerifierKey: string;
  /** The age X25519 recipient records and files are encrypted to. */
  readonly ageRecipient: string;
  readonly policy: MirrorPolicy;
}

/** One signed checkpoint of the log's history, with the cosignatures gathered for it. */
export interface CheckpointEntry {
  readonly size: number;
  readonly note: string;
  /** When the vault signed it (its own clock: proves nothing, kept for the record). */
  readonly created: string;
}

/** GET /private/v1/checkpoints: checkpoints of sizes above `after`, ascending. */
export interface CheckpointPage {
  readonly checkpoints: readonly CheckpointEntry[];
  /** The `after` of the next page, or null when this is the last. */
  readonly next: number | null;
}

/** One encrypted file: its opaque name and its stored (encrypted) size in bytes. */
export interface BlobEntry {
  readonly name: string;
  readonly size: number;
}

/** An encrypted file a store serves, and where it lies on disk. */
export interface BlobFile extends BlobEntry {
  readonly path: string;
}

/** GET /private/v1/blobs: one page of the encrypted files. */
export interface BlobPage {
  readonly blobs: readonly BlobEntry[];
  /** The opaque `after` cursor of the next page, or null when this is the last. */
  readonly next: string | null;
}

/** One line of a decrypted record bundle. */
export interface RecordLine {
  readonly idx: number;
  /** RFC 8785 canonical JSON of the record, exactly as committed. */
  readonly json: string;
  /** The 32-byte salt, base64. */
  readonly salt: string;
  /** The sealed paths that point at this record (what `tamga seal` skips when unchanged). */
  readonly paths: ReadonlyArray<{
    readonly path: string;
    readonly size: number;
    readonly mtimeMs: number;
    readonly sha256: string;
  }>;
}

/** The document inside secrets.age: what a restore needs that must not be readable by mirrors. */
export interface VaultSecrets {
  readonly format: typeof SECRETS_FORMAT;
  /** The vault's meta table (origin, created, quorum, the blob-name key, …). */
  readonly meta: Readonly<Record<string, string>>;
}

/** Blob names: HMAC-SHA-256 as 64 lowercase hex digits. */
export const BLOB_NAME = /^[0-9a-f]{64}$/;

const shortText = z.string().min(1).max(4096);

export const policySchema = z.strictObject({
  quorum: z.number().int().min(0).max(1000),
  witnesses: z
    .array(z.strictObject({ name: shortText, vkey: shortText, url: shortText }))
    .max(1000),
});

export const infoSchema = z.strictObject({
  format: z.literal(MIRROR_FORMAT),
  origin: shortText,
  logVerifierKey: shortText,
  ageRecipient: z.string().regex(/^age1[02-9ac-hj-np-z]{58}$/),
  policy: policySchema,
});

const size = z.number().int().min(0).max(Number.MAX_SAFE_INTEGER);

export const checkpointPageSchema = z.strictObject({
  checkpoints: z
    .array(
      z.strictObject({
        size,
        note: z.string().min(1).max(MIRROR_LIMITS.maxNote),
        created: z.string().max(64),
      }),
    )
    .max(MIRROR_LIMITS.maxCheckpointsPerPage),
  next: size.nullable(),
});

export const blobPageSchema = z.strictObject({
  blobs: z
    .array(
      z.strictObject({
        name: z.string().regex(BLOB_NAME),
        size: z.number().int().min(0).max(MIRROR_LIMITS.maxBlob),
      }),
    )
    .max(MIRROR_LIMITS.maxBlobsPerPage),
  next: z.string().min(1).max(128).nullable(),
});

export const recordLineSchema = z.strictObject({
  idx: size,
  json: z
    .string()
    .min(2)
    .max(4 << 20),
  salt: z.string().length(44),
  paths: z
    .array(
      z.strictObject({
        path: z.string().min(1).max(4096),
        size,
        mtimeMs: z.number().finite(),
        sha256: z.string().regex(/^[0-9a-f]{64}$/),
      }),
    )
    .max(4096),
});

export const secretsSchema = z.strictObject({
  format: z.literal(SECRETS_FORMAT),
  meta: z.record(z.string().max(256), z.string().max(4096)),
});

/** Parses `value` with `schema`; throws a MirrorError naming `what` when it does not fit. */
export function parseDocument<T>(schema: z.ZodType<T>, value: unknown, what: string): T {
  const r = schema.safeParse(value);
  if (!r.success) {
    const issue = r.error.issues[0];
    const where = issue && issue.path.length > 0 ? ` at ${issue.path.join('.')}` : '';
    throw new MirrorError(
      'mirror.bad-document',
      `${what} is not a valid ${MIRROR_FORMAT} document${where}: ${issue?.message ?? 'invalid'}`,
    );
  }
  return r.data;
}
