import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { decodeCodePage, encodeCodePage } from '../../src/books/import/codepages.js';
import { parse1C, StatementError } from '../../src/books/import/index.js';
import { write1C } from '../../src/books/import/onec-write.js';

const sample = (name: string) => readFileSync(new URL(`./samples/${name}`, import.meta.url));

/** Encodes `text` (LF) as a CRLF file in a code page. */
function file(text: string, page: 'windows-1251' | 'cp866' = 'windows-1251'): Uint8Array {
  const r = encodeCodePage(text.replace(/\n/g, '\r\n'), page);
  if ('badChar' in r) throw new Error('unencodable');
  return r.bytes;
}

function failure(bytes: Uint8Array): StatementError {
  try {
    parse1C(bytes);
  } catch (e) {
    if (e instanceof StatementError) return e;
    throw e;
  }
  throw new Error('parse1C accepted the file');
}

const HEAD = `1CClientBankExchange
ВерсияФормата=1.03
Кодировка=Windows
РасчСчет=40703810000000000001
`;

describe('code pages', () => {
  it.each(['windows-1251', 'ibm866'] as const)('our %s table agrees with TextDecoder', (name) => {
    // The upper half: Node's ICU swaps the control bytes 0x1A, 0x1C and 0x7F in ibm866, which
    // the WHATWG standard (and our table) leave as ASCII.
    const bytes = Uint8Array.from({ length: 128 }, (_, i) => i + 0x80).filter(
      (b) => b !== 0x98 || name !== 'windows-1251',
    );
    const ours = decodeCodePage(bytes, name === 'ibm866' ? 'cp866' : name);
    expect(ours).toEqual({ text: new TextDecoder(name).decode(bytes) });
  });

  it('refuses the byte Windows-1251 leaves unassigned', () => {
    expect(decodeCodePage(Uint8Array.of(0x41, 0x98), 'windows-1251')).toEqual({ badByte: 1 });
  });
});

