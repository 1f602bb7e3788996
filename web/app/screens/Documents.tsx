/**
 * The documents: seal new files (drop files or whole folders, with tags and metadata), and find
 * sealed records by kind, tag, dates and text, a page at a time. The filters live in the query
 * string, so a search can be bookmarked and the back button returns to it.
 */
import { type FormEvent, useEffect, useState, useSyncExternalStore } from 'react';
import { useTranslation } from 'react-i18next';
import { RECORD_KINDS } from '../../../src/records/bodies.js';
import { isPartialDate } from '../../../src/records/time.js';
import { API_LIMITS, type RecordQuery, type RecordSummary } from '../../../src/server/app/api.js';
import type { PickedFile } from '../../shared/collect.js';
import { DropZone } from '../../shared/DropZone.js';
import { api } from '../api.js';
import { Link, navigate, useLocation } from '../router.js';
import { useSelection } from '../selection.js';
import { useSession } from '../session.js';
import {
  Bytes,
  ErrorMessage,
  Field,
  FilterButtons,
  Loading,
  Pager,
  Panel,
  PeriodFields,
  SearchField,
  Time,
  useErrorText,
  useLoad,
} from '../ui.js';
import { parseMetaLines, parseTags, Uploader, type UploadItem } from '../upload.js';

const PAGE = API_LIMITS.defaultPageSize;

