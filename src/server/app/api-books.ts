/**
 * The web app's API for the books (issue 6): the chart of accounts, entries and corrections,
 * suggestions, statement import with review and CSV column mappings, reports, the property
 * register and the diff against a presented ledger. Part of the one contract of api.ts (its
 * conventions hold: JSON bodies, CSRF header on state-changing requests, `ApiError` bodies); the
 * routes are in `ROUTES` there. Pure: zod and the pure record code only, so the browser imports it too.
 *
 * Amounts travel as decimal strings in the account's currency (`"1250.00"`, `"-0.5"`), never as
 * JSON numbers. Dates are `YYYY-MM-DD`.
 *
 * Permissions: reading the books (accounts, entries, suggestions, reports, property, CSV
 * mappings) is `read`; sealing (accounts, entries, corrections, imports, CSV mappings, property
 * events) is `seal`; comparing a presented ledger is `verify`, and its evidence ZIP `evidence`.
 */
import { z } from 'zod';
import { ACCOUNT_TYPES } from '../../books/model.js';
import { REPORT_KINDS } from '../../books/reports.js';
import { ASSET_EVENTS } from '../../records/bodies.js';
import { ACCOUNT_ROLES, accountPath, CURRENCY_CODE, DECIMAL_AMOUNT } from '../../records/books.js';
import { RECORD_LIMITS } from '../../records/fields.js';
import { isFullDate } from '../../records/time.js';

/** The bounds of the books API's inputs. */
export const BOOKS_LIMITS = {
  /** The largest statement file or presented ledger the web app takes, in bytes. */
  maxStatementBytes: 16 * 1024 * 1024,
  /**
   * The most lines (entries) of one statement or presented ledger the web app reads: planning
   * holds every line in memory. Larger files go through `tamga books import` / `books diff`.
   */
  maxStatementLines: 50_000,
  /** Postings of one entry from the web form. */
  maxPostings: 200,
  /** Documents one entry may name. */
  maxDocuments: 64,
  /** Entries in one page of the list. */
  maxPageSize: 500,
  defaultPageSize: 50,
  maxQueryText: 200,
  /** Lines shown in an import preview (the import itself seals them all). */
  maxPreviewLines: 5000,
  /** How long the server keeps a statement awaiting review, in seconds. */
  importTtlSeconds: 3600,
  /** Statements awaiting review at once, per server. */
  maxPendingImports: 20,
  /** Statements one user may have awaiting review at once. */
  maxPendingImportsPerUser: 4,
  /** Suggestions returned for one line. */
  maxSuggestions: 5,
  /** The name of a saved CSV column mapping, in characters. */
  maxMappingName: 100,
} as const;

const count = z.int().min(0);
const isoTime = z.string();
const recordId = z.string().min(1).max(64);
const SHORT = RECORD_LIMITS.maxShortText;
const LONG = RECORD_LIMITS.maxLongText;
// biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are refused.
const CONTROL = /[\u0000-\u001f\u007f]/;
const line = (max: number) =>
  z
    .string()
    .min(1)
    .max(max)
    .refine((s) => !CONTROL.test(s), { error: 'must not hold control characters' });

/** `YYYY-MM-DD`, a real calendar date. */
export const booksDate = z
  .string()
  .refine(isFullDate, { error: 'is not a date such as 2025-03-01' });
/** A period's check: `from` no later than `to`. */
function periodInOrder(q: { from?: string | undefined; to?: string | undefined }): boolean {
  return q.from === undefined || q.to === undefined || q.from <= q.to;
}
const PERIOD_ERROR = {
  error: 'the period ends before it starts: give from no later than to',
  path: ['to'],
};

/** A decimal amount as a string: `"1250.00"`, `"-0.5"`. */
export const booksAmount = z.string().regex(DECIMAL_AMOUNT, {
  error: 'is not a decimal amount such as "1250.00" (a point, at most 4 decimals)',
});
/** An ISO 4217 code. */
export const booksCurrency = z.string().regex(CURRENCY_CODE, {
  error: 'is not an ISO 4217 currency code such as "KGS"',
});
/** An account path (`Assets:Bank:KGS`, `Активы:Банк`). */
export const booksAccountPath = accountPath;

