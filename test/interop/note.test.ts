/**
 * Signed notes agree with golang.org/x/mod/sumdb/note, both ways, with keys generated on each
 * side: key strings parse in the other implementation, notes signed by one open in the other,
 * both write byte-identical notes for the same keys and text (Ed25519 is deterministic), and
 * both refuse the same tampered notes. A Tamga checkpoint for origin "go.sum database tree"
 * parses as a tree note in Go's tlog.ParseTree.
 */
import { randomBytes } from 'node:crypto';
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { formatCheckpoint, openCheckpoint, signCheckpoint } from '../../src/log/checkpoint.js';
import { decodeBase64, encodeBase64 } from '../../src/log/encoding.js';
import { TamgaError } from '../../src/log/errors.js';
import { emptyRoot, leafHash } from '../../src/log/merkle.js';
import {
  checkNoteText,
  type Ed25519Signer,
  formatNote,
  generateSignerKey,
  openNote,
  parseNote,
  parseSignerKey,
  parseVerifierKey,
  signNote,
  type Verifier,
  verifierKeyFromSigner,
} from '../../src/log/note.js';
import { askGoPeer, goPeerUnavailable } from './xmod-peer.js';

const unavailable = goPeerUnavailable();
if (unavailable && process.env.CI) throw new Error(`CI needs the Go peer: ${unavailable}`);

interface GoAnswer {
  error?: string;
  skey?: string;
  vkey?: string;
  note?: string;
  text?: string;
  verified?: string[];
  tree?: { size: number; hash: string };
}

/** What opening a note came to, in terms both implementations share. */
type Verdict =
  | { readonly ok: true; readonly text: string; readonly verified: readonly string[] }
  | { readonly ok: false; readonly why: 'bad-signature' | 'no-verified-signature' | 'malformed' };

function goGenerate(name: string): { skey: string; vkey: string } {
  const a = askGoPeer<GoAnswer>({ op: 'generate', name });
  expect(a.error).toBeUndefined();
  return { skey: a.skey!, vkey: a.vkey! };
}

function goSign(skeys: readonly string[], text: string): string {
  const a = askGoPeer<GoAnswer>({ op: 'sign', skeys, text });
  expect(a.error).toBeUndefined();
  return a.note!;
}

/** Go's note.Open, with its errors sorted like Tamga's error codes. */
function goOpen(vkeys: readonly string[], note: string): Verdict {
  const a = askGoPeer<GoAnswer>({ op: 'verify', vkeys, note });
  if (a.error === undefined) return { ok: true, text: a.text!, verified: a.verified ?? [] };
  if (a.error.startsWith('invalid signature for key ')) return { ok: false, why: 'bad-signature' };
  if (a.error === 'note has no verifiable signatures') {
    return { ok: false, why: 'no-verified-signature' };
  }
  if (a.error === 'malformed note') return { ok: false, why: 'malformed' };
  throw new Error(`unexpected answer from Go: ${a.error}`);
}

/** Tamga's openNote, with its errors sorted as goOpen sorts Go's. */
function tamgaOpen(verifiers: readonly Verifier[], note: string): Verdict {
  try {
    const opened = openNote(note, verifiers);
    return { ok: true, text: opened.text, verified: opened.verified.map((s) => s.name) };
  } catch (e) {
    if (!(e instanceof TamgaError)) throw e;
    if (e.code === 'note.bad-signature') return { ok: false, why: 'bad-signature' };
    if (e.code === 'note.no-verified-signature') return { ok: false, why: 'no-verified-signature' };
    return { ok: false, why: 'malformed' };
  }
}

/** Opens `note` on both sides with the same keys, expects the same verdict, and returns it. */
function openBoth(keys: readonly Key[], note: string): Verdict {
  const go = goOpen(
    keys.map((k) => k.vkey),
    note,
  );
  const tamga = tamgaOpen(
    keys.map((k) => parseVerifierKey(k.vkey)),
    note,
  );
  expect(tamga).toEqual(go);
  return go;
}

/** Returns `note` with byte `at` of signature line `line` (counted from 0) changed. */
function tamperSignature(note: string, line: number, at: number): string {
  const parsed = parseNote(note);
  const signatures = parsed.signatures.map((s, i) => {
    if (i !== line) return s;
    const signature = s.signature.slice();
    signature[at] = signature[at]! ^ 0x01;
    return { ...s, signature };
  });
  return formatNote({ text: parsed.text, signatures });
}

/** Returns `note` with the key ID of signature line `line` changed, so that no verifier knows it. */
function tamperKeyId(note: string, line: number): string {
  const parsed = parseNote(note);
  const signatures = parsed.signatures.map((s, i) =>
    i === line ? { ...s, keyId: (s.keyId ^ 0x80000000) >>> 0 } : s,
  );
  return formatNote({ text: parsed.text, signatures });
}

interface Key {
  readonly skey: string;
  readonly vkey: string;
  readonly name: string;
  readonly signer: Ed25519Signer;
}

function key(skey: string, vkey: string): Key {
  const signer = parseSignerKey(skey);
  return { skey, vkey, name: signer.name, signer };
}

