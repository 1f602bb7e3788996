/**
 * One record: what it says, how it is proven ("proven to exist no later than … (witnesses …)"),
 * its files with a preview of images and PDFs and the original to download, and the records it
 * refers to or that refer to it.
 */
import { useTranslation } from 'react-i18next';
import type { ApiFileRef, ProofView } from '../../../src/server/app/api.js';
import { formatList, formatNumber, formatUnixTime } from '../../i18n/format.js';
import { useLang } from '../../shared/use-lang.js';
import { BodyFields } from '../../shared/VerdictView.js';
import { api, routeUrl } from '../api.js';
import { Link } from '../router.js';
import { useSelection } from '../selection.js';
import { useSession } from '../session.js';
import { Bytes, ErrorMessage, Loading, Panel, Time, useLoad } from '../ui.js';

export function RecordPage({ id }: { id: string }) {
  const { t } = useTranslation(['app', 'common']);
  const { may } = useSession();
  const selection = useSelection();
  const { data, error, loading } = useLoad(() => api.record(id), [id]);
  if (data === null) return loading ? <Loading /> : <ErrorMessage error={error} />;
  const r = data.record;
  const body = r.body as Record<string, unknown>;
  const title =
    (typeof body.title === 'string' && body.title) ||
    (typeof body.path === 'string' && body.path) ||
    r.id;
  return (
    <div className="record-page" data-testid="record-page">
      <h2 className="path">{title}</h2>
      <ProofStatus proof={data.proof} index={data.index} />
      {typeof body.documentDate === 'string' && (
        <p className="document-date" data-testid="record-document-date">
          {t('record.dated', { date: body.documentDate })}
        </p>
      )}
      {may('evidence') && (
        <label className="inline">
          <input
            type="checkbox"
            checked={selection.has(r.id)}
            onChange={(e) =>
              selection.toggle(
                { id: r.id, kind: r.kind, title: title === r.id ? '' : title },
                e.currentTarget.checked,
              )
            }
            data-testid="choose-for-evidence"
          />{' '}
          {t('record.chooseForEvidence')}
        </label>
      )}
      <Panel title={t('record.says')}>
        <dl className="fields">
          <dt>{t('common:record.id')}</dt>
          <dd>
            <code>{r.id}</code>
          </dd>
          <dt>{t('documents.kind')}</dt>
          <dd>{t(`common:kind.${r.kind}`)}</dd>
          <dt>{t('common:record.created')}</dt>
          <dd>
            <Time iso={r.created} />
          </dd>
          <dt>{t('common:record.author')}</dt>
          <dd>{r.author}</dd>
          <dt>{t('common:record.index')}</dt>
          <dd>{data.index}</dd>
          <BodyFields body={r.body} />
        </dl>
      </Panel>
      {r.files.length > 0 && (
        <Panel title={t('record.files', { count: r.files.length })}>
          {r.files.map((f) => (
            <FileView key={f.sha256} recordId={r.id} file={f} />
          ))}
        </Panel>
      )}
      {(r.refs.length > 0 || data.referencedBy.length > 0) && (
        <Panel title={t('record.related')}>
          {r.refs.length > 0 && (
            <>
              <h3>{t('record.refersTo')}</h3>
              <ul>
                {r.refs.map((ref) => (
                  <li key={ref}>
                    <Link to={`/records/${encodeURIComponent(ref)}`}>{ref}</Link>
                  </li>
                ))}
              </ul>
            </>
          )}
          {data.referencedBy.length > 0 && (
            <>
              <h3>{t('record.referencedBy')}</h3>
              <ul>
                {data.referencedBy.map((ref) => (
                  <li key={ref.id}>
                    <Link to={`/records/${encodeURIComponent(ref.id)}`}>
                      {t(`common:kind.${ref.kind}`)} {ref.id}
                    </Link>{' '}
                    <small>
                      <Time iso={ref.created} />
                    </small>
                  </li>
                ))}
              </ul>
            </>
          )}
        </Panel>
      )}
    </div>
  );
}

/** How a record is proven, in words. */
export function ProofStatus({ proof, index }: { proof: ProofView; index: number }) {
  const { t } = useTranslation('app');
  const lang = useLang();
  const witnesses = formatList(
    proof.witnesses.map((w) => w.name),
    lang,
  );
  if (!proof.verified && proof.checkpoint !== null) {
    return (
      <p className="banner bad" data-testid="proof-status" data-proof="failed">
        {t('proof.failed', { index })}
      </p>
    );
  }
  if (proof.checkpoint === null) {
    return (
      <p className="banner warn" data-testid="proof-status" data-proof="pending">
        {t('proof.noCheckpoint')}
      </p>
    );
  }
  const where = t('proof.where', {
    index: formatNumber(index, lang),
    size: formatNumber(proof.checkpoint.size, lang),
  });
  if (proof.provenNoLaterThan !== null) {
    return (
      <div className="banner ok" data-testid="proof-status" data-proof="witnessed">
        <p className="proven">
          {t('proof.proven', {
            time: formatUnixTime(proof.provenNoLaterThan, lang),
            witnesses,
            count: proof.witnesses.length,
          })}
        </p>
        <p>
          {where} {t('proof.quorum', { count: proof.witnesses.length, quorum: proof.quorum })}
        </p>
      </div>
    );
  }
  if (proof.quorum === 0) {
    return (
      <p className="banner warn" data-testid="proof-status" data-proof="no-witnesses">
        {where} {t('proof.noQuorum')}
      </p>
    );
  }
  return (
    <p className="banner warn" data-testid="proof-status" data-proof="unwitnessed">
      {where} {t('proof.waiting', { quorum: proof.quorum, valid: proof.witnesses.length })}
    </p>
  );
}

function FileView({ recordId, file }: { recordId: string; file: ApiFileRef }) {
  const { t } = useTranslation('app');
  const params = { id: recordId, sha256: file.sha256 };
  const inline = routeUrl('recordFile', params);
  const download = routeUrl('recordFile', params, { download: 1 });
  const image = file.mediaType.startsWith('image/');
  const pdf = file.mediaType === 'application/pdf';
  return (
    <article className="file" data-testid="record-file-view">
      <h3 className="path">{file.name}</h3>
      <p className="muted">
        <Bytes n={file.size} /> · {file.mediaType} · <code>{file.sha256}</code>
      </p>
      {image && (
        <img
          className="preview"
          src={inline}
          alt={t('record.previewOf', { name: file.name })}
          loading="lazy"
        />
      )}
      {pdf && (
        <iframe
          className="preview"
          src={inline}
          title={t('record.previewOf', { name: file.name })}
        />
      )}
      <p>
        <a href={download} download={file.name} data-testid="download-original">
          {t('record.download')}
        </a>
      </p>
    </article>
  );
}
