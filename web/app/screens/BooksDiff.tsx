/**
 * The diff: a ledger someone presents (a bank statement, a CSV, an hledger journal) against the
 * sealed books. Each difference is shown side by side: missing from the presented file, added
 * in it, or altered (with the fields that differ), and each sealed side with its proof and its
 * record. The evidence ZIP holds the report and the evidence bundle of every sealed record
 * involved, with the offline verifier, for a court or an auditor.
 */
import { type FormEvent, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { formatAmount, parseAmount } from '../../../src/books/model.js';
import type {
  BooksDifference,
  BooksDiffQuery,
  BooksDiffResponse,
} from '../../../src/server/app/api-books.js';
import { formatDate, formatList } from '../../i18n/format.js';
import { useLang } from '../../shared/use-lang.js';
import { api } from '../api.js';
import {
  AccountSelect,
  Amount,
  BooksDate,
  BooksPeriodFields,
  entryPath,
  FormatField,
  MappingField,
  recordPath,
  StatementFileField,
  statementTooLarge,
} from '../books/ui.js';
import { Link } from '../router.js';
import { useSession } from '../session.js';
import { ErrorMessage, Num, Panel, ScrollTable, saveDownload, Time, useLoad } from '../ui.js';

const FORMATS = ['1c', 'camt', 'csv', 'hledger'] as const;
const FIELDS = ['date', 'amount', 'counterparty', 'purpose'] as const;

type Sealed = Extract<BooksDifference, { kind: 'missing' }>['sealed'];
type Presented = Extract<BooksDifference, { kind: 'added' }>['presented'];
type Proofs = BooksDiffResponse['proofs'];

export function BooksDiff() {
  const { t } = useTranslation('app');
  const { may } = useSession();
  const chart = useLoad(() => api.booksAccounts(), []);
  const [file, setFile] = useState<File | null>(null);
  const [format, setFormat] = useState<(typeof FORMATS)[number] | ''>('');
  const [mapping, setMapping] = useState('');
  const [from, setFrom] = useState('');
  const [to, setTo] = useState('');
  const [account, setAccount] = useState('');
  const [busy, setBusy] = useState<'diff' | 'evidence' | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [result, setResult] = useState<{
    diff: BooksDiffResponse;
    q: BooksDiffQuery;
    file: File;
  } | null>(null);
  const [saved, setSaved] = useState<string | null>(null);
  const tooLarge = statementTooLarge(file);

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    if (file === null) return;
    const q: BooksDiffQuery = {
      name: file.name,
      ...(format === '' ? {} : { format }),
      ...(mapping === '' ? {} : { mapping }),
      ...(from === '' ? {} : { from }),
      ...(to === '' ? {} : { to }),
      ...(account === '' ? {} : { account }),
    };
    setBusy('diff');
    setError(null);
    setSaved(null);
    try {
      setResult({ diff: await api.booksDiff(file, q), q, file });
    } catch (err) {
      setResult(null);
      setError(err);
    } finally {
      setBusy(null);
    }
  };
  const evidence = async () => {
    if (result === null) return;
    setBusy('evidence');
    setError(null);
    try {
      const download = await api.booksDiffEvidence(result.file, result.q);
      saveDownload(download);
      setSaved(download.filename);
    } catch (err) {
      setError(err);
    } finally {
      setBusy(null);
    }
  };
  const saveReport = () => {
    if (result === null) return;
    saveDownload({
      blob: new Blob([result.diff.report], { type: 'text/plain;charset=utf-8' }),
      filename: 'diff-report.txt',
    });
  };

  return (
    <div data-testid="books-diff">
      <Panel title={t('books.diff.title')}>
        <p className="hint">{t('books.diff.intro')}</p>
        <form onSubmit={(e) => void submit(e)} data-testid="diff-form">
          <StatementFileField
            label={t('books.diff.file')}
            file={file}
            onFile={setFile}
            testId="diff-file"
          />
          <div className="form-grid">
            <FormatField formats={FORMATS} value={format} onChange={setFormat} />
            <MappingField
              names={chart.data?.mappings ?? []}
              value={mapping}
              onChange={setMapping}
            />
            <label>
              {t('books.diff.account')}
              <AccountSelect
                accounts={(chart.data?.accounts ?? []).filter((a) => a.type === 'assets')}
                value={account}
                name="account"
                empty={t('books.diff.accountAuto')}
                onChange={(p) => setAccount(p)}
              />
            </label>
            <BooksPeriodFields from={from} to={to} onFrom={setFrom} onTo={setTo} />
          </div>
          <div className="buttons">
            <button
              type="submit"
              className="primary"
              disabled={file === null || tooLarge || busy !== null}
              data-testid="diff-run"
            >
              {busy === 'diff' ? t('books.diff.comparing') : t('books.diff.compare')}
            </button>
          </div>
        </form>
        <ErrorMessage error={error} />
      </Panel>
      {result !== null && (
        <DiffResult
          diff={result.diff}
          busy={busy === 'evidence'}
          onEvidence={may('evidence') ? () => void evidence() : null}
          onReport={saveReport}
          saved={saved}
        />
      )}
    </div>
  );
}

