/**
 * The whole `tamga` command as a person runs it, in real processes: init → seal → ls → show →
 * get → verify → evidence → check-evidence → fsck, with exit codes, the lines people read, and
 * --json output that parses. Independent commands run side by side to keep the file fast.
 */
import { createHash } from 'node:crypto';
import { cpSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CheckEvidenceResult } from '../../src/cli/evidence.js';
import { main } from '../../src/cli/main.js';
import {
  bundleFingerprint,
  evidenceReadme,
  matchGivenFiles,
  parseEvidence,
} from '../../src/evidence/index.js';
import { verifyTlogProof } from '../../src/evidence/tlog-proof.js';
import { openCheckpoint } from '../../src/log/checkpoint.js';
import { decodeBase64, encodeBase64 } from '../../src/log/encoding.js';
import { parseVerifierKey } from '../../src/log/note.js';
import { verifyInclusion } from '../../src/log/proof.js';
import { commitCanonical, recordLeafHash } from '../../src/records/commitment.js';
import { canonicalizeBytes } from '../../src/records/jcs.js';
import {
  type CliResult,
  capture,
  cli,
  cliAsync,
  hasStackTrace,
  lines,
  ORIGIN,
  removeTemp,
  tempDir,
  writeTree,
} from './helpers.js';

interface Listed {
  index: number;
  id: string;
  kind: string;
  created: string;
  body: { path?: string; tags?: string[]; meta?: Record<string, string> };
  files: Array<{ sha256: string; size: number; name: string; mediaType: string }>;
  refs: string[];
}

const FILES: Record<string, string> = {
  'scans/2024/Протокол собрания.pdf': '%PDF-1.7 протокол общего собрания, 12 марта',
  'scans/2024/касса.csv': 'дата,сумма\n2024-03-12,15000\n',
  'scans/отчёт.txt': 'годовой отчёт',
};

let root: string;
let verifierKey: string;
const run = (args: string[], input?: string) =>
  cliAsync(args, { cwd: root, ...(input === undefined ? {} : { input }) });
const r: Record<string, CliResult> = {};
let all: Listed[];
const byPath = (p: string) => all.find((l) => l.body.path === p)!;
const jsonLines = (res: CliResult) => lines(res.stdout).map((l) => JSON.parse(l));

