/**
 * The web app's JSON API: the one contract between the browser (web/) and the server
 * (src/server/app/). Every route's path, who may call it, and the zod schema of what it takes
 * and returns. Pure: zod and the pure record code only, no `node:` import, so the browser
 * imports the same file the server validates with.
 *
 * Conventions, for every route:
 * - Bodies are JSON (`content-type: application/json`) except the upload PUT (raw bytes) and the
 *   evidence download (a ZIP) and file downloads (the file).
 * - State-changing requests (POST, PUT, PATCH, DELETE) carry the session's CSRF token in the
 *   `x-csrf-token` header (`CSRF_HEADER`), except `setup` and `login`, which have no session yet.
 * - An error is JSON `ApiError`: a stable `code` (and its group's `key`) the browser words in
 *   the reader's language with `params`, and English `message` text. Status codes: 400 bad
 *   input, 401 not signed in, 403 wrong role or CSRF token, 404 unknown, 409 conflict (setup
 *   done, upload offset), 413 too large, 423 vault locked, 429 too many sign-in attempts, 500
 *   the server failed.
 * - Times are RFC 3339 strings (UTC) except witness cosignature timestamps, which are Unix
 *   seconds as the C2SP cosignature carries them.
 */
import { z } from 'zod';
import { RECORD_KINDS } from '../../records/bodies.js';
import { RECORD_LIMITS } from '../../records/fields.js';
import { isPartialDate } from '../../records/time.js';

// ---------------------------------------------------------------------------------------------
// Roles and what they may do

/** The roles a user can have. */
export const ROLES = ['admin', 'treasurer', 'auditor', 'viewer'] as const;
/** One of the roles. */
export type Role = (typeof ROLES)[number];

/**
 * What a route needs. `read`: see records, files, dashboard. `verify`: check files against the
 * vault. `seal`: upload and seal records. `evidence`: export evidence bundles. `activity`: read
 * the activity log. `admin`: users, witnesses, mirror tokens, settings, unlocking.
 */
export const PERMISSIONS = ['read', 'verify', 'seal', 'evidence', 'activity', 'admin'] as const;
/** One of the permissions. */
export type Permission = (typeof PERMISSIONS)[number];

/** The permissions each role has. The browser shows only what a role may do. */
export const ROLE_PERMISSIONS: Readonly<Record<Role, readonly Permission[]>> = {
  admin: ['read', 'verify', 'seal', 'evidence', 'activity', 'admin'],
  treasurer: ['read', 'verify', 'seal'],
  auditor: ['read', 'verify', 'evidence', 'activity'],
  viewer: ['read'],
};

/** True when `role` has `permission`. */
export function can(role: Role, permission: Permission): boolean {
  return ROLE_PERMISSIONS[role].includes(permission);
}

/** The interface languages. */
export const LANGUAGES = ['en', 'ru', 'ky'] as const;
/** One of the interface languages. */
export type Language = (typeof LANGUAGES)[number];

/** The header that carries the session's CSRF token on every state-changing request. */
export const CSRF_HEADER = 'x-csrf-token';
/** The header of an upload PUT: the byte offset in the file the body starts at. */
export const UPLOAD_OFFSET_HEADER = 'upload-offset';
/** The session cookie's name (HttpOnly: the browser code never reads it). */
export const SESSION_COOKIE = 'tamga_session';

// ---------------------------------------------------------------------------------------------
// Routes. `:name` segments are parameters; fill them with `apiPath`.

/**
 * Every API route. Each entry's comment says who may call it; "anyone" routes are public,
 * "signed in" routes answer 401 without a session, and 403 to a role without the permission.
 */
