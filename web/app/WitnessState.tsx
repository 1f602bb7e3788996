/**
 * A witness's state in a table: what it cosigned of this vault's log, and its last answer. A
 * refusal is said as one, with its reason and alarm, never as a witness that does not answer;
 * a size it only said it holds (of another history, perhaps) is shown apart from what it
 * cosigned here.
 */
import { useTranslation } from 'react-i18next';
import type { WitnessStatus } from '../../src/server/app/api.js';
import { useStoredText } from './stored-words.js';
import { Num, UnixTime } from './ui.js';

/** The cells "cosigned (records)" and "cosigned at" of a witness: this vault's history only. */
export function WitnessCosigned({ w }: { w: WitnessStatus }) {
  const { t } = useTranslation('app');
  return (
    <>
      <td data-testid="witness-cosigned">
        {w.witnessed === null ? t('common.never') : <Num n={w.witnessed.size} />}
      </td>
      <td>
        <UnixTime seconds={w.witnessed?.timestamp ?? null} />
      </td>
    </>
  );
}

/** The "state" of a witness: not asked yet, answering, refused (why, the alarm), failing. */
export function WitnessState({ w }: { w: WitnessStatus }) {
  const { t } = useTranslation('app');
  // The reason and the error are the vault's stored English: said in the page's language.
  const stored = useStoredText();
  const holds =
    w.cosignedSize !== null && w.cosignedSize !== (w.witnessed?.size ?? null) ? (
      <>
        <br />
        <small>{t('witness.holds', { size: w.cosignedSize })}</small>
      </>
    ) : null;
  switch (w.state) {
    case 'not-asked':
      return <span data-testid="witness-state">{t('witness.notYet')}</span>;
    case 'cosigning':
      return <span data-testid="witness-state">{t('witness.ok')}</span>;
    case 'refused':
      return (
        <span data-testid="witness-state" data-state="refused">
          <strong>{t('witness.refused')}</strong>
          {w.refusal !== null && (
            <>
              <br />
              <small>{stored.alarm(w.refusal.reason)}</small>
              <br />
              <small>{t('witness.refusedAlarm', { alarm: w.refusal.alarm })}</small>
            </>
          )}
          {holds}
        </span>
      );
    case 'failing':
      return (
        <span data-testid="witness-state" data-state="failing">
          {t('witness.failing', { failures: w.failures })}
          {w.lastError !== null && (
            <>
              <br />
              <small>{stored.witnessError(w.lastError)}</small>
            </>
          )}
          {holds}
        </span>
      );
  }
}

/** True when the witness's row should look bad: it refused, or it fails. */
export function witnessIsBad(w: WitnessStatus): boolean {
  return w.state === 'refused' || w.state === 'failing';
}
