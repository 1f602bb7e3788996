/**
 * `tamga books …`: the union's double-entry books on the vault (src/books). Every change is a
 * sealed record: accounts, transactions, corrections. Reports and exports read the sealed
 * records, so a restored vault gives the same figures.
 */
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { type Command, Option } from 'commander';
import { unionChartAccounts } from '../books/chart-union.js';
import {
  accountsDraft,
  type BooksDraft,
  changedAccount,
  correctionOf,
  entryDraft,
  entryFromJson,
} from '../books/drafts.js';
import { exportBeancount } from '../books/export-beancount.js';
import { exportJournal } from '../books/export-journal.js';
import type { Ledger } from '../books/ledger.js';
import {
  ACCOUNT_ROLES,
  ACCOUNT_TYPES,
  type Account,
  type AccountRole,
  type AccountType,
  BooksError,
  formatAmount,
  type Posting,
  parseAmount,
  type StatementBalance,
  type Transaction,
} from '../books/model.js';
import { reportCsv, reportJson, reportText } from '../books/report-output.js';
import { buildReport, REPORT_KINDS, type ReportKind } from '../books/reports.js';
import {
  type PropertyChange,
  propertyDraft,
  readLedger,
  readPropertyRegister,
  sealBooks,
} from '../books/vault-books.js';
import { ASSET_EVENTS } from '../records/bodies.js';
import { isFullDate } from '../records/time.js';
import { Vault, writeFileDurably } from '../vault/vault.js';
import { noteAccountAuthor, recordAuthor } from './author.js';
import { addBooksImportCommands } from './books-import.js';
import {
  type CommandContext,
  passphrase,
  positiveInteger,
  printable,
  UsageError,
  type VaultOptions,
  vaultDir,
} from './context.js';
import { jsonValueLines } from './json-lines.js';
import { startCosigning } from './witnesses.js';

const MAX_INPUT = 16 * 1024 * 1024;

interface SealOptions extends VaultOptions {
  author?: string;
  witnessWait?: number;
}

async function readInput(source: string, ctx: CommandContext): Promise<string> {
  if (source === '-') {
    const chunks: Buffer[] = [];
    let n = 0;
    for await (const c of process.stdin) {
      n += (c as Buffer).length;
      if (n > MAX_INPUT) throw new UsageError('the JSON on standard input is larger than 16 MB');
      chunks.push(c as Buffer);
    }
    return Buffer.concat(chunks).toString('utf8');
  }
  const text = await readFile(resolve(ctx.cwd, source), 'utf8');
  if (text.length > MAX_INPUT) throw new UsageError(`${source} is larger than 16 MB`);
  return text;
}

/** Parses JSON, naming the line of a syntax error. */
function parseJson(text: string, name: string): unknown {
  try {
    return JSON.parse(text);
  } catch (e) {
    const message = (e as Error).message;
    const pos = /position (\d+)/.exec(message);
    const line = pos === null ? undefined : text.slice(0, Number(pos[1])).split('\n').length;
    throw new UsageError(
      `${name}${line === undefined ? '' : `, line ${line}`}: not JSON: ${message}`,
    );
  }
}

async function withLedger<T>(
  opts: VaultOptions & { asOf?: number },
  ctx: CommandContext,
  f: (ledger: Ledger, vault: Vault) => Promise<T> | T,
): Promise<T> {
  const vault = await Vault.open(vaultDir(ctx, opts), { readonly: true });
  try {
    return await f(readLedger(vault, opts.asOf === undefined ? {} : { upTo: opts.asOf }), vault);
  } finally {
    vault.close();
  }
}

/** Seals `drafts` in one batch; prints each id; returns the ids. */
async function seal(
  drafts: readonly BooksDraft[],
  opts: SealOptions,
  ctx: CommandContext,
  what: string,
): Promise<string[]> {
  const vault = await Vault.open(vaultDir(ctx, opts));
  try {
    const keys = await vault.unlock(await passphrase(ctx));
    const author = recordAuthor(vault, opts.author, ctx);
    const { records, firstIndex } = sealBooks(vault, keys, drafts, { author: author.name });
    for (const r of records) ctx.out(r.id);
    ctx.err(`Sealed ${what} as log entr${records.length === 1 ? 'y' : 'ies'} from ${firstIndex}.`);
    noteAccountAuthor(ctx, author);
    await startCosigning(vault, ctx)?.finish((opts.witnessWait ?? 10) * 1000, false);
    return records.map((r) => r.id);
  } finally {
    vault.close();
  }
}

