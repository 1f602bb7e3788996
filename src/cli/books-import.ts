/**
 * `tamga books import FILE` and `tamga books diff FILE`: bank statements into the sealed books,
 * and a presented ledger compared with them. `addBooksImportCommands` registers both on the
 * `books` command.
 */
import { readFile, stat } from 'node:fs/promises';
import { basename, join, resolve } from 'node:path';
import { type Command, Option } from 'commander';
import type { PresentedFormat } from '../books/diff/presented.js';
import {
  type BooksDiff,
  type DiffReports,
  diffPresented,
  diffReports,
} from '../books/diff/sealed.js';
import { parseCsvMapping } from '../books/import/csv.js';
import { StatementError } from '../books/import/errors.js';
import { describeCheck } from '../books/import/plan.js';
import type { StatementFormat } from '../books/import/types.js';
import { formatAmount } from '../books/model.js';
import { readSealedBooks } from '../books/sealed-books.js';
import { type ImportResult, importStatementFile } from '../books/statements.js';
import { DIFF_REPORT_JSON_NAME, DIFF_REPORT_TEXT_NAME } from '../evidence/packaging.js';
import { assertMayAppend } from '../vault/restored.js';
import { Vault, writeFileDurably } from '../vault/vault.js';
import { recordAuthor } from './author.js';
import {
  type CommandContext,
  passphrase,
  printable,
  UsageError,
  type VaultOptions,
  vaultDir,
} from './context.js';
import { evidenceCommand } from './evidence.js';
import { startCosigning } from './witnesses.js';

export interface BooksImportOptions extends VaultOptions {
  account?: string[];
  format?: string;
  mapping?: string;
  review?: boolean;
  suspense?: string;
  openingAccount?: string;
  author?: string;
  json?: boolean;
  witnessWait?: number;
}

const STATEMENT_FORMATS = ['1c', 'camt', 'csv'] as const;

/**
 * Imports a statement; with `review`, prints the proposed transactions and seals nothing.
 * Resolves to the result; `mismatches` counts balances the books do not agree with.
 */
