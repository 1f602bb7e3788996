import { describe, expect, it } from 'vitest';
import { jsonValueLines } from './json-lines.js';

describe('jsonValueLines', () => {
  it('gives the line each value starts on, by JSON Pointer', () => {
    const text = [
      '{',
      '  "date": "2025-02-01",',
      '  "description": "Dues \\"January\\", line 1\\nline 2",',
      '  "postings": [',
      '    { "account": "Assets:Bank:KGS", "amount": "10.00" },',
      '    {',
      '      "account": "Income/Other ~x",',
      '      "amount": "-9.99"',
      '    }',
      '  ],',
      '  "a/b~c": [], "empty": {}, "n": -1.5e3, "t": true, "z": null',
      '}',
    ].join('\n');
    JSON.parse(text);
    const lines = jsonValueLines(text);
    expect(lines.get('')).toBe(1);
    expect(lines.get('/date')).toBe(2);
    expect(lines.get('/description')).toBe(3);
    expect(lines.get('/postings')).toBe(4);
    expect(lines.get('/postings/0')).toBe(5);
    expect(lines.get('/postings/0/amount')).toBe(5);
    expect(lines.get('/postings/1')).toBe(6);
    expect(lines.get('/postings/1/account')).toBe(7);
    expect(lines.get('/postings/1/amount')).toBe(8);
    expect(lines.get('/a~1b~0c')).toBe(11);
    expect(lines.get('/z')).toBe(11);
  });

  it('reads a document on one line, and CRLF line ends', () => {
    expect(jsonValueLines('[1, [2, 3], {"x": 4}]').get('/2/x')).toBe(1);
    expect(jsonValueLines('{\r\n"a":\r\n [1,\r\n 2]}').get('/a/1')).toBe(4);
  });
});
