/**
 * The reports (`tamga books report KIND`): trial balance (оборотно-сальдовая ведомость), income
 * and expense, balance sheet, fund balances, dues per member organisation, and an account's
 * register; for a period, with account names in the reader's language. Every figure links to
 * the sealed records behind it; the same report downloads as CSV.
 */

import type { TFunction } from 'i18next';
import { type FormEvent, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { REPORT_LABELS } from '../../../src/books/reports.js';
import {
  BOOKS_ACCOUNT_TYPES,
  BOOKS_REPORT_KINDS,
  type BooksReportQuery,
  type BooksReportResponse,
} from '../../../src/server/app/api-books.js';
import { formatDate } from '../../i18n/format.js';
import { useLang } from '../../shared/use-lang.js';
import { api, routeUrl } from '../api.js';
import {
  AccountSelect,
  Amount,
  BooksDate,
  BooksPeriodFields,
  entryPath,
  RecordLinks,
} from '../books/ui.js';
import { Link, navigate, useLocation } from '../router.js';
import { ErrorMessage, Loading, Panel, ScrollTable, useLoad } from '../ui.js';

type Kind = (typeof BOOKS_REPORT_KINDS)[number];
const DATE = /^\d{4}-\d{2}-\d{2}$/;

interface ReportAsk {
  readonly kind: Kind;
  readonly from?: string;
  readonly to?: string;
  readonly account?: string;
}

function askOf(search: URLSearchParams): ReportAsk {
  const k = search.get('kind');
  const kind = (BOOKS_REPORT_KINDS as readonly string[]).includes(k ?? '')
    ? (k as Kind)
    : 'trial-balance';
  const from = search.get('from');
  const to = search.get('to');
  const account = search.get('account');
  return {
    kind,
    ...(from !== null && DATE.test(from) ? { from } : {}),
    ...(to !== null && DATE.test(to) ? { to } : {}),
    ...(account !== null && account !== '' ? { account } : {}),
  };
}

function searchOf(ask: Record<string, string | undefined>): string {
  const s = new URLSearchParams();
  for (const [k, v] of Object.entries(ask)) if (v !== undefined && v !== '') s.set(k, v);
  return `/books/reports?${s.toString()}`;
}

export function BooksReports() {
  const { t } = useTranslation('app');
  const lang = useLang();
  const { search } = useLocation();
  const ask = askOf(search);
  const needsAccount = ask.kind === 'register' && ask.account === undefined;
  const query: BooksReportQuery = {
    lang,
    ...(ask.from === undefined ? {} : { from: ask.from }),
    ...(ask.to === undefined ? {} : { to: ask.to }),
    ...(ask.kind === 'register' && ask.account !== undefined ? { account: ask.account } : {}),
  };
  const key = JSON.stringify([ask.kind, query]);
  const report = useLoad(
    () => (needsAccount ? Promise.resolve(null) : api.booksReport(ask.kind, query)),
    [key],
  );
  const chart = useLoad(() => api.booksAccounts(), []);
  const csv = routeUrl('booksReport', { kind: ask.kind }, { ...query, format: 'csv' });
  return (
    <div data-testid="books-reports">
      <Panel title={t('books.reports.title')}>
        <nav className="tabs" aria-label={t('books.reports.kinds')}>
          {BOOKS_REPORT_KINDS.map((k) => (
            <button
              key={k}
              type="button"
              aria-pressed={k === ask.kind}
              data-kind={k}
              onClick={() => navigate(searchOf({ ...ask, kind: k }))}
            >
              {t(`books.report.${k}`)}
            </button>
          ))}
        </nav>
        <p className="hint">{t(`books.reportHelp.${ask.kind}`)}</p>
        <ReportFilters key={key} ask={ask} accounts={chart.data?.accounts ?? []} />
        {needsAccount ? (
          <p className="banner warn">{t('books.reports.chooseAccount')}</p>
        ) : (
          <>
            <ErrorMessage error={report.error} />
            {report.loading && <Loading />}
            {report.data != null && !report.loading && (
              <ReportView report={report.data} csv={csv} />
            )}
          </>
        )}
      </Panel>
    </div>
  );
}

function ReportFilters({
  ask,
  accounts,
}: {
  ask: ReportAsk;
  accounts: Parameters<typeof AccountSelect>[0]['accounts'];
}) {
  const { t } = useTranslation('app');
  const [from, setFrom] = useState(ask.from ?? '');
  const [to, setTo] = useState(ask.to ?? '');
  const [account, setAccount] = useState(ask.account ?? '');
  const submit = (e: FormEvent) => {
    e.preventDefault();
    navigate(
      searchOf({ kind: ask.kind, from, to, account: ask.kind === 'register' ? account : '' }),
    );
  };
  return (
    <form className="filters" onSubmit={submit} data-testid="report-filters">
      <BooksPeriodFields from={from} to={to} onFrom={setFrom} onTo={setTo} />
      {ask.kind === 'register' && (
        <label>
          {t('books.reports.account')}
          <AccountSelect
            accounts={accounts}
            value={account}
            name="account"
            empty={t('books.reports.chooseAccountOption')}
            onChange={(path) => setAccount(path)}
          />
        </label>
      )}
      <div className="buttons">
        <button type="submit" className="primary" data-testid="report-show">
          {t('books.reports.show')}
        </button>
      </div>
    </form>
  );
}

/**
 * The fixed words src/books/reports.ts writes into cells (English), by the key that translates
 * them. Only these exact values of total rows, funds and statuses are translated; names and
 * descriptions are the union's own words and stay as they are.
 */
const LABELS: Readonly<Record<string, string>> = Object.fromEntries(
  Object.entries(REPORT_LABELS).map(([key, english]) => [english, key]),
);
const STATUS = /^(reverses|reversed by|replaces an entry of) ([0-9A-Z]{26})$/;
const STATUS_KEYS: Readonly<Record<string, string>> = {
  reverses: 'reverses',
  'reversed by': 'reversedBy',
  'replaces an entry of': 'replaces',
};

/** Returns a cell as the reader's language says it, where it is one of the books' own words. */
function cellText(t: TFunction<'app'>, key: string, value: string, total: boolean): string {
  if (
    (key === 'type' || key === 'section') &&
    (BOOKS_ACCOUNT_TYPES as readonly string[]).includes(value)
  ) {
    return t(`books.type.${value}`);
  }
  if ((key === 'type' || key === 'section') && value === 'undeclared') {
    return t('books.label.undeclared');
  }
  if (key === 'section' && (value === 'result' || value === 'check')) {
    return t(`books.label.${value}`);
  }
  if (key === 'kind' && ['original', 'reversal', 'replacement'].includes(value)) {
    return t(`books.entryKind.${value}`);
  }
  const label = LABELS[value];
  if (label !== undefined && (total || key === 'fund')) return t(`books.label.${label}`);
  const status = key === 'status' ? STATUS.exec(value) : null;
  if (status !== null) {
    return t(`books.label.${STATUS_KEYS[status[1]!]}`, { id: status[2]! });
  }
  return value;
}

function ReportView({ report, csv }: { report: BooksReportResponse; csv: string }) {
  const { t } = useTranslation('app');
  const lang = useLang();
  const register = report.kind === 'register';
  return (
    <div data-testid="report" data-kind={report.kind}>
      <h3>
        {t(`books.report.${report.kind}`)}
        {(report.from !== undefined || report.to !== undefined) && (
          <small>
            {' '}
            {t('books.reports.period', {
              from: report.from === undefined ? '…' : formatDate(report.from, lang),
              to: report.to === undefined ? '…' : formatDate(report.to, lang),
            })}
          </small>
        )}
      </h3>
      {report.notes.length > 0 && (
        <div className="banner warn" data-testid="report-notes">
          <p>{t('books.reports.notes')}</p>
          <ul>
            {report.notes.map((n) => (
              <li key={n}>{n}</li>
            ))}
          </ul>
        </div>
      )}
      <p>
        <a href={csv} download data-testid="report-csv">
          {t('books.reports.csv')}
        </a>
      </p>
      {report.rows.length === 0 ? (
        <p>{t('books.reports.empty')}</p>
      ) : (
        <ScrollTable
          className="report"
          testId="report-table"
          head={
            <>
              {report.columns.map((c) => (
                <th key={c.key} className={c.amount === true ? 'num' : undefined}>
                  {t(`books.column.${c.key}`, { defaultValue: c.title })}
                </th>
              ))}
              <th>{t('books.reports.records')}</th>
            </>
          }
        >
          {report.rows.map((r, i) => (
            <tr
              // biome-ignore lint/suspicious/noArrayIndexKey: rows are positional.
              key={i}
              className={r.total === true ? 'total' : undefined}
              data-testid="report-row"
            >
              {report.columns.map((c) => {
                const v = r.values[c.key] ?? '';
                return (
                  <td
                    key={c.key}
                    className={c.amount === true ? 'num' : c.key === 'date' ? 'nowrap' : undefined}
                  >
                    {c.amount === true ? (
                      v === '' ? (
                        ''
                      ) : (
                        <Amount value={v} />
                      )
                    ) : register && c.key === 'record' && v !== '' ? (
                      <Link to={entryPath(v)} className="mono">
                        {v}
                      </Link>
                    ) : c.key === 'date' ? (
                      <BooksDate date={v} />
                    ) : (
                      cellText(t, c.key, v, r.total === true)
                    )}
                  </td>
                );
              })}
              <td>
                <RecordLinks ids={r.records} max={1} />
              </td>
            </tr>
          ))}
        </ScrollTable>
      )}
    </div>
  );
}