export const ROUTES = {
  /** GET, anyone: the phase, organisation, current user and CSRF token. → StateResponse */
  state: '/api/state',
  /** POST, anyone, only while no vault exists (409 after). SetupRequest → StateResponse */
  setup: '/api/setup',
  /**
   * POST, while the vault is locked: an admin session, or anyone while the vault has no user
   * yet (a vault made with `tamga init`), who then names the first admin. UnlockRequest →
   * StateResponse
   */
  unlock: '/api/unlock',
  /** POST, anyone (rate-limited; no CSRF token yet). LoginRequest → StateResponse */
  login: '/api/login',
  /** POST, signed in. → OkResponse (and the session cookie cleared) */
  logout: '/api/logout',
  /** POST, signed in: change one's own password. ChangePasswordRequest → OkResponse */
  password: '/api/password',
  /** GET, `read`. → DashboardResponse */
  dashboard: '/api/dashboard',
  /** GET, `read`. RecordQuery (query string) → RecordListResponse */
  records: '/api/records',
  /** GET, `read`. → RecordResponse */
  record: '/api/records/:id',
  /**
   * GET, `read`: the decrypted file, with its media type. Inline (for preview) unless
   * `?download=1`, then as an attachment named as sealed.
   */
  recordFile: '/api/records/:id/files/:sha256',
  /** POST, `seal`: announce a file to upload. CreateUploadRequest → CreateUploadResponse */
  uploads: '/api/uploads',
  /**
   * GET, `seal`: how much of an upload the server holds, to resume. → UploadStatus
   * PUT, `seal`: raw bytes (`application/octet-stream`) from the `upload-offset` header on;
   * a wrong offset is 409 with the current one in `params.offset`. → UploadStatus
   * DELETE, `seal`: abandon the upload. → OkResponse
   */
  upload: '/api/uploads/:id',
  /**
   * POST, `seal`: once every byte is uploaded, hash, encrypt and seal it as a document record.
   * Seals that arrive together are appended in one batch. → SealResponse
   */
  uploadSeal: '/api/uploads/:id/seal',
  /** POST, `verify`: check files by hash; the files never leave the browser. VerifyRequest → VerifyResponse */
  verify: '/api/verify',
  /** POST, `evidence`: EvidenceRequest → a ZIP (evidence.json, files/, verifier.html). */
  evidence: '/api/evidence',
  /** GET, `activity`: who did what, when, and whether it is sealed yet. ActivityQuery → ActivityResponse */
  activity: '/api/activity',
  /** GET, `admin`. → UserListResponse. POST, `admin`: CreateUserRequest → UserEntry */
  users: '/api/admin/users',
  /** PATCH, `admin`: role, disable/enable, reset password. UpdateUserRequest → UserEntry */
  user: '/api/admin/users/:name',
  /** GET, `admin`. → WitnessListResponse. POST, `admin`: AddWitnessRequest → WitnessListResponse */
  witnesses: '/api/admin/witnesses',
  /** DELETE, `admin`. → WitnessListResponse */
  witness: '/api/admin/witnesses/:name',
  /** PUT, `admin`. QuorumRequest → WitnessListResponse */
  quorum: '/api/admin/quorum',
  /** GET, `admin`. → MirrorTokenListResponse. POST, `admin`: IssueMirrorTokenRequest → IssueMirrorTokenResponse */
  mirrorTokens: '/api/admin/mirror-tokens',
  /** DELETE, `admin`: revoke by id. → MirrorTokenListResponse */
  mirrorToken: '/api/admin/mirror-tokens/:id',
  /** PUT, `admin`. SettingsRequest → StateResponse */
  settings: '/api/admin/settings',
  /**
   * POST, `admin`, while a restored vault is unlocked: take it over, so that it seals (the
   * original must never seal again). TakeoverRequest → StateResponse
   */
  takeover: '/api/admin/takeover',

  // The books (schemas in api-books.ts).
  /** GET, `read`. → BooksAccountsResponse. POST, `seal`: BooksAccountRequest → BooksAccountsResponse */
  booksAccounts: '/api/books/accounts',
  /** POST, `seal`: seal the union's starting chart (missing accounts only). {} → BooksAccountsResponse */
  booksStartingChart: '/api/books/accounts/starting-chart',
  /** GET, `read`: BooksEntryQuery → BooksEntryListResponse. POST, `seal`: BooksEntryRequest → BooksSealedResponse */
  booksEntries: '/api/books/entries',
  /** GET, `read`: the entry and its versions. → BooksEntryResponse */
  booksEntry: '/api/books/entries/:id',
  /** POST, `seal`: BooksCorrectionRequest → BooksSealedResponse */
  booksCorrection: '/api/books/entries/:id/correction',
  /** GET, `read`: BooksSuggestQuery → BooksSuggestResponse */
  booksSuggestions: '/api/books/suggestions',
  /** POST, `seal`: the statement file as raw bytes, BooksImportQuery → BooksImportPreview (nothing sealed) */
  booksImports: '/api/books/imports',
  /** GET, `seal`: → BooksImportPreview. DELETE, `seal`: forget it. → OkResponse */
  booksImport: '/api/books/imports/:id',
  /** POST, `seal`: BooksImportSealRequest → BooksImportResult */
  booksImportSeal: '/api/books/imports/:id/seal',
  /** GET, `read`: saved CSV column mappings. → BooksMappingsResponse. POST, `seal`: BooksMappingRequest → BooksMappingsResponse */
  booksMappings: '/api/books/mappings',
  /** GET, `read`: BooksReportQuery → BooksReportResponse, or CSV with `format=csv` */
  booksReport: '/api/books/reports/:kind',
  /** GET, `read`. → PropertyResponse. POST, `seal`: PropertyRequest → BooksSealedResponse */
  booksProperty: '/api/books/property',
  /** POST, `verify`: the presented file as raw bytes, BooksDiffQuery → BooksDiffResponse */
  booksDiff: '/api/books/diff',
  /** POST, `evidence`: the same as booksDiff → a ZIP (diff report + evidence bundle) */
  booksDiffEvidence: '/api/books/diff/evidence',
} as const;