function dayOffset(date: string, days: number): string {
  const d = new Date(`${date}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + days);
  return d.toISOString().slice(0, 10);
}

beforeAll(async () => {
  root = tempDir('tamga-cli-roundtrip-');
  writeTree(root, FILES);
  writeTree(root, { 'other/memo.txt': 'памятка' });
  // A copy of касса.csv with one byte changed, under the same name.
  const forged = Buffer.from(FILES['scans/2024/касса.csv']!);
  forged[forged.length - 2] = '9'.charCodeAt(0);
  writeTree(root, { 'suspect/касса.csv': forged });

  r.init = cli(['init', 'vault', '--origin', ORIGIN, '--scrypt-log-n', '10'], { cwd: root });
  verifierKey = r.init.stdout.trim();
  r.seal = await run([
    'seal',
    '--vault',
    'vault',
    '--tag',
    '2024',
    '--tag',
    'касса',
    '--meta',
    'office=Бишкек',
    '--json',
    'scans',
  ]);
  // Two writers at once: each batch lands whole, one after the other.
  [r.sealOther, r.add] = await Promise.all([
    run(['seal', '--vault', 'vault', '--tag', 'other', 'other']),
    run(
      ['add', '--vault', 'vault', '--kind', 'incident', '--json', '-'],
      JSON.stringify({
        date: '2024-03-12',
        place: 'Бишкек',
        description: 'Обыск в офисе профсоюза',
        category: 'search',
      }),
    ),
  ]);
  r.ls = await run(['ls', '--vault', 'vault', '--json']);
  all = jsonLines(r.ls);
  const pdf = byPath('scans/2024/Протокол собрания.pdf');
  const csv = byPath('scans/2024/касса.csv');
  const day = pdf.created.slice(0, 10);

  const results = await Promise.all([
    run(['ls', '--vault', 'vault']),
    run(['ls', '--vault', 'vault', '--json', '--kind', 'incident']),
    run(['ls', '--vault', 'vault', '--json', '--tag', 'касса']),
    run(['ls', '--vault', 'vault', '--json', '--text', 'ПРОТОКОЛ СОБРАНИЯ']),
    run(['ls', '--vault', 'vault', '--json', '--from', day, '--to', day]),
    run(['show', '--vault', 'vault', pdf.id]),
    run(['show', '--vault', 'vault', pdf.id, '--json']),
    run(['get', '--vault', 'vault', csv.id, '--out', 'restored.csv']),
    run(['verify', '--vault', 'vault', 'scans']),
    run(['verify', '--vault', 'vault', '--json', 'scans', 'suspect']),
    run(['verify', '--vault', 'vault', 'suspect/касса.csv']),
    run(['evidence', '--vault', 'vault', csv.id, '-o', 'bundle', '--with-files']),
  ]);
  const names = [
    'lsText',
    'lsKind',
    'lsTag',
    'lsCyrillic',
    'lsDay',
    'show',
    'showJson',
    'get',
    'verify',
    'verifyJson',
    'verifyForged',
    'evidence',
  ];
  names.forEach((name, i) => {
    r[name] = results[i]!;
  });
}, 120_000);

afterAll(() => removeTemp(root));

describe('tamga in real processes', () => {
  it('init prints the verifier key to publish; seal and add succeed', () => {
    expect(r.init!.status, r.init!.stderr).toBe(0);
    expect(() => parseVerifierKey(verifierKey)).not.toThrow();
    expect(parseVerifierKey(verifierKey).name).toBe(ORIGIN);
    expect(r.init!.stderr).toMatch(
      /publish the trust statement and its fingerprint \(tamga trust\)/,
    );
    for (const k of ['seal', 'sealOther', 'add']) {
      expect(r[k]!.status, `${k}: ${r[k]!.stderr}`).toBe(0);
      expect(hasStackTrace(r[k]!.stderr)).toBe(false);
    }
    expect(r.add!.stdout.trim()).toMatch(/^[0-9A-Z]{26}$/);
  });

  it('seal --json writes one parsable line per file and a summary', () => {
    const events = jsonLines(r.seal!);
    const sealed = events.filter((e) => e.status === 'sealed');
    expect(sealed.map((e) => e.path).sort()).toEqual(Object.keys(FILES).sort());
    for (const e of sealed) {
      expect(e.sha256).toBe(createHash('sha256').update(FILES[e.path]!).digest('hex'));
      expect(e.size).toBe(Buffer.byteLength(FILES[e.path]!));
    }
    expect(events.at(-1)).toEqual({
      summary: expect.objectContaining({ sealed: 3, unchanged: 0, failed: [], checkpoint: 3 }),
    });
  });

  it('ls --json lists every record, with paths relative as given and the tags and meta', () => {
    expect(r.ls!.status).toBe(0);
    expect(all.map((l) => l.index)).toEqual([0, 1, 2, 3, 4]);
    expect(all.filter((l) => l.kind === 'document').map((l) => l.body.path)).toEqual(
      expect.arrayContaining([...Object.keys(FILES), 'other/memo.txt']),
    );
    const pdf = byPath('scans/2024/Протокол собрания.pdf');
    expect(pdf.body.tags).toEqual(['2024', 'касса']);
    expect(pdf.body.meta).toEqual({ office: 'Бишкек' });
    expect(pdf.files[0]).toMatchObject({
      name: 'Протокол собрания.pdf',
      mediaType: 'application/pdf',
    });
  });

  it('ls prints one line per record: id, entry, time, kind, title', () => {
    expect(r.lsText!.status).toBe(0);
    const out = lines(r.lsText!.stdout);
    expect(out).toHaveLength(5);
    for (const [i, l] of all.entries()) {
      expect(out[i]).toMatch(new RegExp(`^${l.id}\\s+${l.index}\\s+${l.created}\\s+${l.kind}\\s+`));
    }
    const incident = all.findIndex((l) => l.kind === 'incident');
    expect(out[incident]).toMatch(/incident\s+Обыск в офисе профсоюза$/);
    const pdf = all.findIndex((l) => l.body.path === 'scans/2024/Протокол собрания.pdf');
    expect(out[pdf]).toMatch(/document\s+scans\/2024\/Протокол собрания\.pdf {2}\(\d+ B\)$/);
  });

  it('ls filters by kind, by Cyrillic text in any case, and by dates (inclusive)', async () => {
    const ids = (res: CliResult) => jsonLines(res).map((l: Listed) => l.id);
    expect(r.lsKind!.status).toBe(0);
    expect(ids(r.lsKind!)).toEqual([all.find((l) => l.kind === 'incident')!.id]);
    expect(ids(r.lsCyrillic!)).toEqual([byPath('scans/2024/Протокол собрания.pdf').id]);
    // --from and --to of the records' own day hold all of them; a bare --to date is the whole day.
    expect(ids(r.lsDay!)).toEqual(all.map((l) => l.id));
    // The day before and the day after hold none (in-process: the same command, no process).
    const day = all[0]!.created.slice(0, 10);
    for (const filter of [
      ['--from', dayOffset(day, 1)],
      ['--to', dayOffset(day, -1)],
    ]) {
      const c = capture(root);
      expect(await main(['ls', '--vault', 'vault', '--json', ...filter], c.ctx)).toBe(0);
      expect(c.out).toEqual([]);
    }
  });

  // Regression test for a bug fixed after it was found by this test.
  it('ls --tag lists the records with that tag', () => {
    expect(r.lsTag!.status).toBe(0);
    expect(
      jsonLines(r.lsTag!)
        .map((l: Listed) => l.id)
        .sort(),
    ).toEqual(
      Object.keys(FILES)
        .map((p) => byPath(p).id)
        .sort(),
    );
  });

  it('show prints the record and its proof status', () => {
    expect(r.show!.status).toBe(0);
    expect(r.show!.stdout).toContain('"path": "scans/2024/Протокол собрания.pdf"');
    expect(r.show!.stdout).toMatch(/log entry: +\d+/);
    expect(r.show!.stdout).toMatch(
      /proof: +included in the signed checkpoint of size 5 \(inclusion proof of \d+ hashes verified\)/,
    );
  });

  it("show --json gives salt and proof, and the proof verifies against the log's checkpoint", () => {
    expect(r.showJson!.status).toBe(0);
    const shown = JSON.parse(r.showJson!.stdout) as {
      index: number;
      record: Listed;
      salt: string;
      commitment: string;
      proof: { checkpointSize: number; verified: boolean; hashes: string[] };
    };
    const pdf = byPath('scans/2024/Протокол собрания.pdf');
    const { index: _index, ...record } = pdf;
    expect(shown.record).toEqual(record);
    const salt = decodeBase64(shown.salt);
    expect(salt).toHaveLength(32);
    const commitment = commitCanonical(canonicalizeBytes(shown.record), salt);
    expect(encodeBase64(commitment)).toBe(shown.commitment);
    expect(shown.proof.checkpointSize).toBe(5);
    expect(shown.proof.verified).toBe(true);

    // The checkpoint of that size, as the vault signed it, opened with the published key.
    const db = new Database(join(root, 'vault', 'vault.db'), { readonly: true });
    const note = (
      db.prepare('SELECT note FROM checkpoints WHERE size = ?').get(5) as { note: string }
    ).note;
    db.close();
    const { checkpoint } = openCheckpoint(note, parseVerifierKey(verifierKey));
    const proof = shown.proof.hashes.map((h) => decodeBase64(h));
    expect(() =>
      verifyInclusion(shown.index, 5, recordLeafHash(commitment), proof, checkpoint.root),
    ).not.toThrow();
    // A proof with one bit flipped does not.
    const bad = proof.map((h) => h.slice());
    bad[0]![0]! ^= 1;
    expect(() =>
      verifyInclusion(shown.index, 5, recordLeafHash(commitment), bad, checkpoint.root),
    ).toThrow();
  });

  it('get --out writes the original bytes', () => {
    expect(r.get!.status, r.get!.stderr).toBe(0);
    expect(
      readFileSync(join(root, 'restored.csv')).equals(
        readFileSync(join(root, 'scans/2024/касса.csv')),
      ),
    ).toBe(true);
    expect(r.get!.stderr).toMatch(/Wrote касса\.csv \(\d+ B\) to restored\.csv/);
  });

  it('verify: exit 0 when every file is sealed', () => {
    expect(r.verify!.status).toBe(0);
    const out = lines(r.verify!.stdout);
    expect(out).toHaveLength(3);
    for (const l of out)
      expect(l).toMatch(/^SEALED {6}scans\/.+: record [0-9A-Z]{26} \(entry \d, sealed as scans\//);
  });

  it('verify: exit 1, NOT SEALED and the same-name hint for a copy with one byte changed', () => {
    expect(r.verifyForged!.status).toBe(1);
    const csv = byPath('scans/2024/касса.csv');
    expect(r.verifyForged!.stdout.trim()).toBe(
      `NOT SEALED  suspect/касса.csv: no record in this vault holds these contents; a file of this name was sealed with different contents: ${csv.id} (scans/2024/касса.csv)`,
    );
    expect(r.verifyJson!.status).toBe(1);
    const verdicts = jsonLines(r.verifyJson!);
    expect(verdicts.map((v) => [v.path, v.status])).toEqual(
      expect.arrayContaining([
        ['scans/2024/касса.csv', 'sealed'],
        ['suspect/касса.csv', 'not-sealed'],
      ]),
    );
    expect(verdicts.find((v) => v.status === 'not-sealed').sameName).toEqual([
      { id: csv.id, path: 'scans/2024/касса.csv' },
    ]);
  });
});

describe('evidence bundles', () => {
  const bundleDir = () => join(root, 'bundle');
  const readBundle = (dir: string) =>
    JSON.parse(readFileSync(join(dir, 'evidence.json'), 'utf8')) as {
      checkpoint: string;
      records: Array<{ salt: string; proof: string[]; record: Listed }>;
      files: Array<{ sha256: string; path: string }>;
    };

  function tampered(name: string, change: (b: ReturnType<typeof readBundle>, dir: string) => void) {
    const dir = join(root, `bundle-${name}`);
    cpSync(bundleDir(), dir, { recursive: true });
    const b = readBundle(dir);
    change(b, dir);
    writeFileSync(join(dir, 'evidence.json'), JSON.stringify(b, null, 2));
    return dir;
  }

  const flipBase64 = (s: string) => {
    const bytes = decodeBase64(s);
    bytes[0]! ^= 1;
    return encodeBase64(bytes);
  };

  it('evidence --with-files writes the bundle and the decrypted file, named as sealed', () => {
    expect(r.evidence!.status, r.evidence!.stderr).toBe(0);
    expect(r.evidence!.stdout.trim()).toBe(join(bundleDir(), 'evidence.json'));
    const b = readBundle(bundleDir());
    const csv = byPath('scans/2024/касса.csv');
    expect(b.records.map((x) => x.record.id)).toEqual([csv.id]);
    const sha256 = csv.files[0]!.sha256;
    expect(b.files).toEqual([{ sha256, path: `files/${sha256.slice(0, 16)}-касса.csv` }]);
    expect(
      readFileSync(join(bundleDir(), b.files[0]!.path)).equals(
        readFileSync(join(root, 'scans/2024/касса.csv')),
      ),
    ).toBe(true);
  });

  it("evidence -o FOLDER writes the README and the offline verifier, as the web app's ZIP holds them", () => {
    const bundle = parseEvidence(readFileSync(join(bundleDir(), 'evidence.json')));
    expect(readFileSync(join(bundleDir(), 'README.txt'), 'utf8')).toBe(
      evidenceReadme(bundleFingerprint(bundle)),
    );
    const built = fileURLToPath(new URL('../../web/dist/verifier.html', import.meta.url));
    if (existsSync(built)) {
      expect(readFileSync(join(bundleDir(), 'verifier.html')).equals(readFileSync(built))).toBe(
        true,
      );
    } else {
      expect(existsSync(join(bundleDir(), 'verifier.html'))).toBe(false);
      expect(r.evidence!.stderr).toMatch(/The offline verifier is not built/);
    }
  });

  it('evidence writes the proof of each record as a C2SP tlog-proof file in proofs/', () => {
    const b = readBundle(bundleDir());
    const csv = byPath('scans/2024/касса.csv');
    const text = readFileSync(join(bundleDir(), 'proofs', `${csv.id}.tlog-proof`), 'utf8');
    expect(text.split('\n').slice(0, 3)).toEqual([
      'c2sp.org/tlog-proof@v1',
      expect.stringMatching(/^extra [A-Za-z0-9+/]+=*$/),
      `index ${csv.index}`,
    ]);
    expect(text.endsWith(b.checkpoint)).toBe(true);
    const proven = verifyTlogProof(text, {
      log: { origin: ORIGIN, verifierKey },
      witnesses: { quorum: 0, verifierKeys: [] },
    });
    expect(proven.record).toEqual(b.records[0]!.record);
    expect(encodeBase64(proven.salt)).toBe(b.records[0]!.salt);
  });

  it('check-evidence passes the bundle, and fails each tampered copy with the right ✗', async () => {
    const variants: Array<[string, string, RegExp]> = [
      [
        'record',
        tampered('record', (b) => {
          b.records[0]!.record.body.path = 'scans/2024/касса-2.csv';
        }),
        /✗ The record and its salt do not give the commitment .*: the record or its salt was changed after it was sealed\./,
      ],
      [
        'salt',
        tampered('salt', (b) => {
          b.records[0]!.salt = flipBase64(b.records[0]!.salt);
        }),
        /✗ The record and its salt do not give the commitment/,
      ],
      [
        'proof',
        tampered('proof', (b) => {
          b.records[0]!.proof[0] = flipBase64(b.records[0]!.proof[0]!);
        }),
        /✗ The commitment is not proven to be log entry \d+ of the checkpoint: .*different root/,
      ],
      [
        'checkpoint',
        tampered('checkpoint', (b) => {
          b.checkpoint = b.checkpoint.replace(/^(.*\n)5\n/, '$16\n');
        }),
        /✗ Not validly signed by the log key .*: the note was altered or forged/,
      ],
      [
        'file',
        tampered('file', (b, dir) => {
          const path = join(dir, b.files[0]!.path);
          const bytes = readFileSync(path);
          bytes[0]! ^= 0x20;
          writeFileSync(path, bytes);
        }),
        /✗ The file касса\.csv does not match: the record says SHA-256 [0-9a-f]{64} and \d+ bytes, the file given has SHA-256 [0-9a-f]{64}/,
      ],
    ];
    // The statement the union publishes: the verifier pins it.
    const published = await run(['trust', '--vault', 'vault', '-o', 'trust.txt']);
    expect(published.status, published.stderr).toBe(0);
    const fingerprint = /Fingerprint: (\d{5}(?: \d{5}){5})/.exec(published.stderr)![1]!;
    const [good, goodJson, unpinned, ...bad] = await Promise.all([
      run(['check-evidence', '--trust', 'trust.txt', 'bundle']),
      run(['check-evidence', '--trust', 'trust.txt', '--json', 'bundle', 'scans/2024/касса.csv']),
      run(['check-evidence', 'bundle']),
      ...variants.map(([, dir]) => run(['check-evidence', '--trust', 'trust.txt', dir])),
    ]);
    // Without the statement: consistent, and no more. Exit 3, the fingerprint to compare.
    expect(unpinned!.status, unpinned!.stdout).toBe(3);
    expect(unpinned!.stdout).toMatch(/^UNCONFIRMED: /);
    expect(unpinned!.stdout).toContain(`Fingerprint of the keys in this bundle: ${fingerprint}`);
    expect(unpinned!.stdout).not.toMatch(/VERIFIED:|no later than/);
    expect(good!.status, good!.stdout).toBe(0);
    expect(good!.stdout).toMatch(/^VERIFIED: 1 record\(s\) proven by a checkpoint of the log/);
    expect(good!.stdout).toMatch(/✓ The file касса\.csv matches/);
    expect(good!.stdout).not.toContain('✗');
    expect(goodJson!.status).toBe(0);
    expect(JSON.parse(goodJson!.stdout)).toMatchObject({ ok: true, unmatchedFiles: [] });
    variants.forEach(([name, , want], i) => {
      const res = bad[i]!;
      expect(res.status, `${name}: ${res.stdout}${res.stderr}`).toBe(1);
      expect(res.stdout, name).toMatch(/^NOT VERIFIED/);
      expect(res.stdout, name).toMatch(want);
      expect(hasStackTrace(res.stderr)).toBe(false);
    });
  });

  // Regression test for a bug fixed after it was found by this test.
  it('check-evidence with a file the bundle does not disclose exits 1', async () => {
    const c = capture(root, {});
    const code = await main(
      ['check-evidence', '--trust', 'trust.txt', 'bundle', 'other/memo.txt'],
      c.ctx,
    );
    expect(c.out).toContain(
      '  ✗ other/memo.txt: Not disclosed by this bundle: nothing is proven about this file.',
    );
    expect(code).toBe(1);
    // One verdict, then the details: never NOT VERIFIED followed by VERIFIED.
    expect(c.out[0]).toMatch(/^NOT VERIFIED: 1 of the files given are not disclosed files/);
    expect(c.out.filter((l) => /^(NOT )?VERIFIED|^UNCONFIRMED/.test(l))).toHaveLength(1);
  });

  it("check-evidence calls a copy bearing a disclosed file's name altered, in the offline verifier's words", async () => {
    const c = capture(root, {});
    const code = await main(
      ['check-evidence', '--trust', 'trust.txt', '--json', 'bundle', 'suspect/касса.csv'],
      c.ctx,
    );
    expect(code).toBe(1);
    const result = JSON.parse(c.out.join('\n')) as CheckEvidenceResult;
    const csv = byPath('scans/2024/касса.csv');
    const sha256 = csv.files[0]!.sha256;
    const forged = createHash('sha256')
      .update(readFileSync(join(root, 'suspect/касса.csv')))
      .digest('hex');
    expect(result.outcome).toBe('failed');
    expect(result.unmatchedFiles).toEqual(['suspect/касса.csv']);
    // The same rule, and so the same words, as the page: the shared src/evidence/given-files.ts.
    const bundle = parseEvidence(readFileSync(join(root, 'bundle', 'evidence.json')));
    expect(result.given).toEqual(
      matchGivenFiles(
        bundle,
        'bundle/evidence.json',
        result.given.map((g) => ({ path: g.path, digest: g.digest })),
      ).given,
    );
    const text = capture(root, {});
    await main(['check-evidence', '--trust', 'trust.txt', 'bundle', 'suspect/касса.csv'], text.ctx);
    expect(text.out[0]).toMatch(/^NOT VERIFIED: 1 of the files given are not disclosed files/);
    expect(text.out).toContain(
      `  ✓ bundle/files/${sha256.slice(0, 16)}-касса.csv: A disclosed file, unchanged: the file касса.csv of a record, SHA-256 ${sha256}.`,
    );
    expect(text.out).toContain(
      `  ✗ suspect/касса.csv: Altered: does not match the sealed file касса.csv. It should have SHA-256 ${sha256}; it has SHA-256 ${forged}.`,
    );
    expect(text.out.filter((l) => /^(NOT )?VERIFIED|^UNCONFIRMED/.test(l))).toHaveLength(1);
  });

  it('fsck passes on the vault after it all, and its --json parses', async () => {
    const [text, json] = await Promise.all([
      run(['fsck', '--vault', 'vault']),
      run(['fsck', '--vault', 'vault', '--json']),
    ]);
    expect(text.status).toBe(0);
    expect(text.stdout).toMatch(/^OK: 5 records, 3 checkpoints and 4 encrypted files checked/);
    expect(json.status).toBe(0);
    expect(JSON.parse(json.stdout)).toMatchObject({
      ok: true,
      records: 5,
      checkpoints: 3,
      blobs: 4,
      problems: [],
    });
  });
});
