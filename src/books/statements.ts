/**
 * Importing a bank statement file into a vault's books: the file is read and checked whole,
 * planned against the sealed books (import/plan.ts), and then sealed in one batch — the
 * statement itself as a `document` record (its file encrypted into the vault), any accounts the
 * import needs (suspense, opening balances), each new line as a `transaction` record whose
 * source names the statement record and line, and the statement's balances as balance
 * assertions. One batch is one SQLite transaction: on any error nothing is imported.
 *
 * The core works on the file's bytes (`importStatementBytes`, what the web app sends); a review
 * plans without sealing, and sealing afterwards takes the accounts chosen at review per line.
 */
import { createHash, randomBytes } from 'node:crypto';
import { readFile, stat } from 'node:fs/promises';
import { basename, dirname, resolve } from 'node:path';
import { TamgaError } from '../log/errors.js';
import { commitCanonical } from '../records/commitment.js';
import { newRecordId } from '../records/id.js';
import { parseRecordCanonical } from '../records/record.js';
import { parseX25519Recipient } from '../vault/age/x25519.js';
import { storeBlobBytes } from '../vault/blobs.js';
import type { VaultKeys } from '../vault/keys.js';
import { mediaTypeOf } from '../vault/media-type.js';
import type { SealedEntry as LogEntry } from '../vault/sequencer.js';
import { syncDirectories, type Vault } from '../vault/vault.js';
import { type CsvMapping, parseCsvMapping } from './import/csv.js';
import { parseStatement } from './import/detect.js';
import { StatementError } from './import/errors.js';
import { assertionKey, type ImportPlan, planImport } from './import/plan.js';
import type { ParsedStatement, StatementFormat } from './import/types.js';
import {
  type Account,
  type AccountType,
  accountsBody,
  BooksError,
  statementBalanceDraft,
  transactionDraft,
} from './model.js';
import {
  BalanceIndex,
  DEFAULT_OPENING,
  DEFAULT_SUSPENSE,
  examplesOf,
  isSavedMapping,
  mappingDocumentDraft,
  readSealedBooks,
  type SealedBooks,
  STATEMENT_TAG,
  savedMapping,
} from './sealed-books.js';

/** The largest statement file read. */
export const MAX_STATEMENT_BYTES = 512 * 1024 * 1024;

/** Options of `importStatementBytes`. */
export interface ImportOptions {
  /** `PATH` (the statement's one account), or `NUMBER=PATH` for each bank account. */
  readonly accounts?: readonly string[];
  readonly format?: StatementFormat;
  /** A saved mapping's name, or (with `readMappingFile`) a JSON file holding one. */
  readonly mapping?: string;
  /**
   * Reads a mapping file named by `mapping` when no mapping of that name is saved; the mapping
   * is then saved under the file's name. Resolves to null when there is no such file.
   */
  readonly readMappingFile?: (given: string) => Promise<string | null>;
  /** Plan only: seal nothing. */
  readonly review?: boolean;
  readonly suspense?: string;
  readonly openingAccount?: string;
  /** The account chosen at review for a line, by the line's identity (see PlanOptions). */
  readonly overrides?: ReadonlyMap<string, string>;
  readonly author: string;
  readonly now?: () => Date;
  /** The most lines read; a longer statement is refused (StatementError `import.lines`). */
  readonly maxLines?: number;
}

/** Options of `importStatementFile`: mapping files are read relative to `cwd`. */
export interface ImportFileOptions extends Omit<ImportOptions, 'readMappingFile'> {
  readonly cwd: string;
}

/** What an import did (or, with review, would do). */
export interface ImportResult {
  readonly plan: ImportPlan;
  /** The SHA-256 of the statement file. */
  readonly sha256: string;
  /** The account unclassified lines go to (in the statement's first currency). */
  readonly suspense: string;
  /** The suspense account of each currency of the statement (`suspense` first). */
  readonly suspenseAccounts: readonly string[];
  readonly statementId: string;
  /** False when the same file was imported before: its record is reused. */
  readonly newStatement: boolean;
  /** Records sealed (0 with review). */
  readonly sealed: number;
  /** Accounts the import added to the chart. */
  readonly addedAccounts: readonly string[];
  /** The log's size after sealing. */
  readonly logSize: number | null;
}

