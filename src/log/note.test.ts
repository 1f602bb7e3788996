import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { encodeBase64 } from './encoding.js';
import { FormatError, LimitError, TamgaError, VerificationError } from './errors.js';
import {
  addSignatures,
  computeKeyId,
  decodeVerifierKey,
  ed25519Signer,
  ed25519Verifier,
  ed25519VerifierKey,
  encodeVerifierKey,
  formatKeyId,
  formatNote,
  generateSignerKey,
  isValidKeyName,
  MAX_SIGNATURES,
  type NoteSignature,
  openNote,
  parseNote,
  parseSignerKey,
  parseVerifierKey,
  type Signer,
  signNote,
  verifierKeyFromSigner,
} from './note.js';

// ---------------------------------------------------------------------------------------------
// Vector files

interface KeyVector {
  from: string;
  description: string;
  key: string;
  goError: string | null;
  name?: string;
  keyId?: string;
  verifierKey?: string;
  mangle?: boolean;
  error?: string;
}
interface SigVector {
  name: string;
  keyId: string;
  base64: string;
}
interface OpenVector {
  from: string;
  description: string;
  msg?: string;
  msgBase64?: string;
  verifierKeys: string[];
  goError: string | null;
  expect?: { text: string; verified: SigVector[]; unverified: SigVector[] };
  error?: string;
  unverified?: SigVector[];
}
interface SignVector {
  from: string;
  description: string;
  text: string;
  existing?: string;
  existingVerifierKeys?: string[];
  signerKeys: string[];
  note: string;
}
interface XModVectors {
  verifierKeys: KeyVector[];
  signerKeys: KeyVector[];
  sign: SignVector[];
  open: OpenVector[];
  zeroSeedPublicKey: string;
}
interface C2spNote {
  spec: string;
  url: string;
  description: string;
  msg: string;
  text: string;
  signatures: { name: string; keyId: string; length: number; timestamp?: number }[];
}

const vectors = (name: string): unknown =>
  JSON.parse(readFileSync(new URL(`../../test/vectors/${name}`, import.meta.url), 'utf8'));
const xmod = vectors('x-mod-note.json') as XModVectors;
const c2sp = vectors('c2sp-examples.json') as { notes: C2spNote[] };

const utf8 = (s: string) => new TextEncoder().encode(s);
const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');
const fromHex = (s: string) => new Uint8Array(Buffer.from(s, 'hex'));

/** Returns the error `fn` throws, failing the test when it returns. */
function thrown(fn: () => unknown): unknown {
  try {
    fn();
  } catch (e) {
    return e;
  }
  throw new Error('expected an error, but the call returned');
}

/** Asserts that `fn` throws a TamgaError of class `cls` with `code`, and returns it. */
function expectCode<T extends TamgaError>(
  fn: () => unknown,
  cls: abstract new (...args: never[]) => T,
  code: string,
): T {
  const e = thrown(fn);
  expect(e).toBeInstanceOf(cls);
  expect((e as T).code).toBe(code);
  expect((e as T).message.length).toBeGreaterThan(10);
  return e as T;
}

function wire(s: NoteSignature): SigVector {
  const id = fromHex(formatKeyId(s.keyId));
  return {
    name: s.name,
    keyId: formatKeyId(s.keyId),
    base64: encodeBase64(new Uint8Array([...id, ...s.signature])),
  };
}

/** Every proper substring and every one-byte increment of `key`, as Go's key tests try. */
function manglings(key: string): string[] {
  const b = utf8(key);
  const out: string[] = [];
  const dec = new TextDecoder();
  for (let i = 0; i <= b.length; i++) {
    for (let j = i + 1; j <= b.length; j++) {
      if (i !== 0 || j !== b.length) out.push(dec.decode(b.subarray(i, j)));
    }
  }
  for (let i = 0; i < b.length; i++) {
    const c = b.slice();
    c[i] = (c[i]! + 1) & 0xff;
    out.push(dec.decode(c));
  }
  return out;
}