/** The account types, as the chart has them. */
export const BOOKS_ACCOUNT_TYPES = ACCOUNT_TYPES;

// ---------------------------------------------------------------------------------------------
// Accounts

/** An account of the chart, with its balance over the whole books (postings to it and below). */
export const booksAccountView = z.object({
  path: z.string(),
  type: z.enum(BOOKS_ACCOUNT_TYPES),
  currency: z.string(),
  fund: z.string().optional(),
  /** Names by language (`en`, `ru`, `ky`); the browser shows the user's language, else the path. */
  names: z.record(z.string(), z.string()),
  description: z.string().optional(),
  member: z.string().optional(),
  role: z.enum(ACCOUNT_ROLES).optional(),
  closed: z.boolean(),
  /** The record that last declared it. */
  record: z.string().optional(),
  /** Its own postings plus its subaccounts', in `currency`. */
  balance: z.string(),
  /** Postings to it (not its subaccounts). */
  postings: count,
});
export type BooksAccountView = z.infer<typeof booksAccountView>;

/**
 * GET /api/books/accounts. `accounts` sorted by path. `bankAccounts`: books accounts statements
 * were imported into (offered first on the import screen), `mappings`: names of saved CSV
 * column mappings, `suspense`: the account unclassified imported lines go to.
 */
export const booksAccountsResponse = z.object({
  accounts: z.array(booksAccountView),
  bankAccounts: z.array(z.string()),
  mappings: z.array(z.string()),
  suspense: z.string(),
  /** Problems the ledger found in sealed records (shown, never hidden). */
  problems: z.array(z.object({ record: z.string(), message: z.string() })),
});
export type BooksAccountsResponse = z.infer<typeof booksAccountsResponse>;

/**
 * POST /api/books/accounts: add an account, or change one (same path: names, description,
 * fund, member, role, closed). Type and currency of an account with postings cannot change.
 * → BooksAccountsResponse
 */
export const booksAccountRequest = z.strictObject({
  path: booksAccountPath,
  type: z.enum(BOOKS_ACCOUNT_TYPES),
  currency: booksCurrency,
  fund: line(SHORT).optional(),
  /** Names in any of the languages (merged into the account's names). */
  names: z.partialRecord(z.enum(['en', 'ru', 'ky']), line(SHORT)).optional(),
  description: line(LONG).optional(),
  member: line(SHORT).optional(),
  role: z.enum(ACCOUNT_ROLES).optional(),
  closed: z.boolean().optional(),
});
export type BooksAccountRequest = z.infer<typeof booksAccountRequest>;

/**
 * POST /api/books/accounts/starting-chart: seal the union's starting chart (en/ru/ky names),
 * the accounts of it not yet in the chart. Body `{}`. → BooksAccountsResponse
 */
export const booksStartingChartRequest = z.strictObject({});

// ---------------------------------------------------------------------------------------------
// Entries

/** One posting as the web sends and shows it. */
export const booksPostingView = z.object({
  account: booksAccountPath,
  amount: booksAmount,
  currency: booksCurrency,
  fund: line(SHORT).optional(),
});
export type BooksPostingView = z.infer<typeof booksPostingView>;

/**
 * POST /api/books/entries: a new transaction. The server checks it as the CLI does (balanced
 * per currency and fund, accounts declared, open and in the posting's currency, documents
 * sealed) and answers 400 `books.invalid` with the problems in `message` and
 * `params.problems` (joined with "\n"). → BooksSealedResponse
 */
export const booksEntryRequest = z.strictObject({
  date: booksDate,
  description: line(LONG),
  counterparty: line(SHORT).optional(),
  postings: z.array(booksPostingView).min(2).max(BOOKS_LIMITS.maxPostings),
  /** Sealed `document` record ids the entry rests on (receipts, decisions). */
  documents: z.array(recordId).max(BOOKS_LIMITS.maxDocuments).optional(),
});
export type BooksEntryRequest = z.infer<typeof booksEntryRequest>;

