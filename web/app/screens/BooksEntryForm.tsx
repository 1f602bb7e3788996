/**
 * The entry form: date, description, counterparty, postings (account, debit or credit, currency
 * and fund from the account unless changed), and the documents it rests on. It checks the
 * balance per currency and fund as the person types, exactly (bigint minor units), and seals
 * nothing until every currency and fund balances. As the counterparty and description are
 * typed, the accounts chosen for such lines before are offered as chips. The same form corrects
 * an entry, with the reason the correction needs.
 */
import { type FormEvent, useEffect, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { isRecordId } from '../../../src/records/id.js';
import {
  BOOKS_LIMITS,
  type BooksAccountView,
  type BooksEntryRequest,
  type BooksPostingView,
  type BooksSealedResponse,
  type BooksSuggestion,
} from '../../../src/server/app/api-books.js';
import { useLang } from '../../shared/use-lang.js';
import { api } from '../api.js';
import { accountName, byPath } from '../books/chart.js';
import {
  type DraftPosting,
  decimalOf,
  draftBalance,
  postingDecimal,
  readPosting,
  toDebitCredit,
} from '../books/money.js';
import {
  AccountSelect,
  Amount,
  entryPath,
  parseRecordIds,
  ReasonField,
  recordPath,
  SealButtons,
  today,
} from '../books/ui.js';
import { Link } from '../router.js';
import { ErrorMessage, Field, Loading, Panel, ScrollTable, useAction, useLoad } from '../ui.js';

/** What the form starts with: empty, or the version of an entry being corrected. */
export interface EntryDraft {
  readonly date: string;
  readonly description: string;
  readonly counterparty?: string | undefined;
  readonly postings: readonly BooksPostingView[];
  readonly documents: readonly string[];
}

interface Row extends DraftPosting {
  readonly key: number;
}

const SUGGEST_DELAY_MS = 400;
let nextKey = 1;

function emptyRow(): Row {
  return { key: nextKey++, account: '', debit: '', credit: '', currency: 'KGS', fund: '' };
}

function rowsOf(postings: readonly BooksPostingView[]): Row[] {
  if (postings.length === 0) return [emptyRow(), emptyRow()];
  return postings.map((p) => ({
    key: nextKey++,
    account: p.account,
    currency: p.currency,
    fund: p.fund ?? '',
    ...toDebitCredit(p.amount),
  }));
}

/** The new-entry screen. */
export function BooksNewEntry() {
  const { t } = useTranslation('app');
  const chart = useLoad(() => api.booksAccounts(), []);
  const [sealed, setSealed] = useState<BooksSealedResponse | null>(null);
  const [round, setRound] = useState(0);
  if (chart.data === null) {
    return chart.loading ? <Loading /> : <ErrorMessage error={chart.error} />;
  }
  return (
    <div data-testid="books-new-entry">
      {sealed !== null && (
        <p className="banner ok" data-testid="entry-sealed">
          {t('books.form.sealed', { count: sealed.ids.length })}{' '}
          {sealed.ids[0] !== undefined && (
            <Link to={entryPath(sealed.ids[0])} data-testid="entry-sealed-link">
              {t('books.form.openEntry')}
            </Link>
          )}
        </p>
      )}
      <Panel title={t('books.form.title')}>
        {chart.data.accounts.length === 0 ? (
          <p className="banner warn">
            {t('books.form.noChart')} <Link to="/books/accounts">{t('books.nav.accounts')}</Link>
          </p>
        ) : (
          <EntryForm
            key={round}
            accounts={chart.data.accounts}
            submitLabel={t('books.form.seal')}
            onSubmit={async (entry) => {
              setSealed(await api.booksAddEntry(entry));
              setRound((n) => n + 1);
            }}
          />
        )}
      </Panel>
    </div>
  );
}

/** The form itself; `withReason` asks for the reason of a correction. */
export function EntryForm({
  accounts,
  initial,
  withReason = false,
  submitLabel,
  onSubmit,
  onCancel,
}: {
  accounts: readonly BooksAccountView[];
  initial?: EntryDraft;
  withReason?: boolean;
  submitLabel: string;
  onSubmit: (entry: BooksEntryRequest, reason: string) => Promise<void>;
  onCancel?: () => void;
}) {
  const { t } = useTranslation('app');
  const lang = useLang();
  const chart = byPath(accounts);
  const [date, setDate] = useState(initial?.date ?? today());
  const [description, setDescription] = useState(initial?.description ?? '');
  const [counterparty, setCounterparty] = useState(initial?.counterparty ?? '');
  const [rows, setRows] = useState<Row[]>(() => rowsOf(initial?.postings ?? []));
  const [documents, setDocuments] = useState((initial?.documents ?? []).join(' '));
  const [reason, setReason] = useState('');
  const { busy, error, run } = useAction();

  const balance = draftBalance(rows);
  const documentIds = parseRecordIds(documents);
  const badDocuments = documentIds.filter((id) => !isRecordId(id));
  const currencies = [
    ...new Set([...accounts.map((a) => a.currency), ...rows.map((r) => r.currency)]),
  ]
    .filter((c) => c !== '')
    .sort();
  const funds = [
    ...new Set(accounts.flatMap((a) => (a.fund === undefined ? [] : [a.fund]))),
  ].sort();
  const ready =
    balance.balanced &&
    date !== '' &&
    description.trim() !== '' &&
    badDocuments.length === 0 &&
    documentIds.length <= BOOKS_LIMITS.maxDocuments &&
    (!withReason || reason.trim() !== '');

  // The money side (a bank or cash account) says whether money came in or went out.
  const moneyIndex = rows.findIndex((r) => chart.get(r.account)?.type === 'assets');
  const moneyRead = moneyIndex < 0 ? null : readPosting(rows[moneyIndex]!);
  const direction = moneyRead?.state === 'ok' && moneyRead.amount < 0n ? 'out' : 'in';
  const suggestions = useSuggestions(counterparty, description, direction);

  const update = (key: number, change: Partial<DraftPosting>) =>
    setRows((rs) => rs.map((r) => (r.key === key ? { ...r, ...change } : r)));
  const chooseAccount = (key: number, path: string, account: BooksAccountView | undefined) =>
    update(key, {
      account: path,
      ...(account === undefined ? {} : { currency: account.currency, fund: account.fund ?? '' }),
    });
  const applySuggestion = (s: BooksSuggestion) => {
    const others = rows.map((r, i) => ({ r, i })).filter(({ i }) => i !== moneyIndex);
    const target = others.find(({ r }) => r.account === '') ?? others[0];
    if (target !== undefined) chooseAccount(target.r.key, s.account, chart.get(s.account));
  };
  /** Fills a row's empty amount with what its currency and fund still lack. */
  const fillBalance = (row: Row) => {
    const line = balance.lines.find(
      (l) => l.currency === row.currency && l.fund === row.fund.trim(),
    );
    if (line === undefined || line.debit === line.credit) return;
    const lacking = decimalOf(
      line.debit > line.credit ? line.debit - line.credit : line.credit - line.debit,
      row.currency,
    );
    update(
      row.key,
      line.debit > line.credit ? { credit: lacking, debit: '' } : { debit: lacking, credit: '' },
    );
  };

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    if (!ready) return;
    const postings: BooksPostingView[] = [];
    for (const r of rows) {
      const amount = postingDecimal(r);
      if (amount === null || r.account === '') continue;
      postings.push({
        account: r.account,
        amount,
        currency: r.currency,
        ...(r.fund.trim() === '' ? {} : { fund: r.fund.trim() }),
      });
    }
    const entry: BooksEntryRequest = {
      date,
      description: description.trim(),
      postings,
      ...(counterparty.trim() === '' ? {} : { counterparty: counterparty.trim() }),
      ...(documentIds.length === 0 ? {} : { documents: documentIds }),
    };
    await run(() => onSubmit(entry, reason.trim()));
  };

  return (
    <form className="entry-form" onSubmit={(e) => void submit(e)} data-testid="entry-form">
      <p className="hint">{t('books.form.sealedNote')}</p>
      <div className="form-grid">
        <Field
          type="date"
          label={t('books.form.date')}
          name="date"
          required
          value={date}
          onChange={setDate}
        />
        <Field
          className="wide"
          label={t('books.form.description')}
          name="description"
          required
          value={description}
          onChange={setDescription}
        />
        <Field
          className="wide"
          label={t('books.form.counterparty')}
          name="counterparty"
          value={counterparty}
          onChange={setCounterparty}
        />
      </div>
      {suggestions.length > 0 && (
        <div className="chips" data-testid="suggestions">
          <span className="hint">{t('books.form.suggested')}</span>
          {suggestions.map((s) => (
            <button
              key={s.account}
              type="button"
              className="chip"
              data-testid="suggestion"
              data-account={s.account}
              title={t(`books.reason.${s.reason}`)}
              onClick={() => applySuggestion(s)}
            >
              {accountName(chart.get(s.account), s.account, lang)}{' '}
              <small>
                {t('books.form.confidence', { percent: Math.round(s.confidence * 100) })}
              </small>
            </button>
          ))}
        </div>
      )}
      <ScrollTable
        className="postings-edit"
        testId="postings"
        head={
          <>
            <th>{t('books.form.account')}</th>
            <th className="num">{t('books.column.debit')}</th>
            <th className="num">{t('books.column.credit')}</th>
            <th>{t('books.form.currency')}</th>
            <th>{t('books.form.fund')}</th>
            <th>
              <span className="visually-hidden">{t('books.accounts.actions')}</span>
            </th>
          </>
        }
      >
        {rows.map((r, i) => {
          const problem = balance.problems[i] ?? null;
          const account = chart.get(r.account);
          const wrongCurrency = account !== undefined && account.currency !== r.currency;
          const empty = r.debit.trim() === '' && r.credit.trim() === '';
          return (
            <tr
              key={r.key}
              className={problem !== null || wrongCurrency ? 'bad' : undefined}
              data-testid="posting-row"
            >
              <td>
                <AccountSelect
                  accounts={accounts}
                  value={r.account}
                  name="account"
                  label={t('books.form.accountOf', { n: i + 1 })}
                  empty={t('books.form.chooseAccount')}
                  onChange={(path, a) => chooseAccount(r.key, path, a)}
                />
                {problem !== null && (
                  <small className="error-text">{t(`books.form.problem.${problem}`)}</small>
                )}
                {wrongCurrency && (
                  <small className="error-text">
                    {t('books.form.wrongCurrency', { currency: account.currency })}
                  </small>
                )}
              </td>
              <td className="num">
                <input
                  type="text"
                  inputMode="decimal"
                  name="debit"
                  aria-label={t('books.form.debitOf', { n: i + 1 })}
                  value={r.debit}
                  onChange={(e) => update(r.key, { debit: e.currentTarget.value })}
                />
              </td>
              <td className="num">
                <input
                  type="text"
                  inputMode="decimal"
                  name="credit"
                  aria-label={t('books.form.creditOf', { n: i + 1 })}
                  value={r.credit}
                  onChange={(e) => update(r.key, { credit: e.currentTarget.value })}
                />
              </td>
              <td>
                <select
                  name="currency"
                  aria-label={t('books.form.currencyOf', { n: i + 1 })}
                  value={r.currency}
                  onChange={(e) => update(r.key, { currency: e.currentTarget.value })}
                >
                  {currencies.map((c) => (
                    <option key={c} value={c}>
                      {c}
                    </option>
                  ))}
                </select>
              </td>
              <td>
                <input
                  type="text"
                  name="fund"
                  list="books-funds"
                  aria-label={t('books.form.fundOf', { n: i + 1 })}
                  placeholder={t('books.form.generalFund')}
                  value={r.fund}
                  onChange={(e) => update(r.key, { fund: e.currentTarget.value })}
                />
              </td>
              <td className="row-actions">
                {empty && r.account !== '' && !balance.balanced && (
                  <button
                    type="button"
                    className="small"
                    onClick={() => fillBalance(r)}
                    data-testid="fill-balance"
                  >
                    {t('books.form.fillBalance')}
                  </button>
                )}
                <button
                  type="button"
                  className="small"
                  disabled={rows.length <= 2}
                  onClick={() => setRows((rs) => rs.filter((x) => x.key !== r.key))}
                  aria-label={t('books.form.removeRow', { n: i + 1 })}
                >
                  {t('books.form.remove')}
                </button>
              </td>
            </tr>
          );
        })}
      </ScrollTable>
      <datalist id="books-funds">
        {funds.map((f) => (
          <option key={f} value={f} />
        ))}
      </datalist>
      <div className="buttons">
        <button
          type="button"
          disabled={rows.length >= BOOKS_LIMITS.maxPostings}
          onClick={() => setRows((rs) => [...rs, emptyRow()])}
          data-testid="add-posting"
        >
          {t('books.form.addRow')}
        </button>
      </div>
      <BalanceCheck balance={balance} />
      <Field
        label={t('books.form.documents')}
        name="documents"
        value={documents}
        onChange={setDocuments}
      >
        <small>{t('books.form.documentsHelp')}</small>
      </Field>
      {documentIds.length > 0 && (
        <ul className="inline-list">
          {documentIds.map((id) =>
            isRecordId(id) ? (
              <li key={id}>
                <Link to={recordPath(id)} className="mono">
                  {id}
                </Link>
              </li>
            ) : (
              <li key={id} className="error-text">
                {t('books.form.notRecordId', { id })}
              </li>
            ),
          )}
        </ul>
      )}
      {withReason && (
        <ReasonField value={reason} onChange={setReason}>
          <small>{t('books.entry.reasonHelp')}</small>
        </ReasonField>
      )}
      <SealButtons
        label={submitLabel}
        busy={busy}
        disabled={!ready}
        error={error}
        onCancel={onCancel}
        testId="entry-submit"
      />
    </form>
  );
}

