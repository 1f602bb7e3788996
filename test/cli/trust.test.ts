/**
 * Trust, as a hostile party would try it: bundles forged with fresh keys under the union's own
 * origin, witnesses invented with real witnesses' names, backdated cosignatures, rewritten
 * policies. `tamga check-evidence` must never say VERIFIED or give a date for any of them, and
 * the union's real bundle must verify, dated, once its trust statement is pinned.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main.js';
import {
  assembleEvidence,
  type EvidenceBundle,
  formatEvidence,
  formatTrustStatement,
  trustFingerprint,
  witnessFingerprint,
} from '../../src/evidence/index.js';
import {
  addSignatures,
  cosigner,
  generateSignerKey,
  inclusionProofSync,
  MemoryTree,
  parseSignerKey,
  signCheckpoint,
} from '../../src/log/index.js';
import { commitment, type TamgaRecord } from '../../src/records/index.js';
import { writeZip } from '../browser/zip-writer.js';
import { capture, removeTemp, tempDir } from '../vault/helpers.js';

const ORIGIN = 'union.example/log';
const T_REAL = 1764547200; // 2025-12-01T00:00:00Z
const T_2015 = 1425254400; // 2015-03-02T00:00:00Z
const seed = (n: number) => new Uint8Array(32).fill(n);
const record = (author: string): TamgaRecord =>
  ({
    kind: 'document',
    id: '01JNQ0V1W8ZK3M5P7R9T2X4Y6A',
    created: '2025-11-30T09:30:00Z',
    author,
    body: { path: 'ledgers/2019/cash.pdf', title: 'Cash book 2019', tags: [], meta: {} },
    files: [],
    refs: [],
  }) as unknown as TamgaRecord;

const union = parseSignerKey(generateSignerKey(ORIGIN, seed(1)));
const realWitnesses = [
  cosigner('witness.ituc.example', seed(2)),
  cosigner('witness.ilo.example', seed(3)),
];
const policy = { quorum: 2, verifierKeys: realWitnesses.map((w) => w.verifierKey) };
const statement = { log: { origin: ORIGIN, verifierKey: union.verifierKey }, witnesses: policy };

/** A one-record bundle signed by `log` and cosigned by `witnesses` at their times. */
function bundleOf(
  log: ReturnType<typeof parseSignerKey>,
  cosigners: Array<{ signer: ReturnType<ReturnType<typeof cosigner>['signer']> }>,
  witnessPolicy: { quorum: number; verifierKeys: string[] },
  author: string,
): EvidenceBundle {
  const tree = new MemoryTree();
  const salt = seed(0x33);
  tree.appendData(new Uint8Array(32).fill(9));
  const index = tree.appendData(commitment(record(author), salt));
  const note = addSignatures(
    signCheckpoint({ origin: ORIGIN, size: tree.size, root: tree.root() }, log),
    cosigners.map((c) => c.signer),
  );
  return assembleEvidence({
    created: '2025-12-02T00:00:00Z',
    generator: 'test',
    log: { origin: ORIGIN, verifierKey: log.verifierKey },
    witnesses: witnessPolicy,
    checkpoint: note,
    records: [
      { record: record(author), salt, index, proof: inclusionProofSync(index, tree.size, tree) },
    ],
    files: [],
  });
}

let dir: string;
const env = () => ({ TAMGA_TRUST_DIR: join(dir, 'trust-store') });
async function run(args: string[]) {
  const c = capture(dir, env());
  const code = await main(args, c.ctx);
  return { code, out: c.out.join('\n'), err: c.err.join('\n') };
}
function write(name: string, bundle: EvidenceBundle | string): string {
  const path = join(dir, name);
  writeFileSync(path, typeof bundle === 'string' ? bundle : formatEvidence(bundle));
  return path;
}

beforeAll(() => {
  dir = tempDir('tamga-trust-');
  write('trust.txt', formatTrustStatement(statement));
  write(
    'real.json',
    bundleOf(
      union,
      realWitnesses.map((w) => ({ signer: w.signer(T_REAL) })),
      policy,
      'treasurer',
    ),
  );
  // From scratch: a fresh log key under the union's origin, witnesses invented with real names.
  const forger = parseSignerKey(generateSignerKey(ORIGIN, seed(0x66)));
  const fakes = [
    cosigner('witness.ituc.example', seed(0x67)),
    cosigner('witness.ilo.example', seed(0x68)),
  ];
  write(
    'forged.json',
    bundleOf(
      forger,
      fakes.map((w) => ({ signer: w.signer(T_2015) })),
      { quorum: 2, verifierKeys: fakes.map((w) => w.verifierKey) },
      'forger',
    ),
  );
  // The real bundle, one more cosignature by an invented key, and its policy rewritten to it.
  const real = JSON.parse(readFileSync(join(dir, 'real.json'), 'utf8')) as EvidenceBundle;
  const invented = cosigner('witness.ituc.example', seed(0x69));
  write('backdated.json', {
    ...real,
    checkpoint: addSignatures(real.checkpoint, [invented.signer(T_2015)]),
    witnesses: { quorum: 1, verifierKeys: [invented.verifierKey] },
  });
});
afterAll(() => removeTemp(dir));

