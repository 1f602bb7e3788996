/**
 * Verifying files against the vault: they are hashed here, with WebCrypto; only their names and
 * SHA-256 digests go to the server. Each gets a verdict: sealed (which record, since when, by
 * which witnesses), or not found, with the sealed file of the closest name when there is one,
 * which is what a tampered copy looks like, or damaged: the vault's index names records for it,
 * none of which proves it (each with what failed). An evidence bundle dropped here is checked
 * offline, as the offline verifier does.
 */
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { findBundle } from '../../../src/evidence/packaging.js';
import { API_LIMITS, type VerifyDamage, type VerifyResult } from '../../../src/server/app/api.js';
import { formatList, formatUnixTime } from '../../i18n/format.js';
import { type BundleCheck, CheckError, checkFiles } from '../../shared/check.js';
import type { PickedFile } from '../../shared/collect.js';
import { DropZone } from '../../shared/DropZone.js';
import { hashBlob } from '../../shared/hash.js';
import { useLang } from '../../shared/use-lang.js';
import { VerdictView } from '../../shared/VerdictView.js';
import { api } from '../api.js';
import { Link } from '../router.js';
import { Bytes, ErrorMessage, Panel, Time } from '../ui.js';

type State =
  | { phase: 'idle' }
  | { phase: 'hashing'; done: number; total: number }
  | { phase: 'asking' }
  | { phase: 'files'; results: VerifyResult[] }
  | { phase: 'bundle'; check: BundleCheck }
  | {
      phase: 'error';
      error: unknown;
      bundleKey?: string;
      bundleParams?: Record<string, string | number>;
    };

const BATCH = 1000;

export function Verify() {
  const { t } = useTranslation(['app', 'verifier']);
  const [state, setState] = useState<State>({ phase: 'idle' });
  const busy = state.phase === 'hashing' || state.phase === 'asking';

  const run = async (picked: PickedFile[]) => {
    if (findBundle(picked.filter((p) => p.path.endsWith('evidence.json'))) !== null) {
      try {
        setState({ phase: 'hashing', done: 0, total: picked.length });
        // The vault's own trust statement, as its public log publishes it: the union checking a
        // bundle of its own vault. Without it the bundle can at best be unconfirmed.
        const statement = await fetch('/trust.txt')
          .then((r) => (r.ok ? r.text() : ''))
          .catch(() => '');
        const check = await checkFiles(picked, { statement }, (p) =>
          setState({ phase: 'hashing', done: p.filesDone, total: p.files }),
        );
        setState({ phase: 'bundle', check });
      } catch (e) {
        if (e instanceof CheckError) {
          setState({
            phase: 'error',
            error: null,
            bundleKey: e.key,
            bundleParams: { ...e.params },
          });
        } else setState({ phase: 'error', error: e });
      }
      return;
    }
    try {
      const files: Array<{ name: string; sha256: string; size: number }> = [];
      for (const [i, p] of picked.entries()) {
        setState({ phase: 'hashing', done: i, total: picked.length });
        const d = await hashBlob(p.file);
        files.push({ name: p.path.slice(0, API_LIMITS.maxPath), sha256: d.sha256, size: d.size });
      }
      setState({ phase: 'asking' });
      const results: VerifyResult[] = [];
      for (let i = 0; i < files.length; i += BATCH) {
        results.push(...(await api.verify({ files: files.slice(i, i + BATCH) })).results);
      }
      setState({ phase: 'files', results });
    } catch (e) {
      setState({ phase: 'error', error: e });
    }
  };

  return (
    <div data-testid="verify">
      <Panel title={t('verify.title')}>
        <p>{t('verify.intro')}</p>
        <DropZone
          testId="verify-drop"
          prompt={t('verify.prompt')}
          chooseFiles={t('verify.chooseFiles')}
          chooseFolder={t('verify.chooseFolder')}
          disabled={busy}
          onFiles={(f) => void run(f)}
        />
      </Panel>
      {state.phase === 'hashing' && (
        <p aria-live="polite" className="progress">
          {t('verify.hashing', { done: state.done, total: state.total })}
          <progress max={state.total || 1} value={state.done} />
        </p>
      )}
      {state.phase === 'asking' && <p aria-live="polite">{t('verify.asking')}</p>}
      {state.phase === 'error' &&
        (state.bundleKey !== undefined ? (
          <p className="banner bad" role="alert">
            {t(`verifier:${state.bundleKey}`, state.bundleParams ?? {})}
          </p>
        ) : (
          <ErrorMessage error={state.error} />
        ))}
      {state.phase === 'bundle' && <VerdictView check={state.check} />}
      {state.phase === 'files' && <Results results={state.results} />}
    </div>
  );
}

