/**
 * The bodies of book-keeping records (issue 6): double-entry entries, statement balances and
 * changes to the chart of accounts, all sealed as `transaction` records with `"books": 1`, and
 * the `replacement` a `correction` may carry. A `transaction` body without `"books"` is any
 * bounded JSON object, as before, so that records sealed before the books existed stay valid.
 *
 * Amounts are decimal strings (`"1250.00"`, `"-0.50"`): JSON numbers are binary floating point.
 * The gate checks here are those that need no currency table: shape, bounds, and that the
 * postings of an entry sum to zero per currency and fund. src/books/model.ts adds the ISO 4217
 * checks (a known code, no more decimals than the currency has).
 */
import { z } from 'zod';
import {
  boundedJsonObject,
  optionalText,
  RECORD_LIMITS,
  recordId,
  shortTextList,
  text,
} from './fields.js';
import { isFullDate } from './time.js';

const SHORT = RECORD_LIMITS.maxShortText;
const LONG = RECORD_LIMITS.maxLongText;

/** The version of the books bodies, written as `"books": 1`. */
export const BOOKS_VERSION = 1;

/** A signed decimal with at most 18 integer and 4 fraction digits, as amounts are written. */
export const DECIMAL_AMOUNT = /^-?(?:0|[1-9]\d{0,17})(?:\.\d{1,4})?$/;

/** Three upper-case letters, the shape of an ISO 4217 alphabetic code. */
export const CURRENCY_CODE = /^[A-Z]{3}$/;

/**
 * One component of an account path: starts with a letter or digit, then letters, marks,
 * digits, single spaces and `-_.,&'’/№+()«»`; no control characters, no colon, no two spaces in
 * a row (hledger ends an account name at two spaces), no space at either end.
 */
