/**
 * Statements into the books with review, and a presented ledger compared with them, in the web
 * app. A statement is sent as raw bytes; the server plans its import with the code `tamga books
 * import` seals with (src/books/statements.ts), seals nothing, and keeps the file in memory for
 * review. Sealing plans it again against the books as they are then, with the accounts the
 * treasurer chose, so what is sealed is what the review showed for every line still new.
 */
import { randomBytes } from 'node:crypto';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { type BooksDiff, diffPresented, diffReports } from '../../books/diff/sealed.js';
import { StatementError } from '../../books/import/errors.js';
import { describeCheck } from '../../books/import/plan.js';
import { formatAmount } from '../../books/model.js';
import { savedMapping } from '../../books/sealed-books.js';
import { type ImportResult, importStatementBytes } from '../../books/statements.js';
import { DIFF_REPORT_JSON_NAME, DIFF_REPORT_TEXT_NAME } from '../../evidence/packaging.js';
import { noteActivity } from '../../vault/activity.js';
import { logSize } from '../../vault/log-store.js';
import type { Vault } from '../../vault/vault.js';
import { API_LIMITS, ROUTES } from './api.js';
import {
  BOOKS_LIMITS,
  type BooksDiffQuery,
  type BooksDiffResponse,
  type BooksImportPreview,
  type BooksImportQuery,
  type BooksImportResult,
  booksDiffQuery,
  booksImportQuery,
  booksImportSealRequest,
} from './api-books.js';
import { AppError } from './errors.js';
import { defineRoute } from './http.js';
import { author, type BooksEnv } from './routes-books.js';
import { type EvidenceEnv, evidenceZip, sendZip } from './routes-evidence.js';
import type { ZipEntry } from './zip.js';

/** Statement bytes held for review, in all: beyond this a new preview waits for others to go. */
const MAX_PENDING_BYTES = 4 * BOOKS_LIMITS.maxStatementBytes;

/** A statement awaiting review. */
interface PendingImport {
  readonly id: string;
  readonly owner: string;
  readonly bytes: Uint8Array;
  readonly query: BooksImportQuery;
  readonly preview: BooksImportPreview;
  /** The account the preview posts each new line to, by identity (shown or not). */
  readonly accounts: ReadonlyMap<string, string>;
  readonly expires: number;
}

/**
 * The statements awaiting review: at most BOOKS_LIMITS.maxPendingImports, each for
 * importTtlSeconds, each seen only by who sent it. When full, a newcomer replaces the oldest of
 * its sender's own; failing that it is refused.
 */
class PendingImports {
  private readonly byId = new Map<string, PendingImport>();

  /**
   * Returns a new unguessable id, once there is room for `bytes` more: a sender at their own
   * limit gives up their oldest preview first, so that one user cannot fill the server; throws
   * 503 when the server is full of others' previews.
   */
  reserve(owner: string, bytes: number, now: number): string {
    this.expire(now);
    const own = () => [...this.byId.values()].filter((p) => p.owner === owner);
    while (own().length >= BOOKS_LIMITS.maxPendingImportsPerUser) this.byId.delete(own()[0]!.id);
    const held = () => [...this.byId.values()].reduce((n, p) => n + p.bytes.length, 0);
    while (this.byId.size >= BOOKS_LIMITS.maxPendingImports || held() + bytes > MAX_PENDING_BYTES) {
      const oldest = own()[0];
      if (oldest === undefined) {
        throw new AppError(
          503,
          'books.imports-busy',
          'too many statements are awaiting review on this server; seal or cancel some, or try again later',
        );
      }
      this.byId.delete(oldest.id);
    }
    return randomBytes(16).toString('base64url');
  }

  add(p: PendingImport): void {
    this.byId.set(p.id, p);
  }

  /** Returns `owner`'s import `id`; throws 404 when there is none (or it expired). */
  get(id: string | undefined, owner: string, now: number): PendingImport {
    this.expire(now);
    const p = this.byId.get(id ?? '');
    if (p === undefined || p.owner !== owner) {
      throw new AppError(
        404,
        'books.import-missing',
        'no such statement is awaiting review (it may have expired); send the file again',
      );
    }
    return p;
  }

