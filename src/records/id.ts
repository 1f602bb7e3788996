/**
 * Record ids: 26 characters in the layout of ULID (https://github.com/ulid/spec), so that ids
 * sort by creation time as plain strings.
 *
 *   id = base32(time, 10 chars) ‖ base32(randomness, 16 chars)
 *   time        48-bit milliseconds since 1970-01-01T00:00:00Z, most significant first
 *   randomness  80 bits drawn by the caller
 *   base32      Crockford's alphabet 0123456789ABCDEFGHJKMNPQRSTVWXYZ, upper case only
 *
 * The clock and the random source belong to the caller, which keeps this module pure. Within
 * one millisecond ids are in random order; nothing here relies on them being monotonic.
 */
import { FormatError, LimitError } from '../log/errors.js';

const ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
const RECORD_ID = /^[0-7][0-9A-HJKMNP-TV-Z]{25}$/;

/** The largest time a record id can hold: 2^48 − 1 milliseconds, in the year 10889. */
export const MAX_RECORD_ID_TIME = 2 ** 48 - 1;

/** Bytes of randomness in a record id. */
export const RECORD_ID_RANDOM_BYTES = 10;

/**
 * Returns a new record id for `time` (milliseconds since the Unix epoch) and 10 bytes of
 * `random`ness. Throws LimitError unless `time` is an integer from 0 to 2^48 − 1, and
 * FormatError unless `random` is exactly 10 bytes.
 */
export function newRecordId(time: number, random: Uint8Array): string {
  if (!Number.isSafeInteger(time) || time < 0 || time > MAX_RECORD_ID_TIME) {
    throw new LimitError(
      'record-id.time',
      `a record id holds a time from 0 to 2^48-1 milliseconds since 1970, not ${time}`,
    );
  }
  if (!(random instanceof Uint8Array) || random.length !== RECORD_ID_RANDOM_BYTES) {
    const got = random instanceof Uint8Array ? `${random.length} bytes` : typeof random;
    throw new FormatError(
      'record-id.random',
      `a record id needs exactly ${RECORD_ID_RANDOM_BYTES} random bytes from a secure source, got ${got}`,
    );
  }
  let out = '';
  let t = time;
  for (let i = 0; i < 10; i++) {
    out = ALPHABET[t % 32]! + out;
    t = Math.floor(t / 32);
  }
  // 80 bits, 5 at a time, most significant first.
  let acc = 0;
  let bits = 0;
  for (const byte of random) {
    acc = ((acc << 8) | byte) & 0xfff;
    bits += 8;
    while (bits >= 5) {
      bits -= 5;
      out += ALPHABET[(acc >>> bits) & 31]!;
    }
  }
  return out;
}

/** Returns true when `id` is a record id: 26 characters of upper-case Crockford base32. */
export function isRecordId(id: unknown): id is string {
  return typeof id === 'string' && RECORD_ID.test(id);
}

/** Returns the time (milliseconds since the Unix epoch) written in a record id. Throws FormatError for a string that is not one. */
export function recordIdTime(id: string): number {
  if (!isRecordId(id)) {
    throw new FormatError(
      'record-id.syntax',
      `${JSON.stringify(String(id).slice(0, 40))} is not a record id (26 characters of upper-case Crockford base32)`,
    );
  }
  let t = 0;
  for (let i = 0; i < 10; i++) t = t * 32 + ALPHABET.indexOf(id[i]!);
  return t;
}
