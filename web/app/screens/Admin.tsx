/**
 * Administration: users and roles, witnesses and the quorum, mirror tokens, the organisation's
 * name, and the activity log. One tab at a time, named in the query string.
 */
import { type FormEvent, useState } from 'react';
import { useTranslation } from 'react-i18next';
import {
  API_LIMITS,
  type MirrorTokenEntryView,
  ROLES,
  type Role,
  type UserEntry,
  type WitnessListResponse,
} from '../../../src/server/app/api.js';
import { api } from '../api.js';
import { navigate, useLocation } from '../router.js';
import { useSession } from '../session.js';
import { ErrorMessage, Loading, Panel, Time, useLoad } from '../ui.js';
import { WitnessCosigned, WitnessState, witnessIsBad } from '../WitnessState.js';
import { Activity } from './Activity.js';

const TABS = ['users', 'witnesses', 'mirrors', 'settings', 'activity'] as const;
type Tab = (typeof TABS)[number];

export function Admin() {
  const { t } = useTranslation('app');
  const { search } = useLocation();
  const asked = search.get('tab');
  const tab: Tab = (TABS as readonly string[]).includes(asked ?? '') ? (asked as Tab) : 'users';
  return (
    <div data-testid="admin">
      <nav className="tabs" aria-label={t('admin.tabs')}>
        {TABS.map((name) => (
          <button
            key={name}
            type="button"
            aria-pressed={name === tab}
            data-tab={name}
            onClick={() => navigate(`/admin?tab=${name}`)}
          >
            {t(`admin.tab.${name}`)}
          </button>
        ))}
      </nav>
      {tab === 'users' && <Users />}
      {tab === 'witnesses' && <Witnesses />}
      {tab === 'mirrors' && <Mirrors />}
      {tab === 'settings' && <Settings />}
      {tab === 'activity' && <Activity />}
    </div>
  );
}

