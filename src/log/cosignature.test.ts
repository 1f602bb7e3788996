import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseCheckpoint, signCheckpoint } from './checkpoint.js';
import {
  type CosignatureVerifier,
  checkCosignatures,
  cosignatureMessage,
  cosignatureTimestamp,
  cosignatureVerifier,
  cosignatureVerifierKey,
  cosigner,
  generateCosignerKey,
  parseCosignatureVerifierKey,
  parseCosignerKey,
  SIGNATURE_TYPE_COSIGNATURE_V1,
  witnessCosignatures,
} from './cosignature.js';
import { encodeBase64 } from './encoding.js';
import { FormatError, LimitError, TamgaError, VerificationError } from './errors.js';
import { leafHash } from './merkle.js';
import {
  addSignatures,
  decodeVerifierKey,
  ed25519Signer,
  ed25519Verifier,
  encodeVerifierKey,
  formatKeyId,
  generateSignerKey,
  openNote,
  parseNote,
  parseSignerKey,
  parseVerifierKey,
} from './note.js';

interface GoWitness {
  name: string;
  seedHex: string;
  verifierKey: string;
  keyId: string;
  timestamp: number;
}
interface GoVector {
  description: string;
  logSignerKey: string;
  logVerifierKey: string;
  body: string;
  witnesses: GoWitness[];
  note: string;
}
interface C2spNote {
  spec: string;
  description: string;
  msg: string;
  signatures: { name: string; keyId: string; length: number; timestamp?: number }[];
}

const vectors = (name: string): unknown =>
  JSON.parse(readFileSync(new URL(`../../test/vectors/${name}`, import.meta.url), 'utf8'));
const go = vectors('go-cosignature.json') as {
  vectors: GoVector[];
  tooLarge: { description: string; logVerifierKey: string; witness: GoWitness; note: string };
};
const c2sp = vectors('c2sp-examples.json') as {
  notes: C2spNote[];
  cosignatureMessages: {
    spec: string;
    description: string;
    timestamp: number;
    body: string;
    message: string;
  }[];
};

const utf8 = (s: string) => new TextEncoder().encode(s);
const fromHex = (s: string) => new Uint8Array(Buffer.from(s, 'hex'));

function thrown(fn: () => unknown): unknown {
  try {
    fn();
  } catch (e) {
    return e;
  }
  throw new Error('expected an error, but the call returned');
}

function expectCode<T extends TamgaError>(
  fn: () => unknown,
  cls: abstract new (...args: never[]) => T,
  code: string,
): T {
  const e = thrown(fn);
  expect(e).toBeInstanceOf(cls);
  expect((e as T).code).toBe(code);
  return e as T;
}

/** Every proper substring and every one-byte increment of an ASCII key string. */
function manglings(key: string): string[] {
  const out: string[] = [];
  for (let i = 0; i <= key.length; i++) {
    for (let j = i + 1; j <= key.length; j++) {
      if (i !== 0 || j !== key.length) out.push(key.slice(i, j));
    }
  }
  for (let i = 0; i < key.length; i++) {
    out.push(key.slice(0, i) + String.fromCharCode(key.charCodeAt(i) + 1) + key.slice(i + 1));
  }
  return out;
}

describe('Go cosignature vectors (go-cosignature.json)', () => {
  for (const v of go.vectors) {
    it(v.description, () => {
      const logV = parseVerifierKey(v.logVerifierKey);
      const witnesses = v.witnesses.map((w) => parseCosignatureVerifierKey(w.verifierKey));
      const result = checkCosignatures(v.note, logV, witnesses, witnesses.length);
      expect(result.checkpoint).toEqual(parseCheckpoint(v.body));
      expect(result.cosignatures).toEqual(
        v.witnesses.map((w) => ({
          name: w.name,
          keyId: Number.parseInt(w.keyId, 16),
          timestamp: w.timestamp,
        })),
      );

      // Tamga writes the same bytes: Ed25519 signatures are deterministic.
      let msg = signCheckpoint(parseCheckpoint(v.body), parseSignerKey(v.logSignerKey));
      for (const w of v.witnesses) {
        const c = cosigner(w.name, fromHex(w.seedHex));
        expect(c.verifierKey).toBe(w.verifierKey);
        expect(formatKeyId(c.keyId)).toBe(w.keyId);
        msg = addSignatures(msg, [c.signer(w.timestamp)]);
      }
      expect(msg).toBe(v.note);
    });
  }

  it(go.tooLarge.description, () => {
    const w = go.tooLarge.witness;
    expectCode(
      () =>
        checkCosignatures(
          go.tooLarge.note,
          parseVerifierKey(go.tooLarge.logVerifierKey),
          [parseCosignatureVerifierKey(w.verifierKey)],
          1,
        ),
      LimitError,
      'cosignature.timestamp-too-large',
    );
    expectCode(
      () => cosigner(w.name, fromHex(w.seedHex)).signer(2 ** 53),
      LimitError,
      'uint.range',
    );
  });
});

