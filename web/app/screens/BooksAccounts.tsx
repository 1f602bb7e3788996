/**
 * The chart of accounts as a tree: each account's name in the reader's language, its type,
 * currency, fund and balance; closed accounts marked. With `seal`: the starting union chart
 * when the chart is empty, and a form to add an account or change one. Every change is sealed
 * as a record, so the chart a restored vault or a mirror rebuilds is the same.
 */
import { type FormEvent, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { ACCOUNT_ROLES } from '../../../src/records/books.js';
import {
  BOOKS_ACCOUNT_TYPES,
  type BooksAccountRequest,
  type BooksAccountsResponse,
  type BooksAccountView,
} from '../../../src/server/app/api-books.js';
import { useLang } from '../../shared/use-lang.js';
import { api } from '../api.js';
import { accountName, chartOrder, depthOf } from '../books/chart.js';
import { Amount, RecordLinks, SealButtons } from '../books/ui.js';
import { Link } from '../router.js';
import { useSession } from '../session.js';
import {
  ErrorMessage,
  Field,
  Loading,
  Num,
  Panel,
  ScrollTable,
  SelectField,
  useAction,
  useLoad,
} from '../ui.js';

type AccountType = (typeof BOOKS_ACCOUNT_TYPES)[number];
type Role = (typeof ACCOUNT_ROLES)[number];

export function BooksAccounts() {
  const { t } = useTranslation('app');
  const { may } = useSession();
  const loaded = useLoad(() => api.booksAccounts(), []);
  const [chart, setChart] = useState<BooksAccountsResponse | null>(null);
  const [editing, setEditing] = useState<BooksAccountView | 'new' | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const data = chart ?? loaded.data;

  const sealStartingChart = async () => {
    setBusy(true);
    setError(null);
    setNotice(null);
    try {
      const before = data?.accounts.length ?? 0;
      const after = await api.booksStartingChart();
      setChart(after);
      setNotice(t('books.accounts.startingSealed', { count: after.accounts.length - before }));
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  };

  if (data === null) {
    return loaded.loading ? <Loading /> : <ErrorMessage error={loaded.error} />;
  }
  return (
    <div data-testid="books-accounts">
      <Panel title={t('books.accounts.title')}>
        <p className="hint">{t('books.accounts.intro')}</p>
        {data.problems.length > 0 && (
          <div className="banner bad" data-testid="books-problems">
            <p>{t('books.accounts.problems', { count: data.problems.length })}</p>
            <ul>
              {data.problems.map((p) => (
                <li key={`${p.record}-${p.message}`}>
                  <RecordLinks ids={[p.record]} /> {p.message}
                </li>
              ))}
            </ul>
          </div>
        )}
        <ErrorMessage error={error} />
        {notice !== null && (
          <p className="banner ok" data-testid="books-notice">
            {notice}
          </p>
        )}
        {data.accounts.length === 0 ? (
          <div className="banner warn" data-testid="chart-empty">
            <p>{t('books.accounts.empty')}</p>
            {may('seal') && (
              <>
                <p>{t('books.accounts.startingHelp')}</p>
                <button
                  type="button"
                  className="primary"
                  disabled={busy}
                  onClick={() => void sealStartingChart()}
                  data-testid="seal-starting-chart"
                >
                  {busy ? t('books.common.sealing') : t('books.accounts.sealStarting')}
                </button>
              </>
            )}
          </div>
        ) : (
          <ChartTable
            accounts={data.accounts}
            suspense={data.suspense}
            onEdit={may('seal') ? (a) => setEditing(a) : null}
          />
        )}
        {may('seal') && editing === null && (
          <div className="buttons">
            <button
              type="button"
              onClick={() => {
                setNotice(null);
                setEditing('new');
              }}
              data-testid="account-add"
            >
              {t('books.accounts.add')}
            </button>
          </div>
        )}
      </Panel>
      {may('seal') && editing !== null && (
        <AccountForm
          key={editing === 'new' ? '' : editing.path}
          account={editing === 'new' ? null : editing}
          onCancel={() => setEditing(null)}
          onSealed={(after, path) => {
            setChart(after);
            setEditing(null);
            setNotice(t('books.accounts.sealed', { path }));
          }}
        />
      )}
    </div>
  );
}

function ChartTable({
  accounts,
  suspense,
  onEdit,
}: {
  accounts: readonly BooksAccountView[];
  suspense: string;
  onEdit: ((a: BooksAccountView) => void) | null;
}) {
  const { t } = useTranslation('app');
  const lang = useLang();
  return (
    <ScrollTable
      className="chart"
      testId="chart"
      head={
        <>
          <th>{t('books.accounts.account')}</th>
          <th>{t('books.accounts.type')}</th>
          <th>{t('books.accounts.currency')}</th>
          <th>{t('books.accounts.fund')}</th>
          <th className="num">{t('books.accounts.debitBalance')}</th>
          <th className="num">{t('books.accounts.creditBalance')}</th>
          {onEdit !== null && (
            <th>
              <span className="visually-hidden">{t('books.accounts.actions')}</span>
            </th>
          )}
        </>
      }
    >
      {chartOrder(accounts).map((a) => (
        <tr
          key={a.path}
          className={a.closed ? 'closed' : undefined}
          data-testid="chart-row"
          data-path={a.path}
        >
          <td className={`tree depth-${Math.min(depthOf(a.path), 8)}`}>
            <span className="account-label">
              {accountName(a, a.path, lang)}
              <small className="path">{a.path}</small>
            </span>
            {a.closed && <span className="badge">{t('books.accounts.closed')}</span>}
            {a.path === suspense && (
              <span className="badge warn">{t('books.accounts.suspense')}</span>
            )}
            {a.postings > 0 && (
              <small className="postings">
                {t('books.accounts.postings', { count: a.postings })}
              </small>
            )}
            {a.role !== undefined && a.path !== suspense && (
              <small className="role"> {t(`books.role.${a.role}`)}</small>
            )}
          </td>
          <td>{t(`books.type.${a.type}`)}</td>
          <td>{a.currency}</td>
          <td>{a.fund ?? ''}</td>
          <td className="num" data-testid="balance-debit">
            {a.balance.startsWith('-') ? '' : <Amount value={a.balance} />}
          </td>
          <td className="num" data-testid="balance-credit">
            {a.balance.startsWith('-') ? <Amount value={a.balance.slice(1)} /> : ''}
          </td>
          {onEdit !== null && (
            <td>
              <button type="button" className="small" onClick={() => onEdit(a)}>
                {t('books.accounts.edit')}
              </button>
            </td>
          )}
        </tr>
      ))}
    </ScrollTable>
  );
}

function AccountForm({
  account,
  onCancel,
  onSealed,
}: {
  account: BooksAccountView | null;
  onCancel: () => void;
  onSealed: (after: BooksAccountsResponse, path: string) => void;
}) {
  const { t } = useTranslation('app');
  const [path, setPath] = useState(account?.path ?? '');
  const [type, setType] = useState<AccountType>(account?.type ?? 'assets');
  const [currency, setCurrency] = useState(account?.currency ?? 'KGS');
  const [fund, setFund] = useState(account?.fund ?? '');
  const [names, setNames] = useState({
    en: account?.names.en ?? '',
    ru: account?.names.ru ?? '',
    ky: account?.names.ky ?? '',
  });
  const [description, setDescription] = useState(account?.description ?? '');
  const [member, setMember] = useState(account?.member ?? '');
  const [role, setRole] = useState<Role | ''>(account?.role ?? '');
  const [closed, setClosed] = useState(account?.closed ?? false);
  const { busy, error, run } = useAction();
  const used = account !== null && account.postings > 0;
  // The contract's `names` is a record over en/ru/ky, which zod makes exhaustive: all three
  // names, or none.
  const filled = Object.values(names).filter((v) => v.trim() !== '').length;
  const namesPartial = filled > 0 && filled < 3;

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    const named =
      filled === 3 ? { en: names.en.trim(), ru: names.ru.trim(), ky: names.ky.trim() } : undefined;
    const body: BooksAccountRequest = {
      path: path.trim(),
      type,
      currency: currency.trim().toUpperCase(),
      closed,
      ...(named === undefined ? {} : { names: named }),
      ...(fund.trim() === '' ? {} : { fund: fund.trim() }),
      ...(description.trim() === '' ? {} : { description: description.trim() }),
      ...(member.trim() === '' ? {} : { member: member.trim() }),
      ...(role === '' ? {} : { role }),
    };
    await run(async () => onSealed(await api.booksSaveAccount(body), body.path));
  };

  return (
    <Panel
      title={account === null ? t('books.accounts.addTitle') : t('books.accounts.editTitle')}
      testId="account-form"
    >
      <form onSubmit={(e) => void submit(e)}>
        <p className="hint">{t('books.accounts.sealedNote')}</p>
        <div className="form-grid">
          <Field
            className="wide"
            label={t('books.accounts.path')}
            name="path"
            required
            readOnly={account !== null}
            value={path}
            onChange={setPath}
          >
            <small>{t('books.accounts.pathHelp')}</small>
          </Field>
          <SelectField
            label={t('books.accounts.type')}
            name="type"
            value={type}
            disabled={used}
            options={BOOKS_ACCOUNT_TYPES}
            optionLabel={(k) => t(`books.type.${k}`)}
            onChange={setType}
          />
          <Field
            label={t('books.accounts.currency')}
            name="currency"
            required
            maxLength={3}
            disabled={used}
            value={currency}
            onChange={(c) => setCurrency(c.toUpperCase())}
          />
          <Field label={t('books.accounts.fund')} name="fund" value={fund} onChange={setFund}>
            <small>{t('books.accounts.fundHelp')}</small>
          </Field>
          {(['en', 'ru', 'ky'] as const).map((lang) => (
            <Field
              key={lang}
              label={t(`books.accounts.name.${lang}`)}
              name={`name-${lang}`}
              lang={lang}
              value={names[lang]}
              onChange={(v) => setNames((n) => ({ ...n, [lang]: v }))}
            />
          ))}
          <Field
            label={t('books.accounts.member')}
            name="member"
            value={member}
            onChange={setMember}
          >
            <small>{t('books.accounts.memberHelp')}</small>
          </Field>
          <SelectField<Role | ''>
            label={t('books.accounts.role')}
            name="role"
            value={role}
            options={ACCOUNT_ROLES}
            optionLabel={(r) => t(`books.role.${r}`)}
            empty={t('books.accounts.noRole')}
            onChange={setRole}
          />
          <Field
            className="wide"
            label={t('books.accounts.description')}
            name="description"
            value={description}
            onChange={setDescription}
          />
          <label className="inline wide">
            <input
              type="checkbox"
              name="closed"
              checked={closed}
              onChange={(e) => setClosed(e.currentTarget.checked)}
            />{' '}
            {t('books.accounts.closedLabel')}
          </label>
        </div>
        {used && (
          <p className="hint">
            {t('books.accounts.usedNote')} <Num n={account.postings} />
          </p>
        )}
        {namesPartial && (
          <p className="banner warn" data-testid="names-partial">
            {t('books.accounts.namesAll')}
          </p>
        )}
        <SealButtons
          label={t('books.accounts.seal')}
          busy={busy}
          disabled={namesPartial}
          error={error}
          onCancel={onCancel}
          testId="account-seal"
        >
          {account !== null && (
            <Link to={`/books/reports?kind=register&account=${encodeURIComponent(account.path)}`}>
              {t('books.accounts.register')}
            </Link>
          )}
        </SealButtons>
      </form>
    </Panel>
  );
}
