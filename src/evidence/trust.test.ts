import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { cosigner, generateSignerKey, parseSignerKey } from '../log/index.js';
import { flattenPolicy, parsePolicy } from './policy.js';
import {
  bundleFingerprint,
  compactTrustStatement,
  formatTrustStatement,
  formatWitnessStatement,
  parseTrustStatement,
  sameFingerprint,
  statementPolicy,
  TRUST_FORMAT,
  type TrustStatement,
  trustFingerprint,
  witnessFingerprint,
} from './trust.js';

const seed = (n: number) => new Uint8Array(32).fill(n);
const ORIGIN = 'union.example/log';
const log = parseSignerKey(generateSignerKey(ORIGIN, seed(1)));
const w = [cosigner('witness.ituc.example/w1', seed(2)), cosigner('w2.example', seed(3))];
const statement: TrustStatement = {
  log: { origin: ORIGIN, verifierKey: log.verifierKey },
  witnesses: { quorum: 2, verifierKeys: w.map((x) => x.verifierKey) },
  urls: { witnesses: new Map([[w[0]!.verifierKey, 'https://witness.ituc.example']]) },
};

describe('trust statements', () => {
  it('round-trips through its file and its one-line form', () => {
    const text = formatTrustStatement(statement);
    expect(text.split('\n')[0]).toBe(TRUST_FORMAT);
    expect(text).toContain(`origin ${ORIGIN}`);
    expect(text).toContain(`# Fingerprint: ${trustFingerprint(statement)}`);
    for (const form of [text, compactTrustStatement(statement)]) {
      const back = parseTrustStatement(form);
      expect(back.log).toEqual(statement.log);
      expect(back.witnesses).toEqual(statement.witnesses);
      expect(trustFingerprint(back)).toBe(trustFingerprint(statement));
    }
    expect(compactTrustStatement(statement)).toMatch(/^tamga-trust:[A-Za-z0-9_-]+$/);
    expect(parseTrustStatement(text).urls?.witnesses?.get(w[0]!.verifierKey)).toBe(
      'https://witness.ituc.example',
    );
  });

  it('holds a sigsum policy that the policy parser reads as the same K of N', () => {
    const policy = parsePolicy(statementPolicy(statement));
    expect(flattenPolicy(policy)).toEqual(statement.witnesses);
  });

  it('writes the fingerprint as six groups of five digits, independent of order and URLs', () => {
    const f = trustFingerprint(statement);
    expect(f).toMatch(/^\d{5}( \d{5}){5}$/);
    const reordered = {
      ...statement,
      witnesses: { quorum: 2, verifierKeys: [...statement.witnesses.verifierKeys].reverse() },
      urls: {},
    };
    expect(trustFingerprint(reordered)).toBe(f);
    expect(bundleFingerprint(reordered)).toBe(f);
    expect(sameFingerprint(f, f.replace(/ /g, ''))).toBe(true);
    expect(sameFingerprint('', '')).toBe(false);
  });

  it('changes the fingerprint when any key or the quorum changes', () => {
    const f = trustFingerprint(statement);
    const other = parseSignerKey(generateSignerKey(ORIGIN, seed(9)));
    const variants: TrustStatement[] = [
      { ...statement, log: { origin: ORIGIN, verifierKey: other.verifierKey } },
      { ...statement, witnesses: { ...statement.witnesses, quorum: 1 } },
      {
        ...statement,
        witnesses: {
          quorum: 2,
          verifierKeys: [w[0]!.verifierKey, cosigner('w2.example', seed(4)).verifierKey],
        },
      },
    ];
    for (const v of variants) expect(trustFingerprint(v)).not.toBe(f);
  });

  it('refuses a statement whose fingerprint comment does not match its keys', () => {
    const text = formatTrustStatement(statement);
    const fake = parseSignerKey(generateSignerKey(ORIGIN, seed(7)));
    const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');
    const altered = text.replace(hex(log.publicKey), hex(fake.publicKey));
    expect(altered).not.toBe(text);
    expect(() => parseTrustStatement(altered)).toThrow(
      /fingerprint comment says .* the file was altered/,
    );
  });

  it('refuses malformed statements with a clear reason', () => {
    const text = formatTrustStatement(statement);
    expect(() => parseTrustStatement('')).toThrow(/first line must be tamga-trust\/v1/);
    expect(() => parseTrustStatement(text.replace(/^origin .*$/m, ''))).toThrow(
      /exactly one line "origin/,
    );
    expect(() => parseTrustStatement(text.replace(/^log .*$/m, ''))).toThrow(/names 0 logs/);
    expect(() => parseTrustStatement(text.replace(/^quorum .*$/m, ''))).toThrow(/no quorum line/);
    expect(() => parseTrustStatement('tamga-trust:!!')).toThrow(/base64url/);
    expect(() => parseTrustStatement('x'.repeat(300_000))).toThrow(/at most/);
  });

  it('never throws anything but a TamgaError on random text', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 400 }), (s) => {
        try {
          parseTrustStatement(`${TRUST_FORMAT}\n${s}`);
        } catch (e) {
          expect((e as { code?: unknown }).code).toEqual(expect.any(String));
        }
      }),
      { numRuns: 300 },
    );
  });

  it('gives a witness operator a statement of its key, with its own fingerprint', () => {
    const text = formatWitnessStatement({ name: w[0]!.name, verifierKey: w[0]!.verifierKey });
    expect(text).toContain(`key ${w[0]!.verifierKey}`);
    expect(text).toContain(`# Fingerprint: ${witnessFingerprint(w[0]!.verifierKey)}`);
    expect(text).toMatch(/# sigsum policy line: witness witness\.ituc\.example\/w1 [0-9a-f]{64}/);
  });
});