/** The name of a route in ROUTES. */
export type RouteName = keyof typeof ROUTES;

/** Pages and files outside /api. `verifier` is the offline verifier, public. */
export const PUBLIC_PATHS = { verifier: '/verifier.html' } as const;

/**
 * Returns the route's path with its `:name` parameters filled in, URI-encoded. Throws Error
 * when a parameter is missing (a programming error).
 */
export function apiPath(route: RouteName, params: Readonly<Record<string, string | number>> = {}) {
  return ROUTES[route].replace(/:([a-zA-Z0-9]+)/g, (_, name: string) => {
    const value = params[name];
    if (value === undefined) throw new Error(`apiPath(${route}): missing parameter ${name}`);
    return encodeURIComponent(String(value));
  });
}

// ---------------------------------------------------------------------------------------------
// Limits the server enforces; the browser checks them first to say so early.

/** The bounds of the API's inputs. */
export const API_LIMITS = {
  /** A user name: 1 to 64 letters, digits, `.`, `_`, `-`, `@`. */
  maxUserName: 64,
  minPassword: 10,
  maxPassword: 1024,
  minPassphrase: 10,
  maxPassphrase: 1024,
  maxOrganisation: 200,
  maxOrigin: 200,
  /** Records in one page of the list. */
  maxPageSize: 500,
  defaultPageSize: 50,
  maxQueryText: 200,
  /** Files checked by one verify request. */
  maxVerifyFiles: 10_000,
  /** Records in one evidence bundle. */
  maxEvidenceRecords: 1000,
  /** Tags and meta entries of one upload. */
  maxTags: 64,
  maxMetaEntries: 64,
  maxTagLength: 200,
  maxMetaValue: 1000,
  /** The length of a relative path of an upload (before cleaning). */
  maxPath: RECORD_LIMITS.maxPath,
  /** The default bound on one uploaded file (the server's `maxUploadBytes` may differ). */
  defaultMaxUploadBytes: 2 * 1024 ** 3,
  /** Activity entries in one page. */
  maxActivityPage: 500,
} as const;

// ---------------------------------------------------------------------------------------------
// Shared pieces

const sha256 = z.string().regex(/^[0-9a-f]{64}$/, { error: 'expected 64 lower-case hex digits' });
const isoTime = z.string();
const count = z.int().min(0);
// biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are refused.
const CONTROL = /[\u0000-\u001f\u007f]/;
const printable = (max: number) =>
  z
    .string()
    .min(1)
    .max(max)
    .refine((s) => !CONTROL.test(s), { error: 'must not hold control characters' });

/** A user name: letters (any script), digits, `.`, `_`, `-`, `@`. */
export const userName = z
  .string()
  .min(1)
  .max(API_LIMITS.maxUserName)
  .regex(/^[\p{L}\p{N}._@-]+$/u, {
    error: 'may hold only letters, digits, ".", "_", "-" and "@"',
  });
/** A password as a user types it. */
export const password = z.string().min(API_LIMITS.minPassword).max(API_LIMITS.maxPassword);
/** A role name. */
export const role = z.enum(ROLES);
/** A language code. */
export const language = z.enum(LANGUAGES);
/** A record kind. */
export const recordKind = z.enum(RECORD_KINDS);