/**
 * Imports the statement file `file` (relative to `options.cwd`), as `importStatementBytes` does
 * its bytes. Rejects with StatementError `import.file` when it is not a readable file or is
 * larger than MAX_STATEMENT_BYTES.
 */
export async function importStatementFile(
  vault: Vault,
  keys: VaultKeys | null,
  file: string,
  options: ImportFileOptions,
): Promise<ImportResult> {
  const info = await stat(file).catch(() => null);
  if (info === null || !info.isFile()) {
    throw new StatementError('import.file', null, `${file} is not a file`);
  }
  if (info.size > MAX_STATEMENT_BYTES) {
    throw new StatementError(
      'import.file',
      null,
      `${file} is ${info.size} bytes; statements of at most ${MAX_STATEMENT_BYTES} bytes are read`,
    );
  }
  const bytes = new Uint8Array(await readFile(file));
  const { cwd, ...rest } = options;
  return importStatementBytes(vault, keys, bytes, basename(file), {
    ...rest,
    readMappingFile: (given) => readFile(resolve(cwd, given), 'utf8').catch(() => null),
  });
}

/**
 * Imports a statement file's `bytes`, named `name` (its file name, kept on its document
 * record). Resolves to what was sealed, or with `review` to what would be; rejects with
 * StatementError (naming the line) for a file that does not read or does not fit the books,
 * BooksError (naming the line) for a transaction the chart refuses, and the vault's errors,
 * having sealed nothing.
 */
