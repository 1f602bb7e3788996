import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { FormatError, LimitError } from '../log/errors.js';
import { isRecordId, MAX_RECORD_ID_TIME, newRecordId, recordIdTime } from './id.js';

describe('newRecordId', () => {
  it('matches the ULID layout: spec example time, Crockford base32', () => {
    // The ULID spec's example time 1469918176385 encodes as 01ARYZ6S41.
    const id = newRecordId(1469918176385, new Uint8Array(10));
    expect(id).toBe('01ARYZ6S410000000000000000');
    expect(newRecordId(0, new Uint8Array(10).fill(0xff))).toBe('0000000000ZZZZZZZZZZZZZZZZ');
    expect(newRecordId(MAX_RECORD_ID_TIME, new Uint8Array(10))).toBe('7ZZZZZZZZZ0000000000000000');
    // 0x0123456789abcdef0123 as 16 base32 digits.
    const r = Uint8Array.of(0x01, 0x23, 0x45, 0x67, 0x89, 0xab, 0xcd, 0xef, 0x01, 0x23);
    expect(newRecordId(0, r).slice(10)).toBe('04HMASW9NF6YY093');
  });

  it('sorts by time as a string, and reads its time back', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: MAX_RECORD_ID_TIME }),
        fc.integer({ min: 0, max: MAX_RECORD_ID_TIME }),
        fc.uint8Array({ minLength: 10, maxLength: 10 }),
        fc.uint8Array({ minLength: 10, maxLength: 10 }),
        (t1, t2, r1, r2) => {
          const a = newRecordId(t1, r1);
          const b = newRecordId(t2, r2);
          expect(isRecordId(a)).toBe(true);
          expect(recordIdTime(a)).toBe(t1);
          if (t1 < t2) expect(a < b).toBe(true);
        },
      ),
    );
  });

  it('refuses times it cannot hold and randomness of the wrong size', () => {
    for (const t of [-1, 1.5, MAX_RECORD_ID_TIME + 1, Number.NaN]) {
      expect(() => newRecordId(t, new Uint8Array(10))).toThrow(LimitError);
    }
    for (const r of [new Uint8Array(9), new Uint8Array(16)]) {
      expect(() => newRecordId(0, r)).toThrow(FormatError);
    }
    expect(() => recordIdTime('01arYZ6S410000000000000000')).toThrow(FormatError);
  });
});
