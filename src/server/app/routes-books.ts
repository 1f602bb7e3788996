/**
 * The books in the web app (api-books.ts): the chart of accounts, entries and their
 * corrections, suggestions, CSV column mappings, reports and the property register. Sealing goes
 * through the same drafts as `tamga books` (src/books/drafts.ts, and for a mapping
 * `mappingDocumentDraft` as `tamga books import` seals it), checked against the chart, sealed in
 * one batch by the signed-in user, noted in the activity log. Statement import and the diff are
 * in routes-books-import.ts.
 */
import type { FastifyInstance } from 'fastify';
import { unionChartAccounts } from '../../books/chart-union.js';
import {
  type AccountChange,
  accountsDraft,
  type BooksDraft,
  changedAccount,
  correctionOf,
  entryDraft,
  entryFromJson,
} from '../../books/drafts.js';
import { type CsvMapping, parseCsvMapping } from '../../books/import/csv.js';
import { StatementError } from '../../books/import/errors.js';
import { BooksError, type ChartLookup, type Transaction } from '../../books/model.js';
import { reportCsv } from '../../books/report-output.js';
import { buildReport } from '../../books/reports.js';
import { isSavedMapping, mappingDocumentDraft } from '../../books/sealed-books.js';
import { missingRecords, propertyDraft, sealBooks } from '../../books/vault-books.js';
import type { AssetBody } from '../../records/bodies.js';
import { noteActivity } from '../../vault/activity.js';
import type { Session } from '../../vault/users.js';
import type { Vault } from '../../vault/vault.js';
import { ROUTES } from './api.js';
import {
  BOOKS_LIMITS,
  BOOKS_REPORT_KINDS,
  type BooksAccountsResponse,
  type BooksEntryListResponse,
  type BooksEntryRequest,
  type BooksMappingsResponse,
  type BooksSealedResponse,
  type BooksSuggestResponse,
  booksAccountRequest,
  booksCorrectionRequest,
  booksEntryQuery,
  booksEntryRequest,
  booksMappingRequest,
  booksReportQuery,
  booksStartingChartRequest,
  booksSuggestQuery,
  type PropertyResponse,
  propertyRequest,
} from './api-books.js';
import {
  accountsResponse,
  type BooksReader,
  entryMatches,
  entryResponse,
  entryViews,
  mappingsResponse,
  propertyItemView,
  reportView,
} from './books-views.js';
import { AppError, notFound, notSignedIn } from './errors.js';
import { defineRoute, type RouteEnv } from './http.js';
import { contentDisposition } from './routes-records.js';

/** What the books routes share: the books read from the vault, kept while the log stands. */
export interface BooksEnv extends RouteEnv {
  readonly books: BooksReader;
}

/** Who seals: the signed-in user (every sealing route needs a session). */
export function author(session: Session | null): string {
  if (session === null) throw notSignedIn();
  return session.user.name;
}

/**
 * Seals `drafts` in one batch as the signed-in user, notes it in the activity log (`action`,
 * `details`) and asks the witnesses to cosign. Throws BooksError when a named record is not
 * sealed, SchemaError when a record is past its bounds: nothing is sealed then.
 */
function sealDrafts(
  env: RouteEnv,
  session: Session | null,
  drafts: readonly BooksDraft[],
  action: string,
  details: string,
): BooksSealedResponse {
  const { vault, keys } = env.host.requireReady();
  const actor = author(session);
  const { records, firstIndex } = sealBooks(vault, keys, drafts, { author: actor, now: env.now() });
  noteActivity(
    vault.db,
    { actor, action, details: `${details}: ${records.map((r) => r.id).join(' ')}` },
    env.now(),
  );
  env.host.pokeCosigning();
  return { ids: records.map((r) => r.id), firstIndex };
}

/** Throws 400 `books.missing-record` unless every id is a sealed record (of `kind` when given). */
function requireSealed(vault: Vault, ids: readonly string[], what: string, kind?: string): void {
  const missing = missingRecords(vault, [...new Set(ids)], kind);
  if (missing.length > 0) {
    throw new AppError(
      400,
      'books.missing-record',
      `${missing.join(', ')} ${missing.length === 1 ? 'is' : 'are'} not ${kind === undefined ? 'a sealed record' : `a sealed ${kind} record`} of this vault; ${what}`,
      { records: missing.join(' ') },
    );
  }
}

/** The transaction of an entry from the web form, checked against the chart. */
function webTransaction(request: BooksEntryRequest, vault: Vault, env: BooksEnv): Transaction {
  const ledger = env.books.ledger(vault);
  requireSealed(vault, request.documents ?? [], 'seal the documents first', 'document');
  let entry: ReturnType<typeof entryFromJson>;
  try {
    entry = entryFromJson(request, ledger.chart);
  } catch (e) {
    // Shape problems are the same problems to the person at the form: a refused transaction.
    if (e instanceof BooksError && e.code === 'books.input') {
      throw new BooksError('books.invalid', `the transaction is not valid: ${e.message}`, {
        problems: e.problems,
      });
    }
    throw e;
  }
  if (!('postings' in entry)) throw new BooksError('books.invalid', 'the entry has no postings');
  return entry;
}

