/**
 * The verifier's one screen: first the union's trust statement (pasted, chosen, or remembered
 * from before), then the bundle (its folder, its files, or its ZIP) and the files to check, then
 * the verdict. Without a statement a bundle can at best be unconfirmed: its own keys are anyone's.
 */
import { useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { isZip, readZip, ZipError } from '../../src/evidence/zip.js';
import { formatBytes } from '../i18n/format.js';
import { type BundleCheck, CheckError, type CheckProgress, checkFiles } from '../shared/check.js';
import { filesFromInput, type PickedFile } from '../shared/collect.js';
import { DropZone } from '../shared/DropZone.js';
import { LanguageSwitcher } from '../shared/LanguageSwitcher.js';
import { type StatementSummary, splitStatementFiles, summarizeStatement } from '../shared/trust.js';
import { useLang } from '../shared/use-lang.js';
import { Fingerprint, VerdictView } from '../shared/VerdictView.js';
import { forgetStatement, rememberedStatement, rememberStatement } from './remembered-trust.js';

type State =
  | { readonly phase: 'idle' }
  | { readonly phase: 'checking'; readonly progress: CheckProgress | null }
  | { readonly phase: 'done'; readonly check: BundleCheck }
  | {
      readonly phase: 'error';
      readonly key: string;
      readonly params: Record<string, string | number>;
    };

/** What the person gave to say which keys they trust. */
interface Trust {
  readonly statement: string;
  readonly logKey: string;
  readonly policy: string;
}

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

/** The statement's origin and fingerprint, or why it does not parse; null when empty. */
function summaryOf(text: string): StatementSummary | { readonly error: string } | null {
  if (text.trim() === '') return null;
  try {
    return summarizeStatement(text);
  } catch (e) {
    return { error: e instanceof Error ? e.message : String(e) };
  }
}

export function Verifier() {
  const { t } = useTranslation('verifier');
  const lang = useLang();
  const [state, setState] = useState<State>({ phase: 'idle' });
  const [remembered, setRemembered] = useState<string | null>(() => rememberedStatement());
  const [trust, setTrust] = useState<Trust>(() => ({
    statement: remembered ?? '',
    logKey: '',
    policy: '',
  }));
  const [statementFile, setStatementFile] = useState<string | null>(null);
  const [refused, setRefused] = useState(false);
  const [lastPicked, setLastPicked] = useState<PickedFile[] | null>(null);

  const check = async (picked: PickedFile[], keys: Trust) => {
    setState({ phase: 'checking', progress: null });
    try {
      const files = await unpack(picked);
      const result = await checkFiles(files, keys, (progress) =>
        setState({ phase: 'checking', progress }),
      );
      setState({ phase: 'done', check: result });
    } catch (e) {
      if (e instanceof CheckError)
        setState({ phase: 'error', key: e.key, params: { ...e.params } });
      else if (e instanceof ZipError)
        setState({ phase: 'error', key: 'error.zip', params: { reason: e.message } });
      else setState({ phase: 'error', key: 'error.unexpected', params: { reason: String(e) } });
    }
  };

  /**
   * A statement file handed over on its own becomes the statement; one handed over together
   * with evidence is refused: whoever made the evidence could have made it too.
   */
  const run = async (picked: PickedFile[]) => {
    const { statements, rest } = await splitStatementFiles(picked);
    if (statements.length > 0 && rest.length > 0) {
      setState({
        phase: 'error',
        key: 'error.statementWithEvidence',
        params: { names: statements.map((s) => s.path).join(', ') },
      });
      return;
    }
    let keys = trust;
    const texts = [...new Set(statements.map((s) => s.text.trim()))];
    if (texts.length > 1) {
      setState({
        phase: 'error',
        key: 'error.twoStatements',
        params: { names: statements.map((s) => s.path).join(', ') },
      });
      return;
    }
    if (texts.length === 1) {
      keys = { ...trust, statement: texts[0]! };
      setTrust(keys);
      setStatementFile(statements[0]!.path);
    }
    if (rest.length === 0) {
      // Only the statement was given: it waits for the bundle.
      setState({ phase: 'idle' });
      return;
    }
    setLastPicked(rest);
    await check(rest, keys);
  };

  const summary = summaryOf(trust.statement);
  const keysGiven = trust.logKey.trim() !== '' || trust.policy.trim() !== '';
  const rememberedSummary = remembered === null ? null : summaryOf(remembered);
  const isRemembered = remembered !== null && remembered === trust.statement.trim();

  return (
    <>
      <header className="top">
        <h1>{t('title')}</h1>
        <LanguageSwitcher />
      </header>
      <main>
        <p className="intro">{t('intro')}</p>
        <p className="offline">{t('offline')}</p>

        <section className="trust-input" data-testid="trust">
          <h2>{t('trust.title')}</h2>
          <p>{t('trust.explain')}</p>
          <p className="hint">{t('trust.where')}</p>
          <label>
            {t('trust.statement')}
            <textarea
              rows={4}
              value={trust.statement}
              spellCheck={false}
              data-testid="trust-statement"
              onChange={(e) => {
                const statement = e.currentTarget.value;
                setTrust((old) => ({ ...old, statement }));
                setStatementFile(null);
                setRefused(false);
              }}
            />
          </label>
          <StatementFileButton
            onText={(name, text) => {
              setTrust((old) => ({ ...old, statement: text }));
              setStatementFile(name);
              setRefused(false);
            }}
          />
          {summary !== null && 'error' in summary && (
            <p className="statement bad" role="alert" data-testid="statement-error">
              {t('trust.invalid', { reason: summary.error })}
            </p>
          )}
          {summary !== null && !('error' in summary) && (
            <div className="statement ok" data-testid="statement-summary">
              <p>
                {t('trust.summary', { origin: summary.origin })}{' '}
                <Fingerprint digits={summary.fingerprint} />
              </p>
              {statementFile !== null && (
                <p className="hint">{t('trust.fromFile', { name: statementFile })}</p>
              )}
              <p className="hint">{t('trust.compare')}</p>
            </div>
          )}
          {rememberedSummary !== null && !('error' in rememberedSummary) && (
            <p className="remembered" data-testid="trust-remembered">
              {t('trust.remembered', { origin: rememberedSummary.origin })}{' '}
              <Fingerprint digits={rememberedSummary.fingerprint} />{' '}
              {!isRemembered && (
                <button
                  type="button"
                  data-testid="trust-use-remembered"
                  onClick={() => {
                    setTrust((old) => ({ ...old, statement: remembered ?? '' }));
                    setStatementFile(null);
                  }}
                >
                  {t('trust.useRemembered')}
                </button>
              )}{' '}
              <button
                type="button"
                data-testid="trust-forget"
                onClick={() => {
                  forgetStatement();
                  setRemembered(null);
                }}
              >
                {t('trust.forget')}
              </button>
            </p>
          )}
          {summary !== null && !('error' in summary) && !isRemembered && (
            <p>
              <button
                type="button"
                data-testid="trust-remember"
                onClick={() => {
                  if (rememberStatement(trust.statement)) {
                    setRemembered(trust.statement.trim());
                    setRefused(false);
                  } else setRefused(true);
                }}
              >
                {t('trust.remember')}
              </button>
            </p>
          )}
          {refused && <p className="hint">{t('trust.refused')}</p>}
          <details className="advanced">
            <summary>{t('trust.advanced')}</summary>
            <p>{t('trust.advancedExplain')}</p>
            <label>
              {t('trust.logKey')}
              <input
                type="text"
                value={trust.logKey}
                spellCheck={false}
                data-testid="trust-log-key"
                onChange={(e) => {
                  const logKey = e.currentTarget.value;
                  setTrust((old) => ({ ...old, logKey }));
                }}
              />
            </label>
            <label>
              {t('trust.policy')}
              <textarea
                rows={4}
                value={trust.policy}
                spellCheck={false}
                data-testid="trust-policy"
                onChange={(e) => {
                  const policy = e.currentTarget.value;
                  setTrust((old) => ({ ...old, policy }));
                }}
              />
            </label>
          </details>
          {keysGiven && trust.statement.trim() !== '' && (
            <p className="statement bad" role="alert" data-testid="trust-ambiguous">
              {t('error.trustAmbiguous')}
            </p>
          )}
          {lastPicked !== null && state.phase !== 'checking' && (
            <p>
              <button
                type="button"
                className="primary"
                data-testid="check-again"
                onClick={() => void check(lastPicked, trust)}
              >
                {t('trust.again')}
              </button>
            </p>
          )}
        </section>

        <DropZone
          testId="bundle-drop"
          prompt={t('drop.prompt')}
          chooseFiles={t('drop.chooseFiles')}
          chooseFolder={t('drop.chooseFolder')}
          disabled={state.phase === 'checking'}
          onFiles={(f) => void run(f)}
        />

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

/** Chooses the statement's file (a .txt) and hands over its text. */
function StatementFileButton({ onText }: { onText: (name: string, text: string) => void }) {
  const { t } = useTranslation('verifier');
  const input = useRef<HTMLInputElement>(null);
  return (
    <p>
      <button type="button" onClick={() => input.current?.click()}>
        {t('trust.chooseFile')}
      </button>
      <input
        ref={input}
        type="file"
        hidden
        accept=".txt,text/plain"
        data-testid="trust-statement-file"
        onChange={(e) => {
          const [picked] = filesFromInput(e.currentTarget.files);
          e.currentTarget.value = '';
          if (picked !== undefined)
            void picked.file.text().then((text) => onText(picked.path, text));
        }}
      />
    </p>
  );
}