/** Every error response. */
export const apiError = z.object({
  /** Stable, dotted, for translation: `auth.required`, `upload.offset`, … */
  key: z.string(),
  /**
   * The precise error, which the browser words in the reader's language with `params`: the same
   * as `key`, or an error inside its group (`csv.mapping` in `books.mapping`). Always sent.
   */
  code: z.string().optional(),
  /** English text: what is wrong and what to do. */
  message: z.string(),
  params: z.record(z.string(), z.union([z.string(), z.number()])).optional(),
});
export type ApiError = z.infer<typeof apiError>;

/** A response that says only that it worked. */
export const okResponse = z.object({ ok: z.literal(true) });
export type OkResponse = z.infer<typeof okResponse>;

/** A file attached to a record. */
export const fileRef = z.object({
  sha256,
  size: count,
  name: z.string(),
  mediaType: z.string(),
});
export type ApiFileRef = z.infer<typeof fileRef>;

/** A witness's cosignature on a checkpoint: its name and timestamp (Unix seconds). */
export const witnessCosignature = z.object({ name: z.string(), timestamp: count });

// ---------------------------------------------------------------------------------------------
// State, setup, unlock, sign-in

/** The signed-in user. */
export const sessionUser = z.object({ name: z.string(), role });
export type SessionUser = z.infer<typeof sessionUser>;

/**
 * GET /api/state. `phase`: `setup` while no vault exists (show the setup page), `locked` while
 * the vault's keys are not unlocked (sign in as an admin and give the passphrase), `ready`.
 */
export const stateResponse = z.object({
  phase: z.enum(['setup', 'locked', 'ready']),
  organisation: z.string().nullable(),
  origin: z.string().nullable(),
  /** The log's verifier key, to publish (null before setup). */
  logVerifierKey: z.string().nullable(),
  /** False only for a vault made with `tamga init` that no one has unlocked in the app yet. */
  hasUsers: z.boolean(),
  user: sessionUser.nullable(),
  /** The session's CSRF token; null without a session. */
  csrfToken: z.string().nullable(),
  languages: z.array(language),
  /** The largest file an upload may be, in bytes. */
  maxUploadBytes: count,
  /**
   * Set while the vault is a copy restored from a mirror that no one has taken over: it is
   * read-only (it seals nothing, activity included, and asks no witness) until an admin takes it
   * over. Null for any other vault.
   */
  restored: z
    .object({
      /** The mirror it was restored from; null without a session (a path on the server). */
      from: z.string().nullable(),
      at: isoTime,
    })
    .nullable(),
});
export type StateResponse = z.infer<typeof stateResponse>;

/** POST /api/setup. */
export const setupRequest = z.strictObject({
  organisation: printable(API_LIMITS.maxOrganisation),
  /** The log's origin line, e.g. `union.example/log`. */
  origin: printable(API_LIMITS.maxOrigin),
  admin: z.strictObject({ name: userName, password }),
  passphrase: z.string().min(API_LIMITS.minPassphrase).max(API_LIMITS.maxPassphrase),
});
export type SetupRequest = z.infer<typeof setupRequest>;

/** POST /api/unlock. `admin` is required (and only allowed) while the vault has no user. */
export const unlockRequest = z.strictObject({
  passphrase: z.string().min(1).max(API_LIMITS.maxPassphrase),
  admin: z.strictObject({ name: userName, password }).optional(),
});
export type UnlockRequest = z.infer<typeof unlockRequest>;

/** POST /api/login. The password is not checked for length beyond its bound. */
export const loginRequest = z.strictObject({
  name: z.string().min(1).max(API_LIMITS.maxUserName),
  password: z.string().min(1).max(API_LIMITS.maxPassword),
});
export type LoginRequest = z.infer<typeof loginRequest>;

/** POST /api/password. Ends the user's other sessions. */
export const changePasswordRequest = z.strictObject({
  current: z.string().min(1).max(API_LIMITS.maxPassword),
  password,
});
export type ChangePasswordRequest = z.infer<typeof changePasswordRequest>;

// ---------------------------------------------------------------------------------------------
// Dashboard