const PETER_VKEY = 'PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW';
const PETER_SKEY = 'PRIVATE+KEY+PeterNeumann+c74f20a3+AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz';
const TEXT =
  'If you think cryptography is the answer to your problem,\n' +
  "then you don't know what your problem is.\n";

// ---------------------------------------------------------------------------------------------

describe('x/mod verifier key vectors', () => {
  for (const v of xmod.verifierKeys) {
    it(`${v.from}: ${v.description}`, () => {
      if (v.goError === null) {
        const verifier = parseVerifierKey(v.key);
        expect(verifier.name).toBe(v.name);
        expect(formatKeyId(verifier.keyId)).toBe(v.keyId);
        expect(ed25519VerifierKey(verifier.name, verifier.publicKey)).toBe(v.key);
      } else {
        expectCode(() => parseVerifierKey(v.key), FormatError, v.error!);
      }
    });
    if (v.mangle) {
      it(`${v.from}: rejects every substring and one-byte increment of ${v.key}`, () => {
        const bad = manglings(v.key);
        expect(bad.length).toBeGreaterThan(2000);
        for (const k of bad) {
          const e = thrown(() => parseVerifierKey(k));
          expect(e, k).toBeInstanceOf(FormatError);
          expect((e as FormatError).code, k).toMatch(/^key\./);
        }
      });
    }
  }
});

describe('x/mod signer key vectors', () => {
  for (const v of xmod.signerKeys) {
    it(`${v.from}: ${v.description}`, () => {
      const signer = parseSignerKey(v.key);
      expect(signer.name).toBe(v.name);
      expect(formatKeyId(signer.keyId)).toBe(v.keyId);
      expect(signer.verifierKey).toBe(v.verifierKey);
      expect(verifierKeyFromSigner(v.key)).toBe(v.verifierKey);
    });
    if (v.mangle) {
      it(`${v.from}: rejects every substring and one-byte increment of the signer key`, () => {
        for (const k of manglings(v.key)) {
          const e = thrown(() => parseSignerKey(k));
          expect(e).toBeInstanceOf(FormatError);
          expect((e as FormatError).code).toMatch(/^key\./);
          // A mangled private key must never be echoed into an error message.
          expect((e as FormatError).message).not.toContain('AYEKFALVFGyNhPJE');
        }
      });
    }
  }

  it('example_test.go: generateSignerKey with a zero seed gives the EnochRoot key', () => {
    const zero = xmod.signerKeys.find((v) => v.description.includes('zero'))!;
    expect(generateSignerKey('EnochRoot', new Uint8Array(32))).toBe(zero.key);
    expect(hex(parseSignerKey(zero.key).publicKey)).toBe(xmod.zeroSeedPublicKey);
  });
});

describe('x/mod sign vectors', () => {
  for (const v of xmod.sign) {
    it(`${v.from}: ${v.description}`, () => {
      const signers = v.signerKeys.map(parseSignerKey);
      if (v.existing === undefined) {
        expect(signNote(v.text, signers)).toBe(v.note);
        return;
      }
      const opened = openNote(v.existing, v.existingVerifierKeys!.map(parseVerifierKey));
      const signatures = [...opened.verified, ...opened.unverified];
      expect(signNote({ text: opened.text, signatures }, signers)).toBe(v.note);
      expect(addSignatures(v.existing, signers)).toBe(v.note);
    });
  }
});

describe('x/mod open vectors', () => {
  for (const v of xmod.open) {
    it(`${v.from}: ${v.description}`, () => {
      const verifiers = v.verifierKeys.map(parseVerifierKey);
      const inputs: (string | Uint8Array)[] =
        v.msgBase64 !== undefined
          ? [new Uint8Array(Buffer.from(v.msgBase64, 'base64'))]
          : [v.msg!, utf8(v.msg!)];
      for (const msg of inputs) {
        if (v.expect !== undefined) {
          const n = openNote(msg, verifiers);
          expect(n.text).toBe(v.expect.text);
          expect(n.verified.map(wire)).toEqual(v.expect.verified);
          expect(n.unverified.map(wire)).toEqual(v.expect.unverified);
          continue;
        }
        const code = v.error!;
        const cls = code.startsWith('note.too-many')
          ? LimitError
          : [
                'note.bad-signature',
                'note.ambiguous-verifier',
                'note.no-verified-signature',
              ].includes(code)
            ? VerificationError
            : FormatError;
        const e = expectCode(() => openNote(msg, verifiers), cls, code);
        if (v.unverified !== undefined) {
          const evidence = (e as VerificationError).evidence;
          expect((evidence.unverified as NoteSignature[]).map(wire)).toEqual(v.unverified);
          expect(evidence.text).toBe(TEXT);
        }
      }
    });
  }
});

