/**
 * The app: asks the server where things stand, then shows setup, unlock or sign-in until the
 * vault is ready and someone is signed in, then the screen the path names.
 */
import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { StateResponse } from '../../src/server/app/api.js';
import { LanguageSwitcher } from '../shared/LanguageSwitcher.js';
import { api, setCsrfToken } from './api.js';
import { Frame, Layout } from './Layout.js';
import { matchPath, useLocation } from './router.js';
import { Account } from './screens/Account.js';
import { Activity } from './screens/Activity.js';
import { Admin } from './screens/Admin.js';
import { Books } from './screens/Books.js';
import { Dashboard } from './screens/Dashboard.js';
import { Documents } from './screens/Documents.js';
import { Evidence } from './screens/Evidence.js';
import { RecordPage } from './screens/RecordPage.js';
import { Setup } from './screens/Setup.js';
import { SignIn } from './screens/SignIn.js';
import { Unlock } from './screens/Unlock.js';
import { Verify } from './screens/Verify.js';
import { SessionProvider, useSession } from './session.js';
import { Loading, useErrorText } from './ui.js';

export function App() {
  const [initial, setInitial] = useState<StateResponse | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [attempt, setAttempt] = useState(0);
  const { t } = useTranslation('app');
  const errorText = useErrorText();

  // biome-ignore lint/correctness/useExhaustiveDependencies: `attempt` asks again.
  useEffect(() => {
    api.state().then(
      (s) => {
        setCsrfToken(s.csrfToken);
        setInitial(s);
      },
      (e: unknown) => setError(e),
    );
  }, [attempt]);

  if (initial === null) {
    return (
      <>
        <header className="top">
          <h1>{t('appName')}</h1>
          <LanguageSwitcher />
        </header>
        <main className="narrow">
          {error === null ? (
            <Loading />
          ) : (
            <section className="banner bad" role="alert">
              <p>{errorText(error)}</p>
              <button
                type="button"
                onClick={() => {
                  setError(null);
                  setAttempt((n) => n + 1);
                }}
              >
                {t('common.retry')}
              </button>
            </section>
          )}
        </main>
      </>
    );
  }
  return (
    <SessionProvider initial={initial}>
      <Shell />
    </SessionProvider>
  );
}

function Shell() {
  const { state } = useSession();
  if (state.phase === 'setup') {
    return (
      <Frame>
        <Setup />
      </Frame>
    );
  }
  if (state.user === null) {
    return <Frame>{state.phase === 'locked' && !state.hasUsers ? <Unlock /> : <SignIn />}</Frame>;
  }
  if (state.phase === 'locked') {
    return (
      <Layout>
        <Unlock />
      </Layout>
    );
  }
  return (
    <Layout>
      <Screen />
    </Layout>
  );
}

function Screen() {
  const { pathname } = useLocation();
  const { t } = useTranslation('app');
  const record = matchPath('/records/:id', pathname);
  if (record !== null) return <RecordPage id={record.id!} />;
  if (pathname === '/books' || pathname.startsWith('/books/')) return <Books />;
  switch (pathname.replace(/\/+$/, '') || '/') {
    case '/':
      return <Dashboard />;
    case '/documents':
      return <Documents />;
    case '/verify':
      return <Verify />;
    case '/evidence':
      return <Evidence />;
    case '/activity':
      return <Activity />;
    case '/admin':
      return <Admin />;
    case '/account':
      return <Account />;
    default:
      return (
        <section className="banner warn" data-testid="not-found">
          <h2>{t('notFound.title')}</h2>
          <p>{t('notFound.text')}</p>
        </section>
      );
  }
}