  /** Forgets import `id` when it is `owner`'s. */
  delete(id: string | undefined, owner: string): void {
    if (this.byId.get(id ?? '')?.owner === owner) this.byId.delete(id ?? '');
  }

  private expire(now: number): void {
    for (const [id, p] of this.byId) if (p.expires <= now) this.byId.delete(id);
  }
}

/**
 * Reads the raw body (`application/octet-stream`) of a request, at most `max` bytes. Throws 415
 * for another media type, 413 beyond `max`.
 */
async function rawBody(request: FastifyRequest, max: number): Promise<Uint8Array> {
  const body = request.body as AsyncIterable<Buffer> | undefined;
  if (body === undefined) return new Uint8Array();
  if (typeof body[Symbol.asyncIterator] !== 'function') {
    throw new AppError(
      415,
      'request.media-type',
      'send the file as its raw bytes (content-type: application/octet-stream)',
    );
  }
  const tooLarge = () =>
    new AppError(
      413,
      'request.too-large',
      `the file is larger than the ${max} bytes the server takes`,
      { limit: max },
    );
  if (Number(request.headers['content-length'] ?? 0) > max) throw tooLarge();
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of body) {
    size += chunk.length;
    if (size > max) throw tooLarge();
    chunks.push(chunk);
  }
  return new Uint8Array(Buffer.concat(chunks, size));
}

function previewOf(
  id: string,
  name: string,
  result: ImportResult,
  expires: Date,
): BooksImportPreview {
  const { plan } = result;
  return {
    id,
    name,
    format: plan.statement.format,
    sha256: result.sha256,
    newStatement: result.newStatement,
    openings: plan.openings.map((t) => {
      const p = t.postings[0]!;
      return {
        date: t.date,
        account: p.account,
        amount: formatAmount(p.amount, p.currency),
        currency: p.currency,
      };
    }),
    lines: plan.entries.slice(0, BOOKS_LIMITS.maxPreviewLines).map((e) => {
      const [bank, other] = e.transaction.postings as [
        (typeof e.transaction.postings)[number],
        (typeof e.transaction.postings)[number],
      ];
      return {
        identity: e.identity,
        line: e.line.line,
        date: e.transaction.date,
        amount: formatAmount(bank.amount, bank.currency),
        currency: bank.currency,
        counterparty: e.line.counterparty,
        purpose: e.line.purpose,
        bankAccount: bank.account,
        account: other.account,
        suggestion: e.suggestion === null ? null : { ...e.suggestion },
      };
    }),
    lineCount: plan.entries.length,
    duplicates: plan.duplicates.length,
    checks: plan.checks.map(describeCheck),
    addedAccounts: [...result.addedAccounts],
    suspense: result.suspense,
    suspenseAccounts: [...result.suspenseAccounts],
    expires: expires.toISOString(),
  };
}

/** The import options of a query: the statement's account, format and saved mapping. */
function importOptions(query: BooksImportQuery, owner: string, env: BooksEnv) {
  return {
    accounts: [...(query.account === undefined ? [] : [query.account]), ...(query.accounts ?? [])],
    ...(query.format === undefined ? {} : { format: query.format }),
    ...(query.mapping === undefined ? {} : { mapping: query.mapping }),
    author: owner,
    now: env.now,
    maxLines: BOOKS_LIMITS.maxStatementLines,
  };
}

function importId(params: Readonly<Record<string, string>>): string | undefined {
  const id = params.id ?? '';
  return /^[A-Za-z0-9_-]{22}$/.test(id) ? id : undefined;
}

