/**
 * Writing lines to a process's standard output or error, where untrusted text meets a terminal.
 * The CLI's process context, the servers' default logs and the demo all write through
 * `writeLine`, so that no text from outside can run an escape sequence, overwrite a line or
 * turn itself around (src/records/printable.ts).
 */
import { printableLines } from '../records/printable.js';

/**
 * Writes `text` and a newline to `stream`, inert: its line breaks (LF, CRLF) stay; any other
 * control, bidirectional or invisible character is written as `\uXXXX` (`printableLines`).
 */
export function writeLine(stream: NodeJS.WritableStream, text: string): void {
  stream.write(`${printableLines(text)}\n`);
}

/**
 * A destination for Fastify's logger (pino) that writes each JSON line to `stream` inert: a
 * request's Host header or path can carry U+0080–U+00FF (read as Latin-1) and bidirectional
 * characters, which JSON leaves as they are. The lines stay JSON of the same values.
 */
export function inertLogStream(stream: NodeJS.WritableStream): { write(line: string): void } {
  return {
    write: (line) => {
      stream.write(printableLines(line));
    },
  };
}
