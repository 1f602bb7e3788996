/**
 * `tamga books` in-process on a real vault: the starting chart, transactions from flags and
 * JSON, a correction, reports whose rows name their records, an export the tools accept, and
 * bad input refused with nothing sealed.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { addCommand } from '../../src/cli/add.js';
import {
  booksAccountsCommand,
  booksAddCommand,
  booksCorrectCommand,
  booksExportCommand,
  booksPropertyAddCommand,
  booksPropertyCommand,
  booksReportCommand,
} from '../../src/cli/books.js';
import { buildProgram } from '../../src/cli/main.js';
import { sealCommand } from '../../src/cli/seal.js';
import { Vault } from '../../src/vault/vault.js';
import { capture, newVault, removeTemp, tempDir } from '../vault/helpers.js';
import { beanCheck, hledgerCheck, ledgerBalances, TOOLS_WANTED } from './tools.js';

let dir: string;
let vaultPath: string;

beforeEach(async () => {
  dir = tempDir('tamga-books-cli-');
  vaultPath = join(dir, 'vault');
  const { vault } = await newVault(vaultPath);
  vault.close();
});
afterEach(() => removeTemp(dir));

async function logSize(): Promise<number> {
  const v = await Vault.open(vaultPath, { readonly: true });
  try {
    return (v.db.prepare('SELECT COUNT(*) AS n FROM records').get() as { n: number }).n;
  } finally {
    v.close();
  }
}

async function onlyDocument(): Promise<string> {
  const v = await Vault.open(vaultPath, { readonly: true });
  try {
    return (v.db.prepare("SELECT id FROM records WHERE kind = 'document'").get() as { id: string })
      .id;
  } finally {
    v.close();
  }
}

const base = () => ({ vault: vaultPath, author: 'treasurer', witnessWait: 0 });

describe('tamga books', () => {
  it('keeps sealed books from the starting chart to an export', async () => {
    const c = capture(dir);
    await booksAccountsCommand({ ...base(), init: true }, c.ctx);
    await booksAccountsCommand(
      { ...base(), path: 'Assets:Банк:Оптима', type: 'assets', name: ['ky=Оптима банкы'] },
      c.ctx,
    );
    const dues = await booksAddCommand(
      {
        ...base(),
        date: '2025-01-10',
        description: 'Членские взносы, декабрь',
        counterparty: 'ППО Кыргызалтын',
        posting: ['Assets:Банк:Оптима 1250.00', 'Income:Membership dues'],
        balance: ['Assets:Банк:Оптима 1250.00'],
      },
      c.ctx,
    );
    const salary = await booksAddCommand(
      {
        ...base(),
        json: 'tx.json',
        input: JSON.stringify({
          date: '2025-01-31',
          description: 'Salaries',
          postings: [
            { account: 'Expenses:Salaries', amount: '500.00' },
            { account: 'Assets:Банк:Оптима', amount: '-500.00' },
          ],
        }),
      },
      c.ctx,
    );
    const fix = await booksCorrectCommand(
      salary,
      {
        ...base(),
        reason: 'Payroll sheet says 450',
        date: '2025-01-31',
        description: 'Salaries (corrected)',
        posting: ['Expenses:Salaries 450.00', 'Assets:Банк:Оптима'],
      },
      c.ctx,
    );
    await expect(
      booksCorrectCommand(salary, { ...base(), reason: 'again', void: true }, c.ctx),
    ).rejects.toThrow(`correct its current version ${fix}`);

    const r = capture(dir);
    await booksReportCommand(
      'register',
      { vault: vaultPath, account: 'Assets:Банк:Оптима', json: true },
      r.ctx,
    );
    const register = JSON.parse(r.out.join('\n')) as {
      rows: { record: string; kind: string; balance: string; status: string }[];
    };
    expect(register.rows.map((row) => [row.record, row.kind, row.balance])).toEqual([
      [dues, 'original', '1250.00'],
      [salary, 'original', '750.00'],
      [fix, 'reversal', '1250.00'],
      [fix, 'replacement', '800.00'],
    ]);
    expect(register.rows[1]?.status).toBe(`reversed by ${fix}`);

    const t = capture(dir);
    await booksReportCommand('trial-balance', { vault: vaultPath, csv: true }, t.ctx);
    expect(t.out.join('\n')).toContain(
      `Expenses:Salaries,Salaries,expenses,KGS,0.00,950.00,500.00,450.00,${salary} ${fix}`,
    );

    const d = capture(dir);
    await booksReportCommand('dues', { vault: vaultPath, json: true }, d.ctx);
    expect(JSON.parse(d.out.join('\n')).rows[0]).toMatchObject({
      member: 'ППО Кыргызалтын',
      amount: '1250.00',
      records: [dues],
    });

    for (const format of ['hledger', 'beancount'] as const) {
      const e = capture(dir);
      const warnings = await booksExportCommand(
        { vault: vaultPath, format, output: `books.${format}` },
        e.ctx,
      );
      expect(warnings).toEqual([]);
    }
    if (TOOLS_WANTED) {
      hledgerCheck(join(dir, 'books.hledger'));
      expect(ledgerBalances(join(dir, 'books.hledger')).get('Assets:Банк:Оптима\u0000KGS')).toBe(
        '800.00',
      );
      beanCheck(join(dir, 'books.beancount'));
    }
    expect(readFileSync(join(dir, 'books.hledger'), 'utf8')).toContain(
      `2025-01-31 * (${fix}) Salaries (corrected)`,
    );
  });

  it('refuses unbalanced transactions, too many decimals and unknown accounts, sealing nothing', async () => {
    const c = capture(dir);
    await booksAccountsCommand({ ...base(), init: true }, c.ctx);
    const size = await logSize();
    const tx = (postings: string[]) => ({
      ...base(),
      date: '2025-02-01',
      description: 'x',
      posting: postings,
    });
    await expect(
      booksAddCommand(tx(['Assets:Bank:KGS 10.00', 'Income:Other -9.99']), c.ctx),
    ).rejects.toThrow(/the postings in KGS sum to 0.01, not 0/);
    await expect(
      booksAddCommand(tx(['Assets:Bank:KGS 10.001', 'Income:Other']), c.ctx),
    ).rejects.toThrow(/10.001 has 3 decimals, but KGS has 2/);
    await expect(
      booksAddCommand(tx(['Assets:Nowhere 10.00', 'Income:Other']), c.ctx),
    ).rejects.toThrow(/Assets:Nowhere\): the account is not in the chart/);
    await expect(
      booksAddCommand(
        { ...base(), json: 'bad.json', input: '{\n  "date": "2025-02-01",\n  oops\n}' },
        c.ctx,
      ),
    ).rejects.toThrow(/bad.json, line 3: not JSON/);
    await expect(
      booksAddCommand(
        {
          ...base(),
          json: 'n.json',
          input: JSON.stringify({
            date: '2025-02-01',
            description: 'x',
            postings: [{ account: 'Assets:Bank:KGS', amount: 10 }],
          }),
        },
        c.ctx,
      ),
    ).rejects.toThrow(/posting 1: write the amount as a string/);
    // A file a person wrote: each problem names its line.
    const written = [
      '{',
      '  "date": "2025-02-01",',
      '  "description": "Dues",',
      '  "postings": [',
      '    { "account": "Assets:Bank:KGS", "amount": "10.001" },',
      '    { "account": "Income:Other", "amount": "-10.00" }',
      '  ]',
      '}',
    ].join('\n');
    await expect(
      booksAddCommand({ ...base(), json: 'entry.json', input: written }, c.ctx),
    ).rejects.toThrow(/^entry\.json, line 5: posting 1: 10\.001 has 3 decimals/);
    const unbalanced = written
      .replace('"10.001"', '"10.01"')
      .replace('Income:Other', 'Income:Nowhere');
    const refused = await booksAddCommand(
      { ...base(), json: 'entry.json', input: unbalanced },
      c.ctx,
    ).catch((e: Error) => e.message);
    expect(refused).toContain(
      'entry.json, line 6: posting 2 (Income:Nowhere): the account is not in the chart',
    );
    expect(refused).toContain('entry.json, line 4: the postings in KGS sum to 0.01, not 0');
    await expect(booksAccountsCommand({ ...base(), init: true }, c.ctx)).rejects.toThrow(
      /already has/,
    );
    expect(await logSize()).toBe(size);
  });

  it('lists the property register with valuations and transfers', async () => {
    const c = capture(dir);
    const input = (body: unknown, refs: string[] = []) => JSON.stringify({ body, refs });
    const id = await addCommand(
      {
        ...base(),
        kind: 'asset',
        json: 'a.json',
        input: input({
          name: 'Санаторий «Ысык-Көл»',
          category: 'sanatorium',
          description: '',
          location: 'Чолпон-Ата',
          valuation: { amount: '12500000.00', currency: 'KGS' },
        }),
      },
      c.ctx,
    );
    await addCommand(
      {
        ...base(),
        kind: 'asset',
        json: 'b.json',
        input: input(
          {
            name: 'Санаторий «Ысык-Көл»',
            category: 'sanatorium',
            description: 'Transferred',
            asset: id,
            event: 'transfer',
            date: '2025-03-01',
            transfer: {
              to: 'ОсОО Курорт',
              decision: 'Decision of the council No. 7 of 2025-02-20',
            },
          },
          [id],
        ),
      },
      c.ctx,
    );
    const p = capture(dir);
    await booksPropertyCommand({ vault: vaultPath }, p.ctx);
    expect(p.out[0]).toBe(
      `${id}  Санаторий «Ысык-Көл» (sanatorium), valued 12500000.00 KGS, transferred to ОсОО Курорт`,
    );
    expect(p.out.join('\n')).toContain(
      '2025-03-01 transfer to ОсОО Курорт by Decision of the council No. 7',
    );
  });

  it('registers property and seals its valuation and transfer with `books property add`', async () => {
    const c = capture(dir);
    writeFileSync(join(dir, 'deed.pdf'), 'title deed of the sanatorium');
    await sealCommand([join(dir, 'deed.pdf')], { vault: vaultPath, witnessWait: 0 }, c.ctx);
    const deed = await onlyDocument();
    const id = await booksPropertyAddCommand(
      {
        ...base(),
        name: 'Санаторий «Ысык-Көл»',
        category: 'sanatorium',
        location: 'Чолпон-Ата',
        value: '12500000.00 KGS',
        titleDocument: [deed],
      },
      c.ctx,
    );
    await booksPropertyAddCommand(
      { ...base(), asset: id, event: 'valuation', date: '2025-06-30', value: '14000000' },
      c.ctx,
    );
    await booksPropertyAddCommand(
      {
        ...base(),
        asset: id,
        event: 'transfer',
        date: '2025-07-01',
        to: 'ОсОО Курорт',
        decision: 'Council decision No. 7',
      },
      c.ctx,
    );
    const size = await logSize();
    await expect(
      booksPropertyAddCommand(
        { ...base(), asset: id, event: 'transfer', date: '2025-07-02' },
        c.ctx,
      ),
    ).rejects.toThrow(/a transfer says to whom/);
    await expect(
      booksPropertyAddCommand({ ...base(), asset: deed, event: 'valuation', value: '1' }, c.ctx),
    ).rejects.toThrow(/is not the record that registered an asset/);
    await expect(
      booksPropertyAddCommand(
        { ...base(), name: 'Car', category: 'vehicle', value: '10.001 KGS' },
        c.ctx,
      ),
    ).rejects.toThrow(/3 decimals/);
    await expect(
      booksPropertyAddCommand(
        {
          ...base(),
          name: 'Car',
          category: 'vehicle',
          titleDocument: ['01JNOTSEALED0000000000000X'],
        },
        c.ctx,
      ),
    ).rejects.toThrow(/not sealed in this vault/);
    expect(await logSize()).toBe(size);
    const p = capture(dir);
    await booksPropertyCommand({ vault: vaultPath }, p.ctx);
    expect(p.out[0]).toBe(
      `${id}  Санаторий «Ысык-Көл» (sanatorium), valued 14000000.00 KGS, transferred to ОсОО Курорт`,
    );
    expect(p.out.join('\n')).toContain(`title documents: ${deed}`);
  });

  it('is wired into the tamga command', async () => {
    const c = capture(dir);
    let code = -1;
    const program = buildProgram(c.ctx, (n) => {
      code = n;
    });
    await program.parseAsync([
      'node',
      'tamga',
      'books',
      'accounts',
      '--vault',
      vaultPath,
      '--init',
      '--witness-wait',
      '0',
    ]);
    await program.parseAsync([
      'node',
      'tamga',
      'books',
      'report',
      'balance-sheet',
      '--vault',
      vaultPath,
      '--json',
    ]);
    expect(code).toBe(0);
    expect(JSON.parse(c.out.at(-1) as string).kind).toBe('balance-sheet');
  });

  it('lists in the dues report member organisations only, not a payer whose entries were all reversed', async () => {
    const c = capture(dir);
    await booksAccountsCommand({ ...base(), init: true }, c.ctx);
    await booksAccountsCommand(
      {
        ...base(),
        path: 'Income:Membership dues:ППО Кыргызалтын',
        type: 'income',
        role: 'dues',
        member: 'ППО Кыргызалтын',
      },
      c.ctx,
    );
    const member = await booksAddCommand(
      {
        ...base(),
        date: '2025-01-10',
        description: 'Членские взносы',
        counterparty: 'ППО Кыргызалтын',
        posting: ['Assets:Bank:KGS 1250.00', 'Income:Membership dues:ППО Кыргызалтын'],
      },
      c.ctx,
    );
    const memberMistake = await booksAddCommand(
      {
        ...base(),
        date: '2025-01-11',
        description: 'Взносы (ошибка)',
        counterparty: 'ППО Кыргызалтын',
        posting: ['Assets:Bank:KGS 10.00', 'Income:Membership dues:ППО Кыргызалтын'],
      },
      c.ctx,
    );
    const wrong = await booksAddCommand(
      {
        ...base(),
        date: '2025-01-12',
        description: 'Rent of the hall, booked as dues by mistake',
        counterparty: 'ОсОО Арендатор',
        posting: ['Assets:Bank:KGS 300.00', 'Income:Membership dues'],
      },
      c.ctx,
    );
    await booksCorrectCommand(wrong, { ...base(), reason: 'not dues', void: true }, c.ctx);
    await booksCorrectCommand(memberMistake, { ...base(), reason: 'twice', void: true }, c.ctx);

    const d = capture(dir);
    await booksReportCommand('dues', { vault: vaultPath, json: true }, d.ctx);
    const rows = JSON.parse(d.out.join('\n')).rows as {
      member: string;
      payments: string;
      amount: string;
      records: string[];
    }[];
    expect(rows.map((r) => r.member)).not.toContain('ОсОО Арендатор');
    expect(rows[0]).toMatchObject({
      member: 'ППО Кыргызалтын',
      payments: '1',
      amount: '1250.00',
    });
    expect(rows[0]?.records).toContain(member);
    expect(rows.filter((r) => r.member === 'ППО Кыргызалтын')).toHaveLength(1);
    expect(rows[1]).toMatchObject({ member: 'Total dues received', amount: '1250.00' });
  });

  it('names in every hint a command that proves the entry', async () => {
    const c = capture(dir);
    await booksAccountsCommand({ ...base(), init: true }, c.ctx);
    const id = await booksAddCommand(
      {
        ...base(),
        date: '2025-01-10',
        description: 'Dues',
        counterparty: 'ППО',
        posting: ['Assets:Bank:KGS 100.00', 'Income:Membership dues'],
      },
      c.ctx,
    );
    const t = capture(dir);
    await booksReportCommand('trial-balance', { vault: vaultPath }, t.ctx);
    const hints = [t.out.join('\n')];
    for (const format of ['hledger', 'beancount'] as const) {
      await booksExportCommand(
        { vault: vaultPath, format, output: `books.${format}` },
        capture(dir).ctx,
      );
      hints.push(readFileSync(join(dir, `books.${format}`), 'utf8'));
    }
    for (const text of hints) {
      const m = /`tamga (\w+) ID`/.exec(text);
      expect(m, text.slice(0, 400)).not.toBeNull();
      const p = capture(dir);
      let code = 0;
      const program = buildProgram(p.ctx, (n) => {
        code = n;
      });
      await program.parseAsync(['node', 'tamga', m![1]!, id, '--vault', vaultPath]);
      expect(code).toBe(0);
      expect(p.out.join('\n')).toContain(id);
    }
  });
});