/** A witness and where it stands. */
export const witnessStatus = z.object({
  name: z.string(),
  vkey: z.string(),
  url: z.string(),
  added: isoTime,
  /** The last size it cosigned; null before its first cosignature. */
  cosignedSize: count.nullable(),
  /** Its timestamp on that cosignature, Unix seconds. */
  cosignedTime: count.nullable(),
  lastAttempt: isoTime.nullable(),
  /** Why the last attempt failed; null after a success. */
  lastError: z.string().nullable(),
  failures: count,
  nextAttempt: isoTime.nullable(),
  /**
   * The largest checkpoint of this vault's log it cosigned, and its timestamp (Unix seconds).
   * `cosignedSize` may be a size it only said it holds, of another history too: show this one.
   */
  witnessed: z.object({ size: count, timestamp: count }).nullable(),
  /** `refused`: it answered, refusing this vault's checkpoint (see `refusal`). */
  state: z.enum(['not-asked', 'cosigning', 'refused', 'failing']),
  /** Why it refused, and the alarm that keeps the evidence. */
  refusal: z.object({ reason: z.string(), kind: z.string(), alarm: count }).nullable(),
});
export type WitnessStatus = z.infer<typeof witnessStatus>;

/** A mirror token as listed (never the token itself). */
export const mirrorTokenEntry = z.object({
  id: count,
  label: z.string(),
  created: isoTime,
  revoked: isoTime.nullable(),
  /** When a mirror last pulled with it, when the server knows. */
  lastPull: isoTime.nullable(),
});
export type MirrorTokenEntryView = z.infer<typeof mirrorTokenEntry>;

/**
 * Something that needs attention, in plain words. `key` and `params` translate it; `message`
 * is the English text. `severity` `alarm` is a refused or forked history; `warning` a witness
 * out of reach or a checkpoint not yet witnessed.
 */
export const notice = z.object({
  severity: z.enum(['alarm', 'warning', 'info']),
  key: z.string(),
  message: z.string(),
  params: z.record(z.string(), z.union([z.string(), z.number()])),
  time: isoTime.nullable(),
});
export type Notice = z.infer<typeof notice>;

/** GET /api/dashboard. */
export const dashboardResponse = z.object({
  organisation: z.string().nullable(),
  origin: z.string(),
  records: count,
  /** Records by kind. */
  kinds: z.record(z.string(), count),
  /** The latest signed checkpoint: its size and when the vault signed it. */
  checkpoint: z.object({ size: count, time: isoTime }).nullable(),
  /** The largest checkpoint size the quorum of witnesses cosigned, and the earliest time. */
  witnessed: z.object({ size: count, time: count }).nullable(),
  quorum: count,
  witnesses: z.array(witnessStatus),
  mirrors: z.array(mirrorTokenEntry),
  notices: z.array(notice),
});
export type DashboardResponse = z.infer<typeof dashboardResponse>;

// ---------------------------------------------------------------------------------------------
// Records

/** GET /api/records query string. Every field narrows the list; `from`/`to` are dates or times. */
export const recordQuery = z.object({
  kind: recordKind.optional(),
  tag: z.string().min(1).max(API_LIMITS.maxTagLength).optional(),
  from: z.string().max(40).optional(),
  to: z.string().max(40).optional(),
  text: z.string().min(1).max(API_LIMITS.maxQueryText).optional(),
  limit: z.coerce.number().int().min(1).max(API_LIMITS.maxPageSize).optional(),
  offset: z.coerce.number().int().min(0).optional(),
});
export type RecordQuery = z.infer<typeof recordQuery>;

/** One record in a list: enough to show a row. */
export const recordSummary = z.object({
  id: z.string(),
  index: count,
  kind: recordKind,
  created: isoTime,
  author: z.string(),
  /** The document's path or title, or a kind's short description; may be empty. */
  title: z.string(),
  /** The date a document bears, as it says (`YYYY-MM-DD`, `YYYY-MM`, `YYYY`); null for none. */
  documentDate: z.string().nullable(),
  tags: z.array(z.string()),
  /** The first files (at most 10); `fileCount` says how many there are. */
  files: z.array(fileRef),
  fileCount: count,
});
export type RecordSummary = z.infer<typeof recordSummary>;

/** GET /api/records. `total` counts every match, not just this page. */
export const recordListResponse = z.object({
  total: count,
  offset: count,
  limit: count,
  items: z.array(recordSummary),
});
export type RecordListResponse = z.infer<typeof recordListResponse>;

