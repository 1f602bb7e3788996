import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  addSignatures,
  cosigner,
  encodeBase64,
  FormatError,
  generateSignerKey,
  inclusionProofSync,
  LimitError,
  MemoryTree,
  parseSignerKey,
  signCheckpoint,
  TamgaError,
  VerificationError,
} from '../log/index.js';
import {
  canonicalizeBytes,
  commitment,
  RECORD_COMMITMENT_DOMAIN,
  type TamgaRecord,
} from '../records/index.js';
import { assembleEvidence } from './assemble.js';
import type { EvidenceBundle, EvidenceRecord } from './bundle.js';
import {
  formatTlogProof,
  isTlogProofPath,
  parseTlogProof,
  recordOfTlogProof,
  TLOG_PROOF_FORMAT,
  TLOG_PROOF_LIMITS,
  type TlogProof,
  type TlogProofKeys,
  tlogProofOfRecord,
  tlogProofPath,
  verifyTlogProof,
} from './tlog-proof.js';

const vectors = JSON.parse(
  readFileSync(new URL('../../test/vectors/tamga-records.json', import.meta.url), 'utf8'),
) as { valid: { name: string; record: TamgaRecord }[] };
const example = (name: string) =>
  structuredClone(vectors.valid.find((v) => v.name === name)!.record);

const ORIGIN = 'log.union.example/tamga';
const seed = (n: number) => new Uint8Array(32).fill(n);
const logSigner = parseSignerKey(generateSignerKey(ORIGIN, seed(1)));
const witnesses = [
  cosigner('witness.ilo.example', seed(2)),
  cosigner('witness.ituc.example', seed(3)),
];
const T1 = 1740821400;

/**
 * A log of 11 entries (not a power of two) with disclosed records at indexes 0, 4 and 10 (the
 * first and the last) among filler commitments, a checkpoint signed by the log and cosigned by
 * both witnesses, and the bundle of the three under a 2-of-2 policy.
 */
function fixture(): { bundle: EvidenceBundle; keys: TlogProofKeys } {
  const records = [example('document'), example('transaction'), example('seizure')];
  const at = new Set([0, 4, 10]);
  const tree = new MemoryTree();
  const disclosed: { record: TamgaRecord; salt: Uint8Array; index: number }[] = [];
  while (tree.size < 11) {
    if (at.has(tree.size)) {
      const record = records[disclosed.length]!;
      const salt = seed(0x40 + disclosed.length);
      disclosed.push({ record, salt, index: tree.appendData(commitment(record, salt)) });
    } else tree.appendData(seed(tree.size));
  }
  const note = addSignatures(
    signCheckpoint({ origin: ORIGIN, size: tree.size, root: tree.root() }, logSigner),
    witnesses.map((w, i) => w.signer(T1 + i)),
  );
  const keys = {
    log: { origin: ORIGIN, verifierKey: logSigner.verifierKey },
    witnesses: { quorum: 2, verifierKeys: witnesses.map((w) => w.verifierKey) },
  };
  const bundle = assembleEvidence({
    created: '2025-03-05T12:00:00Z',
    generator: 'tamga test',
    ...keys,
    checkpoint: note,
    records: disclosed.map((d) => ({ ...d, proof: inclusionProofSync(d.index, tree.size, tree) })),
  });
  return { bundle, keys };
}

const { bundle, keys } = fixture();
const proofOf = (entry: EvidenceRecord) => tlogProofOfRecord(entry, bundle.checkpoint);
const [first, middle, last] = bundle.records.map(proofOf) as [string, string, string];

function thrown(fn: () => unknown): TamgaError {
  try {
    fn();
  } catch (e) {
    if (e instanceof TamgaError) return e;
    throw e;
  }
  throw new Error('expected an error');
}

/** The proof text with line `n` (from 1) replaced by `line`, or removed when null. */
function withLine(text: string, n: number, line: string | null): string {
  const lines = text.split('\n');
  if (line === null) lines.splice(n - 1, 1);
  else lines[n - 1] = line;
  return lines.join('\n');
}