describe('1C Client-Bank exchange files', () => {
  it('reads a Windows-1251 statement with CRLF, budget fields and missing optional fields', () => {
    const s = parse1C(sample('1c-windows-1251.txt'), { currency: 'RUB' });
    expect(s.encoding).toBe('windows-1251');
    expect(s.accounts).toEqual(['40703810500000001234']);
    expect(s.period).toEqual({ from: '2024-03-01', to: '2024-03-31' });
    expect(s.lines.map((l) => [l.date, l.amount, l.counterparty, l.line])).toEqual([
      ['2024-03-05', '62500.5', 'ООО "Завод «Металлист»"', 22],
      ['2024-03-11', '-18630', 'УФК по г. Москве (ИФНС России № 9 по г. Москве)', 48],
      ['2024-03-15', '25000', 'МУП "Горводоканал"', 75],
      ['2024-03-29', '-6000', 'АО "АЛЬФА-БАНК"', 86],
    ]);
    const [dues, tax, split] = s.lines;
    // Booked when it arrived (ДатаПоступило), not on the payer's document date.
    expect(dues!.meta.Дата).toBe('04.03.2024');
    expect(dues!.counterpartyTaxId).toBe('7701234567');
    expect(tax!.meta).toMatchObject({
      ПоказательКБК: '18210102010011000110',
      ОКАТО: '45382000',
      ПоказательПериода: 'МС.02.2024',
      СтатусСоставителя: '02',
    });
    // Format 1.01 splits the purpose into parts; no ИНН, no ДатаПоступило.
    expect(split!.purpose).toBe('Членские профсоюзные взносы за март 2024 г.');
    expect(split!.counterpartyTaxId).toBeUndefined();
    expect(s.balances).toEqual([
      {
        bankAccount: '40703810500000001234',
        kind: 'opening',
        date: '2024-03-01',
        amount: '150000',
        currency: 'RUB',
        line: 17,
      },
      {
        bankAccount: '40703810500000001234',
        kind: 'closing',
        date: '2024-03-31',
        amount: '212870.5',
        currency: 'RUB',
        line: 20,
      },
    ]);
  });

  it('reads a DOS cp866 statement with one account section per day', () => {
    const s = parse1C(sample('1c-dos-866.txt'));
    expect(s.encoding).toBe('cp866');
    expect(s.lines.map((l) => [l.date, l.amount, l.counterparty])).toEqual([
      ['2023-02-01', '3000', 'ООО "Ёлка"'],
      ['2023-02-02', '-1500.75', 'Иванова Мария Петровна'],
    ]);
    expect(s.balances.map((b) => [b.kind, b.date, b.amount])).toEqual([
      ['opening', '2023-02-01', '1200'],
      ['closing', '2023-02-01', '4200'],
      ['opening', '2023-02-02', '4200'],
      ['closing', '2023-02-02', '2699.25'],
    ]);
  });

  it('reads a file with bare LF line ends and amounts with a decimal comma', () => {
    const bytes = file(`${HEAD}СекцияДокумент=Платежное поручение
Номер=1
Дата=01.02.2024
Сумма=10,50
ПлательщикСчет=40703810000000000001
ПолучательСчет=40702810000000000002
Получатель=Магазин
НазначениеПлатежа=Канцтовары
КонецДокумента
КонецФайла
`).filter((b) => b !== 0x0d);
    expect(parse1C(bytes).lines[0]!.amount).toBe('-10.5');
  });

  it('gives a transfer between two of the statement accounts as two lines', () => {
    const s = parse1C(
      file(`${HEAD}РасчСчет=40703810000000000009
СекцияДокумент=Платежное поручение
Номер=3
Дата=01.02.2024
Сумма=100.00
ПлательщикСчет=40703810000000000001
ПолучательСчет=40703810000000000009
НазначениеПлатежа=Перевод в забастовочный фонд
КонецДокумента
КонецФайла
`),
    );
    expect(s.lines.map((l) => [l.bankAccount, l.amount])).toEqual([
      ['40703810000000000001', '-100'],
      ['40703810000000000009', '100'],
    ]);
  });

  const bad: Array<[string, string, RegExp, number | null]> = [
    ['not 1C', 'Дата;Сумма\n', /does not start with the line 1CClientBankExchange/, 1],
    [
      'cut short',
      `${HEAD}СекцияДокумент=Платежное поручение\nНомер=1\n`,
      /not closed by КонецДокумента/,
      5,
    ],
    ['without КонецФайла', HEAD, /without КонецФайла/, 4],
    ['a damaged line', `${HEAD}просто текст\nКонецФайла\n`, /neither Key=Value/, 5],
    [
      'a bad date',
      `${HEAD}СекцияДокумент=Платежное поручение\nДата=31.02.2024\nСумма=1.00\nПлательщикСчет=40703810000000000001\nПолучательСчет=2\nКонецДокумента\nКонецФайла\n`,
      /Дата="31.02.2024" is not a date/,
      6,
    ],
    [
      'too many decimals',
      `${HEAD}СекцияДокумент=Платежное поручение\nДата=01.02.2024\nСумма=1.005\nПлательщикСчет=40703810000000000001\nПолучательСчет=2\nКонецДокумента\nКонецФайла\n`,
      /has 3 digits after the decimal separator/,
      7,
    ],
    [
      'a payment of another account',
      `${HEAD}СекцияДокумент=Платежное поручение\nДата=01.02.2024\nСумма=1.00\nПлательщикСчет=1\nПолучательСчет=2\nКонецДокумента\nКонецФайла\n`,
      /neither is an account of this statement/,
      5,
    ],
    [
      'unbalanced totals',
      `${HEAD}СекцияРасчСчет\nДатаНачала=01.02.2024\nДатаКонца=01.02.2024\nРасчСчет=40703810000000000001\nНачальныйОстаток=10.00\nВсегоПоступило=0\nВсегоСписано=1.00\nКонечныйОстаток=8.00\nКонецРасчСчет\nКонецФайла\n`,
      /do not add up: НачальныйОстаток 10 \+ ВсегоПоступило 0 − ВсегоСписано 1 = 9, but КонечныйОстаток is 8/,
      5,
    ],
    [
      'documents missing from the totals',
      `${HEAD}СекцияРасчСчет\nДатаНачала=01.02.2024\nДатаКонца=01.02.2024\nРасчСчет=40703810000000000001\nНачальныйОстаток=10.00\nВсегоПоступило=0\nВсегоСписано=1.00\nКонечныйОстаток=9.00\nКонецРасчСчет\nКонецФайла\n`,
      /ВсегоСписано=1 for 40703810000000000001, but the file's documents for it add up to 0/,
      11,
    ],
    [
      'no account',
      '1CClientBankExchange\nКодировка=Windows\nКонецФайла\n',
      /not a statement from it/,
      1,
    ],
  ];
  it.each(bad)('refuses %s, naming the line', (_name, text, message, line) => {
    const e = failure(file(text));
    expect(e.message).toMatch(message);
    expect(e.line).toBe(line);
    if (line !== null) expect(e.message).toMatch(new RegExp(`^line ${line}: `));
  });

  it('refuses a file whose encoding is not the one it declares', () => {
    const e = failure(file(`${HEAD.replace('Windows', 'DOS')}КонецФайла\n`, 'windows-1251'));
    expect(e.code).toBe('1c.encoding');
    expect(e.line).toBe(3);
    expect(e.message).toMatch(/says Кодировка=DOS .* but it is written in Windows-1251/);
    const converted = new TextEncoder().encode(`${HEAD}КонецФайла\n`);
    expect(failure(converted).message).toMatch(
      /says Кодировка=Windows .* but it is written in UTF-8/,
    );
  });

  it('refuses a file in an encoding none of whose keys read', () => {
    const koi8 = Uint8Array.from([
      ...new TextEncoder().encode('1CClientBankExchange\r\n'),
      0xeb,
      0xcf,
      0xc4,
      0x3d,
      0x31,
      0x0d,
      0x0a,
    ]);
    expect(failure(koi8).message).toMatch(/none of its keys/);
  });

  it('refuses a file larger than the bound before reading it', () => {
    expect(() => parse1C(file(HEAD), { maxBytes: 10 })).toThrow(/statements of at most 10 bytes/);
  });

  it('writes what it reads, in both code pages', () => {
    const statement = {
      from: '2024-01-01',
      to: '2024-01-31',
      sections: [
        {
          account: '40703810000000000001',
          from: '2024-01-01',
          to: '2024-01-31',
          opening: '100',
          closing: '-50.5',
        },
      ],
      payments: [
        {
          bankAccount: '40703810000000000001',
          date: '2024-01-09',
          amount: '-150.5',
          number: '12',
          counterparty: 'ИП Ёжиков',
          counterpartyAccount: '40802810000000000003',
          purpose: 'Аренда зала',
        },
      ],
    };
    for (const enc of ['Windows', 'DOS'] as const) {
      const s = parse1C(write1C(statement, enc));
      expect(s.lines.map((l) => [l.amount, l.counterparty, l.purpose])).toEqual([
        ['-150.5', 'ИП Ёжиков', 'Аренда зала'],
      ]);
      expect(s.balances.map((b) => b.amount)).toEqual(['100', '-50.5']);
    }
  });
});
