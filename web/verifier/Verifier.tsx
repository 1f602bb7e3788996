/**
 * The verifier's one screen: hand over the bundle (its folder, its files, or its ZIP) and the
 * files to check, optionally the keys you trust, and read the verdict.
 */
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { formatBytes } from '../i18n/format.js';
import { type BundleCheck, CheckError, type CheckProgress, checkFiles } from '../shared/check.js';
import type { PickedFile } from '../shared/collect.js';
import { DropZone } from '../shared/DropZone.js';
import { LanguageSwitcher } from '../shared/LanguageSwitcher.js';
import { useLang } from '../shared/use-lang.js';
import { VerdictView } from '../shared/VerdictView.js';
import { isZip, readZip, ZipError } from '../shared/zip.js';

type State =
  | { readonly phase: 'idle' }
  | { readonly phase: 'checking'; readonly progress: CheckProgress | null }
  | { readonly phase: 'done'; readonly check: BundleCheck }
  | {
      readonly phase: 'error';
      readonly key: string;
      readonly params: Record<string, string | number>;
    };

/** Replaces each ZIP among the files by the files inside it. */
async function unpack(picked: readonly PickedFile[]): Promise<PickedFile[]> {
  const out: PickedFile[] = [];
  for (const p of picked) {
    if (p.path.toLowerCase().endsWith('.zip') && (await isZip(p.file))) {
      out.push(...(await readZip(p.file, p.path.replace(/\.zip$/i, ''))));
    } else out.push(p);
  }
  return out;
}

export function Verifier() {
  const { t } = useTranslation('verifier');
  const lang = useLang();
  const [state, setState] = useState<State>({ phase: 'idle' });
  const [logKey, setLogKey] = useState('');
  const [policy, setPolicy] = useState('');

  const run = async (picked: PickedFile[]) => {
    setState({ phase: 'checking', progress: null });
    try {
      const files = await unpack(picked);
      const check = await checkFiles(files, { logKey, policy }, (progress) =>
        setState({ phase: 'checking', progress }),
      );
      setState({ phase: 'done', check });
    } catch (e) {
      if (e instanceof CheckError)
        setState({ phase: 'error', key: e.key, params: { ...e.params } });
      else if (e instanceof ZipError)
        setState({ phase: 'error', key: 'error.zip', params: { reason: e.message } });
      else setState({ phase: 'error', key: 'error.unexpected', params: { reason: String(e) } });
    }
  };

  return (
    <>
      <header className="top">
        <h1>{t('title')}</h1>
        <LanguageSwitcher />
      </header>
      <main>
        <p className="intro">{t('intro')}</p>
        <p className="offline">{t('offline')}</p>
        <DropZone
          testId="bundle-drop"
          prompt={t('drop.prompt')}
          chooseFiles={t('drop.chooseFiles')}
          chooseFolder={t('drop.chooseFolder')}
          disabled={state.phase === 'checking'}
          onFiles={(f) => void run(f)}
        />
        <details className="trust-input">
          <summary>{t('trust.title')}</summary>
          <p>{t('trust.explain')}</p>
          <label>
            {t('trust.logKey')}
            <input
              type="text"
              value={logKey}
              spellCheck={false}
              data-testid="trust-log-key"
              onChange={(e) => setLogKey(e.currentTarget.value)}
            />
          </label>
          <label>
            {t('trust.policy')}
            <textarea
              rows={4}
              value={policy}
              spellCheck={false}
              data-testid="trust-policy"
              onChange={(e) => setPolicy(e.currentTarget.value)}
            />
          </label>
          <p className="hint">{t('trust.again')}</p>
        </details>

        {state.phase === 'checking' && (
          <section className="progress" aria-live="polite" data-testid="progress">
            {state.progress === null ? (
              <p>{t('progress.reading')}</p>
            ) : (
              <>
                <p>
                  {t('progress.hashing', {
                    done: state.progress.filesDone,
                    total: state.progress.files,
                    bytes: formatBytes(state.progress.bytesDone, lang),
                    totalBytes: formatBytes(state.progress.bytes, lang),
                  })}
                </p>
                <progress max={state.progress.bytes || 1} value={state.progress.bytesDone} />
              </>
            )}
          </section>
        )}
        {state.phase === 'error' && (
          <section className="banner bad" role="alert" data-testid="check-error">
            <p>{t(state.key, state.params)}</p>
          </section>
        )}
        {state.phase === 'done' && <VerdictView check={state.check} />}
      </main>
      <footer>
        <p>{t('footer')}</p>
      </footer>
    </>
  );
}
