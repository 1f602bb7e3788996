import { describe, expect, it } from 'vitest';
import {
  cosignatureVerifierKey,
  generateCosignerKey,
  parseCosignerKey,
} from '../log/cosignature.js';
import { FormatError } from '../log/errors.js';
import { generateSignerKey, parseSignerKey } from '../log/note.js';
import { flattenPolicy, formatPolicy, parsePolicy } from './policy.js';

const seed = (n: number) => new Uint8Array(32).fill(n);
const witnessKey = (name: string, n: number) =>
  cosignatureVerifierKey(name, parseCosignerKey(generateCosignerKey(name, seed(n))).publicKey);
const logKey = parseSignerKey(generateSignerKey('union.example/log', seed(9))).verifierKey;

describe('sigsum policy files', () => {
  const w1 = witnessKey('witness.one.example/w', 1);
  const w2 = witnessKey('witness.two.example/w', 2);
  const w3 = witnessKey('witness.three.example/w', 3);

  it('writes a K-of-N policy that reads back as the same policy', () => {
    const policy = { quorum: 2, verifierKeys: [w1, w2, w3] };
    const text = formatPolicy(
      { verifierKey: logKey, url: 'https://union.example/log' },
      policy,
      new Map([[w1, 'https://witness.one.example/w']]),
    );
    expect(text).toMatch(/^log [0-9a-f]{64} https:\/\/union.example\/log$/m);
    expect(text).toMatch(
      /^witness witness.one.example\/w [0-9a-f]{64} https:\/\/witness.one.example\/w$/m,
    );
    expect(text).toContain(
      'group tamga-quorum 2 witness.one.example/w witness.two.example/w witness.three.example/w\nquorum tamga-quorum\n',
    );
    const parsed = parsePolicy(text);
    expect(parsed.witnesses.map((w) => w.url)).toEqual([
      'https://witness.one.example/w',
      null,
      null,
    ]);
    expect(flattenPolicy(parsed)).toEqual(policy);
  });

  it('reads quorum none, a single witness, any and all, comments and blank lines', () => {
    const text = formatPolicy({ verifierKey: logKey }, { quorum: 0, verifierKeys: [w1] });
    expect(flattenPolicy(parsePolicy(text))).toEqual({ quorum: 0, verifierKeys: [w1] });
    const lines = text.split('\n').filter((l) => l.startsWith('witness') || l.startsWith('log'));
    const base = `# comment\n\n${lines.join('\n')}\n`;
    expect(flattenPolicy(parsePolicy(`${base}quorum witness.one.example/w\n`))).toEqual({
      quorum: 1,
      verifierKeys: [w1],
    });
    expect(
      flattenPolicy(parsePolicy(`${base}group g any witness.one.example/w\nquorum g\n`)).quorum,
    ).toBe(1);
    expect(
      flattenPolicy(parsePolicy(`${base}group g all witness.one.example/w\r\nquorum g\n`)).quorum,
    ).toBe(1);
  });

  it('refuses malformed files with the line that is wrong', () => {
    const w = `witness a ${'ab'.repeat(32)}\n`;
    const cases: Array<[string, RegExp]> = [
      ['quorum none\nquorum none\n', /exactly one quorum/],
      [`${w}`, /no quorum line/],
      ['quorum b\n', /b is not defined/],
      [`witness a ${'ab'.repeat(31)}\nquorum a\n`, /64 hex digits/],
      [`${w}${w}quorum a\n`, /line 2 .*already defined/],
      [`${w}group g 2 a\nquorum g\n`, /threshold/],
      [`${w}group g 1 a a\nquorum g\n`, /listed twice/],
      ['frobnicate\n', /unknown keyword frobnicate/],
      [`quorum a\n${w}`, /a is not defined above/],
    ];
    for (const [text, why] of cases) {
      expect(() => parsePolicy(text), text).toThrow(FormatError);
      expect(() => parsePolicy(text), text).toThrow(why);
    }
  });

  it('refuses nested groups when a K-of-N policy is needed', () => {
    const text = `witness a ${'ab'.repeat(32)}\nwitness b ${'cd'.repeat(32)}\ngroup g1 any a\ngroup g2 all g1 b\nquorum g2\n`;
    expect(() => flattenPolicy(parsePolicy(text))).toThrow(/groups as members/);
  });
});
