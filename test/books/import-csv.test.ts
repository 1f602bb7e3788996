import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  parseCsvMapping,
  parseCsvStatement,
  parseStatement,
  StatementError,
  splitCsv,
} from '../../src/books/import/index.js';

const sample = (name: string) => readFileSync(new URL(`./samples/${name}`, import.meta.url));
const utf8 = (s: string) => new TextEncoder().encode(s);
const kgsMapping = () =>
  parseCsvMapping(JSON.parse(sample('statement-kgs.mapping.json').toString('utf8')));

function failure(run: () => unknown): StatementError {
  try {
    run();
  } catch (e) {
    if (e instanceof StatementError) return e;
    throw e;
  }
  throw new Error('accepted');
}

const simple = parseCsvMapping({
  delimiter: ',',
  decimalSeparator: '.',
  dateFormat: 'YYYY-MM-DD',
  header: true,
  account: 'KG01',
  currency: 'KGS',
  columns: { date: 'Date', amount: 'Amount', counterparty: 'Payee', purpose: 'Memo' },
});

describe('CSV statements', () => {
  it('reads a bank CSV: BOM, title line, ; and decimal comma, grouped digits, debit/credit, a quoted purpose over two lines, running balance', () => {
    const s = parseCsvStatement(sample('statement-kgs.csv'), kgsMapping());
    expect(
      s.lines.map((l) => [l.line, l.date, l.amount, l.counterparty, l.purpose, l.reference]),
    ).toEqual([
      [3, '2024-05-02', '48200', 'ОсОО "Кыргыз Темир Жолу"', 'Мүчөлүк төгүмдөр, апрель 2024', '17'],
      [
        4,
        '2024-05-03',
        '-12000.5',
        'Бишкек шаардык кеңеши',
        'Жардам: Асанов Т. (арыз № 5)',
        'PP-88',
      ],
      [6, '2024-05-03', '-150', 'Айыл Банк', 'Комиссия', null],
    ]);
    expect(s.lines[1]!.valueDate).toBe('2024-05-04');
    expect(s.balances.map((b) => [b.kind, b.date, b.amount])).toEqual([
      ['opening', '2024-05-02', '100000'],
      ['closing', '2024-05-03', '136049.5'],
    ]);
  });

  it('refuses a running balance that does not follow, naming the line', () => {
    const text = sample('statement-kgs.csv').toString('utf8').replace('136 049,50', '136 049,00');
    const e = failure(() => parseCsvStatement(utf8(text), kgsMapping()));
    expect(e.code).toBe('csv.unbalanced');
    expect(e.line).toBe(6);
  });

  it('names the line of a bad date, a bad amount, too many decimals, both debit and credit', () => {
    const csv = (row: string) => utf8(`Date,Amount,Payee,Memo\n2024-01-02,1.00,A,B\n${row}\n`);
    expect(failure(() => parseCsvStatement(csv('2024-13-01,1.00,A,B'), simple)).message).toMatch(
      /^line 3: the date "2024-13-01" is not a date written YYYY-MM-DD/,
    );
    expect(failure(() => parseCsvStatement(csv('2024-01-03,1.0.0,A,B'), simple)).message).toMatch(
      /^line 3: the amount "1.0.0" is not a number/,
    );
    expect(failure(() => parseCsvStatement(csv('2024-01-03,1.001,A,B'), simple)).code).toBe(
      'amount.decimals',
    );
    const pair = parseCsvMapping({ ...kgsMapping(), skipLines: 0 });
    const both = utf8(
      'Дата;Дата валютирования;Номер документа;Контрагент;Назначение платежа;Дебет;Кредит;Остаток\n01.01.2024;;;A;B;1,00;2,00;\n',
    );
    expect(failure(() => parseCsvStatement(both, pair)).message).toMatch(
      /^line 2: the row has both a debit/,
    );
  });

  it('names a column the header lacks, and refuses bad mappings', () => {
    const m = parseCsvMapping({ ...simple, columns: { date: 'Datum', amount: 'Amount' } });
    expect(failure(() => parseCsvStatement(utf8('Date,Amount\n'), m)).message).toMatch(
      /no column "Datum"/,
    );
    expect(() => parseCsvMapping({ ...simple, columns: { date: 'Date' } })).toThrow(
      /either an amount column, or debit and credit/,
    );
    expect(() => parseCsvMapping({ ...simple, delimiter: 'x' })).toThrow(/delimiter/);
    expect(() => parseCsvMapping({ ...simple, extra: 1 })).toThrow(/unknown field "extra"/);
  });

  it('splits RFC 4180 fields and refuses an unclosed quote', () => {
    expect(splitCsv('a,"b,""c"""\r\n\r\n"",d\n', ',')).toEqual([
      { line: 1, fields: ['a', 'b,"c"'] },
      { line: 3, fields: ['', 'd'] },
    ]);
    expect(failure(() => splitCsv('a\n"b,c\n', ',')).line).toBe(2);
  });

  it('refuses a file of another format, whatever format is named', () => {
    const pdf = utf8('%PDF-1.7\n...');
    expect(failure(() => parseStatement(pdf, { mapping: simple })).message).toMatch(
      /is a PDF document, not a bank statement/,
    );
    const onec = readFileSync(new URL('./samples/1c-dos-866.txt', import.meta.url));
    expect(failure(() => parseStatement(onec, { format: 'camt' })).message).toMatch(
      /--format camt was given, but the file is a 1C Client-Bank exchange file; import it with --format 1c/,
    );
    expect(failure(() => parseStatement(utf8('Date,Amount\n'))).message).toMatch(/--mapping NAME/);
  });
});