/** The live balance: per currency and fund, the debits, the credits, and what is off. */
function BalanceCheck({ balance }: { balance: ReturnType<typeof draftBalance> }) {
  const { t } = useTranslation('app');
  return (
    <div
      className={`balance-check ${balance.balanced ? 'ok' : 'bad'}`}
      aria-live="polite"
      data-testid="balance-check"
      data-balanced={balance.balanced ? 'true' : 'false'}
    >
      {balance.lines.length === 0 ? (
        <p>{t('books.form.balanceEmpty')}</p>
      ) : (
        <ul className="plain">
          {balance.lines.map((l) => {
            const off = l.debit - l.credit;
            return (
              <li key={`${l.currency}-${l.fund}`} className={off === 0n ? 'ok' : 'bad'}>
                <span className={`mark ${off === 0n ? 'ok' : 'bad'}`}>
                  {off === 0n ? '✓' : '✗'}
                </span>{' '}
                {l.fund === ''
                  ? t('books.form.balanceLine', { currency: l.currency })
                  : t('books.form.balanceLineFund', { currency: l.currency, fund: l.fund })}{' '}
                {t('books.column.debit')} <Amount value={decimalOf(l.debit, l.currency)} />,{' '}
                {t('books.column.credit')} <Amount value={decimalOf(l.credit, l.currency)} />
                {off !== 0n && (
                  <>
                    {' — '}
                    <strong>
                      {t('books.form.off')}{' '}
                      <Amount
                        value={decimalOf(off < 0n ? -off : off, l.currency)}
                        currency={l.currency}
                      />
                    </strong>
                  </>
                )}
              </li>
            );
          })}
        </ul>
      )}
      <p data-testid="balance-verdict">
        {balance.balanced
          ? t('books.form.balanced')
          : balance.complete < 2
            ? t('books.form.needTwo')
            : t('books.form.unbalanced')}
      </p>
    </div>
  );
}

/** Suggested accounts for what has been typed so far, asked for once typing pauses. */
function useSuggestions(
  counterparty: string,
  text: string,
  direction: 'in' | 'out',
): readonly BooksSuggestion[] {
  const [found, setFound] = useState<readonly BooksSuggestion[]>([]);
  const latest = useRef(0);
  useEffect(() => {
    const c = counterparty.trim();
    const d = text.trim();
    const n = ++latest.current;
    if (c === '' && d === '') {
      setFound([]);
      return;
    }
    const timer = setTimeout(() => {
      api
        .booksSuggestions({
          direction,
          ...(c === '' ? {} : { counterparty: c }),
          ...(d === '' ? {} : { text: d }),
        })
        .then(
          (r) => {
            if (n === latest.current) setFound(r.suggestions);
          },
          // Suggestions are a convenience: without them the form works the same.
          () => {
            if (n === latest.current) setFound([]);
          },
        );
    }, SUGGEST_DELAY_MS);
    return () => clearTimeout(timer);
  }, [counterparty, text, direction]);
  return found;
}