// --- accounts -----------------------------------------------------------------------------------

/** Options of `tamga books accounts`. */
export interface BooksAccountsOptions extends SealOptions {
  init?: boolean;
  add?: string;
  path?: string;
  type?: string;
  currency?: string;
  fund?: string;
  role?: string;
  member?: string;
  name?: string[];
  close?: string;
  json?: boolean;
  lang?: string;
  input?: string;
}

function accountFromJson(value: unknown, where: string): Account {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new UsageError(`${where}: expected an object with path, type and currency`);
  }
  const v = value as Record<string, unknown>;
  const str = (k: string) => (typeof v[k] === 'string' ? (v[k] as string) : undefined);
  const path = str('path');
  const type = str('type');
  if (path === undefined || type === undefined)
    throw new UsageError(`${where}: path and type are required`);
  const names = v.names;
  return {
    path,
    type: type as AccountType,
    currency: str('currency') ?? 'KGS',
    ...(str('fund') === undefined ? {} : { fund: str('fund') as string }),
    ...(typeof names === 'object' && names !== null
      ? { names: names as Record<string, string> }
      : {}),
    ...(str('description') === undefined ? {} : { description: str('description') as string }),
    ...(str('member') === undefined ? {} : { member: str('member') as string }),
    ...(str('role') === undefined ? {} : { role: str('role') as AccountRole }),
    ...(typeof v.closed === 'boolean' ? { closed: v.closed } : {}),
  };
}

/**
 * Lists the chart of accounts, or changes it: `--init` seals the starting union chart, `--add
 * FILE` seals accounts from JSON, `--path … --type …` one account, `--close PATH` closes one.
 */
export async function booksAccountsCommand(
  opts: BooksAccountsOptions,
  ctx: CommandContext,
): Promise<void> {
  const ledger = await withLedger(opts, ctx, (l) => l);
  const chart = ledger.chart;
  let accounts: Account[] | undefined;
  let what = '';
  if (opts.init) {
    if (chart.size > 0) {
      throw new UsageError(
        `the chart already has ${chart.size} accounts; add or change accounts with --add or --path instead of --init`,
      );
    }
    accounts = unionChartAccounts();
    what = `the starting union chart (${accounts.length} accounts)`;
  } else if (opts.add !== undefined) {
    const text = opts.input ?? (await readInput(opts.add, ctx));
    const value = parseJson(text, opts.add);
    const list = Array.isArray(value) ? value : [value];
    accounts = list.map((v, i) => accountFromJson(v, `account ${i + 1}`));
    what = `${accounts.length} account${accounts.length === 1 ? '' : 's'}`;
  } else if (opts.path !== undefined) {
    if (opts.type === undefined || !(ACCOUNT_TYPES as readonly string[]).includes(opts.type)) {
      throw new UsageError(`--type must be one of ${ACCOUNT_TYPES.join(', ')}`);
    }
    if (opts.role !== undefined && !(ACCOUNT_ROLES as readonly string[]).includes(opts.role)) {
      throw new UsageError(`--role must be one of ${ACCOUNT_ROLES.join(', ')}`);
    }
    const names: Record<string, string> = {};
    for (const n of opts.name ?? []) {
      const m = /^([a-z]{2,3})=(.+)$/.exec(n);
      if (m === null)
        throw new UsageError(`--name ${n}: write LANG=NAME, such as ky=Мүчөлүк төгүмдөр`);
      names[m[1] as string] = m[2] as string;
    }
    accounts = [
      changedAccount(chart.account(opts.path), {
        path: opts.path,
        type: opts.type as AccountType,
        ...(opts.currency === undefined ? {} : { currency: opts.currency }),
        ...(opts.fund === undefined ? {} : { fund: opts.fund }),
        ...(opts.role === undefined ? {} : { role: opts.role as AccountRole }),
        ...(opts.member === undefined ? {} : { member: opts.member }),
        ...(Object.keys(names).length === 0 ? {} : { names }),
      }),
    ];
    what = `account ${opts.path}`;
  } else if (opts.close !== undefined) {
    const old = chart.account(opts.close);
    if (old === undefined) throw new UsageError(`${opts.close} is not in the chart`);
    accounts = [changedAccount(old, { path: old.path, type: old.type, closed: true })];
    what = `the closing of ${opts.close}`;
  }

  if (accounts !== undefined) {
    await seal([accountsDraft(ledger, accounts)], opts, ctx, what);
    return;
  }

  const list = chart.accounts();
  if (opts.json) {
    ctx.out(JSON.stringify(list, null, 2));
    return;
  }
  if (list.length === 0) {
    ctx.err(
      'The chart of accounts is empty: seal the starting union chart with `tamga books accounts --init`.',
    );
    return;
  }
  const lang = opts.lang ?? 'en';
  for (const a of list) {
    const flags = [
      a.currency,
      a.fund ? `fund ${a.fund}` : '',
      a.role ?? '',
      a.closed ? 'closed' : '',
    ]
      .filter((s) => s !== '')
      .join(', ');
    ctx.out(printable(`${a.path}  [${a.type}; ${flags}]  ${chart.name(a.path, lang)}`));
  }
}

