/**
 * First run: the organisation's name, the log's origin, the first administrator and the vault
 * passphrase, which protects the keys and cannot be recovered.
 */
import { type FormEvent, useEffect, useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { API_LIMITS } from '../../../src/server/app/api.js';

/** The strength check with its dictionaries (about a megabyte), loaded when this screen opens. */
type Strength = typeof import('../../../src/vault/passphrase-strength.js');

import { api } from '../api.js';
import { useSession } from '../session.js';
import { ErrorMessage, NewPasswordFields } from '../ui.js';

/** A problem with the form found before sending it: an i18n key of `app`, and parameters. */
export type FormProblem = { key: string; params?: Record<string, string | number> } | null;

/** Checks a new password and its repeat; null when they will do. */
export function passwordProblem(password: string, repeat: string, min: number): FormProblem {
  if (password.length < min) return { key: 'form.tooShort', params: { min } };
  if (password !== repeat) return { key: 'form.noMatch' };
  return null;
}

/**
 * The problem of one of the setup's two secrets, saying which: the administrator's password or
 * the vault passphrase (the form asks for both, each twice).
 */
function setupProblem(field: 'password' | 'passphrase', problem: FormProblem): FormProblem {
  if (problem === null) return null;
  const what = problem.key === 'form.tooShort' ? 'TooShort' : 'NoMatch';
  return { key: `setup.${field}${what}`, ...(problem.params ? { params: problem.params } : {}) };
}

export function Setup() {
  const { t } = useTranslation('app');
  const { update } = useSession();
  const [organisation, setOrganisation] = useState('');
  const [origin, setOrigin] = useState('');
  const [name, setName] = useState('');
  const [password, setPassword] = useState('');
  const [password2, setPassword2] = useState('');
  const [passphrase, setPassphrase] = useState('');
  const [passphrase2, setPassphrase2] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const [problem, setProblem] = useState<FormProblem>(null);
  const [strength, setStrength] = useState<Strength | null>(null);
  const [suggestion, setSuggestion] = useState('');
  useEffect(() => {
    let live = true;
    void import('../../../src/vault/passphrase-strength.js').then((m) => {
      if (!live) return;
      setStrength(m);
      setSuggestion(m.suggestPassphrase());
    });
    return () => {
      live = false;
    };
  }, []);
  // The same verdict as the server's (src/vault/passphrase-strength.ts), as the user types.
  const verdict = useMemo(
    () => strength?.checkPassphrase(passphrase, [organisation, origin, name]) ?? null,
    [strength, passphrase, organisation, origin, name],
  );
  const goal = strength?.MIN_GUESSES_LOG10 ?? 12;

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    const p =
      setupProblem('password', passwordProblem(password, password2, API_LIMITS.minPassword)) ??
      setupProblem(
        'passphrase',
        passwordProblem(passphrase, passphrase2, API_LIMITS.minPassphrase),
      ) ??
      (verdict === null || verdict.ok ? null : { key: 'setup.passphraseWeak' });
    setProblem(p);
    if (p !== null) return;
    setBusy(true);
    setError(null);
    try {
      update(
        await api.setup({
          organisation: organisation.trim(),
          origin: origin.trim(),
          admin: { name: name.trim(), password },
          passphrase,
        }),
      );
    } catch (err) {
      setError(err);
      setBusy(false);
    }
  };

  return (
    <form className="panel" onSubmit={(e) => void submit(e)} data-testid="setup">
      <h2>{t('setup.title')}</h2>
      <p>{t('setup.intro')}</p>
      <fieldset>
        <legend>{t('setup.organisationPart')}</legend>
        <label>
          {t('setup.organisation')}
          <input
            type="text"
            name="organisation"
            required
            maxLength={API_LIMITS.maxOrganisation}
            value={organisation}
            onChange={(e) => setOrganisation(e.currentTarget.value)}
          />
        </label>
        <label>
          {t('setup.origin')}
          <input
            type="text"
            name="origin"
            required
            maxLength={API_LIMITS.maxOrigin}
            placeholder={t('setup.originExample')}
            value={origin}
            spellCheck={false}
            onChange={(e) => setOrigin(e.currentTarget.value)}
          />
          <small>{t('setup.originHelp')}</small>
        </label>
      </fieldset>
      <fieldset>
        <legend>{t('setup.adminPart')}</legend>
        <label>
          {t('form.userName')}
          <input
            type="text"
            name="name"
            autoComplete="username"
            required
            maxLength={API_LIMITS.maxUserName}
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
      <fieldset>
        <legend>{t('setup.passphrasePart')}</legend>
        <p className="banner warn">{t('setup.passphraseWarning')}</p>
        <label>
          {t('setup.passphrase', { min: API_LIMITS.minPassphrase })}
          <input
            type="password"
            name="passphrase"
            autoComplete="off"
            required
            value={passphrase}
            onChange={(e) => setPassphrase(e.currentTarget.value)}
          />
        </label>
        <label>
          {t('setup.passphraseRepeat')}
          <input
            type="password"
            name="passphrase2"
            autoComplete="off"
            required
            value={passphrase2}
            onChange={(e) => setPassphrase2(e.currentTarget.value)}
          />
        </label>
        {verdict !== null && passphrase !== '' && (
          <label>
            {t('setup.strength')}
            <meter
              min={0}
              max={goal * 2}
              low={goal}
              optimum={goal * 2}
              value={Math.min(verdict.guessesLog10, goal * 2)}
              data-testid="passphrase-strength"
            />
            <small data-testid="passphrase-verdict">
              {t(verdict.ok ? 'setup.strengthStrong' : 'setup.strengthWeak')}
            </small>
          </label>
        )}
        {strength !== null && (
          <p data-testid="passphrase-suggestion">
            {t('setup.suggestion')} <code>{suggestion}</code>{' '}
            <button
              type="button"
              onClick={() => {
                setPassphrase(suggestion);
                setPassphrase2(suggestion);
              }}
            >
              {t('setup.useSuggestion')}
            </button>{' '}
            <button type="button" onClick={() => setSuggestion(strength.suggestPassphrase())}>
              {t('setup.otherSuggestion')}
            </button>
          </p>
        )}
      </fieldset>
      {problem !== null && (
        <p className="banner bad" role="alert" data-testid="setup-problem">
          {t(problem.key, problem.params ?? {})}
        </p>
      )}
      <ErrorMessage error={error} />
      <button type="submit" className="primary" disabled={busy}>
        {busy ? t('setup.creating') : t('setup.create')}
      </button>
    </form>
  );
}
