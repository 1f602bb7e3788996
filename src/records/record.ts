/**
 * Records (docs/design.md, "Records and commitments"): a JSON object with `kind`, `id`,
 * `created`, `author`, a kind-specific `body`, the `files` attached and the `refs` to related
 * records. `parseRecord` is the one gate: what it accepts can be committed and sealed.
 */
import { z } from 'zod';
import { LimitError, TamgaError } from '../log/errors.js';
import {
  type ActivityBody,
  type AssetBody,
  BODY_SCHEMAS,
  type CorrectionBody,
  type DocumentBody,
  type IncidentBody,
  RECORD_KINDS,
  type RecordKind,
  type SeizureBody,
  type TransactionBody,
} from './bodies.js';
import { transactionBodySchema } from './books.js';
import { issuesFromZod, SchemaError, type SchemaIssue } from './errors.js';
import { fileRef, RECORD_LIMITS, recordId, refList, text, utcTimestamp } from './fields.js';
import { canonicalizeBytes } from './jcs.js';

/** A file attached to a record: SHA-256 (64 lower-case hex digits), size in bytes, name, media type. */
export interface FileRef {
  readonly sha256: string;
  readonly size: number;
  readonly name: string;
  readonly mediaType: string;
}

/** The fields every record has; `K` is its kind and `B` the body that kind has. */
export type RecordOf<K extends RecordKind, B> = {
  readonly kind: K;
  /** A record id (newRecordId): time-sortable, 26 characters. */
  readonly id: string;
  /** When the record was written, as an RFC 3339 UTC timestamp. Only witnesses prove time. */
  readonly created: string;
  /** Who wrote it. */
  readonly author: string;
  readonly body: Readonly<B>;
  readonly files: readonly FileRef[];
  /** Ids of related records. */
  readonly refs: readonly string[];
};

/** A document record. */
export type DocumentRecord = RecordOf<'document', DocumentBody>;
/** A book-keeping transaction record. */
export type TransactionRecord = RecordOf<'transaction', TransactionBody>;
/** A rights-violation incident record. */
export type IncidentRecord = RecordOf<'incident', IncidentBody>;
/** An asset record. */
export type AssetRecord = RecordOf<'asset', AssetBody>;
/** A correction record. */
export type CorrectionRecord = RecordOf<'correction', CorrectionBody>;
/** A seizure record. */
export type SeizureRecord = RecordOf<'seizure', SeizureBody>;
/** An activity record. */
export type ActivityRecord = RecordOf<'activity', ActivityBody>;

/** A valid record of any kind, as `parseRecord` returns it. */
export type TamgaRecord =
  | DocumentRecord
  | TransactionRecord
  | IncidentRecord
  | AssetRecord
  | CorrectionRecord
  | SeizureRecord
  | ActivityRecord;

const envelope = z.strictObject({
  kind: z.enum(RECORD_KINDS),
  id: recordId,
  created: utcTimestamp,
  author: text(RECORD_LIMITS.maxShortText),
  body: z.unknown().refine((b) => b !== undefined, { error: 'is missing; expected an object' }),
  files: z.array(fileRef).max(RECORD_LIMITS.maxFiles),
  refs: refList,
});

/**
 * Returns `json` as a record when it is one. Throws FormatError `jcs.*` (with the path) when it
 * is not plain JSON, LimitError `record.too-large` when its canonical JSON exceeds 1 MiB, and
 * SchemaError `record.schema` listing every wrong field (`body.tags[2]: expected a string, got
 * the number 3`) when it does not fit the schema of its kind.
 */
export function parseRecord(json: unknown): TamgaRecord {
  return parseRecordCanonical(json).record;
}

/**
 * Like `parseRecord`, and also returns the record's canonical JSON bytes, which the check
 * computes anyway: sealing needs both, and canonicalizing twice was a third of its cost.
 */
export function parseRecordCanonical(json: unknown): {
  record: TamgaRecord;
  canonical: Uint8Array;
} {
  // Canonicalizing first bounds the work the schema can be made to do, and refuses what JSON
  // cannot carry (undefined, Dates, lone surrogates) before the schema sees it.
  const canonical = recordCanonicalBytes(json);
  const issues = recordIssues(json);
  if (issues.length > 0) {
    throw new SchemaError('record.schema', subject(json), issues);
  }
  // recordIssues found nothing: json is a record of the kind it names, exactly as given (the
  // schemas have no defaults or transforms, so validating changed nothing).
  return { record: json as TamgaRecord, canonical };
}