// --- add and correct ----------------------------------------------------------------------------

/** Options of `tamga books add` and the replacement of `tamga books correct`. */
export interface EntryOptions {
  json?: string;
  input?: string;
  date?: string;
  description?: string;
  counterparty?: string;
  posting?: string[];
  document?: string[];
  balance?: string[];
}

const POSTING = /^(.+?)(?:\s+([+-]?\d+(?:\.\d+)?)(?:\s+([A-Z]{3}))?)?(?:\s+fund=(.+))?$/;

function postingsFromFlags(lines: readonly string[], ledger: Ledger): Posting[] {
  const out: (Posting | { account: string; currency: string; fund?: string; open: true })[] = [];
  for (const [i, line] of lines.entries()) {
    const m = POSTING.exec(line.trim());
    if (m === null)
      throw new UsageError(`--posting ${i + 1}: write ACCOUNT AMOUNT [CURRENCY] [fund=NAME]`);
    const [, account = '', amount, cur, fund] = m;
    const acc = ledger.chart.account(account);
    const currency = cur ?? acc?.currency ?? 'KGS';
    const f = fund ?? acc?.fund;
    if (amount === undefined)
      out.push({ account, currency, open: true, ...(f === undefined ? {} : { fund: f }) });
    else
      out.push({
        account,
        amount: parseAmount(amount, currency),
        currency,
        ...(f === undefined ? {} : { fund: f }),
      });
  }
  const open = out.filter((p) => 'open' in p);
  if (open.length > 1)
    throw new UsageError(
      'only one --posting may leave out its amount (it takes what balances the others)',
    );
  return out.map((p) => {
    if (!('open' in p)) return p;
    let sum = 0n;
    for (const q of out)
      if (!('open' in q) && q.currency === p.currency && q.fund === p.fund) sum += q.amount;
    return {
      account: p.account,
      amount: -sum,
      currency: p.currency,
      ...(p.fund === undefined ? {} : { fund: p.fund }),
    };
  });
}

/** The JSON text an entry was read from, to name the line of each problem. */
interface JsonSource {
  readonly text: string;
  readonly name: string;
}

/** The JSON Pointer of the part of an entry a problem names ("posting 2 (…): …"), or null. */
function problemPointer(problem: string): string | null {
  const posting = /^posting (\d+)\b/.exec(problem);
  if (posting !== null) return `/postings/${Number(posting[1]) - 1}`;
  const balance = /^balance (\d+)\b/.exec(problem);
  if (balance !== null) return `/assertions/${Number(balance[1]) - 1}`;
  if (/^the postings\b|postings$/.test(problem)) return '/postings';
  if (/^the date\b/.test(problem)) return '/date';
  if (/^the description\b/.test(problem)) return '/description';
  return null;
}

/**
 * Runs `f`, which reads or checks an entry from `source`; a BooksError it throws is thrown again
 * with each problem prefixed by the file and line of the part it names. A shape or amount problem
 * (`books.input`) is a usage error, as a bad flag is.
 */
function located<T>(source: JsonSource | null, f: () => T): T {
  try {
    return f();
  } catch (e) {
    if (!(e instanceof BooksError) || source === null) throw e;
    const lines = jsonValueLines(source.text);
    const problems = e.problems.map((problem) => {
      const pointer = problemPointer(problem);
      const line = pointer === null ? undefined : lines.get(pointer);
      return line === undefined ? problem : `${source.name}, line ${line}: ${problem}`;
    });
    const message = problems.join('\n');
    if (e.code === 'books.input') throw new UsageError(message);
    throw new BooksError(e.code, message, { problems });
  }
}

