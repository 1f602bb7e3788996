/**
 * One transaction: the version in force and its status, every version in log order (the
 * original stays visible after a correction), the documents it rests on, the statement line it
 * was imported from, and, with `seal`, a correction (the form prefilled with the current
 * version and a reason) or a void.
 */
import { type FormEvent, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type {
  BooksAccountView,
  BooksEntryResponse,
  BooksPostingView,
} from '../../../src/server/app/api-books.js';
import { api } from '../api.js';
import { byPath } from '../books/chart.js';
import {
  AccountLabel,
  Amount,
  BooksDate,
  ReasonField,
  RecordLinks,
  recordPath,
  SealButtons,
} from '../books/ui.js';
import { Link } from '../router.js';
import { useSession } from '../session.js';
import { ErrorMessage, Loading, Panel, ScrollTable, Time, useAction, useLoad } from '../ui.js';
import { StatusBadge } from './BooksEntries.js';
import { EntryForm } from './BooksEntryForm.js';

type Version = BooksEntryResponse['versions'][number];

export function BooksEntryPage({ id }: { id: string }) {
  const { t } = useTranslation('app');
  const { may } = useSession();
  const loaded = useLoad(() => api.booksEntry(id), [id]);
  const chart = useLoad(() => api.booksAccounts(), []);
  const [acting, setActing] = useState<'correct' | 'void' | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const accounts = chart.data?.accounts ?? [];
  const byAccount = byPath(accounts);
  if (loaded.data === null) {
    return loaded.loading ? <Loading /> : <ErrorMessage error={loaded.error} />;
  }
  const { entry, versions } = loaded.data;
  const sealed = (ids: readonly string[]) => {
    setActing(null);
    setNotice(t('books.entry.corrected', { id: ids[0] ?? '' }));
    loaded.reload();
  };
  return (
    <div className="entry-page" data-testid="books-entry">
      <h2>
        {entry.description} <StatusBadge status={entry.status} />
      </h2>
      {notice !== null && (
        <p className="banner ok" data-testid="books-notice">
          {notice}
        </p>
      )}
      {entry.status === 'void' && <p className="banner warn">{t('books.entry.voidNote')}</p>}
      <Panel title={t('books.entry.current')} testId="entry-current">
        <dl className="fields">
          <dt>{t('books.column.date')}</dt>
          <dd data-testid="entry-date">
            <BooksDate date={entry.date} />
          </dd>
          <dt>{t('books.column.counterparty')}</dt>
          <dd>{entry.counterparty ?? '—'}</dd>
          <dt>{t('books.entry.original')}</dt>
          <dd>
            <Link to={recordPath(entry.id)} className="mono">
              {entry.id}
            </Link>
          </dd>
          {entry.current !== entry.id && (
            <>
              <dt>{t('books.entry.inForce')}</dt>
              <dd>
                <Link to={recordPath(entry.current)} className="mono">
                  {entry.current}
                </Link>
              </dd>
            </>
          )}
          <dt>{t('books.entry.sealedBy')}</dt>
          <dd>
            {entry.author}, <Time iso={entry.created} />
          </dd>
          <dt>{t('books.entry.documents')}</dt>
          <dd data-testid="entry-documents">
            {entry.documents.length === 0 ? (
              t('books.entry.noDocuments')
            ) : (
              <RecordLinks ids={entry.documents} max={20} />
            )}
          </dd>
          {entry.source !== undefined && (
            <>
              <dt>{t('books.entry.source')}</dt>
              <dd data-testid="entry-source">
                <Link to={recordPath(entry.source.statement)}>
                  {t('books.entry.statementLine', { line: entry.source.line })}
                </Link>
              </dd>
            </>
          )}
        </dl>
        {entry.status !== 'void' && <PostingTable postings={entry.postings} accounts={byAccount} />}
        {may('seal') && entry.status !== 'void' && acting === null && (
          <div className="buttons">
            <button
              type="button"
              className="primary"
              onClick={() => {
                setNotice(null);
                setActing('correct');
              }}
              data-testid="entry-correct"
            >
              {t('books.entry.correct')}
            </button>
            <button
              type="button"
              className="danger"
              onClick={() => {
                setNotice(null);
                setActing('void');
              }}
              data-testid="entry-void"
            >
              {t('books.entry.void')}
            </button>
          </div>
        )}
      </Panel>
      {acting === 'correct' && chart.data !== null && (
        <Panel title={t('books.entry.correctTitle')} testId="entry-correction">
          <p className="hint">{t('books.entry.correctHelp')}</p>
          <EntryForm
            accounts={chart.data.accounts}
            initial={{
              date: entry.date,
              description: entry.description,
              counterparty: entry.counterparty,
              postings: entry.postings,
              documents: entry.documents,
            }}
            withReason
            submitLabel={t('books.entry.sealCorrection')}
            onCancel={() => setActing(null)}
            onSubmit={async (replacement, reason) => {
              sealed(
                (await api.booksCorrect(entry.id, { reason, current: entry.current, replacement }))
                  .ids,
              );
            }}
          />
        </Panel>
      )}
      {acting === 'void' && (
        <VoidForm
          onCancel={() => setActing(null)}
          onSubmit={async (reason) => {
            sealed(
              (await api.booksCorrect(entry.id, { reason, current: entry.current, void: true }))
                .ids,
            );
          }}
        />
      )}
      <Panel title={t('books.entry.versions', { count: versions.length })} testId="entry-versions">
        <p className="hint">{t('books.entry.versionsHelp')}</p>
        <ol className="versions">
          {versions.map((v, i) => (
            <VersionView
              key={v.record}
              version={v}
              n={i + 1}
              current={v.record === entry.current}
              accounts={byAccount}
            />
          ))}
        </ol>
      </Panel>
      <p>
        <Link to="/books/entries">{t('books.entry.back')}</Link>
      </p>
    </div>
  );
}

function VersionView({
  version: v,
  n,
  current,
  accounts,
}: {
  version: Version;
  n: number;
  current: boolean;
  accounts: ReadonlyMap<string, BooksAccountView>;
}) {
  const { t } = useTranslation('app');
  const isVoid = v.kind === 'correction' && v.postings === undefined;
  return (
    <li
      className={`version${current ? ' current' : ''}`}
      data-testid="entry-version"
      data-kind={v.kind}
    >
      <h3>
        {v.kind === 'transaction'
          ? t('books.entry.versionOriginal', { n })
          : isVoid
            ? t('books.entry.versionVoid', { n })
            : t('books.entry.versionCorrection', { n })}
        {current && <span className="badge">{t('books.entry.inForceBadge')}</span>}
      </h3>
      <p className="muted">
        <Link to={recordPath(v.record)} className="mono">
          {v.record}
        </Link>{' '}
        · {v.author} · <Time iso={v.created} />
      </p>
      {v.reason !== undefined && (
        <p data-testid="version-reason">
          <strong>{t('books.entry.reason')}:</strong> {v.reason}
        </p>
      )}
      {v.postings !== undefined && (
        <>
          <p>
            {v.date !== undefined && <BooksDate date={v.date} />} · {v.description}
            {v.counterparty !== undefined && ` · ${v.counterparty}`}
          </p>
          <PostingTable postings={v.postings} accounts={accounts} />
        </>
      )}
    </li>
  );
}

/** Postings as debit and credit columns. */
export function PostingTable({
  postings,
  accounts,
}: {
  postings: readonly BooksPostingView[];
  accounts: ReadonlyMap<string, BooksAccountView>;
}) {
  const { t } = useTranslation('app');
  return (
    <ScrollTable
      className="postings"
      testId="posting-table"
      head={
        <>
          <th>{t('books.column.account')}</th>
          <th className="num">{t('books.column.debit')}</th>
          <th className="num">{t('books.column.credit')}</th>
          <th>{t('books.column.currency')}</th>
          <th>{t('books.column.fund')}</th>
        </>
      }
    >
      {postings.map((p, i) => (
        // biome-ignore lint/suspicious/noArrayIndexKey: postings have no identity.
        <tr key={i}>
          <td>
            <AccountLabel path={p.account} accounts={accounts} />
          </td>
          <td className="num">{p.amount.startsWith('-') ? '' : <Amount value={p.amount} />}</td>
          <td className="num">
            {p.amount.startsWith('-') ? <Amount value={p.amount.slice(1)} /> : ''}
          </td>
          <td>{p.currency}</td>
          <td>{p.fund ?? ''}</td>
        </tr>
      ))}
    </ScrollTable>
  );
}

function VoidForm({
  onCancel,
  onSubmit,
}: {
  onCancel: () => void;
  onSubmit: (reason: string) => Promise<void>;
}) {
  const { t } = useTranslation('app');
  const [reason, setReason] = useState('');
  const { busy, error, run } = useAction();
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    await run(() => onSubmit(reason.trim()));
  };
  return (
    <Panel title={t('books.entry.voidTitle')} testId="entry-void-form">
      <form onSubmit={(e) => void submit(e)}>
        <p className="hint">{t('books.entry.voidHelp')}</p>
        <ReasonField value={reason} onChange={setReason} />
        <SealButtons
          label={t('books.entry.sealVoid')}
          busy={busy}
          disabled={reason.trim() === ''}
          error={error}
          onCancel={onCancel}
          danger
        />
      </form>
    </Panel>
  );
}