/** Registers the books routes but import and diff. */
export function booksRoutes(app: FastifyInstance, env: BooksEnv): void {
  const accounts = (vault: Vault): BooksAccountsResponse =>
    accountsResponse(env.books.ledger(vault), env.books.sealed(vault));

  defineRoute(app, env, {
    method: 'GET',
    url: ROUTES.booksAccounts,
    access: 'read',
    handler: async () => accounts(env.host.requireReady().vault),
  });

  defineRoute(app, env, {
    method: 'POST',
    url: ROUTES.booksAccounts,
    access: 'seal',
    body: booksAccountRequest,
    handler: async ({ body, session }): Promise<BooksAccountsResponse> => {
      const { vault } = env.host.requireReady();
      const ledger = env.books.ledger(vault);
      const change: AccountChange = body;
      const account = changedAccount(ledger.chart.account(body.path), change);
      const draft = accountsDraft(ledger, [account]);
      sealDrafts(env, session, [draft], 'books.accounts', `account ${body.path}`);
      return accounts(vault);
    },
  });

  defineRoute(app, env, {
    method: 'POST',
    url: ROUTES.booksStartingChart,
    access: 'seal',
    body: booksStartingChartRequest,
    handler: async ({ session }): Promise<BooksAccountsResponse> => {
      const { vault } = env.host.requireReady();
      const ledger = env.books.ledger(vault);
      const missing = unionChartAccounts().filter(
        (a) => ledger.chart.account(a.path) === undefined,
      );
      if (missing.length > 0) {
        sealDrafts(
          env,
          session,
          [accountsDraft(ledger, missing)],
          'books.accounts',
          `the starting union chart (${missing.length} accounts)`,
        );
      }
      return accounts(vault);
    },
  });

  defineRoute(app, env, {
    method: 'GET',
    url: ROUTES.booksMappings,
    access: 'read',
    handler: async (): Promise<BooksMappingsResponse> =>
      mappingsResponse(env.books.sealed(env.host.requireReady().vault)),
  });

  defineRoute(app, env, {
    method: 'POST',
    url: ROUTES.booksMappings,
    access: 'seal',
    body: booksMappingRequest,
    bodyLimit: 64 * 1024,
    handler: async ({ body, session }): Promise<BooksMappingsResponse> => {
      const { vault } = env.host.requireReady();
      let mapping: CsvMapping;
      let draft: ReturnType<typeof mappingDocumentDraft>;
      try {
        mapping = parseCsvMapping(body.mapping);
        draft = mappingDocumentDraft(body.name, mapping);
      } catch (e) {
        if (e instanceof StatementError) {
          throw new AppError(400, 'books.mapping', e.message, { ...e.params, code: e.code });
        }
        throw e;
      }
      if (!isSavedMapping(env.books.sealed(vault), body.name, mapping)) {
        sealDrafts(env, session, [draft], 'books.mapping', `CSV column mapping ${body.name}`);
      }
      return mappingsResponse(env.books.sealed(vault));
    },
  });

  defineRoute(app, env, {
    method: 'GET',
    url: ROUTES.booksEntries,
    access: 'read',
    query: booksEntryQuery,
    handler: async ({ query }): Promise<BooksEntryListResponse> => {
      const { vault } = env.host.requireReady();
      const limit = query.limit ?? BOOKS_LIMITS.defaultPageSize;
      const offset = query.offset ?? 0;
      const matching = env.books.chains(vault).list.filter((c) => entryMatches(c, query));
      return {
        total: matching.length,
        offset,
        limit,
        entries: entryViews(vault, matching.slice(offset, offset + limit)),
      };
    },
  });

  defineRoute(app, env, {
    method: 'POST',
    url: ROUTES.booksEntries,
    access: 'seal',
    body: booksEntryRequest,
    bodyLimit: 256 * 1024,
    handler: async ({ body, session }): Promise<BooksSealedResponse> => {
      const { vault } = env.host.requireReady();
      const draft = entryDraft(webTransaction(body, vault, env), env.books.ledger(vault).chart);
      return sealDrafts(env, session, [draft], 'books.entry', body.description.slice(0, 200));
    },
  });

  const chainOf = (vault: Vault, id: string | undefined) => {
    const chain = env.books.chains(vault).byId.get((id ?? '').toUpperCase());
    if (chain === undefined) throw notFound('the books entry');
    return chain;
  };

  defineRoute(app, env, {
    method: 'GET',
    url: ROUTES.booksEntry,
    access: 'read',
    handler: async ({ params }) => {
      const { vault } = env.host.requireReady();
      return entryResponse(vault, chainOf(vault, params.id));
    },
  });

  defineRoute(app, env, {
    method: 'POST',
    url: ROUTES.booksCorrection,
    access: 'seal',
    body: booksCorrectionRequest,
    bodyLimit: 256 * 1024,
    handler: async ({ body, params, session }): Promise<BooksSealedResponse> => {
      const { vault } = env.host.requireReady();
      const chain = chainOf(vault, params.id);
      // The person corrected the version they saw: one sealed since (by someone else, or by a
      // second click) is not silently reversed, and a void entry is not voided again.
      if (body.current !== undefined && body.current.toUpperCase() !== chain.current) {
        throw new AppError(
          409,
          'books.superseded',
          `the entry was corrected since you opened it (its current version is ${chain.current}); look at it again, then correct that`,
          { current: chain.current },
        );
      }
      if (chain.status === 'void') {
        throw new AppError(
          409,
          'books.superseded',
          'the entry is void already: there is nothing left to correct',
        );
      }
      const replacement =
        body.replacement === undefined ? undefined : webTransaction(body.replacement, vault, env);
      const draft = correctionOf(
        env.books.ledger(vault),
        chain.id,
        body.reason,
        replacement,
        'followed',
      );
      return sealDrafts(
        env,
        session,
        [draft],
        'books.correction',
        `${replacement === undefined ? 'void' : 'correction'} of ${chain.id}`,
      );
    },
  });

  defineRoute(app, env, {
    method: 'GET',
    url: ROUTES.booksSuggestions,
    access: 'read',
    query: booksSuggestQuery,
    handler: async ({ query }): Promise<BooksSuggestResponse> => {
      const { vault } = env.host.requireReady();
      const chart = env.books.ledger(vault).chart;
      const suggestions = env.books
        .suggester(vault)
        .candidates(
          query.direction,
          query.counterparty ?? '',
          query.text ?? '',
          BOOKS_LIMITS.maxSuggestions * 2,
        )
        // Only accounts that can take a posting now.
        .filter((s) => isOpen(chart, s.account))
        .slice(0, BOOKS_LIMITS.maxSuggestions);
      return { suggestions };
    },
  });

  defineRoute(app, env, {
    method: 'GET',
    url: ROUTES.booksReport,
    access: 'read',
    query: booksReportQuery,
    handler: async ({ params, query, reply }) => {
      const { vault } = env.host.requireReady();
      const kind = BOOKS_REPORT_KINDS.find((k) => k === params.kind);
      if (kind === undefined) throw notFound(`the report ${String(params.kind).slice(0, 40)}`);
      if (kind === 'register' && query.account === undefined) {
        throw new AppError(
          400,
          'books.report-account',
          'the register is of one account: choose the account',
        );
      }
      const ledger = env.books.ledger(vault);
      const account = query.account;
      if (kind === 'register' && account !== undefined) {
        const within = (path: string) => path === account || path.startsWith(`${account}:`);
        const known =
          ledger.chart.accounts().some((a) => within(a.path)) ||
          ledger.entries.some((e) => e.postings.some((p) => within(p.account)));
        if (!known) {
          throw new AppError(
            400,
            'books.report-account',
            `${account.slice(0, 256)} is not an account of the chart and has no postings: choose an account`,
          );
        }
      }
      const report = buildReport(ledger, kind, {
        ...(query.from === undefined ? {} : { from: query.from }),
        ...(query.to === undefined ? {} : { to: query.to }),
        ...(query.account === undefined ? {} : { account: query.account }),
        ...(query.lang === undefined ? {} : { language: query.lang }),
      });
      if (query.format !== 'csv') return reportView(report);
      const period = `${query.from ?? 'start'}_${query.to ?? 'end'}`;
      return reply
        .header('content-type', 'text/csv; charset=utf-8')
        .header('content-disposition', contentDisposition(false, `${kind}_${period}.csv`))
        .header('cache-control', 'private, no-store')
        .header('x-content-type-options', 'nosniff')
        .send(reportCsv(report));
    },
  });

  defineRoute(app, env, {
    method: 'GET',
    url: ROUTES.booksProperty,
    access: 'read',
    handler: async (): Promise<PropertyResponse> => {
      const { vault } = env.host.requireReady();
      return { items: env.books.property(vault).map(propertyItemView) };
    },
  });

  defineRoute(app, env, {
    method: 'POST',
    url: ROUTES.booksProperty,
    access: 'seal',
    body: propertyRequest,
    bodyLimit: 256 * 1024,
    handler: async ({ body, session }): Promise<BooksSealedResponse> => {
      const { vault } = env.host.requireReady();
      requireSealed(
        vault,
        [
          ...(body.titleDocuments ?? []),
          ...[body.transfer?.decisionRecord, body.transfer?.agreement].filter(
            (id): id is string => id !== undefined,
          ),
        ],
        'seal the title documents, decision and agreement first (Documents), then name their record ids',
      );
      const draft = propertyDraft(vault, env.books.ledger(vault).chart, body);
      return sealDrafts(
        env,
        session,
        [draft],
        'books.property',
        `${(draft.body as AssetBody).event ?? 'register'} of ${body.name.slice(0, 200)}`,
      );
    },
  });
}

/** True when `path` is an account of the chart that takes postings. */
function isOpen(chart: ChartLookup, path: string): boolean {
  const a = chart.account(path);
  return a !== undefined && a.closed !== true;
}