function DiffResult({
  diff,
  busy,
  onEvidence,
  onReport,
  saved,
}: {
  diff: BooksDiffResponse;
  busy: boolean;
  onEvidence: (() => void) | null;
  onReport: () => void;
  saved: string | null;
}) {
  const { t } = useTranslation('app');
  const lang = useLang();
  const count = (k: BooksDifference['kind']) => diff.differences.filter((d) => d.kind === k).length;
  return (
    <Panel title={t('books.diff.resultTitle', { name: diff.presented })} testId="diff-result">
      <dl className="fields">
        <dt>{t('books.diff.period')}</dt>
        <dd>
          {t('books.reports.period', {
            from: formatDate(diff.period.from, lang),
            to: formatDate(diff.period.to, lang),
          })}
        </dd>
        {diff.account !== null && (
          <>
            <dt>{t('books.diff.account')}</dt>
            <dd>{diff.account}</dd>
          </>
        )}
        <dt>{t('books.diff.presentedEntries')}</dt>
        <dd>
          <Num n={diff.presentedEntries} />
        </dd>
        <dt>{t('books.diff.sealedEntries')}</dt>
        <dd>
          <Num n={diff.sealedEntries} />
        </dd>
        <dt>{t('books.diff.matched')}</dt>
        <dd data-testid="diff-matched">
          <Num n={diff.matched} />
        </dd>
      </dl>
      <p
        className={`banner ${diff.differences.length === 0 ? 'ok' : 'bad'}`}
        data-testid="diff-summary"
        data-missing={count('missing')}
        data-added={count('added')}
        data-altered={count('altered')}
      >
        {diff.differences.length === 0
          ? t('books.diff.same')
          : t('books.diff.differences', {
              missing: count('missing'),
              added: count('added'),
              altered: count('altered'),
            })}
      </p>
      {diff.inconsistencies.length > 0 && (
        <div className="banner bad" data-testid="diff-inconsistencies">
          <p>{t('books.diff.inconsistent')}</p>
          <ul>
            {diff.inconsistencies.map((f) => (
              <li key={`${f.account}-${f.line}`}>
                {t('books.diff.inconsistency', {
                  field: f.field,
                  account: f.account,
                  line: f.line,
                  declared: f.declared,
                  computed: f.computed,
                })}
              </li>
            ))}
          </ul>
        </div>
      )}
      <div className="buttons">
        {onEvidence !== null && (
          <button
            type="button"
            className="primary"
            disabled={busy}
            onClick={onEvidence}
            data-testid="diff-evidence"
          >
            {busy ? t('books.diff.making') : t('books.diff.evidence')}
          </button>
        )}
        <button type="button" onClick={onReport} data-testid="diff-report">
          {t('books.diff.report')}
        </button>
      </div>
      {saved !== null && (
        <p className="banner ok" data-testid="diff-evidence-done">
          {t('evidence.done', { name: saved })}
        </p>
      )}
      <ol className="differences">
        {diff.differences.map((d) => (
          <Difference
            key={d.kind === 'added' ? `added-${d.presented.line}` : `${d.kind}-${d.sealed.id}`}
            d={d}
            proofs={diff.proofs}
          />
        ))}
      </ol>
    </Panel>
  );
}