/**
 * Valid note text, with what tends to break parsers: blank lines, lines that look like signature
 * lines, em dashes, plus signs, Unicode spaces and line separators, BOM, DEL, C1 controls, astral
 * characters, U+FFFD. ASCII control characters other than newline are left out, as no note may
 * hold them.
 */
const piece = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 12 }),
  fc.string({ unit: 'grapheme-ascii', maxLength: 24 }),
  fc.constantFrom(
    '\n',
    '\n\n',
    '— ',
    '—',
    '— x.example/log AAAAAAAA\n',
    '\n\n— y.example/log AAAAAAAAAA==\n',
    '+',
    '\u2028',
    '\u2029',
    '\u0085',
    '\u00a0',
    '\u3000',
    '\ufeff',
    '\u007f',
    '\u009f',
    '😀',
    '\ufffd',
    'go.sum database tree\n',
  ),
);
const noteText = fc.array(piece, { maxLength: 10 }).map((parts) => {
  const chars = [...parts.join('')].filter((c) => c === '\n' || c.codePointAt(0)! >= 0x20);
  return `${chars.join('')}\n`;
});
const TEXTS = [
  '\n',
  'hello\n',
  'go.sum database tree\n5\nnND/nri/U0xuHUrYSy0HtMeal2vzD9V4k/BO79C+QeI=\n',
  'text\n\n— evil.example/key AAAAAAAAAAAA\n',
  `${'Tamga 🪨 '.repeat(7000)}\n`,
  ...fc.sample(noteText, { seed: 6962, numRuns: 24 }),
];