/** What a seal of books records made. */
export const booksSealedResponse = z.object({
  /** The ids of the records sealed, in order. */
  ids: z.array(z.string()),
  /** The log index of the first. */
  firstIndex: count,
});
export type BooksSealedResponse = z.infer<typeof booksSealedResponse>;

/**
 * GET /api/books/entries query. `account` includes subaccounts; `text` matches description,
 * counterparty and account paths (case-insensitive). Each transaction is listed once, as it
 * stands (a voided one too, marked).
 */
export const booksEntryQuery = z
  .object({
    from: booksDate.optional(),
    to: booksDate.optional(),
    account: z.string().min(1).max(256).optional(),
    text: z.string().min(1).max(BOOKS_LIMITS.maxQueryText).optional(),
    limit: z.coerce.number().int().min(1).max(BOOKS_LIMITS.maxPageSize).optional(),
    offset: z.coerce.number().int().min(0).optional(),
  })
  .refine(periodInOrder, PERIOD_ERROR);
export type BooksEntryQuery = z.infer<typeof booksEntryQuery>;

/** A correction in an entry's history. */
export const booksCorrectionView = z.object({
  id: z.string(),
  created: isoTime,
  author: z.string(),
  reason: z.string(),
  /** True when it only reversed (voided) the entry. */
  void: z.boolean(),
});

/**
 * One transaction as it stands: the original record's id (`id`), the record whose version is in
 * force (`current`: the original, or the latest correction's replacement), and its history.
 */
export const booksEntryView = z.object({
  id: z.string(),
  current: z.string(),
  index: count,
  created: isoTime,
  author: z.string(),
  date: booksDate,
  description: z.string(),
  counterparty: z.string().optional(),
  postings: z.array(booksPostingView),
  documents: z.array(z.string()),
  /** For an imported line: the statement record and its line. */
  source: z.object({ statement: z.string(), line: count }).optional(),
  status: z.enum(['original', 'corrected', 'void']),
  corrections: z.array(booksCorrectionView),
});
export type BooksEntryView = z.infer<typeof booksEntryView>;

/** GET /api/books/entries: newest date first. `total` counts every match. */
export const booksEntryListResponse = z.object({
  total: count,
  offset: count,
  limit: count,
  entries: z.array(booksEntryView),
});
export type BooksEntryListResponse = z.infer<typeof booksEntryListResponse>;

/**
 * GET /api/books/entries/:id (the original's id or any of its corrections'): the entry as it
 * stands and, in `versions`, every version in log order (the original first), so the original
 * stays visible after a correction.
 */
export const booksEntryResponse = z.object({
  entry: booksEntryView,
  versions: z.array(
    z.object({
      record: z.string(),
      kind: z.enum(['transaction', 'correction']),
      created: isoTime,
      author: z.string(),
      reason: z.string().optional(),
      /** The version's postings; absent for a void. */
      date: booksDate.optional(),
      description: z.string().optional(),
      counterparty: z.string().optional(),
      postings: z.array(booksPostingView).optional(),
    }),
  ),
});
export type BooksEntryResponse = z.infer<typeof booksEntryResponse>;

/**
 * POST /api/books/entries/:id/correction: seal a `correction` of the entry's current version
 * that reverses it and, unless `void`, posts `replacement`. A void entry cannot be corrected
 * (409). → BooksSealedResponse
 */
export const booksCorrectionRequest = z
  .strictObject({
    reason: line(LONG),
    /**
     * The version the person saw (the entry's `current`): when another was sealed since, the
     * correction is refused with 409 `books.superseded` rather than reverse what they never saw.
     */
    current: recordId.optional(),
    void: z.boolean().optional(),
    replacement: booksEntryRequest.optional(),
  })
  .refine((r) => (r.void === true) !== (r.replacement !== undefined), {
    error: 'give either a replacement or void: true',
  });
