/**
 * bench/books-import: importing a 1C Client-Bank statement of 100,000 lines (Windows-1251,
 * CRLF, one account) into a fresh vault's books, as `tamga books import` does: read and decode
 * the file, parse and check it whole, plan (identities, suggestions learned from 1,000 earlier
 * entries, balance checks), build and check every record, store the file as an encrypted blob,
 * and append everything in one batch with one signed checkpoint. Then the same file again: every
 * line is recognised as already imported and nothing is sealed. Last, `books diff` of two
 * presented ledgers against the sealed books: one with a few lines missing, added and altered,
 * and one whose every date is a day later with no document numbers (all by best match).
 *
 * Phases are timed apart (parse alone, plan alone) and as the whole import. There is no peer
 * that imports 1C files into a Merkle log; the parse rate is the figure to compare with other
 * statement importers. `node --import tsx bench/books-import.ts [--quick] [--lines=N]`.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { diffPresented } from '../src/books/diff/sealed.js';
import { parse1C } from '../src/books/import/onec.js';
import { write1C } from '../src/books/import/onec-write.js';
import { planImport } from '../src/books/import/plan.js';
import type { Account, Transaction } from '../src/books/model.js';
import { accountsBody, transactionDraft } from '../src/books/model.js';
import { importStatementFile } from '../src/books/statements.js';
import { installNodeCrypto } from '../src/platform/node-crypto.js';
import { commitCanonical } from '../src/records/commitment.js';
import { newRecordId } from '../src/records/id.js';
import { parseRecordCanonical } from '../src/records/record.js';
import { Vault } from '../src/vault/vault.js';
import { describeMachine, freshDir, PASSPHRASE, Prng, printTable, rel } from './work.js';

export interface BooksImportBenchOptions {
  readonly lines: number;
  readonly examples: number;
}

export const defaultBooksImportBench: BooksImportBenchOptions = { lines: 100_000, examples: 1_000 };
export const quickBooksImportBench: BooksImportBenchOptions = { lines: 5_000, examples: 100 };

const ACCOUNT = '40703810500000001234';
const PARTIES = [
  ['ООО "Завод Металлист"', 'Членские профсоюзные взносы за', 'Income:Dues'],
  ['МУП "Горводоканал"', 'Перечисление профсоюзных взносов', 'Income:Dues'],
  ['АО "АЛЬФА-БАНК"', 'Комиссия за ведение счета', 'Expenses:Bank fees'],
  ['УФК по г. Москве', 'НДФЛ с заработной платы', 'Expenses:Taxes'],
  ['Иванова М. П.', 'Материальная помощь члену профсоюза', 'Expenses:Solidarity'],
  ['ООО "Санаторий Иссык-Куль"', 'Путевки для членов профсоюза', 'Expenses:Solidarity'],
] as const;

function seconds(start: bigint): number {
  return Number(process.hrtime.bigint() - start) / 1e9;
}

/** Runs the benchmark and prints its table. */
export async function runBooksImportBench(o: BooksImportBenchOptions): Promise<void> {
  installNodeCrypto();
  const dir = freshDir('books-import');
  mkdirSync(dir, { recursive: true });
  const rng = new Prng(6);
  const day = (i: number) => {
    const d = new Date(Date.UTC(2020, 0, 1) + Math.floor((i * 1461) / o.lines) * 86_400_000);
    return d.toISOString().slice(0, 10);
  };
  let balance = 0n;
  const payments = Array.from({ length: o.lines }, (_, i) => {
    const p = PARTIES[rng.u32() % PARTIES.length]!;
    const cents = BigInt((rng.u32() % 5_000_000) + 1);
    const out = p[2].startsWith('Expenses');
    balance += out ? -cents : cents;
    const amount = `${out ? '-' : ''}${cents / 100n}.${(cents % 100n).toString().padStart(2, '0')}`;
    return {
      bankAccount: ACCOUNT,
      date: day(i),
      amount,
      number: String(i + 1),
      counterparty: p[0],
      counterpartyAccount: `4070281000000000${String(rng.u32() % 10_000).padStart(4, '0')}`,
      purpose: `${p[1]} ${day(i).slice(0, 7)}, документ ${i + 1}`,
    };
  });
  // The statement opens where the earlier entries left the account, so its balances agree.
  const opening = Array.from({ length: o.examples }, (_, i) =>
    PARTIES[i % PARTIES.length]![2].startsWith('Expenses') ? -100n : 100n,
  ).reduce((a, b) => a + b, 0n);
  const closing = opening + balance;
  const fmt = (n: bigint) =>
    `${n < 0n ? '-' : ''}${(n < 0n ? -n : n) / 100n}.${((n < 0n ? -n : n) % 100n).toString().padStart(2, '0')}`;
  const to = day(o.lines - 1);
  const file = join(dir, 'statement.txt');
  const bytes = write1C({
    from: '2020-01-01',
    to,
    sections: [
      { account: ACCOUNT, from: '2020-01-01', to, opening: fmt(opening), closing: fmt(closing) },
    ],
    payments,
  });
  writeFileSync(file, bytes);

  const vault = await Vault.init(join(dir, 'vault'), {
    origin: 'bench.example/books',
    passphrase: PASSPHRASE,
    logN: 10,
  });
  const keys = await vault.unlock(PASSPHRASE);
  const chart: Account[] = [
    { path: 'Assets:Bank:RUB', type: 'assets', currency: 'RUB' },
    ...['Income:Dues', 'Expenses:Bank fees', 'Expenses:Taxes', 'Expenses:Solidarity'].map(
      (path): Account => ({
        path,
        type: path.startsWith('Income') ? 'income' : 'expenses',
        currency: 'RUB',
      }),
    ),
  ];
  // Earlier choices the suggestions learn from, dated before the statement.
  const earlier: Transaction[] = Array.from({ length: o.examples }, (_, i) => {
    const p = PARTIES[i % PARTIES.length]!;
    const out = p[2].startsWith('Expenses');
    return {
      date: '2019-12-01',
      description: `${p[1]} 2019`,
      counterparty: p[0],
      postings: [
        { account: 'Assets:Bank:RUB', amount: out ? -100n : 100n, currency: 'RUB' },
        { account: p[2], amount: out ? 100n : -100n, currency: 'RUB' },
      ],
      documents: [],
    };
  });
  const seal = (bodies: unknown[]) =>
    vault.sequencer(keys).append(
      bodies.map((body) => {
        const id = newRecordId(
          Date.now(),
          Uint8Array.from({ length: 10 }, () => rng.u32() & 255),
        );
        const created = `${new Date().toISOString().slice(0, 19)}Z`;
        const { canonical } = parseRecordCanonical({
          kind: 'transaction',
          id,
          created,
          author: 'bench',
          body,
          files: [],
          refs: [],
        });
        const salt = Uint8Array.from({ length: 32 }, () => rng.u32() & 255);
        return {
          id,
          kind: 'transaction',
          created,
          json: new TextDecoder().decode(canonical),
          salt,
          commitment: commitCanonical(canonical, salt),
          files: [],
        };
      }),
    );
  seal([accountsBody(chart)]);
  seal(earlier.map((t) => transactionDraft(t).body));

  let t = process.hrtime.bigint();
  const parsed = parse1C(bytes);
  const parseSeconds = seconds(t);
  t = process.hrtime.bigint();
  planImport(
    parsed,
    {
      knownRefs: new Set(),
      knownAssertions: new Set(),
      balanceAt: () => 0n,
      hasPostings: () => true,
      examples: earlier.map((e) => ({
        direction: e.postings[0]!.amount < 0n ? 'out' : 'in',
        counterparty: e.counterparty ?? '',
        text: e.description,
        account: e.postings[1]!.account,
      })),
    },
    {
      statementId: newRecordId(Date.now(), new Uint8Array(10)),
      accounts: new Map([[ACCOUNT, chart[0]!]]),
      suspense: 'Assets:Bank:RUB',
      openingEquity: 'Income:Dues',
    },
  );
  const planSeconds = seconds(t);

  t = process.hrtime.bigint();
  const first = await importStatementFile(vault, keys, file, {
    author: 'bench',
    cwd: dir,
    accounts: ['Assets:Bank:RUB'],
  });
  const importSeconds = seconds(t);
  t = process.hrtime.bigint();
  const again = await importStatementFile(vault, keys, file, { author: 'bench', cwd: dir });
  const againSeconds = seconds(t);

  // A presented ledger to compare with the sealed books: the same statement with one line in a
  // hundred left out, one in a hundred added and one in a hundred altered (amount), as a 1C
  // export; then every date moved by a day and the document numbers dropped, so that nothing
  // pairs by reference or exactly and every line goes through the best match.
  const presented = payments.flatMap((p, i) => {
    if (i % 100 === 0) return [];
    if (i % 100 === 1) return [{ ...p, amount: p.amount.startsWith('-') ? '-1.11' : '1.11' }];
    if (i % 100 === 2) return [p, { ...p, number: `x${i}`, purpose: 'Наличные', amount: '999.99' }];
    return [p];
  });
  const cents = (amount: string) => {
    const [whole, frac = ''] = amount.replace('-', '').split('.');
    const n = BigInt(whole!) * 100n + BigInt(frac.padEnd(2, '0'));
    return amount.startsWith('-') ? -n : n;
  };
  const presentedFile = (lines: typeof payments) => {
    const end = opening + lines.reduce((sum, l) => sum + cents(l.amount), 0n);
    let last = to;
    for (const l of lines) if (l.date > last) last = l.date;
    return write1C({
      from: '2020-01-01',
      to: last,
      sections: [
        {
          account: ACCOUNT,
          from: '2020-01-01',
          to: last,
          opening: fmt(opening),
          closing: fmt(end),
        },
      ],
      payments: lines,
    });
  };
  const diffOf = (bytes: Uint8Array) => {
    const start = process.hrtime.bigint();
    const diff = diffPresented(vault, bytes, { format: '1c', account: 'Assets:Bank:RUB' });
    const kinds = { missing: 0, added: 0, altered: 0 };
    for (const d of diff.comparison.differences) kinds[d.kind]++;
    return {
      seconds: seconds(start),
      outcome: `${diff.comparison.matched} agree; ${kinds.missing} missing, ${kinds.added} added, ${kinds.altered} altered`,
    };
  };
  const diffAltered = diffOf(presentedFile(presented));
  const nextDay = (d: string) =>
    new Date(Date.parse(`${d}T00:00:00Z`) + 86_400_000).toISOString().slice(0, 10);
  const diffShifted = diffOf(
    presentedFile(payments.map((p) => ({ ...p, number: '', date: nextDay(p.date) }))),
  );
  vault.close();

  const suspense = first.plan.entries.filter((e) => e.suggestion === null).length;
  console.log(
    `bench/books-import: a 1C statement of ${o.lines.toLocaleString('en')} lines (${(bytes.length / 1e6).toFixed(1)} MB, Windows-1251), ${o.examples} earlier entries to learn from; ${describeMachine()}`,
  );
  console.log(`file: ${rel(file)}`);
  const rate = (s: number) => `${Math.round(o.lines / s).toLocaleString('en')} lines/s`;
  printTable(
    ['phase', 'seconds', 'rate', 'outcome'],
    [
      [
        'parse and check (parse1C)',
        parseSeconds.toFixed(2),
        rate(parseSeconds),
        `${parsed.lines.length} lines, ${parsed.balances.length} balances`,
      ],
      ['plan (identities, suggestions, checks)', planSeconds.toFixed(2), rate(planSeconds), ''],
      [
        'import: parse, plan, seal in one batch',
        importSeconds.toFixed(2),
        rate(importSeconds),
        `${first.sealed} records sealed, ${suspense} to suspense, balances ${first.plan.checks.every((c) => c.ok) ? 'agree' : 'DISAGREE'}`,
      ],
      [
        'import the same file again',
        againSeconds.toFixed(2),
        rate(againSeconds),
        `${again.plan.duplicates.length} recognised, ${again.sealed} sealed`,
      ],
      [
        'diff: 1% missing, 1% added, 1% altered',
        diffAltered.seconds.toFixed(2),
        rate(diffAltered.seconds),
        diffAltered.outcome,
      ],
      [
        'diff: every date a day later, no numbers',
        diffShifted.seconds.toFixed(2),
        rate(diffShifted.seconds),
        diffShifted.outcome,
      ],
    ],
  );
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const args = process.argv.slice(2);
  const linesArg = args.find((a) => a.startsWith('--lines='));
  const base = args.includes('--quick') ? quickBooksImportBench : defaultBooksImportBench;
  await runBooksImportBench(linesArg ? { ...base, lines: Number(linesArg.slice(8)) } : base);
}
