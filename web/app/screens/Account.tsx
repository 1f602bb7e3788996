/** One's own account: change the password (which ends one's other sessions). */
import { type FormEvent, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { API_LIMITS } from '../../../src/server/app/api.js';
import { api } from '../api.js';
import { useSession } from '../session.js';
import { ErrorMessage, NewPasswordFields } from '../ui.js';
import { type FormProblem, passwordProblem } from './Setup.js';

export function Account() {
  const { t } = useTranslation('app');
  const { state } = useSession();
  const [current, setCurrent] = useState('');
  const [password, setPassword] = useState('');
  const [password2, setPassword2] = useState('');
  const [error, setError] = useState<unknown>(null);
  const [problem, setProblem] = useState<FormProblem>(null);
  const [done, setDone] = useState(false);

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    const p = passwordProblem(password, password2, API_LIMITS.minPassword);
    setProblem(p);
    setDone(false);
    if (p !== null) return;
    setError(null);
    try {
      await api.password({ current, password });
      setDone(true);
      setCurrent('');
      setPassword('');
      setPassword2('');
    } catch (err) {
      setError(err);
    }
  };

  return (
    <form className="panel narrow" onSubmit={(e) => void submit(e)}>
      <h2>{t('account.title', { name: state.user?.name ?? '' })}</h2>
      <p>{t('account.role', { role: t(`role.${state.user?.role ?? 'viewer'}`) })}</p>
      <label>
        {t('account.current')}
        <input
          type="password"
          autoComplete="current-password"
          required
          value={current}
          onChange={(e) => setCurrent(e.currentTarget.value)}
        />
      </label>
      <NewPasswordFields
        password={password}
        repeat={password2}
        onPassword={setPassword}
        onRepeat={setPassword2}
      />
      {problem !== null && (
        <p className="banner bad" role="alert">
          {t(problem.key, problem.params ?? {})}
        </p>
      )}
      <ErrorMessage error={error} />
      {done && <p className="banner ok">{t('account.changed')}</p>}
      <button type="submit" className="primary">
        {t('account.submit')}
      </button>
    </form>
  );
}
