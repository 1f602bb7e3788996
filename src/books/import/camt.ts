/**
 * ISO 20022 camt.053 bank-to-customer statements (`Document/BkToCstmrStmt/Stmt`, versions 02 to
 * 13): each `Stmt` is one account (`Acct/Id/IBAN` or `Acct/Id/Othr/Id`), with balances (`Bal`,
 * type `OPBD` opening booked / `PRCD` previous closing, and `CLBD` closing booked) and entries
 * (`Ntry`). Amounts are unsigned (`Amt Ccy="EUR"`); the sign is `CdtDbtInd`: `CRDT` money in,
 * `DBIT` money out, also on balances (a `DBIT` balance is overdrawn). A reversal (`RvslInd`)
 * keeps the sign its `CdtDbtInd` gives: that is the direction money moved.
 *
 * Read with the bounded reader of xml.ts: no DOCTYPE, no entities, bounded size and depth.
 */
import {
  addDecimals,
  compareDecimals,
  type DecimalText,
  minorUnits,
  negateDecimal,
  parseAmount,
  subtractDecimals,
  sumDecimals,
} from './decimal.js';
import { quote, StatementError } from './errors.js';
import { isCalendarDate } from './onec.js';
import type { ParsedStatement, StatementBalance, StatementLine } from './types.js';
import {
  at,
  child,
  children,
  parseXml,
  textAt,
  XML_LIMITS,
  type XmlElement,
  type XmlLimits,
} from './xml.js';

/** Returns true when `bytes` look like an XML document (after a BOM and white space). */
export function looksXml(bytes: Uint8Array): boolean {
  let i = bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf ? 3 : 0;
  while (
    i < bytes.length &&
    (bytes[i] === 0x20 || bytes[i] === 0x09 || bytes[i] === 0x0a || bytes[i] === 0x0d)
  )
    i++;
  return bytes[i] === 0x3c;
}

/** Options of `parseCamt`. */
export interface CamtOptions {
  readonly limits?: XmlLimits;
}

/** Entry references that say nothing: banks fill the element when they have no reference. */
const NO_REFERENCE = new Set(['', 'NOTPROVIDED', 'NONREF', 'NONE']);

/**
 * Reads a camt.053 statement. Returns its lines and balances; throws StatementError naming the
 * line for XML that is unsafe or malformed (see parseXml), a document that is not camt.053, an
 * entry or balance without amount, currency, sign or date, an amount whose sign contradicts
 * `CdtDbtInd`, or balances that do not add up with the booked entries.
 */
