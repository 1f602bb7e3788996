/** Sign-in with a user name and password. */
import { type FormEvent, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { api } from '../api.js';
import { useSession } from '../session.js';
import { ErrorMessage } from '../ui.js';

export function SignIn() {
  const { t } = useTranslation('app');
  const { state, update } = useSession();
  const [name, setName] = useState('');
  const [password, setPassword] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      update(await api.login({ name: name.trim(), password }));
    } catch (err) {
      setError(err);
      setBusy(false);
    }
  };

  return (
    <form className="panel" onSubmit={(e) => void submit(e)} data-testid="sign-in">
      <h2>{t('signIn.title')}</h2>
      {state.phase === 'locked' && <p className="banner warn">{t('signIn.locked')}</p>}
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
      <label>
        {t('form.password')}
        <input
          type="password"
          name="password"
          autoComplete="current-password"
          required
          value={password}
          onChange={(e) => setPassword(e.currentTarget.value)}
        />
      </label>
      <ErrorMessage error={error} />
      <button type="submit" className="primary" disabled={busy}>
        {t('signIn.submit')}
      </button>
      <p className="hint">{t('signIn.forgot')}</p>
    </form>
  );
}