describe('check-evidence against forgeries', () => {
  it('a bundle forged from scratch is UNCONFIRMED without trust: exit 3, no date, its fingerprint', async () => {
    const r = await run(['check-evidence', join(dir, 'forged.json')]);
    expect(r.code).toBe(3);
    expect(r.out.split('\n')[0]).toMatch(/^UNCONFIRMED: /);
    expect(r.out).not.toMatch(/VERIFIED:|2015|no later than/);
    expect(r.out).toMatch(/Fingerprint of the keys in this bundle: \d{5}( \d{5}){5}/);
    expect(r.out).not.toContain(trustFingerprint(statement));
  });

  it('a bundle forged from scratch is NOT VERIFIED under the union statement, given or pinned', async () => {
    const given = await run([
      'check-evidence',
      '--trust',
      join(dir, 'trust.txt'),
      join(dir, 'forged.json'),
    ]);
    expect(given.code).toBe(1);
    expect(given.out).toMatch(/^NOT VERIFIED/);
    expect(given.out).not.toMatch(/2015|no later than/);
    const pin = await run(['trust', 'add', join(dir, 'trust.txt')]);
    expect(pin.code).toBe(0);
    expect(pin.out).toContain(trustFingerprint(statement));
    const pinned = await run(['check-evidence', join(dir, 'forged.json')]);
    expect(pinned.code).toBe(1);
    expect(pinned.out).not.toMatch(/2015|no later than/);
    await run(['trust', 'remove', ORIGIN]);
  });

  it('a backdating cosignature by an unknown witness neither dates nor verifies', async () => {
    // With only the log key pinned, the witnesses come from the bundle: unconfirmed, undated.
    const keyOnly = await run([
      'check-evidence',
      '--log-key',
      union.verifierKey,
      join(dir, 'backdated.json'),
    ]);
    expect(keyOnly.code).toBe(3);
    expect(keyOnly.out).not.toMatch(/2015|VERIFIED:|no later than/);
    // Under the statement: verified, dated by the real witnesses, the invented one named and ignored.
    const trusted = await run([
      'check-evidence',
      '--trust',
      join(dir, 'trust.txt'),
      join(dir, 'backdated.json'),
    ]);
    expect(trusted.code).toBe(0);
    expect(trusted.out).toMatch(/^VERIFIED: /);
    expect(trusted.out).toMatch(/no later than 2025-12-01T00:00:00Z/);
    expect(trusted.out).not.toMatch(/2015/);
    expect(trusted.out).toMatch(/unknown witness named witness\.ituc\.example .*ignored/);
  });

  it('the real bundle verifies under the pinned statement, with the witnesses date', async () => {
    expect((await run(['check-evidence', join(dir, 'real.json')])).code).toBe(3);
    await run(['trust', 'add', join(dir, 'trust.txt')]);
    const r = await run(['check-evidence', join(dir, 'real.json')]);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(
      /^VERIFIED: 1 record\(s\) proven by a checkpoint of the log union\.example\/log, under keys you trust\./,
    );
    expect(r.out).toContain(
      `Checked under the trust statement with fingerprint ${trustFingerprint(statement)}.`,
    );
    expect(r.out).toMatch(/no later than 2025-12-01T00:00:00Z/);
    const listed = await run(['trust', 'list']);
    expect(listed.out).toContain(`${ORIGIN}  ${trustFingerprint(statement)}  (2 of 2 witnesses)`);
  });

  it('refuses to replace a pinned statement with another for the same log, unless told', async () => {
    const other = formatTrustStatement({
      ...statement,
      log: {
        origin: ORIGIN,
        verifierKey: parseSignerKey(generateSignerKey(ORIGIN, seed(0x70))).verifierKey,
      },
    });
    write('other-trust.txt', other);
    await run(['trust', 'add', join(dir, 'trust.txt')]);
    const refused = await run(['trust', 'add', join(dir, 'other-trust.txt')]);
    expect(refused.code).toBe(2);
    expect(refused.err).toMatch(
      /a different trust statement is already pinned for union\.example\/log/,
    );
    const replaced = await run(['trust', 'add', '--replace', join(dir, 'other-trust.txt')]);
    expect(replaced.code).toBe(0);
    expect((await run(['check-evidence', join(dir, 'real.json')])).code).toBe(1);
    await run(['trust', 'remove', ORIGIN]);
  });

  it('reads a statement in its one-line form, and refuses an altered one', async () => {
    const fp = await run(['trust', 'fingerprint', join(dir, 'trust.txt')]);
    expect(fp.out).toBe(trustFingerprint(statement));
    const text = readFileSync(join(dir, 'trust.txt'), 'utf8');
    write('altered.txt', text.replace(/^quorum .*$/m, 'quorum none'));
    const altered = await run(['trust', 'fingerprint', join(dir, 'altered.txt')]);
    expect(altered.code).toBe(1);
    expect(altered.err).toMatch(/the file was altered/);
    const garbage = await run([
      'check-evidence',
      '--trust',
      join(dir, 'real.json'),
      join(dir, 'real.json'),
    ]);
    expect(garbage.code).toBe(1);
    expect(garbage.err).toMatch(/^tamga: not a trust statement/);
  });

  it('checks a bundle in the ZIP archive it came in, as its folder, the packaging left out', async () => {
    const real = readFileSync(join(dir, 'real.json'));
    const entries: Array<[string, Uint8Array]> = [
      ['evidence-union/evidence.json', real],
      ['evidence-union/README.txt', Buffer.from('read me')],
      ['evidence-union/verifier.html', Buffer.from('<!doctype html>')],
      ['evidence-union/diff-report.txt', Buffer.from('Differences: none')],
      ['evidence-union/diff-report.json', Buffer.from('{}')],
      ['__MACOSX/evidence-union/._evidence.json', Buffer.from('resource fork')],
    ];
    writeFileSync(join(dir, 'deflated.zip'), writeZip(entries));
    const zip = await run([
      'check-evidence',
      '--trust',
      join(dir, 'trust.txt'),
      join(dir, 'deflated.zip'),
    ]);
    expect(zip.code, zip.out + zip.err).toBe(0);
    expect(zip.out).toMatch(
      /^VERIFIED: 1 record\(s\) proven by a checkpoint of the log union\.example\/log/,
    );
    expect(zip.out).not.toContain('Files given');
    // A file in the archive that the bundle does not disclose fails it, named as in the archive.
    writeFileSync(
      join(dir, 'extra.zip'),
      writeZip([...entries, ['evidence-union/note.txt', Buffer.from('not sealed')]]),
    );
    const extra = await run([
      'check-evidence',
      '--trust',
      join(dir, 'trust.txt'),
      join(dir, 'extra.zip'),
    ]);
    expect(extra.code).toBe(1);
    expect(extra.out.split('\n')[0]).toMatch(
      /^NOT VERIFIED: 1 of the files given are not disclosed files/,
    );
    expect(extra.out).toContain(
      '  ✗ extra.zip/evidence-union/note.txt: Not disclosed by this bundle: nothing is proven about this file.',
    );
  });

  it('a ZIP or a file that is not a bundle is a clear error, never a stack trace', async () => {
    write('bundle.zip', 'PK\u0003\u0004 not really');
    const zip = await run(['check-evidence', join(dir, 'bundle.zip')]);
    expect(zip.code).toBe(1);
    expect(zip.err).toMatch(
      /^tamga: .*bundle\.zip cannot be read as a ZIP archive: no end of central directory: not a ZIP archive/,
    );
    expect(zip.err).not.toMatch(/\n\s+at /);
    writeFileSync(join(dir, 'empty.zip'), writeZip([['notes/a.txt', Buffer.from('a')]]));
    const empty = await run(['check-evidence', join(dir, 'empty.zip')]);
    expect(empty.code).toBe(2);
    expect(empty.err).toMatch(/empty\.zip holds no evidence\.json/);
    write('text.json', '{"format": "nope"');
    const bad = await run(['check-evidence', join(dir, 'text.json')]);
    expect(bad.code).toBe(1);
    expect(bad.err).toMatch(/^tamga: the evidence bundle is not valid JSON/);
  });
});

describe('tamga witness trust', () => {
  it("prints the witness's key statement and fingerprint", async () => {
    const wdir = join(dir, 'witness');
    const init = await run(['witness', 'init', '--dir', wdir, '--name', 'witness.ituc.example/w1']);
    expect(init.code).toBe(0);
    const vkey = init.out.trim();
    const r = await run(['witness', 'trust', '--dir', wdir]);
    expect(r.code).toBe(0);
    expect(r.out).toContain(`key ${vkey}`);
    expect(r.out).toContain(`# Fingerprint: ${witnessFingerprint(vkey)}`);
    expect(r.out).toMatch(/# sigsum policy line: witness witness\.ituc\.example\/w1 [0-9a-f]{64}/);
  });
});