export type BooksCorrectionRequest = z.infer<typeof booksCorrectionRequest>;

/** GET /api/books/suggestions query: what the entry form knows of a line so far. */
export const booksSuggestQuery = z.object({
  counterparty: z.string().max(SHORT).optional(),
  text: z.string().max(LONG).optional(),
  direction: z.enum(['in', 'out']),
});
export type BooksSuggestQuery = z.infer<typeof booksSuggestQuery>;

/** One suggested account, learned from earlier choices. */
export const booksSuggestion = z.object({
  account: z.string(),
  /** 0 to 1. */
  confidence: z.number().min(0).max(1),
  reason: z.enum(['counterparty', 'words']),
});
export type BooksSuggestion = z.infer<typeof booksSuggestion>;

/** GET /api/books/suggestions, best first (at most BOOKS_LIMITS.maxSuggestions). */
export const booksSuggestResponse = z.object({ suggestions: z.array(booksSuggestion) });
export type BooksSuggestResponse = z.infer<typeof booksSuggestResponse>;

// ---------------------------------------------------------------------------------------------
// CSV column mappings

/** The name of a saved CSV column mapping: 1 to 100 printable characters, no space at either end. */
export const booksMappingName = z
  .string()
  .min(1)
  .max(BOOKS_LIMITS.maxMappingName)
  .refine((s) => /^[^\p{Cc}\p{Cf}\p{Cs}\p{Zl}\p{Zp}]+$/u.test(s), {
    error: 'must be printable characters (no control or formatting characters)',
  })
  .refine((s) => s.trim() === s, { error: 'must not begin or end with a space' });

/**
 * A CSV column mapping as JSON: a `CsvMapping` (src/books/import/csv.ts). The server checks it
 * with `parseCsvMapping`, the same check the CLI and the import make.
 */
export const booksCsvMapping = z.record(z.string(), z.unknown());

/** A saved CSV column mapping: the latest sealed under its name. */
export const booksMappingView = z.object({
  name: z.string(),
  /** The `document` record that sealed it. */
  record: z.string(),
  /** The mapping as saved (`parseCsvMapping` has filled in its defaults). */
  mapping: booksCsvMapping,
});
export type BooksMappingView = z.infer<typeof booksMappingView>;

/** GET /api/books/mappings: every saved mapping, the latest of each name, sorted by name. */
export const booksMappingsResponse = z.object({ mappings: z.array(booksMappingView) });
export type BooksMappingsResponse = z.infer<typeof booksMappingsResponse>;

/**
 * POST /api/books/mappings: save a CSV column mapping under `name`, sealed as the CLI's import
 * seals one (a `document` record tagged `csv-mapping`); a mapping of the same name is replaced
 * for later imports (the earlier stays sealed). Saving what is saved already seals nothing. A
 * mapping `parseCsvMapping` refuses is 400 `books.mapping`, its message saying what is wrong.
 * → BooksMappingsResponse
 */
export const booksMappingRequest = z.strictObject({
  name: booksMappingName,
  mapping: booksCsvMapping,
});
export type BooksMappingRequest = z.infer<typeof booksMappingRequest>;

// ---------------------------------------------------------------------------------------------
// Import with review

/**
 * POST /api/books/imports?… with the statement file as the raw body
 * (`application/octet-stream`, at most maxStatementBytes). Nothing is sealed: the server reads
 * and plans the import, keeps the file for importTtlSeconds, and answers the preview. A file
 * that does not read is 400 `books.statement` naming the line (`params.line`).
 */
export const booksImportQuery = z.object({
  /** The file's name, kept on the statement's document record. */
  name: line(RECORD_LIMITS.maxPath),
  format: z.enum(['1c', 'camt', 'csv']).optional(),
  /** The books account of the statement's one bank account (else by number, from earlier imports). */
  account: z.string().min(1).max(256).optional(),
  /**
   * For a statement of several bank accounts: `NUMBER=PATH` for each (the parameter repeated),
   * such as `accounts=40703810500000001234=Assets:Bank:RUB`.
   */
  accounts: z
    .preprocess(
      (v) => (typeof v === 'string' ? [v] : v),
      z.array(z.string().min(3).max(300)).max(50),
    )
    .optional(),
  /** A saved CSV mapping's name (needed for CSV). */
  mapping: z.string().min(1).max(SHORT).optional(),
});
export type BooksImportQuery = z.infer<typeof booksImportQuery>;

