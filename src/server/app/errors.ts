/**
 * The web app's one error type, and how every error becomes a JSON `ApiError` with the right
 * status: a stable `code` (and the `key` of its group) with `params`, which the browser words in
 * the reader's language, and English text that says what is wrong and what to do. Never a stack
 * trace, never the request echoed, never a secret.
 *
 * Which codes can reach the browser: every AppError's, BooksError's, StatementError's,
 * VaultError's and MirrorError's, the FormatError and LimitError codes of REQUEST_FORMAT_CODES,
 * and the keys written below. Any other FormatError, LimitError or VerificationError is about
 * the vault's own data, not the request: it is answered 500 `server.failed`, naming its code.
 * test/web/error-codes.test.ts collects them all and checks each has English, Russian and
 * Kyrgyz text.
 */
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { StatementError } from '../../books/import/errors.js';
import { BooksError } from '../../books/model.js';
import { FormatError, LimitError, TamgaError, VerificationError } from '../../log/errors.js';
import { KeyFileError } from '../../vault/age/errors.js';
import { KeyError, VaultError } from '../../vault/errors.js';
import type { ApiError } from './api.js';

/**
 * An error the app answers with `status` and `{ key, code, message, params }`. A `params.code`
 * names the precise error inside `key`'s group (as `books.mapping` carries `csv.mapping`).
 */
export class AppError extends TamgaError {
  constructor(
    readonly status: number,
    key: string,
    message: string,
    readonly params: Readonly<Record<string, string | number>> = {},
    options?: ErrorOptions,
  ) {
    super(key, message, options);
  }
}

/** The status of each VaultError code the routes let through; others are 400. */
const VAULT_STATUS: Readonly<Record<string, number>> = {
  'user.exists': 409,
  'user.missing': 404,
  'user.last-admin': 409,
  'witness.exists': 409,
  'vault.exists': 409,
  'vault.restored-not-taken-over': 409,
  'vault.not-restored': 409,
  'upload.missing': 404,
  'upload.busy': 409,
  'upload.offset': 409,
  'upload.incomplete': 409,
  'upload.too-large': 413,
  'upload.overflow': 413,
  'upload.too-many': 503,
  'record.missing': 404,
  'disk.full': 507,
};

/**
 * The keys of the books' errors the browser translates, by BooksError code; any other code is
 * `books.invalid`. Every StatementError (a file that does not read) is `books.statement`.
 */
const BOOKS_KEYS: Readonly<Record<string, string>> = {
  'books.accounts': 'books.accounts',
  'books.correction': 'books.correction',
  'books.missing-record': 'books.missing-record',
  'books.unknown-entry': 'books.unknown-entry',
  'books.superseded': 'books.superseded',
  'books.property': 'books.property',
};

/**
 * The FormatError and LimitError codes a request's own input raises (a witness's verifier key, a
 * record built from what was typed, an evidence bundle asked of too many records): answered 400
 * with their code. Any other is the vault's data failing a check: 500 `server.failed`.
 */
export const REQUEST_FORMAT_CODES: ReadonlySet<string> = new Set([
  'key.malformed',
  'key.wrong-hash',
  'key.unknown-type',
  'key.wrong-length',
  'key.bad-name',
  'witness.name-mismatch',
  'record.schema',
  'record.too-large',
  'evidence.too-large',
  'evidence.too-many-records',
]);

/**
 * The codes of a full vault: the file system's (ENOSPC, EDQUOT) and SQLite's (SQLITE_FULL, which
 * better-sqlite3's SqliteError carries as `code`, also for a database at its `max_page_count`).
 * Each is answered 507 `disk.full`: the request changed nothing, and succeeds once there is room.
 */
const STORAGE_FULL_CODES: ReadonlySet<string> = new Set(['ENOSPC', 'EDQUOT', 'SQLITE_FULL']);

type Params = Record<string, string | number>;

/** The body of an error: `code` is `params.code` when that names the precise error, else `key`. */
function answer(key: string, message: string, params: Params = {}): ApiError {
  const code = typeof params.code === 'string' ? params.code : key;
  return { key, code, message, ...(Object.keys(params).length ? { params } : {}) };
}

