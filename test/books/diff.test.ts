import { copyFileSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { compareLedgers, type SealedMovement } from '../../src/books/diff/compare.js';
import { parseJournal } from '../../src/books/diff/hledger.js';
import { diffPresented } from '../../src/books/diff/sealed.js';
import { importStatementFile } from '../../src/books/statements.js';
import { booksDiffCommand } from '../../src/cli/books-import.js';
import { checkEvidenceCommand } from '../../src/cli/evidence.js';
import type { VaultKeys } from '../../src/vault/keys.js';
import { Vault } from '../../src/vault/vault.js';
import { capture, newVault, removeTemp, tempDir } from '../vault/helpers.js';
import { sealChart, unionChart } from './import-helpers.js';

const SAMPLES = new URL('./samples/', import.meta.url).pathname;

describe('hledger journals', () => {
  it('reads dates, codes, payee | note, tags, elided amounts and commodities on either side', () => {
    const txs = parseJournal(readFileSync(join(SAMPLES, 'presented-ledger.journal'), 'utf8'));
    expect(
      txs.map((t) => [
        t.line,
        t.date,
        t.payee,
        t.code,
        t.postings.map((p) => `${p.account} ${p.amount} ${p.commodity}`),
      ]),
    ).toEqual([
      [
        9,
        '2024-03-05',
        'ООО "Завод «Металлист»"',
        null,
        ['Assets:Bank:RUB 52500.5 RUB', 'Income:Dues -52500.5 RUB'],
      ],
      [
        13,
        '2024-03-11',
        'УФК по г. Москве (ИФНС России № 9 по г. Москве)',
        '45',
        ['Expenses:Taxes 18630 RUB', 'Assets:Bank:RUB -18630 RUB'],
      ],
      [
        17,
        '2024-03-15',
        'МУП "Горводоканал"',
        null,
        ['Assets:Bank:RUB 25000 RUB', 'Income:Dues -25000 RUB'],
      ],
      [
        21,
        '2024-03-20',
        'Председатель',
        'PR-2024-03',
        ['Expenses:Salaries 40000 RUB', 'Assets:Bank:RUB -40000 RUB'],
      ],
    ]);
  });

  it('names the line of an unbalanced transaction and of a bad amount', () => {
    expect(() => parseJournal('2024-01-01 x\n  a  1 KGS\n  b  -2 KGS\n')).toThrow(
      /^line 1: the transaction's postings sum to -1 KGS/,
    );
    expect(() => parseJournal('2024-01-01 x\n  a  1.2.3 KGS\n  b\n')).toThrow(/^line 2: /);
  });
});

describe('comparing ledgers', () => {
  const s = (
    id: string,
    date: string,
    amount: string,
    purpose: string,
    references: string[] = [],
  ): SealedMovement => ({
    id,
    recordId: id,
    date,
    amount,
    currency: 'KGS',
    counterparty: 'X',
    purpose,
    references,
  });
  it('pairs by reference, exactly, then by best match', () => {
    const c = compareLedgers(
      [
        s('A', '2024-01-01', '100', 'dues january', ['R1']),
        s('B', '2024-01-02', '-50', 'bank fee'),
        s('C', '2024-01-10', '70', 'grant for strike fund'),
        s('D', '2024-01-11', '5', 'unrelated'),
      ],
      [
        {
          line: 1,
          date: '2024-01-03',
          amount: '100',
          counterparty: 'X',
          purpose: 'dues january',
          reference: 'R1',
        },
        {
          line: 2,
          date: '2024-01-02',
          amount: '-50',
          counterparty: 'X',
          purpose: 'bank fee',
          reference: null,
        },
        {
          line: 3,
          date: '2024-01-10',
          amount: '700',
          counterparty: 'X',
          purpose: 'grant for strike fund',
          reference: null,
        },
        {
          line: 4,
          date: '2024-01-12',
          amount: '9999',
          counterparty: 'Y',
          purpose: 'cash',
          reference: null,
        },
      ],
    );
    expect(c.matched).toBe(1);
    expect(
      c.differences.map((d) => [
        d.kind,
        'fields' in d ? d.fields : [],
        'sealed' in d ? d.sealed.id : d.presented.line,
      ]),
    ).toEqual([
      ['altered', ['date'], 'A'],
      ['altered', ['amount'], 'C'],
      ['missing', [], 'D'],
      ['added', [], 4],
    ]);
  });

  const p = (line: number, date: string, amount: string, purpose: string) => ({
    line,
    date,
    amount,
    counterparty: 'X',
    purpose,
    reference: null,
  });

  it('pairs a changed date up to 31 days away, and no further', () => {
    const near = compareLedgers(
      [s('A', '2024-01-31', '100', 'rent of the hall')],
      [p(1, '2024-03-02', '100', 'rent of the hall')],
    );
    expect(near.differences.map((d) => d.kind)).toEqual(['altered']);
    const far = compareLedgers(
      [s('A', '2024-01-31', '100', 'rent of the hall')],
      [p(1, '2024-03-03', '100', 'rent of the hall')],
    );
    expect(far.differences.map((d) => d.kind)).toEqual(['missing', 'added']);
  });

  it('accounts for every entry exactly once, however the two ledgers differ', () => {
    const day = fc.integer({ min: 0, max: 120 }).map((n) => {
      const d = new Date(Date.UTC(2024, 0, 1) + n * 86_400_000);
      return d.toISOString().slice(0, 10);
    });
    const amount = fc.integer({ min: -500, max: 500 }).map(String);
    const purpose = fc.constantFrom('dues', 'bank fee', 'grant strike fund', 'rent hall', 'salary');
    fc.assert(
      fc.property(
        fc.array(fc.tuple(day, amount, purpose), { maxLength: 40 }),
        fc.array(fc.tuple(day, amount, purpose), { maxLength: 40 }),
        (sealedRows, presentedRows) => {
          const sealed = sealedRows.map(([d, a, t], i) => s(`S${i}`, d, a, t));
          const presented = presentedRows.map(([d, a, t], i) => p(i + 1, d, a, t));
          const c = compareLedgers(sealed, presented);
          const seen = new Map<string, number>();
          const note = (k: string) => seen.set(k, (seen.get(k) ?? 0) + 1);
          for (const d of c.differences) {
            if ('sealed' in d) note(d.sealed.id);
            if ('presented' in d) note(`P${d.presented.line}`);
          }
          const pairedOrDiffering = [...seen.values()].every((n) => n === 1);
          const counted = seen.size + 2 * c.matched;
          return pairedOrDiffering && counted === sealed.length + presented.length;
        },
      ),
      { numRuns: 200 },
    );
  });

  it('finds the same pairs as scoring every pair, though it looks candidates up', () => {
    const day = fc.integer({ min: 0, max: 60 }).map((n) => {
      const d = new Date(Date.UTC(2024, 0, 1) + n * 86_400_000);
      return d.toISOString().slice(0, 10);
    });
    const amount = fc.constantFrom('100', '-100', '250.5', '-7', '1000', '99.99');
    const words = fc
      .subarray(['dues', 'bank', 'fee', 'grant', 'strike', 'fund', 'rent', 'hall', 'salary'], {
        minLength: 0,
        maxLength: 5,
      })
      .map((w) => w.join(' '));
    const row = fc.tuple(day, amount, words);
    fc.assert(
      fc.property(
        fc.array(row, { maxLength: 30 }),
        fc.array(row, { maxLength: 30 }),
        (sealedRows, presentedRows) => {
          const sealed = sealedRows.map(([d, a, t], i) => s(`S${i}`, d, a, t));
          const presented = presentedRows.map(([d, a, t], i) => p(i + 1, d, a, t));
          expect(compareLedgers(sealed, presented)).toEqual(
            compareLedgers(sealed, presented, { exhaustive: true }),
          );
        },
      ),
      { numRuns: 300 },
    );
  });
});

describe('tamga books diff', () => {
  let dir: string;
  let vault: Vault;
  let keys: VaultKeys;
  beforeEach(async () => {
    dir = tempDir('tamga-books-diff-');
    ({ vault, keys } = await newVault(join(dir, 'vault')));
    sealChart(vault, keys, [
      ...unionChart('RUB'),
      { path: 'Expenses:Salaries', type: 'expenses', currency: 'RUB' },
    ]);
    copyFileSync(join(SAMPLES, '1c-windows-1251.txt'), join(dir, 'march.txt'));
    await importStatementFile(vault, keys, join(dir, 'march.txt'), {
      author: 't',
      cwd: dir,
      accounts: ['Assets:Bank:RUB'],
    });
    vault.close();
  });
  afterEach(() => removeTemp(dir));

  it('finds the missing, added and altered entries of a presented journal, with their sealed records and proofs', async () => {
    copyFileSync(join(SAMPLES, 'presented-ledger.journal'), join(dir, 'presented.journal'));
    const ctx = capture(dir);
    const n = await booksDiffCommand(
      'presented.journal',
      {
        vault: join(dir, 'vault'),
        account: 'Assets:Bank:RUB',
        from: '2024-03-01',
        to: '2024-03-31',
        out: 'court',
      },
      ctx.ctx,
    );
    expect(n).toBe(3);
    const report = ctx.out.join('\n');
    expect(report).toMatch(/Differences: {6}1 missing, 1 added, 1 altered/);
    expect(report).toMatch(
      /1\. ALTERED: amount differ \(matched by best match\)\.\n {3}Sealed record: [0-9A-Z]{26}\n {3}Sealed: {4}2024-03-05 {2}62500\.5 RUB/,
    );
    expect(report).toMatch(
      /ADDED in the presented ledger: no sealed entry corresponds to it\.\n {3}Presented: 2024-03-20 {2}-40000 {2}Председатель {2}«Премия председателю» {2}\(line 21\)/,
    );
    expect(report).toMatch(
      /MISSING from the presented ledger[^\n]*\n[^\n]*\n {3}Sealed: {4}2024-03-29 {2}-6000 RUB/,
    );
    expect(report).toMatch(
      /Proof: {5}in the log as entry \d+, under the vault's signed checkpoint of size \d+; not yet cosigned by any witness/,
    );
    // The bundle discloses the two entries and the statement they came from, and verifies.
    expect(existsSync(join(dir, 'court', 'diff-report.txt'))).toBe(true);
    const bundle = JSON.parse(readFileSync(join(dir, 'court', 'evidence.json'), 'utf8')) as {
      records: Array<{ record: { kind: string } }>;
    };
    expect(bundle.records.map((r) => r.record.kind).sort()).toEqual([
      'document',
      'transaction',
      'transaction',
    ]);
    const verdict = await checkEvidenceCommand(
      join(dir, 'court'),
      [],
      { json: true },
      capture(dir).ctx,
    );
    expect(verdict.records).toHaveLength(3);
  });

  it('compares a presented CSV of the bank account, and finds nothing when it agrees', async () => {
    const mapping = {
      delimiter: ';',
      decimalSeparator: '.',
      dateFormat: 'YYYY-MM-DD',
      header: true,
      account: '40703810500000001234',
      currency: 'RUB',
      columns: { date: 'date', amount: 'amount', counterparty: 'who', purpose: 'what' },
    };
    writeFileSync(join(dir, 'm.json'), JSON.stringify(mapping));
    const rows = [
      'date;amount;who;what',
      '2024-03-05;62500.50;ООО "Завод «Металлист»";Перечисление членских профсоюзных взносов за февраль 2024 г. по списку № 2. НДС не облагается',
      '2024-03-11;-18630.00;УФК по г. Москве (ИФНС России № 9 по г. Москве);НДФЛ с заработной платы работников аппарата за февраль 2024 г.',
      '2024-03-15;25000;МУП "Горводоканал";Членские профсоюзные взносы за март 2024 г.',
      '2024-03-29;-6000;АО "АЛЬФА-БАНК";Комиссия за ведение счета за март 2024 г.',
    ];
    writeFileSync(join(dir, 'same.csv'), rows.join('\n'));
    const ctx = capture(dir);
    expect(
      await booksDiffCommand(
        'same.csv',
        { vault: join(dir, 'vault'), mapping: 'm.json', json: true },
        ctx.ctx,
      ),
    ).toBe(0);
    expect(JSON.parse(ctx.out.join('\n'))).toMatchObject({
      account: 'Assets:Bank:RUB',
      sealedEntries: 4,
      presentedEntries: 4,
      comparison: { matched: 4, differences: [] },
    });
    writeFileSync(
      join(dir, 'other.csv'),
      [rows[0], rows[1]!.replace('Завод', 'Комбинат'), rows[2], rows[3]].join('\n'),
    );
    const ctx2 = capture(dir);
    // The period is the presented ledger's own unless given: the fee of 29 March is in it only with --to.
    expect(
      await booksDiffCommand(
        'other.csv',
        { vault: join(dir, 'vault'), mapping: 'm.json' },
        capture(dir).ctx,
      ),
    ).toBe(1);
    expect(
      await booksDiffCommand(
        'other.csv',
        { vault: join(dir, 'vault'), mapping: 'm.json', to: '2024-03-31' },
        ctx2.ctx,
      ),
    ).toBe(2);
    expect(ctx2.out.join('\n')).toMatch(/ALTERED: counterparty differ/);
  });

  it('compares a presented 1C statement whose stated totals do not add up, and reports each total with both figures', async () => {
    const forged = Buffer.from(
      readFileSync(join(SAMPLES, '1c-windows-1251.txt'))
        .toString('latin1')
        .replace('=62500.50', '=61500.50')
        .replace('=212870.50', '=212000.00'),
      'latin1',
    );
    writeFileSync(join(dir, 'forged.txt'), forged);
    const ctx = capture(dir);
    const n = await booksDiffCommand(
      'forged.txt',
      { vault: join(dir, 'vault'), out: 'court' },
      ctx.ctx,
    );
    // One altered entry and two totals that do not add up.
    expect(n).toBe(3);
    const report = ctx.out.join('\n');
    expect(report).toContain(
      'The presented file does not add up: 2 totals it states differ from its own figures.',
    );
    expect(report).toMatch(
      /КонечныйОстаток of 40703810500000001234 \(line 20\): the file states 212000; its figures add up to 212870\.5 \(НачальныйОстаток 150000 \+ ВсегоПоступило 87500\.5 − ВсегоСписано 24630\)/,
    );
    expect(report).toMatch(
      /ВсегоПоступило of 40703810500000001234 \(line 18\): the file states 87500\.5; its figures add up to 86500\.5/,
    );
    expect(report).toMatch(/1\. ALTERED: amount differ/);
    const json = JSON.parse(readFileSync(join(dir, 'court', 'diff-report.json'), 'utf8')) as {
      inconsistencies: Array<{ field: string; declared: string; computed: string }>;
    };
    expect(json.inconsistencies.map((f) => [f.field, f.declared, f.computed]).sort()).toEqual([
      ['ВсегоПоступило', '87500.5', '86500.5'],
      ['КонечныйОстаток', '212000', '212870.5'],
    ]);
    expect(readFileSync(join(dir, 'court', 'diff-report.txt'), 'utf8')).toContain(
      'the file states 87500.5; its figures add up to 86500.5',
    );
    // The union's own statement that does not add up is still refused on import.
    const v = await Vault.open(join(dir, 'vault'));
    try {
      await expect(
        importStatementFile(v, keys, join(dir, 'forged.txt'), {
          author: 't',
          cwd: dir,
          accounts: ['Assets:Bank:RUB'],
        }),
      ).rejects.toThrow(/do not add up/);
    } finally {
      v.close();
    }
  });

  it('refuses a presented ledger longer than the caller compares at once', async () => {
    const v = await Vault.open(join(dir, 'vault'), { readonly: true });
    try {
      const bytes = readFileSync(join(SAMPLES, '1c-windows-1251.txt'));
      expect(() => diffPresented(v, bytes, { maxEntries: 3 })).toThrow(
        /has 4 entries; at most 3 are compared here at once/,
      );
      expect(diffPresented(v, bytes, { maxEntries: 4 }).comparison.matched).toBe(4);
    } finally {
      v.close();
    }
  });
});