function Users() {
  const { t } = useTranslation('app');
  const { state } = useSession();
  const list = useLoad(() => api.users(), []);
  const [error, setError] = useState<unknown>(null);
  const [name, setName] = useState('');
  const [role, setRole] = useState<Role>('treasurer');
  const [password, setPassword] = useState('');
  const [notice, setNotice] = useState<string | null>(null);

  const act = async (what: () => Promise<unknown>, done: string) => {
    setError(null);
    setNotice(null);
    try {
      await what();
      setNotice(done);
      list.reload();
    } catch (e) {
      setError(e);
    }
  };
  const create = (e: FormEvent) => {
    e.preventDefault();
    void act(
      async () => {
        await api.createUser({ name: name.trim(), role, password });
        setName('');
        setPassword('');
      },
      t('users.created', { name: name.trim() }),
    );
  };
  const resetPassword = (u: UserEntry) => {
    const p = window.prompt(
      t('users.newPasswordFor', { name: u.name, min: API_LIMITS.minPassword }),
    );
    if (p === null || p === '') return;
    void act(
      () => api.updateUser(u.name, { password: p }),
      t('users.passwordReset', { name: u.name }),
    );
  };

  return (
    <Panel title={t('users.title')} testId="admin-users">
      <p className="hint">{t('users.roles')}</p>
      <ErrorMessage error={error ?? list.error} />
      {notice !== null && <p className="banner ok">{notice}</p>}
      {list.data === null ? (
        list.loading && <Loading />
      ) : (
        <table>
          <thead>
            <tr>
              <th>{t('form.userName')}</th>
              <th>{t('users.role')}</th>
              <th>{t('users.lastLogin')}</th>
              <th>{t('users.actions')}</th>
            </tr>
          </thead>
          <tbody>
            {list.data.users.map((u) => (
              <tr key={u.name} className={u.disabled !== null ? 'muted' : ''}>
                <td>
                  {u.name}
                  {u.disabled !== null && <small> {t('users.disabled')}</small>}
                </td>
                <td>
                  <select
                    aria-label={t('users.roleOf', { name: u.name })}
                    value={u.role}
                    disabled={u.name === state.user?.name}
                    onChange={(e) => {
                      const next = e.currentTarget.value as Role;
                      void act(
                        () => api.updateUser(u.name, { role: next }),
                        t('users.updated', { name: u.name }),
                      );
                    }}
                  >
                    {ROLES.map((r) => (
                      <option key={r} value={r}>
                        {t(`role.${r}`)}
                      </option>
                    ))}
                  </select>
                </td>
                <td>
                  <Time iso={u.lastLogin} />
                </td>
                <td className="buttons">
                  <button type="button" className="small" onClick={() => resetPassword(u)}>
                    {t('users.resetPassword')}
                  </button>
                  {u.name !== state.user?.name && (
                    <button
                      type="button"
                      className="small"
                      onClick={() =>
                        void act(
                          () => api.updateUser(u.name, { disabled: u.disabled === null }),
                          t('users.updated', { name: u.name }),
                        )
                      }
                    >
                      {u.disabled === null ? t('users.disable') : t('users.enable')}
                    </button>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <form onSubmit={create} className="inline-form">
        <h3>{t('users.add')}</h3>
        <label>
          {t('form.userName')}
          <input
            type="text"
            required
            value={name}
            onChange={(e) => setName(e.currentTarget.value)}
          />
        </label>
        <label>
          {t('users.role')}
          <select value={role} onChange={(e) => setRole(e.currentTarget.value as Role)}>
            {ROLES.map((r) => (
              <option key={r} value={r}>
                {t(`role.${r}`)}
              </option>
            ))}
          </select>
        </label>
        <label>
          {t('form.newPassword', { min: API_LIMITS.minPassword })}
          <input
            type="password"
            autoComplete="new-password"
            required
            minLength={API_LIMITS.minPassword}
            value={password}
            onChange={(e) => setPassword(e.currentTarget.value)}
          />
        </label>
        <button type="submit" className="primary">
          {t('users.addSubmit')}
        </button>
      </form>
    </Panel>
  );
}

function Witnesses() {
  const { t } = useTranslation('app');
  const list = useLoad(() => api.witnesses(), []);
  const [data, setData] = useState<WitnessListResponse | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [name, setName] = useState('');
  const [vkey, setVkey] = useState('');
  const [url, setUrl] = useState('');
  const [quorum, setQuorum] = useState('');
  const shown = data ?? list.data;

  const act = async (what: () => Promise<WitnessListResponse>) => {
    setError(null);
    try {
      setData(await what());
      return true;
    } catch (e) {
      setError(e);
      return false;
    }
  };
  const add = async (e: FormEvent) => {
    e.preventDefault();
    if (
      await act(() => api.addWitness({ name: name.trim(), vkey: vkey.trim(), url: url.trim() }))
    ) {
      setName('');
      setVkey('');
      setUrl('');
    }
  };

  return (
    <Panel title={t('witnesses.title')} testId="admin-witnesses">
      <p className="hint">{t('witnesses.intro')}</p>
      <ErrorMessage error={error ?? list.error} />
      {shown === null ? (
        list.loading && <Loading />
      ) : (
        <>
          <table>
            <thead>
              <tr>
                <th>{t('witness.name')}</th>
                <th>{t('witness.cosignedSize')}</th>
                <th>{t('witness.cosignedTime')}</th>
                <th>{t('witness.state')}</th>
                <th>{t('users.actions')}</th>
              </tr>
            </thead>
            <tbody>
              {shown.witnesses.map((w) => (
                <tr key={w.name} className={witnessIsBad(w) ? 'bad' : ''}>
                  <td className="path">
                    {w.name}
                    <br />
                    <small>{w.url}</small>
                  </td>
                  <WitnessCosigned w={w} />
                  <td>
                    <WitnessState w={w} />
                  </td>
                  <td>
                    <button
                      type="button"
                      className="small danger"
                      onClick={() => {
                        if (window.confirm(t('witnesses.confirmRemove', { name: w.name }))) {
                          void act(() => api.removeWitness(w.name));
                        }
                      }}
                    >
                      {t('witnesses.remove')}
                    </button>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
          <form
            className="inline-form"
            onSubmit={(e) => {
              e.preventDefault();
              void act(() => api.setQuorum(Number(quorum)));
            }}
          >
            <label>
              {t('witnesses.quorum', { count: shown.witnesses.length })}
              <input
                type="number"
                min={0}
                max={shown.witnesses.length}
                required
                value={quorum === '' ? String(shown.quorum) : quorum}
                onChange={(e) => setQuorum(e.currentTarget.value)}
              />
            </label>
            <button type="submit">{t('witnesses.setQuorum')}</button>
          </form>
          <details>
            <summary>{t('witnesses.policy')}</summary>
            <p className="hint">{t('witnesses.policyHelp')}</p>
            <pre data-testid="policy">{shown.policy}</pre>
          </details>
        </>
      )}
      <form onSubmit={(e) => void add(e)} className="inline-form">
        <h3>{t('witnesses.add')}</h3>
        <label>
          {t('witness.name')}
          <input
            type="text"
            required
            value={name}
            onChange={(e) => setName(e.currentTarget.value)}
          />
        </label>
        <label>
          {t('witnesses.vkey')}
          <input
            type="text"
            required
            spellCheck={false}
            value={vkey}
            onChange={(e) => setVkey(e.currentTarget.value)}
          />
        </label>
        <label>
          {t('witnesses.url')}
          <input
            type="text"
            required
            spellCheck={false}
            value={url}
            onChange={(e) => setUrl(e.currentTarget.value)}
          />
        </label>
        <button type="submit" className="primary">
          {t('witnesses.addSubmit')}
        </button>
      </form>
    </Panel>
  );
}

function Mirrors() {
  const { t } = useTranslation('app');
  const list = useLoad(() => api.mirrorTokens(), []);
  const [tokens, setTokens] = useState<MirrorTokenEntryView[] | null>(null);
  const [issued, setIssued] = useState<string | null>(null);
  const [label, setLabel] = useState('');
  const [error, setError] = useState<unknown>(null);
  const shown = tokens ?? list.data?.tokens ?? null;

  const issue = async (e: FormEvent) => {
    e.preventDefault();
    setError(null);
    try {
      const r = await api.issueMirrorToken(label.trim() === '' ? {} : { label: label.trim() });
      setIssued(r.token);
      setLabel('');
      setTokens([...(shown ?? []), r.entry]);
    } catch (err) {
      setError(err);
    }
  };
  const revoke = async (id: number) => {
    setError(null);
    try {
      setTokens((await api.revokeMirrorToken(id)).tokens);
    } catch (err) {
      setError(err);
    }
  };

  return (
    <Panel title={t('mirrors.title')} testId="admin-mirrors">
      <p className="hint">{t('mirrors.intro')}</p>
      <ErrorMessage error={error ?? list.error} />
      {issued !== null && (
        <div className="banner warn" data-testid="mirror-token">
          <p>{t('mirrors.issued')}</p>
          <pre>{issued}</pre>
        </div>
      )}
      {shown === null ? (
        list.loading && <Loading />
      ) : (
        <table>
          <thead>
            <tr>
              <th>{t('mirror.label')}</th>
              <th>{t('mirrors.created')}</th>
              <th>{t('mirror.lastPull')}</th>
              <th>{t('users.actions')}</th>
            </tr>
          </thead>
          <tbody>
            {shown.map((m) => (
              <tr key={m.id} className={m.revoked !== null ? 'muted' : ''}>
                <td>{m.label}</td>
                <td>
                  <Time iso={m.created} />
                </td>
                <td>
                  <Time iso={m.lastPull} />
                </td>
                <td>
                  {m.revoked === null ? (
                    <button
                      type="button"
                      className="small danger"
                      onClick={() => void revoke(m.id)}
                    >
                      {t('mirrors.revoke')}
                    </button>
                  ) : (
                    t('mirror.revoked')
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <form onSubmit={(e) => void issue(e)} className="inline-form">
        <label>
          {t('mirror.label')}
          <input type="text" value={label} onChange={(e) => setLabel(e.currentTarget.value)} />
        </label>
        <button type="submit" className="primary">
          {t('mirrors.issue')}
        </button>
      </form>
    </Panel>
  );
}

function Settings() {
  const { t } = useTranslation('app');
  const { state, update } = useSession();
  const [organisation, setOrganisation] = useState(state.organisation ?? '');
  const [error, setError] = useState<unknown>(null);
  const [saved, setSaved] = useState(false);
  const save = async (e: FormEvent) => {
    e.preventDefault();
    setError(null);
    setSaved(false);
    try {
      update(await api.settings({ organisation: organisation.trim() }));
      setSaved(true);
    } catch (err) {
      setError(err);
    }
  };
  return (
    <Panel title={t('settings.title')} testId="admin-settings">
      <form onSubmit={(e) => void save(e)}>
        <label>
          {t('setup.organisation')}
          <input
            type="text"
            required
            maxLength={API_LIMITS.maxOrganisation}
            value={organisation}
            onChange={(e) => setOrganisation(e.currentTarget.value)}
          />
        </label>
        <ErrorMessage error={error} />
        {saved && <p className="banner ok">{t('settings.saved')}</p>}
        <button type="submit" className="primary">
          {t('settings.save')}
        </button>
      </form>
      <dl className="fields">
        <dt>{t('settings.origin')}</dt>
        <dd>
          <code>{state.origin}</code>
        </dd>
        <dt>{t('settings.logKey')}</dt>
        <dd>
          <code data-testid="log-key">{state.logVerifierKey}</code>
        </dd>
      </dl>
      <p className="hint">{t('settings.logKeyHelp')}</p>
    </Panel>
  );
}