/** A record as sealed (see src/records): the body is the kind's own. */
export const apiRecord = z.object({
  kind: recordKind,
  id: z.string(),
  created: isoTime,
  author: z.string(),
  body: z.record(z.string(), z.unknown()),
  files: z.array(fileRef),
  refs: z.array(z.string()),
});
export type ApiRecord = z.infer<typeof apiRecord>;

/**
 * How a record is proven. `checkpoint` is the earliest checkpoint that includes it and meets the
 * witness quorum, else the latest that includes it, else null. `provenNoLaterThan` (Unix
 * seconds) is the earliest witness timestamp on that checkpoint when it meets the quorum: the
 * record existed no later than then.
 */
export const proofView = z.object({
  checkpoint: z.object({ size: count, root: z.string(), note: z.string() }).nullable(),
  /** The inclusion proof, base64 hashes. */
  proof: z.array(z.string()),
  verified: z.boolean(),
  witnessed: z.boolean(),
  quorum: count,
  witnesses: z.array(witnessCosignature),
  provenNoLaterThan: count.nullable(),
});
export type ProofView = z.infer<typeof proofView>;

/** GET /api/records/:id. `refs`: records that name this one in their refs (newest first, ≤ 50). */
export const recordResponse = z.object({
  index: count,
  record: apiRecord,
  proof: proofView,
  referencedBy: z.array(z.object({ id: z.string(), kind: recordKind, created: isoTime })),
});
export type RecordResponse = z.infer<typeof recordResponse>;

// ---------------------------------------------------------------------------------------------
// Uploads

/**
 * POST /api/uploads. `path` is the file's path relative to the folder dropped (the browser's
 * `webkitRelativePath`), or its name; the server cleans it (backslashes become `/`, control
 * characters U+FFFD, `.`/`..` names dropped). `sha256`, when the browser computed it, is checked
 * when sealing; with it, a path already sealed with the same contents is answered `unchanged`
 * and needs no upload.
 */
export const createUploadRequest = z.strictObject({
  path: z.string().min(1).max(API_LIMITS.maxPath),
  size: count,
  sha256: sha256.optional(),
  /** The file's last modification, ms since 1970 (File.lastModified). */
  lastModified: z.number().int().min(0).optional(),
  tags: z.array(printable(API_LIMITS.maxTagLength)).max(API_LIMITS.maxTags).default([]),
  /**
   * The date the document bears (`YYYY-MM-DD`, `YYYY-MM` or `YYYY`), recorded as its
   * `documentDate`: its own claim, shown beside the proven time, never instead of it.
   */
  documentDate: z
    .string()
    .refine(isPartialDate, { error: 'expected a date such as 2016-03-12, 2016-03 or 2016' })
    .optional(),
  meta: z
    .record(printable(API_LIMITS.maxTagLength), z.string().max(API_LIMITS.maxMetaValue))
    .refine((m) => Object.keys(m).length <= API_LIMITS.maxMetaEntries, {
      error: `has too many entries: at most ${API_LIMITS.maxMetaEntries}`,
    })
    .default({}),
});
export type CreateUploadRequest = z.input<typeof createUploadRequest>;

/** Where an upload stands. */
export const uploadStatus = z.object({
  id: z.string(),
  /** The path the file will be sealed under, after cleaning. */
  path: z.string(),
  size: count,
  /** Bytes received so far; the next PUT starts here. */
  offset: count,
});
export type UploadStatus = z.infer<typeof uploadStatus>;

/** POST /api/uploads: an upload to send, or `unchanged` (already sealed with that hash). */
export const createUploadResponse = z.discriminatedUnion('status', [
  uploadStatus.extend({ status: z.literal('upload') }),
  z.object({
    status: z.literal('unchanged'),
    path: z.string(),
    recordId: z.string(),
    index: count,
  }),
]);
export type CreateUploadResponse = z.infer<typeof createUploadResponse>;

/**
 * POST /api/uploads/:id/seal. `unchanged`: the path was already sealed with these contents.
 * `supersedes`, only when this sealed a changed file: the record of the earlier version sealed at
 * the same path (the new record's `refs` name it; it stays sealed as it was).
 */
export const sealResponse = z.object({
  status: z.enum(['sealed', 'unchanged']),
  recordId: z.string(),
  supersedes: z.string().optional(),
  index: count,
  path: z.string(),
  sha256,
  size: count,
});
export type SealResponse = z.infer<typeof sealResponse>;