export function parseCamt(bytes: Uint8Array, options: CamtOptions = {}): ParsedStatement {
  const root = parseXml(bytes, options.limits ?? XML_LIMITS);
  if (root.name !== 'Document') {
    throw new StatementError(
      'camt.not-camt',
      root.line,
      `the XML file's root is <${root.name}>, not <Document>: it is not an ISO 20022 message`,
    );
  }
  const ns =
    root.attributes.xmlns ??
    Object.entries(root.attributes).find(([k]) => k.startsWith('xmlns:'))?.[1] ??
    '';
  const body = child(root, 'BkToCstmrStmt');
  if (body === undefined) {
    const what = root.children[0]?.name ?? 'nothing';
    throw new StatementError(
      'camt.not-camt',
      root.children[0]?.line ?? root.line,
      `this ISO 20022 message is <${what}>${ns ? ` (${ns})` : ''}, not a camt.053 statement (<BkToCstmrStmt>). Ask the bank for the end-of-day statement, camt.053`,
    );
  }
  const stmts = children(body, 'Stmt');
  if (stmts.length === 0) {
    throw new StatementError('camt.empty', body.line, 'the statement holds no <Stmt>');
  }
  const lines: StatementLine[] = [];
  const balances: StatementBalance[] = [];
  const accounts: string[] = [];
  const warnings: string[] = [];
  let periodFrom: string | null = null;
  let periodTo: string | null = null;
  for (const stmt of stmts) {
    const account = textAt(stmt, 'Acct', 'Id', 'IBAN') || textAt(stmt, 'Acct', 'Id', 'Othr', 'Id');
    if (account === '') {
      throw new StatementError(
        'camt.no-account',
        stmt.line,
        'this <Stmt> names no account (Acct/Id/IBAN or Acct/Id/Othr/Id)',
      );
    }
    if (!accounts.includes(account)) accounts.push(account);
    const accountCcy = textAt(stmt, 'Acct', 'Ccy') || null;
    const from = dateOf(at(stmt, 'FrToDt', 'FrDtTm'));
    const to = dateOf(at(stmt, 'FrToDt', 'ToDtTm'));
    if (from !== null && (periodFrom === null || from < periodFrom)) periodFrom = from;
    if (to !== null && (periodTo === null || to > periodTo)) periodTo = to;

    let opening: StatementBalance | null = null;
    let closing: StatementBalance | null = null;
    for (const bal of children(stmt, 'Bal')) {
      const code = textAt(bal, 'Tp', 'CdOrPrtry', 'Cd') || textAt(bal, 'Tp', 'CdOrPrtry', 'Prtry');
      const kind =
        code === 'OPBD' || code === 'PRCD' ? 'opening' : code === 'CLBD' ? 'closing' : null;
      if (kind === null) continue; // ITBD, CLAV, FWAV…: interim and available balances.
      const { amount, currency } = signedAmount(bal, 'balance', warnings);
      const date = dateOf(child(bal, 'Dt'));
      if (date === null) {
        throw new StatementError(
          'camt.date',
          bal.line,
          `the ${code} balance has no date (Dt/Dt or Dt/DtTm)`,
        );
      }
      // PRCD is the previous day's closing: the opening balance of the day after.
      const b: StatementBalance = {
        bankAccount: account,
        kind,
        date: code === 'PRCD' ? nextDay(date) : date,
        amount,
        currency,
        line: bal.line,
      };
      if (kind === 'opening' && (opening === null || code === 'OPBD')) opening = b;
      if (kind === 'closing') closing = b;
    }
    for (const b of [opening, closing]) if (b !== null) balances.push(b);

    const booked: StatementLine[] = [];
    for (const ntry of children(stmt, 'Ntry')) {
      const status = textAt(ntry, 'Sts', 'Cd') || textAt(ntry, 'Sts');
      if (status !== '' && status !== 'BOOK') {
        warnings.push(`the entry at line ${ntry.line} is ${status}, not booked, and was left out`);
        continue;
      }
      const { amount, currency } = signedAmount(ntry, 'entry', warnings);
      if (accountCcy !== null && currency !== accountCcy) {
        throw new StatementError(
          'camt.currency',
          child(ntry, 'Amt')!.line,
          `the entry is in ${currency}, but the account ${account} is in ${accountCcy}; Tamga reads the booked amount in the account's currency`,
        );
      }
      const date = dateOf(child(ntry, 'BookgDt')) ?? dateOf(child(ntry, 'ValDt'));
      if (date === null) {
        throw new StatementError(
          'camt.date',
          ntry.line,
          'the entry has no booking or value date (BookgDt, ValDt)',
        );
      }
      const valueDate = dateOf(child(ntry, 'ValDt'));
      const details = children(child(ntry, 'NtryDtls'), 'TxDtls');
      const first = details[0];
      const credit = !amount.startsWith('-');
      // The other party: the debtor of money in, the creditor of money out.
      const party = credit ? 'Dbtr' : 'Cdtr';
      const parties = child(first, 'RltdPties');
      const counterparty =
        textAt(parties, party, 'Nm') ||
        textAt(parties, party, 'Pty', 'Nm') ||
        textAt(parties, credit ? 'UltmtDbtr' : 'UltmtCdtr', 'Nm') ||
        textAt(parties, credit ? 'UltmtDbtr' : 'UltmtCdtr', 'Pty', 'Nm');
      const counterpartyAccount =
        textAt(parties, `${party}Acct`, 'Id', 'IBAN') ||
        textAt(parties, `${party}Acct`, 'Id', 'Othr', 'Id');
      const purposes = details.flatMap((d) =>
        children(child(d, 'RmtInf'), 'Ustrd').map((u) => u.text.trim()),
      );
      for (const d of details) {
        const ref = textAt(d, 'RmtInf', 'Strd', 'CdtrRefInf', 'Ref');
        if (ref !== '') purposes.push(ref);
      }
      const purpose = (
        purposes.length > 0 ? purposes.join(' ') : textAt(ntry, 'AddtlNtryInf')
      ).replace(/\s+/g, ' ');
      const serviceRef = textAt(ntry, 'AcctSvcrRef') || textAt(first, 'Refs', 'AcctSvcrRef');
      const endToEnd = details.length === 1 ? textAt(first, 'Refs', 'EndToEndId') : '';
      const meta: Record<string, string> = {};
      const put = (k: string, v: string) => {
        if (v !== '') meta[k] = v;
      };
      put('NtryRef', textAt(ntry, 'NtryRef'));
      put('AcctSvcrRef', serviceRef);
      put('EndToEndId', endToEnd);
      put('TxId', details.length === 1 ? textAt(first, 'Refs', 'TxId') : '');
      put(
        'BkTxCd',
        textAt(ntry, 'BkTxCd', 'Domn', 'Fmly', 'SubFmlyCd') ||
          textAt(ntry, 'BkTxCd', 'Prtry', 'Cd'),
      );
      if (textAt(ntry, 'RvslInd') === 'true') meta.RvslInd = 'true';
      if (details.length > 1) meta.transactions = String(details.length);
      const reference = !NO_REFERENCE.has(serviceRef)
        ? serviceRef
        : !NO_REFERENCE.has(endToEnd)
          ? `e2e:${endToEnd}`
          : null;
      const line: StatementLine = {
        bankAccount: account,
        date,
        ...(valueDate !== null && valueDate !== date ? { valueDate } : {}),
        amount,
        currency,
        counterparty,
        ...(counterpartyAccount !== '' ? { counterpartyAccount } : {}),
        purpose,
        reference,
        line: ntry.line,
        meta,
      };
      if (amount === '0') {
        warnings.push(`the entry at line ${ntry.line} has amount 0 and was left out`);
        continue;
      }
      booked.push(line);
    }
    lines.push(...booked);
    if (opening !== null && closing !== null) {
      const sum = sumDecimals(booked.map((l) => l.amount));
      const expected = addDecimals(opening.amount, sum);
      if (compareDecimals(expected, closing.amount) !== 0) {
        throw new StatementError(
          'camt.unbalanced',
          closing.line,
          `the statement of ${account} does not add up: opening ${opening.amount} + entries ${sum} = ${expected}, but the closing balance is ${closing.amount} (a difference of ${subtractDecimals(closing.amount, expected)}). Entries are missing or altered`,
        );
      }
    }
  }
  return {
    format: 'camt',
    accounts,
    lines,
    balances,
    period: periodFrom !== null && periodTo !== null ? { from: periodFrom, to: periodTo } : null,
    warnings,
    encoding: 'utf-8',
  };
}

