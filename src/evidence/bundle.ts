/**
 * The evidence bundle format, `tamga-evidence/v1` (docs/evidence-bundle.md): chosen records,
 * each with its salt, commitment and inclusion proof, one cosigned checkpoint, and the keys and
 * witness policy to check them with. Attached files travel beside the bundle, not inside it.
 *
 * `parseEvidence` reads a bundle and checks its shape and bounds only: that every field is
 * there, of its type, with base64 that decodes to the right lengths and keys that parse. Whether
 * the bundle proves anything is `verifyEvidence`'s question.
 */
import { z } from 'zod';
import {
  decodeBase64,
  encodeBase64,
  FormatError,
  LimitError,
  parseCosignatureVerifierKey,
  parseVerifierKey,
  TamgaError,
} from '../log/index.js';
import { issuesFromZod, SchemaError } from '../records/errors.js';
import { pathProblem, sha256Hex, text, utcTimestamp } from '../records/fields.js';

/** The format this module reads and writes. */
export const EVIDENCE_FORMAT = 'tamga-evidence/v1';

/** The bounds of a bundle; a bundle beyond them is refused before it is verified. */
export const EVIDENCE_LIMITS = {
  /** The bundle's JSON text, in UTF-8 bytes: 100 MiB. */
  maxBundleBytes: 100 * 1024 * 1024,
  /** Records in one bundle. */
  maxRecords: 100_000,
  /** Files listed beside the records. */
  maxFiles: 100_000,
  /** Witnesses in the policy (a note holds at most 100 signatures, one of them the log's). */
  maxWitnesses: 64,
  /** Hashes in one inclusion proof (a tree of 2^53 leaves needs 53). */
  maxProofHashes: 64,
  /** The signed checkpoint note, in characters. */
  maxCheckpointLength: 65_536,
  /** Key strings, origin, generator and file paths, in characters. */
  maxText: 4096,
} as const;

/** The log that the bundle's checkpoint comes from: its origin line and its note verifier key. */
export interface LogIdentity {
  readonly origin: string;
  /** The log's Ed25519 verifier key, `name+hex8+base64(0x01‖pub)`. */
  readonly verifierKey: string;
}

/** Which witnesses count and how many must have cosigned (0 means the log alone vouches). */
export interface WitnessPolicy {
  readonly quorum: number;
  /** Witness cosignature verifier keys, `name+hex8+base64(0x04‖pub)`. */
  readonly verifierKeys: readonly string[];
}

/** One disclosed record: the record, its salt, its commitment, and where the log holds it. */
export interface EvidenceRecord {
  /** The record's position in the log (its leaf index). */
  readonly index: number;
  /** The log entry, base64 of 32 bytes: SHA-256("tamga/record/v1\n" ‖ salt ‖ JCS(record)). */
  readonly commitment: string;
  /** Base64 of the record's 32-byte salt. */
  readonly salt: string;
  /** The RFC 9162 inclusion proof of `index` in the checkpoint's tree, base64 hashes. */
  readonly proof: readonly string[];
  /** The record as committed. */
  readonly record: Readonly<Record<string, unknown>>;
}

/** A file that travels beside the bundle: its SHA-256 and where it is, relative to the bundle. */
export interface EvidenceFile {
  readonly sha256: string;
  /**
   * A relative `/`-separated path from the bundle's folder, such as
   * `files/<sha256 prefix>-<name>`.
   */
  readonly path: string;
}

/** An evidence bundle, `tamga-evidence/v1`. */
export interface EvidenceBundle {
  readonly format: typeof EVIDENCE_FORMAT;
  /** When it was assembled, by the assembler's clock, which proves nothing. */
  readonly created: string;
  /** What assembled it, such as `tamga 0.1.0`. */
  readonly generator: string;
  readonly log: LogIdentity;
  readonly witnesses: WitnessPolicy;
  /** The checkpoint as a signed note, with the log's signature and the witnesses' cosignatures. */
  readonly checkpoint: string;
  readonly records: readonly EvidenceRecord[];
  readonly files: readonly EvidenceFile[];
}

const L = EVIDENCE_LIMITS;
const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

const base64Hash = (what: string) =>
  z.string().superRefine((s, ctx) => {
    const problem = hashProblem(s, what);
    if (problem !== null) ctx.addIssue({ code: 'custom', message: problem });
  });

const logKey = z
  .string()
  .max(L.maxText)
  .superRefine((s, ctx) => keyIssue(() => parseVerifierKey(s), ctx));