describe('C2SP tlog-cosignature examples', () => {
  for (const v of c2sp.cosignatureMessages) {
    it(`${v.spec}: ${v.description}`, () => {
      const expected = utf8(v.message);
      expect(cosignatureMessage(v.body, v.timestamp)).toEqual(expected);
      expect(cosignatureMessage(utf8(v.body), v.timestamp)).toEqual(expected);
    });
  }
  for (const v of c2sp.notes.filter((n) => n.signatures.some((s) => s.timestamp !== undefined))) {
    it(`${v.spec}: ${v.description}`, () => {
      const sigs = parseNote(v.msg).signatures;
      for (const [i, s] of v.signatures.entries()) {
        if (s.timestamp !== undefined) {
          expect(cosignatureTimestamp(sigs[i]!.signature)).toBe(s.timestamp);
        }
      }
      // Without the keys, which the spec does not publish, the policy check refuses it.
      const stranger = ed25519Signer('example.com/behind-the-sofa', new Uint8Array(32).fill(1));
      const witness = cosignatureVerifier('witness.example.com/w1', new Uint8Array(32).fill(2));
      expect(formatKeyId(witness.keyId)).not.toBe('8d66cf3f');
      expectCode(
        () =>
          checkCosignatures(
            v.msg,
            ed25519Verifier(stranger.name, stranger.publicKey),
            [witness],
            1,
          ),
        VerificationError,
        'checkpoint.no-log-signature',
      );
    });
  }
});

// ---------------------------------------------------------------------------------------------

const log = ed25519Signer('tamga.example/union-7', new Uint8Array(32).fill(0x11));
const logV = ed25519Verifier(log.name, log.publicKey);
const body = { origin: log.name, size: 4096, root: leafHash(utf8('seizure record')) };
const signed = signCheckpoint(body, log);
const ws = [1, 2, 3, 4].map((i) => cosigner(`witness${i}.example/w`, new Uint8Array(32).fill(i)));
const wvs = ws.map((w) => cosignatureVerifier(w.name, w.publicKey));
const T = 1_700_000_000;

function cosign(msg: string, indexes: number[], t = T): string {
  return addSignatures(
    msg,
    indexes.map((i) => ws[i]!.signer(t + i)),
  );
}