/** The spec's example (c2sp.org/tlog-proof), with its truncated signatures filled in. */
const SPEC_EXAMPLE = [
  'c2sp.org/tlog-proof@v1',
  'extra YWdlLXYxLjIuMS1kYXJ3aW4tYXJtNjQudGFyLmd6kYXJ3aW4tYXJ',
  'index 73894',
  'gSKyXoYZUgZ6jduWYrkDOARinOMGJveXjgMkBTcdPlQ=',
  'B95lDa8R83lS8n0eG+o0buTxRKQTYFi//1U8anccXmA=',
  'EKNzoDWG8LGC0Yp9o+sv3qllpMP9uHQ9B20KNL+Q1zs=',
  'RoopEkOdqkYqMB4MJXrbt/hMjOxsVn0IrWjpz1ZMMes=',
  'AHCioX9nLjsrse6YhjRRmk1WUEirVOLLRoOQ6vfO5vk=',
  '',
  'example.com/fancylog',
  '109482',
  'sFodV/vSp5O8n9a8QpW6PRY97tfOSW5bsc2Xl/EQi08=',
  '',
  // "[...]" stands for the middle of each signature; "A"s make them whole base64 again: 68
  // bytes (key ID ‖ Ed25519 signature) for the log, 76 (key ID ‖ timestamp ‖ signature) for
  // each witness.
  `— example.com/fancylog hI2DJw${'A'.repeat(79)}1roloI=`,
  `— witness1.example mJirIklj${'A'.repeat(84)}qY9v2B/5bg==`,
  `— witness2.example TnKKVHLX${'A'.repeat(84)}xwYwrSjgow==`,
  `— witness3.example S4X82uH5${'A'.repeat(84)}3oEcROGLFQ==`,
  '',
].join('\n');

describe('formatTlogProof and parseTlogProof', () => {
  it("parse the spec's own example and format it back byte for byte", () => {
    const p = parseTlogProof(SPEC_EXAMPLE);
    expect(p.index).toBe(73894);
    expect(p.proof).toHaveLength(5);
    expect(encodeBase64(p.proof[0]!)).toBe('gSKyXoYZUgZ6jduWYrkDOARinOMGJveXjgMkBTcdPlQ=');
    expect(new TextDecoder().decode(p.extra!.subarray(0, 30))).toBe(
      'age-v1.2.1-darwin-arm64.tar.gz',
    );
    expect(p.checkpoint).toMatch(/^example\.com\/fancylog\n109482\n/);
    expect(formatTlogProof(p)).toBe(SPEC_EXAMPLE);
    // Its extra data is a file name, not a Tamga record.
    expect(thrown(() => recordOfTlogProof(p)).code).toBe('tlog-proof.not-a-record');
  });

  it('write a Tamga proof that reads back to the same text, byte for byte', () => {
    for (const text of [first, middle, last]) {
      const p = parseTlogProof(text);
      expect(formatTlogProof(p)).toBe(text);
      expect(parseTlogProof(new TextEncoder().encode(text))).toEqual(p);
    }
    const lines = middle.split('\n');
    expect(lines[0]).toBe(TLOG_PROOF_FORMAT);
    expect(lines[1]).toMatch(/^extra [A-Za-z0-9+/]+=*$/);
    expect(lines[2]).toBe('index 4');
    expect(lines.slice(3, 7).every((l) => l.length === 44)).toBe(true);
    expect(lines[7]).toBe('');
    expect(lines.slice(8).join('\n')).toBe(bundle.checkpoint);
    expect(first.split('\n')[2]).toBe('index 0');
    expect(last.split('\n')[2]).toBe('index 10');
  });

  it('leave out the extra line when there is no extra data, as the spec says', () => {
    const p = { index: 0, proof: [], checkpoint: bundle.checkpoint };
    const text = formatTlogProof(p);
    expect(text).toBe(`${TLOG_PROOF_FORMAT}\nindex 0\n\n${bundle.checkpoint}`);
    expect(parseTlogProof(text)).toEqual(p);
    expect(formatTlogProof({ ...p, extra: new Uint8Array() })).toBe(text);
  });

  it('round-trip any index, proof and extra data (property)', () => {
    const hash = fc.uint8Array({ minLength: 32, maxLength: 32 });
    fc.assert(
      fc.property(
        fc.maxSafeNat(),
        fc.array(hash, { maxLength: TLOG_PROOF_LIMITS.maxProofHashes }),
        fc.option(fc.uint8Array({ minLength: 1, maxLength: 300 }), { nil: undefined }),
        fc.constantFrom(bundle.checkpoint, SPEC_EXAMPLE.slice(SPEC_EXAMPLE.indexOf('\n\n') + 2)),
        (index, proof, extra, checkpoint) => {
          const p: TlogProof =
            extra === undefined
              ? { index, proof, checkpoint }
              : { index, proof, checkpoint, extra };
          const text = formatTlogProof(p);
          const back = parseTlogProof(text);
          expect(back).toEqual(p);
          expect(formatTlogProof(back)).toBe(text);
        },
      ),
    );
  });

  it('refuse to write what they would not read', () => {
    const p = { index: 0, proof: [], checkpoint: bundle.checkpoint };
    expect(thrown(() => formatTlogProof({ ...p, index: -1 }))).toBeInstanceOf(LimitError);
    expect(thrown(() => formatTlogProof({ ...p, index: 2 ** 53 }))).toBeInstanceOf(LimitError);
    expect(thrown(() => formatTlogProof({ ...p, proof: [new Uint8Array(31)] })).code).toBe(
      'tlog-proof.hash-length',
    );
    expect(
      thrown(() => formatTlogProof({ ...p, proof: Array(65).fill(new Uint8Array(32)) })).code,
    ).toBe('tlog-proof.too-many-hashes');
    expect(thrown(() => formatTlogProof({ ...p, checkpoint: 'not a note\n' })).code).toBe(
      'tlog-proof.checkpoint',
    );
    expect(
      thrown(() =>
        formatTlogProof({ ...p, extra: new Uint8Array(TLOG_PROOF_LIMITS.maxExtraBytes + 1) }),
      ).code,
    ).toBe('tlog-proof.extra-too-large');
  });
});