describe('C2SP signed-note examples', () => {
  for (const v of c2sp.notes) {
    it(`${v.spec}: ${v.description}`, () => {
      const note = parseNote(v.msg);
      expect(note.text).toBe(v.text);
      expect(
        note.signatures.map((s) => ({
          name: s.name,
          keyId: formatKeyId(s.keyId),
          length: s.signature.length,
        })),
      ).toEqual(v.signatures.map(({ name, keyId, length }) => ({ name, keyId, length })));
      // Byte-exact round trip.
      expect(formatNote(note)).toBe(v.msg);
      expect(parseNote(utf8(v.msg))).toEqual(note);

      // The keys are not published: with none known, the note must be refused, its
      // signatures handed back as unverified evidence.
      const e = expectCode(
        () => openNote(v.msg, []),
        VerificationError,
        'note.no-verified-signature',
      );
      expect(e.evidence.unverified).toEqual(note.signatures);

      // A key with the same name but another key ID is not the signer: still unverified.
      const impostor = ed25519Signer(v.signatures[0]!.name, new Uint8Array(32).fill(7));
      expect(impostor.keyId).not.toBe(note.signatures[0]!.keyId);
      expectCode(
        () => openNote(v.msg, [impostor as never]),
        VerificationError,
        'note.no-verified-signature',
      );
    });
  }
});

// ---------------------------------------------------------------------------------------------

const peter = parseSignerKey(PETER_SKEY);
const peterV = parseVerifierKey(PETER_VKEY);
const signed = signNote(TEXT, [peter]);
const peterLine = signed.slice(TEXT.length + 1);