export async function importStatementBytes(
  vault: Vault,
  keys: VaultKeys | null,
  bytes: Uint8Array,
  name: string,
  options: ImportOptions,
): Promise<ImportResult> {
  const sha256 = createHash('sha256').update(bytes).digest('hex');
  // The log size the plan rests on, taken before reading: sealing checks that no books record
  // was sealed since (by another import, entry or process), and refuses rather than duplicate.
  const plannedAt = (vault.db.prepare('SELECT COUNT(*) AS n FROM records').get() as { n: number })
    .n;
  const books = readSealedBooks(vault);
  const mapping = await resolveMapping(books, options);
  const explicit = parseAccountOptions(options.accounts ?? []);
  const single = explicit.single === null ? undefined : books.chart.get(explicit.single);
  const statement = parseStatement(bytes, {
    ...(options.format === undefined ? {} : { format: options.format }),
    ...(mapping === null ? {} : { mapping: mapping.mapping }),
    currency: single?.currency ?? null,
  });
  if (options.maxLines !== undefined && statement.lines.length > options.maxLines) {
    throw tooManyLines(statement.lines.length, options.maxLines);
  }
  const accounts = bindAccounts(statement, books, explicit);

  // Accounts for suspense and opening balances, in each currency the statement needs.
  const added: Account[] = [];
  const chart = new Map(books.chart);
  const accountIn = (base: string, type: AccountType, currency: string): string => {
    const existing = chart.get(base);
    const path =
      existing === undefined || existing.currency === currency ? base : `${base}:${currency}`;
    if (!chart.has(path)) {
      // A currency's own account takes the names and role of the account it stands beside
      // ("Suspense (to be classified) (USD)"), so it reads like the rest of the chart.
      const names =
        existing?.names === undefined || path === base
          ? undefined
          : Object.fromEntries(
              Object.entries(existing.names).map(([lang, n]) => [lang, `${n} (${currency})`]),
            );
      const a: Account = {
        path,
        type,
        currency,
        ...(names === undefined ? {} : { names }),
        ...(existing?.role === undefined ? {} : { role: existing.role }),
      };
      chart.set(path, a);
      added.push(a);
    }
    return path;
  };
  // A statement of several currencies (a camt.053 of a KGS and a USD account) gets suspense and
  // opening-balance accounts in each; the first currency's are the defaults.
  const currencies = [...new Set([...accounts.values()].map((a) => a.currency))];
  const byCurrency = new Map(
    currencies.map((c) => [
      c,
      {
        suspense: accountIn(options.suspense ?? DEFAULT_SUSPENSE, 'assets', c),
        openingEquity: accountIn(options.openingAccount ?? DEFAULT_OPENING, 'equity', c),
      },
    ]),
  );
  const { suspense, openingEquity: opening } = byCurrency.get(currencies[0]!)!;
  const suspenseAccounts = new Set([...byCurrency.values()].map((v) => v.suspense));
  const openingAccounts = new Set([...byCurrency.values()].map((v) => v.openingEquity));

  const previous = books.statements.find((s) => s.sha256 === sha256);
  const now = options.now ?? (() => new Date());
  const newId = () => newRecordId(now().getTime(), randomBytes(10));
  const statementId = previous?.id ?? newId();
  const index = new BalanceIndex(books.entries);
  const bankPaths = new Set<string>([...accounts.values()].map((a) => a.path));
  for (const s of books.statements) for (const p of Object.values(s.accounts)) bankPaths.add(p);
  const knownRefs = new Set<string>();
  for (const e of books.entries) if (e.tx.source?.ref !== undefined) knownRefs.add(e.tx.source.ref);
  const knownAssertions = new Set<string>();
  for (const { balance } of books.balances) {
    for (const a of balance.assertions) knownAssertions.add(assertionKey(a, balance.date));
  }
  const plan = planImport(
    statement,
    {
      knownRefs,
      knownAssertions,
      balanceAt: (a, d) => index.at(a, d),
      hasPostings: (a) => index.has(a),
      examples: examplesOf(
        books.entries,
        bankPaths,
        (a) =>
          suspenseAccounts.has(a) ||
          openingAccounts.has(a) ||
          a.startsWith(`${options.suspense ?? DEFAULT_SUSPENSE}:`),
      ),
    },
    {
      statementId,
      accounts,
      suspense,
      openingEquity: opening,
      byCurrency,
      chart: { account: (p) => chart.get(p) },
      ...(options.overrides === undefined ? {} : { overrides: options.overrides }),
    },
  );
  const result = {
    plan,
    sha256,
    suspense,
    suspenseAccounts: [...suspenseAccounts],
    statementId,
    newStatement: previous === undefined,
    addedAccounts: added.map((a) => a.path),
  };
  if (options.review) return { ...result, sealed: 0, logSize: null };
  if (keys === null)
    throw new StatementError('import.keys', null, 'sealing needs the vault unlocked');

  // Every record is built and checked before anything is written.
  const created = now();
  const stamp = `${created.toISOString().slice(0, 19)}Z`;
  type Draft = {
    kind: 'document' | 'transaction';
    id: string;
    body: unknown;
    refs: readonly string[];
    files: LogEntry['files'];
    recordFiles: unknown[];
  };
  const drafts: Draft[] = [];
  let blobDirs: string[] = [];
  if (mapping?.save) {
    const { kind, body, refs } = mappingDocumentDraft(mapping.name, mapping.mapping);
    drafts.push({ kind, id: newId(), body, refs, files: [], recordFiles: [] });
  }
  let storedSize: number | undefined;
  if (previous === undefined) {
    const meta: Record<string, string> = {
      format: statement.format,
      encoding: statement.encoding,
      lines: String(statement.lines.length),
    };
    if (statement.period !== null) meta.period = `${statement.period.from}..${statement.period.to}`;
    for (const [number, a] of accounts) meta[`account:${number}`] = a.path;
    if (mapping !== null) meta.mapping = mapping.name;
    const fileName = cleanName(name);
    drafts.push({
      kind: 'document',
      id: statementId,
      body: {
        path: fileName,
        title: `Bank statement ${statement.accounts.join(', ')}${statement.period ? ` ${statement.period.from}..${statement.period.to}` : ''}`,
        tags: [STATEMENT_TAG],
        meta,
      },
      refs: [],
      files: [{ sha256, name: fileName, size: bytes.length }],
      recordFiles: [
        { sha256, size: bytes.length, name: fileName, mediaType: mediaTypeOf(fileName) },
      ],
    });
  }
  if (added.length > 0) {
    drafts.push({
      kind: 'transaction',
      id: newId(),
      body: accountsBody(added, 'Accounts a statement import needed'),
      refs: [],
      files: [],
      recordFiles: [],
    });
  }
  for (const tx of [...plan.openings, ...plan.entries.map((e) => e.transaction)]) {
    const d = transactionDraft(tx);
    drafts.push({
      kind: 'transaction',
      id: newId(),
      body: d.body,
      refs: d.refs,
      files: [],
      recordFiles: [],
    });
  }
  for (const b of plan.assertions) {
    const d = statementBalanceDraft(b);
    drafts.push({
      kind: 'transaction',
      id: newId(),
      body: d.body,
      refs: d.refs,
      files: [],
      recordFiles: [],
    });
  }
  if (drafts.length === 0) return { ...result, sealed: 0, logSize: null };
  const entries: LogEntry[] = drafts.map((d) => {
    let checked: ReturnType<typeof parseRecordCanonical>;
    try {
      checked = parseRecordCanonical({
        kind: d.kind,
        id: d.id,
        created: stamp,
        author: options.author,
        body: d.body,
        files: d.recordFiles,
        refs: d.refs,
      });
    } catch (e) {
      if (e instanceof TamgaError)
        throw new BooksError(
          'import.record',
          `a record of the import does not fit its schema: ${e.message}`,
        );
      throw e;
    }
    const salt = randomBytes(32);
    return {
      id: d.id,
      kind: d.kind,
      created: stamp,
      json: new TextDecoder().decode(checked.canonical),
      salt,
      commitment: commitCanonical(checked.canonical, salt),
      files: d.files,
    };
  });

  // The statement file: encrypted into the vault, durable, before any record names it.
  if (previous === undefined) {
    const known =
      vault.db.prepare('SELECT 1 FROM blobs WHERE sha256 = ?').get(sha256) !== undefined;
    const stored = await storeBlobBytes(
      vault.layout,
      parseX25519Recipient(vault.info.ageRecipient),
      bytes,
    );
    // Flush the blob's folder entries even when it was already on disk (an orphan of an
    // interrupted run is renamed but maybe not flushed).
    blobDirs = [vault.layout.blobs, dirname(stored.path)];
    if (!known) storedSize = stored.storedSize;
  }
  await syncDirectories(blobDirs);
  const docEntry = entries.find((e) => e.id === statementId);
  if (docEntry !== undefined && storedSize !== undefined) {
    const f = docEntry.files[0]!;
    (docEntry as { files: LogEntry['files'] }).files = [{ ...f, storedSize }];
  }
  const changed = vault.db.prepare(
    "SELECT 1 FROM records WHERE idx >= ? AND (kind IN ('transaction', 'correction') OR (kind = 'document' AND json LIKE ?)) LIMIT 1",
  );
  const appended = vault.sequencer(keys).append(entries, () => {
    if (changed.get(plannedAt, `%${STATEMENT_TAG}%`) !== undefined) {
      throw new StatementError(
        'import.changed',
        null,
        'the books changed while this statement was being imported (an entry or another import was sealed meanwhile); nothing was imported: import it again',
      );
    }
  });
  return { ...result, sealed: entries.length, logSize: appended.size };
}

