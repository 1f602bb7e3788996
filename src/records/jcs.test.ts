import { readdirSync, readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { FormatError, LimitError } from '../log/errors.js';
import { canonicalize, canonicalizeBytes, MAX_JSON_DEPTH } from './jcs.js';

const dir = new URL('../../test/vectors/rfc8785/', import.meta.url);
const names = readdirSync(new URL('input/', dir)).map((f) => f.replace(/\.json$/, ''));

interface NumberVector {
  ieee: string;
  json: string;
  comment?: string;
}
const numbers = JSON.parse(readFileSync(new URL('numbers.json', dir), 'utf8')) as {
  rfc8785AppendixB: NumberVector[];
  invalid: { ieee: string; comment: string }[];
  es6testfileSample: NumberVector[];
};

function fromIeee(hex: string): number {
  const view = new DataView(new ArrayBuffer(8));
  view.setBigUint64(0, BigInt(`0x${hex}`));
  return view.getFloat64(0);
}

function thrown(fn: () => unknown): unknown {
  try {
    fn();
  } catch (e) {
    return e;
  }
  throw new Error('expected an error');
}

describe('RFC 8785 test data (cyberphone/json-canonicalization testdata)', () => {
  it('has the six files', () => {
    expect(names.sort()).toEqual(['arrays', 'french', 'structures', 'unicode', 'values', 'weird']);
  });

  it.each(names)('%s.json canonicalizes byte for byte to output/%s.json', (name) => {
    const input = readFileSync(new URL(`input/${name}.json`, dir), 'utf8');
    const expected = readFileSync(new URL(`output/${name}.json`, dir));
    const bytes = canonicalizeBytes(JSON.parse(input));
    expect(Buffer.from(bytes).toString('hex')).toBe(expected.toString('hex'));
    // The output is canonical already.
    expect(canonicalize(JSON.parse(expected.toString('utf8')))).toBe(expected.toString('utf8'));
  });
});

describe('RFC 8785 Appendix B numbers', () => {
  it.each(numbers.rfc8785AppendixB)('$ieee serializes as $json', ({ ieee, json }) => {
    expect(canonicalize(fromIeee(ieee))).toBe(json);
    expect(canonicalize([fromIeee(ieee)])).toBe(`[${json}]`);
  });

  it.each(numbers.invalid)('$ieee ($comment) is refused', ({ ieee }) => {
    const e = thrown(() => canonicalize({ n: fromIeee(ieee) }));
    expect(e).toBeInstanceOf(FormatError);
    expect((e as FormatError).code).toBe('jcs.number');
    expect((e as FormatError).message).toMatch(/^n: /);
  });

  it.each(numbers.es6testfileSample)('es6testfile sample $ieee is $json', ({ ieee, json }) => {
    expect(canonicalize(fromIeee(ieee.padStart(16, '0')))).toBe(json);
  });
});

describe('canonicalize', () => {
  it('writes -0 as 0 and leaves strings unnormalized', () => {
    expect(canonicalize(-0)).toBe('0');
    expect(canonicalize('\u00e9')).not.toBe(canonicalize('e\u0301'));
  });

  it('escapes as RFC 8785 §3.2.2.2 says', () => {
    expect(canonicalize('\u0000\b\t\n\f\r\u001f"\\/\u007f\u2028<')).toBe(
      '"\\u0000\\b\\t\\n\\f\\r\\u001f\\"\\\\/\u007f\u2028<"',
    );
  });

  it('sorts by UTF-16 code units, not code points', () => {
    // U+1F600 is D83D DE00 in UTF-16 and sorts before U+FB33, unlike in UTF-8 byte order.
    expect(canonicalize({ '\ufb33': 1, '\u{1f600}': 2 })).toBe('{"\u{1f600}":2,"\ufb33":1}');
  });

  it('accepts objects without a prototype', () => {
    const o = Object.create(null) as Record<string, number>;
    o.b = 1;
    o.a = 2;
    expect(canonicalize(o)).toBe('{"a":2,"b":1}');
  });

  const refused: [string, unknown, string, RegExp][] = [
    ['undefined', { a: [1, undefined] }, 'jcs.unsupported', /^a\[1\]: undefined/],
    ['a function', { f: () => 1 }, 'jcs.unsupported', /^f: a function/],
    ['a symbol', Symbol('x'), 'jcs.unsupported', /symbol/],
    ['a bigint', { n: 1n }, 'jcs.unsupported', /^n: a bigint/],
    ['a Date', { d: new Date(0) }, 'jcs.unsupported', /^d: a Date/],
    ['bytes', { b: new Uint8Array(1) }, 'jcs.unsupported', /byte array/],
    ['a class instance', { m: new Map() }, 'jcs.unsupported', /instance of Map/],
    ['a boxed string', { s: new String('x') }, 'jcs.unsupported', /instance of String/],
    ['NaN', [Number.NaN], 'jcs.number', /NaN/],
    ['-Infinity', Number.NEGATIVE_INFINITY, 'jcs.number', /-Infinity/],
    ['a lone high surrogate', { s: 'a\ud800' }, 'jcs.lone-surrogate', /^s: /],
    ['a lone low surrogate in a key', { '\udc00': 1 }, 'jcs.lone-surrogate', /surrogate/],
    // biome-ignore lint/suspicious/noSparseArray: the hole is the point.
    ['a sparse array', [1, , 3], 'jcs.sparse-array', /^\[1\]: /],
    ['a symbol key', { [Symbol('k')]: 1 }, 'jcs.unsupported', /symbol-keyed/],
    [
      'a getter',
      Object.defineProperty({}, 'g', { get: () => 1, enumerable: true }),
      'jcs.unsupported',
      /^g: a getter/,
    ],
  ];
  it.each(refused)('refuses %s with a typed error naming the path', (_, value, code, message) => {
    const e = thrown(() => canonicalize(value));
    expect(e).toBeInstanceOf(FormatError);
    expect((e as FormatError).code).toBe(code);
    expect((e as FormatError).message).toMatch(message);
  });

  it('refuses cycles', () => {
    const a: unknown[] = [];
    a.push({ x: a });
    const e = thrown(() => canonicalize(a));
    expect((e as FormatError).code).toBe('jcs.cycle');
    expect((e as FormatError).message).toMatch(/^\[0\]\.x: /);
  });

  it('accepts the same object twice when it is not its own ancestor', () => {
    const shared = { k: 1 };
    expect(canonicalize([shared, shared])).toBe('[{"k":1},{"k":1}]');
  });

  it(`refuses nesting deeper than ${MAX_JSON_DEPTH} with a LimitError`, () => {
    let deep: unknown = 0;
    for (let i = 0; i < MAX_JSON_DEPTH; i++) deep = [deep];
    expect(() => canonicalize(deep)).not.toThrow();
    const e = thrown(() => canonicalize([deep]));
    expect(e).toBeInstanceOf(LimitError);
    expect((e as LimitError).code).toBe('jcs.too-deep');
    // Even JSON.parse's worst case does not overflow the stack.
    const text = `${'['.repeat(100_000)}${']'.repeat(100_000)}`;
    expect((thrown(() => canonicalize(JSON.parse(text))) as LimitError).code).toBe('jcs.too-deep');
  });

  it('stops at maxBytes, counting UTF-8 bytes', () => {
    expect(canonicalize('é', { maxBytes: 4 })).toBe('"é"');
    expect((thrown(() => canonicalize('éé', { maxBytes: 5 })) as LimitError).code).toBe(
      'jcs.too-large',
    );
    expect((thrown(() => canonicalizeBytes('aaaa', { maxBytes: 5 })) as LimitError).code).toBe(
      'jcs.too-large',
    );
    // A huge array is refused long before it is all written.
    const huge = new Array<number>(10_000_000).fill(1);
    expect((thrown(() => canonicalize(huge, { maxBytes: 1000 })) as LimitError).code).toBe(
      'jcs.too-large',
    );
  });
});

describe('canonicalize properties', () => {
  const json = fc.jsonValue();

  it('is a fixed point: canonicalize(JSON.parse(canonicalize(x))) === canonicalize(x)', () => {
    fc.assert(
      fc.property(json, (x) => {
        const c = canonicalize(x);
        expect(canonicalize(JSON.parse(c))).toBe(c);
      }),
    );
  });

  it('agrees with JSON.stringify on values without objects to sort', () => {
    const flat = fc.oneof(
      fc.string({ unit: 'grapheme' }),
      fc.double({ noNaN: true, noDefaultInfinity: true }),
      fc.array(fc.oneof(fc.string(), fc.integer(), fc.boolean(), fc.constant(null))),
    );
    fc.assert(
      fc.property(flat, (x) => {
        expect(canonicalize(x)).toBe(JSON.stringify(x));
      }),
    );
  });

  it('does not depend on the order of object members', () => {
    const entries = fc.uniqueArray(fc.tuple(fc.string(), json), { selector: ([k]) => k });
    fc.assert(
      fc.property(entries, fc.func(fc.integer()), (list, rank) => {
        const shuffled = [...list].sort((a, b) => rank(a[0]) - rank(b[0]));
        const a = Object.fromEntries(list);
        const b = Object.fromEntries(shuffled);
        expect(canonicalize({ x: a, y: [b] })).toBe(canonicalize({ y: [a], x: b }));
      }),
    );
  });

  it('round-trips through JSON.parse to an equal value', () => {
    fc.assert(
      fc.property(json, (x) => {
        expect(JSON.parse(canonicalize(x))).toEqual(JSON.parse(JSON.stringify(x)));
      }),
    );
  });
});
