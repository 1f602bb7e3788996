import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  type Checkpoint,
  formatCheckpoint,
  openCheckpoint,
  parseCheckpoint,
  signCheckpoint,
} from './checkpoint.js';
import { encodeBase64 } from './encoding.js';
import { FormatError, LimitError, TamgaError, VerificationError } from './errors.js';
import { emptyRoot, leafHash } from './merkle.js';
import { addSignatures, ed25519Signer, ed25519Verifier, parseNote } from './note.js';

interface CheckpointVector {
  from: string;
  description: string;
  text: string;
  goParseTree: string;
  origin?: string;
  size?: number;
  root?: string;
  extensions?: string[];
  error?: string;
  why?: string;
}
interface FormatVector {
  from: string;
  origin: string;
  size: number;
  root: string;
  text: string;
}
interface C2spNote {
  spec: string;
  description: string;
  msg: string;
  text: string;
  checkpoint?: { origin: string; size: number; root: string; extensions: string[] };
}

const vectors = (name: string): unknown =>
  JSON.parse(readFileSync(new URL(`../../test/vectors/${name}`, import.meta.url), 'utf8'));
const xmod = vectors('x-mod-note.json') as {
  checkpoints: CheckpointVector[];
  formatCheckpoint: FormatVector[];
};
const c2sp = vectors('c2sp-examples.json') as { notes: C2spNote[] };

const b64 = (s: string) => new Uint8Array(Buffer.from(s, 'base64'));
const utf8 = (s: string) => new TextEncoder().encode(s);

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

const plain = (c: Checkpoint) => ({
  origin: c.origin,
  size: c.size,
  root: encodeBase64(c.root),
  extensions: [...c.extensions],
});

describe('x/mod tree note vectors (tlog/note_test.go)', () => {
  for (const v of xmod.formatCheckpoint) {
    it(`${v.from}: formats a go.sum tree note`, () => {
      expect(formatCheckpoint({ origin: v.origin, size: v.size, root: b64(v.root) })).toBe(v.text);
      // The root is x/mod's RecordHash("hello world"), the RFC 6962 leaf hash.
      expect(encodeBase64(leafHash(utf8('hello world')))).toBe(v.root);
    });
  }
  for (const v of xmod.checkpoints) {
    it(`${v.from}: ${v.description} (Go: ${v.goParseTree})`, () => {
      if (v.error !== undefined) {
        const e = thrown(() => parseCheckpoint(v.text));
        expect(e).toBeInstanceOf(FormatError);
        expect((e as FormatError).code).toBe(v.error);
        return;
      }
      const c = parseCheckpoint(v.text);
      expect(plain(c)).toEqual({
        origin: v.origin,
        size: v.size,
        root: v.root,
        extensions: v.extensions ?? [],
      });
      expect(formatCheckpoint(c)).toBe(v.text);
    });
  }

  it('rejects another origin than expected (the "not-" case, through openCheckpoint)', () => {
    const v = xmod.checkpoints.find((c) => c.description === 'another origin')!;
    const log = ed25519Signer('sum.golang.org', new Uint8Array(32).fill(1));
    const msg = addSignatures(`${v.text}\n— x ${encodeBase64(new Uint8Array(8))}\n`, [log]);
    const verifier = ed25519Verifier(log.name, log.publicKey);
    const e = expectCode(
      () => openCheckpoint(msg, verifier, { origin: 'go.sum database tree' }),
      VerificationError,
      'checkpoint.wrong-origin',
    );
    expect(e.evidence.origin).toBe('not-go.sum database tree');
    const good = signCheckpoint(
      { origin: 'go.sum database tree', size: 1, root: emptyRoot() },
      log,
    );
    expect(openCheckpoint(good, verifier, { origin: 'go.sum database tree' }).checkpoint.size).toBe(
      1,
    );
  });
});

describe('C2SP checkpoint examples', () => {
  for (const v of c2sp.notes.filter((n) => n.checkpoint !== undefined)) {
    it(`${v.spec}: ${v.description}`, () => {
      const c = parseCheckpoint(parseNote(v.msg).text);
      expect(plain(c)).toEqual(v.checkpoint);
      expect(formatCheckpoint(c)).toBe(v.text);
      // The log's key is not published: without it the checkpoint is refused.
      const stranger = ed25519Signer(v.checkpoint!.origin, new Uint8Array(32).fill(3));
      expectCode(
        () => openCheckpoint(v.msg, ed25519Verifier(stranger.name, stranger.publicKey)),
        VerificationError,
        'checkpoint.no-log-signature',
      );
    });
  }
});

const log = ed25519Signer('tamga.example/union-7', new Uint8Array(32).fill(0x11));
const logV = ed25519Verifier(log.name, log.publicKey);
const root = leafHash(utf8('record'));
const checkpoint = { origin: log.name, size: 20852163, root, extensions: [] };

