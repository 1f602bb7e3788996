/**
 * Where the vault stands: records sealed, the latest checkpoint, what the witnesses cosigned
 * and when, when each mirror last pulled, and anything that needs attention, in plain words.
 */
import { useTranslation } from 'react-i18next';
import { api } from '../api.js';
import { useStoredText } from '../stored-words.js';
import { ErrorMessage, Loading, Num, Panel, Time, UnixTime, useLoad } from '../ui.js';
import { WitnessCosigned, WitnessState, witnessIsBad } from '../WitnessState.js';

export function Dashboard() {
  const { t } = useTranslation(['app', 'common']);
  const stored = useStoredText();
  const { data, error, loading } = useLoad(() => api.dashboard(), []);
  if (data === null) return loading ? <Loading /> : <ErrorMessage error={error} />;
  const kinds = Object.entries(data.kinds).filter(([, n]) => n > 0);
  return (
    <div className="dashboard" data-testid="dashboard">
      {data.notices.length === 0 ? (
        <p className="banner ok" data-testid="notices-none">
          {t('dashboard.allWell')}
        </p>
      ) : (
        <ul className="notices" data-testid="notices">
          {data.notices.map((n, i) => (
            // biome-ignore lint/suspicious/noArrayIndexKey: notices have no identity beyond order.
            <li key={i} className={`banner ${n.severity === 'alarm' ? 'bad' : 'warn'}`}>
              <strong>{t(`dashboard.severity.${n.severity}`)}</strong>{' '}
              {t(n.key, { ...stored.noticeParams(n), defaultValue: n.message })}
              {n.time !== null && (
                <>
                  {' '}
                  <small>
                    <Time iso={n.time} />
                  </small>
                </>
              )}
            </li>
          ))}
        </ul>
      )}
      <div className="cards">
        <section className="card">
          <h2>{t('dashboard.records')}</h2>
          <p className="big" data-testid="records-count">
            <Num n={data.records} />
          </p>
          <ul className="plain">
            {kinds.map(([kind, n]) => (
              <li key={kind}>
                {t(`common:kind.${kind}`, { defaultValue: kind })}: <Num n={n} />
              </li>
            ))}
          </ul>
        </section>
        <section className="card">
          <h2>{t('dashboard.checkpoint')}</h2>
          {data.checkpoint === null ? (
            <p>{t('dashboard.noCheckpoint')}</p>
          ) : (
            <p>
              {t('dashboard.checkpointSize')}{' '}
              <strong>
                <Num n={data.checkpoint.size} />
              </strong>
              <br />
              <Time iso={data.checkpoint.time} />
            </p>
          )}
        </section>
        <section className="card" data-testid="witnessed">
          <h2>{t('dashboard.witnessed')}</h2>
          {data.witnessed === null ? (
            <p>{t('dashboard.notWitnessed')}</p>
          ) : (
            <p>
              {t('dashboard.witnessedSize', { quorum: data.quorum })}{' '}
              <strong>
                <Num n={data.witnessed.size} />
              </strong>
              <br />
              <UnixTime seconds={data.witnessed.time} />
            </p>
          )}
        </section>
      </div>
      <Panel title={t('dashboard.witnesses', { quorum: data.quorum })} testId="dashboard-witnesses">
        {data.witnesses.length === 0 ? (
          <p>{t('dashboard.noWitnesses')}</p>
        ) : (
          <table>
            <thead>
              <tr>
                <th>{t('witness.name')}</th>
                <th>{t('witness.cosignedSize')}</th>
                <th>{t('witness.cosignedTime')}</th>
                <th>{t('witness.state')}</th>
              </tr>
            </thead>
            <tbody>
              {data.witnesses.map((w) => (
                <tr key={w.name} className={witnessIsBad(w) ? 'bad' : ''}>
                  <td className="path">{w.name}</td>
                  <WitnessCosigned w={w} />
                  <td>
                    <WitnessState w={w} />
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </Panel>
      <Panel title={t('dashboard.mirrors')}>
        {data.mirrors.length === 0 ? (
          <p>{t('dashboard.noMirrors')}</p>
        ) : (
          <table>
            <thead>
              <tr>
                <th>{t('mirror.label')}</th>
                <th>{t('mirror.lastPull')}</th>
              </tr>
            </thead>
            <tbody>
              {data.mirrors.map((m) => (
                <tr key={m.id}>
                  <td>{m.label}</td>
                  <td>{m.revoked !== null ? t('mirror.revoked') : <Time iso={m.lastPull} />}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </Panel>
    </div>
  );
}