const witnessKey = z
  .string()
  .max(L.maxText)
  .superRefine((s, ctx) => keyIssue(() => parseCosignatureVerifierKey(s), ctx));

/** The shape of a log identity, for bundles and for keys a verifier pins. */
export const logIdentitySchema = z.strictObject({
  origin: text(L.maxText),
  verifierKey: logKey,
});

/** The shape of a witness policy, for bundles and for policies a verifier pins. */
export const witnessPolicySchema = z
  .strictObject({
    quorum: z.int().min(0),
    verifierKeys: z.array(witnessKey).max(L.maxWitnesses),
  })
  .superRefine((p, ctx) => {
    if (p.quorum > p.verifierKeys.length) {
      ctx.addIssue({
        code: 'custom',
        path: ['quorum'],
        message: `is ${p.quorum}, more than the ${p.verifierKeys.length} witnesses listed; no checkpoint could meet it`,
      });
    }
    const seen = new Map<string, number>();
    p.verifierKeys.forEach((k, i) => {
      const pub = publicKeyOf(() => parseCosignatureVerifierKey(k).publicKey);
      if (pub === null) return;
      const first = seen.get(pub);
      if (first !== undefined) {
        ctx.addIssue({
          code: 'custom',
          path: ['verifierKeys', i],
          message: `has the same public key as verifierKeys[${first}]; each witness counts once`,
        });
      } else seen.set(pub, i);
    });
  });

const recordEntry = z.strictObject({
  index: z.int().min(0),
  commitment: base64Hash('commitment'),
  salt: base64Hash('salt'),
  proof: z.array(base64Hash('proof hash')).max(L.maxProofHashes),
  record: z.record(z.string(), z.unknown()),
});

const fileEntry = z.strictObject({
  sha256: sha256Hex,
  path: text(L.maxText).superRefine((p, ctx) => {
    const problem = pathProblem(p);
    if (problem !== null) ctx.addIssue({ code: 'custom', message: problem });
  }),
});

const bundleSchema = z
  .strictObject({
    format: z.literal(EVIDENCE_FORMAT),
    created: utcTimestamp,
    generator: text(L.maxText),
    log: logIdentitySchema,
    witnesses: witnessPolicySchema,
    checkpoint: text(L.maxCheckpointLength),
    records: z.array(recordEntry).min(1).max(L.maxRecords),
    files: z.array(fileEntry).max(L.maxFiles),
  })
  .superRefine((b, ctx) => {
    const logPub = publicKeyOf(() => parseVerifierKey(b.log.verifierKey).publicKey);
    b.witnesses.verifierKeys.forEach((k, i) => {
      if (
        logPub !== null &&
        publicKeyOf(() => parseCosignatureVerifierKey(k).publicKey) === logPub
      ) {
        ctx.addIssue({
          code: 'custom',
          path: ['witnesses', 'verifierKeys', i],
          message: "is the log's own key; a log cannot witness itself",
        });
      }
    });
    const indexes = new Map<number, number>();
    const attached = new Set<string>();
    b.records.forEach((r, i) => {
      const first = indexes.get(r.index);
      if (first !== undefined) {
        ctx.addIssue({
          code: 'custom',
          path: ['records', i, 'index'],
          message: `repeats log entry ${r.index} of records[${first}]; disclose each record once`,
        });
      } else indexes.set(r.index, i);
      const files = r.record.files;
      if (Array.isArray(files)) {
        for (const f of files) {
          const sha = (f as { sha256?: unknown } | null)?.sha256;
          if (typeof sha === 'string') attached.add(sha);
        }
      }
    });
    const listed = new Map<string, number>();
    b.files.forEach((f, i) => {
      const first = listed.get(f.sha256);
      if (first !== undefined) {
        ctx.addIssue({
          code: 'custom',
          path: ['files', i, 'sha256'],
          message: `repeats files[${first}]; list each file once`,
        });
      } else listed.set(f.sha256, i);
      if (!attached.has(f.sha256)) {
        ctx.addIssue({
          code: 'custom',
          path: ['files', i, 'sha256'],
          message: 'is not attached to any record in the bundle; a file proves nothing by itself',
        });
      }
    });
  });

/**
 * Returns the bundle in `input`, which is its JSON text (a string or UTF-8 bytes) or the value
 * JSON.parse made of it, once its shape and bounds are checked. Throws LimitError
 * (`evidence.too-large`, `evidence.too-many-records`) for a bundle beyond EVIDENCE_LIMITS,
 * FormatError `evidence.json` for text that is not JSON, `evidence.version` for another format
 * or version, and SchemaError `evidence.format` naming every field that is wrong.
 */