/** The error of a statement or presented ledger longer than a caller reads at once. */
function tooManyLines(lines: number, max: number): StatementError {
  return new StatementError(
    'import.lines',
    null,
    `the file has ${lines} lines; at most ${max} are read here at once: use \`tamga books import\` (or \`books diff\`) on the command line, or split the file by period`,
    { params: { lines, max } },
  );
}

/** `PATH` alone, or `NUMBER=PATH` pairs. */
function parseAccountOptions(given: readonly string[]): {
  single: string | null;
  byNumber: Map<string, string>;
} {
  const byNumber = new Map<string, string>();
  let single: string | null = null;
  for (const g of given) {
    const eq = g.indexOf('=');
    if (eq > 0) byNumber.set(g.slice(0, eq).trim(), g.slice(eq + 1).trim());
    else if (single === null) single = g.trim();
    else
      throw new StatementError(
        'import.account',
        null,
        `--account ${g}: name one books account, or give NUMBER=PATH for each bank account`,
        { params: { reason: 'not-one', account: g.slice(0, 256) } },
      );
  }
  return { single, byNumber };
}

/** The books account of each bank account of the statement: named, or as imported before. */
function bindAccounts(
  statement: ParsedStatement,
  books: SealedBooks,
  given: { single: string | null; byNumber: Map<string, string> },
): Map<string, Account> {
  const out = new Map<string, Account>();
  for (const number of statement.accounts) {
    let path = given.byNumber.get(number);
    if (path === undefined && given.single !== null) {
      if (statement.accounts.length > 1) {
        throw new StatementError(
          'import.account',
          null,
          `the statement holds ${statement.accounts.length} bank accounts (${statement.accounts.join(', ')}); name the books account of each with --account NUMBER=PATH`,
          { params: { reason: 'several', bankAccounts: statement.accounts.join(', ') } },
        );
      }
      path = given.single;
    }
    if (path === undefined) {
      for (const s of books.statements) path ??= s.accounts[number];
    }
    if (path === undefined) {
      throw new StatementError(
        'import.account',
        null,
        `the statement is for the bank account ${number}, which was never imported: name its books account with --account PATH (such as Assets:Bank:KGS)`,
        { params: { reason: 'never-imported', bankAccount: number } },
      );
    }
    const account = books.chart.get(path);
    if (account === undefined) {
      throw new StatementError(
        'import.account',
        null,
        `the books account ${path} is not in the chart; add it first (tamga books accounts), then import`,
        { params: { reason: 'not-in-chart', account: path } },
      );
    }
    if (account.type !== 'assets' && account.type !== 'liabilities') {
      throw new StatementError(
        'import.account',
        null,
        `${path} is an ${account.type} account; a bank account is an asset (or a liability, for a credit line)`,
        { params: { reason: 'wrong-type', account: path } },
      );
    }
    out.set(number, account);
  }
  return out;
}

