import { copyFileSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Command, Option } from 'commander';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { encodeCodePage } from '../../src/books/import/codepages.js';
import { write1C } from '../../src/books/import/onec-write.js';
import type { Transaction } from '../../src/books/model.js';
import { readSealedBooks } from '../../src/books/sealed-books.js';
import { importStatementFile } from '../../src/books/statements.js';
import { addBooksImportCommands, booksImportCommand } from '../../src/cli/books-import.js';
import type { VaultKeys } from '../../src/vault/keys.js';
import type { Vault } from '../../src/vault/vault.js';
import { blobFiles, capture, countRows, newVault, removeTemp, tempDir } from '../vault/helpers.js';
import { sealChart, sealTransactions, unionChart } from './import-helpers.js';
import { writeCamt } from './statement-writers.js';

const SAMPLES = new URL('./samples/', import.meta.url).pathname;
const ACCOUNT = '40703810500000001234';

let dir: string;
let vault: Vault;
let keys: VaultKeys;

beforeEach(async () => {
  dir = tempDir('tamga-books-import-');
  ({ vault, keys } = await newVault(join(dir, 'vault')));
  sealChart(vault, keys, unionChart('RUB'));
});
afterEach(() => {
  vault.close();
  removeTemp(dir);
});

const records = () =>
  (vault.db.prepare('SELECT COUNT(*) AS n FROM records').get() as { n: number }).n;

const options = (extra: object = {}) => ({
  author: 'treasurer',
  cwd: dir,
  accounts: ['Assets:Bank:RUB'],
  ...extra,
});

function copySample(name: string): string {
  copyFileSync(join(SAMPLES, name), join(dir, name));
  return join(dir, name);
}

/**
 * A transaction of `amount` kopecks into the RUB bank account (out of it when negative), the
 * other side on `account`.
 */
const bankEntry = (
  date: string,
  description: string,
  account: string,
  amount: bigint,
  counterparty?: string,
): Transaction => ({
  date,
  description,
  ...(counterparty === undefined ? {} : { counterparty }),
  postings: [
    { account: 'Assets:Bank:RUB', amount, currency: 'RUB' },
    { account, amount: -amount, currency: 'RUB' },
  ],
  documents: [],
});

/** A later statement, overlapping the sample: two of its March lines, and one new in April. */
function aprilStatement(opening: string): string {
  const file = join(dir, 'april.txt');
  writeFileSync(
    file,
    write1C({
      from: '2024-03-15',
      to: '2024-04-10',
      sections: [
        {
          account: ACCOUNT,
          from: '2024-03-15',
          to: '2024-04-10',
          opening,
          closing: (Number(opening) + 25000 - 6000 - 1000).toFixed(2),
        },
      ],
      payments: [
        {
          bankAccount: ACCOUNT,
          date: '2024-03-15',
          amount: '25000',
          number: '7',
          counterparty: 'МУП "Горводоканал"',
          counterpartyAccount: '40702810100000009999',
          purpose: 'Членские профсоюзные взносы за март 2024 г.',
        },
        {
          bankAccount: ACCOUNT,
          date: '2024-03-29',
          amount: '-6000',
          number: '902',
          counterparty: 'АО "АЛЬФА-БАНК"',
          counterpartyAccount: '70601810000002710201',
          purpose: 'Комиссия за ведение счета за март 2024 г.',
        },
        {
          bankAccount: ACCOUNT,
          date: '2024-04-02',
          amount: '-1000',
          number: '46',
          counterparty: 'Иванов И. И.',
          counterpartyAccount: '40817810000000000001',
          purpose: 'Материальная помощь',
        },
      ],
    }),
  );
  return file;
}