/** The entry the options give, and the JSON it came from (null for flags). */
async function entryFromOptions(
  opts: EntryOptions,
  ledger: Ledger,
  ctx: CommandContext,
): Promise<{ entry: Transaction | StatementBalance; source: JsonSource | null }> {
  if (opts.json !== undefined) {
    const source = {
      text: opts.input ?? (await readInput(opts.json, ctx)),
      name: opts.json === '-' ? 'standard input' : opts.json,
    };
    const value = parseJson(source.text, source.name);
    return { entry: located(source, () => entryFromJson(value, ledger.chart)), source };
  }
  if (opts.date === undefined || !isFullDate(opts.date))
    throw new UsageError('give --date YYYY-MM-DD, or the transaction as --json FILE');
  const balances = (opts.balance ?? []).map((b, i) => {
    const m = /^(.+?)\s+([+-]?\d+(?:\.\d+)?)(?:\s+([A-Z]{3}))?$/.exec(b.trim());
    if (m === null) throw new UsageError(`--balance ${i + 1}: write ACCOUNT AMOUNT [CURRENCY]`);
    const account = m[1] as string;
    const currency = m[3] ?? ledger.chart.account(account)?.currency ?? 'KGS';
    return { account, amount: parseAmount(m[2] as string, currency), currency };
  });
  if ((opts.posting ?? []).length === 0) {
    if (balances.length === 0)
      throw new UsageError('give the postings with --posting "ACCOUNT AMOUNT" (at least two)');
    return {
      entry: {
        date: opts.date,
        ...(opts.description === undefined ? {} : { description: opts.description }),
        assertions: balances,
        documents: opts.document ?? [],
      },
      source: null,
    };
  }
  if (opts.description === undefined) throw new UsageError('give --description');
  const entry: Transaction = {
    date: opts.date,
    description: opts.description,
    ...(opts.counterparty === undefined ? {} : { counterparty: opts.counterparty }),
    postings: postingsFromFlags(opts.posting ?? [], ledger),
    ...(balances.length > 0 ? { assertions: balances } : {}),
    documents: opts.document ?? [],
  };
  return { entry, source: null };
}

/** `tamga books add`: validates one transaction (or statement balances) against the chart and seals it. */
export async function booksAddCommand(
  opts: EntryOptions & SealOptions,
  ctx: CommandContext,
): Promise<string> {
  const ledger = await withLedger(opts, ctx, (l) => l);
  const { entry, source } = await entryFromOptions(opts, ledger, ctx);
  const draft = located(source, () => entryDraft(entry, ledger.chart));
  const [id] = await seal([draft], opts, ctx, 'the transaction');
  return id as string;
}

/** Options of `tamga books correct`. */
export interface BooksCorrectOptions extends EntryOptions, SealOptions {
  reason?: string;
  void?: boolean;
}

/**
 * `tamga books correct ID`: seals a correction that reverses ID (a transaction, or the latest
 * correction of one) and posts the replacement given like `books add`, or nothing with --void.
 */
export async function booksCorrectCommand(
  id: string,
  opts: BooksCorrectOptions,
  ctx: CommandContext,
): Promise<string> {
  if (opts.reason === undefined || opts.reason.trim() === '') {
    throw new UsageError(
      'give --reason: say why the entry was wrong (it is sealed with the correction)',
    );
  }
  const ledger = await withLedger(opts, ctx, (l) => l);
  const hasReplacement =
    opts.json !== undefined || (opts.posting ?? []).length > 0 || (opts.balance ?? []).length > 0;
  if (opts.void === true && hasReplacement)
    throw new UsageError('--void reverses only; leave out the replacement, or leave out --void');
  if (opts.void !== true && !hasReplacement) {
    throw new UsageError(
      'give the replacement (--json FILE, or --date/--description/--posting), or --void to reverse only',
    );
  }
  const given = opts.void === true ? null : await entryFromOptions(opts, ledger, ctx);
  let draft: BooksDraft;
  try {
    const reason = opts.reason;
    draft = located(given?.source ?? null, () =>
      correctionOf(ledger, id, reason, given?.entry, 'required'),
    );
  } catch (e) {
    if (!(e instanceof BooksError)) throw e;
    if (e.code === 'books.unknown-entry') {
      throw new UsageError(
        `${e.message}; find ids with \`tamga books report register --account ACCOUNT\``,
      );
    }
    if (e.code === 'books.superseded') throw new UsageError(e.message);
    throw e;
  }
  const [sealed] = await seal(
    [draft],
    opts,
    ctx,
    `the correction of ${(draft.body as { corrects: string }).corrects}`,
  );
  return sealed as string;
}

// --- report and export --------------------------------------------------------------------------