/** The amount of a `Bal` or `Ntry`, signed by its `CdtDbtInd`. */
function signedAmount(
  e: XmlElement,
  what: string,
  warnings: string[],
): { amount: DecimalText; currency: string } {
  const amt = child(e, 'Amt');
  if (amt === undefined) {
    throw new StatementError('camt.amount', e.line, `the ${what} has no <Amt>`);
  }
  const currency = amt.attributes.Ccy ?? '';
  if (!/^[A-Z]{3}$/.test(currency)) {
    throw new StatementError(
      'camt.currency',
      amt.line,
      `the ${what}'s amount has no ISO 4217 currency (Ccy=${quote(currency)})`,
    );
  }
  const indicator = textAt(e, 'CdtDbtInd');
  if (indicator !== 'CRDT' && indicator !== 'DBIT') {
    throw new StatementError(
      'camt.sign',
      child(e, 'CdtDbtInd')?.line ?? e.line,
      `the ${what} has CdtDbtInd ${quote(indicator)}; it must be CRDT (money in) or DBIT (money out), which gives the amount its sign`,
    );
  }
  const raw = amt.text.trim();
  const value = parseAmount(
    raw,
    { decimalSeparator: '.', maxDecimals: minorUnits(currency), signed: true },
    amt.line,
    `${what} amount`,
  );
  let magnitude = value;
  if (value.startsWith('-')) {
    // Amounts are unsigned in ISO 20022. Some banks still write "-12.00" beside DBIT; read it as
    // the DBIT it restates. A minus beside CRDT contradicts itself: refuse to guess.
    if (indicator === 'CRDT') {
      throw new StatementError(
        'camt.sign',
        amt.line,
        `the ${what} amount ${raw} is negative, but CdtDbtInd says CRDT (money in): the file contradicts itself`,
      );
    }
    warnings.push(
      `line ${amt.line}: the ${what} amount ${raw} has a minus sign; read as DBIT ${value.slice(1)}`,
    );
    magnitude = negateDecimal(value);
  }
  return { amount: indicator === 'DBIT' ? negateDecimal(magnitude) : magnitude, currency };
}

/** `Dt/Dt`, `Dt/DtTm` or the element's own text (FrDtTm…), as YYYY-MM-DD; null when absent. */
function dateOf(e: XmlElement | undefined): string | null {
  if (e === undefined) return null;
  const raw = textAt(e, 'Dt') || textAt(e, 'DtTm') || e.text.trim();
  if (raw === '') return null;
  const date = raw.slice(0, 10);
  if (
    !isCalendarDate(date) ||
    (raw.length > 10 && raw[10] !== 'T' && raw[10] !== '+' && raw[10] !== 'Z' && raw[10] !== '-')
  ) {
    throw new StatementError('camt.date', e.line, `${quote(raw)} is not an ISO 8601 date`);
  }
  return date;
}

function nextDay(iso: string): string {
  const d = new Date(`${iso}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + 1);
  return d.toISOString().slice(0, 10);
}
