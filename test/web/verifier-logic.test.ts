/**
 * The offline verifier's pure parts: which file is the bundle, what each file handed over is to
 * it (disclosed, altered, not disclosed), the union's trust statement taken from what is pasted
 * or handed over and the three outcomes it leads to, ZIP archives read back, hashing in slices,
 * and the escaping that lets code sit inside an inline <script>.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  assembleEvidence,
  compactTrustStatement,
  type EvidenceBundle,
  findBundle,
  formatEvidence,
  formatTrustStatement,
  isPackaging,
  isSystemFile,
  matchGivenFiles,
  readZip,
  renderMessage,
  trustFingerprint,
  ZIP_LIMITS,
  ZipError,
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
import { escapeInlineScript, escapeInlineStyle } from '../../web/build/inline-html.js';
import { CheckError, checkFiles, keysFrom } from '../../web/shared/check.js';
import { CHUNK, hashBlob, WEBCRYPTO_LIMIT } from '../../web/shared/hash.js';
import {
  looksLikeStatement,
  splitStatementFiles,
  summarizeStatement,
} from '../../web/shared/trust.js';
import { writeZip } from '../browser/zip-writer.js';

const A = 'a'.repeat(64);
const B = 'b'.repeat(64);
const C = 'c'.repeat(64);

function bundleOf(files: Array<{ sha256: string; name: string }>): EvidenceBundle {
  return {
    format: 'tamga-evidence/v1',
    created: '2025-03-05T12:00:00Z',
    generator: 'test',
    log: { origin: 'o', verifierKey: 'k' },
    witnesses: { quorum: 0, verifierKeys: [] },
    checkpoint: '',
    records: [
      {
        index: 0,
        commitment: '',
        salt: '',
        proof: [],
        record: { files: files.map((f) => ({ ...f, size: 1, mediaType: 'text/plain' })) },
      },
    ],
    files: files.map((f) => ({ sha256: f.sha256, path: `files/${f.sha256}` })),
  };
}

const digest = (sha256: string) => ({ sha256, size: 1 });

describe('finding the bundle among the files', () => {
  it('takes the evidence.json nearest the top, else the only JSON file', () => {
    const f = (path: string) => ({ path });
    expect(findBundle([f('b/x/evidence.json'), f('b/evidence.json'), f('b/a.pdf')])).toEqual(
      f('b/evidence.json'),
    );
    expect(findBundle([f('bundle-2025.json'), f('a.pdf')])).toEqual(f('bundle-2025.json'));
    expect(findBundle([f('a.json'), f('b.json')])).toBeNull();
    expect(findBundle([f('a.pdf')])).toBeNull();
    expect(findBundle([f('__MACOSX/evidence.json')])).toBeNull();
  });

  it('leaves out the packaging and what operating systems leave in folders', () => {
    expect(isPackaging('b/verifier.html', 'b/evidence.json')).toBe(true);
    expect(isPackaging('b/README.txt', 'b/evidence.json')).toBe(true);
    expect(isPackaging('b/files/README.txt', 'b/evidence.json')).toBe(false);
    expect(isSystemFile('b/.DS_Store')).toBe(true);
    expect(isSystemFile('b/Thumbs.db')).toBe(true);
    expect(isSystemFile('__MACOSX/b/x')).toBe(true);
    expect(isSystemFile('b/files/x')).toBe(false);
  });

  it('leaves out the tlog-proof files beside the bundle, and only those', () => {
    const id = '01JNQ0V1W8ZK3M5P7R9T2X4Y6A';
    expect(isPackaging(`b/proofs/${id}.tlog-proof`, 'b/evidence.json')).toBe(true);
    expect(isPackaging(`proofs/${id}.tlog-proof`, 'evidence.json')).toBe(true);
    expect(isPackaging(`z/b/proofs/${id}.tlog-proof`, 'z/b/evidence.json')).toBe(true);
    // Elsewhere, or under another name, a file is something handed over, to be checked.
    expect(isPackaging(`proofs/${id}.tlog-proof`, 'b/evidence.json')).toBe(false);
    expect(isPackaging(`b/files/${id}.tlog-proof`, 'b/evidence.json')).toBe(false);
    expect(isPackaging(`b/proofs/x/${id}.tlog-proof`, 'b/evidence.json')).toBe(false);
    expect(isPackaging('b/proofs/statement.pdf', 'b/evidence.json')).toBe(false);
    expect(isPackaging('bb/proofs/x.tlog-proof', 'b/evidence.json')).toBe(false);
  });
});

describe('what travels with every bundle Tamga writes', () => {
  it("leaves out the README, the verifier and a books diff's reports beside the bundle", () => {
    for (const name of ['README.txt', 'verifier.html', 'diff-report.txt', 'diff-report.json']) {
      expect([name, isPackaging(`z/${name}`, 'z/evidence.json')]).toEqual([name, true]);
      expect([name, isPackaging(name, 'evidence.json')]).toEqual([name, true]);
      // Elsewhere, the same name is a file handed over, to be checked.
      expect([name, isPackaging(`z/files/${name}`, 'z/evidence.json')]).toEqual([name, false]);
      expect([name, isPackaging(name, 'z/evidence.json')]).toEqual([name, false]);
    }
  });

  it("never takes a books diff's JSON report for the bundle", () => {
    const f = (path: string) => ({ path });
    expect(findBundle([f('diff-report.json'), f('evidence.json')])).toEqual(f('evidence.json'));
    expect(findBundle([f('diff-report.json'), f('diff-report.txt')])).toBeNull();
    expect(findBundle([f('diff-report.json'), f('bundle.json')])).toEqual(f('bundle.json'));
  });
});

describe('matching the files handed over', () => {
  const bundle = bundleOf([
    { sha256: A, name: 'statement.pdf' },
    { sha256: B, name: 'minutes.txt' },
  ]);

  it('takes a file by its digest, wherever it is and whatever its name', () => {
    const m = matchGivenFiles(bundle, 'evidence.json', [
      { path: 'copy (2).pdf', digest: digest(A) },
    ]);
    expect(m.given[0]!.status).toBe('disclosed');
    expect(m.provided.get(A)).toEqual(digest(A));
    expect(m.provided.has(B)).toBe(false);
  });

  it('ties an altered file to the record by its place in the bundle or by its name', () => {
    const m = matchGivenFiles(bundle, 'b/evidence.json', [
      { path: `b/files/${A}`, digest: digest(C) },
      { path: 'elsewhere/minutes.txt', digest: digest(C) },
    ]);
    expect(m.given.map((g) => g.status)).toEqual(['altered', 'altered']);
    expect(m.given[0]!.expected).toEqual({ sha256: A, name: 'statement.pdf' });
    expect(m.given[1]!.expected).toEqual({ sha256: B, name: 'minutes.txt' });
    // Handed to verifyEvidence under the digest the record names, so that the record fails.
    expect(m.provided.get(A)).toEqual(digest(C));
    expect(m.provided.get(B)).toEqual(digest(C));
  });

  it('never lets an altered copy displace a good one, and reports files it does not disclose', () => {
    const m = matchGivenFiles(bundle, 'evidence.json', [
      { path: 'statement.pdf', digest: digest(C) },
      { path: 'good/statement.pdf', digest: digest(A) },
      { path: 'other.doc', digest: digest('d'.repeat(64)) },
    ]);
    expect(m.given.map((g) => g.status)).toEqual(['altered', 'disclosed', 'not-disclosed']);
    expect(m.provided.get(A)).toEqual(digest(A));
  });
});

describe('ZIP archives', () => {
  const enc = new TextEncoder();

  it('reads back what was written, deflated, with UTF-8 names', async () => {
    const zip = writeZip([
      ['evidence.json', enc.encode('{"format":"tamga-evidence/v1"}')],
      ['files/протокол.txt', enc.encode('Протокол '.repeat(1000))],
      ['empty', new Uint8Array()],
    ]);
    const files = await readZip(new Blob([zip]), 'bundle');
    expect(files.map((f) => f.path)).toEqual([
      'bundle/evidence.json',
      'bundle/files/протокол.txt',
      'bundle/empty',
    ]);
    expect(await files[1]!.file.text()).toBe('Протокол '.repeat(1000));
    expect(files[1]!.file.name).toBe('протокол.txt');
    expect(files[2]!.file.size).toBe(0);
  });

  it('refuses what is not a ZIP, and a truncated archive', async () => {
    await expect(readZip(new Blob([enc.encode('not a zip at all')]))).rejects.toThrow(ZipError);
    const zip = writeZip([['a', enc.encode('x'.repeat(5000))]]);
    await expect(readZip(new Blob([zip.subarray(0, 40)]))).rejects.toThrow(ZipError);
    const cut = new Uint8Array(zip);
    cut.copyWithin(20, 60); // the central directory no longer where the end record says
    await expect(readZip(new Blob([cut]))).rejects.toThrow(ZipError);
  });
});

describe('ZIP archives are bounded', () => {
  const enc = new TextEncoder();
  /** The offset of the first central directory header of `zip`. */
  const central = (zip: Uint8Array) => {
    const v = new DataView(zip.buffer, zip.byteOffset, zip.byteLength);
    return v.getUint32(zip.length - 22 + 16, true);
  };

  it('inflates an entry no further than the size its central directory gives', async () => {
    const zip = writeZip([['files/a.txt', new Uint8Array(1 << 20)]]);
    const v = new DataView(zip.buffer);
    v.setUint32(central(zip) + 24, 1000, true); // a megabyte of zeros said to be 1000 bytes
    await expect(readZip(new Blob([zip]))).rejects.toThrow(
      'files/a.txt inflates to more than the 1000 bytes the archive gives',
    );
  });

  it('refuses, before inflating anything, an archive that says it inflates beyond the bound', async () => {
    const zip = writeZip([['a', enc.encode('x'.repeat(100))]]);
    const v = new DataView(zip.buffer);
    v.setUint32(central(zip) + 24, 0xfffffffe, true);
    expect(0xfffffffe).toBeGreaterThan(ZIP_LIMITS.maxInflatedBytes);
    await expect(readZip(new Blob([zip]))).rejects.toThrow(/inflates to more than \d+ bytes/);
  });

  it('refuses an archive of more entries than any bundle has', async () => {
    // A ZIP64 end record that claims ten million entries, before the end record.
    const zip = writeZip([['a', enc.encode('x')]]);
    const cdOffset = central(zip);
    const cdSize = zip.length - 22 - cdOffset;
    const z64 = new DataView(new ArrayBuffer(56 + 20));
    z64.setUint32(0, 0x06064b50, true);
    z64.setBigUint64(24, 10_000_000n, true);
    z64.setBigUint64(32, 10_000_000n, true);
    z64.setBigUint64(40, BigInt(cdSize), true);
    z64.setBigUint64(48, BigInt(cdOffset), true);
    z64.setUint32(56, 0x07064b50, true);
    z64.setBigUint64(56 + 8, BigInt(zip.length - 22), true);
    const end = zip.slice(zip.length - 22);
    new DataView(end.buffer).setUint16(10, 0xffff, true);
    const big = new Uint8Array([
      ...zip.subarray(0, zip.length - 22),
      ...new Uint8Array(z64.buffer),
      ...end,
    ]);
    await expect(readZip(new Blob([big]))).rejects.toThrow(
      `the archive holds 10000000 entries; an evidence bundle's holds at most ${ZIP_LIMITS.maxEntries}`,
    );
  });
});

