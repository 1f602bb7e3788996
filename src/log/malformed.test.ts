/**
 * Every parser and verifier of the log core, fed arbitrary input, either succeeds or throws one
 * of Tamga's typed errors, never a bare TypeError or RangeError.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseCheckpoint } from './checkpoint.js';
import { checkCosignatures, parseCosignatureVerifierKey } from './cosignature.js';
import { decodeBase64, decodeUtf8, parseDecimal } from './encoding.js';
import { TamgaError } from './errors.js';
import { subtrees, TreeBuilder } from './merkle.js';
import {
  generateSignerKey,
  openNote,
  parseNote,
  parseSignerKey,
  parseVerifierKey,
} from './note.js';
import { verifyConsistency, verifyInclusion } from './proof.js';
import { parseEntryBundle, parseTilePath, rootFromTilesSync } from './tiles.js';

function onlyTamgaErrors(f: () => unknown): void {
  try {
    f();
  } catch (e) {
    if (!(e instanceof TamgaError))
      throw new Error(`expected a TamgaError, got ${String(e)}`, { cause: e });
  }
}

const logKey = parseSignerKey(generateSignerKey('example.org/log', new Uint8Array(32).fill(1)));
const logVerifier = parseVerifierKey(logKey.verifierKey);

// Text that looks like notes, keys and paths often enough to get past the first checks.
const noteish = fc.oneof(
  fc.string(),
  fc.stringMatching(/^[a-z./+0-9 \n\u2014=A-Z]{0,200}$/),
  fc.tuple(fc.string(), fc.string(), fc.string()).map(([a, b, c]) => `${a}\n${b}\n\n\u2014 ${c}\n`),
);
const numberish = fc.oneof(
  fc.integer(),
  fc.double(),
  fc.constantFrom(-1, 2 ** 53, 2 ** 64, Number.NaN, Infinity),
);
const bytes = fc.uint8Array({ maxLength: 200 });
const hashish = fc.oneof(fc.uint8Array({ minLength: 32, maxLength: 32 }), bytes);

describe('malformed input raises typed errors only', () => {
  it('text parsers', () => {
    fc.assert(
      fc.property(noteish, (s) => {
        onlyTamgaErrors(() => parseNote(s));
        onlyTamgaErrors(() => openNote(s, [logVerifier]));
        onlyTamgaErrors(() => parseCheckpoint(s));
        onlyTamgaErrors(() => checkCosignatures(s, logVerifier, [], 0));
        onlyTamgaErrors(() => parseVerifierKey(s));
        onlyTamgaErrors(() => parseSignerKey(s));
        onlyTamgaErrors(() => parseCosignatureVerifierKey(s));
        onlyTamgaErrors(() => parseTilePath(s));
        onlyTamgaErrors(() => parseTilePath(s, { layout: 'x/mod' }));
        onlyTamgaErrors(() => decodeBase64(s));
        onlyTamgaErrors(() => parseDecimal(s));
      }),
      { numRuns: 2000 },
    );
  });

  it('byte parsers', () => {
    fc.assert(
      fc.property(bytes, fc.integer({ min: -2, max: 300 }), (b, width) => {
        onlyTamgaErrors(() => parseNote(b));
        onlyTamgaErrors(() => openNote(b, [logVerifier]));
        onlyTamgaErrors(() => decodeUtf8(b));
        onlyTamgaErrors(() => parseEntryBundle(b, width));
      }),
      { numRuns: 2000 },
    );
  });

  it('proof verifiers, sizes and tree builders', () => {
    fc.assert(
      fc.property(
        numberish,
        numberish,
        hashish,
        hashish,
        fc.array(hashish, { maxLength: 5 }),
        (a, b, h1, h2, proof) => {
          onlyTamgaErrors(() => verifyInclusion(a, b, h1, proof, h2));
          onlyTamgaErrors(() => verifyConsistency(a, b, h1, h2, proof));
          onlyTamgaErrors(() => subtrees(a, b));
          onlyTamgaErrors(() => new TreeBuilder(a, [h1]));
          onlyTamgaErrors(() =>
            rootFromTilesSync(Math.abs(Math.trunc(a)) % 100_000, {
              readTiles: (t) => t.map(() => h1),
            }),
          );
        },
      ),
      { numRuns: 2000 },
    );
  });

  it('a tree built from junk never reaches an unsafe size', () => {
    expect(() => new TreeBuilder(2 ** 53, [])).toThrow(TamgaError);
  });
});
