/**
 * Unlocking the vault after the server started: an administrator gives the passphrase. A vault
 * made with `tamga init` has no user yet: whoever unlocks it names the first administrator.
 */
import { type FormEvent, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { API_LIMITS } from '../../../src/server/app/api.js';
import { api } from '../api.js';
import { useSession } from '../session.js';
import { ErrorMessage, NewPasswordFields } from '../ui.js';
import { type FormProblem, passwordProblem } from './Setup.js';

export function Unlock() {
  const { t } = useTranslation('app');
  const { state, update, may } = useSession();
  const firstAdmin = !state.hasUsers;
  const [passphrase, setPassphrase] = useState('');
  const [name, setName] = useState('');
  const [password, setPassword] = useState('');
  const [password2, setPassword2] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const [problem, setProblem] = useState<FormProblem>(null);

  if (!firstAdmin && !may('admin')) {
    return (
      <section className="banner warn" data-testid="locked">
        <h2>{t('unlock.title')}</h2>
        <p>{t('unlock.askAdmin')}</p>
      </section>
    );
  }

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    const p = firstAdmin ? passwordProblem(password, password2, API_LIMITS.minPassword) : null;
    setProblem(p);
    if (p !== null) return;
    setBusy(true);
    setError(null);
    try {
      update(
        await api.unlock({
          passphrase,
          ...(firstAdmin ? { admin: { name: name.trim(), password } } : {}),
        }),
      );
    } catch (err) {
      setError(err);
      setBusy(false);
    }
  };

  return (
    <form className="panel" onSubmit={(e) => void submit(e)} data-testid="unlock">
      <h2>{t('unlock.title')}</h2>
      <p>{t('unlock.intro')}</p>
      <label>
        {t('unlock.passphrase')}
        <input
          type="password"
          name="passphrase"
          autoComplete="off"
          required
          value={passphrase}
          onChange={(e) => setPassphrase(e.currentTarget.value)}
        />
      </label>
      {firstAdmin && (
        <fieldset>
          <legend>{t('setup.adminPart')}</legend>
          <label>
            {t('form.userName')}
            <input
              type="text"
              name="name"
              autoComplete="username"
              required
              value={name}
              onChange={(e) => setName(e.currentTarget.value)}
            />
          </label>
          <NewPasswordFields
            password={password}
            repeat={password2}
            onPassword={setPassword}
            onRepeat={setPassword2}
          />
        </fieldset>
      )}
      {problem !== null && (
        <p className="banner bad" role="alert">
          {t(problem.key, problem.params ?? {})}
        </p>
      )}
      <ErrorMessage error={error} />
      <button type="submit" className="primary" disabled={busy}>
        {busy ? t('unlock.unlocking') : t('unlock.submit')}
      </button>
    </form>
  );
}