function queryOf(search: URLSearchParams): RecordQuery {
  const kind = search.get('kind');
  const q: RecordQuery = { limit: PAGE, offset: Number(search.get('offset') ?? 0) || 0 };
  if (kind !== null && (RECORD_KINDS as readonly string[]).includes(kind)) {
    q.kind = kind as (typeof RECORD_KINDS)[number];
  }
  for (const k of ['tag', 'from', 'to', 'text'] as const) {
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
  return text === '' ? '/documents' : `/documents?${text}`;
}

export function Documents() {
  const { t } = useTranslation('app');
  const { may } = useSession();
  const { search } = useLocation();
  const query = queryOf(search);
  const key = JSON.stringify(query);
  const list = useLoad(() => api.records(query), [key]);
  return (
    <div data-testid="documents">
      {may('seal') && <UploadPanel onSealed={list.reload} />}
      <Panel title={t('documents.title')}>
        <Filters query={query} />
        {list.error !== null && <ErrorMessage error={list.error} />}
        {list.data === null ? (
          list.loading && <Loading />
        ) : (
          <>
            <p className="muted" data-testid="records-total">
              {t('documents.found', { count: list.data.total })}
            </p>
            <RecordTable items={list.data.items} selectable={may('evidence')} />
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

function Filters({ query }: { query: RecordQuery }) {
  const { t } = useTranslation(['app', 'common']);
  const [kind, setKind] = useState(query.kind ?? '');
  const [tag, setTag] = useState(query.tag ?? '');
  const [from, setFrom] = useState(query.from ?? '');
  const [to, setTo] = useState(query.to ?? '');
  const [text, setText] = useState(query.text ?? '');
  const submit = (e: FormEvent) => {
    e.preventDefault();
    navigate(searchOf({ kind, tag: tag.trim(), from, to, text: text.trim() }));
  };
  const clear = () => {
    setKind('');
    setTag('');
    setFrom('');
    setTo('');
    setText('');
    navigate('/documents');
  };
  return (
    <form className="filters" onSubmit={submit} data-testid="filters">
      <SearchField
        label={t('documents.text')}
        maxLength={API_LIMITS.maxQueryText}
        value={text}
        onChange={setText}
      />
      <label>
        {t('documents.kind')}
        <select name="kind" value={kind} onChange={(e) => setKind(e.currentTarget.value)}>
          <option value="">{t('documents.anyKind')}</option>
          {RECORD_KINDS.map((k) => (
            <option key={k} value={k}>
              {t(`common:kind.${k}`)}
            </option>
          ))}
        </select>
      </label>
      <Field label={t('documents.tag')} name="tag" value={tag} onChange={setTag} />
      <PeriodFields
        labels={{ from: t('documents.from'), to: t('documents.to') }}
        from={from}
        to={to}
        onFrom={setFrom}
        onTo={setTo}
      />
      <FilterButtons search={t('documents.search')} clear={t('documents.clear')} onClear={clear} />
    </form>
  );
}

/** Records as rows, with a box to choose each for an evidence bundle. */
export function RecordTable({
  items,
  selectable,
}: {
  items: readonly RecordSummary[];
  selectable: boolean;
}) {
  const { t } = useTranslation(['app', 'common']);
  const selection = useSelection();
  if (items.length === 0) return <p>{t('documents.none')}</p>;
  return (
    <table className="records" data-testid="record-list">
      <thead>
        <tr>
          {selectable && (
            <th className="narrow-col">
              <span className="visually-hidden">{t('documents.choose')}</span>
            </th>
          )}
          <th>{t('documents.titleColumn')}</th>
          <th>{t('documents.kind')}</th>
          <th>{t('documents.sealed')}</th>
          <th>{t('documents.tags')}</th>
        </tr>
      </thead>
      <tbody>
        {items.map((r) => (
          <tr key={r.id} data-testid="record-row">
            {selectable && (
              <td>
                <input
                  type="checkbox"
                  aria-label={t('documents.chooseOne', { title: r.title || r.id })}
                  checked={selection.has(r.id)}
                  onChange={(e) =>
                    selection.toggle(
                      { id: r.id, kind: r.kind, title: r.title },
                      e.currentTarget.checked,
                    )
                  }
                />
              </td>
            )}
            <td className="path">
              <Link to={`/records/${encodeURIComponent(r.id)}`}>{r.title || r.id}</Link>
              {r.fileCount > 1 && <small> {t('documents.files', { count: r.fileCount })}</small>}
              {r.documentDate !== null && (
                <small className="document-date" data-testid="document-date">
                  {' '}
                  · {t('documents.dated', { date: r.documentDate })}
                </small>
              )}
            </td>
            <td>{t(`common:kind.${r.kind}`)}</td>
            <td>
              <Time iso={r.created} />
            </td>
            <td>{r.tags.join(', ')}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

/** Dropping files to seal, then watching them go. */
function UploadPanel({ onSealed }: { onSealed: () => void }) {
  const { t } = useTranslation('app');
  const { state } = useSession();
  const [picked, setPicked] = useState<PickedFile[] | null>(null);
  const [tags, setTags] = useState('');
  const [meta, setMeta] = useState('');
  const [documentDate, setDocumentDate] = useState('');
  const [dateFromName, setDateFromName] = useState(false);
  const [uploader, setUploader] = useState<Uploader | null>(null);
  const date = documentDate.trim();
  const badDate = date !== '' && !isPartialDate(date);

  const start = () => {
    if (picked === null || badDate) return;
    const u = new Uploader(picked, {
      tags: parseTags(tags),
      meta: parseMetaLines(meta),
      ...(date === '' ? {} : { documentDate: date }),
      ...(dateFromName ? { dateFromName: true } : {}),
      maxBytes: state.maxUploadBytes,
    });
    setUploader(u);
    setPicked(null);
    void u.start().then(onSealed);
  };

  return (
    <Panel title={t('upload.title')} testId="upload">
      {uploader === null && (
        <>
          <DropZone
            testId="upload-drop"
            prompt={t('upload.prompt')}
            chooseFiles={t('upload.chooseFiles')}
            chooseFolder={t('upload.chooseFolder')}
            onFiles={(f) => setPicked((p) => [...(p ?? []), ...f])}
          />
          {picked !== null && (
            <div className="upload-form">
              <p data-testid="upload-picked">
                {t('upload.picked', { count: picked.length })}{' '}
                <Bytes n={picked.reduce((n, f) => n + f.file.size, 0)} />
              </p>
              <label>
                {t('upload.tags')}
                <input
                  type="text"
                  name="tags"
                  value={tags}
                  onChange={(e) => setTags(e.currentTarget.value)}
                />
                <small>{t('upload.tagsHelp')}</small>
              </label>
              <label>
                {t('upload.meta')}
                <textarea
                  name="meta"
                  rows={3}
                  value={meta}
                  onChange={(e) => setMeta(e.currentTarget.value)}
                />
                <small>{t('upload.metaHelp')}</small>
              </label>
              <label>
                {t('upload.documentDate')}
                <input
                  type="text"
                  name="documentDate"
                  inputMode="numeric"
                  placeholder="2016-03-12"
                  maxLength={10}
                  value={documentDate}
                  aria-invalid={badDate}
                  onChange={(e) => setDocumentDate(e.currentTarget.value)}
                />
                <small>{t('upload.documentDateHelp')}</small>
              </label>
              {badDate && (
                <p className="banner bad" role="alert" data-testid="upload-bad-date">
                  {t('upload.badDate')}
                </p>
              )}
              <label className="inline">
                <input
                  type="checkbox"
                  name="dateFromName"
                  checked={dateFromName}
                  onChange={(e) => setDateFromName(e.currentTarget.checked)}
                />{' '}
                {t('upload.dateFromName')}
              </label>
              <div className="buttons">
                <button
                  type="button"
                  className="primary"
                  onClick={start}
                  disabled={badDate}
                  data-testid="upload-start"
                >
                  {t('upload.start', { count: picked.length })}
                </button>
                <button type="button" onClick={() => setPicked(null)}>
                  {t('upload.forget')}
                </button>
              </div>
            </div>
          )}
        </>
      )}
      {uploader !== null && <Progress uploader={uploader} onClose={() => setUploader(null)} />}
    </Panel>
  );
}

const SHOWN_ROWS = 200;

function Progress({ uploader, onClose }: { uploader: Uploader; onClose: () => void }) {
  const { t } = useTranslation('app');
  useSyncExternalStore(uploader.subscribe, uploader.getVersion);
  const totals = uploader.totals();
  const finished = totals.done === totals.files;
  const [all, setAll] = useState(false);
  useEffect(() => {
    if (finished) return;
    // Leaving the page mid-upload loses nothing (it resumes), but the person should know.
    const warn = (e: BeforeUnloadEvent) => e.preventDefault();
    window.addEventListener('beforeunload', warn);
    return () => window.removeEventListener('beforeunload', warn);
  }, [finished]);
  const active = uploader.items.filter(
    (i) =>
      i.state === 'hashing' ||
      i.state === 'uploading' ||
      i.state === 'sealing' ||
      i.state === 'failed',
  );
  const rows = all ? uploader.items.slice(0, SHOWN_ROWS * 10) : active.slice(0, SHOWN_ROWS);
  return (
    <div
      className="progress"
      data-testid="upload-progress"
      data-finished={finished ? 'true' : 'false'}
    >
      <p aria-live="polite" data-testid="upload-summary">
        {t('upload.summary', {
          done: totals.done,
          files: totals.files,
          sealed: totals.sealed,
          unchanged: totals.unchanged,
          failed: totals.failed,
          stopped: totals.stopped,
        })}{' '}
        (<Bytes n={totals.sentBytes} /> / <Bytes n={totals.bytes} />)
      </p>
      <progress max={totals.bytes || 1} value={totals.sentBytes} />
      {totals.newVersions > 0 && (
        <p className="banner warn" data-testid="upload-new-versions">
          {t('upload.newVersions', { count: totals.newVersions })}
        </p>
      )}
      {finished && (
        <p
          className={`banner ${totals.failed > 0 ? 'bad' : totals.stopped > 0 ? 'warn' : 'ok'}`}
          data-testid="upload-done"
        >
          {totals.failed > 0
            ? t('upload.doneWithFailures', { count: totals.failed })
            : totals.stopped > 0
              ? t('upload.stoppedDone', { count: totals.stopped })
              : t('upload.done', { count: totals.files })}
        </p>
      )}
      <div className="buttons">
        {!finished && (
          <button type="button" onClick={() => uploader.cancel()} data-testid="upload-stop">
            {t('upload.cancel')}
          </button>
        )}
        {finished && (totals.failed > 0 || totals.stopped > 0) && (
          <button
            type="button"
            onClick={() => void uploader.retryFailed()}
            data-testid="upload-retry"
          >
            {totals.failed > 0 ? t('upload.retry') : t('upload.resume')}
          </button>
        )}
        {finished && (
          <button type="button" className="primary" onClick={onClose}>
            {t('upload.more')}
          </button>
        )}
        <button type="button" onClick={() => setAll((a) => !a)}>
          {all ? t('upload.showActive') : t('upload.showAll')}
        </button>
      </div>
      <ul className="upload-items">
        {rows.map((item) => (
          <ItemRow key={item.path} item={item} />
        ))}
      </ul>
    </div>
  );
}

function ItemRow({ item }: { item: UploadItem }) {
  const { t } = useTranslation('app');
  const errorText = useErrorText();
  const percent = item.size === 0 ? 100 : Math.floor((100 * item.sent) / item.size);
  return (
    <li className={`upload-item ${item.state}`} data-state={item.state}>
      <span className="path">{item.path}</span>{' '}
      <span className="state">
        {t(`upload.state.${item.state}`)}
        {item.state === 'uploading' && ` ${percent}%`}
        {item.retries > 0 &&
          item.state !== 'sealed' &&
          ` · ${t('upload.retries', { count: item.retries })}`}
      </span>
      {item.recordId !== null && (
        <>
          {' '}
          <Link to={`/records/${encodeURIComponent(item.recordId)}`}>{t('upload.open')}</Link>
        </>
      )}
      {item.documentDate !== null && (
        <span className="muted"> · {t('upload.dated', { date: item.documentDate })}</span>
      )}
      {item.state === 'sealed' && item.supersedes !== null && (
        <span data-testid="upload-new-version">
          {' '}
          · {t('upload.newVersion')}{' '}
          <Link to={`/records/${encodeURIComponent(item.supersedes)}`}>{t('upload.earlier')}</Link>
        </span>
      )}
      {item.error !== null && <small className="error-text">{errorText(item.error)}</small>}
      <span className="muted">
        {' '}
        <Bytes n={item.size} />
      </span>
      {item.state === 'uploading' && <progress max={100} value={percent} />}
    </li>
  );
}