describe('importing statements into the books', () => {
  it('seals the statement, its lines linked to it, the opening balance and the balances', async () => {
    const r = await importStatementFile(vault, keys, copySample('1c-windows-1251.txt'), options());
    expect(r.newStatement).toBe(true);
    expect(r.plan.entries).toHaveLength(4);
    expect(r.plan.openings).toHaveLength(1);
    expect(r.plan.checks.every((c) => c.ok)).toBe(true);
    expect(r.addedAccounts).toEqual(['Assets:Suspense', 'Equity:Opening balances']);
    // document + accounts + opening + 4 lines + 2 balances
    expect(r.sealed).toBe(9);
    expect(blobFiles(join(dir, 'vault'))).toHaveLength(1);
    const books = readSealedBooks(vault);
    expect(books.statements).toEqual([
      { id: r.statementId, sha256: expect.any(String), accounts: { [ACCOUNT]: 'Assets:Bank:RUB' } },
    ]);
    const imported = books.entries.filter((e) => e.tx.source?.statement === r.statementId);
    expect(imported.map((e) => e.tx.source!.line).sort((a, b) => a - b)).toEqual([
      17, 22, 48, 75, 86,
    ]);
    const opening = imported.find((e) => e.tx.tags?.includes('opening-balance'))!;
    expect(opening.tx.date).toBe('2024-02-29');
    expect(opening.tx.postings.map((p) => [p.account, p.amount])).toEqual([
      ['Assets:Bank:RUB', 15_000_000n],
      ['Equity:Opening balances', -15_000_000n],
    ]);
    expect(books.balances.map((b) => [b.balance.date, b.balance.assertions[0]!.amount])).toEqual([
      ['2024-02-29', 15_000_000n],
      ['2024-03-31', 21_287_050n],
    ]);
    const tax = imported.find((e) => e.tx.source!.line === 48)!;
    expect(tax.tx.meta).toMatchObject({ ПоказательКБК: '18210102010011000110', ОКАТО: '45382000' });
    expect(tax.tx.postings[1]!.account).toBe('Assets:Suspense');
  });

  it('adds no duplicate when the same or an overlapping statement is imported again', async () => {
    const first = await importStatementFile(
      vault,
      keys,
      copySample('1c-windows-1251.txt'),
      options(),
    );
    const before = countRows(join(dir, 'vault'), 'records');
    const again = await importStatementFile(
      vault,
      keys,
      join(dir, '1c-windows-1251.txt'),
      options(),
    );
    expect(again.newStatement).toBe(false);
    expect(again.statementId).toBe(first.statementId);
    expect(again.plan.entries).toHaveLength(0);
    expect(again.plan.duplicates).toHaveLength(4);
    expect(again.sealed).toBe(0);
    expect(countRows(join(dir, 'vault'), 'records')).toBe(before);

    const later = await importStatementFile(vault, keys, aprilStatement('193870.50'), {
      author: 't',
      cwd: dir,
    });
    expect(later.plan.duplicates.map((d) => d.line.date)).toEqual(['2024-03-15', '2024-03-29']);
    expect(later.plan.entries.map((e) => e.line.date)).toEqual(['2024-04-02']);
    expect(later.plan.openings).toHaveLength(0);
    expect(later.plan.checks.map((c) => c.ok)).toEqual([true, true]);
  });

  it('reports a balance the books disagree with, and seals it as an assertion', async () => {
    await importStatementFile(vault, keys, copySample('1c-windows-1251.txt'), options());
    const ctx = capture(dir);
    const r = await booksImportCommand(
      aprilStatement('193871.50'),
      { vault: join(dir, 'vault'), witnessWait: 0 },
      ctx.ctx,
    );
    expect(r.mismatches).toBe(2);
    expect(ctx.err.join('\n')).toMatch(
      /MISMATCH: line \d+: the statement says 40703810500000001234 held 193871.50 RUB at the start of 2024-03-15; the books say 193870.50 \(the bank shows 1.00 more\)/,
    );
    const asserted = readSealedBooks(vault).balances.map((b) => b.balance.assertions[0]!.amount);
    expect(asserted).toContain(19_387_150n);
  });

  it('suggests accounts learned from earlier choices, and sends the rest to suspense', async () => {
    sealTransactions(vault, keys, [
      bankEntry(
        '2024-01-10',
        'Членские профсоюзные взносы за декабрь',
        'Income:Dues',
        100n,
        'МУП "Горводоканал"',
      ),
      bankEntry(
        '2024-01-11',
        'Перечисление членских профсоюзных взносов за январь',
        'Income:Dues',
        100n,
        'ООО Другое',
      ),
      bankEntry(
        '2024-01-12',
        'Комиссия за ведение счета за декабрь',
        'Expenses:Bank fees',
        -100n,
        'АО "АЛЬФА-БАНК"',
      ),
    ]);
    const r = await importStatementFile(vault, keys, copySample('1c-windows-1251.txt'), {
      ...options(),
      review: true,
    });
    const to = Object.fromEntries(
      r.plan.entries.map((e) => [
        e.line.line,
        [e.transaction.postings[1]!.account, e.suggestion?.reason ?? null],
      ]),
    );
    expect(to).toEqual({
      22: ['Income:Dues', 'words'],
      48: ['Assets:Suspense', null],
      75: ['Income:Dues', 'counterparty'],
      86: ['Expenses:Bank fees', 'counterparty'],
    });
    // An account with postings already: no opening balance, and its opening is checked.
    expect(r.plan.openings).toHaveLength(0);
    expect(r.plan.checks[0]!.ok).toBe(false);
  });

  it('imports a statement of accounts in two currencies, with suspense and opening balances in each', async () => {
    sealChart(vault, keys, [
      { path: 'Assets:Bank:USD', type: 'assets', currency: 'USD' },
      { path: 'Income:Grants:USD', type: 'income', currency: 'USD' },
      {
        path: 'Assets:Suspense',
        type: 'assets',
        currency: 'RUB',
        names: { en: 'Suspense', ru: 'Невыясненные суммы' },
        role: 'suspense',
      },
    ]);
    // A RUB bank fee teaches "АО АЛЬФА-БАНК" → Expenses:Bank fees, an account in RUB: the USD
    // line from the same bank must not be sent there.
    sealTransactions(vault, keys, [
      bankEntry('2024-01-01', 'Комиссия', 'Expenses:Bank fees', -100n, 'АО АЛЬФА-БАНК'),
    ]);
    const stmt = (xml: string) => /<Stmt>[\s\S]*<\/Stmt>/.exec(xml)![0];
    const line = (date: string, amount: string, counterparty: string, reference: string) => ({
      date,
      amount,
      counterparty,
      purpose: 'Комиссия',
      reference,
    });
    const rub = writeCamt('DE89370400440532013000', 'RUB', '-1.00', '-51.00', [
      line('2024-01-01', '-50', 'АО АЛЬФА-БАНК', 'R1'),
    ]);
    const usd = writeCamt('DE89370400440532013001', 'USD', '1000.00', '990.00', [
      line('2024-01-01', '-10', 'АО АЛЬФА-БАНК', 'U1'),
    ]);
    const file = join(dir, 'two-currencies.xml');
    writeFileSync(
      file,
      rub.replace(/<Stmt>[\s\S]*<\/Stmt>/, () => `${stmt(rub)}${stmt(usd)}`),
    );
    const r = await importStatementFile(vault, keys, file, {
      ...options(),
      accounts: [
        'DE89370400440532013000=Assets:Bank:RUB',
        'DE89370400440532013001=Assets:Bank:USD',
      ],
    });
    expect(r.suspenseAccounts).toEqual(['Assets:Suspense', 'Assets:Suspense:USD']);
    expect(r.addedAccounts).toEqual(
      expect.arrayContaining(['Assets:Suspense:USD', 'Equity:Opening balances:USD']),
    );
    const to = Object.fromEntries(
      r.plan.entries.map((e) => [e.line.bankAccount.slice(-1), e.transaction.postings[1]!.account]),
    );
    expect(to).toEqual({ '0': 'Expenses:Bank fees', '1': 'Assets:Suspense:USD' });
    // The USD account had no postings: its opening balance is set, against USD equity.
    expect(r.plan.openings.map((t) => t.postings.map((p) => p.account))).toEqual([
      ['Assets:Bank:USD', 'Equity:Opening balances:USD'],
    ]);
    expect(r.plan.checks.filter((c) => c.currency === 'USD').every((c) => c.ok)).toBe(true);
    expect(r.sealed).toBeGreaterThan(0);
    // The USD suspense account reads like the one it stands beside.
    expect(readSealedBooks(vault).chart.get('Assets:Suspense:USD')).toMatchObject({
      names: { en: 'Suspense (USD)', ru: 'Невыясненные суммы (USD)' },
      role: 'suspense',
    });
    const again = await importStatementFile(vault, keys, file, {
      ...options(),
      accounts: [
        'DE89370400440532013000=Assets:Bank:RUB',
        'DE89370400440532013001=Assets:Bank:USD',
      ],
      review: true,
    });
    expect(again.plan.entries).toHaveLength(0);
    expect(again.plan.duplicates).toHaveLength(2);
  });

  it('seals nothing under --review, and prints one proposed transaction per line', async () => {
    const ctx = capture(dir);
    const file = copySample('1c-windows-1251.txt');
    const r = await booksImportCommand(
      file,
      { vault: join(dir, 'vault'), account: ['Assets:Bank:RUB'], review: true },
      ctx.ctx,
    );
    expect(r.sealed).toBe(0);
    expect(ctx.out.filter((l) => l.startsWith('line '))).toHaveLength(4);
    expect(ctx.out[1]).toMatch(
      /^line 22 {2}2024-03-05 {2}62500.50 RUB {2}Assets:Bank:RUB ⇄ Assets:Suspense {2}\[suspense: no rule matched\] {2}ООО "Завод «Металлист»": Перечисление/,
    );
    expect(countRows(join(dir, 'vault'), 'records')).toBe(1);
    expect(blobFiles(join(dir, 'vault'))).toHaveLength(0);
  });

  it('refuses to seal when the books changed after the import was planned, and imports again cleanly', async () => {
    const file = copySample('1c-windows-1251.txt');
    let meanwhile = false;
    const before = records();
    await expect(
      importStatementFile(vault, keys, file, {
        ...options(),
        // Called once the plan is made, while the records are built: another writer seals an
        // entry just then.
        now: () => {
          if (!meanwhile) {
            meanwhile = true;
            sealTransactions(vault, keys, [
              bankEntry('2024-03-02', 'Entered by hand meanwhile', 'Income:Dues', 100n),
            ]);
          }
          return new Date();
        },
      }),
    ).rejects.toThrow(/the books changed while this statement was being imported/);
    expect(records()).toBe(before + 1);
    const r = await importStatementFile(vault, keys, file, options());
    expect(r.plan.entries).toHaveLength(4);
    expect(records()).toBe(before + 1 + r.sealed);
  });

  it('refuses a statement longer than the caller reads at once, sealing nothing', async () => {
    const before = records();
    await expect(
      importStatementFile(vault, keys, copySample('1c-windows-1251.txt'), {
        ...options(),
        maxLines: 3,
      }),
    ).rejects.toThrow(/the file has 4 lines; at most 3 are read here at once/);
    expect(records()).toBe(before);
  });

  it('imports nothing at all when any line is wrong', async () => {
    // The last document's amount made unreadable, after three good documents.
    const text = new TextDecoder('windows-1251')
      .decode(readFileSync(join(SAMPLES, '1c-windows-1251.txt')))
      .replace('Сумма=6000.00', 'Сумма=6000.001');
    const encoded = encodeCodePage(text, 'windows-1251');
    if (!('bytes' in encoded)) throw new Error('unencodable');
    const file = join(dir, 'bad.txt');
    writeFileSync(file, encoded.bytes);
    const before = countRows(join(dir, 'vault'), 'records');
    await expect(importStatementFile(vault, keys, file, options())).rejects.toThrow(
      /^line 89: the Сумма "6000.001" has 3 digits/,
    );
    await expect(
      importStatementFile(
        vault,
        keys,
        copySample('1c-windows-1251.txt'),
        options({ accounts: ['Income:Dues'] }),
      ),
    ).rejects.toThrow(/is an income account/);
    await expect(
      importStatementFile(
        vault,
        keys,
        join(dir, '1c-windows-1251.txt'),
        options({ accounts: ['Assets:Nowhere'] }),
      ),
    ).rejects.toThrow(/not in the chart/);
    expect(countRows(join(dir, 'vault'), 'records')).toBe(before);
    expect(blobFiles(join(dir, 'vault'))).toHaveLength(0);
  });

  it('imports a CSV with a mapping file, saves the mapping, and reuses it by name', async () => {
    vault.close();
    ({ vault, keys } = await newVault(join(dir, 'kgs')));
    sealChart(vault, keys, unionChart('KGS'));
    copySample('statement-kgs.mapping.json');
    const r = await importStatementFile(vault, keys, copySample('statement-kgs.csv'), {
      author: 't',
      cwd: dir,
      accounts: ['Assets:Bank:KGS'],
      mapping: 'statement-kgs.mapping.json',
    });
    expect(r.plan.entries).toHaveLength(3);
    expect(r.plan.checks.every((c) => c.ok)).toBe(true);
    expect([...readSealedBooks(vault).mappings.keys()]).toEqual(['statement-kgs.mapping']);
    const again = await importStatementFile(vault, keys, join(dir, 'statement-kgs.csv'), {
      author: 't',
      cwd: dir,
      mapping: 'statement-kgs.mapping',
    });
    expect(again.plan.duplicates).toHaveLength(3);
    expect(again.sealed).toBe(0);
  });
});

describe('the books import and diff subcommands', () => {
  it('register on a books command, and set the exit code from mismatches and differences', async () => {
    const out = capture(dir);
    let code = -1;
    const program = new Command('tamga').exitOverride();
    addBooksImportCommands(
      program.command('books'),
      out.ctx,
      (c) => {
        code = c;
      },
      () => new Option('--vault <dir>'),
    );
    const file = copySample('1c-windows-1251.txt');
    const v = join(dir, 'vault');
    await program.parseAsync(
      ['books', 'import', file, '--vault', v, '--account', 'Assets:Bank:RUB'],
      {
        from: 'user',
      },
    );
    expect(code).toBe(0);
    expect(out.err.join('\n')).toMatch(/Imported 4 statement lines \(4 to suspense\)/);
    await program.parseAsync(['books', 'diff', file, '--vault', v], { from: 'user' });
    expect(code).toBe(0);
    expect(out.out.join('\n')).toMatch(/agrees with the sealed books/);
  });
});