// ---------------------------------------------------------------------------------------------
// Verify

/** POST /api/verify: files hashed in the browser (WebCrypto); only names and hashes are sent. */
export const verifyRequest = z.strictObject({
  files: z
    .array(
      z.strictObject({
        name: z.string().min(1).max(API_LIMITS.maxPath),
        sha256,
        size: count,
      }),
    )
    .min(1)
    .max(API_LIMITS.maxVerifyFiles),
});
export type VerifyRequest = z.infer<typeof verifyRequest>;

/** A sealed record that holds a verified file, and since when it is proven. */
export const verifyMatch = z.object({
  recordId: z.string(),
  index: count,
  kind: recordKind,
  /** The file's name in that record, and the record's path (documents). */
  name: z.string(),
  path: z.string(),
  created: isoTime,
  /** Unix seconds; null while no checkpoint meeting the quorum includes it. */
  provenNoLaterThan: count.nullable(),
  witnesses: z.array(witnessCosignature),
  witnessed: z.boolean(),
  checkpointSize: count.nullable(),
});
export type VerifyMatch = z.infer<typeof verifyMatch>;

/**
 * What can be wrong with a record the vault's file index names for a file (the kinds of
 * src/vault/prove-file.ts): each is a key the browser translates.
 */
export const VERIFY_DAMAGE_KEYS = [
  'verify.damage.index-unreadable',
  'verify.damage.record-missing',
  'verify.damage.record-invalid',
  'verify.damage.commitment',
  'verify.damage.no-checkpoint',
  'verify.damage.not-in-log',
  'verify.damage.file-not-named',
] as const;

/** A record the file index names for a file, which does not prove it: the vault is damaged. */
export const verifyDamage = z.object({
  /** Translated with `index` and `recordId`; `message` is the English text. */
  key: z.enum(VERIFY_DAMAGE_KEYS),
  message: z.string(),
  /** The log entry the index named; null when the index could not be read. */
  index: count.nullable(),
  recordId: z.string().nullable(),
});
export type VerifyDamage = z.infer<typeof verifyDamage>;

/** Damage listed per file, at most. */
export const MAX_VERIFY_DAMAGE = 20;

/** The verdict on one file, in the order sent. */
export const verifyResult = z.discriminatedUnion('verdict', [
  z.object({
    verdict: z.literal('sealed'),
    name: z.string(),
    sha256,
    /**
     * Every record that proves this content (its commitment recomputed, in the signed log, and
     * naming this SHA-256 and size), oldest first (at most 20).
     */
    records: z.array(verifyMatch).min(1),
    /** Other records the file index names for it, which do not prove it; absent when none. */
    damaged: z.array(verifyDamage).max(MAX_VERIFY_DAMAGE).optional(),
  }),
  z.object({
    verdict: z.literal('damaged'),
    name: z.string(),
    sha256,
    /**
     * The vault's file index names records for this content, and none proves it: the file is
     * NOT proven sealed, and the vault needs `tamga fsck`. What failed, per record.
     */
    damaged: z.array(verifyDamage).min(1).max(MAX_VERIFY_DAMAGE),
  }),
  z.object({
    verdict: z.literal('not-found'),
    name: z.string(),
    sha256,
    /**
     * The sealed file whose name is closest to this one (same name first, then similar),
     * whose contents differ: a tampered or other copy. Null when no name is close.
     */
    closest: z
      .object({
        recordId: z.string(),
        name: z.string(),
        path: z.string(),
        sha256,
        size: count,
        created: isoTime,
      })
      .nullable(),
  }),
]);
export type VerifyResult = z.infer<typeof verifyResult>;

/** POST /api/verify response. */
export const verifyResponse = z.object({ results: z.array(verifyResult) });
export type VerifyResponse = z.infer<typeof verifyResponse>;

// ---------------------------------------------------------------------------------------------
// Evidence

/**
 * POST /api/evidence → `application/zip`, `content-disposition: attachment`: `evidence.json`
 * (docs/evidence-bundle.md), `files/<sha256 prefix>-<name>` when `withFiles`, `verifier.html`,
 * `README.txt`, `proofs/<record id>.tlog-proof`.
 */
export const evidenceRequest = z.strictObject({
  records: z.array(z.string().min(1).max(40)).min(1).max(API_LIMITS.maxEvidenceRecords),
  withFiles: z.boolean().default(false),
});
export type EvidenceRequest = z.input<typeof evidenceRequest>;