/** Options of `tamga books report`. */
export interface BooksReportOptions extends VaultOptions {
  from?: string;
  to?: string;
  account?: string;
  lang?: string;
  json?: boolean;
  csv?: boolean;
  asOf?: number;
}

function checkDate(value: string | undefined, flag: string): void {
  if (value !== undefined && !isFullDate(value))
    throw new UsageError(`${flag} ${value}: write a date such as 2025-03-01`);
}

/** `tamga books report KIND`: prints the report as text, CSV or JSON. Resolves to its notes. */
export async function booksReportCommand(
  kind: string,
  opts: BooksReportOptions,
  ctx: CommandContext,
): Promise<readonly string[]> {
  if (!(REPORT_KINDS as readonly string[]).includes(kind)) {
    throw new UsageError(`the report must be one of ${REPORT_KINDS.join(', ')}`);
  }
  checkDate(opts.from, '--from');
  checkDate(opts.to, '--to');
  if (opts.json && opts.csv) throw new UsageError('choose one of --json and --csv');
  if (kind === 'register' && opts.account === undefined)
    throw new UsageError('the register needs --account ACCOUNT');
  return withLedger(opts, ctx, (ledger) => {
    const report = buildReport(ledger, kind as ReportKind, {
      ...(opts.from === undefined ? {} : { from: opts.from }),
      ...(opts.to === undefined ? {} : { to: opts.to }),
      ...(opts.account === undefined ? {} : { account: opts.account }),
      ...(opts.lang === undefined ? {} : { language: opts.lang }),
    });
    const text = opts.json ? reportJson(report) : opts.csv ? reportCsv(report) : reportText(report);
    ctx.out(text.replace(/\r?\n$/, ''));
    return report.notes;
  });
}

/** Options of `tamga books export`. */
export interface BooksExportOptions extends VaultOptions {
  format?: string;
  output?: string;
  asOf?: number;
}

/** `tamga books export`: writes the journal or beancount file; resolves to the warnings. */
export async function booksExportCommand(
  opts: BooksExportOptions,
  ctx: CommandContext,
): Promise<readonly string[]> {
  const format = opts.format ?? 'hledger';
  if (!['hledger', 'ledger', 'beancount'].includes(format)) {
    throw new UsageError('--format must be hledger, ledger or beancount');
  }
  return withLedger(opts, ctx, async (ledger) => {
    const result = format === 'beancount' ? exportBeancount(ledger) : exportJournal(ledger);
    if (opts.output === undefined || opts.output === '-') ctx.out(result.text.replace(/\n$/, ''));
    else {
      await writeFileDurably(resolve(ctx.cwd, opts.output), result.text);
      ctx.err(`Wrote ${ledger.entries.length} entries to ${opts.output} (${format}).`);
    }
    for (const w of result.warnings) ctx.err(printable(`tamga: ${w}`));
    for (const p of ledger.problems) ctx.err(printable(`tamga: note: ${p.record}: ${p.message}`));
    return result.warnings;
  });
}

/** `tamga books property`: the property register. */
export async function booksPropertyCommand(
  opts: VaultOptions & { json?: boolean },
  ctx: CommandContext,
): Promise<void> {
  const vault = await Vault.open(vaultDir(ctx, opts), { readonly: true });
  try {
    const { items, orphans } = readPropertyRegister(vault);
    if (opts.json) {
      ctx.out(
        JSON.stringify(items, (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v), 2),
      );
      return;
    }
    if (items.length === 0)
      ctx.err('No property registered: seal assets with `tamga add --kind asset --json FILE`.');
    for (const it of items) {
      const value =
        it.valuation === undefined
          ? ''
          : `, valued ${formatAmount(it.valuation.amount, it.valuation.currency)} ${it.valuation.currency}`;
      const state = it.disposed
        ? ', disposed'
        : it.transferredTo === undefined
          ? ''
          : `, transferred to ${it.transferredTo}`;
      ctx.out(printable(`${it.record}  ${it.name} (${it.category})${value}${state}`));
      for (const e of it.events) {
        const t =
          e.transfer === undefined
            ? ''
            : ` to ${e.transfer.to} by ${e.transfer.decision}${e.transfer.agreement ? `, agreement ${e.transfer.agreement}` : ''}`;
        ctx.out(printable(`    ${e.date ?? ''} ${e.event}${t}  [${e.record}]`));
      }
      if (it.titleDocuments.length > 0)
        ctx.out(`    title documents: ${it.titleDocuments.join(' ')}`);
      for (const c of it.corrections)
        ctx.out(printable(`    corrected by ${c.record}: ${c.reason}`));
    }
    for (const o of orphans)
      ctx.err(
        `tamga: note: asset record ${o} names an asset that is not registered, or a bad valuation`,
      );
  } finally {
    vault.close();
  }
}

