import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  addSignatures,
  cosigner,
  decodeBase64,
  encodeBase64,
  generateSignerKey,
  inclusionProofSync,
  MemoryTree,
  parseSignerKey,
  signCheckpoint,
  TamgaError,
  VerificationError,
} from '../log/index.js';
import {
  commitCanonical,
  commitment,
  recordCanonicalBytes,
  SchemaError,
  type TamgaRecord,
} from '../records/index.js';
import { assembleEvidence, type DisclosedRecord } from './assemble.js';
import { type EvidenceBundle, formatEvidence } from './bundle.js';
import { describeVerdict } from './describe.js';
import { digestOf } from './files.js';
import { renderMessage } from './messages.js';
import type { EvidenceVerdict } from './verdict.js';
import { verifyEvidence } from './verify.js';

const vectors = JSON.parse(
  readFileSync(new URL('../../test/vectors/tamga-records.json', import.meta.url), 'utf8'),
) as { valid: { name: string; record: TamgaRecord }[] };
const example = (name: string) =>
  structuredClone(vectors.valid.find((v) => v.name === name)!.record);

const ORIGIN = 'log.union.example/tamga';
const T1 = 1740821400; // 2025-03-01T09:30:00Z
const T2 = 1740821460;
const FILE = new TextEncoder().encode('bank statement');
const FILE_SHA = digestOf(FILE).sha256;
const seed = (n: number) => new Uint8Array(32).fill(n);

const logSigner = parseSignerKey(generateSignerKey(ORIGIN, seed(1)));
const witnesses = [
  cosigner('witness.ilo.example', seed(2)),
  cosigner('witness.ituc.example', seed(3)),
  cosigner('witness.lawyers.example', seed(4)),
];

interface Fixture {
  bundle: EvidenceBundle;
  tree: MemoryTree;
  note: string;
}

/**
 * A log of 11 entries: filler commitments around the disclosed records (a document with a file,
 * a transaction, a seizure), a checkpoint signed by the log and cosigned by two of the three
 * witnesses, and a bundle of the three records under a 2-of-3 policy.
 */
function fixture(
  options: { quorum?: number; cosigners?: number; keys?: number; extra?: TamgaRecord[] } = {},
): Fixture {
  const quorum = options.quorum ?? 2;
  const records = [example('document'), example('transaction'), example('seizure')];
  const tree = new MemoryTree();
  const filler = () => tree.appendData(new Uint8Array(32).fill(tree.size));
  const disclosed: { record: TamgaRecord; salt: Uint8Array; index: number }[] = [];
  filler();
  filler();
  for (const [i, record] of records.entries()) {
    const salt = new Uint8Array(32).fill(0x40 + i);
    disclosed.push({ record, salt, index: tree.appendData(commitment(record, salt)) });
    filler();
  }
  filler();
  filler();
  filler();
  const note = addSignatures(
    signCheckpoint({ origin: ORIGIN, size: tree.size, root: tree.root() }, logSigner),
    witnesses.slice(0, options.cosigners ?? 2).map((w, i) => w.signer(i === 0 ? T2 : T1)),
  );
  const parts: DisclosedRecord[] = disclosed.map((d) => ({
    ...d,
    proof: inclusionProofSync(d.index, tree.size, tree),
  }));
  const bundle = assembleEvidence({
    created: '2025-03-05T12:00:00Z',
    generator: 'tamga test',
    log: { origin: ORIGIN, verifierKey: logSigner.verifierKey },
    witnesses: {
      quorum,
      verifierKeys: witnesses.slice(0, options.keys ?? 3).map((w) => w.verifierKey),
    },
    checkpoint: note,
    records: parts,
    files: [{ sha256: FILE_SHA, path: `files/${FILE_SHA}` }],
  });
  return { bundle, tree, note };
}

const good = fixture();
const files = new Map([[FILE_SHA, FILE]]);
/** The keys of a bundle, pinned as a verifier who holds the union's trust statement pins them. */
const pinnedTo = (b: EvidenceBundle) => ({ log: b.log, witnesses: b.witnesses });

type Mutable<T> = {
  -readonly [K in keyof T]: T[K] extends readonly (infer E)[]
    ? Mutable<E>[]
    : T[K] extends object
      ? Mutable<T[K]>
      : T[K];
};

/** A deep copy of the good bundle, for tampering. */
function copy(): Mutable<EvidenceBundle> {
  return JSON.parse(JSON.stringify(good.bundle));
}