describe('checkCosignatures', () => {
  it('accepts K of N witnesses and reports each timestamp', () => {
    const msg = cosign(signed, [0, 2]);
    const r = checkCosignatures(msg, logV, wvs, 2);
    expect(r.cosignatures).toEqual([
      { name: ws[0]!.name, keyId: ws[0]!.keyId, timestamp: T },
      { name: ws[2]!.name, keyId: ws[2]!.keyId, timestamp: T + 2 },
    ]);
    expect(r.checkpoint.size).toBe(4096);
    expect(r.note.verified).toHaveLength(3);
    expect(checkCosignatures(utf8(msg), logV, wvs, 1).cosignatures).toHaveLength(2);
  });

  it('refuses fewer than K, with the checkpoint and the cosignatures found as evidence', () => {
    const msg = cosign(signed, [0, 2]);
    const e = expectCode(
      () => checkCosignatures(msg, logV, wvs, 3),
      VerificationError,
      'cosignature.below-quorum',
    );
    expect(e.evidence.quorum).toBe(3);
    expect(e.evidence.text).toBe(parseNote(msg).text);
    expect((e.evidence.cosignatures as unknown[]).length).toBe(2);
    expect(e.evidence.checkpoint).toEqual(parseCheckpoint(parseNote(msg).text));
  });

  it('counts only witnesses in the list; others stay unverified', () => {
    const msg = cosign(signed, [0, 1, 3]);
    const r = checkCosignatures(msg, logV, [wvs[0]!, wvs[1]!], 2);
    expect(r.cosignatures.map((c) => c.name)).toEqual([ws[0]!.name, ws[1]!.name]);
    expect(r.note.unverified.map((s) => s.name)).toEqual([ws[3]!.name]);
    expectCode(
      () => checkCosignatures(msg, logV, [wvs[2]!], 1),
      VerificationError,
      'cosignature.below-quorum',
    );
  });

  it('accepts a quorum of 0 with the log signature alone', () => {
    expect(checkCosignatures(signed, logV, wvs, 0).cosignatures).toEqual([]);
    expect(checkCosignatures(signed, logV, [], 0).cosignatures).toEqual([]);
  });

  it('refuses a checkpoint without the log signature, however many witnesses cosigned', () => {
    const other = ed25519Signer('tamga.example/union-7', new Uint8Array(32).fill(0x99));
    const forged = cosign(signCheckpoint(body, other), [0, 1, 2]);
    expectCode(
      () => checkCosignatures(forged, logV, wvs, 1),
      VerificationError,
      'checkpoint.no-log-signature',
    );
  });

  it('refuses a bad cosignature by a listed witness, as Go rejects the whole note', () => {
    const msg = cosign(signed, [0, 1]);
    const lines = msg.split('\n');
    // Change one byte of the last (witness 2) signature, keeping its key ID and timestamp.
    const last = lines.length - 2;
    const [dash, name, sig] = lines[last]!.split(' ') as [string, string, string];
    const raw = Buffer.from(sig, 'base64');
    raw[40]! ^= 1;
    lines[last] = `${dash} ${name} ${raw.toString('base64')}`;
    const e = expectCode(
      () => checkCosignatures(lines.join('\n'), logV, wvs, 1),
      VerificationError,
      'note.bad-signature',
    );
    expect(e.evidence.name).toBe(ws[1]!.name);
  });

  it('refuses a cosignature whose timestamp was changed', () => {
    const msg = cosign(signed, [0]);
    const lines = msg.split('\n');
    const i = lines.length - 2;
    const [dash, name, sig] = lines[i]!.split(' ') as [string, string, string];
    const raw = Buffer.from(sig, 'base64');
    raw[4 + 7]! ^= 1;
    lines[i] = `${dash} ${name} ${raw.toString('base64')}`;
    expectCode(
      () => checkCosignatures(lines.join('\n'), logV, wvs, 1),
      VerificationError,
      'note.bad-signature',
    );
  });

  it('covers extension lines, and refuses another origin', () => {
    const ext = signCheckpoint({ ...body, extensions: ['note: seized 2025-03-01'] }, log);
    const msg = cosign(ext, [0]);
    expect(checkCosignatures(msg, logV, wvs, 1).checkpoint.extensions).toEqual([
      'note: seized 2025-03-01',
    ]);
    const tampered = msg.replace('seized 2025-03-01', 'seized 2025-03-02');
    expectCode(
      () => checkCosignatures(tampered, logV, wvs, 0),
      VerificationError,
      'note.bad-signature',
    );
    expectCode(
      () => checkCosignatures(msg, logV, wvs, 1, { origin: 'another.example/log' }),
      VerificationError,
      'checkpoint.wrong-origin',
    );
  });

  it('refuses policies that cannot be met or would count a witness twice', () => {
    expectCode(
      () => checkCosignatures(signed, logV, wvs, 5),
      LimitError,
      'cosignature.quorum-unreachable',
    );
    for (const q of [-1, 1.5, Number.NaN]) {
      expectCode(() => checkCosignatures(signed, logV, wvs, q), LimitError, 'uint.range');
    }
    // The Ed25519 cosignature message does not name the witness: one key under two names
    // would produce two lines from one signer.
    const alias = cosignatureVerifier('alias.example/w', ws[0]!.publicKey);
    expectCode(
      () => checkCosignatures(signed, logV, [wvs[0]!, alias], 1),
      FormatError,
      'cosignature.duplicate-witness',
    );
  });

  it('does not take a plain Ed25519 signature by a witness key for a cosignature', () => {
    const plain = ed25519Signer(ws[0]!.name, new Uint8Array(32).fill(1));
    expect(plain.publicKey).toEqual(ws[0]!.publicKey);
    expect(plain.keyId).not.toBe(ws[0]!.keyId);
    const msg = addSignatures(signed, [plain]);
    const r = checkCosignatures(msg, logV, wvs, 0);
    expect(r.cosignatures).toEqual([]);
    expect(r.note.unverified).toHaveLength(1);
  });

  it('does not let a cosignature pass as a plain note signature', () => {
    const msg = cosign(signed, [0]);
    // A note verifier under the witness name and key, but with key type 0x01.
    const asPlain = ed25519Verifier(ws[0]!.name, ws[0]!.publicKey);
    expect(openNote(msg, [logV, asPlain]).unverified).toHaveLength(1);
    // Forced to the cosignature's key ID, it fails to verify.
    const forced = { ...asPlain, keyId: ws[0]!.keyId };
    expectCode(() => openNote(msg, [logV, forced]), VerificationError, 'note.bad-signature');
  });
});