describe('parseTlogProof refuses malformed proofs, saying what is wrong', () => {
  const hashLine = middle.split('\n')[3]!;
  const cases: Array<[string, string, typeof FormatError | typeof LimitError, string, RegExp]> = [
    [
      'an index with a leading zero',
      withLine(middle, 3, 'index 04'),
      FormatError,
      'tlog-proof.index',
      /index on line 3 "04" is not an unsigned decimal integer without leading zeros/,
    ],
    [
      'a negative index',
      withLine(middle, 3, 'index -4'),
      FormatError,
      'tlog-proof.index',
      /line 3/,
    ],
    [
      'an index beyond 2^53 - 1',
      withLine(middle, 3, 'index 9007199254740992'),
      LimitError,
      'tlog-proof.index-too-large',
      /larger than 2\^53-1/,
    ],
    [
      'no index line',
      withLine(middle, 3, null),
      FormatError,
      'tlog-proof.no-index',
      /line 3 of the proof is "[A-Za-z0-9+/=]+", where "index <N>" belongs/,
    ],
    [
      'an index line without its space',
      withLine(middle, 3, 'index4'),
      FormatError,
      'tlog-proof.no-index',
      /"index4"/,
    ],
    [
      'base64 whose padding bits are not zero',
      withLine(middle, 4, `${hashLine.slice(0, 42)}${hashLine[42] === 'B' ? 'C' : 'B'}=`),
      FormatError,
      'tlog-proof.hash',
      /proof hash on line 4 is not valid base64: non-zero bits before the padding/,
    ],
    [
      'base64 without its padding',
      withLine(middle, 5, middle.split('\n')[4]!.slice(0, 43)),
      FormatError,
      'tlog-proof.hash',
      /proof hash on line 5 is not valid base64: length 43/,
    ],
    [
      'URL-safe base64',
      withLine(middle, 4, `-${hashLine.slice(1)}`),
      FormatError,
      'tlog-proof.hash',
      /unexpected character "-"/,
    ],
    [
      'a 31-byte hash',
      withLine(middle, 6, encodeBase64(new Uint8Array(31).fill(9))),
      FormatError,
      'tlog-proof.hash-length',
      /proof hash on line 6 is 31 bytes; an RFC 6962 SHA-256 hash has 32/,
    ],
    [
      '65 hashes',
      withLine(middle, 4, Array(62).fill(hashLine).join('\n')),
      LimitError,
      'tlog-proof.too-many-hashes',
      /65 hashes; an inclusion proof has at most 64/,
    ],
    [
      'no empty line before the checkpoint',
      middle.replace('\n\n', '\n'),
      FormatError,
      'tlog-proof.no-blank-line',
      /no empty line between the proof hashes and the checkpoint/,
    ],
    [
      'no empty line at all',
      `${TLOG_PROOF_FORMAT}\nindex 0\n${hashLine}\n`,
      FormatError,
      'tlog-proof.no-blank-line',
      /no empty line after the index and proof hashes/,
    ],
    [
      'another format',
      withLine(middle, 1, 'c2sp.org/tlog-witness'),
      FormatError,
      'tlog-proof.format',
      /not a c2sp\.org\/tlog-proof@v1 proof: its first line is "c2sp\.org\/tlog-witness"/,
    ],
    [
      'another version',
      withLine(middle, 1, 'c2sp.org/tlog-proof@v2'),
      FormatError,
      'tlog-proof.version',
      /this proof is "c2sp\.org\/tlog-proof@v2"; Tamga reads c2sp\.org\/tlog-proof@v1 only/,
    ],
    ['a byte order mark', `\ufeff${middle}`, FormatError, 'tlog-proof.format', /byte order mark/],
    ['an empty file', '', FormatError, 'tlog-proof.format', /the file is empty/],
    [
      'the first line alone, unterminated',
      TLOG_PROOF_FORMAT,
      FormatError,
      'tlog-proof.format',
      /one line with no newline/,
    ],
    [
      'the first line alone',
      `${TLOG_PROOF_FORMAT}\n`,
      FormatError,
      'tlog-proof.no-index',
      /the proof ends at line 1, before its "index <N>" line/,
    ],
    [
      'CRLF line endings',
      middle.replaceAll('\n', '\r\n'),
      FormatError,
      'tlog-proof.carriage-return',
      /line 1 of the proof ends in a carriage return/,
    ],
    [
      'an extra line with no data',
      withLine(middle, 2, 'extra '),
      FormatError,
      'tlog-proof.extra',
      /line 2 is an "extra" line with no data/,
    ],
    [
      'extra data that is not base64',
      withLine(middle, 2, 'extra tamga/record/v1'),
      FormatError,
      'tlog-proof.extra',
      /extra data on line 2 is not valid base64/,
    ],
    [
      'no checkpoint after the empty line',
      middle.slice(0, middle.indexOf('\n\n') + 2),
      FormatError,
      'tlog-proof.checkpoint',
      /nothing follows the empty line/,
    ],
    [
      'a checkpoint that is not a signed note',
      `${middle.slice(0, middle.indexOf('\n\n') + 2)}${ORIGIN}\n11\n`,
      FormatError,
      'tlog-proof.checkpoint',
      /^the checkpoint after the empty line: malformed note/,
    ],
    [
      'a signed note that is not a checkpoint',
      `${middle.slice(0, middle.indexOf('\n\n') + 2)}${ORIGIN}\n11\n\n${bundle.checkpoint.slice(bundle.checkpoint.indexOf('— '))}`,
      FormatError,
      'tlog-proof.checkpoint',
      /at least three lines/,
    ],
  ];

  it.each(cases)('%s', (_, text, kind, code, message) => {
    const e = thrown(() => parseTlogProof(text));
    expect(e).toBeInstanceOf(kind);
    expect(e.code).toBe(code);
    expect(e.message).toMatch(message);
  });

  it('refuses a file beyond the bound before reading it, and bytes that are not UTF-8', () => {
    // docs/evidence-bundle.md gives this bound.
    expect(TLOG_PROOF_LIMITS.maxBytes).toBe(1_597_710);
    const huge = `${TLOG_PROOF_FORMAT}\nextra ${'A'.repeat(TLOG_PROOF_LIMITS.maxBytes)}\n`;
    expect(thrown(() => parseTlogProof(huge)).code).toBe('tlog-proof.too-large');
    const longest = 4 * Math.ceil(TLOG_PROOF_LIMITS.maxExtraBytes / 3);
    const big = `${TLOG_PROOF_FORMAT}\nextra ${'A'.repeat(longest + 4)}\nindex 0\n\n`;
    expect(thrown(() => parseTlogProof(big)).code).toBe('tlog-proof.extra-too-large');
    const bytes = new TextEncoder().encode(middle);
    bytes[10] = 0xff;
    expect(thrown(() => parseTlogProof(bytes)).code).toBe('tlog-proof.utf8');
  });
});