function Results({ results }: { results: readonly VerifyResult[] }) {
  const { t } = useTranslation('app');
  const sealed = results.filter((r) => r.verdict === 'sealed').length;
  const all = sealed === results.length;
  return (
    <section className={`banner ${all ? 'ok' : 'bad'}`} data-testid="verify-results">
      <h2>
        {all
          ? t('verify.allSealed', { count: results.length })
          : t('verify.someNot', { sealed, count: results.length })}
      </h2>
      <ul className="verdicts">
        {results.map((r, i) => (
          // biome-ignore lint/suspicious/noArrayIndexKey: results are in the order sent, names may repeat.
          <ResultRow key={i} result={r} />
        ))}
      </ul>
    </section>
  );
}

function ResultRow({ result }: { result: VerifyResult }) {
  const { t } = useTranslation('app');
  const lang = useLang();
  if (result.verdict === 'sealed') {
    const first = result.records[0]!;
    return (
      <li className="verdict-row ok" data-testid="verify-result" data-verdict="sealed">
        <strong className="path">{result.name}</strong>: {t('verify.sealed')}{' '}
        <Link to={`/records/${encodeURIComponent(first.recordId)}`}>
          {first.path || first.name}
        </Link>
        <br />
        {first.provenNoLaterThan !== null ? (
          <span className="proven">
            {t('proof.proven', {
              time: formatUnixTime(first.provenNoLaterThan, lang),
              witnesses: formatList(
                first.witnesses.map((w) => w.name),
                lang,
              ),
              count: first.witnesses.length,
            })}
          </span>
        ) : (
          <span>{t('verify.notYetWitnessed')}</span>
        )}
        {result.records.length > 1 && (
          <small> {t('verify.alsoIn', { count: result.records.length - 1 })}</small>
        )}
        {result.damaged !== undefined && (
          <>
            <br />
            <strong>{t('verify.damagedAlso', { count: result.damaged.length })}</strong>
            <DamageList damaged={result.damaged} />
          </>
        )}
      </li>
    );
  }
  if (result.verdict === 'damaged') {
    return (
      <li className="verdict-row bad" data-testid="verify-result" data-verdict="damaged">
        <strong className="path">{result.name}</strong>: <strong>{t('verify.damaged')}</strong>
        <DamageList damaged={result.damaged} />
        <small>
          <code>{result.sha256}</code>
        </small>
      </li>
    );
  }
  return (
    <li className="verdict-row bad" data-testid="verify-result" data-verdict="not-found">
      <strong className="path">{result.name}</strong>: {t('verify.notFound')}
      {result.closest !== null && (
        <>
          <br />
          <span data-testid="closest">
            {t('verify.closest', { name: result.closest.name })}{' '}
            <Link to={`/records/${encodeURIComponent(result.closest.recordId)}`}>
              {result.closest.path || result.closest.name}
            </Link>{' '}
            (<Bytes n={result.closest.size} />, <Time iso={result.closest.created} />
            ). {t('verify.closestDiffers')}
          </span>
        </>
      )}
      <br />
      <small>
        <code>{result.sha256}</code>
      </small>
    </li>
  );
}

/** What failed, per record the vault's index names: translated, the English text as fallback. */
function DamageList({ damaged }: { damaged: readonly VerifyDamage[] }) {
  const { t } = useTranslation('app');
  return (
    <ul className="plain" data-testid="verify-damage">
      {damaged.map((d, i) => (
        // biome-ignore lint/suspicious/noArrayIndexKey: in the order the server found them.
        <li key={i}>
          {t(d.key, { index: d.index ?? '', recordId: d.recordId ?? '', defaultValue: d.message })}
        </li>
      ))}
    </ul>
  );
}
