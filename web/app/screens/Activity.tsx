/**
 * Who did what, and when, newest first. Each entry is sealed into the log as an `activity`
 * record a few seconds after it happens; the entry then links to that record.
 */
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { API_LIMITS } from '../../../src/server/app/api.js';
import { api } from '../api.js';
import { Link } from '../router.js';
import { useStoredText } from '../stored-words.js';
import { ErrorMessage, Loading, Pager, Panel, Time, useLoad } from '../ui.js';

const PAGE = 100;

export function Activity() {
  const { t } = useTranslation('app');
  const stored = useStoredText();
  const [offset, setOffset] = useState(0);
  const { data, error, loading } = useLoad(
    () => api.activity({ limit: Math.min(PAGE, API_LIMITS.maxActivityPage), offset }),
    [offset],
  );
  return (
    <Panel title={t('activity.title')} testId="activity">
      <p>{t('activity.intro')}</p>
      <ErrorMessage error={error} />
      {data === null ? (
        loading && <Loading />
      ) : (
        <>
          <table>
            <thead>
              <tr>
                <th>{t('activity.time')}</th>
                <th>{t('activity.actor')}</th>
                <th>{t('activity.action')}</th>
                <th>{t('activity.sealed')}</th>
              </tr>
            </thead>
            <tbody>
              {data.items.map((a) => (
                <tr key={a.id}>
                  <td>
                    <Time iso={a.time} />
                  </td>
                  <td>{a.actor}</td>
                  <td>
                    {t(`action.${a.action}`, { defaultValue: a.action })}
                    {a.details !== '' && (
                      <>
                        <br />
                        <small className="path">{stored.activity(a.action, a.details)}</small>
                      </>
                    )}
                  </td>
                  <td>
                    {a.recordId === null ? (
                      t('activity.notYet')
                    ) : (
                      <Link to={`/records/${encodeURIComponent(a.recordId)}`}>
                        {t('activity.record')}
                      </Link>
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
          <Pager total={data.total} offset={offset} limit={PAGE} onPage={setOffset} />
        </>
      )}
    </Panel>
  );
}
