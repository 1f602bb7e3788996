import { randomBytes } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  decodeBase64,
  encodeHeader,
  encodeHeaderWithoutMac,
  HeaderParser,
  headerMac,
  parseHeader,
  type Stanza,
} from './header.js';

const text = (s: string) => Buffer.from(s, 'latin1');
const MAC = ' HK2NmOBN9Dpq0Gw6xMCuhFcQlQLvZ/wQUi/2scLG75s\n';
// The spec's example header (https://age-encryption.org/v1, "Header").
const EXAMPLE = `age-encryption.org/v1
-> X25519 XEl0dJ6y3C7KZkgmgWUicg63EyXJiwBJW8PdYJ/cYBE
qRS0AMjdjPvZ/WT08U2KL4G+PIooA3hy38SvLpvaC1E
---${MAC}`;

function parseText(s: string) {
  return parseHeader(text(s));
}

describe('age header', () => {
  it('parses the spec’s example and re-encodes it byte for byte', () => {
    const { header, end } = parseText(`${EXAMPLE}payload`);
    expect(end).toBe(EXAMPLE.length);
    expect(header.stanzas).toHaveLength(1);
    expect(header.stanzas[0]!.args).toEqual([
      'X25519',
      'XEl0dJ6y3C7KZkgmgWUicg63EyXJiwBJW8PdYJ/cYBE',
    ]);
    expect(header.stanzas[0]!.body).toHaveLength(32);
    expect(Buffer.from(header.macInput).toString('latin1')).toBe(EXAMPLE.slice(0, -MAC.length));
    expect(encodeHeaderWithoutMac(header.stanzas).toString('latin1')).toBe(
      EXAMPLE.slice(0, -MAC.length),
    );
  });

  it('round-trips any stanzas, wrapping bodies at 64 columns with a short last line', () => {
    const arg = fc.stringMatching(/^[!-~]{1,20}$/);
    const stanza = fc.record({
      args: fc.array(arg, { minLength: 1, maxLength: 4 }),
      body: fc.uint8Array({ maxLength: 200 }),
    });
    fc.assert(
      fc.property(fc.array(stanza, { minLength: 1, maxLength: 5 }), (stanzas: Stanza[]) => {
        const fileKey = randomBytes(16);
        const bytes = encodeHeader(stanzas, fileKey);
        const { header, end } = parseHeader(bytes);
        expect(end).toBe(bytes.length);
        expect(header.stanzas.map((s) => ({ args: s.args, body: new Uint8Array(s.body) }))).toEqual(
          stanzas.map((s) => ({ args: s.args, body: new Uint8Array(s.body) })),
        );
        expect(Buffer.from(header.mac)).toEqual(headerMac(fileKey, header.macInput));
        for (const line of bytes.toString('latin1').split('\n')) {
          if (!line.startsWith('-')) expect(line.length).toBeLessThanOrEqual(64);
        }
      }),
      { numRuns: 200 },
    );
  });

  it('writes an empty last line when a body fills its last line', () => {
    const bytes = encodeHeaderWithoutMac([{ args: ['x'], body: new Uint8Array(48) }]);
    expect(bytes.toString('latin1')).toBe(`age-encryption.org/v1\n-> x\n${'A'.repeat(64)}\n\n---`);
  });

  const invalid: Array<[string, string]> = [
    ['a CRLF line ending', EXAMPLE.replace('v1\n', 'v1\r\n')],
    ['another version', EXAMPLE.replace('v1', 'v2')],
    [
      'an armored file',
      '-----BEGIN AGE ENCRYPTED FILE-----\nYWdl\n-----END AGE ENCRYPTED FILE-----\n',
    ],
    ['no stanza', `age-encryption.org/v1\n---${MAC}`],
    ['an empty argument', EXAMPLE.replace('-> X25519 ', '-> X25519  ')],
    ['a stanza with no argument', EXAMPLE.replace(/-> X25519 \S+/, '->')],
    ['base64 padding in a body', EXAMPLE.replace('C1E\n', 'C1E=\n')],
    ['non-canonical base64 in a body', EXAMPLE.replace('C1E\n', 'C1F\n')],
    ['a body line over 64 columns', EXAMPLE.replace('C1E\n', `C1E${'A'.repeat(40)}\n`)],
    ['a missing body', EXAMPLE.replace(/\nqRS0\S+\n/, '\n')],
    ['a MAC without its space', EXAMPLE.replace('--- ', '---')],
    ['a MAC with an extra space', EXAMPLE.replace('--- ', '---  ')],
    ['a short MAC', EXAMPLE.replace('G75s\n', 'G7\n')],
    ['a non-canonical MAC', EXAMPLE.replace('G75s\n', 'G75t\n')],
    ['a line that is no stanza', EXAMPLE.replace('-> X25519', '-- X25519')],
    ['a non-ASCII byte', EXAMPLE.replace('X25519', 'X2551\u00e9')],
  ];
  it.each(invalid)('refuses %s', (_, s) => {
    expect(() => parseText(s)).toThrow(expect.objectContaining({ code: 'age.header' }));
  });

  it('says truncated when the bytes end inside the header', () => {
    for (const cut of [0, 10, 22, 60, EXAMPLE.length - 1]) {
      expect(() => parseText(EXAMPLE.slice(0, cut))).toThrow(
        expect.objectContaining({ code: 'age.truncated' }),
      );
    }
  });

  it('takes one line at a time and answers only at the MAC line', () => {
    const p = new HeaderParser();
    const lines = EXAMPLE.split('\n');
    expect(p.line(lines[0]!)).toBeNull();
    expect(p.line(lines[1]!)).toBeNull();
    expect(p.line(lines[2]!)).toBeNull();
    expect(p.line(lines[3]!)).not.toBeNull();
  });

  it('decodes only canonical unpadded base64', () => {
    expect(decodeBase64('')).toEqual(Buffer.alloc(0));
    expect(decodeBase64('AA')).toEqual(Buffer.from([0]));
    for (const bad of ['AB', 'AA==', 'A', 'A-', 'AA AA', 'AAA\n'])
      expect(decodeBase64(bad)).toBeNull();
  });
});
