/**
 * The browser's side of the API contract (src/server/app/api.ts): one function per route, typed
 * by the contract's schemas, which also check every answer. State-changing requests carry the
 * session's CSRF token; every failure becomes an `ApiFailure` holding the server's message key,
 * which the screens translate.
 */
import type { z } from 'zod';
import {
  type ActivityQuery,
  type AddWitnessRequest,
  activityResponse,
  apiError,
  apiPath,
  type ChangePasswordRequest,
  type CreateUploadRequest,
  type CreateUserRequest,
  CSRF_HEADER,
  createUploadResponse,
  dashboardResponse,
  type EvidenceRequest,
  type IssueMirrorTokenRequest,
  issueMirrorTokenResponse,
  type LoginRequest,
  mirrorTokenListResponse,
  okResponse,
  type RecordQuery,
  type RouteName,
  recordListResponse,
  recordResponse,
  type SettingsRequest,
  type SetupRequest,
  sealResponse,
  stateResponse,
  type TakeoverRequest,
  type UnlockRequest,
  UPLOAD_OFFSET_HEADER,
  type UpdateUserRequest,
  uploadStatus,
  userEntry,
  userListResponse,
  type VerifyRequest,
  verifyResponse,
  witnessListResponse,
} from '../../src/server/app/api.js';
import {
  type BOOKS_REPORT_KINDS,
  type BooksAccountRequest,
  type BooksCorrectionRequest,
  type BooksDiffQuery,
  type BooksEntryQuery,
  type BooksEntryRequest,
  type BooksImportQuery,
  type BooksImportSealRequest,
  type BooksMappingRequest,
  type BooksReportQuery,
  type BooksSuggestQuery,
  booksAccountsResponse,
  booksDiffResponse,
  booksEntryListResponse,
  booksEntryResponse,
  booksImportPreview,
  booksImportResult,
  booksMappingsResponse,
  booksReportResponse,
  booksSealedResponse,
  booksSuggestResponse,
  type PropertyRequest,
  propertyResponse,
} from '../../src/server/app/api-books.js';

/**
 * A request that failed: the HTTP status (0 when the server was not reached or answered
 * nonsense), the server's error code, the key of its group and the parameters, which the
 * screens word in the reader's language (error-text.ts), and its English text.
 */
export class ApiFailure extends Error {
  readonly status: number;
  readonly key: string;
  readonly code: string;
  readonly params: Readonly<Record<string, string | number>>;

  constructor(
    status: number,
    key: string,
    message: string,
    params: Readonly<Record<string, string | number>> = {},
    code: string = key,
  ) {
    super(message);
    this.status = status;
    this.key = key;
    this.code = code;
    this.params = params;
  }
}

let csrfToken: string | null = null;

/** Remembers the session's CSRF token, from every state answer. */
export function setCsrfToken(token: string | null): void {
  csrfToken = token;
}

type Params = Readonly<Record<string, string | number>>;

interface Call {
  readonly method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  readonly route: RouteName;
  readonly params?: Params;
  readonly query?: Readonly<Record<string, string | number | boolean | undefined>>;
  readonly json?: unknown;
  readonly raw?: Blob;
  readonly headers?: Readonly<Record<string, string>>;
}

/** The URL of a route with its parameters and query string. */
export function routeUrl(route: RouteName, params: Params = {}, query: Call['query'] = {}): string {
  const search = new URLSearchParams();
  for (const [k, v] of Object.entries(query)) {
    if (v !== undefined && v !== '') search.set(k, String(v));
  }
  const qs = search.toString();
  return qs === '' ? apiPath(route, params) : `${apiPath(route, params)}?${qs}`;
}

async function send(call: Call): Promise<Response> {
  const headers: Record<string, string> = { accept: 'application/json', ...call.headers };
  if (call.method !== 'GET' && csrfToken !== null) headers[CSRF_HEADER] = csrfToken;
  let body: BodyInit | undefined;
  if (call.json !== undefined) {
    headers['content-type'] = 'application/json';
    body = JSON.stringify(call.json);
  } else if (call.raw !== undefined) {
    headers['content-type'] = 'application/octet-stream';
    body = call.raw;
  }
  let res: Response;
  try {
    res = await fetch(routeUrl(call.route, call.params, call.query), {
      method: call.method,
      headers,
      credentials: 'same-origin',
      ...(body === undefined ? {} : { body }),
    });
  } catch (e) {
    throw new ApiFailure(0, 'network', e instanceof Error ? e.message : String(e));
  }
  if (!res.ok) {
    let parsed: z.infer<typeof apiError> | null = null;
    try {
      const found = apiError.safeParse(await res.json());
      if (found.success) parsed = found.data;
    } catch {
      parsed = null;
    }
    if (parsed !== null) {
      throw new ApiFailure(
        res.status,
        parsed.key,
        parsed.message,
        parsed.params ?? {},
        parsed.code ?? parsed.key,
      );
    }
    throw new ApiFailure(res.status, 'http', `HTTP ${res.status}`, { status: res.status });
  }
  return res;
}

