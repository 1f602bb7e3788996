/**
 * bench/books: every report over 1,000,000 postings, against `hledger balance` on the exported
 * journal in the same run.
 *
 * Setup (not timed): a vault holding the union chart and 1,000,000 postings (two to four per
 * transaction, three currencies, a strike fund, 1% of entries corrected) sealed as books
 * records. Timed, in this process: reading the ledger from the vault (SQLite rows, JSON, the
 * corrections), then each report (trial balance, income statement, balance sheet, fund
 * balances, dues, the bank account's register) built and written as CSV; and the export. Timed
 * as processes: `tamga books report trial-balance --csv` (node start-up included) and
 * `hledger -f books.journal balance` (parse, assertions, report), with the ratio.
 *
 * `node --import tsx bench/books.ts [--quick]`, or `npm run bench -- books [--quick]`.
 */
import { randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { unionChartAccounts } from '../src/books/chart-union.js';
import { exportJournal } from '../src/books/export-journal.js';
import {
  accountsBody,
  correctionDraft,
  entryBody,
  type Posting,
  type Transaction,
} from '../src/books/model.js';
import { reportCsv } from '../src/books/report-output.js';
import { buildReport, REPORT_KINDS } from '../src/books/reports.js';
import { readLedger } from '../src/books/vault-books.js';
import { installNodeCrypto } from '../src/platform/node-crypto.js';
import { commitCanonical } from '../src/records/commitment.js';
import { newRecordId } from '../src/records/id.js';
import { recordCanonicalBytes } from '../src/records/record.js';
import type { SealedEntry } from '../src/vault/sequencer.js';
import { Vault } from '../src/vault/vault.js';
import {
  describeMachine,
  freshDir,
  onPath,
  PASSPHRASE,
  Prng,
  printRatios,
  printTable,
  type Run,
  run,
  TAMGA,
} from './work.js';

export interface BooksBenchOptions {
  readonly postings: number;
}

export const defaultBooksBench: BooksBenchOptions = { postings: 1_000_000 };
export const quickBooksBench: BooksBenchOptions = { postings: 20_000 };

/**
 * Hook for more books benchmarks in the same run (the 100,000-line statement import,
 * bench/books-import.ts): each gets the options and runs after the reports.
 */
export const booksBenchParts: Array<(o: { quick: boolean }) => Promise<void> | void> = [];

const MEMBERS = [
  'ППО Кыргызалтын',
  'ППО Бишкекская ТЭЦ',
  'ППО «Кыргызтелеком»',
  'ППО школы № 61',
  'ППО Ош ГУ',
];

function entries(n: number, prng: Prng): Transaction[] {
  const accounts = unionChartAccounts();
  const kgsExpenses = accounts.filter(
    (a) => a.type === 'expenses' && a.currency === 'KGS' && a.path.split(':').length > 1,
  );
  const out: Transaction[] = [];
  let postings = 0;
  const amount = () => BigInt(100 + (prng.u32() % 5_000_000));
  while (postings < n) {
    // Five years, in no particular order: the ledger sorts by date, as hledger does.
    const date = new Date(Date.UTC(2020, 0, 1 + prng.int(0, 1825))).toISOString().slice(0, 10);
    const kind = prng.u32() % 10;
    let p: Posting[];
    let description: string;
    let counterparty: string | undefined;
    if (kind < 4) {
      const a = amount();
      const share = (a * 30n) / 100n;
      description = 'Членские взносы';
      counterparty = MEMBERS[prng.u32() % MEMBERS.length];
      p = [
        { account: 'Assets:Bank:KGS', amount: a, currency: 'KGS' },
        { account: 'Income:Membership dues', amount: -a, currency: 'KGS' },
        { account: 'Expenses:Dues passed on', amount: share, currency: 'KGS' },
        { account: 'Liabilities:Dues share payable', amount: -share, currency: 'KGS' },
      ];
    } else if (kind < 5) {
      const a = amount();
      description = 'Grant tranche';
      counterparty = 'Global Union Federation';
      p = [
        { account: 'Assets:Bank:USD', amount: a, currency: 'USD', fund: 'strike' },
        { account: 'Income:Grants:USD', amount: -a, currency: 'USD', fund: 'strike' },
      ];
    } else if (kind < 6) {
      const a = amount() / 10n;
      description = 'Strike support';
      p = [
        { account: 'Expenses:Strike support', amount: a, currency: 'KGS', fund: 'strike' },
        { account: 'Assets:Bank:Strike fund', amount: -a, currency: 'KGS', fund: 'strike' },
      ];
    } else {
      const a = amount() / 20n;
      const e = kgsExpenses[prng.u32() % kgsExpenses.length];
      description = 'Payment';
      p = [
        {
          account: e?.fund === undefined ? (e?.path ?? 'Expenses:Other') : 'Expenses:Other',
          amount: a,
          currency: 'KGS',
        },
        { account: 'Assets:Bank:KGS', amount: -a, currency: 'KGS' },
      ];
    }
    postings += p.length;
    out.push({
      date,
      description,
      ...(counterparty === undefined ? {} : { counterparty }),
      postings: p,
      documents: [],
    });
  }
  return out;
}

/** Seals the books straight through the sequencer (setup: the records gate is bypassed for speed, not the canonical form). */
async function buildVault(dir: string, txs: readonly Transaction[], prng: Prng): Promise<number> {
  const vault = await Vault.init(dir, {
    origin: 'bench.example/books',
    passphrase: PASSPHRASE,
    logN: 10,
  });
  try {
    const keys = await vault.unlock(PASSPHRASE);
    const sequencer = vault.sequencer(keys);
    const created = '2025-01-01T00:00:00Z';
    let t = Date.UTC(2025, 0, 1);
    const entry = (kind: string, body: unknown, refs: string[]): SealedEntry => {
      const id = newRecordId(t++, randomBytes(10));
      const canonical = recordCanonicalBytes({
        kind,
        id,
        created,
        author: 'bench',
        body,
        files: [],
        refs,
      });
      const salt = randomBytes(32);
      return {
        id,
        kind,
        created,
        json: new TextDecoder().decode(canonical),
        salt,
        commitment: commitCanonical(canonical, salt),
        files: [],
      };
    };
    let batch: SealedEntry[] = [entry('transaction', accountsBody(unionChartAccounts()), [])];
    let corrections = 0;
    for (const tx of txs) {
      const e = entry('transaction', entryBody(tx), []);
      batch.push(e);
      if (prng.u32() % 100 === 0) {
        const fixed = {
          ...tx,
          postings: tx.postings.map((p) => ({
            ...p,
            amount: p.amount + (p.amount > 0n ? 1n : -1n),
          })),
        };
        const d = correctionDraft(e.id, 'bench correction', fixed);
        batch.push(entry('correction', d.body, [...d.refs]));
        corrections++;
      }
      if (batch.length >= 20_000) {
        sequencer.append(batch);
        batch = [];
      }
    }
    if (batch.length > 0) sequencer.append(batch);
    return corrections;
  } finally {
    vault.close();
  }
}

function time<T>(f: () => T): { value: T; seconds: number } {
  const t0 = process.hrtime.bigint();
  const value = f();
  return { value, seconds: Number(process.hrtime.bigint() - t0) / 1e9 };
}

/** Runs the books benchmark. */
export async function runBooksBench(o: BooksBenchOptions, quick = false): Promise<void> {
  installNodeCrypto();
  console.log(describeMachine());
  const prng = new Prng(6);
  const dir = freshDir('books');
  const vaultDir = join(dir, 'vault');
  const txs = entries(o.postings, prng);
  const setup = await (async () => {
    const t0 = Date.now();
    const corrections = await buildVault(vaultDir, txs, prng);
    return { corrections, seconds: (Date.now() - t0) / 1000 };
  })();
  const postings = txs.reduce((n, t) => n + t.postings.length, 0);
  console.log(
    `${postings.toLocaleString('en')} postings in ${txs.length.toLocaleString('en')} transactions, ${setup.corrections} corrected; sealed in ${setup.seconds.toFixed(1)} s (setup, not timed)`,
  );

  const vault = await Vault.open(vaultDir, { readonly: true });
  const rows: string[][] = [];
  let total = 0;
  let journal = '';
  try {
    const load = time(() => readLedger(vault));
    total += load.seconds;
    rows.push([
      'read the ledger from the vault',
      load.seconds.toFixed(2),
      String(load.value.entries.length),
    ]);
    for (const kind of REPORT_KINDS) {
      const r = time(() => {
        const report = buildReport(
          load.value,
          kind,
          kind === 'register'
            ? { account: 'Assets:Bank:KGS' }
            : { from: '2021-01-01', to: '2023-12-31' },
        );
        return { report, csv: reportCsv(report) };
      });
      total += r.seconds;
      rows.push([
        `report ${kind} (+ CSV)`,
        r.seconds.toFixed(2),
        String(r.value.report.rows.length),
      ]);
    }
    const ex = time(() => exportJournal(load.value));
    journal = ex.value.text;
    rows.push([
      'export hledger journal',
      ex.seconds.toFixed(2),
      `${(journal.length / 1e6).toFixed(0)} MB`,
    ]);
  } finally {
    vault.close();
  }
  rows.push(['ledger + every report', total.toFixed(2), '']);
  printTable(['Tamga, in process', 'seconds', 'rows'], rows);

  const journalFile = join(dir, 'books.journal');
  writeFileSync(journalFile, journal);
  const runs: Run[] = [];
  const tamga = await run(
    'tamga books report trial-balance --csv',
    [...TAMGA, 'books', 'report', 'trial-balance', '--csv', '--vault', vaultDir],
    {},
  );
  runs.push(tamga);
  let hledger: Run | undefined;
  if (onPath('hledger')) {
    hledger = await run('hledger balance', ['hledger', '-f', journalFile, 'balance']);
    runs.push(hledger);
  } else {
    console.log('hledger is not installed (Debian package hledger): no comparison');
  }
  printTable(
    ['process', 'seconds', 'peak RSS MB'],
    runs.map((r) => [
      r.label,
      r.seconds.toFixed(2),
      r.maxRss === undefined ? '–' : (r.maxRss / 1e6).toFixed(0),
    ]),
  );
  if (hledger !== undefined) {
    printRatios([[tamga, hledger]]);
    console.log(
      `  every report in process (${total.toFixed(2)} s) / hledger balance (${hledger.seconds.toFixed(2)} s): ${(total / hledger.seconds).toFixed(2)} (below 1.0: Tamga is faster)`,
    );
  }
  for (const part of booksBenchParts) await part({ quick });
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const quick = process.argv.includes('--quick');
  await runBooksBench(quick ? quickBooksBench : defaultBooksBench, quick);
}
