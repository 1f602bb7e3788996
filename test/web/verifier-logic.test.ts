/**
 * The offline verifier's pure parts: which file is the bundle, what each file handed over is to
 * it (disclosed, altered, not disclosed), ZIP archives read back, hashing in slices, and the
 * escaping that lets code sit inside an inline <script>.
 */
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { EvidenceBundle } from '../../src/evidence/index.js';
import { escapeInlineScript, escapeInlineStyle } from '../../web/build/inline-html.js';
import {
  findBundle,
  isPackaging,
  isSystemFile,
  matchFiles,
} from '../../web/shared/bundle-files.js';
import { CHUNK, hashBlob, WEBCRYPTO_LIMIT } from '../../web/shared/hash.js';
import { readZip, ZipError } from '../../web/shared/zip.js';
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
});

describe('matching the files handed over', () => {
  const bundle = bundleOf([
    { sha256: A, name: 'statement.pdf' },
    { sha256: B, name: 'minutes.txt' },
  ]);

  it('takes a file by its digest, wherever it is and whatever its name', () => {
    const m = matchFiles(bundle, 'evidence.json', [{ path: 'copy (2).pdf', digest: digest(A) }]);
    expect(m.given[0]!.status).toBe('disclosed');
    expect(m.provided.get(A)).toEqual(digest(A));
    expect(m.provided.has(B)).toBe(false);
  });

  it('ties an altered file to the record by its place in the bundle or by its name', () => {
    const m = matchFiles(bundle, 'b/evidence.json', [
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
    const m = matchFiles(bundle, 'evidence.json', [
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