/** Options of `tamga books property add`. */
export interface PropertyAddOptions extends SealOptions {
  json?: string;
  /** The JSON itself (tests), instead of reading `json`. */
  input?: string;
  asset?: string;
  event?: string;
  name?: string;
  category?: string;
  description?: string;
  date?: string;
  location?: string;
  registration?: string;
  account?: string;
  value?: string;
  basis?: string;
  titleDocument?: string[];
  to?: string;
  decision?: string;
  decisionRecord?: string;
  agreement?: string;
}

/**
 * The property change the flags of `books property add` describe. An event may leave out the
 * name and category: `registered` gives those of the asset.
 */
function propertyFromFlags(
  o: PropertyAddOptions,
  registered: (id: string) => { name: string; category: string } | undefined,
): PropertyChange {
  const item = o.asset === undefined ? undefined : registered(o.asset);
  if (o.asset !== undefined && item === undefined) {
    throw new UsageError(
      `${o.asset} is not the record that registered an asset; \`tamga books property\` lists them`,
    );
  }
  const name = o.name ?? item?.name;
  const category = o.category ?? item?.category;
  if (name === undefined || category === undefined) {
    throw new UsageError(
      'give --name and --category (such as --category sanatorium), or --json FILE',
    );
  }
  if (o.event !== undefined && !(ASSET_EVENTS as readonly string[]).includes(o.event)) {
    throw new UsageError(`--event must be one of ${ASSET_EVENTS.join(', ')}`);
  }
  checkDate(o.date, '--date');
  let valuation: PropertyChange['valuation'];
  if (o.value !== undefined) {
    const m = /^(\S+)(?:\s+([A-Z]{3}))?$/.exec(o.value.trim());
    if (m === null)
      throw new UsageError(
        `--value ${o.value}: write AMOUNT [CURRENCY], such as "12500000.00 KGS"`,
      );
    valuation = {
      amount: m[1]!,
      currency: m[2] ?? 'KGS',
      ...(o.basis === undefined ? {} : { basis: o.basis }),
    };
  }
  if ((o.decision === undefined) !== (o.to === undefined)) {
    throw new UsageError(
      'a transfer needs both --to (who received it) and --decision (by what decision)',
    );
  }
  return {
    name,
    category,
    ...(o.description === undefined ? {} : { description: o.description }),
    ...(o.asset === undefined ? {} : { asset: o.asset }),
    ...(o.event === undefined ? {} : { event: o.event as PropertyChange['event'] }),
    ...(o.date === undefined ? {} : { date: o.date }),
    ...(o.location === undefined ? {} : { location: o.location }),
    ...(o.registration === undefined ? {} : { registration: o.registration }),
    ...(o.account === undefined ? {} : { account: o.account }),
    ...(valuation === undefined ? {} : { valuation }),
    ...(o.titleDocument === undefined ? {} : { titleDocuments: o.titleDocument }),
    ...(o.to === undefined || o.decision === undefined
      ? {}
      : {
          transfer: {
            to: o.to,
            decision: o.decision,
            ...(o.decisionRecord === undefined ? {} : { decisionRecord: o.decisionRecord }),
            ...(o.agreement === undefined ? {} : { agreement: o.agreement }),
          },
        }),
  };
}

/**
 * `tamga books property add`: registers an asset (land, a building, a sanatorium, a vehicle)
 * with its title documents and valuation, or seals an event of a registered one (`--asset ID
 * --event valuation|transfer|disposal|update`). Returns the record's id.
 */
export async function booksPropertyAddCommand(
  opts: PropertyAddOptions,
  ctx: CommandContext,
): Promise<string> {
  const draft = await withLedger(opts, ctx, async (ledger, vault) => {
    let change: PropertyChange;
    if (opts.json !== undefined || opts.input !== undefined) {
      const name = opts.json ?? 'the JSON';
      const value = parseJson(opts.input ?? (await readInput(opts.json!, ctx)), name);
      if (typeof value !== 'object' || value === null || Array.isArray(value)) {
        throw new UsageError(`${name}: expected a JSON object {name, category, …}`);
      }
      change = value as PropertyChange;
    } else {
      change = propertyFromFlags(opts, (id) =>
        readPropertyRegister(vault).items.find((it) => it.record === id),
      );
    }
    return propertyDraft(vault, ledger.chart, change);
  });
  const body = draft.body as PropertyChange;
  const [id] = await seal(
    [draft],
    opts,
    ctx,
    `${body.event ?? 'the registration'} of ${body.name}`,
  );
  return id!;
}

