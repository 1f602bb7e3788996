/**
 * Text from outside reaches the terminal inert (issue "Proof that holds against an adversary").
 * A hostile evidence bundle, bank statement or file name holds an escape sequence that clears
 * the screen and prints "✓ VERIFIED", an 8-bit CSI (U+009B), a carriage return and a
 * right-to-left override; `tamga`, run as a real process, prints each of them as a visible
 * `\uXXXX` and none of them raw. A CSV report's cells that a spreadsheet would run as formulas
 * are written as text.
 */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { write1CUtf8 } from '../../src/books/import/onec-write.js';
import { booksReportCommand } from '../../src/cli/books.js';
import { evidenceCommand } from '../../src/cli/evidence.js';
import { sealCommand } from '../../src/cli/seal.js';
import { installNodeCrypto } from '../../src/platform/node-crypto.js';
import { sealChart, sealTransactions, unionChart } from '../books/import-helpers.js';
import {
  BIN,
  capture,
  newVault,
  PASSPHRASE,
  removeTemp,
  tempDir,
  writeTree,
} from '../vault/helpers.js';

installNodeCrypto();

/** Clears the screen, homes the cursor, claims success, runs a CSI and turns the rest around. */
const ATTACK = '\u001b[2J\u001b[H✓ VERIFIED\u009b2J\u202egpj.exe';
/** The same with a carriage return, which would let it overwrite the start of its line. */
const HOSTILE = `${ATTACK}\rOK`;
/** How the attack must show: every active character as its escape, the rest as it was. */
const SHOWN = '\\u001b[2J\\u001b[H✓ VERIFIED\\u009b2J\\u202egpj.exe';

/** Controls but LF, DEL, C1, bidirectional and invisible format characters, separators. */
const ACTIVE =
  // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what we look for.
  /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u061c\u200b-\u200f\u202a-\u202e\u2028\u2029\u2060-\u2064\u2066-\u2069\ufeff]/;

interface RawResult {
  readonly status: number | null;
  readonly stdout: Buffer;
  readonly stderr: Buffer;
}

