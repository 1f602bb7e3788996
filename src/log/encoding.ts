/**
 * Strict codecs for the text formats of the log: standard base64 (RFC 4648 §4, padded), UTF-8,
 * and decimal unsigned integers.
 *
 * Sizes and indexes are uint64 on the wire. Tamga represents them as JavaScript numbers and
 * accepts only safe integers (at most 2^53 − 1, about 9·10^15 entries, far beyond any log an
 * organisation will keep); anything larger is rejected with a LimitError instead of being rounded.
 */
import { FormatError, LimitError } from './errors.js';

const B64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
const B64_INDEX = new Int16Array(128).fill(-1);
for (let i = 0; i < 64; i++) B64_INDEX[B64.charCodeAt(i)] = i;

/** Returns the padded standard base64 encoding of `bytes`. */
export function encodeBase64(bytes: Uint8Array): string {
  let out = '';
  let i = 0;
  for (; i + 3 <= bytes.length; i += 3) {
    const n = (bytes[i]! << 16) | (bytes[i + 1]! << 8) | bytes[i + 2]!;
    out += B64[n >>> 18]! + B64[(n >>> 12) & 63]! + B64[(n >>> 6) & 63]! + B64[n & 63]!;
  }
  const rest = bytes.length - i;
  if (rest === 1) {
    const n = bytes[i]! << 16;
    out += `${B64[n >>> 18]!}${B64[(n >>> 12) & 63]!}==`;
  } else if (rest === 2) {
    const n = (bytes[i]! << 16) | (bytes[i + 1]! << 8);
    out += `${B64[n >>> 18]!}${B64[(n >>> 12) & 63]!}${B64[(n >>> 6) & 63]!}=`;
  }
  return out;
}

/**
 * Decodes padded standard base64. Throws FormatError on any other alphabet, missing padding or
 * non-zero trailing bits, so that each byte string has exactly one accepted encoding.
 * `what` names the field in the message ("signature", "root hash").
 */
export function decodeBase64(text: string, what = 'base64 value'): Uint8Array {
  if (text.length % 4 !== 0) {
    throw new FormatError(
      'base64.length',
      `${what} is not valid base64: length ${text.length} is not a multiple of 4`,
    );
  }
  const pad = text.endsWith('==') ? 2 : text.endsWith('=') ? 1 : 0;
  const out = new Uint8Array((text.length / 4) * 3 - pad);
  let o = 0;
  for (let i = 0; i < text.length; i += 4) {
    const last = i + 4 === text.length;
    let n = 0;
    for (let j = 0; j < 4; j++) {
      const c = text.charCodeAt(i + j);
      let v = c < 128 ? B64_INDEX[c]! : -1;
      if (c === 0x3d /* = */ && last && j >= 4 - pad) v = 0;
      if (v < 0) {
        throw new FormatError(
          'base64.character',
          `${what} is not valid base64: unexpected character ${JSON.stringify(text[i + j])} at position ${i + j}`,
        );
      }
      n = (n << 6) | v;
    }
    if (last && pad > 0 && (n & (pad === 2 ? 0xffff : 0xff)) !== 0) {
      throw new FormatError(
        'base64.padding',
        `${what} is not valid base64: non-zero bits before the padding`,
      );
    }
    out[o++] = n >>> 16;
    if (o < out.length) out[o++] = (n >>> 8) & 0xff;
    if (o < out.length) out[o++] = n & 0xff;
  }
  return out;
}

const utf8Decoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });
const utf8Encoder = new TextEncoder();

/** Returns the UTF-8 bytes of `text`. */
export function encodeUtf8(text: string): Uint8Array {
  return utf8Encoder.encode(text);
}

/** Decodes UTF-8, throwing FormatError (not TypeError) on invalid sequences. */
export function decodeUtf8(bytes: Uint8Array, what = 'text'): string {
  try {
    return utf8Decoder.decode(bytes);
  } catch {
    throw new FormatError('utf8.invalid', `${what} is not valid UTF-8`);
  }
}

/**
 * Parses an unsigned decimal integer in canonical form (digits only, no sign, no leading zeros
 * except "0" itself). Throws FormatError on other text and LimitError above 2^53 − 1.
 */
export function parseDecimal(text: string, what = 'number'): number {
  if (!/^(0|[1-9][0-9]*)$/.test(text)) {
    throw new FormatError(
      'decimal.syntax',
      `${what} ${JSON.stringify(truncate(text))} is not an unsigned decimal integer without leading zeros`,
    );
  }
  const n = Number(text);
  if (!Number.isSafeInteger(n)) {
    throw new LimitError(
      'decimal.too-large',
      `${what} ${truncate(text)} is larger than 2^53-1, the largest size Tamga can represent`,
    );
  }
  return n;
}

/** Throws LimitError unless `n` is a safe non-negative integer. */
export function checkUint(n: number, what: string): void {
  if (!Number.isSafeInteger(n) || n < 0) {
    throw new LimitError('uint.range', `${what} must be an integer from 0 to 2^53-1, not ${n}`);
  }
}

/** Returns true when the two byte strings are equal, in time that depends only on their length. */
export function bytesEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= a[i]! ^ b[i]!;
  return diff === 0;
}

/** Concatenates byte strings. */
export function concatBytes(...parts: Uint8Array[]): Uint8Array {
  let n = 0;
  for (const p of parts) n += p.length;
  const out = new Uint8Array(n);
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

function truncate(text: string): string {
  return text.length > 40 ? `${text.slice(0, 40)}…` : text;
}