describe('signNote', () => {
  it('refuses text without a final newline (Go: "abc")', () => {
    expectCode(() => signNote('abc', [peter]), FormatError, 'note.text-unterminated');
    expectCode(() => signNote('', [peter]), FormatError, 'note.text-unterminated');
  });

  it('refuses text that openNote would refuse', () => {
    expectCode(() => signNote('a\rb\n', [peter]), FormatError, 'note.control-character');
    expectCode(() => signNote('a\u0000\n', [peter]), FormatError, 'note.control-character');
    expectCode(() => signNote('a\ud800\n', [peter]), FormatError, 'utf8.invalid');
  });

  it('signs text that is only a newline, or that holds empty lines', () => {
    for (const text of ['\n', 'a\n\nb\n', 'a\n\n\n']) {
      const n = openNote(signNote(text, [peter]), [peterV]);
      expect(n.text).toBe(text);
    }
  });

  it('refuses an existing signature with an invalid name (Go: "a+b")', () => {
    const bad = { name: 'a+b', keyId: 0, signature: Uint8Array.of(1) };
    expectCode(
      () => signNote({ text: TEXT, signatures: [bad] }, []),
      FormatError,
      'note.bad-key-name',
    );
  });

  it('refuses a signer with an invalid name (Go: badSigner)', () => {
    const bad: Signer = { name: 'bad name', keyId: peter.keyId, sign: (m) => peter.sign(m) };
    expectCode(() => signNote(TEXT, [bad]), FormatError, 'note.bad-signer');
  });

  it('passes on the error of a failing signer (Go: errSigner)', () => {
    const surprise = new Error('surprise!');
    const failing: Signer = {
      name: peter.name,
      keyId: peter.keyId,
      sign: () => {
        throw surprise;
      },
    };
    expect(thrown(() => signNote(TEXT, [failing]))).toBe(surprise);
  });

  it('refuses a signer that returns no signature, or a key ID that is not a uint32', () => {
    const empty: Signer = { name: 'x', keyId: 1, sign: () => new Uint8Array(0) };
    expectCode(() => signNote(TEXT, [empty]), FormatError, 'note.bad-signer');
    for (const keyId of [-1, 2 ** 32, 1.5, Number.NaN]) {
      const odd: Signer = { name: 'x', keyId, sign: () => Uint8Array.of(1) };
      expectCode(() => signNote(TEXT, [odd]), FormatError, 'note.bad-key-id');
    }
  });

  it('refuses two signers with one key, which would write two lines for it', () => {
    expectCode(() => signNote(TEXT, [peter, peter]), FormatError, 'note.duplicate-signer');
  });

  it('never writes more than 100 signatures', () => {
    const signers = Array.from({ length: 101 }, (_, i) =>
      ed25519Signer(`s${i}`, new Uint8Array(32).fill(i)),
    );
    expectCode(() => signNote(TEXT, signers), LimitError, 'note.too-many-signatures');
    const hundred = signNote(TEXT, signers.slice(0, 100));
    expect(
      openNote(
        hundred,
        signers.slice(0, 100).map((s) => ed25519Verifier(s.name, s.publicKey)),
      ).verified,
    ).toHaveLength(100);
    expectCode(
      () => addSignatures(hundred, [signers[100]!]),
      LimitError,
      'note.too-many-signatures',
    );
  });

  it('puts existing signatures first and replaces those by a new signer', () => {
    const other = ed25519Signer('other.example/key', new Uint8Array(32).fill(9));
    const both = signNote(TEXT, [peter, other]);
    const again = addSignatures(both, [peter]);
    const lines = again.slice(TEXT.length + 1).split('\n');
    expect(lines[0]).toMatch(/^— other\.example\/key /);
    expect(lines[1]).toBe(peterLine.slice(0, -1));
    expect(lines).toHaveLength(3);
  });
});

describe('openNote, following Go', () => {
  it('verifies only the first signature of a known key and drops the rest unchecked', () => {
    const garbage = `— PeterNeumann ${encodeBase64(Uint8Array.of(0xc7, 0x4f, 0x20, 0xa3, 1, 2, 3))}\n`;
    const n = openNote(`${signed}${garbage}`, [peterV]);
    expect(n.verified).toHaveLength(1);
    expect(n.unverified).toHaveLength(0);
    // ... but a bad first signature by a known key rejects the note, whatever follows.
    expectCode(
      () => openNote(`${TEXT}\n${garbage}${peterLine}`, [peterV]),
      VerificationError,
      'note.bad-signature',
    );
  });

  it('keeps distinct signatures by the same unknown key, and identical lines once', () => {
    const a = `— unknown.example ${encodeBase64(Uint8Array.of(0, 0, 0, 1, 1))}\n`;
    const b = `— unknown.example ${encodeBase64(Uint8Array.of(0, 0, 0, 1, 2))}\n`;
    const n = openNote(`${signed}${a}${b}${a}${b}`, [peterV]);
    expect(n.unverified.map((s) => [...s.signature])).toEqual([[1], [2]]);
  });

  it('gives the failing signature and the text as evidence', () => {
    const tampered = signed.replace('problem,', 'problem;');
    const e = expectCode(
      () => openNote(tampered, [peterV]),
      VerificationError,
      'note.bad-signature',
    );
    expect(e.evidence.name).toBe('PeterNeumann');
    expect(e.evidence.keyId).toBe(0xc74f20a3);
    expect(e.evidence.text).toBe(TEXT.replace('problem,', 'problem;'));
    expect(e.evidence.signature).toBeInstanceOf(Uint8Array);
  });

  it('lets other verifiers plug in (a verifier that throws a typed error)', () => {
    const refusing = {
      name: peter.name,
      keyId: peter.keyId,
      verify: (): boolean => {
        throw new LimitError('test.refused', 'this verifier refuses every signature');
      },
    };
    expectCode(() => openNote(signed, [refusing]), LimitError, 'test.refused');
  });
});