const ACCOUNT_COMPONENT = /^[\p{L}\p{N}](?:[\p{L}\p{M}\p{N}_.,&'’/№+()«»-]| (?! ))*(?<! )$/u;

/** The most components an account path may have. */
export const MAX_ACCOUNT_DEPTH = 10;
/** The longest account path, in characters. */
export const MAX_ACCOUNT_PATH = 256;

/** Returns what is wrong with an account path such as `Assets:Bank:KGS`, or null. */
export function accountPathProblem(path: string): string | null {
  if (path.length > MAX_ACCOUNT_PATH) return `is longer than ${MAX_ACCOUNT_PATH} characters`;
  const parts = path.split(':');
  if (parts.length > MAX_ACCOUNT_DEPTH) return `has more than ${MAX_ACCOUNT_DEPTH} components`;
  for (const part of parts) {
    if (!ACCOUNT_COMPONENT.test(part)) {
      return `has the component ${JSON.stringify(part)}; each component between colons starts with a letter or digit and holds letters, digits, single spaces and -_.,&'’/№+()«» only`;
    }
  }
  return null;
}

/** An account path: components separated by colons (`Assets:Bank:KGS`, `Активы:Банк`). */
export const accountPath = z.string().superRefine((path, ctx) => {
  const problem = accountPathProblem(path);
  if (problem !== null) ctx.addIssue({ code: 'custom', message: problem });
});

const amount = z.string().regex(DECIMAL_AMOUNT, {
  error: 'is not a decimal amount such as "1250.00" or "-0.5" (a string, with a point)',
});
const currency = z.string().regex(CURRENCY_CODE, {
  error: 'is not an ISO 4217 currency code such as "KGS"',
});
const fullDate = z.string().refine(isFullDate, { error: 'is not a date such as 2025-03-01' });
const fund = text(SHORT);

/** One posting of an entry: an amount in one currency to one account, optionally of a fund. */
const posting = z.strictObject({
  account: accountPath,
  amount,
  currency,
  fund: fund.optional(),
  memo: text(SHORT).optional(),
});

/** A balance an account had at the end of a day, as a bank statement states it. */
const assertion = z.strictObject({
  account: accountPath,
  amount,
  currency,
});

/** Where an entry came from: the sealed statement (a `document` record) and its line. */
const source = z.strictObject({
  statement: recordId,
  /** 1-based line (or section, or entry) of the statement that holds the transaction. */
  line: z.int().min(1).max(Number.MAX_SAFE_INTEGER),
  /** The bank's own reference for the line, used to recognise it in a later statement. */
  ref: text(SHORT).optional(),
});

const meta = z
  .record(text(SHORT), optionalText(SHORT))
  .refine((m) => Object.keys(m).length <= RECORD_LIMITS.maxMetaEntries, {
    error: `has too many entries: at most ${RECORD_LIMITS.maxMetaEntries}`,
  });

const MAX_POSTINGS = 4096;

/** A double-entry transaction. Postings sum to zero per currency and per fund. */
export const booksEntryBody = z
  .strictObject({
    books: z.literal(BOOKS_VERSION),
    type: z.literal('entry'),
    date: fullDate,
    description: text(LONG),
    counterparty: text(SHORT).optional(),
    postings: z.array(posting).min(2).max(MAX_POSTINGS),
    /** Balances at the end of `date`, after this and every other entry of that day. */
    assertions: z.array(assertion).max(MAX_POSTINGS).optional(),
    source: source.optional(),
    tags: shortTextList.optional(),
    meta: meta.optional(),
  })
  .superRefine((body, ctx) => {
    for (const problem of imbalances(body.postings)) {
      ctx.addIssue({ code: 'custom', path: ['postings'], message: problem });
    }
  });

/** Statement balances with no posting: an opening or closing balance of a bank account. */
export const booksBalanceBody = z.strictObject({
  books: z.literal(BOOKS_VERSION),
  type: z.literal('balance'),
  date: fullDate,
  description: text(LONG).optional(),
  assertions: z.array(assertion).min(1).max(MAX_POSTINGS),
  source: source.optional(),
});

/**
 * Roles an account can play: `dues` receives membership dues, `dues-share` the share passed on
 * to the sectoral committee or federation, `opening-balances` the other side of balances brought
 * forward (and of a first imported statement), `suspense` what an import could not classify,
 * `fund-transfers` moves between funds, `conversion` the other side of currency exchange.
 */
export const ACCOUNT_ROLES = [
  'dues',
  'dues-share',
  'opening-balances',
  'suspense',
  'fund-transfers',
  'conversion',
] as const;

/** An account as the chart declares it. */
const accountEntry = z.strictObject({
  path: accountPath,
  type: z.enum(['assets', 'liabilities', 'equity', 'income', 'expenses']),
  currency,
  /** The fund its postings belong to unless a posting names another. */
  fund: fund.optional(),
  /** Display names by language (`en`, `ru`, `ky`, …). */
  names: z
    .record(
      z.string().regex(/^[a-z]{2,3}$/, { error: 'is not a language code such as "ky"' }),
      text(SHORT),
    )
    .optional(),
  description: text(LONG).optional(),
  /** The member organisation whose dues the account receives (dues report). */
  member: text(SHORT).optional(),
  /** What the books use the account for; see ACCOUNT_ROLES. */
  role: z.enum(ACCOUNT_ROLES).optional(),
  /** A closed account takes no new postings. */
  closed: z.boolean().optional(),
});

/**
 * Accounts added to the chart or changed: each account replaces any earlier one with the same
 * path. The chart is all such records folded in log order.
 */
export const booksAccountsBody = z.strictObject({
  books: z.literal(BOOKS_VERSION),
  type: z.literal('accounts'),
  description: text(LONG).optional(),
  accounts: z.array(accountEntry).min(1).max(MAX_POSTINGS),
});

/** Any books body. */
export const booksBody = z.discriminatedUnion('type', [
  booksEntryBody,
  booksBalanceBody,
  booksAccountsBody,
]);

/**
 * A transaction body: a books body when it says `"books"`, otherwise any bounded JSON object
 * (what transactions were before the books). For the type and for callers that want one
 * schema; `transactionBodySchema` picks the branch, so that errors name the fields at fault.
 */
export const transactionBody = z.union([booksBody, boundedJsonObject]);

/** Returns the schema a transaction body is checked against: books when it names `"books"`. */
export function transactionBodySchema(body: unknown): z.ZodType {
  return typeof body === 'object' && body !== null && !Array.isArray(body) && 'books' in body
    ? booksBody
    : boundedJsonObject;
}

/** What a correction puts in place of what it corrects: an entry or statement balances. */
export const replacementBody = z.discriminatedUnion('type', [booksEntryBody, booksBalanceBody]);

/** One posting as sealed. */
export type PostingBody = z.infer<typeof posting>;
/** One statement balance as sealed. */
export type AssertionBody = z.infer<typeof assertion>;
/** The source of an imported entry as sealed. */
export type SourceBody = z.infer<typeof source>;
/** An entry as sealed. */
export type BooksEntryBody = z.infer<typeof booksEntryBody>;
/** Statement balances as sealed. */
export type BooksBalanceBody = z.infer<typeof booksBalanceBody>;
/** An account as sealed. */
export type AccountBody = z.infer<typeof accountEntry>;
/** Chart changes as sealed. */
export type BooksAccountsBody = z.infer<typeof booksAccountsBody>;
/** Any books body. */
export type BooksBody = z.infer<typeof booksBody>;

/** Returns the decimal `s` as an integer scaled by 10^4, with no rounding (it has ≤ 4 decimals). */
function scaled(s: string): bigint {
  const negative = s.startsWith('-');
  const [int = '0', frac = ''] = (negative ? s.slice(1) : s).split('.');
  const v = BigInt(int) * 10_000n + BigInt(frac.padEnd(4, '0') || '0');
  return negative ? -v : v;
}

/**
 * Returns a message for each currency and fund whose postings do not sum to zero. Postings
 * whose amount or currency is malformed are skipped: the schema reports them.
 */
export function imbalances(postings: readonly PostingBody[]): string[] {
  const sums = new Map<string, bigint>();
  for (const p of postings) {
    if (!DECIMAL_AMOUNT.test(p.amount) || !CURRENCY_CODE.test(p.currency)) continue;
    const key = `${p.currency}\u0000${p.fund ?? ''}`;
    sums.set(key, (sums.get(key) ?? 0n) + scaled(p.amount));
  }
  const out: string[] = [];
  for (const [key, sum] of sums) {
    if (sum === 0n) continue;
    const [cur, f] = key.split('\u0000') as [string, string];
    const abs = sum < 0n ? -sum : sum;
    const whole =
      `${sum < 0n ? '-' : ''}${abs / 10_000n}.${(abs % 10_000n).toString().padStart(4, '0')}`.replace(
        /\.?0+$/,
        '',
      );
    out.push(
      `do not balance in ${cur}${f ? ` for fund ${JSON.stringify(f)}` : ''}: they sum to ${whole} ${cur}, not 0`,
    );
  }
  return out;
}
