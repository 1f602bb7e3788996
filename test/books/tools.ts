/**
 * Running hledger, ledger and beancount (Debian packages `hledger`, `ledger`, `beancount`) on
 * exported books, and reading back each account's own balance per currency.
 *
 * Where a tool is missing the interop tests skip, except with CI=true, where they fail: CI
 * must have the tools (.ci/run installs them).
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** True when `command` runs. */
export function hasTool(command: string): boolean {
  const r = spawnSync(command, ['--version'], { encoding: 'utf8' });
  return r.status === 0;
}

/** True when every tool is installed or CI requires them (a missing one then fails the test). */
export const TOOLS_WANTED =
  process.env.CI === 'true' || (hasTool('hledger') && hasTool('ledger') && hasTool('bean-check'));

/** Balances read from a tool: `account\u0000currency` → decimal text, zero balances left out. */
export type ToolBalances = Map<string, string>;

function run(command: string, args: readonly string[], input?: string): string {
  const r = spawnSync(command, args, {
    encoding: 'utf8',
    maxBuffer: 1 << 30,
    ...(input === undefined ? {} : { input }),
    env: { ...process.env, LANG: 'C.UTF-8', LC_ALL: 'C.UTF-8' },
  });
  if (r.error) throw r.error;
  if (r.status !== 0) {
    throw new Error(
      `${command} ${args.join(' ')} failed (${r.status}):\n${r.stderr}\n${r.stdout}`.slice(0, 4000),
    );
  }
  return r.stdout;
}

/** A temporary folder holding `name` with `text`; returns its path and a cleanup. */
export function tempFile(name: string, text: string): { path: string; done(): void } {
  const dir = mkdtempSync(join(tmpdir(), 'tamga-books-'));
  const path = join(dir, name);
  writeFileSync(path, text);
  return { path, done: () => rmSync(dir, { recursive: true, force: true }) };
}

function normalize(amount: string): string {
  // 1250.00 → 1250.00; -0.50 → -0.50; a tool's "0" never reaches here (zero balances are dropped).
  return amount.trim();
}

function isZero(amount: string): boolean {
  return /^-?0+(\.0+)?$/.test(amount);
}

function put(out: ToolBalances, account: string, amountAndCurrency: string): void {
  const m = /^(-?[\d.]+) ([A-Z]{3})$/.exec(amountAndCurrency.trim());
  if (m === null) {
    if (amountAndCurrency.trim() === '0' || amountAndCurrency.trim() === '') return;
    throw new Error(`cannot read the amount ${JSON.stringify(amountAndCurrency)} of ${account}`);
  }
  if (!isZero(m[1] as string)) out.set(`${account}\u0000${m[2]}`, normalize(m[1] as string));
}

/** Runs `hledger check -s` on `file` (throws on failure). */
export function hledgerCheck(file: string): void {
  run('hledger', ['-f', file, 'check', '-s']);
}

/** Returns each account's own balances as hledger computes them. */
export function hledgerBalances(file: string): ToolBalances {
  const csv = run('hledger', ['-f', file, 'balance', '--flat', '--no-total', '-O', 'csv']);
  const out: ToolBalances = new Map();
  for (const line of csv.split(/\r?\n/).slice(1)) {
    if (line === '') continue;
    const m = /^"((?:[^"]|"")*)","((?:[^"]|"")*)"$/.exec(line);
    if (m === null) throw new Error(`cannot read hledger's line ${line}`);
    const account = (m[1] as string).replace(/""/g, '"');
    for (const part of (m[2] as string).split(', ')) put(out, account, part);
  }
  return out;
}

/** Returns each account's own balances as ledger computes them, with `--pedantic` (throws on failure). */
export function ledgerBalances(file: string): ToolBalances {
  const text = run('ledger', [
    '-f',
    file,
    '--pedantic',
    'balance',
    '--flat',
    '--no-total',
    '--empty',
    '--format',
    '%(account)\t%(amount)\n',
  ]);
  const out: ToolBalances = new Map();
  let account = '';
  for (const line of text.split('\n')) {
    if (line === '') continue;
    const tab = line.indexOf('\t');
    if (tab >= 0) {
      account = line.slice(0, tab);
      put(out, account, line.slice(tab + 1));
    } else put(out, account, line);
  }
  return out;
}

const BEANCOUNT_SCRIPT = `
import sys
from collections import defaultdict
from beancount import loader
from beancount.core import data
entries, errors, options = loader.load_file(sys.argv[1])
if errors:
    from beancount.parser import printer
    for e in errors:
        printer.print_error(e, file=sys.stderr)
    sys.exit(1)
sums = defaultdict(lambda: 0)
for e in entries:
    if isinstance(e, data.Transaction):
        for p in e.postings:
            sums[(p.account, p.units.currency)] += p.units.number
for (account, currency), n in sorted(sums.items()):
    print(f"{account}\\t{n} {currency}")
`;

/** Runs `bean-check` on `file` (throws on failure). */
export function beanCheck(file: string): void {
  run('bean-check', [file]);
}

/** The Python that runs bean-check (its shebang), which has the beancount module. */
function beancountPython(): string {
  const where = spawnSync('sh', ['-c', 'command -v bean-check'], {
    encoding: 'utf8',
  }).stdout.trim();
  const shebang = where === '' ? '' : (readFileSync(where, 'utf8').split('\n')[0] ?? '');
  const m = /^#!\s*(\S+)(?:\s+(\S+))?/.exec(shebang);
  if (m === null) return 'python3';
  return m[1]?.endsWith('/env') && m[2] !== undefined ? m[2] : (m[1] as string);
}

/** Returns each account's own balances as beancount computes them (its beancount names). */
export function beancountBalances(file: string): ToolBalances {
  const text = run(beancountPython(), ['-c', BEANCOUNT_SCRIPT, file]);
  const out: ToolBalances = new Map();
  for (const line of text.split('\n')) {
    if (line === '') continue;
    const [account, amount] = line.split('\t') as [string, string];
    put(out, account, amount);
  }
  return out;
}
