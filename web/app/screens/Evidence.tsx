/**
 * An evidence bundle of the chosen records: a ZIP with evidence.json, the offline verifier
 * (verifier.html) and, if asked, the files, which anyone can check with no vault and no network.
 * Each chosen record is shown as the person chose it: its kind and its title or path.
 */
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { API_LIMITS } from '../../../src/server/app/api.js';
import { api } from '../api.js';
import { Link } from '../router.js';
import { useSelection } from '../selection.js';
import { ErrorMessage, Panel, saveDownload } from '../ui.js';

export function Evidence() {
  const { t } = useTranslation(['app', 'common']);
  const selection = useSelection();
  const selected = selection.chosen;
  const [withFiles, setWithFiles] = useState(true);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const [done, setDone] = useState<string | null>(null);

  const download = async () => {
    setBusy(true);
    setError(null);
    setDone(null);
    try {
      const download = await api.evidence({ records: selected.map((c) => c.id), withFiles });
      saveDownload(download);
      setDone(download.filename);
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  };

  return (
    <div data-testid="evidence">
      <Panel title={t('evidence.title')}>
        <p>{t('evidence.intro')}</p>
        {selected.length === 0 ? (
          <p className="banner warn">
            {t('evidence.none')} <Link to="/documents">{t('evidence.goChoose')}</Link>
          </p>
        ) : (
          <>
            <p>{t('evidence.chosen', { count: selected.length })}</p>
            <ul className="chosen" data-testid="evidence-chosen">
              {selected.map((c) => (
                <li key={c.id} data-testid="evidence-chosen-record" data-record-id={c.id}>
                  <span className="muted">
                    {c.kind === '' ? '' : t(`common:kind.${c.kind}`, { defaultValue: c.kind })}
                  </span>{' '}
                  <Link to={`/records/${encodeURIComponent(c.id)}`} className="path">
                    {c.title === '' ? <code>{c.id}</code> : c.title}
                  </Link>{' '}
                  {c.title !== '' && (
                    <small>
                      <code>{c.id}</code>
                    </small>
                  )}{' '}
                  <button
                    type="button"
                    className="small"
                    onClick={() => selection.toggle(c, false)}
                  >
                    {t('evidence.remove')}
                  </button>
                </li>
              ))}
            </ul>
            {selected.length > API_LIMITS.maxEvidenceRecords && (
              <p className="banner bad">
                {t('evidence.tooMany', { max: API_LIMITS.maxEvidenceRecords })}
              </p>
            )}
            <label className="inline">
              <input
                type="checkbox"
                checked={withFiles}
                onChange={(e) => setWithFiles(e.currentTarget.checked)}
              />{' '}
              {t('evidence.withFiles')}
            </label>
            <p className="hint">{t('evidence.withFilesHelp')}</p>
            <div className="buttons">
              <button
                type="button"
                className="primary"
                disabled={busy || selected.length > API_LIMITS.maxEvidenceRecords}
                onClick={() => void download()}
                data-testid="evidence-download"
              >
                {busy ? t('evidence.making') : t('evidence.download')}
              </button>
              <button type="button" onClick={selection.clear}>
                {t('evidence.clear')}
              </button>
            </div>
          </>
        )}
        <ErrorMessage error={error} />
        {done !== null && (
          <p className="banner ok" data-testid="evidence-done">
            {t('evidence.done', { name: done })}
          </p>
        )}
      </Panel>
    </div>
  );
}