describe('Tamga proofs of records', () => {
  it('carry the commitment preimage, from which the record and salt are read back', () => {
    for (const [i, text] of [first, middle, last].entries()) {
      const entry = bundle.records[i]!;
      const p = parseTlogProof(text);
      const prefix = new TextDecoder().decode(p.extra!.subarray(0, 16));
      expect(prefix).toBe(RECORD_COMMITMENT_DOMAIN);
      const r = recordOfTlogProof(p);
      expect(r.record).toEqual(entry.record);
      expect(encodeBase64(r.salt)).toBe(entry.salt);
      expect(encodeBase64(r.commitment)).toBe(entry.commitment);
      expect(p.proof.map(encodeBase64)).toEqual(entry.proof);
    }
  });

  it('are not made from an entry whose record does not give its commitment', () => {
    const entry = { ...bundle.records[1]!, salt: bundle.records[0]!.salt };
    const e = thrown(() => proofOf(entry));
    expect(e).toBeInstanceOf(VerificationError);
    expect(e.code).toBe('tlog-proof.not-committed');
  });

  it('refuse extra data that is not a canonical Tamga record', () => {
    const p = parseTlogProof(middle);
    const extraOf = (json: string) => ({
      ...p,
      extra: new Uint8Array([
        ...new TextEncoder().encode(RECORD_COMMITMENT_DOMAIN),
        ...seed(5),
        ...new TextEncoder().encode(json),
      ]),
    });
    const code = (q: TlogProof) => thrown(() => recordOfTlogProof(q)).code;
    expect(code({ index: 0, proof: [], checkpoint: p.checkpoint })).toBe('tlog-proof.no-extra');
    expect(code({ ...p, extra: new TextEncoder().encode('tamga/record/v2\n') })).toBe(
      'tlog-proof.not-a-record',
    );
    expect(code({ ...p, extra: p.extra!.subarray(0, 40) })).toBe('tlog-proof.short-extra');
    expect(code(extraOf('{"b": 1, "a": 2}'))).toBe('tlog-proof.record-not-canonical');
    expect(code(extraOf('{"a":1,"a":2}'))).toBe('tlog-proof.record-not-canonical');
    expect(code(extraOf('[1,2]'))).toBe('tlog-proof.record-json');
    expect(code(extraOf('{"a":'))).toBe('tlog-proof.record-json');
    const canonical = new TextDecoder().decode(canonicalizeBytes({ a: 2, b: 1 }));
    expect(recordOfTlogProof(extraOf(canonical)).record).toEqual({ a: 2, b: 1 });
  });
});