function failedChecks(v: EvidenceVerdict): string[] {
  return v.problems.map((p) => `${p.record ?? 'checkpoint'}:${p.check}`);
}

describe('verifyEvidence: a good bundle', () => {
  it('verifies, with every check held and the time the witnesses prove', () => {
    const v = verifyEvidence(good.bundle, { files, trust: pinnedTo(good.bundle) });
    expect(v.problems).toEqual([]);
    expect(v.ok).toBe(true);
    expect(v.status).toBe('verified');
    expect(v.checkpoint).toMatchObject({
      origin: ORIGIN,
      size: 11,
      ok: true,
      logSignature: { ok: true },
      quorum: { required: 2, valid: 2, met: true },
    });
    expect(v.checkpoint.witnesses.map((w) => w.status)).toEqual(['cosigned', 'cosigned', 'absent']);
    expect(v.checkpoint.cosignatures.map((c) => [c.witness, c.timestamp])).toEqual([
      ['witness.ilo.example', T2],
      ['witness.ituc.example', T1],
    ]);
    // The earliest cosignature bounds the time; the quorum-th earliest is when the policy vouched.
    expect(v.provenNoLaterThan).toBe(T1);
    expect(v.provenBy).toBe('witness.ituc.example');
    expect(v.quorumTime).toBe(T2);
    expect(v.records.map((r) => [r.id, r.kind, r.index, r.ok, r.provenNoLaterThan])).toEqual([
      ['01JNQ0V1W8ZK3M5P7R9T2X4Y6A', 'document', 2, true, T1],
      ['01JNQ0W2X9A0B1C2D3E4F5G6H7', 'transaction', 4, true, T1],
      ['01JNQ100B3E4F5G6H7J8K9MANB', 'seizure', 6, true, T1],
    ]);
    expect(v.records[0]!.files).toEqual([
      expect.objectContaining({ name: 'bank-statement-12.pdf', status: 'match' }),
    ]);
    expect(v.trust.map((m) => m.key)).toEqual([
      'trust.pinned-log',
      'trust.pinned-witnesses',
      'trust.statement',
    ]);
    expect(v.trustedFingerprint).toBe(v.fingerprint);
  });

  it('without trusted keys is unconfirmed: consistent, but no date and no "verified"', () => {
    const v = verifyEvidence(good.bundle, { files });
    expect(v.ok).toBe(true);
    expect(v.status).toBe('unconfirmed');
    expect(v.summary.key).toBe('verdict.unconfirmed');
    expect(v.provenNoLaterThan).toBeNull();
    expect(v.quorumTime).toBeNull();
    expect(v.records.map((r) => r.provenNoLaterThan)).toEqual([null, null, null]);
    expect(v.checkpoint.cosignatures).toEqual([]);
    expect(v.checkpoint.witnesses.map((w) => w.timestamp)).toEqual([null, null, null]);
    expect(v.time.map((m) => m.key)).toEqual(['time.untrusted']);
    expect(v.trust.map((m) => m.key)).toEqual(['trust.from-bundle']);
    expect(v.fingerprint).toMatch(/^\d{5}( \d{5}){5}$/);
    expect(v.trustedFingerprint).toBeNull();
    const text = describeVerdict(v).join('\n');
    expect(text).not.toMatch(/VERIFIED:|2025-03-0/);
    expect(text).toContain(v.fingerprint);
  });

  it('verifies from its JSON text and its UTF-8 bytes', () => {
    const text = formatEvidence(good.bundle);
    expect(verifyEvidence(text).ok).toBe(true);
    expect(verifyEvidence(new TextEncoder().encode(text)).ok).toBe(true);
    expect(text.endsWith('\n')).toBe(true);
  });

  it('says when a file was not given, without failing', () => {
    const v = verifyEvidence(good.bundle);
    expect(v.ok).toBe(true);
    expect(v.records[0]!.files[0]!.status).toBe('not-provided');
  });

  it('accepts a digest the caller computed instead of the bytes', () => {
    const v = verifyEvidence(good.bundle, { files: new Map([[FILE_SHA, digestOf(FILE)]]) });
    expect(v.records[0]!.files[0]!.status).toBe('match');
    const bad = new Map([[FILE_SHA, { sha256: 'XYZ', size: 1 }]]);
    expect(() => verifyEvidence(good.bundle, { files: bad })).toThrow(
      expect.objectContaining({ code: 'evidence.file-digest' }),
    );
  });

  it('uses keys the verifier trusts, and says so', () => {
    const trust = { log: good.bundle.log, witnesses: good.bundle.witnesses };
    const v = verifyEvidence(good.bundle, { trust });
    expect(v.ok).toBe(true);
    expect(v.status).toBe('verified');
    expect(v.trust.map((m) => m.key)).toEqual([
      'trust.pinned-log',
      'trust.pinned-witnesses',
      'trust.statement',
    ]);
  });
});