/** Compares the presented file with the sealed books; returns the diff and its reports. */
function diffOf(vault: Vault, env: BooksEnv, bytes: Uint8Array, query: BooksDiffQuery) {
  let mapping: ReturnType<typeof savedMapping> = null;
  if (query.mapping !== undefined) {
    mapping = savedMapping(env.books.sealed(vault), query.mapping);
    if (mapping === null) {
      throw new StatementError('diff.mapping', null, `no mapping named ${query.mapping} is saved`, {
        params: { name: query.mapping.slice(0, 256) },
      });
    }
  }
  const diff = diffPresented(vault, bytes, {
    ...query,
    mapping: mapping ?? undefined,
    maxEntries: BOOKS_LIMITS.maxStatementLines,
  });
  return { diff, reports: diffReports(diff, query.name, vault.info.origin) };
}

function diffResponse(diff: BooksDiff, name: string, report: string): BooksDiffResponse {
  return {
    presented: name,
    period: { ...diff.period },
    account: diff.account,
    presentedEntries: diff.presentedEntries,
    sealedEntries: diff.sealedEntries,
    matched: diff.comparison.matched,
    differences: diff.comparison.differences.map((d) => {
      if (d.kind === 'added') return { kind: 'added', presented: { ...d.presented } };
      const { references: _references, ...sealed } = d.sealed;
      if (d.kind === 'missing') return { kind: 'missing', sealed };
      return {
        kind: 'altered',
        sealed,
        presented: { ...d.presented },
        fields: [...d.fields],
        matchedBy: d.matchedBy,
      };
    }),
    proofs: Object.fromEntries(
      Object.entries(diff.proofs).map(([id, p]) => [id, { ...p, witnesses: [...p.witnesses] }]),
    ),
    records: [...diff.records],
    inconsistencies: diff.inconsistencies.map(({ how: _how, ...f }) => ({ ...f })),
    report,
  };
}

