/**
 * The frame of every screen: the organisation, the navigation the user's role allows, the
 * language switcher, and who is signed in. Before sign-in, only the name and the languages.
 * Above every screen, the banner of a restored copy that is read-only until taken over.
 */
import type { ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import type { Permission } from '../../src/server/app/api.js';
import { LanguageSwitcher } from '../shared/LanguageSwitcher.js';
import { api } from './api.js';
import { RestoredBanner } from './RestoredBanner.js';
import { Link, useLocation } from './router.js';
import { forgetSelection, selectionKey } from './selection.js';
import { useSession } from './session.js';

const NAV: ReadonlyArray<{ to: string; key: string; needs: Permission }> = [
  { to: '/', key: 'nav.dashboard', needs: 'read' },
  { to: '/documents', key: 'nav.documents', needs: 'read' },
  { to: '/books', key: 'nav.books', needs: 'read' },
  { to: '/verify', key: 'nav.verify', needs: 'verify' },
  { to: '/evidence', key: 'nav.evidence', needs: 'evidence' },
  { to: '/activity', key: 'nav.activity', needs: 'activity' },
  { to: '/admin', key: 'nav.admin', needs: 'admin' },
];

/** The page before sign-in: a title and the language switcher. */
export function Frame({ children }: { children: ReactNode }) {
  const { t } = useTranslation('app');
  const { state } = useSession();
  return (
    <>
      <header className="top">
        <h1>{state.organisation ?? t('appName')}</h1>
        <LanguageSwitcher />
      </header>
      <main className="narrow">
        <RestoredBanner />
        {children}
      </main>
    </>
  );
}

export function Layout({ children }: { children: ReactNode }) {
  const { t } = useTranslation('app');
  const { state, may, update } = useSession();
  const { pathname } = useLocation();
  const signOut = async () => {
    const chosen = selectionKey(state);
    try {
      await api.logout();
      // The records chosen for evidence, kept across tabs, are not left behind in the browser.
      forgetSelection(chosen);
    } finally {
      update(await api.state());
    }
  };
  const current = (to: string) =>
    to === '/' ? pathname === '/' : pathname === to || pathname.startsWith(`${to}/`);
  return (
    <>
      <header className="top app">
        <div className="brand">
          <h1>{state.organisation ?? t('appName')}</h1>
          <span className="muted">{t('appTagline')}</span>
        </div>
        <LanguageSwitcher />
        <nav className="main-nav" aria-label={t('nav.label')}>
          {NAV.filter((n) => may(n.needs)).map((n) => (
            <Link key={n.to} to={n.to} aria-current={current(n.to) ? 'page' : undefined}>
              {t(n.key)}
            </Link>
          ))}
        </nav>
        {state.user !== null && (
          <div className="user">
            <Link to="/account" data-testid="account-link">
              {t('nav.user', { name: state.user.name, role: t(`role.${state.user.role}`) })}
            </Link>
            <button type="button" onClick={() => void signOut()} data-testid="sign-out">
              {t('nav.signOut')}
            </button>
          </div>
        )}
      </header>
      <main>
        <RestoredBanner />
        {children}
      </main>
    </>
  );
}