describe('malformed notes', () => {
  const sig = peterLine.slice('— PeterNeumann '.length, -1);
  const cases: [string, string | Uint8Array, abstract new (...a: never[]) => TamgaError, string][] =
    [
      ['empty input', '', FormatError, 'note.no-signatures'],
      ['no blank line', `${TEXT}${peterLine}`, FormatError, 'note.no-signatures'],
      ['CRLF line endings', signed.replaceAll('\n', '\r\n'), FormatError, 'note.control-character'],
      ['a tab in the text', `a\tb\n\n${peterLine}`, FormatError, 'note.control-character'],
      [
        'a NUL in a signature line',
        `${TEXT}\n— PeterNeumann\u0000 ${sig}\n`,
        FormatError,
        'note.control-character',
      ],
      [
        'an ASCII hyphen instead of the em dash',
        `${TEXT}\n- PeterNeumann ${sig}\n`,
        FormatError,
        'note.bad-signature-line',
      ],
      [
        'an en dash instead of the em dash',
        `${TEXT}\n– PeterNeumann ${sig}\n`,
        FormatError,
        'note.bad-signature-line',
      ],
      [
        'no space after the em dash',
        `${TEXT}\n—PeterNeumann ${sig}\n`,
        FormatError,
        'note.bad-signature-line',
      ],
      [
        'a signature line without signature',
        `${TEXT}\n— PeterNeumann\n`,
        FormatError,
        'note.bad-signature-line',
      ],
      [
        'a name with a plus sign',
        `${TEXT}\n— Peter+Neumann ${sig}\n`,
        FormatError,
        'note.bad-key-name',
      ],
      ['an empty name', `${TEXT}\n—  ${sig}\n`, FormatError, 'note.bad-key-name'],
      [
        'a name with a no-break space',
        `${TEXT}\n— Peter\u00a0Neumann ${sig}\n`,
        FormatError,
        'note.bad-key-name',
      ],
      [
        'two spaces before the signature',
        `${TEXT}\n— PeterNeumann  ${sig}\n`,
        FormatError,
        'base64.length',
      ],
      [
        'a space after the signature',
        `${TEXT}\n— PeterNeumann ${sig} \n`,
        FormatError,
        'base64.length',
      ],
      [
        'base64 outside the alphabet',
        `${TEXT}\n— PeterNeumann ${sig.replace('/', '_')}\n`,
        FormatError,
        'base64.character',
      ],
      [
        'base64 without padding',
        `${TEXT}\n— PeterNeumann ${sig.slice(0, -1)}\n`,
        FormatError,
        'base64.length',
      ],
      [
        'base64 with non-zero bits before the padding',
        `${TEXT}\n— PeterNeumann ${sig.slice(0, -2)}N=\n`,
        FormatError,
        'base64.padding',
      ],
      [
        'a signature of only a key ID',
        `${TEXT}\n— PeterNeumann x08gow==\n`,
        FormatError,
        'note.short-signature',
      ],
      [
        'a signature shorter than a key ID',
        `${TEXT}\n— PeterNeumann x08g\n`,
        FormatError,
        'note.short-signature',
      ],
      ['a lone surrogate', `\ud800${signed}`, FormatError, 'utf8.invalid'],
      ['invalid UTF-8 bytes', new Uint8Array([0xff, ...utf8(signed)]), FormatError, 'utf8.invalid'],
      [
        'an overlong UTF-8 encoding of "/"',
        new Uint8Array([0xc0, 0xaf, ...utf8(signed)]),
        FormatError,
        'utf8.invalid',
      ],
      [
        'a UTF-8 encoded surrogate',
        new Uint8Array([0xed, 0xa0, 0x80, ...utf8(signed)]),
        FormatError,
        'utf8.invalid',
      ],
      [
        'a truncated UTF-8 sequence',
        new Uint8Array([...utf8(signed), 0xe2, 0x80]),
        FormatError,
        'utf8.invalid',
      ],
      [
        '101 signatures by unknown keys',
        `${TEXT}\n${Array.from({ length: 101 }, (_, i) => `— k${i} ${sig}\n`).join('')}`,
        LimitError,
        'note.too-many-signatures',
      ],
    ];
  for (const [what, msg, cls, code] of cases) {
    it(`refuses ${what}`, () => {
      expectCode(() => parseNote(msg), cls, code);
      expectCode(() => openNote(msg, [peterV]), cls, code);
    });
  }

  it('splits at the last blank line: an empty line among signatures moves them into the text', () => {
    const msg = `${signed}\n${peterLine}`;
    const note = parseNote(msg);
    expect(note.text).toBe(signed);
    expect(note.signatures).toHaveLength(1);
    expectCode(() => openNote(msg, [peterV]), VerificationError, 'note.bad-signature');
  });

  it('refuses input that is neither bytes nor a string', () => {
    expectCode(() => parseNote(42 as unknown as string), FormatError, 'note.type');
  });

  it('accepts 100 signatures, DEL and C1 characters, a BOM and U+FFFD in the text', () => {
    const many = `${TEXT}\n${Array.from({ length: 100 }, (_, i) => `— k${i} ${sig}\n`).join('')}`;
    expect(parseNote(many).signatures).toHaveLength(100);
    for (const text of ['\u007f\n', '\u0085\n', '\ufeffa\n', '\ufffd\n']) {
      const n = openNote(signNote(text, [peter]), [peterV]);
      expect(n.text).toBe(text);
      expect(openNote(utf8(signNote(text, [peter])), [peterV]).text).toBe(text);
    }
  });

  it('refuses formatting a note with no signature or an empty one', () => {
    expectCode(() => formatNote({ text: TEXT, signatures: [] }), FormatError, 'note.no-signatures');
    expectCode(
      () =>
        formatNote({
          text: TEXT,
          signatures: [{ name: 'a', keyId: 1, signature: new Uint8Array(0) }],
        }),
      FormatError,
      'note.short-signature',
    );
  });
});

