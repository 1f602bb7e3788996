/**
 * The field schemas that record kinds share, and the bounds they enforce. Every string and
 * array in a record is bounded, so that a record cannot grow past what a verifier in a browser
 * can hold; lengths of strings count UTF-16 code units, as JavaScript does.
 */
import { z } from 'zod';
import { isRecordId } from './id.js';
import { isFullDate, isPartialDate, isUtcTimestamp } from './time.js';

/** The bounds of a record. A record's canonical JSON may not exceed `maxCanonicalBytes`. */
export const RECORD_LIMITS = {
  /** Canonical (RFC 8785) JSON of the whole record, in UTF-8 bytes: 1 MiB. */
  maxCanonicalBytes: 1024 * 1024,
  /** Names, titles, places, categories, authorities, actions, actors, authors. */
  maxShortText: 1024,
  /** Descriptions, reasons, details. */
  maxLongText: 100_000,
  /** A relative path as sealed. */
  maxPath: 4096,
  /** Files attached to one record. */
  maxFiles: 4096,
  /** Related record ids in `refs`, and seized items in a seizure. */
  maxRefs: 16_384,
  /** Tags of a document, and people named in an incident. */
  maxTags: 1024,
  /** Entries of a document's `meta`. */
  maxMetaEntries: 1024,
  /** A media type such as `application/pdf`. */
  maxMediaType: 255,
  /** Nesting of a transaction body's JSON. */
  maxDepth: 16,
  /** Members of one object, or items of one array, inside a transaction body. */
  maxMembers: 4096,
} as const;

/** A non-empty string of at most `max` characters. */
export const text = (max: number) => z.string().min(1).max(max);

/** A string of at most `max` characters, possibly empty. */
export const optionalText = (max: number) => z.string().max(max);

/** A record id (see id.ts). */
export const recordId = z.string().refine(isRecordId, {
  error: 'is not a record id (26 characters of upper-case Crockford base32, as newRecordId makes)',
});

/** An RFC 3339 UTC timestamp. */
export const utcTimestamp = z.string().refine(isUtcTimestamp, {
  error: 'is not an RFC 3339 UTC timestamp such as 2025-03-01T09:30:00Z',
});

/** An RFC 3339 full date, or a UTC timestamp when the time of day is known. */
export const dateOrTimestamp = z.string().refine((s) => isFullDate(s) || isUtcTimestamp(s), {
  error:
    'is not a date such as 2025-03-01, nor an RFC 3339 UTC timestamp such as 2025-03-01T09:30:00Z',
});

/** A date as precise as it is known: `YYYY-MM-DD`, `YYYY-MM` or `YYYY`. */
export const partialDate = z.string().refine(isPartialDate, {
  error: 'is not a date such as 2016-03-12, nor a month such as 2016-03, nor a year such as 2016',
});

const SHA256_HEX = /^[0-9a-f]{64}$/;
// RFC 6838 §4.2 type and subtype names, then optional parameters.
const MEDIA_TYPE =
  /^[A-Za-z0-9][A-Za-z0-9!#$&^_.+-]{0,126}\/[A-Za-z0-9][A-Za-z0-9!#$&^_.+-]{0,126}(?:\s*;\s*[A-Za-z0-9!#$&^_.+-]+=(?:[A-Za-z0-9!#$&^_.+-]+|"[^"\\\r\n]*"))*$/;

/** A SHA-256 digest as 64 lower-case hex digits. */
export const sha256Hex = z.string().regex(SHA256_HEX, {
  error: 'is not a SHA-256 digest written as 64 lower-case hex digits',
});

/** One attached file: its digest, its size in bytes, its name and its media type. */
export const fileRef = z.strictObject({
  sha256: sha256Hex,
  size: z.int().min(0),
  name: text(RECORD_LIMITS.maxShortText),
  mediaType: z.string().max(RECORD_LIMITS.maxMediaType).regex(MEDIA_TYPE, {
    error: 'is not a media type such as application/pdf (RFC 6838)',
  }),
});

/** The ids of related records: distinct record ids. */
export const refList = z
  .array(recordId)
  .max(RECORD_LIMITS.maxRefs)
  .superRefine((ids, ctx) => {
    const seen = new Set<string>();
    ids.forEach((id, i) => {
      if (seen.has(id)) ctx.addIssue({ code: 'custom', path: [i], message: `repeats ${id}` });
      seen.add(id);
    });
  });

/** A list of short, non-empty strings (tags, names of people). */
export const shortTextList = z.array(text(RECORD_LIMITS.maxShortText)).max(RECORD_LIMITS.maxTags);

/**
 * A relative path as sealed: `''`, or `/`-separated names with no empty, `.` or `..` name, no
 * backslash, no control character and no drive letter, so that restoring it cannot escape the
 * directory it is restored into.
 */
export const relativePath = z
  .string()
  .max(RECORD_LIMITS.maxPath)
  .superRefine((path, ctx) => {
    const problem = pathProblem(path);
    if (problem !== null) ctx.addIssue({ code: 'custom', message: problem });
  });

/** Returns what is wrong with a relative path, or null when it is fine (`''` is fine). */
export function pathProblem(path: string): string | null {
  if (path === '') return null;
  // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what we refuse.
  if (/[\u0000-\u001f\u007f\\]/.test(path)) {
    return 'holds a control character or a backslash; separate names with /';
  }
  if (path.startsWith('/') || /^[A-Za-z]:/.test(path)) {
    return 'is absolute; write it relative to the folder that was sealed';
  }
  for (const name of path.split('/')) {
    if (name === '' || name === '.' || name === '..') {
      return `has an empty, "." or ".." name; write it as names separated by single slashes`;
    }
  }
  return null;
}

/** A JSON object of bounded size and depth: any JSON, but no bigger than a verifier can hold. */
export const boundedJsonObject = z
  .record(z.string().max(RECORD_LIMITS.maxShortText), z.unknown())
  .superRefine((value, ctx) => {
    checkJson(value, [], 1, ctx);
  });

function checkJson(
  value: unknown,
  path: (string | number)[],
  depth: number,
  ctx: z.RefinementCtx,
): void {
  const issue = (message: string) => ctx.addIssue({ code: 'custom', path: [...path], message });
  if (value === null || typeof value === 'boolean') return;
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) issue('is not a finite JSON number');
    return;
  }
  if (typeof value === 'string') {
    if (value.length > RECORD_LIMITS.maxLongText) {
      issue(`is too long: at most ${RECORD_LIMITS.maxLongText} characters`);
    }
    return;
  }
  if (typeof value !== 'object') {
    issue(`a ${typeof value} is not a JSON value`);
    return;
  }
  if (depth > RECORD_LIMITS.maxDepth) {
    issue(`nests too deep: at most ${RECORD_LIMITS.maxDepth} levels of arrays and objects`);
    return;
  }
  const entries: [string | number, unknown][] = Array.isArray(value)
    ? value.map((v, i) => [i, v])
    : Object.entries(value);
  if (entries.length > RECORD_LIMITS.maxMembers) {
    issue(`is too big: at most ${RECORD_LIMITS.maxMembers} members or items`);
    return;
  }
  for (const [key, v] of entries) {
    if (typeof key === 'string' && key.length > RECORD_LIMITS.maxShortText) {
      ctx.addIssue({
        code: 'custom',
        path: [...path, key.slice(0, 40)],
        message: `this name is too long: at most ${RECORD_LIMITS.maxShortText} characters`,
      });
      continue;
    }
    path.push(key);
    checkJson(v, path, depth + 1, ctx);
    path.pop();
  }
}