describe('verifyEvidence: tampering yields a precise failed verdict', () => {
  const verdictOf = (b: unknown, withFiles = true) =>
    verifyEvidence(b, { trust: pinnedTo(good.bundle), ...(withFiles ? { files } : {}) });

  it('a record field changed: the record no longer gives its commitment', () => {
    const b = copy();
    (b.records[1]!.record as { author: string }).author = 'someone else';
    const v = verdictOf(b);
    expect(v.ok).toBe(false);
    expect(failedChecks(v)).toEqual(['1:committed']);
    expect(v.records[1]).toMatchObject({
      wellFormed: { ok: true },
      committed: { ok: false, message: { key: 'record.not-committed' } },
      included: { ok: true },
      ok: false,
    });
    expect(v.records[0]!.ok).toBe(true);
    // Time is proven for the records that verified, and only for them.
    expect(v.provenNoLaterThan).toBe(T1);
    expect(v.records.map((r) => r.provenNoLaterThan)).toEqual([T1, null, T1]);
  });

  it('no record verifies: no time is proven', () => {
    const b = copy();
    for (const r of b.records) (r.record as { author: string }).author = 'someone else';
    const v = verdictOf(b);
    expect(v.checkpoint.ok).toBe(true);
    expect(v.provenNoLaterThan).toBeNull();
    expect(v.time.map((m) => m.key)).toEqual(['time.no-record']);
  });

  it('a nested body field changed', () => {
    const b = copy();
    (b.records[2]!.record as { body: { items: string[] } }).body.items.pop();
    expect(failedChecks(verdictOf(b))).toEqual(['2:committed']);
  });

  it('the salt changed', () => {
    const b = copy();
    const salt = decodeBase64(b.records[0]!.salt);
    salt[31]! ^= 1;
    b.records[0]!.salt = encodeBase64(salt);
    expect(failedChecks(verdictOf(b))).toEqual(['0:committed']);
  });

  it('the commitment changed along with the record: the log does not hold it', () => {
    const b = copy();
    const entry = b.records[1]!;
    (entry.record as { author: string }).author = 'forger';
    entry.commitment = encodeBase64(
      commitCanonical(recordCanonicalBytes(entry.record), decodeBase64(entry.salt)),
    );
    const v = verdictOf(b);
    expect(failedChecks(v)).toEqual(['1:included']);
    expect(renderMessage(v.records[1]!.included.message)).toMatch(/different root/);
  });

  it('a proof bit flipped', () => {
    for (const [r, h, byte] of [
      [0, 0, 0],
      [1, 2, 31],
      [2, 3, 17],
    ] as const) {
      const b = copy();
      const hash = decodeBase64(b.records[r]!.proof[h]!);
      hash[byte]! ^= 0x80;
      b.records[r]!.proof[h] = encodeBase64(hash);
      const v = verdictOf(b);
      expect(failedChecks(v)).toEqual([`${r}:included`]);
      expect(v.records[r]!.included.message.key).toBe('record.not-included');
    }
  });

  it('a proof hash dropped, or the index changed', () => {
    const b = copy();
    b.records[0]!.proof.pop();
    b.records[1]!.index = 5;
    b.records[2]!.index = 11;
    const v = verdictOf(b);
    expect(failedChecks(v)).toEqual(['0:included', '1:included', '2:included']);
    expect(renderMessage(v.records[0]!.included.message)).toMatch(/too short/);
    expect(renderMessage(v.records[2]!.included.message)).toMatch(/not in a tree of size 11/);
  });

  it('the checkpoint size or root changed: the log signature fails', () => {
    for (const edit of [
      (t: string) => t.replace(`\n11\n`, '\n12\n'),
      (t: string) => {
        const lines = t.split('\n');
        const root = decodeBase64(lines[2]!);
        root[0]! ^= 1;
        lines[2] = encodeBase64(root);
        return lines.join('\n');
      },
    ]) {
      const b = copy();
      b.checkpoint = edit(b.checkpoint);
      expect(b.checkpoint).not.toBe(good.note);
      const v = verdictOf(b);
      expect(v.ok).toBe(false);
      expect(v.checkpoint.ok).toBe(false);
      expect(v.checkpoint.logSignature.ok).toBe(false);
      expect(renderMessage(v.checkpoint.logSignature.message)).toMatch(/altered or forged/);
      expect(v.provenNoLaterThan).toBeNull();
      expect(v.time.map((m) => m.key)).toEqual(['time.unproven']);
      expect(failedChecks(v)[0]).toBe('checkpoint:log-signature');
    }
  });

  it('the log signature stripped', () => {
    const b = copy();
    b.checkpoint = b.checkpoint
      .split('\n')
      .filter((l) => !l.startsWith(`— ${ORIGIN} `))
      .join('\n');
    const v = verdictOf(b);
    expect(v.checkpoint.logSignature.ok).toBe(false);
    expect(renderMessage(v.checkpoint.logSignature.message)).toMatch(
      /carries no signature by the log key/,
    );
    expect(failedChecks(v)).toEqual(['checkpoint:log-signature']);
  });

  it('a cosignature removed, below the quorum', () => {
    const b = copy();
    b.checkpoint = b.checkpoint
      .split('\n')
      .filter((l) => !l.startsWith('— witness.ituc.example '))
      .join('\n');
    const v = verdictOf(b);
    expect(v.ok).toBe(false);
    expect(v.checkpoint.logSignature.ok).toBe(true);
    expect(v.checkpoint.quorum).toMatchObject({ required: 2, valid: 1, met: false });
    expect(failedChecks(v)).toEqual(['checkpoint:quorum']);
    expect(v.provenNoLaterThan).toBeNull();
    // The records themselves are still in the checkpoint's tree.
    expect(v.records.every((r) => r.committed.ok && r.included.ok)).toBe(true);
  });

  it('a cosignature corrupted: a known witness signature that fails rejects the checkpoint', () => {
    const b = copy();
    b.checkpoint = b.checkpoint
      .split('\n')
      .map((l) => {
        if (!l.startsWith('— witness.ilo.example ')) return l;
        const sig = decodeBase64(l.split(' ')[2]!);
        sig[40]! ^= 1;
        return `— witness.ilo.example ${encodeBase64(sig)}`;
      })
      .join('\n');
    const v = verdictOf(b);
    expect(v.checkpoint.witnesses[0]!.status).toBe('invalid');
    expect(failedChecks(v)).toEqual(['checkpoint:witness', 'checkpoint:quorum']);
  });

  it('file bytes changed', () => {
    const altered = FILE.slice();
    altered[0]! ^= 1;
    const v = verifyEvidence(good.bundle, { files: new Map([[FILE_SHA, altered]]) });
    expect(v.ok).toBe(false);
    expect(v.records[0]!.files[0]!.status).toBe('mismatch');
    expect(failedChecks(v)).toEqual(['0:file']);
    expect(renderMessage(v.problems[0]!.message)).toMatch(/does not match/);
  });

  it('a wrong witness key: its cosignature no longer counts', () => {
    const b = copy();
    b.witnesses.verifierKeys[0] = cosigner('witness.ilo.example', seed(9)).verifierKey;
    // Checked under the bundle's own (altered) keys: even a self-consistency check fails.
    const v = verifyEvidence(b, { files });
    expect(v.status).toBe('failed');
    expect(v.checkpoint.witnesses[0]!.status).toBe('absent');
    expect(failedChecks(v)).toEqual(['checkpoint:quorum']);
  });

  it('a wrong log key', () => {
    const b = copy();
    b.log.verifierKey = parseSignerKey(generateSignerKey(ORIGIN, seed(8))).verifierKey;
    const v = verifyEvidence(b, { files });
    expect(v.status).toBe('failed');
    expect(failedChecks(v)).toEqual(['checkpoint:log-signature']);
  });

  it('a forged log with its own witnesses verifies on its own keys, and fails on trusted ones', () => {
    const forger = parseSignerKey(generateSignerKey(ORIGIN, seed(7)));
    const fakeWitnesses = [cosigner('witness.ilo.example', seed(5)), cosigner('w2', seed(6))];
    const record = example('document') as { author: string };
    record.author = 'forger';
    const tree = new MemoryTree();
    const salt = seed(0x33);
    tree.appendData(commitment(record as TamgaRecord, salt));
    const note = addSignatures(
      signCheckpoint({ origin: ORIGIN, size: 1, root: tree.root() }, forger),
      fakeWitnesses.map((w) => w.signer(T1 - 86400 * 365)),
    );
    const forged = assembleEvidence({
      created: '2025-03-05T12:00:00Z',
      generator: 'forger',
      log: { origin: ORIGIN, verifierKey: forger.verifierKey },
      witnesses: { quorum: 2, verifierKeys: fakeWitnesses.map((w) => w.verifierKey) },
      checkpoint: note,
      records: [{ record: record as TamgaRecord, salt, index: 0, proof: [] }],
    });
    // On its own keys it is consistent, and no more: unconfirmed, never verified, never dated.
    const alone = verifyEvidence(forged);
    expect(alone.ok).toBe(true);
    expect(alone.status).toBe('unconfirmed');
    expect(alone.provenNoLaterThan).toBeNull();
    expect(alone.fingerprint).not.toBe(verifyEvidence(good.bundle).fingerprint);
    expect(alone.trust.map((m) => m.key)).toEqual(['trust.from-bundle']);
    const pinned = verifyEvidence(forged, {
      trust: { log: good.bundle.log, witnesses: good.bundle.witnesses },
    });
    expect(pinned.ok).toBe(false);
    expect(pinned.status).toBe('failed');
    expect(pinned.provenNoLaterThan).toBeNull();
    expect(pinned.trust.map((m) => m.key)).toEqual([
      'trust.pinned-log',
      'trust.log-differs',
      'trust.pinned-witnesses',
      'trust.witnesses-differ',
      'trust.statement',
    ]);
    expect(failedChecks(pinned)).toEqual(['checkpoint:log-signature', 'checkpoint:quorum']);
  });

  it('a record that does not fit its schema, though committed and included', () => {
    const tree = new MemoryTree();
    const bad = { ...example('asset'), body: { name: 'x' } };
    const salt = seed(0x21);
    const c = commitCanonical(recordCanonicalBytes(bad), salt);
    tree.appendData(c);
    const b = copy();
    b.checkpoint = addSignatures(
      signCheckpoint({ origin: ORIGIN, size: 1, root: tree.root() }, logSigner),
      witnesses.slice(0, 2).map((w) => w.signer(T1)),
    );
    b.records = [
      {
        index: 0,
        commitment: encodeBase64(c),
        salt: encodeBase64(salt),
        proof: [],
        record: bad,
      },
    ];
    b.files = [];
    const v = verdictOf(b);
    expect(v.records[0]).toMatchObject({
      wellFormed: { ok: false },
      committed: { ok: true },
      included: { ok: true },
    });
    expect(renderMessage(v.records[0]!.wellFormed.message)).toMatch(/body\.category: is missing/);
    expect(failedChecks(v)).toEqual(['0:well-formed']);
  });

  it('a record with a lone surrogate cannot be committed', () => {
    const b = copy();
    (b.records[0]!.record as { author: string }).author = 'x\ud800';
    const v = verdictOf(b);
    expect(v.records[0]!.committed.message.key).toBe('record.uncommittable');
    expect(failedChecks(v)).toEqual(['0:well-formed', '0:committed']);
  });

  it('an unreadable checkpoint: every record says why it was not checked', () => {
    const b = copy();
    b.checkpoint = 'not a note';
    const v = verdictOf(b);
    expect(v.checkpoint.read.ok).toBe(false);
    expect(v.checkpoint.witnesses.every((w) => w.status === 'unchecked')).toBe(true);
    expect(v.records.every((r) => r.included.message.key === 'record.inclusion-unchecked')).toBe(
      true,
    );
    expect(failedChecks(v)).toEqual(['checkpoint:checkpoint']);
  });

  it('random damage to the text never crashes: a verdict or a TamgaError', () => {
    const text = formatEvidence(good.bundle);
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.nat(text.length - 1), fc.integer({ min: 0x20, max: 0x7e })), {
          minLength: 1,
          maxLength: 4,
        }),
        (edits) => {
          const chars = [...text];
          for (const [at, c] of edits) chars[at] = String.fromCharCode(c);
          try {
            const v = verifyEvidence(chars.join(''), { files });
            expect(typeof v.ok).toBe('boolean');
            expect(v.ok || v.problems.length > 0).toBe(true);
          } catch (e) {
            expect(e).toBeInstanceOf(TamgaError);
          }
        },
      ),
      { numRuns: 300 },
    );
  });
});