describe.skipIf(unavailable !== null)('interoperability with golang.org/x/mod/sumdb/note', () => {
  let goKey: Key;
  let tamgaKey: Key;
  let strangerKey: Key;

  beforeAll(() => {
    const go = goGenerate('go.example/log');
    goKey = key(go.skey, go.vkey);
    const skey = generateSignerKey('tamga.example/log', new Uint8Array(randomBytes(32)));
    tamgaKey = key(skey, verifierKeyFromSigner(skey));
    const stranger = goGenerate('stranger.example/witness');
    strangerKey = key(stranger.skey, stranger.vkey);
  });

  it('generates only valid note text', () => {
    for (const text of TEXTS) expect(() => checkNoteText(text)).not.toThrow();
    expect(new Set(TEXTS).size).toBeGreaterThan(20);
  });

  it('parses key pairs generated by Go, and derives the same verifier key', () => {
    for (const name of ['go.example/log', 'sum.golang.org', 'dağ.example/günlük', '例え/ログ']) {
      const { skey, vkey } = goGenerate(name);
      const signer = parseSignerKey(skey);
      const verifier = parseVerifierKey(vkey);
      expect(signer.name).toBe(name);
      expect(verifier.name).toBe(name);
      expect(signer.keyId).toBe(verifier.keyId);
      expect(signer.publicKey).toEqual(verifier.publicKey);
      expect(signer.verifierKey).toBe(vkey);
      expect(verifierKeyFromSigner(skey)).toBe(vkey);
    }
  });

  it('opens notes Go signed with a Go key, and signs them byte for byte as Go does', () => {
    const verifier = parseVerifierKey(goKey.vkey);
    for (const text of TEXTS) {
      const signed = goSign([goKey.skey], text);
      const opened = openNote(signed, [verifier]);
      expect(opened.text).toBe(text);
      expect(opened.verified.map((s) => s.name)).toEqual([goKey.name]);
      expect(opened.unverified).toEqual([]);
      expect(signNote(text, [goKey.signer])).toBe(signed);
    }
  });

  it('writes key strings Go accepts, and notes Go opens and writes byte for byte', () => {
    for (const name of ['tamga.example/log', 'sum.golang.org', 'dağ.example/günlük', '例え/ログ']) {
      const skey = generateSignerKey(name, new Uint8Array(randomBytes(32)));
      const vkey = verifierKeyFromSigner(skey);
      const text = `${name}\n`;
      // Go's sign op runs note.NewSigner, its verify op note.NewVerifier.
      const signed = signNote(text, [parseSignerKey(skey)]);
      expect(goSign([skey], text)).toBe(signed);
      expect(goOpen([vkey], signed)).toEqual({ ok: true, text, verified: [name] });
    }
    for (const text of TEXTS) {
      const signed = signNote(text, [tamgaKey.signer]);
      expect(goOpen([tamgaKey.vkey], signed)).toEqual({
        ok: true,
        text,
        verified: [tamgaKey.name],
      });
      expect(goSign([tamgaKey.skey], text)).toBe(signed);
    }
  });

  it('agrees on notes signed by a Go key and a Tamga key, unknown keys and tampering', () => {
    const both = [goKey, tamgaKey];
    const all = [goKey, tamgaKey, strangerKey];
    for (const text of TEXTS.slice(0, 12)) {
      const signed = signNote(text, [goKey.signer, tamgaKey.signer]);
      expect(goSign([goKey.skey, tamgaKey.skey], text)).toBe(signed);
      expect(openBoth(both, signed)).toEqual({
        ok: true,
        text,
        verified: [goKey.name, tamgaKey.name],
      });
      // Each side alone ignores the other's signature as by an unknown key.
      expect(openBoth([tamgaKey], signed)).toEqual({ ok: true, text, verified: [tamgaKey.name] });
      expect(openBoth([goKey], signed)).toEqual({ ok: true, text, verified: [goKey.name] });
      expect(tamgaOpen([parseVerifierKey(goKey.vkey)], signed)).toMatchObject({ ok: true });
      expect(
        openNote(signed, [parseVerifierKey(goKey.vkey)]).unverified.map((s) => s.name),
      ).toEqual([tamgaKey.name]);
      // A key that did not sign is no help.
      expect(openBoth([strangerKey], signed)).toEqual({ ok: false, why: 'no-verified-signature' });

      // A third signature by a key nobody trusts changes nothing; by a trusted key, it counts.
      const three = signNote(parseNote(signed), [strangerKey.signer]);
      expect(goSign([goKey.skey, tamgaKey.skey, strangerKey.skey], text)).toBe(three);
      expect(openBoth(both, three)).toEqual({
        ok: true,
        text,
        verified: [goKey.name, tamgaKey.name],
      });
      expect(openBoth(all, three)).toEqual({
        ok: true,
        text,
        verified: [goKey.name, tamgaKey.name, strangerKey.name],
      });

      // Changed text: every known signature fails, and the first one rejects the note.
      const [first, ...rest] = signed.split('\n');
      const altered = [`${first}.`, ...rest].join('\n');
      expect(openBoth(both, altered)).toEqual({ ok: false, why: 'bad-signature' });
      expect(openBoth([tamgaKey], altered)).toEqual({ ok: false, why: 'bad-signature' });

      // One signature byte changed: refused when that key is trusted, ignored when it is not.
      for (const [line, other] of [
        [0, tamgaKey],
        [1, goKey],
      ] as const) {
        for (const at of [0, 31, 32, 63]) {
          const forged = tamperSignature(signed, line, at);
          expect(openBoth(both, forged)).toEqual({ ok: false, why: 'bad-signature' });
          expect(openBoth([other], forged)).toEqual({ ok: true, text, verified: [other.name] });
        }
        // A changed key ID makes the signature one by an unknown key, on both sides.
        const renamed = tamperKeyId(signed, line);
        expect(openBoth(both, renamed)).toEqual({ ok: true, text, verified: [other.name] });
      }
    }
  });

  it('writes checkpoints that Go reads as go.sum database tree notes', () => {
    const rnd = fc.sample(fc.nat({ max: Number.MAX_SAFE_INTEGER }), { seed: 9162, numRuns: 8 });
    const sizes = [0, 1, 255, 2 ** 32, Number.MAX_SAFE_INTEGER, ...rnd];
    for (const [k, size] of sizes.entries()) {
      const root = size === 0 ? emptyRoot() : leafHash(Uint8Array.of(k, size & 0xff));
      const origin = 'go.sum database tree';
      const text = formatCheckpoint({ origin, size, root });
      const signed = signCheckpoint({ origin, size, root }, tamgaKey.signer);
      const a = askGoPeer<GoAnswer>({ op: 'parsetree', vkeys: [tamgaKey.vkey], note: signed });
      expect(a.error).toBeUndefined();
      expect(a.tree!.size).toBe(size);
      expect(decodeBase64(a.tree!.hash)).toEqual(root);
      // Go's FormatTree writes the same text, so a Go tree note opens as a Tamga checkpoint.
      expect(a.text).toBe(text);
      const goSigned = goSign([goKey.skey], text);
      const opened = openCheckpoint(goSigned, parseVerifierKey(goKey.vkey), { origin });
      expect(opened.checkpoint).toEqual({ origin, size, root, extensions: [] });
      expect(signCheckpoint({ origin, size, root }, goKey.signer)).toBe(goSigned);
    }

    // Go reads past extension lines, "for forwards compatibility", as the spec allows.
    const root = leafHash(Uint8Array.of(1));
    const extended = signCheckpoint(
      { origin: 'go.sum database tree', size: 7, root, extensions: ['— not a signature', 'x'] },
      tamgaKey.signer,
    );
    const a = askGoPeer<GoAnswer>({ op: 'parsetree', vkeys: [tamgaKey.vkey], note: extended });
    expect(a.error).toBeUndefined();
    expect(a.tree).toEqual({ size: 7, hash: encodeBase64(root) });
    // Another origin is not a go.sum tree note to Go; its signature still verifies.
    const other = signCheckpoint({ origin: 'tamga.example/log', size: 7, root }, tamgaKey.signer);
    const refused = askGoPeer<GoAnswer>({ op: 'parsetree', vkeys: [tamgaKey.vkey], note: other });
    expect(refused.error).toBe('malformed tree note');
    expect(goOpen([tamgaKey.vkey], other)).toMatchObject({ ok: true });
  });
});