describe('key strings', () => {
  it('checks key names like Go: no Unicode White_Space, no plus, not empty', () => {
    const white = /\p{White_Space}/u;
    for (let c = 0; c < 0x10000; c++) {
      if (c >= 0xd800 && c < 0xe000) continue;
      const ch = String.fromCharCode(c);
      expect(isValidKeyName(`a${ch}b`), `U+${c.toString(16)}`).toBe(!white.test(ch) && ch !== '+');
    }
    expect(isValidKeyName('')).toBe(false);
    expect(isValidKeyName('a\udc00')).toBe(false);
    expect(isValidKeyName('sum.golang.org')).toBe(true);
    expect(isValidKeyName('tamga.example/ünïcode/😀')).toBe(true);
    expect(isValidKeyName('zero\u200bwidth')).toBe(true);
  });

  it('computes key IDs as SHA-256(name ‖ 0x0A ‖ type ‖ key)[:4]', () => {
    const key = decodeVerifierKey(PETER_VKEY);
    expect(key.type).toBe(1);
    expect(computeKeyId('PeterNeumann', new Uint8Array([1, ...key.publicKey]))).toBe(0xc74f20a3);
    expect(encodeVerifierKey('PeterNeumann', 1, key.publicKey)).toBe(PETER_VKEY);
  });

  it('accepts upper-case hex key IDs, as Go does, and writes lower case', () => {
    const upper = PETER_VKEY.replace('c74f20a3', 'C74F20A3');
    const v = parseVerifierKey(upper);
    expect(v.keyId).toBe(0xc74f20a3);
    expect(ed25519VerifierKey(v.name, v.publicKey)).toBe(PETER_VKEY);
  });

  it('refuses each kind of bad verifier key', () => {
    const pub = decodeVerifierKey(PETER_VKEY).publicKey;
    const cases: [string, string][] = [
      ['', 'key.malformed'],
      ['PeterNeumann', 'key.malformed'],
      ['PeterNeumann+c74f20a3', 'key.malformed'],
      ['PeterNeumann+c74f20a+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW', 'key.malformed'],
      ['PeterNeumann+0xc74f20+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW', 'key.malformed'],
      ['Peter Neumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW', 'key.malformed'],
      ['PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10T', 'key.malformed'],
      ['PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW\n', 'key.malformed'],
      ['PeterNeumann+c74f20a4+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW', 'key.wrong-hash'],
      [encodeVerifierKey('PeterNeumann', 2, pub), 'key.unknown-type'],
      [encodeVerifierKey('PeterNeumann', 4, pub), 'key.unknown-type'],
      [encodeVerifierKey('PeterNeumann', 1, pub.subarray(0, 31)), 'key.wrong-length'],
      [encodeVerifierKey('PeterNeumann', 1, new Uint8Array(0)), 'key.wrong-length'],
    ];
    for (const [vkey, code] of cases) expectCode(() => parseVerifierKey(vkey), FormatError, code);
  });

  it('refuses each kind of bad signer key', () => {
    const seed = new Uint8Array(32).fill(5);
    const good = generateSignerKey('tamga.example/log', seed);
    const [, , name, id] = good.split('+');
    const cases: [string, string][] = [
      ['', 'key.malformed'],
      [good.replace('PRIVATE', 'PUBLIC'), 'key.malformed'],
      [good.slice('PRIVATE+KEY+'.length), 'key.malformed'],
      [
        `PRIVATE+KEY+${name}+${id}+${encodeBase64(new Uint8Array([2, ...seed]))}`,
        'key.unknown-type',
      ],
      [
        `PRIVATE+KEY+${name}+${id}+${encodeBase64(new Uint8Array([1, ...seed, 0]))}`,
        'key.wrong-length',
      ],
      [
        `PRIVATE+KEY+${name}+00000000+${encodeBase64(new Uint8Array([1, ...seed]))}`,
        'key.wrong-hash',
      ],
      [
        `PRIVATE+KEY+other.example/log+${id}+${encodeBase64(new Uint8Array([1, ...seed]))}`,
        'key.wrong-hash',
      ],
    ];
    for (const [skey, code] of cases) expectCode(() => parseSignerKey(skey), FormatError, code);
  });

  it('refuses bad names and seeds when generating keys (Go: NewEd25519VerifierKey size check)', () => {
    expectCode(() => generateSignerKey('a b', new Uint8Array(32)), FormatError, 'key.bad-name');
    expectCode(() => generateSignerKey('ok', new Uint8Array(31)), FormatError, 'key.wrong-length');
    expectCode(() => ed25519VerifierKey('ok', new Uint8Array(31)), FormatError, 'key.wrong-length');
    expectCode(() => ed25519Verifier('', new Uint8Array(32)), FormatError, 'key.bad-name');
  });

  it('makes signers and verifiers that agree (Go: TestGenerateKey, testSignerAndVerifier)', () => {
    const skey = generateSignerKey('EnochRoot', new Uint8Array(32).fill(42));
    const signer = parseSignerKey(skey);
    const verifier = parseVerifierKey(verifierKeyFromSigner(skey));
    expect(signer.name).toBe('EnochRoot');
    expect(verifier.name).toBe('EnochRoot');
    expect(signer.keyId).toBe(verifier.keyId);
    const msg = utf8('hi');
    const sig = signer.sign(msg);
    expect(verifier.verify(msg, sig)).toBe(true);
    sig[0]! ^= 1;
    expect(verifier.verify(msg, sig)).toBe(false);
    sig[0]! ^= 1;
    msg[0]! ^= 1;
    expect(verifier.verify(msg, sig)).toBe(false);
    expect(verifier.verify(utf8('hi'), sig.subarray(0, 63))).toBe(false);
    expect(verifier.verify(utf8('hi'), new Uint8Array(65))).toBe(false);
  });

  it('keeps the seed out of the signer object', () => {
    const seed = new Uint8Array(32).fill(0x5e);
    const signer = ed25519Signer('k', seed);
    expect(JSON.stringify(signer)).not.toContain('94,94,94');
    seed.fill(0);
    // The signer copied the seed: zeroing the caller's copy does not change its key.
    expect(ed25519Verifier('k', signer.publicKey).verify(utf8('x'), signer.sign(utf8('x')))).toBe(
      true,
    );
  });
});

