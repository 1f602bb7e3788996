/**
 * The chart of accounts as the screens show it: names in the reader's language (else the path),
 * tree order and depth, and the accounts a posting in some currency may use.
 */
import { BOOKS_ACCOUNT_TYPES, type BooksAccountView } from '../../../src/server/app/api-books.js';
import type { Lang } from '../../i18n/languages.js';

/** Returns the account's name in `lang`, else its English name, else its path. */
export function accountName(account: BooksAccountView | undefined, path: string, lang: Lang) {
  return account?.names[lang] ?? account?.names.en ?? path;
}

/** Returns how deep `path` sits in the tree: 0 for `Assets`, 2 for `Assets:Bank:KGS`. */
export function depthOf(path: string): number {
  return path.split(':').length - 1;
}

/**
 * Returns the accounts in tree order: each parent right before its children. Sorting the paths
 * as strings does not do this (`Assets:Bank account` would fall between `Assets:Bank` and
 * `Assets:Bank:KGS`), so the components are compared one by one.
 */
export function treeOrder<A extends { readonly path: string }>(accounts: readonly A[]): A[] {
  const parts = new Map(accounts.map((a) => [a.path, a.path.split(':')]));
  return [...accounts].sort((a, b) => {
    const pa = parts.get(a.path) ?? [];
    const pb = parts.get(b.path) ?? [];
    for (let i = 0; i < Math.min(pa.length, pb.length); i++) {
      const x = pa[i] ?? '';
      const y = pb[i] ?? '';
      if (x !== y) return x < y ? -1 : 1;
    }
    return pa.length - pb.length;
  });
}

/**
 * Returns the chart in the order a balance sheet reads it: assets, liabilities, equity, income,
 * expenses (an account and its subaccounts share a type), each as a tree.
 */
export function chartOrder(accounts: readonly BooksAccountView[]): BooksAccountView[] {
  const rank = (a: BooksAccountView) => BOOKS_ACCOUNT_TYPES.indexOf(a.type);
  const tree = treeOrder(accounts);
  const position = new Map(tree.map((a, i) => [a.path, i]));
  return tree.sort(
    (a, b) => rank(a) - rank(b) || (position.get(a.path) ?? 0) - (position.get(b.path) ?? 0),
  );
}

/** Returns the chart as a map by path. */
export function byPath(accounts: readonly BooksAccountView[]): Map<string, BooksAccountView> {
  return new Map(accounts.map((a) => [a.path, a]));
}
