/**
 * The transactions, newest date first, a page at a time, narrowed by dates, account and text.
 * Each is listed once, as it stands (corrected and voided ones marked), and opens its own page
 * with every version. The filters live in the query string.
 */
import { type FormEvent, useState } from 'react';
import { useTranslation } from 'react-i18next';
import {
  BOOKS_LIMITS,
  type BooksAccountView,
  type BooksEntryQuery,
  type BooksEntryView,
} from '../../../src/server/app/api-books.js';
import { api } from '../api.js';
import { byPath } from '../books/chart.js';
import {
  AccountLabel,
  AccountSelect,
  Amount,
  BooksDate,
  BooksPeriodFields,
  entryPath,
} from '../books/ui.js';
import { Link, navigate, useLocation } from '../router.js';
import { useSession } from '../session.js';
import {
  ErrorMessage,
  FilterButtons,
  Loading,
  Pager,
  Panel,
  ScrollTable,
  SearchField,
  useLoad,
} from '../ui.js';

const PAGE = BOOKS_LIMITS.defaultPageSize;
const DATE = /^\d{4}-\d{2}-\d{2}$/;

function queryOf(search: URLSearchParams): BooksEntryQuery {
  const q: BooksEntryQuery = { limit: PAGE, offset: Number(search.get('offset') ?? 0) || 0 };
  for (const k of ['from', 'to'] as const) {
    const v = search.get(k);
    if (v !== null && DATE.test(v)) q[k] = v;
  }
  for (const k of ['account', 'text'] as const) {
    const v = search.get(k);
    if (v !== null && v !== '') q[k] = v;
  }
  return q;
}

function searchOf(q: Record<string, string | number | undefined>): string {
  const s = new URLSearchParams();
  for (const [k, v] of Object.entries(q)) {
    if (v !== undefined && v !== '' && !(k === 'offset' && v === 0)) s.set(k, String(v));
  }
  const text = s.toString();
  return text === '' ? '/books/entries' : `/books/entries?${text}`;
}

export function BooksEntries() {
  const { t } = useTranslation('app');
  const { may } = useSession();
  const { search } = useLocation();
  const query = queryOf(search);
  const key = JSON.stringify(query);
  const list = useLoad(() => api.booksEntries(query), [key]);
  const chart = useLoad(() => api.booksAccounts(), []);
  const accounts = chart.data?.accounts ?? [];
  return (
    <div data-testid="books-entries">
      <Panel title={t('books.entries.title')}>
        {may('seal') && (
          <p>
            <Link to="/books/entries/new" data-testid="new-entry-link">
              {t('books.entries.new')}
            </Link>
          </p>
        )}
        <Filters query={query} accounts={accounts} />
        <ErrorMessage error={list.error} />
        {list.data === null ? (
          list.loading && <Loading />
        ) : (
          <>
            <p className="muted" data-testid="entries-total">
              {t('books.entries.found', { count: list.data.total })}
            </p>
            <EntryTable entries={list.data.entries} accounts={accounts} />
            <Pager
              total={list.data.total}
              offset={list.data.offset}
              limit={list.data.limit}
              onPage={(offset) => navigate(searchOf({ ...query, limit: undefined, offset }))}
            />
          </>
        )}
      </Panel>
    </div>
  );
}

function Filters({
  query,
  accounts,
}: {
  query: BooksEntryQuery;
  accounts: readonly BooksAccountView[];
}) {
  const { t } = useTranslation('app');
  const [from, setFrom] = useState(query.from ?? '');
  const [to, setTo] = useState(query.to ?? '');
  const [account, setAccount] = useState(query.account ?? '');
  const [text, setText] = useState(query.text ?? '');
  const submit = (e: FormEvent) => {
    e.preventDefault();
    navigate(searchOf({ from, to, account, text: text.trim() }));
  };
  const clear = () => {
    setFrom('');
    setTo('');
    setAccount('');
    setText('');
    navigate('/books/entries');
  };
  return (
    <form className="filters" onSubmit={submit} data-testid="entry-filters">
      <SearchField
        label={t('books.entries.text')}
        maxLength={BOOKS_LIMITS.maxQueryText}
        value={text}
        onChange={setText}
      />
      <label>
        {t('books.entries.account')}
        <AccountSelect
          accounts={accounts}
          value={account}
          name="account"
          empty={t('books.entries.anyAccount')}
          onChange={(path) => setAccount(path)}
        />
      </label>
      <BooksPeriodFields from={from} to={to} onFrom={setFrom} onTo={setTo} />
      <FilterButtons
        search={t('books.entries.search')}
        clear={t('books.entries.clear')}
        onClear={clear}
      />
    </form>
  );
}

/** Entries as rows: date, description (a link to the entry), counterparty, postings, status. */
export function EntryTable({
  entries,
  accounts,
}: {
  entries: readonly BooksEntryView[];
  accounts: readonly BooksAccountView[];
}) {
  const { t } = useTranslation('app');
  const chart = byPath(accounts);
  if (entries.length === 0) return <p>{t('books.entries.none')}</p>;
  return (
    <ScrollTable
      className="entries"
      testId="entry-list"
      head={
        <>
          <th>{t('books.column.date')}</th>
          <th>{t('books.column.description')}</th>
          <th>{t('books.column.counterparty')}</th>
          <th>{t('books.entries.postings')}</th>
          <th>{t('books.column.status')}</th>
        </>
      }
    >
      {entries.map((e) => (
        <tr
          key={e.id}
          className={e.status === 'void' ? 'void' : undefined}
          data-testid="entry-row"
          data-status={e.status}
        >
          <td className="nowrap">
            <BooksDate date={e.date} />
          </td>
          <td>
            <Link to={entryPath(e.id)}>{e.description}</Link>
            {e.source !== undefined && (
              <small className="muted"> {t('books.entries.imported')}</small>
            )}
          </td>
          <td>{e.counterparty ?? ''}</td>
          <td>
            <ul className="postings-brief">
              {e.postings.map((p, i) => (
                // biome-ignore lint/suspicious/noArrayIndexKey: postings have no identity.
                <li key={i}>
                  <AccountLabel path={p.account} accounts={chart} />{' '}
                  <Amount value={p.amount} currency={p.currency} />
                </li>
              ))}
            </ul>
          </td>
          <td>
            <StatusBadge status={e.status} />
          </td>
        </tr>
      ))}
    </ScrollTable>
  );
}

/** An entry's status: as sealed, corrected, or void. */
export function StatusBadge({ status }: { status: BooksEntryView['status'] }) {
  const { t } = useTranslation('app');
  return (
    <span className={`badge status-${status}`} data-testid="entry-status" data-status={status}>
      {t(`books.status.${status}`)}
    </span>
  );
}