/** One statement line the import would seal. */
export const booksImportLine = z.object({
  /** Stable identity of the line: the key of `ImportSealRequest.accounts`. */
  identity: z.string(),
  /** 1-based line (or section) of the file. */
  line: count,
  date: booksDate,
  /** Signed, from the union's side: positive money in. */
  amount: booksAmount,
  currency: z.string(),
  counterparty: z.string(),
  purpose: z.string(),
  /** The books account of the bank side. */
  bankAccount: z.string(),
  /** The account the line would be posted to: the suggestion, or suspense. */
  account: z.string(),
  suggestion: booksSuggestion.nullable(),
});
export type BooksImportLine = z.infer<typeof booksImportLine>;

/** A balance the statement states, against the books once the import is sealed. */
export const booksImportCheck = z.object({
  line: count.nullable(),
  kind: z.enum(['opening', 'closing']),
  date: booksDate,
  account: z.string(),
  currency: z.string(),
  stated: booksAmount,
  books: booksAmount,
  ok: z.boolean(),
});
export type BooksImportCheck = z.infer<typeof booksImportCheck>;

/** The preview of an import, and what sealing it will do. */
export const booksImportPreview = z.object({
  id: z.string(),
  name: z.string(),
  format: z.enum(['1c', 'camt', 'csv']),
  sha256: z.string(),
  /** False when the same file was imported before (its document record is reused). */
  newStatement: z.boolean(),
  /** Opening balances of bank accounts imported for the first time. */
  openings: z.array(
    z.object({ date: booksDate, account: z.string(), amount: booksAmount, currency: z.string() }),
  ),
  /** New lines (the first maxPreviewLines; `lineCount` says how many there are). */
  lines: z.array(booksImportLine),
  lineCount: count,
  /** Lines already in the books: skipped. */
  duplicates: count,
  checks: z.array(booksImportCheck),
  /** Accounts the import will add (suspense, opening balances in a new currency). */
  addedAccounts: z.array(z.string()),
  /** Where unclassified lines go (a statement of several currencies has one per currency). */
  suspense: z.string(),
  /** Every suspense account of the import: `suspense` first, then other currencies'. */
  suspenseAccounts: z.array(z.string()),
  /** When the server forgets the file (RFC 3339). */
  expires: isoTime,
});
export type BooksImportPreview = z.infer<typeof booksImportPreview>;

/**
 * POST /api/books/imports/:id/seal: seal the previewed import, with the treasurer's account for
 * each line they changed (by identity; others keep the preview's). The file is planned again
 * against the books as they are now; a line no longer new is skipped. → BooksImportResult
 */
export const booksImportSealRequest = z.strictObject({
  accounts: z
    .record(z.string().max(512), booksAccountPath)
    .refine((m) => Object.keys(m).length <= BOOKS_LIMITS.maxPreviewLines, {
      error: `has too many entries: the review shows at most ${BOOKS_LIMITS.maxPreviewLines} lines`,
    })
    .optional(),
});
export type BooksImportSealRequest = z.infer<typeof booksImportSealRequest>;

/** What sealing an import did. */
export const booksImportResult = z.object({
  statementId: z.string(),
  /** Records sealed in all (statement, accounts, entries, balances). */
  sealed: count,
  /** Lines sealed as entries. */
  entries: count,
  duplicates: count,
  /** Statement balances the books disagree with (sealed as the bank states them). */
  mismatches: count,
  logSize: count,
});
export type BooksImportResult = z.infer<typeof booksImportResult>;

// ---------------------------------------------------------------------------------------------
// Reports

/** The reports, as `tamga books report KIND` names them. */
export const BOOKS_REPORT_KINDS = REPORT_KINDS;