export async function booksImportCommand(
  file: string,
  opts: BooksImportOptions,
  ctx: CommandContext,
): Promise<ImportResult & { mismatches: number }> {
  if (
    opts.format !== undefined &&
    !(STATEMENT_FORMATS as readonly string[]).includes(opts.format)
  ) {
    throw new UsageError(`--format must be 1c, camt or csv, not ${opts.format}`);
  }
  const vault = await Vault.open(vaultDir(ctx, opts), opts.review ? { readonly: true } : {});
  try {
    // Before the statement is stored: a restored copy seals nothing until taken over.
    if (!opts.review) assertMayAppend(vault.db);
    const keys = opts.review ? null : await vault.unlock(await passphrase(ctx));
    const cosigning = opts.review ? null : startCosigning(vault, ctx);
    const result = await importStatementFile(vault, keys, resolve(ctx.cwd, file), {
      ...(opts.account === undefined ? {} : { accounts: opts.account }),
      ...(opts.format === undefined ? {} : { format: opts.format as StatementFormat }),
      ...(opts.mapping === undefined ? {} : { mapping: opts.mapping }),
      ...(opts.suspense === undefined ? {} : { suspense: opts.suspense }),
      ...(opts.openingAccount === undefined ? {} : { openingAccount: opts.openingAccount }),
      review: opts.review === true,
      // A review seals nothing, so it names no author and asks for none.
      author: opts.review ? (opts.author ?? '') : recordAuthor(vault, opts.author, ctx).name,
      cwd: ctx.cwd,
    });
    const { plan } = result;
    const mismatches = plan.checks.filter((c) => !c.ok);
    if (opts.json) {
      ctx.out(
        JSON.stringify({
          statement: result.statementId,
          newStatement: result.newStatement,
          review: opts.review === true,
          sealed: result.sealed,
          entries: plan.entries.map((e) => ({
            line: e.line.line,
            date: e.transaction.date,
            amount: formatAmount(
              e.transaction.postings[0]!.amount,
              e.transaction.postings[0]!.currency,
            ),
            currency: e.transaction.postings[0]!.currency,
            account: e.transaction.postings[0]!.account,
            against: e.transaction.postings[1]!.account,
            suggestion: e.suggestion,
            counterparty: e.line.counterparty,
            purpose: e.line.purpose,
            identity: e.identity,
          })),
          duplicates: plan.duplicates.map((d) => ({ line: d.line.line, identity: d.identity })),
          openings: plan.openings.length,
          checks: plan.checks.map(describeCheck),
          addedAccounts: result.addedAccounts,
          warnings: plan.statement.warnings,
        }),
      );
    } else {
      if (opts.review) {
        for (const t of plan.openings) {
          const p = t.postings[0]!;
          ctx.out(
            printable(
              `opening  ${t.date}  ${formatAmount(p.amount, p.currency)} ${p.currency}  ${p.account} ← ${t.postings[1]!.account}`,
            ),
          );
        }
        for (const e of plan.entries) {
          const [bank, other] = e.transaction.postings as [
            (typeof e.transaction.postings)[0],
            (typeof e.transaction.postings)[0],
          ];
          const why =
            e.suggestion === null
              ? 'suspense: no rule matched'
              : `${e.suggestion.reason} ${Math.round(e.suggestion.confidence * 100)}%`;
          ctx.out(
            printable(
              `line ${e.line.line}  ${e.transaction.date}  ${formatAmount(bank.amount, bank.currency)} ${bank.currency}  ${bank.account} ⇄ ${other.account}  [${why}]  ${e.line.counterparty || '—'}: ${e.line.purpose}`,
            ),
          );
        }
      }
      for (const w of plan.statement.warnings) ctx.err(printable(`note: ${w}`));
      const verb = opts.review ? 'Would import' : 'Imported';
      ctx.err(
        `${verb} ${plan.entries.length} statement line${plan.entries.length === 1 ? '' : 's'} (${plan.entries.filter((e) => e.suggestion === null).length} to suspense); ${plan.duplicates.length} already in the books, skipped${plan.openings.length > 0 ? `; opening balance set for ${plan.openings.length} account${plan.openings.length === 1 ? '' : 's'}` : ''}.`,
      );
      if (result.addedAccounts.length > 0) {
        ctx.err(
          `${opts.review ? 'Would add' : 'Added'} the accounts ${result.addedAccounts.join(', ')}.`,
        );
      }
      if (!opts.review) {
        ctx.err(
          result.sealed === 0
            ? 'Nothing new to seal.'
            : `Sealed ${result.sealed} records${result.newStatement ? `, the statement itself as ${result.statementId}` : ` (the statement was sealed before, as ${result.statementId})`}; the log now holds ${result.logSize} records.`,
        );
      } else ctx.err('Review only: nothing was sealed.');
      for (const c of mismatches) {
        const diff = c.stated - c.books;
        ctx.err(
          printable(
            `MISMATCH: line ${c.balance.line}: the statement says ${c.balance.bankAccount} held ${formatAmount(c.stated, c.currency)} ${c.currency} at the ${c.balance.kind === 'opening' ? 'start' : 'end'} of ${c.balance.date}; the books say ${formatAmount(c.books, c.currency)} (${diff > 0n ? 'the bank shows' : 'the books show'} ${formatAmount(diff < 0n ? -diff : diff, c.currency)} more). ${opts.review ? 'Importing will seal' : 'Sealed'} the bank's figure as a balance assertion, which the exports will show failing until the books are corrected.`,
          ),
        );
      }
    }
    if (cosigning !== null && result.sealed > 0) {
      cosigning.poke();
      await cosigning.finish((opts.witnessWait ?? 10) * 1000, opts.json === true);
    }
    return { ...result, mismatches: mismatches.length };
  } finally {
    vault.close();
  }
}

export interface BooksDiffOptions extends VaultOptions {
  from?: string;
  to?: string;
  format?: string;
  mapping?: string;
  account?: string;
  out?: string;
  json?: boolean;
}

const DATE = /^\d{4}-\d{2}-\d{2}$/;

/**
 * Compares a presented ledger with the sealed books; resolves to the number of differences and
 * of totals the presented file states that its own figures do not add up to.
 */