describe('openCheckpoint', () => {
  it('returns the checkpoint of a note signed by the log', () => {
    const msg = signCheckpoint(checkpoint, log);
    const opened = openCheckpoint(msg, logV);
    expect(plain(opened.checkpoint)).toEqual(plain(checkpoint));
    expect(opened.note.verified).toHaveLength(1);
    expect(openCheckpoint(utf8(msg), logV).checkpoint.size).toBe(20852163);
  });

  it('keeps signatures by other keys as unverified, and verifies `others`', () => {
    const other = ed25519Signer('other.example', new Uint8Array(32).fill(0x22));
    const msg = addSignatures(signCheckpoint(checkpoint, log), [other]);
    expect(openCheckpoint(msg, logV).note.unverified).toHaveLength(1);
    const both = openCheckpoint(msg, logV, {
      others: [ed25519Verifier(other.name, other.publicKey)],
    });
    expect(both.note.verified).toHaveLength(2);
  });

  it('refuses a checkpoint signed only by another key, even a trusted one', () => {
    const other = ed25519Signer('other.example', new Uint8Array(32).fill(0x22));
    const otherV = ed25519Verifier(other.name, other.publicKey);
    const msg = signCheckpoint(checkpoint, other);
    expectCode(() => openCheckpoint(msg, logV), VerificationError, 'checkpoint.no-log-signature');
    expectCode(
      () => openCheckpoint(msg, logV, { others: [otherV] }),
      VerificationError,
      'checkpoint.no-log-signature',
    );
  });

  it('refuses an altered checkpoint with the evidence', () => {
    const msg = signCheckpoint(checkpoint, log).replace('20852163', '20852164');
    const e = expectCode(() => openCheckpoint(msg, logV), VerificationError, 'note.bad-signature');
    expect(e.evidence.text).toContain('20852164');
  });

  it('refuses a checkpoint whose origin is not the log key name, unless told', () => {
    const msg = signCheckpoint({ ...checkpoint, origin: 'elsewhere.example/log' }, log);
    expectCode(() => openCheckpoint(msg, logV), VerificationError, 'checkpoint.wrong-origin');
    expect(openCheckpoint(msg, logV, { origin: 'elsewhere.example/log' }).checkpoint.origin).toBe(
      'elsewhere.example/log',
    );
  });

  it('refuses a signed note that is not a checkpoint', () => {
    const msg = addSignatures(`hello\n\n— x ${encodeBase64(new Uint8Array(8))}\n`, [log]);
    expectCode(() => openCheckpoint(msg, logV), FormatError, 'checkpoint.too-few-lines');
  });
});