/**
 * GET /api/books/reports/:kind query. `format=csv` answers `text/csv` as an attachment (the CLI's
 * CSV); otherwise BooksReportResponse.
 */
export const booksReportQuery = z
  .object({
    from: booksDate.optional(),
    to: booksDate.optional(),
    /** For `register`: the account (subaccounts included); required there. */
    account: z.string().min(1).max(256).optional(),
    lang: z.enum(['en', 'ru', 'ky']).optional(),
    format: z.enum(['json', 'csv']).optional(),
  })
  .refine(periodInOrder, PERIOD_ERROR);
export type BooksReportQuery = z.infer<typeof booksReportQuery>;

/**
 * A report. Columns carry a stable `key` (the browser translates `books.column.<key>`) and the
 * English `title`; a row's `records` are the sealed records behind its figures, each a link.
 * `notes` are findings (imbalances, failed assertions), in English: the browser shows them
 * under a translated heading.
 */
export const booksReportResponse = z.object({
  kind: z.enum(BOOKS_REPORT_KINDS),
  from: z.string().optional(),
  to: z.string().optional(),
  columns: z.array(
    z.object({ key: z.string(), title: z.string(), amount: z.boolean().optional() }),
  ),
  rows: z.array(
    z.object({
      values: z.record(z.string(), z.string()),
      records: z.array(z.string()),
      total: z.boolean().optional(),
    }),
  ),
  notes: z.array(z.string()),
});
export type BooksReportResponse = z.infer<typeof booksReportResponse>;

// ---------------------------------------------------------------------------------------------
// Property register

/** An event in an asset's life. */
export const propertyEventView = z.object({
  record: z.string(),
  event: z.string(),
  date: z.string().optional(),
  description: z.string(),
  valuation: z
    .object({ amount: booksAmount, currency: z.string(), basis: z.string().optional() })
    .optional(),
  transfer: z
    .object({
      to: z.string(),
      decision: z.string(),
      decisionRecord: z.string().optional(),
      agreement: z.string().optional(),
    })
    .optional(),
  documents: z.array(z.string()),
});

/** An asset and its history. */
export const propertyItemView = z.object({
  record: z.string(),
  name: z.string(),
  category: z.string(),
  location: z.string().optional(),
  registration: z.string().optional(),
  account: z.string().optional(),
  valuation: z
    .object({ amount: booksAmount, currency: z.string(), basis: z.string().optional() })
    .optional(),
  transferredTo: z.string().optional(),
  disposed: z.boolean(),
  titleDocuments: z.array(z.string()),
  events: z.array(propertyEventView),
  corrections: z.array(z.object({ record: z.string(), corrects: z.string(), reason: z.string() })),
});
export type PropertyItemView = z.infer<typeof propertyItemView>;

/** GET /api/books/property. */
export const propertyResponse = z.object({ items: z.array(propertyItemView) });
export type PropertyResponse = z.infer<typeof propertyResponse>;

/**
 * POST /api/books/property: register an asset (no `asset`) or seal an event of one (`asset`
 * names it; `event` is valuation, transfer, disposal or update). Named records (asset,
 * titleDocuments, transfer.decisionRecord, transfer.agreement) must be sealed in the vault; the
 * server puts them in the record's refs. → BooksSealedResponse
 */
export const propertyRequest = z.strictObject({
  name: line(SHORT),
  category: line(SHORT),
  description: line(LONG).optional(),
  asset: recordId.optional(),
  event: z.enum(ASSET_EVENTS).optional(),
  date: booksDate.optional(),
  location: line(SHORT).optional(),
  registration: line(SHORT).optional(),
  titleDocuments: z.array(recordId).max(BOOKS_LIMITS.maxDocuments).optional(),
  account: booksAccountPath.optional(),
  valuation: z
    .strictObject({ amount: booksAmount, currency: booksCurrency, basis: line(SHORT).optional() })
    .optional(),
  transfer: z
    .strictObject({
      to: line(SHORT),
      decision: line(LONG),
      decisionRecord: recordId.optional(),
      agreement: recordId.optional(),
    })
    .optional(),
});
export type PropertyRequest = z.infer<typeof propertyRequest>;