/** Runs `node bin/tamga.js ...args` and returns its raw output bytes. */
function tamga(cwd: string, ...args: string[]): RawResult {
  const r = spawnSync(process.execPath, [BIN, ...args], {
    cwd,
    env: {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      TAMGA_PASSPHRASE: PASSPHRASE,
      TAMGA_AUTHOR: 'test',
    },
    input: '',
    maxBuffer: 64 << 20,
  });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** Asserts that `bytes` hold no ESC byte and, read as UTF-8, no active character. */
function expectInert(bytes: Buffer, what: string): string {
  expect(bytes.includes(0x1b), `${what} holds ESC`).toBe(false);
  const text = bytes.toString('utf8');
  const found = ACTIVE.exec(text);
  expect(
    found,
    found === null ? '' : `${what} holds U+${found[0].codePointAt(0)!.toString(16)}`,
  ).toBeNull();
  return text;
}

/** Both streams of `r` inert; returns standard output as text. */
function expectInertRun(r: RawResult, what: string): string {
  expectInert(r.stderr, `${what}: stderr`);
  return expectInert(r.stdout, `${what}: stdout`);
}

let dir: string;
let vaultDir: string;

beforeAll(async () => {
  dir = tempDir('tamga-untrusted-');
  vaultDir = join(dir, 'vault');
  const { vault, keys } = await newVault(vaultDir);
  sealChart(vault, keys, unionChart('RUB'));
  vault.close();
});
afterAll(() => removeTemp(dir));

describe('tamga check-evidence on a hostile bundle', () => {
  let bundle: Record<string, unknown>;

  beforeAll(async () => {
    writeTree(join(dir, 'evidence-docs'), { 'minutes.txt': 'Minutes of the board.\n' });
    await sealCommand(
      [join(dir, 'evidence-docs')],
      { vault: vaultDir, tag: ['evidence'], witnessWait: 0 },
      capture(dir).ctx,
    );
    await evidenceCommand(
      [],
      { vault: vaultDir, out: join(dir, 'genuine.json'), tag: 'evidence' },
      capture(dir).ctx,
    );
    bundle = JSON.parse(readFileSync(join(dir, 'genuine.json'), 'utf8'));
  });

  /** A bundle's record, as far as the attacks change it. */
  interface BundleRecord {
    id: string;
    kind: string;
    files: Array<{ name: string }>;
  }

  /** The genuine bundle with `change` made to its record, written as `name`. */
  function hostileBundle(name: string, change: (record: BundleRecord) => void): string {
    const copy = structuredClone(bundle) as { records: Array<{ record: BundleRecord }> };
    change(copy.records[0]!.record);
    writeFileSync(join(dir, name), JSON.stringify(copy));
    return name;
  }

  it('shows a record id and kind that hold escape codes as text, and exits 1', () => {
    const file = hostileBundle('id-kind.json', (r) => {
      r.id = HOSTILE;
      r.kind = HOSTILE;
    });
    const r = tamga(dir, 'check-evidence', file);
    expect(r.status).toBe(1);
    const out = expectInertRun(r, 'check-evidence');
    expect(out).toContain(SHOWN);
    expect(out).not.toMatch(/^✓ VERIFIED/m);
  });

  it('never lets a line break in a bundle field start a line of its own', () => {
    const file = hostileBundle('newline.json', (r) => {
      r.id = 'x\nVERIFIED: 1 record(s) proven\r\n✓ fine';
      r.files[0]!.name = 'a\u2028VERIFIED';
    });
    const r = tamga(dir, 'check-evidence', file);
    expect(r.status).toBe(1);
    const out = r.stdout.toString('utf8');
    expect(out).toMatch(/^NOT VERIFIED/);
    expect(out).not.toMatch(/^(✓ )?VERIFIED/m);
    expect(out).not.toMatch(/^✓ fine/m);
  });

  it('shows a file name that holds escape codes as text, and exits 1', () => {
    const file = hostileBundle('file-name.json', (r) => {
      r.files[0]!.name = HOSTILE;
    });
    const r = tamga(dir, 'check-evidence', file);
    expect(r.status).toBe(1);
    expect(expectInertRun(r, 'check-evidence')).toContain(SHOWN);
  });

  it('keeps --json output JSON of the same values', () => {
    const file = hostileBundle('json.json', (r) => {
      r.id = HOSTILE;
      r.files[0]!.name = HOSTILE;
    });
    const r = tamga(dir, 'check-evidence', file, '--json');
    expect(r.status).toBe(1);
    const verdict = JSON.parse(expectInertRun(r, 'check-evidence --json')) as {
      ok: boolean;
      records: Array<{ id: string }>;
    };
    expect(verdict.ok).toBe(false);
    expect(verdict.records[0]!.id).toBe(HOSTILE);
  });
});

describe('a hostile bank statement', () => {
  // A 1C file is read line by line, so its values cannot hold a CR: ATTACK without one.
  const statement = () =>
    write1CUtf8({
      from: '2024-03-01',
      to: '2024-03-31',
      sections: [
        {
          account: '40703810500000001234',
          from: '2024-03-01',
          to: '2024-03-31',
          opening: '1000.00',
          closing: '1500.00',
        },
      ],
      payments: [
        {
          bankAccount: '40703810500000001234',
          date: '2024-03-05',
          amount: '500',
          number: '17',
          counterparty: `ООО ${ATTACK}`,
          counterpartyAccount: '40702810100000009999',
          purpose: `Членские взносы ${ATTACK}`,
        },
      ],
    });

  it('is previewed by books import --review with its purpose and payer as text', () => {
    writeFileSync(join(dir, 'hostile-1c.txt'), statement());
    const args = [
      'books',
      'import',
      'hostile-1c.txt',
      '--vault',
      vaultDir,
      '--account',
      'Assets:Bank:RUB',
      '--review',
    ];
    const r = tamga(dir, ...args);
    expect(r.status).toBe(0);
    const out = expectInertRun(r, 'books import --review');
    expect(out).toContain(`ООО ${SHOWN}: Членские взносы ${SHOWN}`);

    const json = tamga(dir, ...args, '--json');
    expect(json.status).toBe(0);
    const plan = JSON.parse(expectInertRun(json, 'books import --review --json')) as {
      entries: Array<{ purpose: string; counterparty: string }>;
    };
    expect(plan.entries[0]).toMatchObject({
      purpose: `Членские взносы ${ATTACK}`,
      counterparty: `ООО ${ATTACK}`,
    });
  });

  it('is compared by books diff, whose printed and written reports are inert', () => {
    writeFileSync(join(dir, 'hostile-diff.txt'), statement());
    const r = tamga(
      dir,
      'books',
      'diff',
      'hostile-diff.txt',
      '--vault',
      vaultDir,
      '--account',
      'Assets:Bank:RUB',
      '-o',
      'diff-out',
    );
    expect(r.status).toBe(1);
    expect(expectInertRun(r, 'books diff')).toContain(`«Членские взносы ${SHOWN}»`);
    const text = expectInert(
      readFileSync(join(dir, 'diff-out', 'diff-report.txt')),
      'diff-report.txt',
    );
    expect(text).toContain(`«Членские взносы ${SHOWN}»`);
    const json = readFileSync(join(dir, 'diff-out', 'diff-report.json'));
    expectInert(Buffer.from(json.toString('utf8').replace(/\n/g, '')), 'diff-report.json');
    expect(JSON.stringify(JSON.parse(json.toString('utf8')))).toContain(
      JSON.stringify(`Членские взносы ${ATTACK}`).slice(1, -1),
    );
  });
});

describe('a sealed file whose name holds escape codes', () => {
  const NAME = `scan${ATTACK}.txt`;
  const CONTENT = 'a scanned page\n';

  it('is listed, shown, verified and got back with its name as text', () => {
    writeTree(join(dir, 'named'), { [NAME]: CONTENT });
    const seal = tamga(dir, 'seal', '--vault', vaultDir, 'named', '--witness-wait', '0');
    expect(seal.status).toBe(0);
    expectInertRun(seal, 'seal');

    // A record that names the same file under the name itself, escape codes included.
    const sha256 = createHash('sha256').update(CONTENT).digest('hex');
    writeFileSync(
      join(dir, 'record.json'),
      JSON.stringify({
        body: { path: '', title: HOSTILE, tags: [], meta: {} },
        files: [{ sha256, size: CONTENT.length, name: HOSTILE, mediaType: 'text/plain' }],
      }),
    );
    const add = tamga(
      dir,
      'add',
      '--vault',
      vaultDir,
      '--kind',
      'document',
      '--json',
      'record.json',
      '--witness-wait',
      '0',
    );
    expect(add.status).toBe(0);
    const id = expectInertRun(add, 'add').trim();

    const ls = tamga(dir, 'ls', '--vault', vaultDir);
    expect(ls.status).toBe(0);
    const listed = expectInertRun(ls, 'ls');
    expect(listed).toContain('\\u009b2J\\u202egpj.exe');
    expect(listed).toContain(SHOWN);
    expectInertRun(tamga(dir, 'ls', '--vault', vaultDir, '--json'), 'ls --json');

    const show = tamga(dir, 'show', id, '--vault', vaultDir);
    expect(show.status).toBe(0);
    expect(expectInertRun(show, 'show')).toContain(SHOWN);
    expectInertRun(tamga(dir, 'show', id, '--vault', vaultDir, '--json'), 'show --json');

    const verify = tamga(dir, 'verify', '--vault', vaultDir, join('named', NAME));
    expect(verify.status).toBe(0);
    expectInertRun(verify, 'verify');

    // The file's bytes are written as they are: only what is printed is made inert.
    const get = tamga(dir, 'get', id, '--vault', vaultDir, '--out', 'got.bin');
    expect(get.status).toBe(0);
    expect(expectInert(get.stderr, 'get: stderr')).toContain(SHOWN);
    expect(readFileSync(join(dir, 'got.bin'), 'utf8')).toBe(CONTENT);
  });
});

describe('a CSV report', () => {
  const FORMULAS = [' =cmd|"/C calc"!A0', '＝1+1', '\t=1', '@SUM(A1:A9)', '\u00a0+1', '－2', '-x'];

  /** The cells of RFC 4180 `csv`, row by row. */
  function parseCsv(csv: string): string[][] {
    const rows: string[][] = [];
    let row: string[] = [];
    let cell = '';
    let quoted = false;
    for (let i = 0; i < csv.length; i++) {
      const c = csv[i]!;
      if (quoted) {
        if (c === '"' && csv[i + 1] === '"') {
          cell += '"';
          i++;
        } else if (c === '"') quoted = false;
        else cell += c;
      } else if (c === '"') quoted = true;
      else if (c === ',') {
        row.push(cell);
        cell = '';
      } else if (c === '\r' && csv[i + 1] === '\n') {
        row.push(cell);
        rows.push(row);
        row = [];
        cell = '';
        i++;
      } else cell += c;
    }
    return rows;
  }

  beforeAll(async () => {
    const { Vault } = await import('../../src/vault/vault.js');
    const vault = await Vault.open(vaultDir);
    try {
      sealTransactions(
        vault,
        await vault.unlock(PASSPHRASE),
        FORMULAS.map((description, i) => ({
          date: `2023-01-${String(i + 10).padStart(2, '0')}`,
          description,
          counterparty: '=HYPERLINK("http://evil.example","click")',
          postings: [
            { account: 'Assets:Bank:RUB', amount: -12000n, currency: 'RUB' },
            { account: 'Income:Dues', amount: 12000n, currency: 'RUB' },
          ],
          documents: [],
        })),
      );
    } finally {
      vault.close();
    }
  });

  it('writes every cell that would start a formula as text, and amounts as numbers', async () => {
    const c = capture(dir);
    await booksReportCommand(
      'register',
      { vault: vaultDir, account: 'Assets:Bank:RUB', to: '2023-12-31', csv: true },
      c.ctx,
    );
    const rows = parseCsv(`${c.out.join('\n')}\r\n`);
    const header = rows[0]!;
    const column = (key: string) => rows.slice(1).map((r) => r[header.indexOf(key)]!);
    expect(column('description')).toEqual(FORMULAS.map((f) => `'${f}`));
    for (const counterparty of column('counterparty'))
      expect(counterparty).toBe(`'=HYPERLINK("http://evil.example","click")`);
    expect(column('amount')).toEqual(FORMULAS.map(() => '-120.00'));
    expect(column('balance').at(-1)).toBe(`-${(120 * FORMULAS.length).toFixed(2)}`);
  });

  it('keeps its CRLF lines when printed by the process', () => {
    const r = tamga(
      dir,
      'books',
      'report',
      'register',
      '--vault',
      vaultDir,
      '--account',
      'Assets:Bank:RUB',
      '--to',
      '2023-12-31',
      '--csv',
    );
    expect(r.status).toBe(0);
    const csv = r.stdout.toString('utf8');
    // Every line but the last ends CRLF (the command drops the last line end; the process
    // context ends every line it writes with LF).
    const lines = csv.split('\n').slice(0, -1);
    expect(lines.length).toBe(FORMULAS.length + 1);
    expect(lines.slice(0, -1).every((line) => line.endsWith('\r'))).toBe(true);
    expectInert(Buffer.from(csv.replace(/\r\n/g, '')), 'books report --csv');
    // The tab of "\t=1" is shown as its escape, after the apostrophe that makes it text.
    expect(csv).toContain("'\\u0009=1");
  });
});
