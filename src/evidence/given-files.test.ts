import { describe, expect, it } from 'vitest';
import type { EvidenceBundle } from './bundle.js';
import { describeVerdict } from './describe.js';
import { disclosedFiles, matchGivenFiles, outcomeOf } from './given-files.js';
import { message, renderMessage } from './messages.js';
import type { EvidenceVerdict } from './verdict.js';

const A = 'a'.repeat(64);
const B = 'b'.repeat(64);
const C = 'c'.repeat(64);
const D = 'd'.repeat(64);

/** A bundle of one record naming `files`, each beside it at `files/<sha256 prefix>-<name>`. */
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
    files: files.map((f) => ({
      sha256: f.sha256,
      path: `files/${f.sha256.slice(0, 16)}-${f.name}`,
    })),
  };
}

const digest = (sha256: string) => ({ sha256, size: 1 });
const bundle = bundleOf([
  { sha256: A, name: 'statement.pdf' },
  { sha256: B, name: 'minutes.txt' },
]);

describe('the files handed over with a bundle', () => {
  it('names the files every record discloses, by SHA-256, first name first', () => {
    expect([...disclosedFiles(bundle)]).toEqual([
      [A, 'statement.pdf'],
      [B, 'minutes.txt'],
    ]);
  });

  it('takes a file by its digest, wherever it is and whatever its name', () => {
    const m = matchGivenFiles(bundle, 'evidence.json', [
      { path: 'copy (2).pdf', digest: digest(A) },
    ]);
    expect(m.given).toEqual([
      {
        path: 'copy (2).pdf',
        digest: digest(A),
        status: 'disclosed',
        expected: null,
        message: message('given.disclosed', { name: 'statement.pdf', sha256: A }),
      },
    ]);
    expect([...m.provided]).toEqual([[A, digest(A)]]);
  });

  it('calls a file altered where the bundle puts a disclosed file, or by its name, and says what it should be', () => {
    const m = matchGivenFiles(bundle, 'z/evidence.json', [
      { path: `z/files/${A.slice(0, 16)}-statement.pdf`, digest: digest(C) },
      { path: 'elsewhere/minutes.txt', digest: digest(D) },
    ]);
    expect(m.given.map((g) => [g.status, g.expected])).toEqual([
      ['altered', { sha256: A, name: 'statement.pdf' }],
      ['altered', { sha256: B, name: 'minutes.txt' }],
    ]);
    expect(renderMessage(m.given[1]!.message)).toBe(
      `Altered: does not match the sealed file minutes.txt. It should have SHA-256 ${B}; it has SHA-256 ${D}.`,
    );
    // Handed to verifyEvidence under the digest the record names, so that the record fails.
    expect(m.provided.get(A)).toEqual(digest(C));
    expect(m.provided.get(B)).toEqual(digest(D));
  });

  it('reads the place of a file relative to the folder of the bundle, not elsewhere', () => {
    const place = `files/${A.slice(0, 16)}-statement.pdf`;
    const m = matchGivenFiles(bundle, 'z/evidence.json', [
      { path: place, digest: digest(C) },
      { path: `y/${place}`, digest: digest(C) },
    ]);
    expect(m.given.map((g) => g.status)).toEqual(['not-disclosed', 'not-disclosed']);
    expect(m.provided.size).toBe(0);
  });

  it('never lets an altered copy displace a good one, and reports a file it does not disclose', () => {
    const m = matchGivenFiles(bundle, 'evidence.json', [
      { path: 'statement.pdf', digest: digest(C) },
      { path: 'good/statement.pdf', digest: digest(A) },
      { path: 'other.doc', digest: digest(D) },
    ]);
    expect(m.given.map((g) => g.status)).toEqual(['altered', 'disclosed', 'not-disclosed']);
    expect(m.provided.get(A)).toEqual(digest(A));
    expect(renderMessage(m.given[2]!.message)).toBe(
      'Not disclosed by this bundle: nothing is proven about this file.',
    );
  });
});

describe('the one verdict on a bundle and the files given', () => {
  const verdict = (status: EvidenceVerdict['status'], problems = 0) =>
    ({
      status,
      ok: status === 'verified',
      summary: message(
        status === 'verified'
          ? 'verdict.ok'
          : status === 'unconfirmed'
            ? 'verdict.unconfirmed'
            : 'verdict.failed',
        { records: 2, problems, origin: 'o', fingerprint: 'f' },
      ),
      problems: Array.from({ length: problems }, () => ({
        record: 0,
        id: null,
        check: 'committed',
        message: message('record.not-committed'),
      })),
    }) as unknown as EvidenceVerdict;
  const good = matchGivenFiles(bundle, 'evidence.json', [{ path: 'a', digest: digest(A) }]);
  const bad = matchGivenFiles(bundle, 'evidence.json', [
    { path: 'a', digest: digest(A) },
    { path: 'statement.pdf', digest: digest(C) },
    { path: 'x', digest: digest(D) },
  ]);

  it("is the bundle's own when every file given is disclosed, unaltered", () => {
    for (const status of ['verified', 'unconfirmed', 'failed'] as const) {
      const v = verdict(status, status === 'failed' ? 1 : 0);
      expect(outcomeOf(v, good.given)).toEqual({ status, summary: v.summary });
      expect(outcomeOf(v, [])).toEqual({ status, summary: v.summary });
    }
  });

  it('fails, and says so first, when a file given is altered or not disclosed', () => {
    for (const status of ['verified', 'unconfirmed'] as const) {
      const o = outcomeOf(verdict(status), bad.given);
      expect(o.status).toBe('failed');
      expect(renderMessage(o.summary)).toBe(
        "NOT VERIFIED: 2 of the files given are not disclosed files, unchanged (each is listed below); the bundle's own checks held.",
      );
    }
    const o = outcomeOf(verdict('failed', 3), bad.given);
    expect(renderMessage(o.summary)).toBe(
      'NOT VERIFIED: 3 problem(s) found in the bundle, and 2 of the files given are not disclosed files, unchanged; each is listed below.',
    );
  });

  it('prints the outcome first, then each file given with its mark', () => {
    const v = verdict('verified');
    const lines = describeVerdict(
      {
        ...v,
        trust: [],
        checkpoint: {
          read: { ok: false, message: message('checkpoint.unreadable', { reason: 'x' }) },
          witnesses: [],
          unknownSigners: [],
        },
        records: [],
        time: [],
      } as unknown as EvidenceVerdict,
      'en',
      { outcome: outcomeOf(v, bad.given), files: bad.given },
    );
    expect(lines.slice(0, 6)).toEqual([
      "NOT VERIFIED: 2 of the files given are not disclosed files, unchanged (each is listed below); the bundle's own checks held.",
      '',
      'Files given',
      `  ✓ a: A disclosed file, unchanged: the file statement.pdf of a record, SHA-256 ${A}.`,
      `  ✗ statement.pdf: Altered: does not match the sealed file statement.pdf. It should have SHA-256 ${A}; it has SHA-256 ${C}.`,
      '  ✗ x: Not disclosed by this bundle: nothing is proven about this file.',
    ]);
    expect(lines.filter((l) => /^(NOT )?VERIFIED|^UNCONFIRMED/.test(l))).toHaveLength(1);
  });
});
