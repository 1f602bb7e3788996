/**
 * The age v1 header (https://age-encryption.org/v1, "Header"): a version line, one or more
 * recipient stanzas, and a MAC line.
 *
 *     age-encryption.org/v1
 *     -> X25519 XEl0dJ6y3C7KZkgmgWUicg63EyXJiwBJW8PdYJ/cYBE
 *     qRS0AMjdjPvZ/WT08U2KL4G+PIooA3hy38SvLpvaC1E
 *     --- HK2NmOBN9Dpq0Gw6xMCuhFcQlQLvZ/wQUi/2scLG75s
 *
 * Parsing is as strict as the spec's ABNF: LF line endings, printable ASCII only, stanza bodies
 * wrapped at 64 columns and ending with a shorter (possibly empty) line, canonical unpadded
 * base64. The parser takes one line at a time, so that a streaming reader can reject a bad
 * header as soon as it sees the bad line.
 */
import { createHmac, hkdfSync } from 'node:crypto';
import { AgeError } from './errors.js';

export const VERSION_LINE = 'age-encryption.org/v1';

/** Headers longer than this are refused (one X25519 stanza is about 100 bytes). */
export const MAX_HEADER_SIZE = 1 << 20;

/** One recipient stanza: its arguments (the first is its type) and its raw body. */
export interface Stanza {
  readonly args: readonly string[];
  readonly body: Uint8Array;
}

/** A parsed header: the stanzas, the MAC, and the bytes the MAC covers. */
export interface Header {
  readonly stanzas: readonly Stanza[];
  readonly mac: Uint8Array;
  /** The header up to and including `---`, which is what the MAC covers. */
  readonly macInput: Uint8Array;
}

const BASE64_LINE = /^[A-Za-z0-9+/]*$/;
const COLUMNS = 64;

/**
 * Decodes canonical unpadded base64 (RFC 4648 §3.5); returns null for anything else: padding,
 * characters outside the alphabet, an impossible length or non-zero trailing bits.
 */
export function decodeBase64(s: string): Buffer | null {
  if (!BASE64_LINE.test(s) || s.length % 4 === 1) return null;
  const bytes = Buffer.from(s, 'base64');
  return bytes.toString('base64').replace(/=+$/, '') === s ? bytes : null;
}

/** Encodes unpadded base64. */
export function encodeBase64(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength)
    .toString('base64')
    .replace(/=+$/, '');
}

function headerError(message: string, line: number): AgeError {
  return new AgeError('age.header', `invalid age header: ${message} (line ${line})`, { line });
}

/**
 * Builds a header one line at a time. {@link HeaderParser.line} returns the header once it has
 * read the MAC line, and null while it needs more lines; it throws {@link AgeError}
 * (`age.header`) on the first line that breaks the grammar.
 */
export class HeaderParser {
  private readonly stanzas: Stanza[] = [];
  private readonly transcript: string[] = [];
  private args: string[] | null = null;
  private body: Buffer[] = [];
  private lines = 0;

  line(text: string): Header | null {
    const n = ++this.lines;
    for (let i = 0; i < text.length; i++) {
      const c = text.charCodeAt(i);
      if (c < 0x20 || c > 0x7e) throw headerError('a byte outside printable ASCII', n);
    }
    if (n === 1) {
      if (text !== VERSION_LINE) {
        if (text.startsWith('-----BEGIN AGE ENCRYPTED FILE-----')) {
          throw headerError('ASCII-armored files are not accepted; remove the armor first', n);
        }
        throw headerError(`the version line must be "${VERSION_LINE}"`, n);
      }
    } else if (this.args !== null) {
      // A body line: 64 columns, except the last, which is shorter and may be empty.
      const bytes = text.length <= COLUMNS ? decodeBase64(text) : null;
      if (bytes === null) throw headerError('a stanza body line is not canonical base64', n);
      this.body.push(bytes);
      if (text.length < COLUMNS) {
        this.stanzas.push({ args: this.args, body: Buffer.concat(this.body) });
        this.args = null;
        this.body = [];
      }
    } else if (text.startsWith('-> ')) {
      const args = text.slice(3).split(' ');
      if (args.some((a) => a.length === 0)) throw headerError('a stanza has an empty argument', n);
      this.args = args;
    } else if (text.startsWith('---')) {
      if (this.stanzas.length === 0) throw headerError('there is no recipient stanza', n);
      const mac = text.startsWith('--- ') ? decodeBase64(text.slice(4)) : null;
      if (mac === null || mac.length !== 32) {
        throw headerError('the MAC line must be "--- " and 32 bytes of base64', n);
      }
      const macInput = Buffer.from(`${this.transcript.join('')}---`, 'latin1');
      return { stanzas: this.stanzas, mac, macInput };
    } else {
      throw headerError('a line is neither a stanza ("-> ") nor the MAC line ("--- ")', n);
    }
    this.transcript.push(text, '\n');
    return null;
  }
}

/**
 * Splits `bytes` into its age header and what follows. Returns the header and the offset of
 * the first byte after it; throws {@link AgeError}: `age.header` when it does not parse,
 * `age.truncated` when the bytes end inside it.
 */
export function parseHeader(bytes: Uint8Array): { header: Header; end: number } {
  const parser = new HeaderParser();
  let start = 0;
  const limit = Math.min(bytes.length, MAX_HEADER_SIZE);
  for (;;) {
    const lf = bytes.indexOf(0x0a, start);
    if (lf < 0 || lf >= limit) {
      if (bytes.length > MAX_HEADER_SIZE) {
        throw new AgeError('age.header', 'invalid age header: longer than 1 MiB');
      }
      throw new AgeError('age.truncated', 'the age file ends inside its header', {
        offset: bytes.length,
      });
    }
    const header = parser.line(Buffer.from(bytes.subarray(start, lf)).toString('latin1'));
    start = lf + 1;
    if (header !== null) return { header, end: start };
  }
}

/** Returns the header text up to and including `---`: the bytes the MAC covers. */
export function encodeHeaderWithoutMac(stanzas: readonly Stanza[]): Buffer {
  const lines = [VERSION_LINE];
  for (const s of stanzas) {
    lines.push(`-> ${s.args.join(' ')}`);
    const b64 = encodeBase64(s.body);
    for (let i = 0; i < b64.length; i += COLUMNS) lines.push(b64.slice(i, i + COLUMNS));
    // The body ends with a line shorter than 64 columns, empty if need be.
    if (b64.length % COLUMNS === 0) lines.push('');
  }
  lines.push('---');
  return Buffer.from(lines.join('\n'), 'latin1');
}

// HMAC key = HKDF-SHA-256(ikm = file key, salt = empty, info = "header")
/** Returns the header MAC: HMAC-SHA-256 over the header up to and including `---`. */
export function headerMac(fileKey: Uint8Array, macInput: Uint8Array): Buffer {
  const key = Buffer.from(hkdfSync('sha256', fileKey, new Uint8Array(0), 'header', 32));
  return createHmac('sha256', key).update(macInput).digest();
}

/** Returns the whole header, MAC line included. */
export function encodeHeader(stanzas: readonly Stanza[], fileKey: Uint8Array): Buffer {
  const withoutMac = encodeHeaderWithoutMac(stanzas);
  const mac = headerMac(fileKey, withoutMac);
  return Buffer.concat([withoutMac, Buffer.from(` ${encodeBase64(mac)}\n`, 'latin1')]);
}