describe('cosigner', () => {
  it('refuses to cosign text that is not a checkpoint', () => {
    const s = ws[0]!.signer(T);
    expectCode(() => s.sign(utf8('hello\n')), FormatError, 'checkpoint.too-few-lines');
    expectCode(() => s.sign(new Uint8Array([0xff, 0x0a])), FormatError, 'utf8.invalid');
    expectCode(() => s.sign(utf8('o\n01\nAAAA\n')), FormatError, 'decimal.syntax');
  });

  it('refuses timestamps it cannot write', () => {
    for (const t of [-1, 1.5, 2 ** 53, Number.POSITIVE_INFINITY]) {
      expectCode(() => ws[0]!.signer(t), LimitError, 'uint.range');
      expectCode(() => cosignatureMessage('o\n1\nx\n', t), LimitError, 'uint.range');
    }
  });

  it('writes the timestamp big-endian in the first 8 bytes', () => {
    const text = parseNote(signed).text;
    for (const t of [0, 1, 255, 256, 2 ** 32 - 1, 2 ** 32, 1679315147, Number.MAX_SAFE_INTEGER]) {
      const sig = ws[0]!.signer(t).sign(utf8(text));
      expect(sig.length).toBe(72);
      expect(Buffer.from(sig.subarray(0, 8)).readBigUInt64BE()).toBe(BigInt(t));
      expect(cosignatureTimestamp(sig)).toBe(t);
      expect(wvs[0]!.verify(utf8(text), sig)).toBe(true);
    }
  });
});

describe('cosignatureTimestamp', () => {
  it('refuses signatures that are not 72 bytes', () => {
    for (const n of [0, 8, 64, 71, 73]) {
      expectCode(() => cosignatureTimestamp(new Uint8Array(n)), FormatError, 'cosignature.length');
    }
  });

  it('refuses timestamps above 2^53 − 1, up to 2^64 − 1', () => {
    const sig = new Uint8Array(72);
    sig.set([0x00, 0x1f, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff]);
    expect(cosignatureTimestamp(sig)).toBe(Number.MAX_SAFE_INTEGER);
    for (const top of [
      [0x00, 0x20, 0, 0, 0, 0, 0, 0],
      [0x7f, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff],
      [0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff],
    ]) {
      sig.set(top);
      expectCode(() => cosignatureTimestamp(sig), LimitError, 'cosignature.timestamp-too-large');
      // A verifier refuses it the same way rather than calling it a bad signature.
      expectCode(
        () => wvs[0]!.verify(utf8('o\n1\nx\n'), sig),
        LimitError,
        'cosignature.timestamp-too-large',
      );
    }
  });

  it('returns false, not an error, for a signature of the wrong length', () => {
    expect(wvs[0]!.verify(utf8('o\n1\nx\n'), new Uint8Array(64))).toBe(false);
  });
});