async function json<S extends z.ZodType>(schema: S, call: Call): Promise<z.infer<S>> {
  const res = await send(call);
  let value: unknown;
  try {
    value = await res.json();
  } catch (e) {
    throw new ApiFailure(0, 'response', e instanceof Error ? e.message : String(e));
  }
  const parsed = schema.safeParse(value);
  if (!parsed.success) throw new ApiFailure(0, 'response', parsed.error.message);
  return parsed.data;
}

/** A file downloaded from the API, with the name the server gave it. */
export interface Download {
  readonly blob: Blob;
  readonly filename: string;
}

/** Returns the file name of a content-disposition header (RFC 6266 filename*, else filename). */
export function dispositionName(header: string | null, fallback: string): string {
  if (header === null) return fallback;
  const star = /filename\*=UTF-8''([^;]+)/i.exec(header);
  if (star?.[1] !== undefined) {
    try {
      return decodeURIComponent(star[1]);
    } catch {
      // fall through to the plain name
    }
  }
  const plain = /filename="([^"]*)"/i.exec(header);
  return plain?.[1] || fallback;
}

function query(q: object): NonNullable<Call['query']> {
  return q as NonNullable<Call['query']>;
}

/** Every route of the API. */
export const api = {
  state: () => json(stateResponse, { method: 'GET', route: 'state' }),
  setup: (body: SetupRequest) =>
    json(stateResponse, { method: 'POST', route: 'setup', json: body }),
  unlock: (body: UnlockRequest) =>
    json(stateResponse, { method: 'POST', route: 'unlock', json: body }),
  login: (body: LoginRequest) =>
    json(stateResponse, { method: 'POST', route: 'login', json: body }),
  logout: () => json(okResponse, { method: 'POST', route: 'logout', json: {} }),
  password: (body: ChangePasswordRequest) =>
    json(okResponse, { method: 'POST', route: 'password', json: body }),
  dashboard: () => json(dashboardResponse, { method: 'GET', route: 'dashboard' }),
  records: (q: RecordQuery) =>
    json(recordListResponse, { method: 'GET', route: 'records', query: query(q) }),
  record: (id: string) => json(recordResponse, { method: 'GET', route: 'record', params: { id } }),
  createUpload: (body: CreateUploadRequest) =>
    json(createUploadResponse, { method: 'POST', route: 'uploads', json: body }),
  uploadStatus: (id: string) =>
    json(uploadStatus, { method: 'GET', route: 'upload', params: { id } }),
  uploadBytes: (id: string, offset: number, bytes: Blob) =>
    json(uploadStatus, {
      method: 'PUT',
      route: 'upload',
      params: { id },
      raw: bytes,
      headers: { [UPLOAD_OFFSET_HEADER]: String(offset) },
    }),
  abandonUpload: (id: string) =>
    json(okResponse, { method: 'DELETE', route: 'upload', params: { id } }),
  seal: (id: string) =>
    json(sealResponse, { method: 'POST', route: 'uploadSeal', params: { id }, json: {} }),
  verify: (body: VerifyRequest) =>
    json(verifyResponse, { method: 'POST', route: 'verify', json: body }),
  evidence: async (body: EvidenceRequest): Promise<Download> => {
    const res = await send({
      method: 'POST',
      route: 'evidence',
      json: body,
      headers: { accept: 'application/zip' },
    });
    const filename = dispositionName(res.headers.get('content-disposition'), 'evidence.zip');
    return { blob: await res.blob(), filename };
  },
  activity: (q: ActivityQuery) =>
    json(activityResponse, { method: 'GET', route: 'activity', query: query(q) }),
  users: () => json(userListResponse, { method: 'GET', route: 'users' }),
  createUser: (body: CreateUserRequest) =>
    json(userEntry, { method: 'POST', route: 'users', json: body }),
  updateUser: (name: string, body: UpdateUserRequest) =>
    json(userEntry, { method: 'PATCH', route: 'user', params: { name }, json: body }),
  witnesses: () => json(witnessListResponse, { method: 'GET', route: 'witnesses' }),
  addWitness: (body: AddWitnessRequest) =>
    json(witnessListResponse, { method: 'POST', route: 'witnesses', json: body }),
  removeWitness: (name: string) =>
    json(witnessListResponse, { method: 'DELETE', route: 'witness', params: { name } }),
  setQuorum: (quorum: number) =>
    json(witnessListResponse, { method: 'PUT', route: 'quorum', json: { quorum } }),
  mirrorTokens: () => json(mirrorTokenListResponse, { method: 'GET', route: 'mirrorTokens' }),
  issueMirrorToken: (body: IssueMirrorTokenRequest) =>
    json(issueMirrorTokenResponse, { method: 'POST', route: 'mirrorTokens', json: body }),
  revokeMirrorToken: (id: number) =>
    json(mirrorTokenListResponse, { method: 'DELETE', route: 'mirrorToken', params: { id } }),
  settings: (body: SettingsRequest) =>
    json(stateResponse, { method: 'PUT', route: 'settings', json: body }),
  takeover: (body: TakeoverRequest) =>
    json(stateResponse, { method: 'POST', route: 'takeover', json: body }),

  // The books (src/server/app/api-books.ts).
  booksAccounts: () => json(booksAccountsResponse, { method: 'GET', route: 'booksAccounts' }),
  booksSaveAccount: (body: BooksAccountRequest) =>
    json(booksAccountsResponse, { method: 'POST', route: 'booksAccounts', json: body }),
  booksStartingChart: () =>
    json(booksAccountsResponse, { method: 'POST', route: 'booksStartingChart', json: {} }),
  booksEntries: (q: BooksEntryQuery) =>
    json(booksEntryListResponse, { method: 'GET', route: 'booksEntries', query: query(q) }),
  booksAddEntry: (body: BooksEntryRequest) =>
    json(booksSealedResponse, { method: 'POST', route: 'booksEntries', json: body }),
  booksEntry: (id: string) =>
    json(booksEntryResponse, { method: 'GET', route: 'booksEntry', params: { id } }),
  booksCorrect: (id: string, body: BooksCorrectionRequest) =>
    json(booksSealedResponse, {
      method: 'POST',
      route: 'booksCorrection',
      params: { id },
      json: body,
    }),
  booksSuggestions: (q: BooksSuggestQuery) =>
    json(booksSuggestResponse, { method: 'GET', route: 'booksSuggestions', query: query(q) }),
  booksImport: (file: Blob, q: BooksImportQuery) =>
    json(booksImportPreview, { method: 'POST', route: 'booksImports', query: query(q), raw: file }),
  booksImportPreview: (id: string) =>
    json(booksImportPreview, { method: 'GET', route: 'booksImport', params: { id } }),
  booksImportCancel: (id: string) =>
    json(okResponse, { method: 'DELETE', route: 'booksImport', params: { id } }),
  booksImportSeal: (id: string, body: BooksImportSealRequest) =>
    json(booksImportResult, {
      method: 'POST',
      route: 'booksImportSeal',
      params: { id },
      json: body,
    }),
  booksMappings: () => json(booksMappingsResponse, { method: 'GET', route: 'booksMappings' }),
  booksSaveMapping: (body: BooksMappingRequest) =>
    json(booksMappingsResponse, { method: 'POST', route: 'booksMappings', json: body }),
  booksReport: (kind: (typeof BOOKS_REPORT_KINDS)[number], q: BooksReportQuery) =>
    json(booksReportResponse, {
      method: 'GET',
      route: 'booksReport',
      params: { kind },
      query: query(q),
    }),
  booksProperty: () => json(propertyResponse, { method: 'GET', route: 'booksProperty' }),
  booksSaveProperty: (body: PropertyRequest) =>
    json(booksSealedResponse, { method: 'POST', route: 'booksProperty', json: body }),
  booksDiff: (file: Blob, q: BooksDiffQuery) =>
    json(booksDiffResponse, { method: 'POST', route: 'booksDiff', query: query(q), raw: file }),
  booksDiffEvidence: async (file: Blob, q: BooksDiffQuery): Promise<Download> => {
    const res = await send({
      method: 'POST',
      route: 'booksDiffEvidence',
      query: query(q),
      raw: file,
      headers: { accept: 'application/zip' },
    });
    const filename = dispositionName(res.headers.get('content-disposition'), 'diff-evidence.zip');
    return { blob: await res.blob(), filename };
  },
};
