/**
 * The chart of accounts: the accounts sealed in `accounts` bodies, folded in log order (a later
 * declaration of a path replaces the earlier one), so that a restored vault has the same chart.
 */
import {
  ACCOUNT_TYPES,
  type Account,
  type AccountRole,
  type AccountType,
  accountProblem,
  type ChartLookup,
  isCurrency,
  parentPath,
} from './model.js';

/** The languages the chart's names are given in, and the interface speaks. */
export const CHART_LANGUAGES = ['en', 'ru', 'ky'] as const;

const ROOT_GUESS: Readonly<Record<string, AccountType>> = {
  assets: 'assets',
  asset: 'assets',
  активы: 'assets',
  активдер: 'assets',
  liabilities: 'liabilities',
  обязательства: 'liabilities',
  милдеттенмелер: 'liabilities',
  equity: 'equity',
  funds: 'equity',
  капитал: 'equity',
  фонды: 'equity',
  income: 'income',
  revenue: 'income',
  доходы: 'income',
  кирешелер: 'income',
  expenses: 'expenses',
  expense: 'expenses',
  расходы: 'expenses',
  чыгашалар: 'expenses',
};

/** The chart of accounts. Immutable: `with` returns a new chart. */
export class Chart implements ChartLookup {
  private readonly byPath: ReadonlyMap<string, Account>;

  constructor(accounts: Iterable<Account> = []) {
    const m = new Map<string, Account>();
    for (const a of accounts) m.set(a.path, a);
    this.byPath = m;
  }

  /** Returns the account at `path`, or undefined when the chart does not declare it. */
  account(path: string): Account | undefined {
    return this.byPath.get(path);
  }

  /** Returns every account, sorted by path. */
  accounts(): Account[] {
    return [...this.byPath.values()].sort((a, b) =>
      a.path < b.path ? -1 : a.path > b.path ? 1 : 0,
    );
  }

  /** The number of accounts. */
  get size(): number {
    return this.byPath.size;
  }

  /** Returns a chart with `accounts` added, each replacing any account with its path. */
  with(accounts: Iterable<Account>): Chart {
    return new Chart([...this.byPath.values(), ...accounts]);
  }

  /** Returns the open accounts with `role`, sorted by path. */
  withRole(role: AccountRole): Account[] {
    return this.accounts().filter((a) => a.role === role && a.closed !== true);
  }

  /**
   * Returns the type of `path`: its own, else its nearest declared ancestor's, else a guess
   * from its root's name (`Assets`, `Активы`, …), else undefined.
   */
  typeOf(path: string): AccountType | undefined {
    for (let p: string | null = path; p !== null; p = parentPath(p)) {
      const a = this.byPath.get(p);
      if (a !== undefined) return a.type;
    }
    const root = path.split(':')[0] ?? '';
    return ROOT_GUESS[root.toLowerCase()];
  }

  /** Returns the name of `path` in `language`, falling back to English, then the path's last component. */
  name(path: string, language: string): string {
    const names = this.byPath.get(path)?.names;
    return names?.[language] ?? names?.en ?? path.slice(path.lastIndexOf(':') + 1);
  }
}

/**
 * Returns every problem with adding or changing `accounts` in `chart`: bad paths or currencies,
 * a type different from a declared ancestor's or descendant's, a role on an account of the
 * wrong type. An empty list means they can be sealed.
 */
export function accountChangeProblems(chart: Chart, accounts: readonly Account[]): string[] {
  const problems: string[] = [];
  const next = chart.with(accounts);
  const seen = new Set<string>();
  for (const a of accounts) {
    const where = `account ${JSON.stringify(a.path)}`;
    if (seen.has(a.path)) problems.push(`${where} is given twice`);
    seen.add(a.path);
    const p = accountProblem(a.path);
    if (p !== null) problems.push(`${where}: the path ${p}`);
    if (!(ACCOUNT_TYPES as readonly string[]).includes(a.type)) {
      problems.push(
        `${where}: the type ${JSON.stringify(a.type)} is not one of ${ACCOUNT_TYPES.join(', ')}`,
      );
    }
    if (!isCurrency(a.currency)) {
      problems.push(`${where}: ${JSON.stringify(a.currency)} is not an ISO 4217 currency code`);
    }
    const parent = parentPath(a.path);
    const parentType = parent === null ? undefined : next.typeOf(parent);
    if (parentType !== undefined && parentType !== a.type) {
      problems.push(`${where} is ${a.type}, but its parent ${parent} is ${parentType}`);
    }
    for (const other of next.accounts()) {
      if (other.path.startsWith(`${a.path}:`) && other.type !== a.type) {
        problems.push(`${where} is ${a.type}, but its subaccount ${other.path} is ${other.type}`);
        break;
      }
    }
    const roleType = ROLE_TYPES[a.role ?? ''];
    if (roleType !== undefined && !roleType.includes(a.type)) {
      problems.push(
        `${where}: the role ${a.role} needs an account of type ${roleType.join(' or ')}`,
      );
    }
  }
  return problems;
}

const ROLE_TYPES: Readonly<Record<string, readonly AccountType[]>> = {
  dues: ['income'],
  'dues-share': ['expenses', 'income', 'liabilities'],
  'opening-balances': ['equity'],
  suspense: ['assets', 'liabilities', 'equity'],
  'fund-transfers': ['equity'],
  conversion: ['equity'],
};