/** Registers the import routes and the diff routes, in a context that reads raw bodies. */
export function booksImportRoutes(app: FastifyInstance, env: BooksEnv & EvidenceEnv): void {
  // The statement is read by the handler, after the session and role are checked.
  app.addContentTypeParser('application/octet-stream', (_request, payload, done) =>
    done(null, payload),
  );
  const pending = new PendingImports();
  // Import seals plan, store the file and append: one at a time, so two seals of overlapping
  // statements cannot both take a line as new.
  let sealing: Promise<unknown> = Promise.resolve();
  const alone = <T>(f: () => Promise<T>): Promise<T> => {
    const run = sealing.then(f, f);
    sealing = run.catch(() => undefined);
    return run;
  };

  defineRoute(app, env, {
    method: 'POST',
    url: ROUTES.booksImports,
    access: 'seal',
    query: booksImportQuery,
    handler: async ({ query, request, session }): Promise<BooksImportPreview> => {
      const owner = author(session);
      const bytes = await rawBody(request, BOOKS_LIMITS.maxStatementBytes);
      const { vault } = env.host.requireReady();
      // Room is made before the work, so a refused preview costs nothing.
      const id = pending.reserve(owner, bytes.length, env.now().getTime());
      const result = await importStatementBytes(vault, null, bytes, query.name, {
        ...importOptions(query, owner, env),
        review: true,
      });
      const now = env.now().getTime();
      const expires = new Date(now + BOOKS_LIMITS.importTtlSeconds * 1000);
      const preview = previewOf(id, query.name, result, expires);
      const accounts = new Map(
        result.plan.entries.map((e) => [e.identity, e.transaction.postings[1]!.account]),
      );
      pending.add({ id, owner, bytes, query, preview, accounts, expires: expires.getTime() });
      return preview;
    },
  });

  defineRoute(app, env, {
    method: 'GET',
    url: ROUTES.booksImport,
    access: 'seal',
    handler: async ({ params, session }) =>
      pending.get(importId(params), author(session), env.now().getTime()).preview,
  });

  defineRoute(app, env, {
    method: 'DELETE',
    url: ROUTES.booksImport,
    access: 'seal',
    handler: async ({ params, session }) => {
      pending.delete(importId(params), author(session));
      return { ok: true };
    },
  });

  defineRoute(app, env, {
    method: 'POST',
    url: ROUTES.booksImportSeal,
    access: 'seal',
    body: booksImportSealRequest,
    // At most maxPreviewLines accounts of ≤ 512-character identities and ≤ 256-character paths.
    bodyLimit: 4 * 1024 * 1024,
    handler: async ({ body, params, session }): Promise<BooksImportResult> => {
      const owner = author(session);
      const p = pending.get(importId(params), owner, env.now().getTime());
      const { vault, keys } = env.host.requireReady();
      const result = await alone(() =>
        importStatementBytes(vault, keys, p.bytes, p.query.name, {
          ...importOptions(p.query, owner, env),
          // Every line goes where the preview showed, unless the treasurer chose otherwise.
          overrides: new Map([...p.accounts, ...Object.entries(body.accounts ?? {})]),
        }),
      );
      pending.delete(p.id, owner);
      const mismatches = result.plan.checks.filter((c) => !c.ok).length;
      noteActivity(
        vault.db,
        {
          actor: owner,
          action: 'books.import',
          details: `${p.query.name}: ${result.plan.entries.length} lines, ${result.plan.duplicates.length} already in the books, ${mismatches} balance mismatches; statement ${result.statementId}`,
        },
        env.now(),
      );
      if (result.sealed > 0) env.host.pokeCosigning();
      return {
        statementId: result.statementId,
        sealed: result.sealed,
        entries: result.plan.entries.length,
        duplicates: result.plan.duplicates.length,
        mismatches,
        logSize: result.logSize ?? logSize(vault.db),
      };
    },
  });

  defineRoute(app, env, {
    method: 'POST',
    url: ROUTES.booksDiff,
    access: 'verify',
    query: booksDiffQuery,
    handler: async ({ query, request }): Promise<BooksDiffResponse> => {
      const bytes = await rawBody(request, BOOKS_LIMITS.maxStatementBytes);
      const { vault } = env.host.requireReady();
      const { diff, reports } = diffOf(vault, env, bytes, query);
      return diffResponse(diff, query.name, reports.lines.join('\n'));
    },
  });

  defineRoute(app, env, {
    method: 'POST',
    url: ROUTES.booksDiffEvidence,
    access: 'evidence',
    query: booksDiffQuery,
    handler: async ({ query, request, reply, session }) => {
      const bytes = await rawBody(request, BOOKS_LIMITS.maxStatementBytes);
      const { vault } = env.host.requireReady();
      const { diff, reports } = diffOf(vault, env, bytes, query);
      if (diff.records.length > API_LIMITS.maxEvidenceRecords) {
        throw new AppError(
          413,
          'evidence.too-many',
          `the differences involve ${diff.records.length} sealed records; an evidence bundle holds at most ${API_LIMITS.maxEvidenceRecords}: give a shorter period (from, to)`,
          { limit: API_LIMITS.maxEvidenceRecords },
        );
      }
      const modified = env.now();
      const text = Buffer.from(reports.text);
      const json = Buffer.from(`${reports.json}\n`);
      const bundle = diff.records.length === 0 ? null : await evidenceZip(env, diff.records, false);
      const entries: ZipEntry[] = [
        { name: DIFF_REPORT_TEXT_NAME, size: text.length, data: text, modified },
        { name: DIFF_REPORT_JSON_NAME, size: json.length, data: json, modified },
        ...(bundle?.entries ?? []),
      ];
      noteActivity(
        vault.db,
        {
          actor: author(session),
          action: 'evidence.export',
          details: `books diff of ${query.name}: ${diff.comparison.differences.length} differences, ${diff.records.length} records: ${diff.records.slice(0, 50).join(' ')}`,
        },
        env.now(),
      );
      const base = query.name.replace(/\.[^.]*$/, '').replace(/[^\p{L}\p{N}._-]+/gu, '_');
      return sendZip(reply, `books-diff-${base || 'ledger'}.zip`, entries);
    },
  });
}