export function parseEvidence(input: unknown): EvidenceBundle {
  const value = typeof input === 'string' || input instanceof Uint8Array ? parseJson(input) : input;
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new FormatError(
      'evidence.format',
      'this is not a Tamga evidence bundle: expected a JSON object with "format": "tamga-evidence/v1"',
    );
  }
  const { format, records } = value as { format?: unknown; records?: unknown };
  if (format !== EVIDENCE_FORMAT) {
    throw new FormatError('evidence.version', versionProblem(format));
  }
  if (Array.isArray(records) && records.length > L.maxRecords) {
    throw new LimitError(
      'evidence.too-many-records',
      `the bundle holds ${records.length} records; a bundle holds at most ${L.maxRecords}, so split it`,
    );
  }
  const parsed = bundleSchema.safeParse(value, { reportInput: true });
  if (!parsed.success) {
    throw new SchemaError(
      'evidence.format',
      'the evidence bundle',
      issuesFromZod(parsed.error.issues),
    );
  }
  // The schema has no defaults or transforms: the bundle is exactly the value given.
  return value as EvidenceBundle;
}

/** Returns the bundle as JSON text, indented for people, ending in a newline. */
export function formatEvidence(bundle: EvidenceBundle): string {
  return `${JSON.stringify(bundle, null, 2)}\n`;
}

/**
 * Returns `value` checked against a schema for keys a verifier pins (a log identity or a witness
 * policy). Throws SchemaError `evidence.trust` naming what is wrong.
 */
export function parseTrusted<T>(schema: z.ZodType<T>, value: unknown, what: string): T {
  const parsed = schema.safeParse(value, { reportInput: true });
  if (!parsed.success) {
    throw new SchemaError('evidence.trust', what, issuesFromZod(parsed.error.issues));
  }
  return parsed.data;
}

function parseJson(input: string | Uint8Array): unknown {
  // UTF-8 takes at least one byte per UTF-16 code unit, so a long string is too large for sure.
  const size = typeof input === 'string' ? input.length : input.length;
  if (size > L.maxBundleBytes) throw tooLarge(size);
  let text: string;
  try {
    text = typeof input === 'string' ? input : utf8.decode(input);
  } catch {
    throw new FormatError('evidence.utf8', 'the evidence bundle is not UTF-8 text');
  }
  try {
    return JSON.parse(text);
  } catch (e) {
    const why = e instanceof Error ? e.message : String(e);
    throw new FormatError(
      'evidence.json',
      `the evidence bundle is not valid JSON (${why}); it may be truncated or not a bundle at all`,
    );
  }
}

function tooLarge(size: number): LimitError {
  return new LimitError(
    'evidence.too-large',
    `the evidence bundle is ${size} bytes or more; a bundle is at most ${L.maxBundleBytes} bytes (100 MiB), so split it`,
  );
}

function versionProblem(format: unknown): string {
  if (typeof format === 'string' && format.startsWith('tamga-evidence/')) {
    return `this bundle is ${JSON.stringify(format.slice(0, 40))}; this verifier reads ${EVIDENCE_FORMAT} only, so use a Tamga release that reads that version`;
  }
  return `this is not a Tamga evidence bundle: its "format" is ${format === undefined ? 'missing' : JSON.stringify(String(format).slice(0, 40))}, not "${EVIDENCE_FORMAT}"`;
}

function hashProblem(s: string, what: string): string | null {
  if (s.length > 64) return `is not base64 of a 32-byte ${what}: it is ${s.length} characters`;
  try {
    const n = decodeBase64(s, what).length;
    return n === 32 ? null : `is not base64 of a 32-byte ${what}: it decodes to ${n} bytes`;
  } catch (e) {
    if (e instanceof TamgaError) return e.message;
    throw e;
  }
}

function keyIssue(parse: () => unknown, ctx: z.RefinementCtx): void {
  try {
    parse();
  } catch (e) {
    if (!(e instanceof TamgaError)) throw e;
    ctx.addIssue({ code: 'custom', message: e.message });
  }
}

function publicKeyOf(get: () => Uint8Array): string | null {
  try {
    return encodeBase64(get());
  } catch (e) {
    if (e instanceof TamgaError) return null;
    throw e;
  }
}
