import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { printable, printableLines } from './printable.js';

/** The code points the issue names, checked one by one rather than through the module's regex. */
const NAMED = [
  0x061c, 0x200b, 0x200c, 0x200d, 0x200e, 0x200f, 0x202a, 0x202b, 0x202c, 0x202d, 0x202e, 0x2028,
  0x2029, 0x2066, 0x2067, 0x2068, 0x2069, 0xfeff,
];

/** True when `text` holds a code point that acts on a terminal or hides itself. */
function holdsActive(text: string): boolean {
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x20 || (c >= 0x7f && c <= 0x9f) || NAMED.includes(c)) return true;
    const high = c >= 0xd800 && c <= 0xdbff;
    const low = (at: number) => {
      const d = text.charCodeAt(at);
      return d >= 0xdc00 && d <= 0xdfff;
    };
    if (high && !low(i + 1)) return true;
    if (high) i++;
    else if (low(i)) return true;
  }
  return false;
}

/** Strings rich in what the rule escapes: controls, bidi and invisible characters, surrogates. */
const hostile = fc
  .array(
    fc.oneof(
      fc.string({ unit: 'binary', maxLength: 8 }),
      fc.integer({ min: 0, max: 0x9f }).map((c) => String.fromCharCode(c)),
      fc.constantFrom(...NAMED.map((c) => String.fromCharCode(c))),
      fc.integer({ min: 0xd800, max: 0xdfff }).map((c) => String.fromCharCode(c)),
      fc.constantFrom('\\', '\\u', '\r\n', '\n', 'ң ө ү «»—', '"'),
    ),
    { maxLength: 20 },
  )
  .map((parts) => parts.join(''));

describe('printable', () => {
  it('shows an escape sequence instead of running it', () => {
    expect(printable('\u001b[2J\u001b[H✓ VERIFIED')).toBe('\\u001b[2J\\u001b[H✓ VERIFIED');
    expect(printable('a\u009b2Jb')).toBe('a\\u009b2Jb');
    expect(printable('evil\rOK\nnext\ttab\u007f')).toBe(
      'evil\\u000dOK\\u000anext\\u0009tab\\u007f',
    );
  });

  it('escapes bidirectional, invisible and separator characters', () => {
    expect(printable('invoice\u202Efdp.exe')).toBe('invoice\\u202efdp.exe');
    for (const c of NAMED) {
      expect(printable(`a${String.fromCharCode(c)}b`)).toBe(
        `a\\u${c.toString(16).padStart(4, '0')}b`,
      );
    }
    // An astral format character (a tag) is written as its two UTF-16 escapes, as JSON does.
    expect(printable('\u{E0041}')).toBe('\\udb40\\udc41');
    expect(printable('x\ud800y')).toBe('x\\ud800y');
  });

  it('leaves Russian and Kyrgyz text, punctuation and emoji alone', () => {
    for (const text of [
      'Мүчөлүк төгүмдөр, апрель 2024',
      'ОсОО "Кыргыз Темир Жолу" — «Бишкек шаардык кеңеши»: ң ө ү Ң Ө Ү',
      'Протокол № 5, 1 250,00 KGS',
      'C:\\Users\\Асанов\\report.pdf',
      '😀 résumé naïve',
      ' non-breaking\u00a0space, ideographic\u3000space ',
    ]) {
      expect(printable(text)).toBe(text);
    }
  });

  it('never lets through a control, bidi or invisible character, or a lone surrogate', () => {
    fc.assert(
      fc.property(hostile, (text) => {
        const shown = printable(text);
        expect(holdsActive(shown)).toBe(false);
        expect(/[\p{Cc}\p{Cf}\p{Zl}\p{Zp}]/u.test(shown)).toBe(false);
      }),
      { numRuns: 2000 },
    );
  });

  it('is stable: printable(printable(x)) is printable(x)', () => {
    fc.assert(
      fc.property(hostile, (text) => {
        const once = printable(text);
        expect(printable(once)).toBe(once);
        expect(printableLines(printableLines(text))).toBe(printableLines(text));
      }),
      { numRuns: 2000 },
    );
  });

  it('changes nothing in text it has nothing to escape', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme', maxLength: 40 }), (text) => {
        if (!/[\p{Cc}\p{Cf}\p{Zl}\p{Zp}]/u.test(text)) expect(printable(text)).toBe(text);
      }),
    );
  });
});

describe('printableLines', () => {
  it('keeps LF and CRLF line breaks and escapes each line', () => {
    expect(printableLines('one\ntwo\u001b[2J\r\nthree')).toBe('one\ntwo\\u001b[2J\r\nthree');
    expect(printableLines('fake\rline')).toBe('fake\\u000dline');
    expect(printableLines('ends with CR\r')).toBe('ends with CR\\u000d');
    expect(printableLines('\n\n')).toBe('\n\n');
  });

  it('gives JSON that parses to the same value', () => {
    fc.assert(
      fc.property(fc.oneof(hostile, fc.array(hostile, { maxLength: 4 })), (value) => {
        for (const json of [JSON.stringify(value), JSON.stringify({ value }, null, 2)]) {
          const shown = printableLines(json);
          expect(JSON.parse(shown)).toEqual(JSON.parse(json));
          expect(holdsActive(shown.replace(/\n/g, ''))).toBe(false);
        }
      }),
      { numRuns: 1000 },
    );
  });
});
