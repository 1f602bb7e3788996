/**
 * Writing 1C Client-Bank exchange files: the statement a bank client would export, for tests,
 * benchmarks and sample files. What `parse1C` reads back from it is the statement written.
 */
import { encodeUtf8 } from '../../log/encoding.js';
import { type CodePage, encodeCodePage } from './codepages.js';
import { formatFixed, fromScaled, negateDecimal, toScaled } from './decimal.js';
import { StatementError } from './errors.js';
import { ONEC_MAGIC } from './onec.js';

/** One payment to write: the statement's account, signed amount, the other party. */
export interface OneCPayment {
  readonly bankAccount: string;
  readonly date: string;
  readonly amount: string;
  readonly number: string;
  readonly counterparty: string;
  readonly counterpartyAccount: string;
  readonly counterpartyTaxId?: string;
  readonly purpose: string;
  /** Extra fields, written as they are (budget fields: ПоказательКБК, ОКАТО…). */
  readonly extra?: Readonly<Record<string, string>>;
}

/** One account's section: its period and balances. */
export interface OneCAccountSection {
  readonly account: string;
  readonly from: string;
  readonly to: string;
  readonly opening: string;
  readonly closing: string;
}

/** A statement to write. */
export interface OneCStatement {
  readonly from: string;
  readonly to: string;
  readonly sections: readonly OneCAccountSection[];
  readonly payments: readonly OneCPayment[];
  /** The organisation's name, written as payer or payee opposite the counterparty. */
  readonly owner?: string;
}

const ru = (iso: string) => `${iso.slice(8, 10)}.${iso.slice(5, 7)}.${iso.slice(0, 4)}`;

/**
 * Returns the lines of a 1C exchange file for `statement` (without line ends). Totals
 * (`ВсегоПоступило`, `ВсегоСписано`) are computed from the payments of each section's period.
 */
export function write1CLines(statement: OneCStatement, encoding: 'Windows' | 'DOS'): string[] {
  const out: string[] = [
    ONEC_MAGIC,
    'ВерсияФормата=1.03',
    `Кодировка=${encoding}`,
    'Отправитель=Тамга',
    'Получатель=',
    `ДатаСоздания=${ru(statement.to)}`,
    'ВремяСоздания=12:00:00',
    `ДатаНачала=${ru(statement.from)}`,
    `ДатаКонца=${ru(statement.to)}`,
  ];
  for (const s of statement.sections) out.push(`РасчСчет=${s.account}`);
  out.push('Документ=Платежное поручение');
  for (const s of statement.sections) {
    let totalIn = 0n;
    let totalOut = 0n;
    for (const p of statement.payments) {
      if (p.bankAccount !== s.account || p.date < s.from || p.date > s.to) continue;
      const cents = toScaled(p.amount, 2);
      if (cents < 0n) totalOut -= cents;
      else totalIn += cents;
    }
    const money = (n: bigint) => formatFixed(fromScaled(n, 2), 2);
    out.push(
      'СекцияРасчСчет',
      `ДатаНачала=${ru(s.from)}`,
      `ДатаКонца=${ru(s.to)}`,
      `РасчСчет=${s.account}`,
      `НачальныйОстаток=${formatFixed(s.opening, 2)}`,
      `ВсегоПоступило=${money(totalIn)}`,
      `ВсегоСписано=${money(totalOut)}`,
      `КонечныйОстаток=${formatFixed(s.closing, 2)}`,
      'КонецРасчСчет',
    );
  }
  const owner = statement.owner ?? 'Профсоюз';
  for (const p of statement.payments) {
    const out_ = p.amount.startsWith('-');
    const magnitude = out_ ? negateDecimal(p.amount) : p.amount;
    const us = { account: p.bankAccount, name: owner, taxId: '' };
    const them = {
      account: p.counterpartyAccount,
      name: p.counterparty,
      taxId: p.counterpartyTaxId ?? '',
    };
    const payer = out_ ? us : them;
    const payee = out_ ? them : us;
    out.push(
      'СекцияДокумент=Платежное поручение',
      `Номер=${p.number}`,
      `Дата=${ru(p.date)}`,
      `Сумма=${formatFixed(magnitude, 2)}`,
      `ПлательщикСчет=${payer.account}`,
      out_ ? `ДатаСписано=${ru(p.date)}` : 'ДатаСписано=',
      `Плательщик=${payer.name}`,
      `ПлательщикИНН=${payer.taxId}`,
      `Плательщик1=${payer.name}`,
      `ПолучательСчет=${payee.account}`,
      out_ ? 'ДатаПоступило=' : `ДатаПоступило=${ru(p.date)}`,
      `Получатель=${payee.name}`,
      `ПолучательИНН=${payee.taxId}`,
      `Получатель1=${payee.name}`,
      'ВидОплаты=01',
      'Очередность=5',
    );
    for (const [k, v] of Object.entries(p.extra ?? {})) out.push(`${k}=${v}`);
    out.push(`НазначениеПлатежа=${p.purpose}`, 'КонецДокумента');
  }
  out.push('КонецФайла');
  return out;
}

/**
 * Returns the bytes of a 1C exchange file for `statement`, CRLF, in Windows-1251 or DOS cp866.
 * Throws StatementError `1c.unencodable` for text the code page cannot write.
 */
export function write1C(
  statement: OneCStatement,
  encoding: 'Windows' | 'DOS' = 'Windows',
): Uint8Array {
  const text = `${write1CLines(statement, encoding).join('\r\n')}\r\n`;
  const page: CodePage = encoding === 'Windows' ? 'windows-1251' : 'cp866';
  const encoded = encodeCodePage(text, page);
  if ('badChar' in encoded) {
    const line = text.slice(0, encoded.badChar).split('\r\n').length;
    throw new StatementError(
      '1c.unencodable',
      line,
      `${JSON.stringify(text[encoded.badChar])} cannot be written in ${page}`,
    );
  }
  return encoded.bytes;
}

/** The same file in UTF-8 (what some newer exporters write), for tests. */
export function write1CUtf8(statement: OneCStatement): Uint8Array {
  return encodeUtf8(
    `${write1CLines(statement, 'Windows').join('\r\n').replace('Кодировка=Windows', 'Кодировка=UTF-8')}\r\n`,
  );
}