describe('verifyEvidence: witnessing and time', () => {
  it('with quorum 0 and no witness, says only the log vouches and no time is proven', () => {
    const { bundle } = fixture({ quorum: 0, cosigners: 0, keys: 0 });
    const v = verifyEvidence(bundle, { trust: pinnedTo(bundle) });
    expect(v.ok).toBe(true);
    expect(v.provenNoLaterThan).toBeNull();
    expect(v.quorumTime).toBeNull();
    expect(v.time.map((m) => m.key)).toEqual(['time.none']);
    expect(renderMessage(v.time[0]!)).toMatch(/only the log's own signature vouches/);
  });

  it('with quorum 0 and cosignatures anyway, still proves no time', () => {
    const { bundle } = fixture({ quorum: 0 });
    const v = verifyEvidence(bundle, { trust: pinnedTo(bundle) });
    expect(v.ok).toBe(true);
    expect(v.checkpoint.cosignatures).toHaveLength(2);
    expect(v.provenNoLaterThan).toBeNull();
    expect(v.time.map((m) => m.key)).toEqual(['time.not-required']);
  });

  it('with all three cosigning and a quorum of 1, takes the earliest', () => {
    const { bundle } = fixture({ quorum: 1, cosigners: 3 });
    const v = verifyEvidence(bundle, { trust: pinnedTo(bundle) });
    expect(v.checkpoint.cosignatures).toHaveLength(3);
    expect(v.provenNoLaterThan).toBe(T1);
    expect(v.quorumTime).toBe(T1);
  });
});

describe('assembleEvidence', () => {
  it('writes what it was given, with commitments computed', () => {
    const r = good.bundle.records[0]!;
    expect(r.index).toBe(2);
    expect(r.commitment).toBe(
      encodeBase64(commitment(example('document'), new Uint8Array(32).fill(0x40))),
    );
    expect(good.bundle.files).toEqual([{ sha256: FILE_SHA, path: `files/${FILE_SHA}` }]);
  });

  it('refuses an invalid record, naming it and the field', () => {
    const bad = { ...example('document'), author: '' } as TamgaRecord;
    const e = (() => {
      try {
        assembleEvidence({
          ...partsOf(good),
          records: [{ record: bad, salt: seed(1), index: 2, proof: [] }],
        });
      } catch (err) {
        return err;
      }
    })();
    expect(e).toBeInstanceOf(SchemaError);
    expect((e as SchemaError).code).toBe('evidence.record');
    expect((e as SchemaError).message).toMatch(/records\[0\] \(log entry 2\).*record\.author/);
  });

  it('refuses to hand out a bundle that does not verify', () => {
    const e = (() => {
      try {
        assembleEvidence({
          ...partsOf(good),
          records: [{ record: example('document'), salt: seed(1), index: 2, proof: [] }],
        });
      } catch (err) {
        return err;
      }
    })();
    expect(e).toBeInstanceOf(VerificationError);
    expect((e as VerificationError).code).toBe('evidence.does-not-verify');
    expect((e as VerificationError).evidence.verdict).toBeDefined();
  });
});

function partsOf(f: Fixture) {
  return {
    created: f.bundle.created,
    generator: f.bundle.generator,
    log: f.bundle.log,
    witnesses: f.bundle.witnesses,
    checkpoint: f.bundle.checkpoint,
  };
}

describe('describeVerdict', () => {
  it('reports a good bundle in plain English', () => {
    const lines = describeVerdict(
      verifyEvidence(good.bundle, { files, trust: pinnedTo(good.bundle) }),
      'en',
    );
    expect(lines[0]).toBe(
      `VERIFIED: 3 record(s) proven by a checkpoint of the log ${ORIGIN}, under keys you trust.`,
    );
    expect(lines).toContain(
      `  ✓ Checkpoint of the log ${ORIGIN}: 11 entries, root ${good.note.split('\n')[2]}.`,
    );
    expect(lines).toContain(
      '  ✓ Cosigned by the witness witness.ituc.example at 2025-03-01T09:30:00Z.',
    );
    expect(lines).toContain('  · No cosignature by the witness witness.lawyers.example.');
    expect(lines).toContain('Record 1: document 01JNQ0V1W8ZK3M5P7R9T2X4Y6A, log entry 2');
    expect(lines.join('\n')).toMatch(
      /existed no later than 2025-03-01T09:30:00Z: the witness witness\.ituc\.example cosigned/,
    );
    expect(lines).not.toContain('Problems');
    for (const line of lines) expect(line).not.toMatch(/\{\w+(:\w+)?\}/);
  });

  it('lists each failure with its record and check', () => {
    const b = copy();
    (b.records[1]!.record as { author: string }).author = 'someone else';
    const lines = describeVerdict(verifyEvidence(b));
    expect(lines[0]).toBe('NOT VERIFIED: 1 problem(s) found; each is listed below.');
    expect(lines.at(-1)).toMatch(
      /^ {2}1\. Record 2 \(01JNQ0W2X9A0B1C2D3E4F5G6H7\): The record and its salt do not give the commitment/,
    );
  });
});

describe('assembleEvidence: malformed parts', () => {
  it('names the record whose salt or proof is the wrong size', () => {
    const attempt = (d: Partial<DisclosedRecord>) => {
      try {
        assembleEvidence({
          ...partsOf(good),
          records: [{ record: example('document'), salt: seed(1), index: 2, proof: [], ...d }],
        });
      } catch (e) {
        return e as TamgaError;
      }
      throw new Error('expected an error');
    };
    expect(attempt({ salt: new Uint8Array(16) })).toMatchObject({
      code: 'evidence.salt',
      message: expect.stringMatching(/^records\[0\] \(log entry 2\) has a salt of 16 bytes/),
    });
    expect(attempt({ proof: [new Uint8Array(31)] })).toMatchObject({
      code: 'evidence.proof',
      message: expect.stringMatching(/^records\[0\]\.proof\[0\]/),
    });
  });
});

describe('attacks on trust (docs/evidence-bundle.md, "Keys")', () => {
  const T2015 = 1425254400; // 2015-03-02T00:00:00Z
  /** The good bundle, with one more cosignature by an invented key that bears a real witness's name. */
  function backdated(rewritePolicy: boolean): Mutable<EvidenceBundle> {
    const b = copy();
    const invented = cosigner('witness.ituc.example', seed(0x66));
    b.checkpoint = addSignatures(b.checkpoint, [invented.signer(T2015)]);
    if (rewritePolicy) b.witnesses = { quorum: 1, verifierKeys: [invented.verifierKey] };
    return b;
  }

  it('a backdating cosignature by an unknown witness is ignored when the trust is pinned', () => {
    for (const rewrite of [false, true]) {
      const v = verifyEvidence(backdated(rewrite), { files, trust: pinnedTo(good.bundle) });
      expect(v.status).toBe('verified');
      // Dated by the trusted witnesses only, never 2015.
      expect(v.provenNoLaterThan).toBe(T1);
      expect(v.checkpoint.unknownSigners.map((u) => u.name)).toEqual(['witness.ituc.example']);
      expect(describeVerdict(v).join('\n')).toMatch(/unknown witness named witness\.ituc\.example/);
      expect(describeVerdict(v).join('\n')).not.toMatch(/2015/);
    }
  });

  it('a rewritten bundle policy with only the log key pinned is unconfirmed and undated', () => {
    const v = verifyEvidence(backdated(true), { files, trust: { log: good.bundle.log } });
    expect(v.ok).toBe(true);
    expect(v.status).toBe('unconfirmed');
    expect(v.provenNoLaterThan).toBeNull();
    expect(v.trust.map((m) => m.key)).toContain('trust.witnesses-from-bundle');
    expect(describeVerdict(v).join('\n')).not.toMatch(/2015|VERIFIED:/);
  });

  it('a policy that trusts only the invented witness fails under the pinned policy', () => {
    const b = backdated(true);
    // Strip the real cosignatures: only the invented one is left.
    const lines = b.checkpoint.split('\n');
    b.checkpoint = lines
      .filter((l) => !/^— witness\.(ilo|lawyers)\.example /.test(l))
      .filter((l, i, all) => !(l.startsWith('— witness.ituc.example ') && all.indexOf(l) !== i))
      .join('\n');
    const v = verifyEvidence(b, { files, trust: pinnedTo(good.bundle) });
    expect(v.status).not.toBe('verified');
    expect(v.provenNoLaterThan).not.toBe(T2015);
  });
});