function Difference({ d, proofs }: { d: BooksDifference; proofs: Proofs }) {
  const { t } = useTranslation('app');
  const sealed = d.kind === 'added' ? null : d.sealed;
  const presented = d.kind === 'missing' ? null : d.presented;
  const differs = new Set<string>(d.kind === 'altered' ? d.fields : []);
  return (
    <li className={`difference ${d.kind}`} data-testid="diff-difference" data-kind={d.kind}>
      <h3>
        <span className={`badge diff-${d.kind}`}>{t(`books.diff.kind.${d.kind}`)}</span>{' '}
        {t(`books.diff.explain.${d.kind}`)}
      </h3>
      {d.kind === 'altered' && (
        <p>
          {t('books.diff.fieldsDiffer', {
            fields: d.fields.map((f) => t(`books.column.${f}`)).join(', '),
          })}{' '}
          <small>
            {t(`books.diff.matchedBy.${d.matchedBy === 'reference' ? 'reference' : 'best'}`)}
          </small>
        </p>
      )}
      <ScrollTable
        className="side-by-side"
        head={
          <>
            <th>
              <span className="visually-hidden">{t('books.diff.field')}</span>
            </th>
            <th>{t('books.diff.sealedSide')}</th>
            <th>{t('books.diff.presentedSide')}</th>
          </>
        }
      >
        {FIELDS.map((f) => (
          <tr key={f} className={differs.has(f) ? 'mismatch' : undefined} data-field={f}>
            <th>{t(`books.column.${f}`)}</th>
            <td>{sealed === null ? '—' : <SealedValue s={sealed} field={f} />}</td>
            <td>{presented === null ? '—' : <PresentedValue p={presented} field={f} />}</td>
          </tr>
        ))}
        <tr>
          <th>{t('books.diff.where')}</th>
          <td>
            {sealed !== null && (
              <>
                <Link to={recordPath(sealed.recordId)} className="mono" data-testid="diff-record">
                  {sealed.recordId}
                </Link>{' '}
                <Link to={entryPath(sealed.id)}>{t('books.diff.openEntry')}</Link>
              </>
            )}
          </td>
          <td>
            {presented !== null && (
              <>
                {t('books.diff.line', { line: presented.line })}
                {presented.reference !== null && ` · ${presented.reference}`}
              </>
            )}
          </td>
        </tr>
      </ScrollTable>
      {sealed !== null && <ProofText proof={proofs[sealed.recordId]} />}
    </li>
  );
}

function SealedValue({ s, field }: { s: Sealed; field: (typeof FIELDS)[number] }) {
  if (field === 'amount')
    return <Amount value={inDecimals(s.amount, s.currency)} currency={s.currency} />;
  if (field === 'date') return <BooksDate date={s.date} />;
  return <>{s[field]}</>;
}

/** Returns `amount` with its currency's decimals (`62500.5` RUB is `62500.50`), else as it is. */
function inDecimals(amount: string, currency: string): string {
  try {
    return formatAmount(parseAmount(amount, currency), currency);
  } catch {
    return amount;
  }
}

function PresentedValue({ p, field }: { p: Presented; field: (typeof FIELDS)[number] }) {
  if (field === 'amount') return <Amount value={p.amount} />;
  if (field === 'date') return <BooksDate date={p.date} />;
  return <>{p[field]}</>;
}

function ProofText({ proof }: { proof: Proofs[string] | undefined }) {
  const { t } = useTranslation('app');
  const lang = useLang();
  if (proof === undefined) return null;
  const where =
    proof.checkpointSize === null
      ? t('books.diff.proofPending', { index: proof.logIndex })
      : t('books.diff.proofWhere', { index: proof.logIndex, size: proof.checkpointSize });
  return (
    <div className={`proof ${proof.witnessed ? 'ok' : 'warn'}`} data-testid="diff-proof">
      <p>
        <strong>{t('books.diff.proof')}</strong> {where}{' '}
        {proof.witnessed && proof.noLaterThan !== null ? (
          <>
            {t('books.diff.proofWitnessed', { witnesses: formatList(proof.witnesses, lang) })}{' '}
            <Time iso={proof.noLaterThan} />
          </>
        ) : (
          t('books.diff.proofUnwitnessed')
        )}
      </p>
      {lang !== 'en' && (
        <p className="hint" lang="en">
          {proof.text}
        </p>
      )}
    </div>
  );
}