describe('verifyTlogProof', () => {
  it('verifies each proof under the keys the verifier trusts', () => {
    for (const [i, text] of [first, middle, last].entries()) {
      const v = verifyTlogProof(text, keys);
      expect(v.index).toBe(bundle.records[i]!.index);
      expect(v.record).toEqual(bundle.records[i]!.record);
      expect(encodeBase64(v.salt)).toBe(bundle.records[i]!.salt);
      expect(v.checkpoint).toMatchObject({ origin: ORIGIN, size: 11 });
      expect(v.cosignatures.map((c) => c.timestamp)).toEqual([T1, T1 + 1]);
    }
    expect(verifyTlogProof(new TextEncoder().encode(middle), keys).index).toBe(4);
  });

  it('refuses a proof under a fresh log key, or another origin', () => {
    const fresh = parseSignerKey(generateSignerKey(ORIGIN, seed(9)));
    const e = thrown(() =>
      verifyTlogProof(middle, { ...keys, log: { origin: ORIGIN, verifierKey: fresh.verifierKey } }),
    );
    expect(e).toBeInstanceOf(VerificationError);
    expect(e.code).toBe('checkpoint.no-log-signature');
    const other = thrown(() =>
      verifyTlogProof(middle, { ...keys, log: { ...keys.log, origin: 'log.other.example' } }),
    );
    expect(other.code).toBe('checkpoint.wrong-origin');
  });

  it('refuses a proof whose checkpoint fewer witnesses than the quorum cosigned', () => {
    const stranger = cosigner('witness.stranger.example', seed(8));
    const e = thrown(() =>
      verifyTlogProof(middle, {
        ...keys,
        witnesses: { quorum: 2, verifierKeys: [witnesses[0]!.verifierKey, stranger.verifierKey] },
      }),
    );
    expect(e).toBeInstanceOf(VerificationError);
    expect(e.code).toBe('cosignature.below-quorum');
  });

  it('refuses a proof whose extra data was altered', () => {
    const p = parseTlogProof(middle);
    // A salt byte, then a byte of the record's JSON (a digit of the amount, still canonical).
    const salted = p.extra!.slice();
    salted[20]! ^= 1;
    const json = new TextDecoder().decode(p.extra!.subarray(48));
    const altered = json.replace(
      /"amount":"(\d)/,
      (_, d: string) => `"amount":"${(Number(d) + 1) % 10}`,
    );
    expect(altered).not.toBe(json);
    const rewritten = new Uint8Array([
      ...p.extra!.subarray(0, 48),
      ...new TextEncoder().encode(altered),
    ]);
    for (const extra of [salted, rewritten]) {
      const e = thrown(() => verifyTlogProof(formatTlogProof({ ...p, extra }), keys));
      expect(e).toBeInstanceOf(VerificationError);
      expect(e.code).toBe('tlog-proof.not-included');
      expect(e.message).toMatch(
        /^record 01JNQ0W2X9A0B1C2D3E4F5G6H7 is not proven to be log entry 4 of the checkpoint of size 11: .*different root/,
      );
    }
  });

  it('refuses a proof whose index was swapped, or is past the checkpoint', () => {
    for (const index of [5, 3, 0, 10]) {
      const e = thrown(() => verifyTlogProof(withLine(middle, 3, `index ${index}`), keys));
      expect(e.code).toBe('tlog-proof.not-included');
    }
    const past = thrown(() => verifyTlogProof(withLine(last, 3, 'index 11'), keys));
    expect(past.code).toBe('tlog-proof.not-included');
    expect(past.message).toMatch(/leaf index 11 is not in a tree of size 11/);
  });

  it('refuses a proof with a flipped hash byte, or another proof’s hashes', () => {
    const p = parseTlogProof(middle);
    const flipped = p.proof.map((h) => h.slice());
    flipped[1]![7]! ^= 0x80;
    expect(
      thrown(() => verifyTlogProof(formatTlogProof({ ...p, proof: flipped }), keys)).code,
    ).toBe('tlog-proof.not-included');
    const borrowed = { ...p, proof: parseTlogProof(first).proof };
    expect(thrown(() => verifyTlogProof(formatTlogProof(borrowed), keys)).code).toBe(
      'tlog-proof.not-included',
    );
  });

  it('refuses malformed trusted keys before reading the proof', () => {
    const e = thrown(() =>
      verifyTlogProof(middle, { ...keys, log: { origin: ORIGIN, verifierKey: 'not a key' } }),
    );
    expect(e.code).toBe('evidence.trust');
  });

  it('refuses a checkpoint altered after signing', () => {
    const altered = middle.replace(`${ORIGIN}\n11\n`, `${ORIGIN}\n12\n`);
    expect(thrown(() => verifyTlogProof(altered, keys)).code).toBe('note.bad-signature');
  });
});

describe('proof files beside a bundle', () => {
  it('are named after the record, inside proofs/', () => {
    expect(tlogProofPath('01JNQ0V1W8ZK3M5P7R9T2X4Y6A')).toBe(
      'proofs/01JNQ0V1W8ZK3M5P7R9T2X4Y6A.tlog-proof',
    );
    expect(thrown(() => tlogProofPath('../../etc/passwd')).code).toBe('tlog-proof.record-id');
    expect(isTlogProofPath('proofs/01JNQ0V1W8ZK3M5P7R9T2X4Y6A.tlog-proof')).toBe(true);
    expect(isTlogProofPath('proofs/sub/01JNQ0V1W8ZK3M5P7R9T2X4Y6A.tlog-proof')).toBe(false);
    expect(isTlogProofPath('proofs/anything.tlog-proof')).toBe(false);
    expect(isTlogProofPath('files/01JNQ0V1W8ZK3M5P7R9T2X4Y6A.tlog-proof')).toBe(false);
    expect(isTlogProofPath('proofs/01JNQ0V1W8ZK3M5P7R9T2X4Y6A.txt')).toBe(false);
  });
});