// --- wiring -------------------------------------------------------------------------------------

const collect = (value: string, previous: string[] = []) => [...previous, value];

function entryOptions(c: Command): Command {
  return c
    .option(
      '--json <file>',
      'the transaction as JSON (- for standard input): {date, description, counterparty, postings: [{account, amount: "1250.00", currency, fund}], documents: [ids]}',
    )
    .option('--date <date>', 'the date, YYYY-MM-DD')
    .option('--description <text>', 'what it was')
    .option('--counterparty <name>', 'who paid or was paid')
    .option(
      '--posting <posting>',
      '"ACCOUNT AMOUNT [CURRENCY] [fund=NAME]"; one may leave out AMOUNT to balance (repeatable)',
      collect,
    )
    .option(
      '--balance <balance>',
      '"ACCOUNT AMOUNT [CURRENCY]": a statement balance at the end of the day (repeatable)',
      collect,
    )
    .option('--document <id>', 'a sealed document record the entry rests on (repeatable)', collect);
}

/** Adds `books` and its subcommands to `program`. */
export function addBooksCommands(
  program: Command,
  ctx: CommandContext,
  setExit: (code: number) => void,
  vaultOption: () => Option,
): void {
  const books = program
    .command('books')
    .description(
      'the union’s double-entry books, sealed: accounts, transactions, corrections, reports and exports',
    )
    .addHelpText(
      'after',
      `
Start: tamga books accounts --init          seal the starting union chart (English, Russian, Kyrgyz)
       tamga books add --date 2025-01-10 --description "Dues, December" \\
         --posting "Assets:Bank:KGS 1250.00" --posting "Income:Membership dues"
       tamga books report trial-balance --from 2025-01-01 --to 2025-12-31
       tamga books export --format beancount -o books.beancount`,
    );
  const authorOption = () =>
    new Option('--author <name>', 'who seals (default: $TAMGA_AUTHOR, else the user name)');
  const waitOption = () =>
    new Option('--witness-wait <seconds>', 'seconds to give the witnesses to cosign before exiting')
      .argParser((v) => positiveInteger(String(Number(v) + 1)) - 1)
      .default(10);
  const asOfOption = () =>
    new Option(
      '--as-of <size>',
      'the books as they stood at this log size (records sealed before it)',
    ).argParser(positiveInteger);

  books
    .command('accounts')
    .description('list the chart of accounts, or seal changes to it')
    .addOption(vaultOption())
    .option('--init', 'seal the starting union chart of accounts')
    .option(
      '--add <file>',
      'seal accounts from JSON: [{path, type, currency, fund, names: {en, ru, ky}, role, member}]',
    )
    .option('--path <account>', 'seal one account (with --type)')
    .addOption(new Option('--type <type>', 'its type').choices([...ACCOUNT_TYPES]))
    .option('--currency <code>', 'its currency (ISO 4217; default KGS)')
    .option('--fund <fund>', 'the fund its postings belong to by default')
    .addOption(new Option('--role <role>', 'what the books use it for').choices([...ACCOUNT_ROLES]))
    .option('--member <name>', 'the member organisation whose dues it receives')
    .option('--name <lang=name>', 'its name in a language, such as ru=Касса (repeatable)', collect)
    .option('--close <account>', 'seal the closing of an account')
    .option('--lang <lang>', 'the language of names in the list (en, ru, ky)', 'en')
    .option('--json', 'the chart as JSON')
    .addOption(authorOption())
    .addOption(waitOption())
    .action(async (o: BooksAccountsOptions) => {
      await booksAccountsCommand(o, ctx);
    });

  entryOptions(
    books
      .command('add')
      .description(
        'validate a transaction against the chart (balanced per currency and fund) and seal it',
      )
      .addOption(vaultOption()),
  )
    .addOption(authorOption())
    .addOption(waitOption())
    .action(async (o: EntryOptions & SealOptions) => {
      await booksAddCommand(o, ctx);
    });

  entryOptions(
    books
      .command('correct')
      .argument('<id>', 'the transaction (or its latest correction) to correct')
      .description(
        'seal a correction that reverses a transaction and posts its replacement; the original stays',
      )
      .addOption(vaultOption())
      .option('--reason <text>', 'why the entry was wrong (required)')
      .option('--void', 'reverse only, with no replacement'),
  )
    .addOption(authorOption())
    .addOption(waitOption())
    .action(async (id: string, o: BooksCorrectOptions) => {
      await booksCorrectCommand(id, o, ctx);
    });

  books
    .command('report')
    .argument('<kind>', REPORT_KINDS.join(', '))
    .description(
      'a report over a period; every row names the sealed records behind it (--json, --csv)',
    )
    .addOption(vaultOption())
    .option('--from <date>', 'the first day, YYYY-MM-DD')
    .option('--to <date>', 'the last day, YYYY-MM-DD')
    .option('--account <account>', 'for register: the account (subaccounts included)')
    .option('--lang <lang>', 'the language of account names (en, ru, ky)')
    .option('--json', 'as JSON')
    .option('--csv', 'as CSV')
    .addOption(asOfOption())
    .action(async (kind: string, o: BooksReportOptions) => {
      const notes = await booksReportCommand(kind, o, ctx);
      setExit(notes.some((n) => /do not balance|differ from/.test(n)) ? 1 : 0);
    });

  books
    .command('export')
    .description(
      'write the books as an hledger/ledger journal or a beancount file, with statement balances as assertions',
    )
    .addOption(vaultOption())
    .addOption(
      new Option('--format <format>', 'the format')
        .choices(['hledger', 'ledger', 'beancount'])
        .default('hledger'),
    )
    .option('-o, --output <file>', 'the file to write (default: standard output)')
    .addOption(asOfOption())
    .action(async (o: BooksExportOptions) => {
      const warnings = await booksExportCommand(o, ctx);
      setExit(warnings.length > 0 ? 1 : 0);
    });

  const property = books
    .command('property')
    .description(
      'the property register: land, buildings, sanatoriums, vehicles, with valuations and transfers',
    );
  property
    .command('list', { isDefault: true })
    .description('list the register (the default)')
    .addOption(vaultOption())
    .option('--json', 'as JSON')
    .action(async (o: VaultOptions & { json?: boolean }) => {
      await booksPropertyCommand(o, ctx);
    });
  property
    .command('add')
    .description(
      'register an asset, or seal an event of one (--asset ID --event valuation|transfer|disposal|update)',
    )
    .addHelpText(
      'after',
      `
Examples:
  tamga books property add --name "Санаторий «Ысык-Көл»" --category sanatorium \\
      --location Чолпон-Ата --value "12500000.00 KGS" --title-document 01J…
  tamga books property add --asset 01J… --event valuation --date 2025-06-30 --value "14000000 KGS" --basis "independent appraisal"
  tamga books property add --asset 01J… --event transfer --date 2025-03-01 \\
      --to "ОсОО Курорт" --decision "Council decision No. 7 of 2025-02-20" --agreement 01J…
  tamga books property add --json asset.json   (the asset record's body: name, category, …)`,
    )
    .option('--json <file>', 'the asset as JSON (- for standard input)')
    .option('--asset <id>', 'the registered asset an event is about')
    .option('--event <event>', ASSET_EVENTS.join(', '))
    .option('--name <name>', 'what it is (for an event: taken from the asset when left out)')
    .option('--category <category>', 'land, building, sanatorium, resort, vehicle, …')
    .option('--description <text>', 'more about it')
    .option('--date <date>', 'the date of the event, YYYY-MM-DD')
    .option('--location <place>', 'where it is')
    .option('--registration <number>', 'a cadastral, land-registry or vehicle number')
    .option('--account <account>', 'the books account that carries it')
    .option('--value <amount>', 'a valuation: "AMOUNT [CURRENCY]" (default KGS)')
    .option('--basis <text>', 'the basis of the valuation')
    .option('--title-document <id>', 'a sealed document proving title (repeatable)', collect)
    .option('--to <whom>', 'for a transfer: who received it')
    .option('--decision <text>', 'for a transfer: the decision, in words')
    .option('--decision-record <id>', 'for a transfer: the sealed decision')
    .option('--agreement <id>', 'for a transfer: the sealed agreement or act of transfer')
    .addOption(vaultOption())
    .addOption(authorOption())
    .addOption(waitOption())
    .action(async (o: PropertyAddOptions) => {
      await booksPropertyAddCommand(o, ctx);
    });

  // --- import and diff (src/cli/books-import.ts): `books import FILE`, `books diff FILE` ---
  addBooksImportCommands(books, ctx, setExit, vaultOption);
}