describe('hashing files', () => {
  const sha = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');

  it('gives the SHA-256 of small files by WebCrypto and of large ones in slices', async () => {
    const small = new Uint8Array(1000).map((_, i) => i);
    expect(await hashBlob(new Blob([small]))).toEqual({ sha256: sha(small), size: 1000 });
    const large = new Uint8Array(WEBCRYPTO_LIMIT + CHUNK + 17).map((_, i) => i * 7);
    const seen: number[] = [];
    expect(await hashBlob(new Blob([large]), (n) => seen.push(n))).toEqual({
      sha256: sha(large),
      size: large.length,
    });
    expect(seen.length).toBeGreaterThan(16);
    expect(seen[seen.length - 1]).toBe(large.length);
  });
});

describe('inline scripts', () => {
  it('cannot be ended or commented out by the code they hold', () => {
    const code = 'const a = "</script><script>alert(1)</script>"; const b = `<!-- x`; // </SCRIPT';
    const escaped = escapeInlineScript(code);
    expect(escaped).not.toMatch(/<\/script/i);
    expect(escaped).not.toContain('<!--');
    // The escapes mean the same inside JavaScript strings.
    expect(escapeInlineScript('"</script>"')).toBe('"<\\/script>"');
    expect(JSON.parse(escapeInlineScript('"</script>"'))).toBe('</script>');
    expect(escapeInlineStyle('a::after{content:"</style>"}')).not.toMatch(/<\/style/i);
  });
});