/** Returns true when `kind` is one of the record kinds. */
export function isRecordKind(kind: unknown): kind is RecordKind {
  return typeof kind === 'string' && (RECORD_KINDS as readonly string[]).includes(kind);
}

/**
 * Returns the RFC 8785 canonical JSON of a record, in UTF-8. Throws FormatError `jcs.*` for a
 * value that is not plain JSON, and LimitError `record.too-large` above 1 MiB.
 */
export function recordCanonicalBytes(json: unknown): Uint8Array {
  try {
    return canonicalizeBytes(json, { maxBytes: RECORD_LIMITS.maxCanonicalBytes });
  } catch (e) {
    if (e instanceof TamgaError && e.code === 'jcs.too-large') {
      throw new LimitError(
        'record.too-large',
        `the record's canonical JSON is larger than ${RECORD_LIMITS.maxCanonicalBytes} bytes (1 MiB); attach large content as files instead`,
      );
    }
    throw e;
  }
}

function recordIssues(json: unknown): SchemaIssue[] {
  const head = envelope.safeParse(json, { reportInput: true });
  const issues = head.success ? [] : issuesFromZod(head.error.issues);
  if (typeof json !== 'object' || json === null || Array.isArray(json)) return issues;
  const { kind, id, body, refs } = json as Readonly<Record<string, unknown>>;
  if (isRecordKind(kind) && body !== undefined) {
    const schema = kind === 'transaction' ? transactionBodySchema(body) : BODY_SCHEMAS[kind];
    const parsed = schema.safeParse(body, { reportInput: true });
    if (!parsed.success) issues.push(...issuesFromZod(parsed.error.issues, ['body']));
  }
  const refIds: readonly unknown[] = Array.isArray(refs) ? refs : [];
  if (typeof id === 'string' && refIds.includes(id)) {
    issues.push({
      path: `refs[${refIds.indexOf(id)}]`,
      message: 'a record cannot refer to itself',
    });
  }
  if (kind === 'correction' && typeof body === 'object' && body !== null) {
    const corrects = (body as Readonly<Record<string, unknown>>).corrects;
    if (typeof corrects === 'string') {
      if (corrects === id) {
        issues.push({ path: 'body.corrects', message: 'a record cannot correct itself' });
      } else if (!refIds.includes(corrects)) {
        issues.push({
          path: 'refs',
          message: `must include the corrected record ${corrects}, as body.corrects names it`,
        });
      }
    }
  }
  if (kind === 'asset' && typeof body === 'object' && body !== null) {
    issues.push(...assetRefIssues(body as Readonly<Record<string, unknown>>, refIds));
  }
  return issues;
}

/** The records an asset body names (the asset, title documents, decision, agreement) must be in refs. */
function assetRefIssues(
  body: Readonly<Record<string, unknown>>,
  refIds: readonly unknown[],
): SchemaIssue[] {
  const named: [string, unknown][] = [['body.asset', body.asset]];
  if (Array.isArray(body.titleDocuments)) {
    body.titleDocuments.forEach((d, i) => {
      named.push([`body.titleDocuments[${i}]`, d]);
    });
  }
  const transfer = body.transfer;
  if (typeof transfer === 'object' && transfer !== null) {
    const t = transfer as Readonly<Record<string, unknown>>;
    named.push(
      ['body.transfer.decisionRecord', t.decisionRecord],
      ['body.transfer.agreement', t.agreement],
    );
  }
  return named
    .filter(([, id]) => typeof id === 'string' && !refIds.includes(id))
    .map(([path, id]) => ({
      path: 'refs',
      message: `must include ${id as string}, as ${path} names it`,
    }));
}

function subject(json: unknown): string {
  const id = typeof json === 'object' && json !== null ? (json as { id?: unknown }).id : undefined;
  return typeof id === 'string' && id.length <= 64 ? `record ${JSON.stringify(id)}` : 'the record';
}
