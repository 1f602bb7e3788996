import { describe, expect, it } from 'vitest';
import { inertLogStream, writeLine } from './terminal.js';

/** A stream that keeps what is written to it. */
function sink(): { stream: NodeJS.WritableStream; written: string[] } {
  const written: string[] = [];
  const stream = {
    write: (chunk: string) => {
      written.push(chunk);
      return true;
    },
  } as unknown as NodeJS.WritableStream;
  return { stream, written };
}

describe('writeLine', () => {
  it('writes the line inert, keeping its line breaks, and ends it', () => {
    const s = sink();
    writeLine(s.stream, 'Report\n  \u001b[2J✓ VERIFIED\u202e\r\nlast\rline');
    expect(s.written).toEqual(['Report\n  \\u001b[2J✓ VERIFIED\\u202e\r\nlast\\u000dline\n']);
  });
});

describe('inertLogStream', () => {
  it('writes a request log line as JSON of the same values, inert', () => {
    const s = sink();
    const entry = { msg: 'incoming request', req: { hostname: 'a\u009b2J\u202eb', url: '/' } };
    inertLogStream(s.stream).write(`${JSON.stringify(entry)}\n`);
    expect(s.written).toHaveLength(1);
    expect(s.written[0]).not.toMatch(/[\u0080-\u009f\u202e]/);
    expect(s.written[0]!.endsWith('\n')).toBe(true);
    expect(JSON.parse(s.written[0]!)).toEqual(entry);
  });
});
