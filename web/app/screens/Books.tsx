/**
 * The books: the chart of accounts, the transactions and their corrections, statement import
 * with review, the reports, the property register and the diff against a presented ledger. Each
 * part has its own path under /books; this frame shows the part's navigation (only what the
 * role may do) and the part the path names.
 */
import { useTranslation } from 'react-i18next';
import type { Permission } from '../../../src/server/app/api.js';
import { Link, matchPath, useLocation } from '../router.js';
import { useSession } from '../session.js';
import { BooksAccounts } from './BooksAccounts.js';
import { BooksDiff } from './BooksDiff.js';
import { BooksEntries } from './BooksEntries.js';
import { BooksNewEntry } from './BooksEntryForm.js';
import { BooksEntryPage } from './BooksEntryPage.js';
import { BooksImport } from './BooksImport.js';
import { BooksProperty } from './BooksProperty.js';
import { BooksReports } from './BooksReports.js';

const PARTS: ReadonlyArray<{ to: string; key: string; needs: Permission }> = [
  { to: '/books/accounts', key: 'books.nav.accounts', needs: 'read' },
  { to: '/books/entries', key: 'books.nav.entries', needs: 'read' },
  { to: '/books/entries/new', key: 'books.nav.newEntry', needs: 'seal' },
  { to: '/books/import', key: 'books.nav.import', needs: 'seal' },
  { to: '/books/reports', key: 'books.nav.reports', needs: 'read' },
  { to: '/books/property', key: 'books.nav.property', needs: 'read' },
  { to: '/books/diff', key: 'books.nav.diff', needs: 'verify' },
];

export function Books() {
  const { t } = useTranslation('app');
  const { may } = useSession();
  const { pathname } = useLocation();
  const path = pathname.replace(/\/+$/, '') || '/books';
  const current = (to: string) =>
    to === '/books/accounts'
      ? path === '/books' || path === to
      : to === '/books/entries'
        ? path === to || (path.startsWith(`${to}/`) && path !== '/books/entries/new')
        : path === to;
  return (
    <div className="books" data-testid="books">
      <nav className="tabs books-nav" aria-label={t('books.nav.label')}>
        {PARTS.filter((p) => may(p.needs)).map((p) => (
          <Link key={p.to} to={p.to} aria-current={current(p.to) ? 'page' : undefined}>
            {t(p.key)}
          </Link>
        ))}
      </nav>
      <Part path={path} />
    </div>
  );
}

function Part({ path }: { path: string }) {
  const { t } = useTranslation('app');
  const { may } = useSession();
  const entry = matchPath('/books/entries/:id', path);
  if (path === '/books/entries/new') return may('seal') ? <BooksNewEntry /> : <Refused />;
  if (entry !== null) return <BooksEntryPage id={entry.id!} />;
  switch (path) {
    case '/books':
    case '/books/accounts':
      return <BooksAccounts />;
    case '/books/entries':
      return <BooksEntries />;
    case '/books/import':
      return may('seal') ? <BooksImport /> : <Refused />;
    case '/books/reports':
      return <BooksReports />;
    case '/books/property':
      return <BooksProperty />;
    case '/books/diff':
      return may('verify') ? <BooksDiff /> : <Refused />;
    default:
      return (
        <section className="banner warn" data-testid="not-found">
          <h2>{t('notFound.title')}</h2>
          <p>{t('notFound.text')}</p>
        </section>
      );
  }
}

function Refused() {
  const { t } = useTranslation('errors');
  return (
    <p className="banner bad" role="alert" data-testid="error">
      {t('auth.forbidden')}
    </p>
  );
}