describe('witness key strings', () => {
  it('round-trips signer and verifier keys of type 0x04', () => {
    const seed = new Uint8Array(32).fill(0x42);
    const skey = generateCosignerKey('witness.example/w9', seed);
    expect(skey).toMatch(/^PRIVATE\+KEY\+witness\.example\/w9\+[0-9a-f]{8}\+BE/);
    const c = parseCosignerKey(skey);
    const v = parseCosignatureVerifierKey(c.verifierKey);
    expect(v.keyId).toBe(c.keyId);
    expect(v.publicKey).toEqual(c.publicKey);
    expect(decodeVerifierKey(c.verifierKey).type).toBe(SIGNATURE_TYPE_COSIGNATURE_V1);
    expect(cosignatureVerifierKey(c.name, c.publicKey)).toBe(c.verifierKey);
  });

  it('accepts plain Ed25519 keys (type 0x01) for witnesses, with the 0x04 key ID', () => {
    const seed = new Uint8Array(32).fill(0x43);
    const skey = generateSignerKey('witness.example/w8', seed);
    const c = parseCosignerKey(skey);
    expect(c.keyId).toBe(cosigner('witness.example/w8', seed).keyId);
    const plain = parseSignerKey(skey);
    expect(c.keyId).not.toBe(plain.keyId);
    const v = parseCosignatureVerifierKey(plain.verifierKey);
    expect(v.keyId).toBe(c.keyId);
  });

  it('refuses a witness key in the plain note verifier, as Go does for unknown types', () => {
    expectCode(() => parseVerifierKey(ws[0]!.verifierKey), FormatError, 'key.unknown-type');
  });

  it('refuses each kind of bad witness key', () => {
    const pub = ws[0]!.publicKey;
    const name = ws[0]!.name;
    const good = ws[0]!.verifierKey;
    const cases: [string, string][] = [
      [good.replace(formatKeyId(ws[0]!.keyId), '00000000'), 'key.wrong-hash'],
      [encodeVerifierKey(name, 0x02, pub), 'key.unknown-type'],
      [encodeVerifierKey(name, 0x06, pub), 'key.unknown-type'],
      [encodeVerifierKey(name, 0x04, pub.subarray(1)), 'key.wrong-length'],
      [`${name}+${formatKeyId(ws[0]!.keyId)}`, 'key.malformed'],
    ];
    for (const [vkey, code] of cases) {
      expectCode(() => parseCosignatureVerifierKey(vkey), FormatError, code);
    }
    // A 0x04 key ID presented with a 0x01 key is a wrong hash, not a conversion.
    const typed = encodeBase64(new Uint8Array([1, ...pub]));
    expectCode(
      () => parseCosignatureVerifierKey(`${name}+${formatKeyId(ws[0]!.keyId)}+${typed}`),
      FormatError,
      'key.wrong-hash',
    );
    for (const k of manglings(good)) {
      const e = thrown(() => parseCosignatureVerifierKey(k));
      expect(e).toBeInstanceOf(FormatError);
    }
  });

  it('refuses bad witness signer keys', () => {
    const seed = new Uint8Array(32).fill(0x44);
    const skey = generateCosignerKey('w.example', seed);
    const [, , name, id] = skey.split('+');
    expectCode(
      () => parseCosignerKey(skey.replace(id!, '00000000')),
      FormatError,
      'key.wrong-hash',
    );
    expectCode(
      () =>
        parseCosignerKey(`PRIVATE+KEY+${name}+${id}+${encodeBase64(new Uint8Array([3, ...seed]))}`),
      FormatError,
      'key.unknown-type',
    );
    expectCode(
      () =>
        parseCosignerKey(
          `PRIVATE+KEY+${name}+${id}+${encodeBase64(new Uint8Array([4, ...seed, 1]))}`,
        ),
      FormatError,
      'key.wrong-length',
    );
    expectCode(() => generateCosignerKey('bad name', seed), FormatError, 'key.bad-name');
    expectCode(() => cosigner('w', seed.subarray(1)), FormatError, 'key.wrong-length');
    expectCode(() => cosignatureVerifier('w', seed.subarray(1)), FormatError, 'key.wrong-length');
  });
});

// ---------------------------------------------------------------------------------------------

describe('properties', () => {
  const verifiers: CosignatureVerifier[] = wvs;

  it('a cosignature at any representable time verifies and reports that time', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: Number.MAX_SAFE_INTEGER }), fc.nat(3), (t, i) => {
        const msg = addSignatures(signed, [ws[i]!.signer(t)]);
        const r = checkCosignatures(msg, logV, verifiers, 1);
        expect(r.cosignatures).toEqual([{ name: ws[i]!.name, keyId: ws[i]!.keyId, timestamp: t }]);
        expect(witnessCosignatures(r.note, verifiers)).toEqual(r.cosignatures);
      }),
      { numRuns: 50 },
    );
  });

  it('flipping any bit of a cosigned checkpoint makes the policy check fail', () => {
    const msg = utf8(cosign(signed, [0, 1]));
    fc.assert(
      fc.property(fc.nat(msg.length - 1), fc.nat(7), (at, bit) => {
        const bytes = msg.slice();
        bytes[at]! ^= 1 << bit;
        expect(thrown(() => checkCosignatures(bytes, logV, verifiers, 2))).toBeInstanceOf(
          TamgaError,
        );
      }),
      { numRuns: 400 },
    );
  });

  it('flipping any bit of a cosignature, timestamp included, makes it fail to verify', () => {
    const text = utf8(parseNote(signed).text);
    const sig = ws[0]!.signer(T).sign(text);
    fc.assert(
      fc.property(fc.nat(71), fc.nat(7), (at, bit) => {
        const bad = sig.slice();
        bad[at]! ^= 1 << bit;
        let ok: boolean;
        try {
          ok = verifiers[0]!.verify(text, bad);
        } catch (e) {
          expect(e).toBeInstanceOf(LimitError);
          ok = false;
        }
        expect(ok).toBe(false);
      }),
      { numRuns: 300 },
    );
  });
});
