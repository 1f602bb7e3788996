import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseCamt, StatementError } from '../../src/books/import/index.js';
import { parseXml } from '../../src/books/import/xml.js';

const sample = (name: string) => readFileSync(new URL(`./samples/${name}`, import.meta.url));
const utf8 = (s: string) => new TextEncoder().encode(s);

function failure(run: () => unknown): StatementError {
  try {
    run();
  } catch (e) {
    if (e instanceof StatementError) return e;
    throw e;
  }
  throw new Error('accepted');
}

const stmt = (entries: string, balances = '') =>
  utf8(`<?xml version="1.0"?>
<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.053.001.02">
<BkToCstmrStmt><Stmt><Acct><Id><IBAN>KG00TEST</IBAN></Id></Acct>
${balances}${entries}
</Stmt></BkToCstmrStmt></Document>`);

describe('camt.053 statements', () => {
  it('reads signs from CdtDbtInd, a minus written beside DBIT, PDNG left out, reversals kept', () => {
    const s = parseCamt(sample('camt053-grants.xml'));
    expect(s.accounts).toEqual(['DE89370400440532013000', '1240020000999999']);
    expect(
      s.lines.map((l) => [
        l.bankAccount,
        l.date,
        l.amount,
        l.currency,
        l.counterparty,
        l.reference,
      ]),
    ).toEqual([
      [
        'DE89370400440532013000',
        '2024-06-03',
        '12000',
        'EUR',
        "International Transport Workers' Federation",
        '2024060300001',
      ],
      ['DE89370400440532013000', '2024-06-05', '-250', 'EUR', 'Hotel Ala-Too', '2024060500002'],
      ['DE89370400440532013000', '2024-06-07', '-35', 'EUR', '', null],
      ['DE89370400440532013000', '2024-06-10', '35', 'EUR', '', '2024061000003'],
      ['1240020000999999', '2024-06-14', '2000', 'KGS', 'Бишкек шаардык кеңеши', 'KG-77120'],
    ]);
    expect(s.lines[0]!.purpose).toBe('Solidarity grant 2024/17 strike fund & legal aid');
    expect(s.lines[0]!.meta.EndToEndId).toBe('GRANT-2024-17');
    expect(s.lines[1]!.valueDate).toBe('2024-06-04');
    expect(s.lines[3]!.meta.RvslInd).toBe('true');
    expect(s.warnings).toEqual([
      'line 66: the entry amount -250.00 has a minus sign; read as DBIT 250',
      'the entry at line 83 is PDNG, not booked, and was left out',
    ]);
    // A DBIT balance is overdrawn; PRCD (previous closing) opens the next day.
    expect(s.balances.map((b) => [b.bankAccount, b.kind, b.date, b.amount])).toEqual([
      ['DE89370400440532013000', 'opening', '2024-06-01', '5000'],
      ['DE89370400440532013000', 'closing', '2024-06-30', '16750'],
      ['1240020000999999', 'opening', '2024-06-03', '-1500'],
      ['1240020000999999', 'closing', '2024-06-30', '500'],
    ]);
  });

  it('refuses a DOCTYPE, and so every entity it could declare', () => {
    const e = failure(() => parseCamt(sample('camt053-doctype.xml')));
    expect(e.code).toBe('xml.doctype');
    expect(e.line).toBe(2);
  });

  it('refuses an entity that no DOCTYPE declared', () => {
    const e = failure(() => parseCamt(stmt('<Ntry><Amt Ccy="EUR">1.00</Amt>&lol;</Ntry>')));
    expect(e.code).toBe('xml.entity');
    expect(e.message).toMatch(/&lol; is refused/);
  });

  it('refuses an oversized file before reading it, and nesting past the bound', () => {
    const big = utf8(`<Document>${' '.repeat(2000)}</Document>`);
    expect(
      failure(() => parseCamt(big, { limits: { maxBytes: 1000, maxDepth: 64, maxAttributes: 32 } }))
        .code,
    ).toBe('xml.too-large');
    const deep = utf8(`${'<a>'.repeat(100)}${'</a>'.repeat(100)}`);
    expect(failure(() => parseXml(deep)).code).toBe('xml.limit');
  });

  it('refuses a minus beside CRDT, a missing sign and a missing currency', () => {
    expect(
      failure(() =>
        parseCamt(
          stmt(
            '<Ntry><Amt Ccy="EUR">-1.00</Amt><CdtDbtInd>CRDT</CdtDbtInd><BookgDt><Dt>2024-01-01</Dt></BookgDt></Ntry>',
          ),
        ),
      ).message,
    ).toMatch(/negative, but CdtDbtInd says CRDT/);
    expect(
      failure(() =>
        parseCamt(
          stmt('<Ntry><Amt Ccy="EUR">1.00</Amt><BookgDt><Dt>2024-01-01</Dt></BookgDt></Ntry>'),
        ),
      ).code,
    ).toBe('camt.sign');
    expect(
      failure(() => parseCamt(stmt('<Ntry><Amt>1.00</Amt><CdtDbtInd>CRDT</CdtDbtInd></Ntry>')))
        .code,
    ).toBe('camt.currency');
  });

  it('refuses too many decimals for the currency, naming the line', () => {
    const e = failure(() =>
      parseCamt(
        stmt(
          '\n\n<Ntry><Amt Ccy="KGS">1.005</Amt><CdtDbtInd>CRDT</CdtDbtInd><BookgDt><Dt>2024-01-01</Dt></BookgDt></Ntry>',
        ),
      ),
    );
    expect(e.code).toBe('amount.decimals');
    expect(e.line).toBe(6);
  });

  it('refuses balances that the entries do not explain', () => {
    const bal = (code: string, amount: string) =>
      `<Bal><Tp><CdOrPrtry><Cd>${code}</Cd></CdOrPrtry></Tp><Amt Ccy="EUR">${amount}</Amt><CdtDbtInd>CRDT</CdtDbtInd><Dt><Dt>2024-01-01</Dt></Dt></Bal>`;
    const e = failure(() =>
      parseCamt(
        stmt(
          '<Ntry><Amt Ccy="EUR">1.00</Amt><CdtDbtInd>CRDT</CdtDbtInd><BookgDt><Dt>2024-01-01</Dt></BookgDt></Ntry>',
          bal('OPBD', '10.00') + bal('CLBD', '12.00'),
        ),
      ),
    );
    expect(e.code).toBe('camt.unbalanced');
    expect(e.message).toMatch(/opening 10 \+ entries 1 = 11, but the closing balance is 12/);
  });

  it('refuses other XML: another message, not well formed, cut short, not UTF-8', () => {
    expect(
      failure(() => parseCamt(utf8('<Document><BkToCstmrAcctRpt/></Document>'))).message,
    ).toMatch(/BkToCstmrAcctRpt.*not a camt.053/);
    expect(failure(() => parseCamt(utf8('<html><body/></html>'))).code).toBe('camt.not-camt');
    expect(failure(() => parseCamt(utf8('<Document>\n<a></b></Document>'))).line).toBe(2);
    expect(failure(() => parseCamt(utf8('<Document><BkToCstmrStmt>'))).code).toBe('xml.truncated');
    expect(
      failure(() => parseCamt(Uint8Array.of(0x3c, 0x61, 0x3e, 0xff, 0x3c, 0x2f, 0x61, 0x3e))).code,
    ).toBe('xml.encoding');
  });
});
