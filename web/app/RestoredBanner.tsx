/**
 * The banner of a vault restored from a mirror that no one has taken over: it is a read-only
 * copy (it seals nothing, activity included, and asks no witness), what taking it over means,
 * and, for an administrator of the unlocked vault, the take-over itself, confirmed by typing the
 * log's origin. Shown above every screen, the unlock screen included.
 */
import { type FormEvent, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { api } from './api.js';
import { useSession } from './session.js';
import { ErrorMessage, Time } from './ui.js';

/** The banner, while the vault is a restored copy not taken over; nothing otherwise. */
export function RestoredBanner() {
  const { t } = useTranslation('app');
  const { state, update, may } = useSession();
  const [open, setOpen] = useState(false);
  const [typed, setTyped] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const restored = state.restored;
  if (restored === null) return null;
  const origin = state.origin ?? '';
  const canTakeOver = state.phase === 'ready' && may('admin');

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      update(await api.takeover({ confirm: typed.trim() }));
    } catch (err) {
      setError(err);
      setBusy(false);
    }
  };

  return (
    <section className="banner warn restored" role="status" data-testid="restored-banner">
      <h2>{t('restored.title')}</h2>
      <p>
        {restored.from === null ? t('restored.since') : t('restored.from', { from: restored.from })}{' '}
        <Time iso={restored.at} />
      </p>
      <p>{t('restored.readOnly')}</p>
      <p>{t('restored.drill')}</p>
      <p>
        <strong>{t('restored.consequence')}</strong>
      </p>
      {canTakeOver &&
        (open ? (
          <form onSubmit={(e) => void submit(e)} data-testid="takeover-form">
            <label>
              {t('restored.confirmLabel', { origin })}
              <input
                type="text"
                name="confirm"
                autoComplete="off"
                spellCheck={false}
                value={typed}
                onChange={(e) => setTyped(e.currentTarget.value)}
              />
            </label>
            <ErrorMessage error={error} />
            <button type="submit" className="danger" disabled={busy || typed.trim() !== origin}>
              {t('restored.takeOver')}
            </button>{' '}
            <button type="button" onClick={() => setOpen(false)} disabled={busy}>
              {t('restored.cancel')}
            </button>
          </form>
        ) : (
          <button
            type="button"
            className="danger"
            onClick={() => setOpen(true)}
            data-testid="takeover-open"
          >
            {t('restored.takeOverStart')}
          </button>
        ))}
    </section>
  );
}