// ---------------------------------------------------------------------------------------------
// Activity

/** GET /api/activity query string. */
export const activityQuery = z.object({
  limit: z.coerce.number().int().min(1).max(API_LIMITS.maxActivityPage).optional(),
  offset: z.coerce.number().int().min(0).optional(),
});
export type ActivityQuery = z.infer<typeof activityQuery>;

/**
 * One thing done. `action` is a stable key (`user.login`, `records.seal`, `user.create`,
 * `evidence.export`, …) the browser translates; `recordId` is set once the entry is sealed into
 * the log as an `activity` record (entries are sealed in batches, a few seconds apart).
 */
export const activityEntry = z.object({
  id: count,
  time: isoTime,
  actor: z.string(),
  action: z.string(),
  details: z.string(),
  recordId: z.string().nullable(),
});
export type ActivityEntry = z.infer<typeof activityEntry>;

/** GET /api/activity, newest first. */
export const activityResponse = z.object({
  total: count,
  items: z.array(activityEntry),
});
export type ActivityResponse = z.infer<typeof activityResponse>;

// ---------------------------------------------------------------------------------------------
// Administration

/** A user as listed. */
export const userEntry = z.object({
  name: z.string(),
  role,
  created: isoTime,
  /** When the user was disabled; null while active. */
  disabled: isoTime.nullable(),
  lastLogin: isoTime.nullable(),
});
export type UserEntry = z.infer<typeof userEntry>;

/** GET /api/admin/users. */
export const userListResponse = z.object({ users: z.array(userEntry) });
export type UserListResponse = z.infer<typeof userListResponse>;

/** POST /api/admin/users. */
export const createUserRequest = z.strictObject({ name: userName, role, password });
export type CreateUserRequest = z.infer<typeof createUserRequest>;

/**
 * PATCH /api/admin/users/:name. Disabling, a role change and a password reset end the user's
 * sessions. The last active admin cannot be disabled or demoted (409).
 */
export const updateUserRequest = z.strictObject({
  role: role.optional(),
  disabled: z.boolean().optional(),
  password: password.optional(),
});
export type UpdateUserRequest = z.infer<typeof updateUserRequest>;

/** GET/POST/DELETE witnesses, PUT quorum. `policy` is the sigsum policy file text. */
export const witnessListResponse = z.object({
  witnesses: z.array(witnessStatus),
  quorum: count,
  policy: z.string(),
});
export type WitnessListResponse = z.infer<typeof witnessListResponse>;

/** POST /api/admin/witnesses. */
export const addWitnessRequest = z.strictObject({
  name: printable(256),
  /** Its cosignature verifier key, `name+hex8+base64`. */
  vkey: printable(1024),
  /** The URL prefix of its add-checkpoint endpoint. */
  url: printable(2048),
});
export type AddWitnessRequest = z.infer<typeof addWitnessRequest>;

/** PUT /api/admin/quorum. */
export const quorumRequest = z.strictObject({ quorum: count });
export type QuorumRequest = z.infer<typeof quorumRequest>;

/** GET /api/admin/mirror-tokens. */
export const mirrorTokenListResponse = z.object({ tokens: z.array(mirrorTokenEntry) });
export type MirrorTokenListResponse = z.infer<typeof mirrorTokenListResponse>;

/** POST /api/admin/mirror-tokens. */
export const issueMirrorTokenRequest = z.strictObject({ label: printable(200).optional() });
export type IssueMirrorTokenRequest = z.infer<typeof issueMirrorTokenRequest>;

/** The token is shown once, here; the vault keeps only its hash. */
export const issueMirrorTokenResponse = z.object({ token: z.string(), entry: mirrorTokenEntry });
export type IssueMirrorTokenResponse = z.infer<typeof issueMirrorTokenResponse>;

/** PUT /api/admin/settings. */
export const settingsRequest = z.strictObject({
  organisation: printable(API_LIMITS.maxOrganisation),
});
export type SettingsRequest = z.infer<typeof settingsRequest>;

/** POST /api/admin/takeover: the log's origin, typed by the admin to confirm. */
export const takeoverRequest = z.strictObject({
  confirm: z.string().max(API_LIMITS.maxOrigin),
});
export type TakeoverRequest = z.infer<typeof takeoverRequest>;