/** Maps any thrown value to a status and an ApiError body. */
export function toApiError(error: unknown): { status: number; body: ApiError } {
  if (error instanceof AppError) {
    return { status: error.status, body: answer(error.code, error.message, { ...error.params }) };
  }
  if (error instanceof z.ZodError) {
    const issues = error.issues.slice(0, 5);
    const fields = [...new Set(issues.map((i) => (i.path.length ? i.path.join('.') : '-')))];
    const detail = issues
      .map((i) => `${i.path.length ? i.path.join('.') : 'the request'}: ${i.message}`)
      .join('; ');
    return {
      status: 400,
      body: answer('request.invalid', `the request is not valid: ${detail}`, {
        fields: fields.join(', '),
      }),
    };
  }
  if (error instanceof BooksError) {
    return {
      status: 400,
      body: answer(BOOKS_KEYS[error.code] ?? 'books.invalid', error.message, {
        code: error.code,
        problems: error.problems.join('\n'),
        ...(error.line === undefined ? {} : { line: error.line }),
      }),
    };
  }
  if (error instanceof StatementError) {
    return {
      status: 400,
      body: answer('books.statement', error.message, {
        ...error.params,
        code: error.code,
        ...(error.line === null ? {} : { line: error.line }),
      }),
    };
  }
  if (error instanceof KeyError || error instanceof KeyFileError) {
    return {
      status: 403,
      body: answer(
        'vault.passphrase',
        'the passphrase does not open the vault; check it and try again',
      ),
    };
  }
  if (error instanceof VaultError) {
    if (error.code === 'disk.full' || error.code.startsWith('vault.')) {
      const status = VAULT_STATUS[error.code] ?? 500;
      return { status, body: answer(error.code, error.message) };
    }
    return { status: VAULT_STATUS[error.code] ?? 400, body: answer(error.code, error.message) };
  }
  if (error instanceof VerificationError && error.code === 'evidence.does-not-verify') {
    return {
      status: 409,
      body: answer(
        'evidence.not-witnessed',
        'no checkpoint that includes these records is cosigned by the witnesses the policy needs yet, so the bundle would not verify; try again once they have cosigned (see the dashboard)',
      ),
    };
  }
  if (
    (error instanceof FormatError || error instanceof LimitError) &&
    REQUEST_FORMAT_CODES.has(error.code)
  ) {
    return { status: 400, body: answer(error.code, error.message) };
  }
  if (
    error instanceof FormatError ||
    error instanceof LimitError ||
    error instanceof VerificationError
  ) {
    return {
      status: 500,
      body: {
        key: 'server.failed',
        code: 'server.failed',
        message: `the vault's data failed a check (${error.code}): ${error.message}; tell the administrator, who can run tamga fsck`,
        params: { failed: error.code },
      },
    };
  }
  if (error instanceof TamgaError && error.name === 'MirrorError') {
    const status = error.code === 'mirror.token-unknown' ? 404 : 400;
    return { status, body: answer(error.code, error.message) };
  }
  const fe = error as Partial<FastifyError>;
  if (typeof fe.statusCode === 'number' && fe.statusCode >= 400 && fe.statusCode < 500) {
    return { status: fe.statusCode, body: fastifyClientError(fe.statusCode, fe.code) };
  }
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  if (code !== undefined && STORAGE_FULL_CODES.has(code)) {
    return {
      status: 507,
      body: answer(
        'disk.full',
        'the vault disk or database is full; nothing was saved: free some space, then try again',
      ),
    };
  }
  return {
    status: 500,
    body: answer(
      'server.error',
      'the server failed to answer; try again, and tell the administrator if it persists',
    ),
  };
}

function fastifyClientError(status: number, code: string | undefined): ApiError {
  switch (code) {
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return answer('request.too-large', 'the request body is too large');
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return answer(
        'request.media-type',
        'send JSON (content-type: application/json), or bytes for an upload',
      );
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
      return answer('request.json', 'the request body is not valid JSON');
    default:
      return answer('request.refused', `the request was refused (HTTP ${status})`, { status });
  }
}

/** Sends `error` as JSON; logs only what is the server's fault, without the request body. */
export function sendError(error: unknown, request: FastifyRequest, reply: FastifyReply): void {
  const { status, body } = toApiError(error);
  if (status >= 500) {
    request.log.error(
      { code: (error as TamgaError).code, message: (error as Error)?.message },
      'request failed',
    );
  }
  if (status === 429 && body.params?.retryAfter !== undefined) {
    reply.header('retry-after', String(body.params.retryAfter));
  }
  void reply
    .code(status)
    .header('content-type', 'application/json; charset=utf-8')
    .header('cache-control', 'no-store')
    .header('x-content-type-options', 'nosniff')
    .send(JSON.stringify(body));
}

/** 401: not signed in. */
export const notSignedIn = () =>
  new AppError(401, 'auth.required', 'sign in first; your session may have ended');

/** 403: the role lacks the permission. */
export const forbidden = (permission: string) =>
  new AppError(403, 'auth.forbidden', `your role may not do this (it needs ${permission})`, {
    permission,
  });

/** 404. */
export const notFound = (what: string) =>
  new AppError(404, 'not-found', `${what} was not found`, { what });
