import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { pathProblem } from '../records/fields.js';
import { printable } from '../records/printable.js';
import { disclosedFilePaths, MAX_NAME_BYTES, safeFileName } from './file-names.js';

const sha = (c: string) => c.repeat(64);
const bytes = (s: string) => new TextEncoder().encode(s).length;

describe('the names of disclosed files beside a bundle', () => {
  it('are the start of the SHA-256 and the sealed name, extension kept', () => {
    const paths = disclosedFilePaths([
      { sha256: sha('a'), name: 'bank-statement-12.pdf' },
      { sha256: sha('b'), name: 'Протокол собрания.txt' },
      { sha256: sha('a'), name: 'the same file under another name.pdf' },
    ]);
    expect([...paths]).toEqual([
      [sha('a'), `files/${'a'.repeat(16)}-bank-statement-12.pdf`],
      [sha('b'), `files/${'b'.repeat(16)}-Протокол собрания.txt`],
    ]);
  });

  it('take no path, control, bidirectional, invisible or reserved character', () => {
    expect(safeFileName('../../etc/passwd')).toBe('passwd');
    expect(safeFileName('C:\\Users\\me\\scan.pdf')).toBe('scan.pdf');
    expect(safeFileName('invoice\u202Efdp.exe')).toBe('invoice_fdp.exe');
    expect(safeFileName('a\u0000b\u001b[2Jc\nd.txt')).toBe('a_b_[2Jc_d.txt');
    expect(safeFileName('zero\u200Bwidth.txt')).toBe('zero_width.txt');
    expect(safeFileName('what?<is>"this"|*:.txt')).toBe('what__is__this____.txt');
    expect(safeFileName('.env')).toBe('env');
    expect(safeFileName('  name. . ')).toBe('name');
    expect(safeFileName('CON.txt')).toBe('_CON.txt');
    expect(safeFileName('lpt1')).toBe('_lpt1');
    expect(safeFileName('console.txt')).toBe('console.txt');
    expect(safeFileName('..')).toBe('file');
    expect(safeFileName('')).toBe('file');
    expect(safeFileName('e\u0301.txt')).toBe('\u00e9.txt');
  });

  it('are bounded, the extension kept and no character cut in half', () => {
    const long = `${'ж'.repeat(300)}.pdf`;
    const safe = safeFileName(long);
    expect(bytes(safe)).toBeLessThanOrEqual(MAX_NAME_BYTES);
    expect(safe).toBe(`${'ж'.repeat((MAX_NAME_BYTES - 4) >> 1)}.pdf`);
    expect(bytes(safeFileName('😀'.repeat(100)))).toBeLessThanOrEqual(MAX_NAME_BYTES);
    expect(safeFileName('😀'.repeat(100))).not.toMatch(/[\uD800-\uDFFF](?![\uDC00-\uDFFF])/u);
  });

  it('are unique, even where file systems ignore case', () => {
    const a = `${'0'.repeat(16)}${'1'.repeat(48)}`;
    const b = `${'0'.repeat(16)}${'2'.repeat(48)}`;
    const paths = disclosedFilePaths([
      { sha256: a, name: 'Scan.PDF' },
      { sha256: b, name: 'scan.pdf' },
    ]);
    expect(paths.get(a)).toBe(`files/${'0'.repeat(16)}-Scan.PDF`);
    expect(paths.get(b)).toBe(`files/${b}-scan.pdf`);
    // A name made to look like another file's whole digest and name still gets a place of its own.
    const c = `${'1'.repeat(16)}${'3'.repeat(48)}`;
    const crafted = disclosedFilePaths([
      { sha256: b, name: 'x' },
      { sha256: `${b.slice(0, 16)}${'4'.repeat(48)}`, name: 'x' },
      { sha256: c, name: `${b.slice(16)}-x` },
    ]);
    expect(new Set([...crafted.values()].map((p) => p.toLowerCase())).size).toBe(3);
  });

  it('always keep to the path rules of docs/evidence-bundle.md, and show as they are', () => {
    fc.assert(
      fc.property(
        fc.array(fc.record({ sha256: fc.stringMatching(/^[0-9a-f]{64}$/), name: fc.string() }), {
          maxLength: 20,
        }),
        (files) => {
          const paths = [...disclosedFilePaths(files).values()];
          for (const p of paths) {
            expect(pathProblem(p)).toBeNull();
            expect(p.split('/')).toHaveLength(2);
            expect(printable(p)).toBe(p);
            expect(bytes(p.split('/')[1]!)).toBeLessThanOrEqual(MAX_NAME_BYTES + 81);
          }
          expect(new Set(paths.map((p) => p.toLowerCase())).size).toBe(paths.length);
        },
      ),
    );
  });
});