describe('the trust statement and the three outcomes', () => {
  const ORIGIN = 'log.union.example/tamga';
  const seed = (n: number) => new Uint8Array(32).fill(n);
  const FILE = new TextEncoder().encode('bank statement');
  const sha = createHash('sha256').update(FILE).digest('hex');
  const vectors = JSON.parse(
    readFileSync(new URL('../vectors/tamga-records.json', import.meta.url), 'utf8'),
  ) as { valid: { name: string; record: TamgaRecord }[] };

  /** A one-record bundle under a log key and two witnesses made from `keySeed`. */
  function bundleUnder(keySeed: number): EvidenceBundle {
    const log = parseSignerKey(generateSignerKey(ORIGIN, seed(keySeed)));
    const witnesses = [
      cosigner('w1.ituc.example/w', seed(keySeed + 1)),
      cosigner('w2.ilo.example/w', seed(keySeed + 2)),
    ];
    const example = vectors.valid.find((v) => v.name === 'document')!.record;
    const record: TamgaRecord = {
      ...example,
      files: [{ ...example.files[0]!, sha256: sha, size: FILE.length }],
    };
    const tree = new MemoryTree();
    const salt = seed(0x40);
    const index = tree.appendData(commitment(record, salt));
    tree.appendData(seed(0x50));
    return assembleEvidence({
      created: '2025-03-05T12:00:00Z',
      generator: 'tamga test',
      log: { origin: ORIGIN, verifierKey: log.verifierKey },
      witnesses: { quorum: 2, verifierKeys: witnesses.map((w) => w.verifierKey) },
      checkpoint: addSignatures(
        signCheckpoint({ origin: ORIGIN, size: tree.size, root: tree.root() }, log),
        witnesses.map((w) => w.signer(1740821400)),
      ),
      records: [{ record, salt, index, proof: inclusionProofSync(index, tree.size, tree) }],
      files: [{ sha256: sha, path: `files/${sha}` }],
    });
  }

  const real = bundleUnder(1);
  const forged = bundleUnder(11);
  const statement = formatTrustStatement({ log: real.log, witnesses: real.witnesses });
  const picked = (path: string, data: string | Uint8Array<ArrayBuffer>) => ({
    path,
    file: new File([data], path.split('/').pop()!),
  });
  const handOver = (b: EvidenceBundle) => [
    picked('b/evidence.json', formatEvidence(b)),
    picked(`b/files/${sha}`, FILE),
  ];

  it('takes a statement in either form, and says its origin and fingerprint', () => {
    const fingerprint = trustFingerprint({ log: real.log, witnesses: real.witnesses });
    expect(summarizeStatement(statement)).toEqual({ origin: ORIGIN, fingerprint });
    const compact = compactTrustStatement({ log: real.log, witnesses: real.witnesses });
    expect(summarizeStatement(`  ${compact}\n`)).toEqual({ origin: ORIGIN, fingerprint });
    expect(looksLikeStatement(`\uFEFF${statement}`)).toBe(true);
    expect(looksLikeStatement(compact)).toBe(true);
    expect(looksLikeStatement('{"format":"tamga-evidence/v1"}')).toBe(false);
  });

  it('gives the keys of a statement, and refuses one given with a key or a policy', () => {
    expect(keysFrom({}, real)).toBeUndefined();
    expect(keysFrom({ statement, logKey: ' ', policy: '' }, real)).toEqual({
      log: real.log,
      witnesses: real.witnesses,
    });
    const attempt = (input: Parameters<typeof keysFrom>[0]) => {
      try {
        keysFrom(input, real);
      } catch (e) {
        return e instanceof CheckError ? e.key : String(e);
      }
      return 'accepted';
    };
    expect(attempt({ statement, logKey: real.log.verifierKey })).toBe('error.trustAmbiguous');
    expect(attempt({ statement, policy: 'quorum none\n' })).toBe('error.trustAmbiguous');
    expect(attempt({ statement: 'tamga-trust/v1\nno origin\n' })).toBe('error.statement');
    expect(attempt({ statement: statement.replace(/^log [0-9a-f]{4}/m, 'log ffff') })).toBe(
      'error.statement',
    );
    expect(attempt({ logKey: 'not a key' })).toBe('error.trust');
  });

  it('takes a statement only from a file handed over on its own, never from a folder', async () => {
    const loose = picked('trust.txt', statement);
    const inFolder = picked('b/trust.txt', statement);
    const other = picked('notes.txt', 'tamga is a word\n');
    const split = await splitStatementFiles([loose, inFolder, other]);
    expect(split.statements).toEqual([{ path: 'trust.txt', text: statement }]);
    expect(split.rest).toEqual([inFolder, other]);
  });

  it('is unconfirmed without a statement, verified with it, and failed for a forgery', async () => {
    const alone = await checkFiles(handOver(real), {});
    expect(alone.status).toBe('unconfirmed');
    expect(alone.ok).toBe(false);
    expect(alone.verdict.provenNoLaterThan).toBeNull();
    const trusted = await checkFiles(handOver(real), { statement });
    expect(trusted.status).toBe('verified');
    expect(trusted.ok).toBe(true);
    expect(trusted.verdict.provenNoLaterThan).toBe(1740821400);
    expect(trusted.verdict.trustedFingerprint).toBe(summarizeStatement(statement).fingerprint);
    expect((await checkFiles(handOver(forged), {})).status).toBe('unconfirmed');
    const caught = await checkFiles(handOver(forged), { statement });
    expect(caught.status).toBe('failed');
    expect(caught.verdict.provenNoLaterThan).toBeNull();
  });

  it('fails a bundle, even unconfirmed, when a file given is not a disclosed file unchanged', async () => {
    const extra = [...handOver(real), picked('b/other.pdf', 'not sealed')];
    const alone = await checkFiles(extra, {});
    expect(alone.verdict.status).toBe('unconfirmed');
    expect(alone.status).toBe('failed');
    const trusted = await checkFiles(extra, { statement });
    expect(trusted.verdict.status).toBe('verified');
    expect(trusted.status).toBe('failed');
    expect(trusted.ok).toBe(false);
  });

  it('says one verdict first, never VERIFIED or UNCONFIRMED when a file given fails', async () => {
    const altered = picked('elsewhere/bank-statement.pdf', 'altered');
    const name = (real.records[0]!.record.files as Array<{ name: string }>)[0]!.name;
    const renamed = picked(`elsewhere/${name}`, 'altered bytes');
    for (const [extra, trust] of [
      [picked('b/other.pdf', 'not sealed'), {}],
      [picked('b/other.pdf', 'not sealed'), { statement }],
      [renamed, { statement }],
      [altered, {}],
    ] as const) {
      const c = await checkFiles([...handOver(real), extra], trust);
      expect(c.status).toBe('failed');
      const summary = renderMessage(c.summary);
      expect(summary).toMatch(/^NOT VERIFIED: /);
      expect(summary).not.toMatch(/(^|[^T] )VERIFIED:|UNCONFIRMED/);
    }
    // An altered copy bearing the disclosed file's name, with no good copy: the record fails.
    const alone = await checkFiles([picked('b/evidence.json', formatEvidence(real)), renamed], {
      statement,
    });
    expect(alone.verdict.status).toBe('failed');
    expect(alone.summary.key).toBe('verdict.failed-given');
    expect(renderMessage(alone.summary)).toMatch(
      /^NOT VERIFIED: 1 problem\(s\) found in the bundle, and 1 of the files given/,
    );
  });

  it('names an altered copy by the rule and the words tamga check-evidence uses', async () => {
    const name = (real.records[0]!.record.files as Array<{ name: string }>)[0]!.name;
    const copy = new TextEncoder().encode('bank statement, altered');
    const c = await checkFiles(
      [...handOver(real), picked(`elsewhere/${name}`, copy), picked('b/x.txt', 'x')],
      { statement },
    );
    const shared = matchGivenFiles(
      real,
      'b/evidence.json',
      c.given.map((g) => ({ path: g.path, digest: g.digest })),
    );
    expect(c.given).toEqual(shared.given);
    expect(c.given.map((g) => [g.path, g.status])).toEqual([
      [`b/files/${sha}`, 'disclosed'],
      [`elsewhere/${name}`, 'altered'],
      ['b/x.txt', 'not-disclosed'],
    ]);
    const copySha = createHash('sha256').update(copy).digest('hex');
    expect(renderMessage(c.given[1]!.message)).toBe(
      `Altered: does not match the sealed file ${name}. It should have SHA-256 ${sha}; it has SHA-256 ${copySha}.`,
    );
    expect(renderMessage(c.given[2]!.message)).toBe(
      'Not disclosed by this bundle: nothing is proven about this file.',
    );
  });
});