export async function booksDiffCommand(
  file: string,
  opts: BooksDiffOptions,
  ctx: CommandContext,
): Promise<number> {
  for (const [name, v] of [
    ['--from', opts.from],
    ['--to', opts.to],
  ] as const) {
    if (v !== undefined && !DATE.test(v))
      throw new UsageError(`${name} takes a date such as 2024-01-31, not ${v}`);
  }
  if (opts.format !== undefined && !['1c', 'camt', 'csv', 'hledger'].includes(opts.format)) {
    throw new UsageError(`--format must be 1c, camt, csv or hledger, not ${opts.format}`);
  }
  const path = resolve(ctx.cwd, file);
  const info = await stat(path).catch(() => null);
  if (info === null || !info.isFile()) throw new UsageError(`${file} is not a file`);
  if (info.size > 512 * 1024 * 1024) throw new UsageError(`${file} is larger than 512 MB`);
  const bytes = new Uint8Array(await readFile(path));
  const vault = await Vault.open(vaultDir(ctx, opts), { readonly: true });
  let diff: BooksDiff;
  let reports: DiffReports;
  try {
    let mapping: ReturnType<typeof parseCsvMapping> | undefined;
    if (opts.mapping !== undefined) {
      const saved = readSealedBooks(vault).mappings.get(opts.mapping);
      const text =
        saved?.json ?? (await readFile(resolve(ctx.cwd, opts.mapping), 'utf8').catch(() => null));
      if (text === null || text === undefined)
        throw new StatementError(
          'diff.mapping',
          null,
          `no mapping named ${opts.mapping} is saved, and no such file exists`,
        );
      mapping = parseCsvMapping(JSON.parse(text));
    }
    diff = diffPresented(vault, bytes, {
      format: opts.format as PresentedFormat | undefined,
      mapping,
      from: opts.from,
      to: opts.to,
      account: opts.account,
    });
    reports = diffReports(diff, basename(file), vault.info.origin);
  } finally {
    vault.close();
  }
  if (opts.json) ctx.out(reports.json);
  else for (const l of reports.lines) ctx.out(printable(l));
  if (opts.out !== undefined) {
    const dir = resolve(ctx.cwd, opts.out);
    if (diff.records.length > 0) {
      await evidenceCommand(
        diff.records,
        { ...(opts.vault === undefined ? {} : { vault: opts.vault }), out: dir },
        { ...ctx, out: () => undefined },
      );
    } else {
      const { mkdir } = await import('node:fs/promises');
      await mkdir(dir, { recursive: true });
    }
    await writeFileDurably(join(dir, DIFF_REPORT_TEXT_NAME), reports.text);
    await writeFileDurably(join(dir, DIFF_REPORT_JSON_NAME), `${reports.json}\n`);
    ctx.err(
      `Wrote the report and ${diff.records.length ? 'an evidence bundle of the sealed records involved' : 'no bundle (no sealed record differs)'} to ${dir}`,
    );
  }
  return diff.comparison.differences.length + diff.inconsistencies.length;
}

/**
 * Registers `import` and `diff` on the `books` command. `setExit` receives 1 when an import
 * finds balances the books disagree with, or a diff finds differences.
 */
export function addBooksImportCommands(
  books: Command,
  ctx: CommandContext,
  setExit: (code: number) => void,
  vaultOption: () => Option,
): void {
  const collect = (value: string, previous: string[] = []) => [...previous, value];
  books
    .command('import')
    .argument(
      '<file>',
      'a bank statement: 1C Client-Bank exchange (.txt), camt.053 (.xml), or CSV with --mapping',
    )
    .description(
      'seal a bank statement and its lines as transactions (bank account against a suggested account, or suspense), skipping lines already imported, and check its balances against the books',
    )
    .addOption(vaultOption())
    .option(
      '--account <account>',
      'the books account of the statement (PATH), or NUMBER=PATH per bank account (repeatable)',
      collect,
    )
    .addOption(
      new Option('--format <format>', 'the statement format (default: told from the file)').choices(
        ['1c', 'camt', 'csv'],
      ),
    )
    .option(
      '--mapping <name>',
      'for CSV: a saved column mapping, or a JSON file (saved under its name)',
    )
    .option('--review', 'print the proposed transactions, one per line, and seal nothing')
    .option('--suspense <account>', 'where lines no rule matches go', 'Assets:Suspense')
    .option(
      '--opening-account <account>',
      'the equity account of opening balances',
      'Equity:Opening balances',
    )
    .option('--author <name>', 'who imports (default: $TAMGA_AUTHOR, else your user name)')
    .option('--json', 'the plan and outcome as JSON')
    .action(async (file: string, o: BooksImportOptions) => {
      const r = await booksImportCommand(file, o, ctx);
      setExit(r.mismatches > 0 ? 1 : 0);
    });
  books
    .command('diff')
    .argument(
      '<file>',
      'a presented ledger: CSV (with --mapping), hledger journal, 1C or camt.053 statement',
    )
    .description(
      'compare a presented ledger with the sealed books of the same period: entries missing, added or altered, each with its sealed record and proof',
    )
    .addOption(vaultOption())
    .option('--from <date>', 'first day compared (default: the presented ledger’s first)')
    .option('--to <date>', 'last day compared (default: its last)')
    .addOption(
      new Option('--format <format>', 'the presented format (default: told from the file)').choices(
        ['1c', 'camt', 'csv', 'hledger'],
      ),
    )
    .option('--mapping <name>', 'for CSV: a saved column mapping, or a JSON file')
    .option(
      '--account <path>',
      'the books account to compare (default: the statement’s, as imported)',
    )
    .option(
      '-o, --out <dir>',
      'also write the report and an evidence bundle of the sealed records involved',
    )
    .option('--json', 'the report as JSON')
    .action(async (file: string, o: BooksDiffOptions) => {
      const n = await booksDiffCommand(file, o, ctx);
      setExit(n > 0 ? 1 : 0);
    });
}