// ---------------------------------------------------------------------------------------------
// Diff against a presented ledger

/**
 * POST /api/books/diff?… with the presented file as the raw body (at most maxStatementBytes):
 * compare it with the sealed books. → BooksDiffResponse. POST /api/books/diff/evidence with the
 * same query and body → a ZIP: diff-report.txt and diff-report.json (what `tamga books diff -o`
 * writes) and the evidence bundle of every sealed record involved, with verifier.html.
 */
export const booksDiffQuery = z
  .object({
    name: line(RECORD_LIMITS.maxPath),
    format: z.enum(['1c', 'camt', 'csv', 'hledger']).optional(),
    /** A saved CSV mapping's name (for CSV). */
    mapping: z.string().min(1).max(SHORT).optional(),
    from: booksDate.optional(),
    to: booksDate.optional(),
    /** The books account to compare (else the one the statement's bank account was imported into). */
    account: z.string().min(1).max(256).optional(),
  })
  .refine(periodInOrder, PERIOD_ERROR);
export type BooksDiffQuery = z.infer<typeof booksDiffQuery>;

/** A sealed record's proof, in words and facts. */
export const booksProofSummary = z.object({
  recordId: z.string(),
  logIndex: count,
  text: z.string(),
  witnessed: z.boolean(),
  noLaterThan: z.string().nullable(),
  witnesses: z.array(z.string()),
  checkpointSize: count.nullable(),
});

/** A presented entry: one movement of money in the presented file. */
export const booksPresentedEntry = z.object({
  /** The 1-based line of the presented file. */
  line: count,
  date: z.string(),
  amount: z.string(),
  counterparty: z.string(),
  purpose: z.string(),
  reference: z.string().nullable(),
});

/** A sealed entry as the same kind of movement. */
export const booksSealedMovement = z.object({
  /** The entry's id (what corrections name). */
  id: z.string(),
  /** The record whose body is in force. */
  recordId: z.string(),
  date: z.string(),
  amount: z.string(),
  currency: z.string(),
  counterparty: z.string(),
  purpose: z.string(),
});

/** One difference, as src/books/diff/compare.ts finds it. */
export const booksDifference = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('missing'), sealed: booksSealedMovement }),
  z.object({ kind: z.literal('added'), presented: booksPresentedEntry }),
  z.object({
    kind: z.literal('altered'),
    sealed: booksSealedMovement,
    presented: booksPresentedEntry,
    fields: z.array(z.enum(['amount', 'date', 'counterparty', 'purpose'])),
    matchedBy: z.enum(['reference', 'best match']),
  }),
]);
export type BooksDifference = z.infer<typeof booksDifference>;

/** A total the presented file states that its own figures do not add up to. */
export const booksDiffInconsistency = z.object({
  /** The statement's bank account. */
  account: z.string(),
  /** The line of the stated total. */
  line: count,
  /** The field stating it: КонечныйОстаток, ВсегоПоступило or ВсегоСписано. */
  field: z.string(),
  /** What the file states. */
  declared: z.string(),
  /** What the file's own figures add up to. */
  computed: z.string(),
});

/** POST /api/books/diff. */
export const booksDiffResponse = z.object({
  presented: z.string(),
  period: z.object({ from: z.string(), to: z.string() }),
  account: z.string().nullable(),
  presentedEntries: count,
  sealedEntries: count,
  /** Entries that agree. */
  matched: count,
  differences: z.array(booksDifference),
  proofs: z.record(z.string(), booksProofSummary),
  records: z.array(z.string()),
  /** Totals the presented file states that its own figures do not add up to: findings. */
  inconsistencies: z.array(booksDiffInconsistency),
  /** The plain-text report `tamga books diff` prints (English), for download. */
  report: z.string(),
});
export type BooksDiffResponse = z.infer<typeof booksDiffResponse>;