// ---------------------------------------------------------------------------------------------
// Properties

const noteChar = fc
  .string({ unit: 'grapheme', minLength: 0, maxLength: 40 })
  .map((s) => [...s].filter((c) => c.charCodeAt(0) >= 0x20).join(''));
const noteText = fc
  .array(noteChar, { minLength: 1, maxLength: 6 })
  .map((lines) => `${lines.join('\n')}\n`);
const keyName = fc
  .string({ unit: 'grapheme', minLength: 1, maxLength: 20 })
  .filter((s) => isValidKeyName(s));
const seed = fc.uint8Array({ minLength: 32, maxLength: 32 });

describe('properties', () => {
  it('sign → parse → format is the identity, and open verifies every signer', () => {
    fc.assert(
      fc.property(
        noteText,
        fc.uniqueArray(fc.tuple(keyName, seed), {
          minLength: 1,
          maxLength: 4,
          selector: ([n]) => n,
        }),
        (text, keys) => {
          const signers = keys.map(([n, s]) => ed25519Signer(n, s));
          const msg = signNote(text, signers);
          const note = parseNote(msg);
          expect(note.text).toBe(text);
          expect(formatNote(note)).toBe(msg);
          const opened = openNote(
            utf8(msg),
            signers.map((s) => ed25519Verifier(s.name, s.publicKey)),
          );
          expect(opened.verified).toHaveLength(signers.length);
          expect(opened.text).toBe(text);
        },
      ),
      { numRuns: 60 },
    );
  });

  it('key strings round-trip through generate, parse and verifierKeyFromSigner', () => {
    fc.assert(
      fc.property(keyName, seed, (name, s) => {
        const skey = generateSignerKey(name, s);
        const signer = parseSignerKey(skey);
        const vkey = verifierKeyFromSigner(skey);
        const verifier = parseVerifierKey(vkey);
        expect(signer.name).toBe(name);
        expect(verifier.keyId).toBe(signer.keyId);
        expect(ed25519VerifierKey(name, verifier.publicKey)).toBe(vkey);
      }),
      { numRuns: 60 },
    );
  });

  it('flipping any bit of a note signed by one key makes opening it fail', () => {
    fc.assert(
      fc.property(noteText, keyName, seed, fc.nat(), fc.nat(7), (text, name, s, at, bit) => {
        const signer = ed25519Signer(name, s);
        const bytes = utf8(signNote(text, [signer]));
        bytes[at % bytes.length]! ^= 1 << bit;
        const e = thrown(() => openNote(bytes, [ed25519Verifier(name, signer.publicKey)]));
        expect(e).toBeInstanceOf(TamgaError);
      }),
      { numRuns: 300 },
    );
  });

  it('flipping any bit of a note signed by several keys loses at least one verified signature', () => {
    const signers = ['a.example', 'b.example', 'c.example'].map((n, i) =>
      ed25519Signer(n, new Uint8Array(32).fill(i + 1)),
    );
    const verifiers = signers.map((s) => ed25519Verifier(s.name, s.publicKey));
    fc.assert(
      fc.property(noteText, fc.nat(), fc.nat(7), (text, at, bit) => {
        const bytes = utf8(signNote(text, signers));
        bytes[at % bytes.length]! ^= 1 << bit;
        let verified = 0;
        try {
          verified = openNote(bytes, verifiers).verified.length;
        } catch (e) {
          expect(e).toBeInstanceOf(TamgaError);
        }
        expect(verified).toBeLessThan(3);
      }),
      { numRuns: 300 },
    );
  });

  it('never throws anything but a TamgaError on arbitrary bytes', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), (bytes) => {
        try {
          openNote(bytes, [peterV]);
        } catch (e) {
          expect(e).toBeInstanceOf(TamgaError);
        }
      }),
      { numRuns: 500 },
    );
  });

  it(`caps notes at ${MAX_SIGNATURES} signatures`, () => {
    expect(MAX_SIGNATURES).toBe(100);
  });
});