describe('malformed checkpoints', () => {
  const R = encodeBase64(root);
  const cases: [string, string, abstract new (...a: never[]) => TamgaError, string][] = [
    ['an empty text', '', FormatError, 'note.text-unterminated'],
    ['no final newline', `o\n1\n${R}`, FormatError, 'note.text-unterminated'],
    ['two lines', 'o\n1\n', FormatError, 'checkpoint.too-few-lines'],
    ['one line', 'o\n', FormatError, 'checkpoint.too-few-lines'],
    ['an empty origin', `\n1\n${R}\n`, FormatError, 'checkpoint.empty-origin'],
    ['a size with a leading zero', `o\n01\n${R}\n`, FormatError, 'decimal.syntax'],
    ['a signed size', `o\n+1\n${R}\n`, FormatError, 'decimal.syntax'],
    ['a negative size', `o\n-1\n${R}\n`, FormatError, 'decimal.syntax'],
    ['a size with a space', `o\n 1\n${R}\n`, FormatError, 'decimal.syntax'],
    ['a decimal fraction', `o\n1.0\n${R}\n`, FormatError, 'decimal.syntax'],
    ['an exponent', `o\n1e3\n${R}\n`, FormatError, 'decimal.syntax'],
    ['an empty size', `o\n\n${R}\n`, FormatError, 'decimal.syntax'],
    ['Arabic-Indic digits', `o\n١٢\n${R}\n`, FormatError, 'decimal.syntax'],
    ['a size of 2^53', `o\n9007199254740992\n${R}\n`, LimitError, 'decimal.too-large'],
    ['a size of 2^64 − 1', `o\n18446744073709551615\n${R}\n`, LimitError, 'decimal.too-large'],
    ['a size of 2^64', `o\n18446744073709551616\n${R}\n`, LimitError, 'decimal.too-large'],
    [
      'a 31-byte root',
      `o\n1\n${encodeBase64(root.subarray(1))}\n`,
      FormatError,
      'checkpoint.root-length',
    ],
    [
      'a 33-byte root',
      `o\n1\n${encodeBase64(new Uint8Array(33))}\n`,
      FormatError,
      'checkpoint.root-length',
    ],
    ['an empty root', 'o\n1\n\n', FormatError, 'checkpoint.root-length'],
    [
      'a hex root',
      `o\n1\n${Buffer.from(root).toString('hex')}\n`,
      FormatError,
      'checkpoint.root-length',
    ],
    [
      'a URL-safe base64 root',
      `o\n1\n${encodeBase64(new Uint8Array(32).fill(0xfb))}\n`.replace(/\//g, '_'),
      FormatError,
      'base64.character',
    ],
    ['an unpadded root', `o\n1\n${R.slice(0, -1)}\n`, FormatError, 'base64.length'],
    ['an empty extension line', `o\n1\n${R}\n\nx\n`, FormatError, 'checkpoint.empty-extension'],
    ['a trailing empty line', `o\n1\n${R}\n\n`, FormatError, 'checkpoint.empty-extension'],
    ['a carriage return', `o\r\n1\n${R}\n`, FormatError, 'note.control-character'],
    ['a lone surrogate in the origin', `o\ud800\n1\n${R}\n`, FormatError, 'utf8.invalid'],
  ];
  for (const [what, text, cls, code] of cases) {
    it(`refuses ${what}`, () => {
      expectCode(() => parseCheckpoint(text), cls, code);
    });
  }

  it('accepts sizes 0 and 2^53 − 1, and origins that are not key names', () => {
    expect(parseCheckpoint(`o\n0\n${R}\n`).size).toBe(0);
    expect(parseCheckpoint(`o\n9007199254740991\n${R}\n`).size).toBe(Number.MAX_SAFE_INTEGER);
    expect(parseCheckpoint(`go.sum database tree\n1\n${R}\n`).origin).toBe('go.sum database tree');
  });

  it('refuses to format what it could not parse back', () => {
    const cases: [
      Parameters<typeof formatCheckpoint>[0],
      abstract new (...a: never[]) => TamgaError,
      string,
    ][] = [
      [{ origin: '', size: 1, root }, FormatError, 'checkpoint.empty-origin'],
      [{ origin: 'a\nb', size: 1, root }, FormatError, 'checkpoint.newline'],
      [{ origin: 'a\tb', size: 1, root }, FormatError, 'note.control-character'],
      [{ origin: 'o', size: -1, root }, LimitError, 'uint.range'],
      [{ origin: 'o', size: 1.5, root }, LimitError, 'uint.range'],
      [{ origin: 'o', size: 2 ** 53, root }, LimitError, 'uint.range'],
      [{ origin: 'o', size: Number.NaN, root }, LimitError, 'uint.range'],
      [{ origin: 'o', size: 1, root: root.subarray(1) }, FormatError, 'hash.length'],
      [{ origin: 'o', size: 1, root, extensions: [''] }, FormatError, 'checkpoint.empty-extension'],
      [{ origin: 'o', size: 1, root, extensions: ['a\nb'] }, FormatError, 'checkpoint.newline'],
      [
        { origin: 'o', size: 1, root, extensions: ['\u0001'] },
        FormatError,
        'note.control-character',
      ],
    ];
    for (const [fields, cls, code] of cases) expectCode(() => formatCheckpoint(fields), cls, code);
  });
});

const line = fc
  .string({ unit: 'grapheme', minLength: 1, maxLength: 30 })
  .map((s) => [...s].filter((c) => c.charCodeAt(0) >= 0x20).join(''))
  .filter((s) => s !== '');
const size = fc.oneof(fc.nat(), fc.integer({ min: 0, max: Number.MAX_SAFE_INTEGER }));
const hash = fc.uint8Array({ minLength: 32, maxLength: 32 });

describe('properties', () => {
  it('format → parse is the identity, and parse → format gives the text back', () => {
    fc.assert(
      fc.property(line, size, hash, fc.array(line, { maxLength: 3 }), (origin, n, r, ext) => {
        const text = formatCheckpoint({ origin, size: n, root: r, extensions: ext });
        const c = parseCheckpoint(text);
        expect(c.origin).toBe(origin);
        expect(c.size).toBe(n);
        expect([...c.root]).toEqual([...r]);
        expect(c.extensions).toEqual(ext);
        expect(formatCheckpoint(c)).toBe(text);
      }),
      { numRuns: 200 },
    );
  });

  it('flipping any bit of a signed checkpoint makes opening it fail', () => {
    fc.assert(
      fc.property(size, hash, fc.nat(), fc.nat(7), (n, r, at, bit) => {
        const bytes = utf8(signCheckpoint({ origin: log.name, size: n, root: r }, log));
        bytes[at % bytes.length]! ^= 1 << bit;
        expect(thrown(() => openCheckpoint(bytes, logV))).toBeInstanceOf(TamgaError);
      }),
      { numRuns: 300 },
    );
  });

  it('never throws anything but a TamgaError on arbitrary text', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 120 }), (text) => {
        try {
          parseCheckpoint(text);
        } catch (e) {
          expect(e).toBeInstanceOf(TamgaError);
        }
      }),
      { numRuns: 500 },
    );
  });
});