/** The mapping to read a CSV with: saved by name, or from a JSON file (then saved under its name). */
async function resolveMapping(
  books: SealedBooks,
  options: ImportOptions,
): Promise<{ name: string; mapping: CsvMapping; save: boolean } | null> {
  const given = options.mapping;
  if (given === undefined) return null;
  const saved = savedMapping(books, given);
  if (saved !== null) return { name: given, mapping: saved, save: false };
  const text = (await options.readMappingFile?.(given)) ?? null;
  if (text === null) {
    const names = [...books.mappings.keys()];
    throw new StatementError(
      'import.mapping',
      null,
      `no mapping named ${given} is saved${names.length ? ` (saved: ${names.join(', ')})` : ''}${options.readMappingFile === undefined ? '' : `, and no file ${given} exists`}`,
      { params: { name: given.slice(0, 256) } },
    );
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    throw new StatementError('csv.mapping', null, `${given} is not JSON: ${(e as Error).message}`, {
      params: { reason: 'not-json', name: given.slice(0, 256) },
    });
  }
  const mapping = parseCsvMapping(json);
  const name = basename(given).replace(/\.json$/i, '');
  return { name, mapping, save: !isSavedMapping(books, name, mapping) };
}

function cleanName(name: string): string {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are replaced.
  const clean = name.replace(/[\u0000-\u001f\u007f\\/]/g, '\uFFFD');
  return clean === '' || clean === '.' || clean === '..' ? 'statement' : clean;
}
