/**
 * Statement import with review: the file goes to the server, which reads and plans it and seals
 * nothing; the preview shows the opening balances, every new line with the account it would go
 * to (the suggestion and why, or suspense), the duplicates skipped and the balance checks, with
 * any mismatch in plain sight. The treasurer changes the accounts they disagree with, then
 * seals; only the changed lines are sent back. Cancelling makes the server forget the file.
 * A CSV file with no saved column mapping for its bank gets a new one here (books/csv-mapping-form),
 * previewed in the browser, saved, then used to read the file.
 */
import { type FormEvent, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type {
  BooksAccountView,
  BooksImportLine,
  BooksImportPreview,
  BooksImportQuery,
  BooksImportResult,
} from '../../../src/server/app/api-books.js';
import { api } from '../api.js';
import { byPath } from '../books/chart.js';
import { CsvMappingForm } from '../books/csv-mapping-form.js';
import {
  AccountLabel,
  AccountSelect,
  Amount,
  FormatField,
  MappingField,
  recordPath,
  StatementFileField,
  statementTooLarge,
} from '../books/ui.js';
import { Link } from '../router.js';
import {
  ErrorMessage,
  Loading,
  Num,
  Pager,
  Panel,
  ScrollTable,
  Time,
  useAction,
  useLoad,
} from '../ui.js';

const FORMATS = ['1c', 'camt', 'csv'] as const;
const LINES_PER_PAGE = 100;

type Step =
  | { readonly step: 'pick' }
  | { readonly step: 'review'; readonly preview: BooksImportPreview }
  | { readonly step: 'done'; readonly result: BooksImportResult; readonly name: string };

export function BooksImport() {
  const { t } = useTranslation('app');
  const chart = useLoad(() => api.booksAccounts(), []);
  const [state, setState] = useState<Step>({ step: 'pick' });
  if (chart.data === null) {
    return chart.loading ? <Loading /> : <ErrorMessage error={chart.error} />;
  }
  return (
    <div data-testid="books-import">
      {state.step === 'pick' && (
        <PickStatement
          accounts={chart.data.accounts}
          bankAccounts={chart.data.bankAccounts}
          mappings={chart.data.mappings}
          onMappingSaved={() => chart.reload()}
          onPreview={(preview) => setState({ step: 'review', preview })}
        />
      )}
      {state.step === 'review' && (
        <Review
          preview={state.preview}
          accounts={chart.data.accounts}
          onCancelled={() => setState({ step: 'pick' })}
          onSealed={(result) => {
            chart.reload();
            setState({ step: 'done', result, name: state.preview.name });
          }}
        />
      )}
      {state.step === 'done' && (
        <Panel title={t('books.import.doneTitle')} testId="import-result">
          <p className="banner ok" data-testid="import-done">
            {t('books.import.done', {
              name: state.name,
              entries: state.result.entries,
              sealed: state.result.sealed,
            })}
          </p>
          {state.result.duplicates > 0 && (
            <p>{t('books.import.duplicatesSkipped', { count: state.result.duplicates })}</p>
          )}
          {state.result.mismatches > 0 && (
            <p className="banner bad" data-testid="import-mismatches">
              {t('books.import.mismatchesSealed', { count: state.result.mismatches })}
            </p>
          )}
          <div className="buttons">
            <Link to={recordPath(state.result.statementId)}>{t('books.import.statement')}</Link>
            <Link to="/books/entries">{t('books.nav.entries')}</Link>
            <Link to="/books/reports?kind=trial-balance">{t('books.import.toReport')}</Link>
            <button type="button" onClick={() => setState({ step: 'pick' })}>
              {t('books.import.another')}
            </button>
          </div>
        </Panel>
      )}
    </div>
  );
}

function PickStatement({
  accounts,
  bankAccounts,
  mappings,
  onMappingSaved,
  onPreview,
}: {
  accounts: readonly BooksAccountView[];
  bankAccounts: readonly string[];
  mappings: readonly string[];
  onMappingSaved: () => void;
  onPreview: (preview: BooksImportPreview) => void;
}) {
  const { t } = useTranslation('app');
  const [file, setFile] = useState<File | null>(null);
  const [account, setAccount] = useState('');
  const [format, setFormat] = useState<(typeof FORMATS)[number] | ''>('');
  const [mapping, setMapping] = useState('');
  const [editing, setEditing] = useState(false);
  const { busy, error, run } = useAction();
  const tooLarge = statementTooLarge(file);
  const assets = accounts.filter((a) => a.type === 'assets');
  const isCsv = file !== null && (format === 'csv' || (format === '' && /\.csv$/i.test(file.name)));
  // A mapping just saved is chosen before the list of names is read again.
  const mappingNames =
    mapping === '' || mappings.includes(mapping) ? mappings : [...mappings, mapping];

  const read = async (file: File, chosen: { format: typeof format; mapping: string }) => {
    const q: BooksImportQuery = {
      name: file.name,
      ...(account === '' ? {} : { account }),
      ...(chosen.format === '' ? {} : { format: chosen.format }),
      ...(chosen.mapping === '' ? {} : { mapping: chosen.mapping }),
    };
    await run(async () => onPreview(await api.booksImport(file, q)));
  };
  const submit = (e: FormEvent) => {
    e.preventDefault();
    if (file !== null) void read(file, { format, mapping });
  };
  const mappingSaved = (file: File, name: string) => {
    setEditing(false);
    setFormat('csv');
    setMapping(name);
    onMappingSaved();
    void read(file, { format: 'csv', mapping: name });
  };

  return (
    <Panel title={t('books.import.title')}>
      <p className="hint">{t('books.import.intro')}</p>
      <form onSubmit={submit} data-testid="import-form">
        <StatementFileField
          label={t('books.import.file')}
          file={file}
          onFile={setFile}
          testId="import-file"
        />
        <div className="form-grid">
          <label>
            {t('books.import.account')}
            <select
              name="account"
              value={account}
              onChange={(e) => setAccount(e.currentTarget.value)}
            >
              <option value="">{t('books.import.accountAuto')}</option>
              {bankAccounts.length > 0 && (
                <optgroup label={t('books.import.bankAccounts')}>
                  {bankAccounts.map((p) => (
                    <option key={`bank-${p}`} value={p}>
                      {p}
                    </option>
                  ))}
                </optgroup>
              )}
              <optgroup label={t('books.import.otherAccounts')}>
                {assets
                  .filter((a) => !a.closed && !bankAccounts.includes(a.path))
                  .map((a) => (
                    <option key={a.path} value={a.path}>
                      {`${a.path} · ${a.currency}`}
                    </option>
                  ))}
              </optgroup>
            </select>
            <small>{t('books.import.accountHelp')}</small>
          </label>
          <FormatField formats={FORMATS} value={format} onChange={setFormat} />
          <MappingField names={mappingNames} value={mapping} onChange={setMapping}>
            <small>{t('books.import.mappingHelp')}</small>
          </MappingField>
        </div>
        {isCsv && !editing && (
          <div className="buttons">
            <button type="button" onClick={() => setEditing(true)} data-testid="mapping-new">
              {t('books.mapping.new')}
            </button>
            <small>{t('books.mapping.newHelp')}</small>
          </div>
        )}
        <ErrorMessage error={error} />
        <div className="buttons">
          <button
            type="submit"
            className="primary"
            disabled={file === null || tooLarge || busy}
            data-testid="import-preview"
          >
            {busy ? t('books.import.reading') : t('books.import.preview')}
          </button>
        </div>
      </form>
      {editing && isCsv && file !== null && (
        <CsvMappingForm
          key={`${file.name}-${file.size}-${file.lastModified}`}
          file={file}
          onCancel={() => setEditing(false)}
          onSaved={(name) => mappingSaved(file, name)}
        />
      )}
    </Panel>
  );
}

function Review({
  preview,
  accounts,
  onCancelled,
  onSealed,
}: {
  preview: BooksImportPreview;
  accounts: readonly BooksAccountView[];
  onCancelled: () => void;
  onSealed: (result: BooksImportResult) => void;
}) {
  const { t } = useTranslation('app');
  const chart = byPath(accounts);
  const [changed, setChanged] = useState<Record<string, string>>({});
  const [offset, setOffset] = useState(0);
  const [onlySuspense, setOnlySuspense] = useState(false);
  const [busy, setBusy] = useState<'seal' | 'cancel' | null>(null);
  const [error, setError] = useState<unknown>(null);
  const mismatches = preview.checks.filter((c) => !c.ok);
  const accountOf = (l: BooksImportLine) => changed[l.identity] ?? l.account;
  const isSuspense = (path: string) => preview.suspenseAccounts.includes(path);
  const inSuspense = preview.lines.filter((l) => isSuspense(accountOf(l))).length;
  const lines = onlySuspense
    ? preview.lines.filter((l) => isSuspense(accountOf(l)))
    : preview.lines;
  const page = lines.slice(offset, offset + LINES_PER_PAGE);

  const choose = (l: BooksImportLine, path: string) =>
    setChanged((c) => {
      const next = { ...c };
      if (path === l.account) delete next[l.identity];
      else next[l.identity] = path;
      return next;
    });
  const seal = async () => {
    setBusy('seal');
    setError(null);
    try {
      onSealed(
        await api.booksImportSeal(
          preview.id,
          Object.keys(changed).length === 0 ? {} : { accounts: changed },
        ),
      );
    } catch (e) {
      setError(e);
      setBusy(null);
    }
  };
  const cancel = async () => {
    setBusy('cancel');
    setError(null);
    try {
      await api.booksImportCancel(preview.id);
    } catch {
      // Forgotten already (expired): nothing is lost by going back.
    }
    onCancelled();
  };

  return (
    <Panel title={t('books.import.reviewTitle', { name: preview.name })} testId="import-review">
      <p className="banner warn">{t('books.import.nothingSealed')}</p>
      <dl className="fields">
        <dt>{t('books.import.format')}</dt>
        <dd>{t(`books.format.${preview.format}`)}</dd>
        <dt>{t('books.import.sha256')}</dt>
        <dd className="mono">{preview.sha256}</dd>
        <dt>{t('books.import.newLines')}</dt>
        <dd data-testid="import-line-count">
          <Num n={preview.lineCount} />
        </dd>
        <dt>{t('books.import.duplicates')}</dt>
        <dd data-testid="import-duplicates">
          <Num n={preview.duplicates} />
        </dd>
        <dt>{t('books.import.expires')}</dt>
        <dd>
          <Time iso={preview.expires} />
        </dd>
      </dl>
      {!preview.newStatement && <p className="banner warn">{t('books.import.sameFile')}</p>}
      {mismatches.length > 0 && (
        <div className="banner bad" role="alert" data-testid="import-check-mismatch">
          <p>
            <strong>{t('books.import.mismatchTitle', { count: mismatches.length })}</strong>
          </p>
          <p>{t('books.import.mismatchHelp')}</p>
        </div>
      )}
      {preview.checks.length > 0 && (
        <>
          <h3>{t('books.import.checks')}</h3>
          <ScrollTable
            testId="import-checks"
            head={
              <>
                <th>{t('books.column.date')}</th>
                <th>{t('books.import.checkKind')}</th>
                <th>{t('books.column.account')}</th>
                <th className="num">{t('books.import.stated')}</th>
                <th className="num">{t('books.import.inBooks')}</th>
                <th>{t('books.column.status')}</th>
              </>
            }
          >
            {preview.checks.map((c) => (
              <tr
                key={`${c.kind}-${c.date}-${c.account}-${c.currency}-${c.line ?? ''}`}
                className={c.ok ? undefined : 'mismatch'}
                data-testid="import-check"
                data-ok={c.ok ? 'true' : 'false'}
              >
                <td className="nowrap">{c.date}</td>
                <td>{t(`books.import.check.${c.kind}`)}</td>
                <td>
                  <AccountLabel path={c.account} accounts={chart} />
                </td>
                <td className="num">
                  <Amount value={c.stated} currency={c.currency} />
                </td>
                <td className="num">
                  <Amount value={c.books} currency={c.currency} />
                </td>
                <td>
                  <span className={`mark ${c.ok ? 'ok' : 'bad'}`}>{c.ok ? '✓' : '✗'}</span>{' '}
                  {c.ok ? t('books.import.agrees') : t('books.import.disagrees')}
                </td>
              </tr>
            ))}
          </ScrollTable>
        </>
      )}
      {preview.openings.length > 0 && (
        <>
          <h3>{t('books.import.openings')}</h3>
          <ScrollTable
            testId="import-openings"
            head={
              <>
                <th>{t('books.column.date')}</th>
                <th>{t('books.column.account')}</th>
                <th className="num">{t('books.column.amount')}</th>
              </>
            }
          >
            {preview.openings.map((o) => (
              <tr key={`${o.account}-${o.currency}`}>
                <td className="nowrap">{o.date}</td>
                <td>
                  <AccountLabel path={o.account} accounts={chart} />
                </td>
                <td className="num">
                  <Amount value={o.amount} currency={o.currency} />
                </td>
              </tr>
            ))}
          </ScrollTable>
        </>
      )}
      {preview.addedAccounts.length > 0 && (
        <p className="banner warn" data-testid="import-added-accounts">
          {t('books.import.addedAccounts', { count: preview.addedAccounts.length })}{' '}
          {preview.addedAccounts.join(', ')}
        </p>
      )}
      <h3>{t('books.import.lines')}</h3>
      {inSuspense > 0 && (
        <p className="banner warn" data-testid="import-suspense-count">
          {t('books.import.inSuspense', {
            count: inSuspense,
            suspense: preview.suspenseAccounts.join(', '),
          })}
        </p>
      )}
      {preview.lines.length < preview.lineCount && (
        <p className="hint">
          {t('books.import.firstLines', { shown: preview.lines.length, total: preview.lineCount })}
        </p>
      )}
      <label className="inline">
        <input
          type="checkbox"
          checked={onlySuspense}
          onChange={(e) => {
            setOnlySuspense(e.currentTarget.checked);
            setOffset(0);
          }}
        />{' '}
        {t('books.import.onlySuspense')}
      </label>
      <ScrollTable
        className="import-lines"
        testId="import-lines"
        head={
          <>
            <th>{t('books.import.line')}</th>
            <th>{t('books.column.date')}</th>
            <th className="num">{t('books.column.amount')}</th>
            <th>{t('books.column.counterparty')}</th>
            <th>{t('books.import.purpose')}</th>
            <th>{t('books.import.postTo')}</th>
          </>
        }
      >
        {page.map((l) => {
          const chosen = accountOf(l);
          const suspense = isSuspense(chosen);
          const edited = changed[l.identity] !== undefined;
          return (
            <tr
              key={l.identity}
              className={suspense ? 'suspense' : edited ? 'edited' : undefined}
              data-testid="import-line"
              data-line={l.line}
              data-suspense={suspense ? 'true' : 'false'}
            >
              <td>{l.line}</td>
              <td className="nowrap">{l.date}</td>
              <td className="num">
                <Amount value={l.amount} currency={l.currency} />
              </td>
              <td>{l.counterparty}</td>
              <td className="purpose">{l.purpose}</td>
              <td>
                <AccountSelect
                  accounts={accounts}
                  value={chosen}
                  currency={l.currency}
                  extra={[l.account, ...preview.suspenseAccounts]}
                  label={t('books.import.postToLine', { line: l.line })}
                  testId="import-line-account"
                  onChange={(path) => choose(l, path)}
                />
                <small className={suspense ? 'error-text' : undefined}>
                  {edited
                    ? t('books.import.changed')
                    : l.suggestion !== null && l.suggestion.account === l.account
                      ? t('books.import.suggested', {
                          reason: t(`books.reason.${l.suggestion.reason}`),
                          percent: Math.round(l.suggestion.confidence * 100),
                        })
                      : suspense
                        ? t('books.import.noSuggestion')
                        : ''}
                </small>
              </td>
            </tr>
          );
        })}
      </ScrollTable>
      <Pager
        total={lines.length}
        offset={offset}
        limit={LINES_PER_PAGE}
        onPage={(o) => setOffset(o)}
      />
      <ErrorMessage error={error} />
      {Object.keys(changed).length > 0 && (
        <p className="hint" data-testid="import-changed">
          {t('books.import.changedCount', { count: Object.keys(changed).length })}
        </p>
      )}
      <div className="buttons">
        <button
          type="button"
          className="primary"
          disabled={busy !== null}
          onClick={() => void seal()}
          data-testid="import-seal"
        >
          {busy === 'seal'
            ? t('books.common.sealing')
            : t('books.import.seal', { count: preview.lineCount })}
        </button>
        <button
          type="button"
          disabled={busy !== null}
          onClick={() => void cancel()}
          data-testid="import-cancel"
        >
          {t('books.import.cancel')}
        </button>
      </div>
    </Panel>
  );
}
